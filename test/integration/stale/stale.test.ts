import type { Fixture } from '../../../sandbox/fixture';
import { README_PERMISSIONS } from '../../../sandbox/graph/permissions';
import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, executeActions, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { HOSTILE, HOSTILE_TEXT } from '../../helpers/cardSamples';
import { contosoFixture, startTestSandbox } from '../../helpers/sandbox';

const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const EMPLOYEE: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000003', name: 'Zoë Krüger-Łukasiewicz' };
const MEGAN = 'b0000000-0000-4000-8000-000000000001';
/** Lee Gu: a member whose account is disabled, as a sponsor who left. */
const LEE_DISABLED = 'c0000000-0000-4000-8000-000000000004';
const GENERATED = 250;
const HOSTILE_INDEX = 7;
/** The bot is given all the time it needs: these tests count Graph calls, not the turn budget's "Working on it…". */
const ENV = { TURN_BUDGET_MS: '120000', APP_CACHE_SECONDS: '0' };

type Card = Record<string, unknown>;

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString();
}

function guestId(i: number): string {
  return `f1000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

/**
 * What each generated guest is, by its index: i % 4 picks the sign-in or invitation (0 stale, 1 fresh, 2 pending too long,
 * 3 pending recently); i % 10 picks the sponsors (0 none, 1 only a disabled one, else Megan).
 */
function expectedGroups(i: number): string[] {
  const groups: string[] = [];
  if (i % 4 === 0) groups.push('No sign-in in the window');
  if (i % 4 === 2) groups.push('Invitation not redeemed');
  if (i % 10 === 0 || i % 10 === 1) groups.push('No sponsor left');
  return groups;
}

function tenantWithGuests(options: { premium?: boolean } = {}): Fixture {
  const fixture = contosoFixture();
  fixture.tenant.hasPremiumLicense = options.premium ?? true;
  for (let i = 0; i < GENERATED; i++) {
    const pending = i % 4 >= 2;
    fixture.users.push({
      id: guestId(i),
      userPrincipalName: `g${i}_partner${i % 7}.test#EXT#@contoso.onmicrosoft.com`,
      displayName: i === HOSTILE_INDEX ? HOSTILE_TEXT : `Generated Guest ${String(i).padStart(3, '0')}`,
      mail: `g${i}@partner${i % 7}.test`,
      userType: 'Guest',
      accountEnabled: true,
      creationType: 'Invitation',
      createdDateTime: daysAgo(400),
      externalUserState: pending ? 'PendingAcceptance' : 'Accepted',
      externalUserStateChangeDateTime: daysAgo(i % 4 === 2 ? 60 : i % 4 === 3 ? 5 : 390),
      ...(pending ? {} : { signInActivity: { lastSuccessfulSignInDateTime: daysAgo(i % 4 === 0 ? 200 : 5) } }),
      sponsors: i % 10 === 0 ? [] : i % 10 === 1 ? [LEE_DISABLED] : [MEGAN],
    } as Fixture['users'][number]);
  }
  return fixture;
}

function guestsIn(fixture: Fixture): number {
  return fixture.users.filter((u) => u.userType === 'Guest').length;
}

async function ask(bot: TestBot, user: TestUser, text: string): Promise<{ card: Card; text: string }> {
  const [reply] = await bot.say(user, text);
  const card = cardOf(reply);
  if (!card) throw new Error(`no card in the reply to "${text}"`);
  expect(validateAdaptiveCard(card)).toEqual([]);
  return { card, text: cardText(card) };
}

function exportUrl(card: Card): string {
  const found = JSON.stringify(card).match(/"url":"(http[^"]+\/stale\/[^"]+)"/);
  if (!found?.[1]) throw new Error('no export link on the card');
  return found[1];
}

async function csvRows(card: Card): Promise<Map<string, string>> {
  const res = await fetch(exportUrl(card));
  expect(res.status).toBe(200);
  const byId = new Map<string, string>();
  for (const line of (await res.text()).split('\r\n').slice(1)) {
    const id = /f1000000-0000-4000-8000-\d{12}/.exec(line)?.[0];
    if (id) byId.set(id, line);
  }
  return byId;
}

