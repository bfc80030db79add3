import { domainRootOf, escapeDnValue, escapeFilterValue, splitDn } from '../../bot/onprem/ldapEscape';
import { samCandidates, shadowCn } from '../../bot/onprem/shadowAccounts';

describe('escapeFilterValue (RFC 4515)', () => {
  it.each([
    ['alice@fabrikam.com', 'alice@fabrikam.com'],
    ['*', '\\2a'],
    ['a*)(objectClass=*', 'a\\2a\\29\\28objectClass=\\2a'],
    ['back\\slash', 'back\\5cslash'],
    ['nul\0byte', 'nul\\00byte'],
    ['Zoë Krüger-Łukasiewicz 東京', 'Zoë Krüger-Łukasiewicz 東京'],
    ['x_fabrikam.com#EXT#@contoso.onmicrosoft.com', 'x_fabrikam.com#EXT#@contoso.onmicrosoft.com'],
    ['\\2a', '\\5c2a'],
  ])('%j → %j', (input, expected) => {
    expect(escapeFilterValue(input)).toBe(expected);
  });
});

describe('escapeDnValue (RFC 4514)', () => {
  it.each([
    ['Alice Smith', 'Alice Smith'],
    ['Smith, John', 'Smith\\, John'],
    ['a+b="c"<d>;e\\f', 'a\\+b\\=\\"c\\"<d>;e\\\\f'.replace('<d>', '\\<d\\>').replace(';', '\\;')],
    ['#hash', '\\#hash'],
    ['mid#hash', 'mid#hash'],
    [' lead and trail ', '\\ lead and trail\\ '],
    ['line\nbreak', 'line\\0Abreak'],
    ['Zoë 東京', 'Zoë 東京'],
  ])('%j → %j', (input, expected) => {
    expect(escapeDnValue(input)).toBe(expected);
  });

  it('refuses an empty value', () => {
    expect(() => escapeDnValue('')).toThrow('empty');
  });

  it('keeps a DN with escaped commas splittable into the right RDNs', () => {
    const dn = `CN=${escapeDnValue('Smith, John \\ #1')},OU=B2BGuests,DC=corp,DC=contoso,DC=test`;
    expect(splitDn(dn)).toEqual(['CN=Smith\\, John \\\\ #1', 'OU=B2BGuests', 'DC=corp', 'DC=contoso', 'DC=test']);
    expect(domainRootOf(dn)).toBe('DC=corp,DC=contoso,DC=test');
    expect(domainRootOf('OU=x')).toBeUndefined();
  });
});

describe('shadow account names', () => {
  const id = 'e0000000-0000-4000-8000-0000000000a1';
  it.each([
    ['alice_fabrikam.com#EXT#@contoso.onmicrosoft.com', ['alice_fabrikam.com', 'alice_fabri-e0000000', 'b2b-e000000000004000']],
    ['a-very-long-name_northwindtraders.com#EXT#@contoso.onmicrosoft.com', ['a-very-long-name_nor', 'a-very-long-e0000000', 'b2b-e000000000004000']],
    ['zoë.krüger_wingtip.com#EXT#@contoso.onmicrosoft.com', ['zoe.kruger_wingtip.c', 'zoe.kruger_-e0000000', 'b2b-e000000000004000']],
    ['a"b[c]d:e;f|g=h,i+j*k?l<m>n_x.com#EXT#@c.test', ['a-b-c-d-e-f-g-h-i-j-', 'a-b-c-d-e-f-e0000000', 'b2b-e000000000004000'].map((s) => s.replace(/-+$/, ''))],
    ['東京_x.jp#EXT#@c.test', ['_x.jp', '_x.jp-e0000000', 'b2b-e000000000004000']],
    ['...#EXT#@c.test', ['b2b-e000000000004000']],
  ])('%s', (upn, expected) => {
    const got = samCandidates({ objectId: id, userPrincipalName: upn });
    expect(got).toEqual(expected);
    for (const s of got) {
      expect(s.length).toBeLessThanOrEqual(20);
      expect(s).not.toMatch(/["/\\[\]:;|=,+*?<>@\s]/);
      expect(s).not.toMatch(/\.$/);
    }
  });

  it('keeps the CN within 64 characters and unique per guest', () => {
    const cn = shadowCn({ objectId: id, displayName: 'x'.repeat(200) });
    expect(cn).toHaveLength(64);
    expect(cn.endsWith(' (e0000000)')).toBe(true);
    expect(shadowCn({ objectId: id, displayName: 'bad\u202Ename\nnext' })).toBe('bad name next (e0000000)');
    expect(shadowCn({ objectId: id, displayName: '  ' })).toBe('Guest (e0000000)');
  });
});
