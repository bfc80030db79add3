import type { EntityFilterSpec, FilterProperty, Support } from './filter';

/**
 * What Graph knows about each entity type the sandbox serves: every property (a selected property the fixture lacks comes
 * back as null or [] exactly as Graph returns it), the default set returned without $select, and the $filter support table
 * from Graph's "advanced query capabilities" page.
 */
export interface EntityType {
  odataType: string;
  entitySet: string;
  properties: string[];
  collections: Set<string>;
  defaultSelect: string[];
  filter: EntityFilterSpec;
}

const D: Support = 'default';
const A: Support = 'advanced';

function prop(name: string, kind: FilterProperty['kind'], support: Omit<FilterProperty, 'name' | 'kind'>): FilterProperty {
  return { name, kind, ...support };
}

function table(props: FilterProperty[]): Record<string, FilterProperty> {
  return Object.fromEntries(props.map((p) => [p.name.toLowerCase(), p]));
}

const EXTENSION_ATTRIBUTES = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

const userFilter = table([
  prop('id', 'string', { eq: D, ne: A, not: A, in: D }),
  prop('accountEnabled', 'boolean', { eq: D, ne: A, not: A, in: D, range: A }),
  prop('businessPhones', 'stringCollection', { eq: D, not: A }),
  prop('city', 'string', { eq: D, ne: A, not: A, range: D, in: D, startsWith: D, nullEq: A }),
  prop('companyName', 'string', { eq: A, ne: A, not: A, range: A, in: A, startsWith: A, endsWith: A, nullEq: A }),
  prop('country', 'string', { eq: D, ne: A, not: A, range: D, in: D, startsWith: D, nullEq: A }),
  prop('createdDateTime', 'datetime', { eq: D, ne: A, not: A, range: D, in: A }),
  prop('creationType', 'string', { eq: D, ne: A, not: A, in: D, nullEq: A }),
  prop('department', 'string', { eq: D, ne: A, not: A, range: D, in: D, startsWith: D, nullEq: A }),
  prop('displayName', 'string', { eq: D, ne: A, not: A, in: D, startsWith: D, endsWith: A, nullEq: A }),
  prop('employeeId', 'string', { eq: D, ne: A, in: A, startsWith: D, nullEq: A }),
  prop('employeeType', 'string', { eq: A, ne: A, range: A, in: A, startsWith: A }),
  prop('externalUserState', 'string', { eq: D, ne: A, not: A, in: D, nullEq: A }),
  prop('externalUserStateChangeDateTime', 'datetime', { eq: D, ne: A, not: A, in: D, range: A }),
  prop('givenName', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D, nullEq: A }),
  prop('identities', 'identities', { eq: D }),
  prop('imAddresses', 'stringCollection', { eq: D, ne: A, not: A, startsWith: D }),
  prop('jobTitle', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D, nullEq: A }),
  prop('mail', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D, endsWith: A, nullEq: A }),
  prop('mailNickname', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D, endsWith: A, nullEq: A }),
  prop('mobilePhone', 'string', { eq: A, ne: A, range: A, in: A, startsWith: A, nullEq: A }),
  prop('officeLocation', 'string', { eq: A, ne: A, range: A, in: A, startsWith: A, nullEq: A }),
  prop('onPremisesExtensionAttributes', 'complex', {
    children: table(EXTENSION_ATTRIBUTES.map((name) => prop(name, 'string', { eq: A, ne: A, range: A, in: A, nullEq: A }))),
  }),
  prop('onPremisesImmutableId', 'string', { eq: A, ne: A, range: A, in: A }),
  prop('onPremisesLastSyncDateTime', 'datetime', { eq: A, ne: A, range: A, in: A }),
  prop('onPremisesSamAccountName', 'string', { eq: A, ne: A, range: A, in: A, startsWith: A }),
  prop('onPremisesSecurityIdentifier', 'string', { eq: D, ne: A, in: D, nullEq: A }),
  prop('onPremisesSyncEnabled', 'boolean', { eq: D, ne: A, range: A, in: D, nullEq: D }),
  prop('onPremisesUserPrincipalName', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D }),
  prop('otherMails', 'stringCollection', { eq: D, ne: A, startsWith: D, endsWith: A }),
  prop('postalCode', 'string', { eq: A, ne: A, range: A, in: A, startsWith: A, nullEq: A }),
  prop('preferredLanguage', 'string', { eq: A, ne: A, range: A, in: A, startsWith: A, nullEq: A }),
  prop('proxyAddresses', 'stringCollection', { eq: D, ne: A, startsWith: D, endsWith: A }),
  prop('showInAddressList', 'boolean', { eq: A, ne: A, in: A }),
  prop('signInActivity', 'complex', {
    children: table(
      ['lastSignInDateTime', 'lastNonInteractiveSignInDateTime', 'lastSuccessfulSignInDateTime'].map((name) =>
        prop(name, 'datetime', { eq: D, ne: A, range: D, nullEq: A }),
      ),
    ),
  }),
  prop('state', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D, nullEq: A }),
  prop('surname', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D, endsWith: A, nullEq: A }),
  prop('usageLocation', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D }),
  prop('userPrincipalName', 'string', { eq: D, ne: A, range: D, in: D, startsWith: D, endsWith: A }),
  prop('userType', 'string', { eq: D, ne: A, not: A, in: D, nullEq: A }),
]);