describe('stale against the sandbox: a tenant of 258 guests', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;
  let fixture: Fixture;

  beforeAll(async () => {
    fixture = tenantWithGuests();
    sandbox = await startTestSandbox({ fixture });
    bot = await startBotOn(sandbox, ENV);
    await bot.say(MANAGER, 'help');
    await bot.say(ADMIN, 'help');
    await bot.say(EMPLOYEE, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => {
    sandbox.setFaults([]);
    sandbox.resetStats();
  });

  it('reads every guest in pages of 120 with signInActivity, and their sponsors 20 a $batch: ceil(G/120) + ceil(G/20) round trips', async () => {
    const guests = guestsIn(fixture);
    const { card, text } = await ask(bot, MANAGER, 'stale');
    const stats = sandbox.stats();
    const listings = stats.requests.filter((r) => !r.batchItem && r.path.includes('/users?'));
    expect(listings).toHaveLength(Math.ceil(guests / 120));
    expect(listings.every((r) => r.path.includes('signInActivity'))).toBe(true);
    expect(stats.batchRequests).toBe(Math.ceil(guests / 20));
    expect(stats.batchItems).toBe(guests);
    expect(stats.graphRoundTrips).toBe(Math.ceil(guests / 120) + Math.ceil(guests / 20));
    expect(text).toContain(`Guests read\n${guests}`);
    expect(text).toContain('No sign-in for 90 days');
    expect(text).toContain('Invitations not redeemed after 30 days');
    expect(text).toContain('Page 1 of');
    expect(executeActions(card).map((b) => b.verb)).toContain('stale.page');
  });

  it('puts each guest in the groups it belongs to, one row per guest in the CSV export, with its facts', async () => {
    const { card } = await ask(bot, MANAGER, 'stale');
    const rows = await csvRows(card);
    for (let i = 0; i < GENERATED; i++) {
      const expected = expectedGroups(i);
      const row = rows.get(guestId(i));
      if (expected.length === 0) {
        expect({ i, row }).toEqual({ i, row: undefined });
        continue;
      }
      expect({ i, groups: row?.split(',')[0]?.replace(/^"|"$/g, '') }).toEqual({ i, groups: expected.join('; ') });
    }
    expect(rows.get(guestId(1 * 10 + 1))).toContain('Lee Gu (disabled)');
    const tampered = await fetch(exportUrl(card).replace(/sig=[^&]+/, 'sig=AAAA'));
    expect(tampered.status).toBe(403);
    const asPartners = await fetch(exportUrl(card).replace('/stale/', '/partners/'));
    expect([403, 404]).toContain(asPartners.status);
  });

  it('pages through the kept scan without reading Graph again, and offers Resend on each pending invitation', async () => {
    const first = await ask(bot, MANAGER, 'stale');
    const next = executeActions(first.card).find((b) => b.verb === 'stale.page' && b.title === 'Next page');
    expect(next?.data).toMatchObject({ days: 90, page: 2 });
    sandbox.resetStats();
    const clicked = await bot.click(MANAGER, 'stale.page', next?.data ?? {});
    const second = clicked.value as Card;
    expect(validateAdaptiveCard(second)).toEqual([]);
    expect(sandbox.stats().graphRoundTrips).toBe(0);
    expect(cardText(second)).toContain('Page 2 of');
    // Groups come in order and are sorted by name: somewhere in the pages sit the pending ones, each with Resend. The
    // fixture's own pending guests may fill the first such page, so look on until a generated one has its button.
    const generated = (b: { data?: Record<string, unknown> }) => /^g\d+@partner\d\.test$/.test(String(b.data?.email));
    let page: Card = second;
    let resend = executeActions(page).filter((b) => b.verb === 'invite.resend');
    for (let n = 3; !resend.some(generated) && n < 40; n++) {
      page = (await bot.click(MANAGER, 'stale.page', { ...(next?.data ?? {}), page: n })).value as Card;
      resend = executeActions(page).filter((b) => b.verb === 'invite.resend');
    }
    expect(resend.some(generated)).toBe(true);
    expect(cardText(page)).toContain('not redeemed');
  });

  it('finishes the scan when Graph throttles sponsor reads mid-scan, waiting its Retry-After and sending only those again', async () => {
    sandbox.setFaults([{ pathPattern: '/sponsors', appliesTo: 'batchItem', status: 429, retryAfterSeconds: 0.2, times: 30 }]);
    const guests = guestsIn(fixture);
    const { text } = await ask(bot, MANAGER, 'stale');
    expect(text).not.toContain('Sponsors not read');
    const stats = sandbox.stats();
    expect(stats.batchItems).toBe(guests + 30);
    expect(stats.batchRequests).toBeGreaterThan(Math.ceil(guests / 20));
    expect(text).toContain(`Guests read\n${guests}`);
  });

  it('reports guests whose sponsors Graph kept throttling as not read, never as sponsorless', async () => {
    sandbox.setFaults([{ pathPattern: `/users/${guestId(5)}/sponsors`, appliesTo: 'batchItem', status: 429, retryAfterSeconds: 0.1 }]);
    const { card, text } = await ask(bot, MANAGER, 'stale');
    expect(text).toContain('Sponsors not read\n1');
    const row = (await csvRows(card)).get(guestId(5));
    expect(row).toContain('Sponsors could not be read');
    expect(row).not.toContain('No sponsor left');
  });

  it('shows a hostile display name as text, never as a link or template', async () => {
    const { card } = await ask(bot, MANAGER, 'stale');
    const json = JSON.stringify(card);
    expect(json).not.toContain(HOSTILE.link);
    expect(json).not.toContain('${caller.name}');
    expect(json).not.toContain('\u202E');
  });

  it('refuses bad days with what to type, and is for partner managers and admins only', async () => {
    for (const bad of ['stale abc', 'stale 0', 'stale 731', 'stale 90 30', 'stale -5']) {
      const { text } = await ask(bot, ADMIN, bad);
      expect({ bad, ok: /number of days/.test(text) }).toEqual({ bad, ok: true });
    }
    sandbox.resetStats();
    const { text } = await ask(bot, EMPLOYEE, 'stale');
    expect(text).not.toContain('Guests read');
    expect(sandbox.stats().requests.filter((r) => r.path.includes('signInActivity'))).toHaveLength(0);
    expect((await ask(bot, ADMIN, 'stale 365')).text).toContain('No sign-in for 365 days');
  });
});

describe('stale without sign-in activity', () => {
  it('says the licence is missing and lists the redeemed guests created before the window instead, never a clean zero', async () => {
    const fixture = tenantWithGuests({ premium: false });
    const sandbox = await startTestSandbox({ fixture });
    const bot = await startBotOn(sandbox, ENV);
    try {
      const { card, text } = await ask(bot, MANAGER, 'stale');
      expect(text).toContain('P1 or P2 licence');
      expect(text).toContain('unknown: no P1/P2 licence');
      expect(text).toContain('Sign-in unknown, created over 90 days ago');
      const rows = await csvRows(card);
      expect(rows.get(guestId(1))).toContain('Sign-in unknown');
      expect(rows.get(guestId(2))).toContain('Invitation not redeemed');
      expect(rows.get(guestId(1))).toContain('not readable');
    } finally {
      await bot.close();
      await sandbox.close();
    }
  });

  it('says AuditLog.Read.All is missing when the app lacks it, and still reports invitations and sponsors', async () => {
    const sandbox = await startTestSandbox({ fixture: tenantWithGuests() });
    sandbox.setGrantedPermissions(README_PERMISSIONS.filter((p) => p !== 'AuditLog.Read.All'));
    const bot = await startBotOn(sandbox, ENV);
    try {
      const { card, text } = await ask(bot, MANAGER, 'stale');
      expect(text).toContain('AuditLog.Read.All');
      expect(text).toContain('unknown: no AuditLog.Read.All');
      const rows = await csvRows(card);
      expect(rows.get(guestId(2))).toContain('Invitation not redeemed');
      expect(rows.get(guestId(10))).toContain('No sponsor left');
    } finally {
      await bot.close();
      await sandbox.close();
    }
  });
});
