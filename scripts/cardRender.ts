import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Chromium } from './chromium';

/**
 * Renders expanded Adaptive Cards with the real `adaptivecards` renderer (the one the playground and Teams' web client use)
 * in headless Chromium, with a host config close to Teams' light theme, and saves each as a PNG. Used by the card rendering
 * test (PNGs under test/artifacts/cards/) and by `npm run gallery` (docs/cards/).
 */

/** Width of a card in a Teams chat on a desktop client, roughly. */
export const CARD_WIDTH = 460;

const foreground = {
  default: { default: '#242424', subtle: '#616161' },
  dark: { default: '#000000', subtle: '#424242' },
  light: { default: '#FFFFFF', subtle: '#FFFFFF' },
  accent: { default: '#4F52B2', subtle: '#5B5FC7' },
  good: { default: '#0E700E', subtle: '#107C10' },
  warning: { default: '#835B00', subtle: '#8A6100' },
  attention: { default: '#B10E1C', subtle: '#C4314B' },
};

const style = (backgroundColor: string) => ({ backgroundColor, foregroundColors: foreground });

export const TEAMS_LIGHT_HOST_CONFIG = {
  fontFamily: "'Segoe UI', 'Liberation Sans', 'Helvetica Neue', sans-serif",
  supportsInteractivity: true,
  containerStyles: {
    default: style('#FFFFFF'),
    emphasis: style('#F5F5F5'),
    accent: style('#E8EBFA'),
    good: style('#E7F2DA'),
    attention: style('#FDE7E9'),
    warning: style('#FBF6D9'),
  },
  actions: { actionsOrientation: 'horizontal', actionAlignment: 'left', buttonSpacing: 8, maxActions: 6, spacing: 'default', showCard: { actionMode: 'inline' } },
};

export interface RenderedCard {
  file: string;
  /** Parse warnings and errors from the renderer: unknown elements, bad values. Expected to be empty. */
  problems: string[];
  /** The rendered card is wider than the chat column: something does not wrap. */
  overflows: boolean;
  height: number;
  /** Hrefs of links the renderer produced from the card's text. User text must never become a link. */
  links: string[];
  /** The text a reader sees. */
  text: string;
}

interface InPage {
  problems: string[];
  overflows: boolean;
  height: number;
  links: string[];
  text: string;
}

/**
 * Runs in the page (plain JavaScript: this project's TypeScript has no DOM types). Teams renders Markdown in TextBlocks; the
 * renderer only does when given a processor, so this one covers what matters here: backslash escapes, bold, italic and
 * links, which shows that escaped user text stays text.
 */
const IN_PAGE_RENDER = String.raw`({ json, hostConfig }) => {
  const AC = window.AdaptiveCards;
  const host = document.getElementById('card');
  host.innerHTML = '';
  const problems = [];
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    // Teams takes an unescaped <word> for an HTML tag and drops it ("invite <email>" shows as "invite ").
    const tag = /(^|[^\\])(<[A-Za-z!\/][^>]*>?)/.exec(text);
    if (tag) problems.push('markdown: ' + JSON.stringify(tag[2]) + ' would be taken for HTML and dropped; escape it with plain()');
    result.outputHtml = text
      .replace(/\\([\\\x60*_{}\[\]()#+\-.!<>~|])/g, (_m, c) => '\u0000' + c.charCodeAt(0) + '\u0000')
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>')
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|\W)_(.+?)_(?=\W|$)/g, '$1<em>$2</em>')
      .replace(/\n/g, '<br>')
      .replace(/\u0000(\d+)\u0000/g, '&#$1;');
    result.didProcess = true;
  };
  const adaptive = new AC.AdaptiveCard();
  adaptive.hostConfig = new AC.HostConfig(hostConfig);
  const context = new AC.SerializationContext();
  adaptive.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(event.phase + ': ' + event.message);
  }
  const element = adaptive.render();
  if (!element) return { problems: [...problems, 'render() returned nothing'], overflows: false, height: 0, links: [], text: '' };
  host.appendChild(element);
  // Text inputs scroll their value by design; anything else wider than its box does not wrap and is cut off.
  const overflows = [element, ...element.querySelectorAll('*')].some(
    (e) => !['INPUT', 'TEXTAREA'].includes(e.tagName) && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'hidden',
  );
  const links = [...element.querySelectorAll('a')].map((a) => a.getAttribute('href') || '');
  return { problems, overflows, height: element.getBoundingClientRect().height, links, text: element.innerText };
}`;

/** A page holding the renderer; reuse it for many cards. */
export async function openCardPage(browser: Chromium): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setContent(
    `<!doctype html><html><head><meta charset="utf-8"><style>
      body { margin: 0; padding: 16px; background: #F5F5F5; font-family: 'Liberation Sans', sans-serif; }
      #card { width: ${CARD_WIDTH}px; background: #FFFFFF; border: 1px solid #E0E0E0; border-radius: 6px; overflow: hidden; }
      /* Teams breaks long unbroken values (addresses, URLs) in fact sets instead of widening the card; titles stay whole. */
      .ac-fact-value .ac-textBlock { word-break: break-word; }
      .ac-fact-title .ac-textBlock { word-break: keep-all; overflow-wrap: normal; }
      .ac-pushButton { border: 1px solid #D1D1D1; border-radius: 4px; background: #FFFFFF; color: #242424; font-weight: 600; padding: 5px 12px; }
    </style></head><body><div id="card"></div></body></html>`,
  );
  await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
  await page.addStyleTag({ path: require.resolve('adaptivecards/dist/adaptivecards.css') });
  return page;
}

/** Renders one expanded card and saves its PNG. */
export async function renderCardPng(page: Page, card: unknown, file: string): Promise<RenderedCard> {
  const result = (await page.evaluate(`(${IN_PAGE_RENDER})(${JSON.stringify({ json: card, hostConfig: TEAMS_LIGHT_HOST_CONFIG })})`)) as InPage;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.locator('#card').screenshot({ path: file });
  return { file, ...result };
}
