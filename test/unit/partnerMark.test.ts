import { planMark, mark, type MarkPorts, type MarkTarget } from '../../bot/services/hybrid/mark';
import type { Caller } from '../../bot/identity/caller';

const RULES = { markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: ['partners.contoso.com'] };
const ADMIN: Caller = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', tenantId: 't', teamsUserId: '29:a', name: 'Adele Vance', roles: ['admin'] };

function ports(account: MarkTarget | undefined, writes: { dn: string; before?: string; after?: string }[], answer: 'written' | 'changed' = 'written'): MarkPorts & { audits: unknown[] } {
  const audits: unknown[] = [];
  return {
    accounts: {
      findByText: async (text) => {
        if (text.length > 20 && !text.includes('@')) throw new Error(`"${text}" is longer than the 20 characters AD allows for a sAMAccountName.`);
        return account ? { kind: 'found', account } : { kind: 'notFound' };
      },
    },
    writer: {
      attribute: 'extensionAttribute1',
      write: async (dn, before, after) => {
        writes.push({ dn, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
        return answer;
      },
    },
    rules: RULES,
    store: { audit: { append: async (entry: unknown) => { audits.push(entry); return { id: audits.length, at: new Date(), actor: '', action: '', target: '', outcome: '' }; } } as never },
    audits,
  };
}

const CARLOS: MarkTarget = { dn: 'CN=Carlos\\, Jr. \\+ Co,OU=Partners,DC=corp,DC=contoso,DC=test', sAMAccountName: 'cjr', userPrincipalName: 'cjr@corp.contoso.test' };

describe('mark: what it will write and what the next sync does', () => {
  it('shows the value before and after and the sync caveats, writing nothing', async () => {
    const writes: { dn: string }[] = [];
    const plan = await planMark(ports(CARLOS, writes), 'cjr', 'partner');
    expect(plan).toMatchObject({ kind: 'ready', attribute: 'extensionAttribute1', after: 'Partner' });
    if (plan.kind !== 'ready') throw new Error('not ready');
    expect(plan.before).toBeUndefined();
    expect(plan.nextSync).toContain('makes cjr@corp.contoso.test a Guest');
    expect(plan.caveats.join(' ')).toContain('IIF([extensionAttribute1]="Partner","Guest","Member")');
    expect(plan.caveats.join(' ')).toContain('1.5.30.0');
    expect(writes).toEqual([]);
  });

  it('writes exactly the attribute shown, with the shown value as precondition, and audits it', async () => {
    const writes: { dn: string; before?: string; after?: string }[] = [];
    const p = ports({ ...CARLOS, markerValue: 'Contractor' }, writes);
    const outcome = await mark(p, ADMIN, 'cjr', 'partner');
    expect(outcome).toMatchObject({ kind: 'written', before: 'Contractor', after: 'Partner' });
    expect(writes).toEqual([{ dn: CARLOS.dn, before: 'Contractor', after: 'Partner' }]);
    expect(p.audits).toEqual([expect.objectContaining({ action: 'partner.mark', target: CARLOS.dn, outcome: 'success' })]);
  });

  it('says so, and audits a refusal, when the value changed since it was read', async () => {
    const writes: { dn: string }[] = [];
    const p = ports({ ...CARLOS, markerValue: 'Partner', partner: { attribute: 'extensionAttribute1', value: 'Partner' } }, writes, 'changed');
    expect(await mark(p, ADMIN, 'cjr', 'employee')).toMatchObject({ kind: 'changedMeanwhile', shown: 'Partner' });
    expect(p.audits).toEqual([expect.objectContaining({ outcome: 'refused' })]);
  });

  it('refuses to make an employee of an account its UPN suffix keeps a partner, and does not write', async () => {
    const writes: { dn: string }[] = [];
    const wendy: MarkTarget = { dn: 'CN=Wendy Moran,OU=Partners,DC=corp,DC=contoso,DC=test', sAMAccountName: 'wmoran', userPrincipalName: 'wmoran@partners.contoso.com', markerValue: 'Partner', partner: { attribute: 'extensionAttribute1', value: 'Partner' } };
    const plan = await planMark(ports(wendy, writes), 'wmoran', 'employee');
    expect(plan).toMatchObject({ kind: 'refused' });
    expect(plan.kind === 'refused' && plan.reason).toContain('would still be a partner by its UPN suffix @partners.contoso.com');
    const bySuffix = await planMark(ports({ ...wendy, markerValue: undefined, partner: { upnSuffix: 'partners.contoso.com' } }, writes), 'wmoran', 'employee');
    expect(bySuffix.kind === 'refused' && bySuffix.reason).toContain('is a partner by its UPN suffix @partners.contoso.com, not by extensionAttribute1');
    expect(writes).toEqual([]);
  });

  it('answers plainly when there is nothing to change, nothing found, bad input, or no marker configured', async () => {
    const writes: { dn: string }[] = [];
    expect(await planMark(ports({ ...CARLOS, markerValue: 'partner' }, writes), 'cjr', 'partner')).toMatchObject({ kind: 'unchanged' });
    expect(await planMark(ports(CARLOS, writes), 'cjr', 'employee')).toMatchObject({ kind: 'unchanged' });
    expect(await planMark(ports(undefined, writes), 'nobody', 'partner')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('No on-prem account matches "nobody"') });
    expect(await planMark(ports(CARLOS, writes), 'abcdefghijklmnopqrstu', 'partner')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('20 characters') });
    const none = { ...ports(CARLOS, writes), rules: { ...RULES, markerAttribute: undefined } };
    expect(await planMark(none, 'cjr', 'partner')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('PARTNER_MARKER_ATTRIBUTE is none') });
    expect(writes).toEqual([]);
  });
});
