import type { Client } from 'ldapts';
import { dnsDomainOf } from '../../../bot/services/partners/partnerStates';
import { KIM_CHEN_INVITED_ID, PARTNER_SEED, partnerOu, seedPartnerAccounts, withSyncedPartners } from '../../../sandbox/partnerSeed';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeData, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { contosoFixture, startTestSandbox } from '../../helpers/sandbox';
import { describeWithService } from '../../helpers/services';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const EMPLOYEE: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };

describeWithService('Samba AD DC', sambaMissingReason(), 'partners: on-prem AD and Entra together, against a real Samba DC and the sandbox', () => {
  let dc: RunningDc;
  let ldap: Client;
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    dc = await startSambaDc({ lockTimeoutMs: 240_000 });
    ldap = await dc.connect();
    const ids = await seedPartnerAccounts(ldap, dc.baseDn);
    sandbox = await startTestSandbox({ fixture: withSyncedPartners(contosoFixture(), ids, dnsDomainOf(dc.baseDn)) });
    bot = await startBotOn(sandbox, {
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: dc.bindDn,
      ONPREM_BIND_PASSWORD: dc.bindPassword,
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
      ONPREM_PARTNER_SEARCH_BASE: partnerOu(dc.baseDn),
      PARTNER_UPN_SUFFIXES: 'partners.contoso.com',
    });
  }, 300_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    await ldap?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  async function reply(user: TestUser, text: string): Promise<Record<string, unknown>> {
    const calls = await bot.say(user, text);
    const card = cardOf(calls.at(-1));
    if (!card) throw new Error(`no card in reply to ${text}`);
    return card;
  }

  it('shows every state on first try: counts first, then the accounts needing action with their sentences and keys', async () => {
    const card = await reply(ADMIN, 'partners');
    const text = cardText(card);
    expect(text).toContain('5 of 7 partner accounts need action');
    const facts = JSON.stringify(card);
    for (const [title, n] of [
      ['Security gap: a partner synced as Member', 1],
      ['Disabled or expired in AD, enabled in Entra', 1],
      ['Two identities for one person', 1],
      ['A Guest in Entra the partner rule does not mark', 1],
      ['A partner in AD, not in Entra yet', 1],
      ['Consistent: a partner in AD, a Guest in Entra', 2],
    ] as const) {
      expect(facts).toContain(`{"title":"${title}","value":"${n}"}`);
    }
    expect(text).toMatch(/Entra Connect synced it as Member\. The sync rule should set UserType = IIF\(\\\[extensionAttribute1\\\] = "Partner", "Guest", "Member"\)/);
    expect(text).toContain("this partner has a member's access");
    expect(text).toMatch(/tbaker@partners\.contoso\.com is disabled in AD but still enabled in Entra/);
    expect(text).toMatch(/Signing in as kim\.chen@wingtiptoys\.com uses the invited guest/);
    expect(text).toMatch(/the synced account holds Contoso Timesheets \(IWA\) \(Timesheet User\); the invited guest holds Contoso Expenses \(SAML\) \(User\)/);
    expect(text).toMatch(/mgarcia is not marked as a partner/);
    expect(text).toMatch(/jnovak@partners\.contoso\.com.*no Entra user matches/s);
    expect(text).toContain('Joined by userPrincipalName = onPremisesUserPrincipalName');
    expect(text).toContain('Joined by sAMAccountName + domain = onPremisesSamAccountName + onPremisesDomainName');
    expect(text).toContain('Joined by objectSid = onPremisesSecurityIdentifier');
  });

  it('partners <account> shows both sides attribute by attribute and the key that matched', async () => {
    const text = cardText(await reply(MANAGER, 'partners wmoran'));
    expect(text).toContain('Consistent: a partner in AD, a Guest in Entra');
    expect(text).toContain('Joined by objectSid = onPremisesSecurityIdentifier.');
    expect(text).toMatch(/CN=Moran\\\\?, Wendy,OU=Partners/);
    expect(text).toMatch(/S-1-5-21-[\d-]+/);
    const byMail = cardText(await reply(MANAGER, 'sync raj.patel@northwindtraders.com'));
    expect(byMail).toContain('Joined by ms-DS-ConsistencyGuid / objectGUID = onPremisesImmutableId.');
  });

  it('offers keep-one buttons on two identities, with both object ids', async () => {
    const card = await reply(ADMIN, 'partners kchen');
    expect(cardText(card)).toContain('Two identities for one person');
    const data = executeData(card, 'partner.keepIdentity');
    expect(data).toEqual({ keepObjectId: 'd0000000-0000-4000-8000-000000000005', otherObjectId: KIM_CHEN_INVITED_ID });
  });

  it('gives a clear answer for an unknown account, a too-long sAMAccountName and a filter injection', async () => {
    expect(cardText(await reply(ADMIN, 'partners nobody'))).toContain('No AD account matches "nobody"');
    expect(cardText(await reply(ADMIN, 'partners abcdefghij0123456789x'))).toContain('longer than the 20 characters');
    expect(cardText(await reply(ADMIN, 'partners *)(sAMAccountName=*'))).toContain('cannot be a sAMAccountName');
    expect(cardText(await reply(ADMIN, 'partners *@partners.contoso.com'))).toContain('No AD account matches');
  });

  it('is for partner managers and admins only', async () => {
    const text = cardText(await reply(EMPLOYEE, 'partners'));
    expect(text).not.toContain('partner accounts need action');
  });

  it('exports the whole list as CSV through a signed link that cannot be tampered with or reused for bulk results', async () => {
    const card = await reply(ADMIN, 'partners');
    const open = JSON.stringify(card).match(/"url":"(http[^"]+\/partners\/[^"]+)"/);
    expect(open).not.toBeNull();
    const url = open?.[1] ?? '';
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const csv = await res.text();
    expect(csv.split('\r\n').filter((l) => l.length > 0)).toHaveLength(1 + PARTNER_SEED.length);
    expect(csv).toContain('wmoran');
    const tampered = await fetch(url.replace(/sig=[^&]+/, 'sig=AAAA'));
    expect(tampered.status).toBe(403);
    const asBulk = await fetch(url.replace('/partners/', '/bulk/'));
    expect(asBulk.status).toBe(403);
  });

  it('says which base is missing when ONPREM_PARTNER_SEARCH_BASE does not exist', async () => {
    const other = await startBotOn(sandbox, {
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: dc.bindDn,
      ONPREM_BIND_PASSWORD: dc.bindPassword,
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
      ONPREM_PARTNER_SEARCH_BASE: `OU=Nowhere,${dc.baseDn}`,
    });
    try {
      const calls = await other.say(ADMIN, 'partners');
      const text = cardText(cardOf(calls.at(-1)));
      expect(text).toContain(`OU=Nowhere,${dc.baseDn} does not exist`);
      expect(text).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      await other.close();
    }
  });
});
