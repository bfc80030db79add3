import { Attribute, Change, type Client } from 'ldapts';
import { escapeDnValue, escapeFilterValue } from '../../../bot/onprem/ldapEscape';
import { PartnerMarkerWriter } from '../../../bot/onprem/partnerMarker';
import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, executeData, startBotOn, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { startTestSandbox } from '../../helpers/sandbox';
import { describeWithService } from '../../helpers/services';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describeWithService('Samba AD DC', sambaMissingReason(), 'mark against a real Samba AD DC over LDAPS, through the bot', () => {
  let dc: RunningDc;
  let ldap: Client;
  let sandbox: RunningSandbox;
  let bot: TestBot;
  const ou = (): string => `OU=MarkTest,${dc.baseDn}`;

  async function seed(cn: string, sam: string, upn: string, marker?: string): Promise<string> {
    const dn = `CN=${escapeDnValue(cn)},${ou()}`;
    const values: Record<string, string[]> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      cn: [cn],
      sAMAccountName: [sam],
      userPrincipalName: [upn],
      displayName: [cn],
      userAccountControl: ['514'],
    };
    if (marker) values.extensionAttribute1 = [marker];
    await ldap.add(dn, Object.entries(values).map(([type, v]) => new Attribute({ type, values: v })));
    return dn;
  }

  async function markerOf(sam: string): Promise<string | undefined> {
    const { searchEntries } = await ldap.search(dc.baseDn, { filter: `(sAMAccountName=${escapeFilterValue(sam)})`, attributes: ['extensionAttribute1'] });
    const value = searchEntries[0]?.extensionAttribute1;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === '' ? undefined : String(first);
  }

  async function ask(user: TestUser, text: string): Promise<{ text: string; card: Record<string, unknown> }> {
    const [reply] = await bot.say(user, text);
    const card = cardOf(reply);
    if (!card) throw new Error(`no card in the reply to "${text}"`);
    expect(validateAdaptiveCard(card)).toEqual([]);
    return { text: cardText(card), card };
  }

  beforeAll(async () => {
    dc = await startSambaDc({ lockTimeoutMs: 240_000 });
    ldap = await dc.connect();
    await ldap.add(ou(), [new Attribute({ type: 'objectClass', values: ['top', 'organizationalUnit'] }), new Attribute({ type: 'ou', values: ['MarkTest'] })]);
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, {
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: dc.bindDn,
      ONPREM_BIND_PASSWORD: dc.bindPassword,
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
      PARTNER_MARKER_ATTRIBUTE: 'extensionAttribute1',
      PARTNER_MARKER_VALUE: 'Partner',
      PARTNER_UPN_SUFFIXES: 'partners.contoso.test',
    });
    for (const user of [ADMIN, MANAGER]) await bot.say(user, 'whoami');
  }, 300_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    await ldap?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  it('asks first, showing the DN-special account, the value before and after and the sync caveats, then writes only that attribute', async () => {
    const cn = ' Núñez, Ana + "Co" #1 \\ ';
    const dn = await seed(cn, 'anunez', 'anunez@corp.contoso.test');
    const asked = await ask(ADMIN, 'mark anunez as partner');
    expect(asked.text).toContain('Mark  Núñez, Ana + "Co" #1 \\\\  as a partner?'.replace('\\\\', '\\\\'));
    expect(asked.text).toContain('extensionAttribute1 now');
    expect(asked.text).toContain('(empty)');
    expect(asked.text).toContain('extensionAttribute1 after');
    expect(asked.text).toContain('makes anunez@corp.contoso.test a Guest in Entra');
    expect(asked.text).toContain('1.5.30.0');
    expect(await markerOf('anunez')).toBeUndefined();

    const confirm = executeData(asked.card, 'confirm.accept');
    expect(invokeText(await bot.click(MANAGER, 'confirm.accept', { ...confirm }))).toContain('Only the person who was asked');
    const done = invokeText(await bot.click(ADMIN, 'confirm.accept', { ...confirm }));
    expect(done).toContain('anunez: extensionAttribute1 is now "Partner" (was empty).');
    expect(await markerOf('anunez')).toBe('Partner');
    const audit = await bot.bot.services.store.audit.list({ action: 'partner.mark' });
    expect(audit.map((a) => [a.outcome, a.detail?.after])).toEqual([['success', 'Partner']]);
    // The DN as the directory gave it (Samba also escapes a # that is not leading; the two spell the same RDN).
    expect(audit[0]?.target.toLowerCase().replace(/\\#/g, '#')).toBe(dn.toLowerCase());

    // Back to employee: the marker is cleared, nothing else on the account changes.
    const back = await ask(ADMIN, 'mark anunez@corp.contoso.test as employee');
    expect(back.text).toContain('makes anunez@corp.contoso.test a Member in Entra');
    expect(invokeText(await bot.click(ADMIN, 'confirm.accept', { ...executeData(back.card, 'confirm.accept') }))).toContain('is now empty (was "Partner")');
    expect(await markerOf('anunez')).toBeUndefined();
  });

  it('writes nothing when the value changed after the card was shown, says what changed, and asks again', async () => {
    await seed('Bo Lindqvist', 'blindqvist', 'blindqvist@corp.contoso.test', 'Contractor');
    const asked = await ask(ADMIN, 'mark blindqvist as partner');
    expect(asked.text).toContain('Contractor');
    // Someone else changes it between the card and the click: Confirm describes the step again, sees the card no longer
    // holds, and writes nothing; the admin confirmed replacing "Contractor", not "Vendor".
    const { searchEntries } = await ldap.search(ou(), { filter: '(sAMAccountName=blindqvist)', attributes: ['distinguishedName'] });
    const dn = searchEntries[0]?.dn ?? '';
    const setMarker = (value: string) => ldap.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'extensionAttribute1', values: [value] }) }));
    await setMarker('Vendor');
    const stale = await bot.click(ADMIN, 'confirm.accept', { ...executeData(asked.card, 'confirm.accept') });
    expect(invokeText(stale)).toContain('extensionAttribute1 now is now "Vendor" (the card said "Contractor")');
    expect(await markerOf('blindqvist')).toBe('Vendor');
    // The old card is spent; the fresh one shows "Vendor" and writes.
    expect(invokeText(await bot.click(ADMIN, 'confirm.accept', { ...executeData(asked.card, 'confirm.accept') }))).not.toContain('is now "Partner"');
    expect(await markerOf('blindqvist')).toBe('Vendor');
    const fresh = typeof stale.value === 'string' ? undefined : stale.value;
    expect(invokeText(await bot.click(ADMIN, 'confirm.accept', { ...executeData(fresh, 'confirm.accept') }))).toContain('is now "Partner" (was "Vendor")');
    expect(await markerOf('blindqvist')).toBe('Partner');

    // Changed to what the step would write: nothing is left to do, and it says so.
    await setMarker('Contractor');
    const again = await ask(ADMIN, 'mark blindqvist as partner');
    await setMarker('Partner');
    expect(invokeText(await bot.click(ADMIN, 'confirm.accept', { ...executeData(again.card, 'confirm.accept') }))).toContain('This changed since you were asked');
    expect(await markerOf('blindqvist')).toBe('Partner');
  });

  it('refuses what cannot be done, with a reason, and changes nothing', async () => {
    await seed('Wendy Moran', 'wmoran', 'wmoran@partners.contoso.test', 'Partner');
    const suffix = await ask(ADMIN, 'mark wmoran as employee');
    expect(suffix.text).toContain('would still be a partner by its UPN suffix @partners.contoso.test');
    expect(await markerOf('wmoran')).toBe('Partner');

    expect((await ask(ADMIN, 'mark abcdefghijklmnopqrstu as partner')).text).toContain('20 characters');
    const twenty = await seed('Twenty Chars Exactly', 'abcdefghijklmnopqrst', 'twenty@corp.contoso.test');
    expect(twenty).toContain('Twenty');
    expect((await ask(ADMIN, 'mark abcdefghijklmnopqrst as partner')).text).toContain('Mark Twenty Chars Exactly as a partner?');
    expect((await ask(ADMIN, 'mark no*body)(x=1 as partner')).text).toMatch(/cannot be a sAMAccountName|No on-prem account matches/);
    expect((await ask(ADMIN, 'mark *)(objectClass=* as partner')).text).toMatch(/cannot be a sAMAccountName|No on-prem account matches/);
    expect((await ask(ADMIN, 'mark nobody@corp.contoso.test as partner')).text).toContain('No on-prem account matches "nobody@corp.contoso.test"');
    expect((await ask(ADMIN, 'mark wmoran partner')).text).toContain('Name one account, then "as partner" or "as employee".');
    expect((await ask(MANAGER, 'mark wmoran as partner')).text).toContain('mark is for admins');
    const audit = await bot.bot.services.store.audit.list({ action: 'partner.mark' });
    expect(audit.filter((a) => a.outcome === 'success').every((a) => !String(a.target).includes('Wendy'))).toBe(true);
  });

  it('says what the service account lacks when AD refuses the write, and leaves the value as it was', async () => {
    await seed('Ünal Çelik', 'ucelik', 'ucelik@corp.contoso.test');
    const restricted = 'CN=Readonly Bot,CN=Users,' + dc.baseDn;
    await ldap.add(restricted, [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
      new Attribute({ type: 'sAMAccountName', values: ['readonlybot'] }),
      new Attribute({ type: 'userAccountControl', values: ['512'] }),
      new Attribute({ type: 'unicodePwd', values: [Buffer.from('"R3ad-Only-Pass!1"', 'utf16le')] }),
    ]);
    const other = await startBotOn(sandbox, {
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: restricted,
      ONPREM_BIND_PASSWORD: 'R3ad-Only-Pass!1',
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
    });
    try {
      await other.say(ADMIN, 'whoami');
      const [reply] = await other.say(ADMIN, 'mark ucelik as partner');
      const card = cardOf(reply);
      const done = invokeText(await other.click(ADMIN, 'confirm.accept', { ...executeData(card, 'confirm.accept') }));
      expect(done).toContain('the service account may not write it');
      expect(done).toContain('It needs Write on that one attribute');
      expect(await markerOf('ucelik')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('the writer never overwrites a value other than the one shown, and never leaves half a change', async () => {
    const dn = await seed('Chen Wei', 'cwei', 'cwei@corp.contoso.test', 'Partner');
    const writer = new PartnerMarkerWriter(
      { url: dc.url, bindDn: dc.bindDn, bindPassword: dc.bindPassword, guestOu: dc.guestOu, caFile: dc.caFile, tlsServername: dc.tlsServername, tlsInsecure: false, linkAttribute: 'msDS-cloudExtensionAttribute1', timeoutMs: 5000 },
      'extensionAttribute1',
    );
    // Shown "Contractor", but AD holds "Partner": the delete half fails, so the add half is not applied either.
    expect(await writer.write(dn, 'Contractor', 'Employee')).toBe('changed');
    expect(await markerOf('cwei')).toBe('Partner');
    // Shown empty, but a value is there: the add to a single-valued attribute is refused.
    expect(await writer.write(dn, undefined, 'Other')).toBe('changed');
    expect(await markerOf('cwei')).toBe('Partner');
    expect(await writer.write(dn, 'Partner', undefined)).toBe('written');
    expect(await markerOf('cwei')).toBeUndefined();
  });
});
