import { Attribute, Change, type Client } from 'ldapts';
import { escapeFilterValue } from '../../../bot/onprem/ldapEscape';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeActions, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { startTestSandbox } from '../../helpers/sandbox';
import { describeWithService } from '../../helpers/services';

const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const ALICE = { objectId: 'e0000000-0000-4000-8000-000000000001', userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com', displayName: 'Alice Smith (Fabrikam)', mail: 'alice@fabrikam.com' };
const LINK = 'msDS-cloudExtensionAttribute1';
const SHADOW_ROW = 'Kerberos: shadow account in on-prem AD';

describeWithService('Samba AD DC', sambaMissingReason(), "doctor's Kerberos checks against a real Samba AD DC", () => {
  let dc: RunningDc;
  let ldap: Client;
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    dc = await startSambaDc({ lockTimeoutMs: 240_000 });
    ldap = await dc.connect();
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, {
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: dc.bindDn,
      ONPREM_BIND_PASSWORD: dc.bindPassword,
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
    });
    await bot.say(MANAGER, 'whoami');
  }, 300_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    await ldap?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  async function shadowRow(): Promise<{ verdict: string; text: string; card: Record<string, unknown> }> {
    const [reply] = await bot.say(MANAGER, 'doctor alice@fabrikam.com Contoso Timesheets (IWA)');
    const card = cardOf(reply) ?? {};
    const text = cardText(card);
    const verdict = new RegExp(`(Fine|Blocks access|Check this|Not applicable): ${SHADOW_ROW}`).exec(text)?.[1] ?? 'absent';
    return { verdict, text, card };
  }

  async function dnOfAlice(): Promise<string> {
    const { searchEntries } = await ldap.search(dc.baseDn, { filter: `(${LINK}=${escapeFilterValue(ALICE.objectId)})`, attributes: ['dn'] });
    const dn = searchEntries[0]?.dn;
    if (!dn) throw new Error('no shadow account for Alice');
    return dn;
  }

  it('is red with Request access while the guest has no shadow account, green once the grant path made it, red again when disabled or its UPN drifts', async () => {
    const missing = await shadowRow();
    expect(missing.verdict).toBe('Blocks access');
    expect(missing.text).toContain('No on-prem AD account is linked to Alice Smith (Fabrikam)');
    expect(executeActions(missing.card).some((b) => b.verb === 'access.request')).toBe(true);

    const shadowAccounts = bot.bot.services.appAccess.shadowAccounts;
    if (!shadowAccounts) throw new Error('the bot has no on-prem directory');
    await shadowAccounts.ensure(ALICE);
    const made = await shadowRow();
    expect(made.verdict).toBe('Fine');
    expect(made.text).toContain('enabled, not locked');

    await shadowAccounts.disable(ALICE.objectId);
    const disabled = await shadowRow();
    expect(disabled.verdict).toBe('Blocks access');
    expect(disabled.text).toContain('it is disabled');

    await shadowAccounts.ensure(ALICE);
    await ldap.modify(await dnOfAlice(), new Change({ operation: 'replace', modification: new Attribute({ type: 'userPrincipalName', values: ['alice@corp.contoso.com'] }) }));
    const drifted = await shadowRow();
    expect(drifted.verdict).toBe('Blocks access');
    expect(drifted.text).toContain("is not the guest's UPN");
    expect(drifted.text).toContain('An AD admin fixes the account');
  });
});
