import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeData, startBotOn, waitFor, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import { contosoFixture, startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

function inputValue(card: unknown, id: string): unknown {
  const found: unknown[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.id === id && typeof record.type === 'string' && record.type.startsWith('Input.')) found.push(record.value);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found[0];
}

describe('invite refuses early and keeps what was typed (sandbox)', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox);
    for (const user of [ADMIN, NESTED_ADMIN, MANAGER]) await bot.say(user, 'whoami');
  });
  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('says nothing about the tenant refusing when its list was read and allows the domain', async () => {
    const [reply] = await bot.say(ADMIN, 'invite ivy@fabrikam.com');
    expect(cardText(cardOf(reply))).not.toContain('The tenant may still refuse');
  });

  it('reads the list from GET /beta/policies/b2bManagementPolicies', async () => {
    sandbox.resetStats();
    await bot.say(ADMIN, 'invite temp@guerrillamail.com');
    // Cached for a minute after the first read in this file, so either no read or exactly that one.
    const reads = sandbox.stats().requests.filter((r) => r.method === 'GET' && /\/beta\/policies\/b2bManagementPolicies/i.test(r.path));
    expect(reads.length).toBeLessThanOrEqual(1);
  });

  it('gives back a failed form with what was typed and the problem next to its field', async () => {
    const [reply] = await bot.say(ADMIN, 'invite jo@fabrikam.com');
    const data = executeData(cardOf(reply), 'invite.submit');
    const result = await bot.click(ADMIN, 'invite.submit', { ...data, displayName: 'Jo Berg', message: 'Welcome, Jo!', cc: '"x"@evil.com', groups: 'Finance' });
    const card = result.value;
    expect(typeof card).not.toBe('string');
    expect(inputValue(card, 'displayName')).toBe('Jo Berg');
    expect(inputValue(card, 'message')).toBe('Welcome, Jo!');
    expect(inputValue(card, 'cc')).toBe('"x"@evil.com');
    expect(inputValue(card, 'groups')).toBe('Finance');
    const text = invokeText(result);
    expect(text).toContain('Please correct the fields marked below');
    expect(text).toContain('Cc: Quoted local parts');
    expect(text).toContain('Groups: "Finance" is not a group object id');
    // Cc's problem sits right after the cc input, not at the top of the card.
    const body = JSON.stringify(card);
    expect(body.indexOf('Cc: Quoted local parts')).toBeGreaterThan(body.indexOf('"id":"cc"'));
    expect(body.indexOf('Cc: Quoted local parts')).toBeLessThan(body.indexOf('"id":"redirectUrl"'));
    expect(executeData(card, 'invite.cancel')).toBeDefined();
    expect([...sandbox.state.users.values()].filter((u) => u.mail === 'jo@fabrikam.com')).toHaveLength(0);
  });

  it('treats invite "a b"@fabrikam.com as one invalid address, not a bulk job', async () => {
    const [reply] = await bot.say(ADMIN, 'invite "a b"@fabrikam.com');
    const text = cardText(cardOf(reply));
    expect(text).toContain('That address cannot be invited');
    expect(text).toContain('Quoted local parts');
    expect(text).not.toContain('partners?');
  });

  it("requires a manager's justification, shows it with the realm to the admins, and takes a comment on Approve", async () => {
    const [reply] = await bot.say(MANAGER, 'invite kim@fabrikam.com');
    const data = executeData(cardOf(reply), 'invite.submit');
    const without = await bot.click(MANAGER, 'invite.submit', { ...data, message: 'Hi Kim' });
    expect(invokeText(without)).toContain('Say why this partner needs a guest account');
    expect(inputValue(without.value, 'message')).toBe('Hi Kim');
    expect(await bot.bot.services.store.invitations.get(String(data?.id))).toMatchObject({ state: 'draft' });

    bot.connector.clear();
    const asked = await bot.click(MANAGER, 'invite.submit', { ...data, message: 'Hi Kim', justification: 'Kim reviews the contracts' });
    expect(invokeText(asked)).toContain('waiting for an admin');
    const calls = await bot.connector.waitForCalls(2);
    const approval = calls.find((c) => cardText(cardOf(c)).includes('Invitation request: kim@fabrikam.com'));
    const approvalText = cardText(cardOf(approval));
    expect(approvalText).toContain('Why: Kim reviews the contracts');
    expect(approvalText).toContain("Fabrikam's Microsoft Entra tenant");
    const id = executeData(cardOf(approval), 'invite.approve');

    bot.connector.clear();
    const approved = await bot.click(ADMIN, 'invite.approve', { ...id, comment: 'Only until the audit ends' });
    expect(invokeText(approved)).toContain('Comment from Adele Vance: Only until the audit ends');
    const audit = await bot.bot.services.store.audit.list({ target: 'kim@fabrikam.com', action: 'invite.approve' });
    expect(audit[0]?.detail).toMatchObject({ comment: 'Only until the audit ends' });
    await waitFor('the requester to be told the comment', () =>
      bot.connector.calls.find((c) => c.conversationId === `a:personal-${MANAGER.aadObjectId}` && cardText(cardOf(c)).includes('Only until the audit ends')),
    );
  });
});

describe('invite when the tenant list cannot be read (sandbox answers 403)', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ fixture: { ...contosoFixture(), invitationPolicyReadable: false } });
    bot = await startBotOn(sandbox);
    await bot.say(ADMIN, 'whoami');
  });
  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('shows the form with a warning that the tenant may still refuse, and Entra refuses at send', async () => {
    const [reply] = await bot.say(ADMIN, 'invite temp@mailinator.com');
    const card = cardOf(reply);
    const text = cardText(card);
    expect(text).toContain('The tenant may still refuse');
    expect(text).toContain('Policy.Read.B2BManagementPolicy');
    const refused = sandbox.stats().requests.filter((r) => /b2bManagementPolicies/i.test(r.path) && r.status === 403);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    const result = await bot.click(ADMIN, 'invite.submit', { ...executeData(card, 'invite.submit') });
    expect(invokeText(result)).toContain('Sending the invitation to temp@mailinator.com');
    await waitFor('the admin to hear of the refusal', () =>
      bot.connector.calls.find((c) => c.conversationId === `a:personal-${ADMIN.aadObjectId}` && cardText(cardOf(c)).includes('refused to invite temp@mailinator.com')),
    );
  });
});