export const USER: EntityType = {
  odataType: '#microsoft.graph.user',
  entitySet: 'users',
  properties: [
    'id', 'accountEnabled', 'ageGroup', 'businessPhones', 'city', 'companyName', 'country', 'createdDateTime', 'creationType',
    'department', 'displayName', 'employeeId', 'employeeType', 'externalUserState', 'externalUserStateChangeDateTime', 'givenName',
    'identities', 'imAddresses', 'jobTitle', 'mail', 'mailNickname', 'mobilePhone', 'officeLocation', 'onPremisesDistinguishedName',
    'onPremisesDomainName', 'onPremisesExtensionAttributes', 'onPremisesImmutableId', 'onPremisesLastSyncDateTime',
    'onPremisesSamAccountName', 'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled', 'onPremisesUserPrincipalName', 'otherMails',
    'postalCode', 'preferredLanguage', 'proxyAddresses', 'showInAddressList', 'signInActivity', 'state', 'streetAddress', 'surname',
    'usageLocation', 'userPrincipalName', 'userType',
  ],
  collections: new Set(['businessPhones', 'identities', 'imAddresses', 'otherMails', 'proxyAddresses']),
  defaultSelect: [
    'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname',
    'userPrincipalName', 'id',
  ],
  filter: { resource: 'User', odataType: 'microsoft.graph.user', properties: userFilter },
};

export const GROUP: EntityType = {
  odataType: '#microsoft.graph.group',
  entitySet: 'groups',
  properties: [
    'id', 'createdDateTime', 'description', 'displayName', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname', 'onPremisesSyncEnabled',
    'proxyAddresses', 'securityEnabled', 'visibility',
  ],
  collections: new Set(['groupTypes', 'proxyAddresses']),
  defaultSelect: [
    'id', 'createdDateTime', 'description', 'displayName', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname', 'onPremisesSyncEnabled',
    'proxyAddresses', 'securityEnabled', 'visibility',
  ],
  filter: {
    resource: 'Group',
    odataType: 'microsoft.graph.group',
    properties: table([
      prop('id', 'string', { eq: D, ne: A, not: A, in: D }),
      prop('displayName', 'string', { eq: D, ne: A, not: A, in: D, startsWith: D, endsWith: A, nullEq: A }),
      prop('description', 'string', { eq: A, ne: A, in: A, startsWith: A }),
      prop('groupTypes', 'stringCollection', { eq: D, ne: A, not: A }),
      prop('mail', 'string', { eq: D, ne: A, in: D, startsWith: D, endsWith: A, nullEq: A }),
      prop('mailEnabled', 'boolean', { eq: D, ne: A, not: A }),
      prop('mailNickname', 'string', { eq: D, ne: A, in: D, startsWith: D, endsWith: A }),
      prop('onPremisesSyncEnabled', 'boolean', { eq: D, ne: A, in: D, nullEq: D }),
      prop('securityEnabled', 'boolean', { eq: D, ne: A, not: A, in: D }),
      prop('createdDateTime', 'datetime', { eq: D, ne: A, range: D, in: A }),
    ]),
  },
};

export const DOMAIN: EntityType = {
  odataType: '#microsoft.graph.domain',
  entitySet: 'domains',
  properties: [
    'id', 'authenticationType', 'availabilityStatus', 'isAdminManaged', 'isDefault', 'isInitial', 'isRoot', 'isVerified',
    'passwordNotificationWindowInDays', 'passwordValidityPeriodInDays', 'supportedServices', 'state',
  ],
  collections: new Set(['supportedServices']),
  defaultSelect: [
    'authenticationType', 'availabilityStatus', 'id', 'isAdminManaged', 'isDefault', 'isInitial', 'isRoot', 'isVerified',
    'supportedServices', 'passwordValidityPeriodInDays', 'passwordNotificationWindowInDays', 'state',
  ],
  filter: { resource: 'Domain', odataType: 'microsoft.graph.domain', properties: {} },
};

/** Directory objects in a mixed collection (members, sponsors) may be selected by any property of either type. */
export const DIRECTORY_OBJECT_PROPERTIES = new Set([...USER.properties, ...GROUP.properties].map((p) => p.toLowerCase()));

export function extensionAttributesOf(value: unknown): Record<string, string | null> {
  const source = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return Object.fromEntries(EXTENSION_ATTRIBUTES.map((k) => [k, typeof source[k] === 'string' ? (source[k] as string) : null]));
}

/** The properties of an appRoleAssignment, in Graph's order. */
export const ASSIGNMENT_PROPERTIES = ['id', 'appRoleId', 'createdDateTime', 'principalDisplayName', 'principalId', 'principalType', 'resourceDisplayName', 'resourceId'];
