import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { PlaygroundRole, PlaygroundUser } from '../../sandbox/playground';
import { playgroundUsersFor, startPlayground, withCurrentUser, type RunningPlayground } from '../../sandbox/playgroundServer';
import type { RunningSandbox } from '../../sandbox/server';
import { chromiumMissingReason, launchChromium, type Chromium } from '../../scripts/chromium';
import { startTestBot, type TestBot } from './bot';
import { contosoFixture, startTestSandbox } from './sandbox';
import { describeWithService } from './services';

/**
 * End-to-end scenarios as a Teams user sees them: the real bot (sandbox mode, in this process) behind the Teams-like
 * playground, driven through its UI in headless Chromium. A scenario types into the compose box, waits for rendered cards,
 * clicks their buttons and saves screenshots under test/artifacts/e2e/.
 */

export const E2E_ARTIFACTS = path.resolve(__dirname, '..', 'artifacts', 'e2e');
const WAIT_MS = 15_000;
/** Text of the help card, which is also the welcome card every fresh view receives. */
const WELCOME_TEXT = 'These are the commands you can use';
const PLAYGROUND_ROLES: readonly PlaygroundRole[] = ['admin', 'manager', 'member'];

export interface Chat {
  page: Page;
  /** The fixture user this view belongs to (the playground's current user). */
  user: PlaygroundUser;
  /** Types a message as a person would and returns the new card that contains `expectText`. */
  say(text: string, expectText: string): Promise<Locator>;
  /**
   * Clicks a button on a card and returns the card (updated in place, or new) that contains `expectText`. When the card has
   * several buttons of that name (one per app), `section` names text of the part of the card whose button to click.
   */
  click(card: Locator, button: string, expectText: string, section?: string): Promise<Locator>;
  /** Types into the card's input with this label, as a person would. */
  fill(card: Locator, label: string, value: string): Promise<void>;
  /** Picks an option of the card's choice input with this label. */
  choose(card: Locator, label: string, option: string): Promise<void>;
  /**
   * Waits until a card containing `expectText` is on screen (the first such card), e.g. a proactive message from the bot.
   * `about` narrows it to the card that also contains that text: the same message about another request of an earlier
   * scenario is on screen too. `withinMs` (default 15 s) is for a card that comes after a burst of messages, which the
   * playground shows one after another, seconds apart.
   */
  card(expectText: string, about?: string, withinMs?: number): Promise<Locator>;
  /** The card's visible text. */
  text(card: Locator): Promise<string>;
  /** The titles of the card's buttons. */
  buttons(card: Locator): Promise<string[]>;
  /** Saves a screenshot as test/artifacts/e2e/<scenario>-<name>.png and returns its path. */
  shot(name: string): Promise<string>;
  /** The scenario this view is serving now; it names the screenshots. */
  scenario: string;
}

