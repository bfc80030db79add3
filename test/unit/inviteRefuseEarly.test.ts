import { judgeDomain, policyFromResponse, type TenantInvitationPolicy } from '../../bot/graph/b2bPolicy';
import { tokenize } from '../../bot/routing/tokenizer';
import { splitAddressList } from '../../bot/services/emailAddress';

function listOf(...definitions: unknown[]) {
  return { value: [{ id: 'p', definition: definitions.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))) }] };
}

describe("the tenant's invitation allow/deny list", () => {
  it.each([
    ['a block list', listOf({ B2BManagementPolicy: { InvitationsAllowedAndBlockedDomainsPolicy: { BlockedDomains: ['Mailinator.com'] } } }), { kind: 'block', domains: ['mailinator.com'] }],
    ['an allow list', listOf({ B2BManagementPolicy: { InvitationsAllowedAndBlockedDomainsPolicy: { AllowedDomains: ['fabrikam.com'] }, AutoRedeemPolicy: { AdminConsentedForUsersIntoTenantIds: [] } } }), { kind: 'allow', domains: ['fabrikam.com'] }],
    ['no domain policy in the definition', listOf({ B2BManagementPolicy: { AutoRedeemPolicy: {} } }), { kind: 'none' }],
    ['no policy at all', { value: [] }, { kind: 'none' }],
    ['a definition that is not JSON', listOf('{not json'), { kind: 'unknown' }],
    ['domains that are not strings', listOf({ B2BManagementPolicy: { InvitationsAllowedAndBlockedDomainsPolicy: { BlockedDomains: [42] } } }), { kind: 'unknown' }],
    ['an unexpected shape', { policies: [] }, { kind: 'unknown' }],
  ])('reads %s defensively', (_name, response, expected) => {
    expect(policyFromResponse(response)).toMatchObject(expected);
  });

  it('is certain only of exact domains, and says so for a subdomain (the docs do not settle subdomains)', () => {
    const block: TenantInvitationPolicy = { kind: 'block', domains: ['mailinator.com'] };
    expect(judgeDomain(block, 'mailinator.com')).toEqual({ kind: 'refused', listed: 'mailinator.com' });
    expect(judgeDomain(block, 'eu.mailinator.com')).toMatchObject({ kind: 'uncertain' });
    expect(judgeDomain(block, 'fabrikam.com')).toEqual({ kind: 'allowed' });
    const allow: TenantInvitationPolicy = { kind: 'allow', domains: ['fabrikam.com'] };
    expect(judgeDomain(allow, 'fabrikam.com')).toEqual({ kind: 'allowed' });
    expect(judgeDomain(allow, 'eu.fabrikam.com')).toMatchObject({ kind: 'uncertain' });
    expect(judgeDomain(allow, 'northwind.example')).toMatchObject({ kind: 'refused' });
    expect(judgeDomain({ kind: 'unknown', reason: 'no permission' }, 'fabrikam.com')).toMatchObject({ kind: 'uncertain', why: expect.stringContaining('no permission') });
  });
});

describe('a quoted local part stays one address', () => {
  it('is one token in the tokenizer, quotes kept, while a quoted phrase still loses its quotes', () => {
    expect(tokenize('invite "a b"@fabrikam.com').args).toEqual(['"a b"@fabrikam.com']);
    expect(tokenize('invite ana@fabrikam.com as "Ana Ruiz"').args).toEqual(['ana@fabrikam.com', 'as', 'Ana Ruiz']);
  });

  it('is one entry in an address list', () => {
    expect(splitAddressList('"a b"@fabrikam.com')).toEqual(['"a b"@fabrikam.com']);
    expect(splitAddressList('x@fabrikam.com, "a b"@fabrikam.com; y@fabrikam.com')).toEqual(['x@fabrikam.com', '"a b"@fabrikam.com', 'y@fabrikam.com']);
  });
});
