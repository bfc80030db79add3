import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
const FOREIGN_TENANT = '0f0f0f0f-0000-4000-8000-000000000000';

describe('the bot over HTTP, in sandbox mode', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox);
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => sandbox.resetStats());

  async function helpText(user: TestUser): Promise<string> {
    const [reply] = await bot.say(user, 'help');
    return cardText(cardOf(reply));
  }

  it('answers help with the caller role, resolved from Graph group membership', async () => {
    expect(await helpText(ADMIN)).toContain('Your role: **Admin**');
    expect(await helpText(NESTED_ADMIN)).toContain('Your role: **Admin**');
    expect(await helpText(MANAGER)).toContain('Your role: **Partner manager**');
    const memberHelp = await helpText(MEMBER);
    expect(memberHelp).toContain('Your role: **Member (read-only lookups)**');
    expect(memberHelp).toContain('whoami');
  });

  it('asks Graph once per caller and then uses the cache', async () => {
    const user: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000002', name: "Siobhán O'Brien" };
    await bot.say(user, 'help');
    await bot.say(user, 'whoami');
    const membershipCalls = sandbox.stats().requests.filter((r) => r.path.includes('/checkMemberGroups'));
    expect(membershipCalls).toHaveLength(1);
  });

  it('answers whoami with name, object id, tenant and roles', async () => {
    const [reply] = await bot.say(MANAGER, '<at>Partner Access Bot</at> WHOAMI');
    const text = cardText(cardOf(reply));
    expect(text).toContain('Megan Bowen');
    expect(text).toContain(MANAGER.aadObjectId);
    expect(text).toContain(sandbox.tenantId);
    expect(text).toContain('Partner manager');
  });

  it('replies in the conversation the message came from', async () => {
    const [reply] = await bot.say(MEMBER, 'help');
    expect(reply?.method).toBe('POST');
    expect(reply?.conversationId).toBe(`a:personal-${MEMBER.aadObjectId}`);
  });

  it('answers unknown text with help and a one-line "I didn\'t understand"', async () => {
    const [reply] = await bot.say(MEMBER, 'helpdesk ticket 42');
    expect(cardText(cardOf(reply))).toContain('I didn\'t understand "helpdesk ticket 42"');
  });

  it('accepts the tenant from conversation.tenantId as well as channelData', async () => {
    const [reply] = await bot.say(ADMIN, 'whoami', { tenantIn: 'conversation' });
    expect(cardText(cardOf(reply))).toContain('Admin');
  });

  it('refuses a caller from another tenant politely, and asks Graph nothing', async () => {
    const [reply] = await bot.say(ADMIN, 'whoami', { tenantId: FOREIGN_TENANT });
    const text = cardText(cardOf(reply));
    expect(text).toContain('This bot serves one organization only');
    expect(text).not.toContain(ADMIN.aadObjectId);
    expect(sandbox.stats().requests).toHaveLength(0);
  });

  it('refuses an activity without a tenant', async () => {
    const [reply] = await bot.say(ADMIN, 'whoami', { tenantId: null });
    expect(cardText(cardOf(reply))).toContain('This bot serves one organization only');
  });

  it('refuses a caller without an Entra object id, and asks Graph nothing', async () => {
    const [reply] = await bot.say(ADMIN, 'whoami', { withoutAadObjectId: true });
    expect(cardText(cardOf(reply))).toContain("I can't tell who you are");
    expect(sandbox.stats().requests).toHaveLength(0);
  });

  it('handles a redelivered activity once', async () => {
    await bot.say(MEMBER, 'whoami', { activityId: 'redelivered-1' });
    const before = bot.connector.calls.length;
    await bot.say(MEMBER, 'whoami', { activityId: 'redelivered-1', expectReplies: 0 });
    expect(bot.connector.calls.length).toBe(before);
  });

  it('refreshes roles from a card button, re-checking Graph', async () => {
    await bot.say(ADMIN, 'whoami');
    sandbox.resetStats();
    const result = await bot.click(ADMIN, 'roles.refresh');
    expect(result.statusCode).toBe(200);
    expect(result.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(result.value)).toContain('Admin');
    expect(sandbox.stats().requests.filter((r) => r.path.includes('/checkMemberGroups'))).toHaveLength(1);
  });

  it('refuses a card action from another tenant', async () => {
    const result = await bot.click(ADMIN, 'roles.refresh', {}, { tenantId: FOREIGN_TENANT });
    expect(result.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(result.value)).toContain('another organization');
  });

  it('shows a failure card, not a stack trace, when Graph is down', async () => {
    const user: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000004', name: 'Lee Gu' };
    sandbox.setFaults([{ pathPattern: 'checkMemberGroups', status: 500 }]);
    try {
      const [reply] = await bot.say(user, 'help');
      const text = cardText(cardOf(reply));
      expect(text).toContain('Microsoft Entra ID is not answering right now');
      expect(text).toMatch(/Reference: [0-9a-f-]{36}/);
      expect(text).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('reports liveness and readiness', async () => {
    const health = await fetch(`${bot.bot.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${bot.bot.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: [{ name: 'store', ok: true }, { name: 'graph-token', ok: true }] });
  });
});

describe('the bot with a Microsoft app id', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, {
      MicrosoftAppId: '7e1f0000-0000-4000-8000-000000000001',
      MicrosoftAppPassword: 'not-used-in-this-test',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: sandbox.tenantId,
      AZURE_CLIENT_ID: SANDBOX_CLIENT_ID,
      AZURE_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    });
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('runs in production mode, with inbound authentication', () => {
    expect(bot.config.mode).toBe('production');
    expect(bot.config.bot?.appId).toBe('7e1f0000-0000-4000-8000-000000000001');
  });

  it.each([
    ['no Authorization header', {}],
    ['a malformed bearer token', { authorization: 'Bearer not-a-jwt' }],
    ['an unsigned token', { authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"aud":"x"}').toString('base64url')}.` }],
  ])('answers 401 to a POST with %s and runs nothing', async (_label, headers) => {
    const before = bot.connector.calls.length;
    const { status } = await bot.post(
      {
        type: 'message',
        id: 'unauthenticated',
        channelId: 'msteams',
        serviceUrl: bot.connector.serviceUrl,
        text: 'whoami',
        from: { id: '29:x', aadObjectId: ADMIN.aadObjectId },
        conversation: { id: 'a:1', tenantId: sandbox.tenantId },
        recipient: { id: '28:bot' },
      },
      headers,
    );
    expect(status).toBe(401);
    expect(bot.connector.calls.length).toBe(before);
  });
});
