import { checkPartnerAddress, describeDomain, domainMatches } from '../../bot/services/emailAddress';
import { odataString } from '../../bot/graph/odata';
import { GraphInvitations } from '../../bot/graph/graphInvitations';
import type { Client } from '@microsoft/microsoft-graph-client';

describe('partner address validation', () => {
  it.each([
    ['ana@fabrikam.com', 'ana@fabrikam.com'],
    ['  Ana.Silva@Fabrikam.COM ', 'Ana.Silva@fabrikam.com'],
    ["o'neil@fabrikam.com", "o'neil@fabrikam.com"],
    ['first_last-x@sub.fabrikam.co.uk', 'first_last-x@sub.fabrikam.co.uk'],
    ['mailto:ana@fabrikam.com', 'ana@fabrikam.com'],
  ])('accepts %s', (input, address) => {
    const checked = checkPartnerAddress(input);
    expect(checked).toMatchObject({ ok: true, value: { address } });
  });

  it.each([
    ['"ana smith"@fabrikam.com', /Quoted/],
    ['"ana@evil.com"@fabrikam.com', /Quoted/],
    ['ana\u0000@fabrikam.com', /control/],
    ['ana@fabrikam.com\r\nbcc: x@evil.com', /control/],
    ['an\u202Ea@fabrikam.com', /control/],
    ['ana\u200B@fabrikam.com', /control/],
    ['ana(comment)@fabrikam.com', /only use letters/],
    ['ana+tag@fabrikam.com', /only use letters/],
    ['ana@fabrikam.com@evil.com', /exactly one @/],
    ['@fabrikam.com', /exactly one @/],
    ['.ana@fabrikam.com', /start or end/],
    ['ana.@fabrikam.com', /start or end/],
    ['a..na@fabrikam.com', /two dots/],
    ['ana@localhost', /not a valid domain/],
    ['ana@-fabrikam.com', /not a valid domain/],
    ['ana@fabrikam.123', /not a valid domain/],
    ['', /empty/],
    [`${'a'.repeat(65)}@fabrikam.com`, /64/],
  ])('refuses %j', (input, problem) => {
    const checked = checkPartnerAddress(input);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toMatch(problem);
  });

  it('shows an international domain in Unicode and punycode, and sends punycode to Graph', () => {
    const checked = checkPartnerAddress('ana@bücher.example');
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value).toMatchObject({ address: 'ana@xn--bcher-kva.example', domain: 'bücher.example', asciiDomain: 'xn--bcher-kva.example', international: true });
    expect(describeDomain(checked.value)).toBe('bücher.example (xn--bcher-kva.example)');
  });

  it('makes a Cyrillic look-alike of a Latin domain visible', () => {
    const checked = checkPartnerAddress('ceo@fаbrikam.com'); // the first "а" is Cyrillic
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.international).toBe(true);
    expect(checked.value.asciiDomain).toMatch(/^xn--/);
    expect(describeDomain(checked.value)).toContain(checked.value.asciiDomain);
  });

  it('matches policy domains and their subdomains only', () => {
    expect(domainMatches('mail.mailinator.com', 'mailinator.com')).toBe(true);
    expect(domainMatches('mailinator.com', 'mailinator.com')).toBe(true);
    expect(domainMatches('notmailinator.com', 'mailinator.com')).toBe(false);
  });
});

describe('OData escaping with hostile input', () => {
  it.each([
    ["o'neil@fabrikam.com", "'o''neil@fabrikam.com'"],
    ["x' or 1 eq 1 or mail eq '", "'x'' or 1 eq 1 or mail eq '''"],
    ["''", "''''''"],
  ])('quotes %j as one literal', (input, literal) => {
    expect(odataString(input)).toBe(literal);
  });

  it('the pre-check look-up escapes quotes and percent-encodes #, + and & in the query', async () => {
    const paths: string[] = [];
    const fake = {
      api(path: string) {
        paths.push(path);
        return { get: async () => ({ value: [] }) };
      },
    } as unknown as Client;
    await new GraphInvitations(fake).findByEmail("o'neil&x+y@fabrikam.com");
    const path = paths[0] ?? '';
    const filter = decodeURIComponent(/\$filter=([^&]*)/.exec(path)?.[1] ?? '');
    expect(filter).toContain("mail eq 'o''neil&x+y@fabrikam.com'");
    expect(filter).toContain("startsWith(userPrincipalName,'o''neil&x+y_fabrikam.com#EXT#@')");
    expect(path).not.toMatch(/[#+]/);
    expect((path.split('?')[1] ?? '').split('&').map((p) => p.split('=')[0])).toEqual(['$filter', '$select', '$top']);
  });
});