export interface E2eStack {
  sandbox: RunningSandbox;
  bot: TestBot;
  users: PlaygroundUser[];
  /**
   * Moves the bot's job clock forward (TEST_JOB_CLOCK) by `ms`, and resolves once every job that made due has run: a
   * scenario skips days without waiting. The clock only moves forward, for every later scenario too.
   */
  advanceClock(ms: number): Promise<{ now: string; steps: number }>;
  /** The first playground user with that role (admin, manager or ordinary member). */
  userWith(role: PlaygroundRole): PlaygroundUser;
  /**
   * The playground view whose current user is `who`: each person gets a playground of their own and one page, kept for the
   * whole run (loading the playground's UI costs seconds), so a scenario continues the conversation where the last one left it.
   */
  open(who: PlaygroundRole | PlaygroundUser, scenario: string): Promise<Chat>;
  close(): Promise<void>;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

function chatFor(page: Page, user: PlaygroundUser): Chat {
  const cards = page.locator('.ac-adaptiveCard');
  const waitForNew = async (expectText: string, before: number, action: string, among = cards.filter({ hasText: expectText }), withinMs = WAIT_MS): Promise<Locator> => {
    const card = among.nth(before);
    try {
      await card.waitFor({ state: 'visible', timeout: withinMs });
    } catch (error) {
      const shown = (await cards.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').slice(0, 200));
      await chat.shot('failure');
      throw new Error(
        `${action}: no card containing "${expectText}" appeared within ${withinMs / 1000} s. Cards on screen:\n` +
          (shown.length ? shown.map((t) => `  - ${t}`).join('\n') : '  (none)') +
          `\n${error instanceof Error ? error.message.split('\n')[0] : ''}`,
      );
    }
    return card;
  };
  const chat: Chat = {
    page,
    user,
    scenario: 'start',
    async say(text, expectText) {
      const before = await cards.filter({ hasText: expectText }).count();
      const box = page.locator('[data-lexical-editor="true"][role="textbox"]');
      await box.click();
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
      return waitForNew(expectText, before, `after typing "${text}"`);
    },
    async click(card, button, expectText, section) {
      const matching = cards.filter({ hasText: expectText });
      const buttonOf = (scope: Locator | Page) => scope.getByRole('button', { name: button, exact: true });
      // Adaptive Card containers nest, outermost first: the last one holding both the section's text and the button is the
      // innermost, so its button is the one meant.
      const target = section ? buttonOf(card.locator('.ac-container').filter({ hasText: section }).filter({ has: buttonOf(page) }).last()) : buttonOf(card);
      const before = await matching.count();
      const answered = page.waitForResponse((r) => r.url().includes('/_conversation/v1/invoke') && r.request().method() === 'POST', {
        timeout: WAIT_MS,
      });
      await target.click();
      const response = await answered;
      const body: unknown = await response.json().catch(() => undefined);
      const statusCode = typeof body === 'object' && body !== null && 'statusCode' in body ? Number(body.statusCode) : response.status();
      if (!response.ok() || statusCode >= 400) {
        await chat.shot('failure');
        throw new Error(`clicking "${button}" was answered with ${response.status()} ${JSON.stringify(body).slice(0, 500)}`);
      }
      const answer = typeof body === 'object' && body !== null && 'value' in body ? JSON.stringify(body.value) : '';
      if (answer.includes(JSON.stringify(expectText).slice(1, -1))) {
        // The bot answered with a card that says it, which replaces the clicked card in place (an identical one is not
        // re-rendered at all): wait until the screen shows it.
        return waitForNew(expectText, 0, `after clicking "${button}"`, matching.last());
      }
      // Otherwise the answer comes as a new message.
      return waitForNew(expectText, before, `after clicking "${button}"`);
    },
    async card(expectText, about, withinMs) {
      const among = cards.filter({ hasText: expectText });
      const label = about ? `${expectText}" and "${about}` : expectText;
      return waitForNew(label, 0, 'waiting for a message from the bot', about ? among.filter({ hasText: about }) : among, withinMs);
    },
    async fill(card, label, value) {
      const input = card.getByLabel(label, { exact: false });
      await input.click();
      await input.fill('');
      await page.keyboard.type(value);
    },
    async choose(card, label, option) {
      // The playground renders a choice set as a Fluent combobox whose options open in a popup outside the card.
      await card.getByRole('combobox', { name: label }).click();
      await page.getByRole('option', { name: option, exact: true }).click();
    },
    async text(card) {
      return (await card.innerText()).replace(/[ \t]+/g, ' ');
    },
    async buttons(card) {
      return (await card.getByRole('button').allInnerTexts()).map((t) => t.trim()).filter((t) => t !== '');
    },
    async shot(name) {
      fs.mkdirSync(E2E_ARTIFACTS, { recursive: true });
      const file = path.join(E2E_ARTIFACTS, `${chat.scenario}-${slug(name)}.png`);
      await page.screenshot({ path: file });
      return file;
    },
  };
  return chat;
}

/** Starts the sandbox cloud, the bot against it, and Chromium; playgrounds start on demand, one per person. */
export async function startE2e(): Promise<E2eStack> {
  const fixture = contosoFixture();
  const sandbox = await startTestSandbox({ fixture });
  const { adminGroupId, managerGroupId } = fixture.roles;
  const started: { bot?: TestBot; browser?: Chromium } = {};
  const playgrounds = new Map<string, RunningPlayground>();
  const views = new Map<string, Chat>();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-e2e-'));
  const close = async () => {
    await Promise.allSettled([...playgrounds.values()].map((p) => p.close()));
    await started.browser?.close().catch(() => undefined);
    await started.bot?.close().catch(() => undefined);
    await sandbox.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    // A bulk run of a few rows finishes within a scenario's wait (the default pace is 6 invitations a minute).
    started.bot = await startTestBot({ sandboxUrl: sandbox.url, tenantId: fixture.tenant.id, adminGroupId, managerGroupId, env: { BULK_INVITES_PER_MINUTE: '600', JOB_POLL_MS: '200', TEST_JOB_CLOCK: 'on' } });
    started.browser = await launchChromium();
  } catch (error) {
    await close();
    throw error;
  }
  const { bot, browser } = started;
  const users = playgroundUsersFor(fixture, adminGroupId, managerGroupId);
  const userWith = (role: PlaygroundRole): PlaygroundUser => {
    const user = users.find((u) => u.role === role);
    if (!user) throw new Error(`the fixture maps no playground user with role ${role}`);
    return user;
  };

  const playgroundFor = async (user: PlaygroundUser): Promise<RunningPlayground> => {
    const existing = playgrounds.get(user.id);
    if (existing) return existing;
    const playground = await startPlayground({
      botUrl: bot.bot.url,
      dir: path.join(workDir, user.id),
      tenantId: fixture.tenant.id,
      users: withCurrentUser(users, user.id),
    });
    playgrounds.set(user.id, playground);
    return playground;
  };

  return {
    sandbox,
    bot,
    users,
    userWith,
    async advanceClock(ms) {
      const response = await fetch(`${bot.bot.url}/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: Math.round(ms) }) });
      if (!response.ok) throw new Error(`POST /test/clock answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { now: string; steps: number };
    },
    async open(who, scenario) {
      const user = typeof who === 'string' ? userWith(who) : who;
      const open = views.get(user.id);
      if (open) {
        open.scenario = slug(scenario);
        return open;
      }
      const playground = await playgroundFor(user);
      const page = await browser.context.newPage();
      await page.goto(playground.url);
      const chat = chatFor(page, user);
      chat.scenario = slug(scenario);
      // Every fresh view installs the app, and the bot answers with the help card; wait for it so it never races a reply.
      const welcome = page.locator('.ac-adaptiveCard').filter({ hasText: WELCOME_TEXT }).first();
      await welcome.waitFor({ state: 'visible', timeout: WAIT_MS }).catch(async (error: unknown) => {
        await chat.shot('no-welcome');
        throw new Error(`the playground for ${user.name} showed no welcome card (log: ${playground.logFile}): ${String(error)}`);
      });
      views.set(user.id, chat);
      return chat;
    },
    close,
  };
}

export interface ScenarioApi {
  /** One scenario: `as` picks whose view it starts in; the body drives the chat and asserts on what is rendered. */
  scenario(title: string, as: PlaygroundRole, body: (chat: Chat, stack: E2eStack) => Promise<void>): void;
}

/** A named group of scenarios (one module under test/e2e/scenarios/), run by {@link describeE2e} on the shared stack. */
export interface ScenarioGroup {
  title: string;
  define: (api: ScenarioApi) => void;
}

export function scenarioGroup(title: string, define: (api: ScenarioApi) => void): ScenarioGroup {
  return { title, define };
}

/**
 * Runs every group of scenarios on one stack (sandbox, bot, Chromium, one playground per person): starting a stack costs
 * far more than a scenario, so all scenarios share it, each in a `describe` of its group. They stay independent because
 * each works with partners and apps no other scenario touches, and every wait looks for a card no earlier scenario can
 * have produced (see {@link Chat}). Skipped with a reason when Chromium is missing, failed instead under REQUIRE_SERVICES=1.
 */
export function describeE2e(title: string, groups: readonly ScenarioGroup[]): void {
  describeWithService('Chromium', chromiumMissingReason(), title, () => {
    let stack: E2eStack | undefined;
    beforeAll(async () => {
      stack = await startE2e();
      // Every person's view is opened now, side by side, rather than by the first scenario that needs it: each costs a
      // playground start and a page load, which would otherwise run one after another inside scenario time-outs.
      const started = stack;
      await Promise.all(PLAYGROUND_ROLES.map((role) => started.open(role, 'start')));
    }, 120_000);
    afterAll(async () => {
      await stack?.close();
    }, 30_000);
    const api: ScenarioApi = {
      scenario(name, as, run) {
        it(
          name,
          async () => {
            if (!stack) throw new Error('the end-to-end stack did not start');
            const chat = await stack.open(as, name);
            try {
              await run(chat, stack);
            } catch (error) {
              await chat.shot('failure').catch(() => undefined);
              throw error;
            }
          },
          60_000,
        );
      },
    };
    for (const group of groups) describe(group.title, () => group.define(api));
  });
}
