import path from 'node:path';
import type { Page } from 'playwright-core';
import { openCardPage, renderCardPng } from '../../../scripts/cardRender';
import { chromiumMissingReason, launchChromium, type Chromium } from '../../../scripts/chromium';
import { cardSamples } from '../../helpers/cardSamples';
import { describeWithService } from '../../helpers/services';

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'artifacts', 'cards');

describeWithService('Chromium', chromiumMissingReason(), 'every card rendered by the adaptivecards renderer in Chromium', () => {
  let browser: Chromium | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await openCardPage(browser);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.each(cardSamples().map((s) => [s.card, s.variant, s] as const))('%s (%s) renders cleanly', async (card, variant, sample) => {
    if (!page) throw new Error('Chromium did not start');
    const rendered = await renderCardPng(page, sample.attachment.content, path.join(ARTIFACTS, `${card}-${variant}.png`));
    expect(rendered.problems).toEqual([]);
    expect(rendered.height).toBeGreaterThan(40);
    expect(rendered.overflows).toBe(false);
    expect(rendered.links).toEqual([]);
    if (variant === 'hostile') {
      expect(rendered.text).toContain('[Approve here](https://evil.example/approve)');
      expect(rendered.text).not.toContain('\u202E');
    }
  });

  it('the renderer reports a broken card, so a clean result above means something', async () => {
    if (!page) throw new Error('Chromium did not start');
    const rendered = await renderCardPng(
      page,
      { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x'.repeat(400), wrap: false }, { type: 'Nonsense' }, { type: 'TextBlock', text: '[link](https://evil.example)' }, { type: 'TextBlock', text: 'invite <email>' }] },
      path.join(ARTIFACTS, 'self-check.png'),
    );
    expect(rendered.problems).toEqual(expect.arrayContaining([expect.stringContaining('Nonsense'), expect.stringContaining('"<email>" would be taken for HTML')]));
    expect(rendered.links).toEqual(['https://evil.example']);
  });
});
