import type { ProxyApp } from '../../bot/graph/appProxy';
import { matchApp, normalizeAppName } from '../../bot/services/appMatch';

const app = (n: number, displayName: string): ProxyApp => ({
  servicePrincipalId: `f3000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  appId: `f2000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  displayName,
  ssoKind: 'saml',
  roles: [],
});

const APPS = [app(1, 'Contoso Expenses (SAML)'), app(2, 'Contoso Timesheets (IWA)'), app(3, 'Contoso Wiki (header-based)'), app(4, 'Zoë’s Café Portal')];

function names(result: ReturnType<typeof matchApp>): string[] {
  if (result.kind === 'one') return [result.app.displayName];
  return (result.kind === 'several' ? result.candidates : result.suggestions).map((a) => a.displayName);
}

describe('matching a typed app name', () => {
  it.each([
    ['the exact name', 'Contoso Timesheets (IWA)', 'one', ['Contoso Timesheets (IWA)']],
    ['the name without case or punctuation', 'contoso timesheets iwa', 'one', ['Contoso Timesheets (IWA)']],
    ['a distinctive word', 'timesheets', 'one', ['Contoso Timesheets (IWA)']],
    ['the start of a word', 'expen', 'one', ['Contoso Expenses (SAML)']],
    ['the service principal id', 'f3000000-0000-4000-8000-000000000003', 'one', ['Contoso Wiki (header-based)']],
    ['the app id', 'F2000000-0000-4000-8000-000000000001', 'one', ['Contoso Expenses (SAML)']],
    ['accents left out', 'zoes cafe', 'one', ['Zoë’s Café Portal']],
    ['a word every app shares', 'contoso', 'several', ['Contoso Expenses (SAML)', 'Contoso Timesheets (IWA)', 'Contoso Wiki (header-based)']],
    ['a typo, offered but never picked by itself', 'timeshets', 'several', ['Contoso Timesheets (IWA)']],
    ['two typos in a long word', 'expensses', 'several', ['Contoso Expenses (SAML)']],
    ['nothing close', 'payroll', 'none', ['Contoso Expenses (SAML)', 'Contoso Timesheets (IWA)', 'Contoso Wiki (header-based)', 'Zoë’s Café Portal']],
    ['only punctuation', '()', 'none', ['Contoso Expenses (SAML)', 'Contoso Timesheets (IWA)', 'Contoso Wiki (header-based)', 'Zoë’s Café Portal']],
  ] as const)('%s', (_label, query, kind, expected) => {
    const result = matchApp(APPS, query);
    expect(result.kind).toBe(kind);
    if (kind === 'none') expect([...names(result)].sort()).toEqual([...expected].sort());
    else expect(names(result)).toEqual(expected);
  });

  it('offers both apps when two share a name, instead of picking one', () => {
    const twins = [app(1, 'Payroll'), app(2, 'payroll')];
    expect(matchApp(twins, 'Payroll')).toMatchObject({ kind: 'several', candidates: twins });
  });

  it('does not let a short typo match by tolerance', () => {
    expect(matchApp([app(1, 'HR')], 'IT').kind).toBe('none');
  });

  it('normalizes names for comparison', () => {
    expect(normalizeAppName('  Contoso   Wiki (header-based) ')).toBe('contoso wiki header based');
  });
});
