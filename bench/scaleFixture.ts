import { parseFixture, type Fixture } from '../sandbox/fixture';

export interface FixtureScale {
  /** Member users added to the tenant (the fixture's own users stay, so every scenario still finds its people). */
  extraUsers: number;
  /** App Proxy apps added, each an application with onPremisesPublishing and a tagged service principal with two roles. */
  extraApps: number;
}

/** A GUID from a prefix digit and a counter: the same on every run, distinct from the fixture's hand-written ids. */
function generatedId(kind: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `e${kind}000000-0000-4000-8000-${hex}`;
}

/**
 * The fixture grown to a tenant's size for the bench's scale rows and for tests that prove a call count does not grow
 * with it: generated users and App Proxy apps next to the shipped ones. Validated like any fixture.
 */
export function scaledFixture(base: Fixture, scale: FixtureScale): Fixture {
  const domain = base.tenant.domains.find((d) => d.isDefault)?.id ?? base.tenant.domains[0]?.id ?? 'contoso.com';
  const users = Array.from({ length: scale.extraUsers }, (_, i) => {
    const name = `user${String(i).padStart(5, '0')}`;
    return {
      id: generatedId(1, i),
      userPrincipalName: `${name}@${domain}`,
      displayName: `Generated User ${String(i).padStart(5, '0')}`,
      givenName: 'Generated',
      surname: `User ${i}`,
      mail: `${name}@${domain}`,
      department: ['Sales', 'Finance', 'IT', 'Operations'][i % 4] ?? null,
    };
  });
  const applications = Array.from({ length: scale.extraApps }, (_, i) => ({
    id: generatedId(2, i),
    appId: generatedId(3, i),
    displayName: `Generated App ${String(i).padStart(4, '0')}`,
    signInAudience: 'AzureADMyOrg',
    onPremisesPublishing: {
      externalUrl: `https://app${i}-contoso.msappproxy.net/`,
      internalUrl: `https://app${i}.corp.contoso.com/`,
      externalAuthenticationType: 'aadPreAuthentication',
      isOnPremPublishingEnabled: true,
      singleSignOnSettings: { singleSignOnMode: i % 2 === 0 ? 'aadHeaderBased' : 'none', kerberosSignOnSettings: null },
    },
  }));
  const servicePrincipals = applications.map((app, i) => ({
    id: generatedId(4, i),
    appId: app.appId,
    displayName: app.displayName,
    appRoleAssignmentRequired: true,
    tags: ['WindowsAzureActiveDirectoryOnPremApp', 'WindowsAzureActiveDirectoryIntegratedApp'],
    appRoles: [
      { id: generatedId(5, 2 * i), allowedMemberTypes: ['User' as const], displayName: 'User', description: 'User', value: null, isEnabled: true },
      { id: generatedId(5, 2 * i + 1), allowedMemberTypes: ['User' as const], displayName: 'Editor', description: 'Editor', value: 'editor', isEnabled: true },
    ],
    owners: [],
  }));
  return parseFixture(
    {
      ...base,
      users: [...base.users, ...users],
      applications: [...base.applications, ...applications],
      servicePrincipals: [...base.servicePrincipals, ...servicePrincipals],
    },
    `fixture scaled by ${scale.extraUsers} users and ${scale.extraApps} apps`,
  );
}
