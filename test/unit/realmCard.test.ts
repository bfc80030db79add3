import type { DirectoryUser } from '../../bot/graph/users';
import { LookupService } from '../../bot/services/lookup';
import { realm } from '../../cards/realm';
import { InMemoryRealmLookup, InMemoryUserDirectory } from '../helpers/testServices';

const RULES = { markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: ['partners.contoso.com'] };

/** Every TextBlock text in the card, in order. */
function texts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(texts);
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  const own = record.type === 'TextBlock' && typeof record.text === 'string' ? [record.text] : [];
  return [...own, ...Object.values(record).flatMap(texts)];
}

describe('the realm card home-realm fix', () => {
  it('renders its steps as a numbered list, while the names in them stay escaped', async () => {
    const holder = {
      id: 'd0000000-0000-4000-8000-000000000001',
      displayName: 'Wendy *Bold* Moran',
      userPrincipalName: 'wmoran@partners.contoso.com',
      mail: 'wmoran@fabrikam.com',
      onPremisesSyncEnabled: true,
      userType: 'Guest',
      identities: [],
      onPremisesExtensionAttributes: {},
      sponsors: [],
    } as unknown as DirectoryUser;
    const lookup = new LookupService(
      new InMemoryUserDirectory([holder]),
      new InMemoryRealmLookup({
        'fabrikam.com': { kind: 'managedTenant', organizationName: 'Fabrikam', sentence: 'Fabrikam', missing: [] },
        'partners.contoso.com': { kind: 'ownFederated', sentence: 'ours', missing: [] },
      }),
      RULES,
    );
    const lines = texts(realm(await lookup.checkRealm('wmoran@fabrikam.com')));
    const steps = lines.filter((line) => /^\\?\d+\./.test(line));
    expect(steps).toHaveLength(4);
    steps.forEach((step, index) => expect(step.startsWith(`${index + 1}. `)).toBe(true));
    expect(steps[0]).toContain('Wendy \\*Bold\\* Moran');
    expect(steps[3]).toContain('\\<our tenant id\\>');
  });
});
