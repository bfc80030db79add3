import { loadConfig } from '../../bot/config';
import { displayNameFilter, emailFilter, whoisRequests } from '../../bot/graph/users';
import { domainName, parseRealmInput, parseUserRef, unwrapTeamsLinks } from '../../bot/services/userRef';

describe('whois input', () => {
  it.each([
    ['A0000000-0000-4000-8000-000000000001', { kind: 'objectId', value: 'a0000000-0000-4000-8000-000000000001' }],
    ['wmoran@partners.contoso.com', { kind: 'email', value: 'wmoran@partners.contoso.com' }],
    ['alice_fabrikam.com#EXT#@contoso.onmicrosoft.com', { kind: 'upn', value: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com' }],
    ['  Wendy    Moran ', { kind: 'displayName', value: 'Wendy Moran' }],
    ["O'Brien", { kind: 'displayName', value: "O'Brien" }],
    ['anna@BÜCHER.example', { kind: 'email', value: 'anna@xn--bcher-kva.example' }],
    ['<a href="mailto:bob@tailspintoys.com">bob@tailspintoys.com</a>', { kind: 'email', value: 'bob@tailspintoys.com' }],
  ])('reads %s', (input, expected) => {
    expect(parseUserRef(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'Tell me whose account'],
    ['x', 'at least two letters'],
    ['a@@b.com', 'not a valid email address'],
    ['a b@c.com', 'not an email address or UPN'],
    ['someone@localhost', 'not a valid email address'],
    ['evil\u202Egpj.exe', 'control or direction characters'],
    ['n'.repeat(257), 'at most 256 characters'],
  ])('refuses %j with a reason', (input, reason) => {
    const parsed = parseUserRef(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(reason);
  });
});

describe('realm input', () => {
  it('accepts an address or a domain, in Unicode or punycode', () => {
    expect(parseRealmInput('Alice@Fabrikam.com')).toMatchObject({ ok: true, value: { domain: { ascii: 'fabrikam.com' }, email: { address: 'Alice@fabrikam.com' } } });
    expect(parseRealmInput('xn--bcher-kva.example')).toMatchObject({ ok: true, value: { domain: { ascii: 'xn--bcher-kva.example', unicode: 'bücher.example' } } });
    expect(parseRealmInput('mailto:a@b.example')).toMatchObject({ ok: true });
  });

  it.each(['', 'fabrikam', 'a b.com', '-bad.example', 'a@', '@b.com', 'x'.repeat(64) + '.com'])('refuses %j', (input) => {
    expect(parseRealmInput(input).ok).toBe(false);
  });

  it('keeps Unicode and punycode forms of a domain', () => {
    expect(domainName('BÜCHER.example.')).toEqual({ ascii: 'xn--bcher-kva.example', unicode: 'bücher.example' });
    expect(domainName('exa mple.com')).toBeUndefined();
  });

  it('unwraps the links Teams makes of typed addresses', () => {
    expect(unwrapTeamsLinks('[a@b.com](mailto:a@b.com)')).toBe('a@b.com');
    expect(unwrapTeamsLinks('<a href="mailto:o&#39;brien@b.com">o&#39;brien@b.com</a>')).toBe("o'brien@b.com");
  });
});

describe('Graph requests for whois', () => {
  it("doubles quotes in OData literals, so O'Brien and injection attempts stay inside the literal", () => {
    expect(displayNameFilter("O'Brien")).toBe("startsWith(displayName,'O''Brien') or startsWith(givenName,'O''Brien') or startsWith(surname,'O''Brien')");
    expect(emailFilter("x' or 1 eq 1 or mail eq 'y@z.com")).toContain("mail eq 'x'' or 1 eq 1 or mail eq ''y@z.com'");
  });

  it('percent-encodes #EXT# UPNs in the path and every query value, selecting exactly the card fields', () => {
    const upn = whoisRequests({ kind: 'upn', value: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com' });
    expect(upn.user.startsWith('/users/alice_fabrikam.com%23EXT%23%40contoso.onmicrosoft.com?$select=id%2CdisplayName')).toBe(true);
    // Graph refuses signInActivity by UPN: it is read by object id once the user is known, not in this batch.
    expect(upn.signIn).toBeUndefined();
    expect(whoisRequests({ kind: 'objectId', value: 'e0000000-0000-4000-8000-000000000001' }).signIn).toBe(
      '/users/e0000000-0000-4000-8000-000000000001?$select=id%2CsignInActivity',
    );

    const name = whoisRequests({ kind: 'displayName', value: "R&D + O'Brien #1" });
    expect(name.user).not.toMatch(/[#+ ]/);
    expect(name.user.split('&')).toHaveLength(4);
    const filter = new URL(`https://graph.invalid${name.user}`).searchParams.get('$filter');
    expect(filter).toBe(displayNameFilter("R&D + O'Brien #1"));
    expect(new URL(`https://graph.invalid${name.user}`).searchParams.get('$top')).toBe('11');
  });
});

describe('partner marker settings', () => {
  const base = {
    TENANT_ID: '6e3c2d1a-9b8f-4a7e-b5c4-3d2e1f0a9b8c',
    ADMIN_GROUP_ID: '9a000000-0000-4000-8000-000000000001',
    MANAGER_GROUP_ID: '9a000000-0000-4000-8000-000000000002',
    GRAPH_BASE_URL: 'https://127.0.0.1:1',
    LOGIN_BASE_URL: 'https://127.0.0.1:1',
  };

  it('defaults to extensionAttribute1 = Partner, no UPN suffixes, a one-hour realm cache and an answer inside the 2 s turn budget', () => {
    const loaded = loadConfig(base, '/tmp');
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.config.partners).toEqual({ markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: [] });
    expect(loaded.config.turnBudgetMs).toBe(2000);
    expect(loaded.config.realm).toEqual({ cacheMs: 3_600_000, answerMs: 1500 });
  });

  it('keeps realm answerMs as set when the turn budget leaves room for it, and caps it when not', () => {
    const roomy = loadConfig({ ...base, TURN_BUDGET_MS: '3000', REALM_ANSWER_MS: '2000' }, '/tmp');
    const tight = loadConfig({ ...base, REALM_ANSWER_MS: '5000' }, '/tmp');
    expect(roomy.ok && roomy.config.realm.answerMs).toBe(2000);
    expect(tight.ok && tight.config.realm.answerMs).toBe(1500);
  });

  it('reads suffixes and the attribute, and reports every bad value at once', () => {
    const good = loadConfig({ ...base, PARTNER_MARKER_ATTRIBUTE: 'EXTENSIONATTRIBUTE7', PARTNER_MARKER_VALUE: 'Extern', PARTNER_UPN_SUFFIXES: '@Partners.Contoso.com, ext.bücher.example' }, '/tmp');
    if (!good.ok) throw new Error(good.problems.join('\n'));
    expect(good.config.partners).toEqual({ markerAttribute: 'extensionAttribute7', markerValue: 'Extern', upnSuffixes: ['partners.contoso.com', 'ext.bücher.example'] });
    const none = loadConfig({ ...base, PARTNER_MARKER_ATTRIBUTE: 'none' }, '/tmp');
    expect(none.ok && none.config.partners.markerAttribute).toBeUndefined();

    const bad = loadConfig({ ...base, PARTNER_MARKER_ATTRIBUTE: 'department', PARTNER_UPN_SUFFIXES: 'not a domain', REALM_ANSWER_MS: '0' }, '/tmp');
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems.join('\n')).toContain('PARTNER_MARKER_ATTRIBUTE');
      expect(bad.problems.join('\n')).toContain('PARTNER_UPN_SUFFIXES');
      expect(bad.problems.join('\n')).toContain('REALM_ANSWER_MS');
    }
  });
});
