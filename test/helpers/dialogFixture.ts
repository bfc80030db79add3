import type { DirectoryUser } from '../../bot/graph/users';
import { LookupService } from '../../bot/services/lookup';
import { InMemoryUserDirectory, testServices, testSettings, type TestServices } from './testServices';

export const MANAGER = { aadObjectId: 'b0000000-0000-4000-8000-0000000000bb', name: 'Max Manager' };
export const ADMIN = { aadObjectId: 'a0000000-0000-4000-8000-0000000000ad', name: 'Ada Admin' };
export const MEMBER = { aadObjectId: 'c0000000-0000-4000-8000-0000000000cc', name: 'Mo Member' };
export const OWNER_ID = 'a0000000-0000-4000-8000-0000000000aa';

export const APPS = {
  expenses: 'f3000000-0000-4000-8000-000000000001',
  timesheets: 'f3000000-0000-4000-8000-000000000002',
  wiki: 'f3000000-0000-4000-8000-000000000003',
  expenseArchive: 'f3000000-0000-4000-8000-000000000004',
};
export const ROLES = { user: '18d14569-c3bd-439b-9a66-3a2aee01d14f', admin: 'b9632174-c057-4f7e-951b-be3adc52bfe6', timesheet: '3c1d5e7f-9a2b-4c4d-8e6f-a1b2c3d4e5f6' };

export const GUESTS = {
  raj: { id: 'e0000000-0000-4000-8000-000000000001', mail: 'raj@woodgrove.test', displayName: 'Raj Patel', companyName: 'Woodgrove' },
  rajOther: { id: 'e0000000-0000-4000-8000-000000000002', mail: 'raj.k@tailspin.test', displayName: 'Raj Kumar', companyName: 'Tailspin' },
  lena: { id: 'e0000000-0000-4000-8000-000000000003', mail: 'lena@tailspin.test', displayName: 'Lena Berg', companyName: 'Tailspin' },
  sam1: { id: 'e0000000-0000-4000-8000-000000000004', mail: 'sam@fabrikam.test', displayName: 'Sam Taylor', companyName: 'Fabrikam' },
  sam2: { id: 'e0000000-0000-4000-8000-000000000005', mail: 'sam.t@northwind.test', displayName: 'Sam Turner', companyName: 'Northwind' },
};

/**
 * The services a dialog test runs on: the app's own wiring over in-memory Graph, with three apps (one with two roles),
 * a handful of partner guests (two called Raj, two called Sam) that both the whois search and the request form know,
 * and Lena already holding Timesheets.
 */
export async function dialogServices(): Promise<TestServices> {
  const services = await testServices({ [MANAGER.aadObjectId]: ['managers'], [ADMIN.aadObjectId]: ['admins'] });
  const app = (id: string, displayName: string, roles: { id: string; displayName: string }[]) => ({
    servicePrincipalId: id,
    appId: id.replace('f3', 'f2'),
    displayName,
    ssoKind: 'saml' as const,
    externalUrl: 'https://x-contoso.msappproxy.net/',
    roles,
  });
  services.appDirectory.apps.push(
    app(APPS.expenses, 'Contoso Expense Portal', [
      { id: ROLES.user, displayName: 'User' },
      { id: ROLES.admin, displayName: 'Admin' },
    ]),
    app(APPS.timesheets, 'Contoso Timesheets', [{ id: ROLES.timesheet, displayName: 'Timesheet User' }]),
    app(APPS.wiki, 'Contoso Wiki', []),
    app(APPS.expenseArchive, 'Expense Archive', []),
  );
  for (const id of Object.values(APPS)) services.appDirectory.owners[id] = [{ id: OWNER_ID, displayName: 'Olga Owner' }];
  const users: DirectoryUser[] = [];
  for (const guest of Object.values(GUESTS)) {
    const user = {
      id: guest.id,
      displayName: guest.displayName,
      userPrincipalName: `${guest.mail.replace('@', '_')}#EXT#@contoso.onmicrosoft.com`,
      mail: guest.mail,
      userType: 'Guest',
      creationType: 'Invitation',
      externalUserState: 'Accepted',
      companyName: guest.companyName,
      accountEnabled: true,
    };
    services.invitationDirectory.users.push(user);
    users.push({
      ...user,
      createdDateTime: undefined,
      externalUserStateChangeDateTime: undefined,
      identities: [],
      onPremisesSyncEnabled: undefined,
      onPremisesUserPrincipalName: undefined,
      onPremisesSamAccountName: undefined,
      onPremisesDomainName: undefined,
      onPremisesExtensionAttributes: {},
      sponsors: [],
    } as DirectoryUser);
  }
  services.appDirectory.assignments.push({ id: 'held-1', resourceId: APPS.timesheets, principalId: GUESTS.lena.id, appRoleId: ROLES.timesheet });
  services.lookup = new LookupService(new InMemoryUserDirectory(users), services.realm, testSettings.partners);
  return services;
}
