import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { batchItemError, directoryUnavailable, type GraphStep } from './errors';
import type { CachedBatchItem, TtlCache } from './appProxyCache';
import { odataString, pathSegment, queryString as query } from './odata';
import { APP_ACCESS_ITEMS, appAccessRequests, assignmentsRequest, ownedOnPremApps, userAppAccessFrom, type UserAppAccessFacts } from './userAppAccess';

/** How a person named a user: exact references are answered in one round trip; a display name may match several people. */
export type UserQuery =
  | { kind: 'objectId'; value: string }
  /** A UPN that must travel as a path segment (guest UPNs carry #EXT#). */
  | { kind: 'upn'; value: string }
  /** An email address: the UPN, mail, otherMails or proxyAddresses of one user. */
  | { kind: 'email'; value: string }
  | { kind: 'displayName'; value: string };

/** Exactly what the whois card shows; Graph returns most of these only when selected. */
export const WHOIS_SELECT = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'companyName',
  'userType',
  'accountEnabled',
  'createdDateTime',
  'creationType',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'identities',
  'onPremisesSyncEnabled',
  'onPremisesUserPrincipalName',
  'onPremisesSamAccountName',
  'onPremisesDomainName',
  'onPremisesExtensionAttributes',
] as const;

const SPONSORS_EXPAND = 'sponsors($select=id,displayName)';
/** Enough to tell candidates apart in a pick list, and to render the card when there is only one. */
export const MAX_CANDIDATES = 10;

const str = z.string().nullish().transform((v) => v ?? undefined);

const DirectoryUserSchema = z.object({
  id: z.string(),
  displayName: str,
  userPrincipalName: str,
  mail: str,
  companyName: str,
  userType: str,
  accountEnabled: z.boolean().nullish().transform((v) => v ?? undefined),
  createdDateTime: str,
  creationType: str,
  externalUserState: str,
  externalUserStateChangeDateTime: str,
  identities: z
    .array(z.object({ signInType: str, issuer: str, issuerAssignedId: str }))
    .nullish()
    .transform((v) => v ?? []),
  onPremisesSyncEnabled: z.boolean().nullish().transform((v) => v ?? undefined),
  onPremisesUserPrincipalName: str,
  onPremisesSamAccountName: str,
  onPremisesDomainName: str,
  onPremisesExtensionAttributes: z
    .record(z.string(), z.string().nullish())
    .nullish()
    .transform((v) => Object.fromEntries(Object.entries(v ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'))),
  sponsors: z
    .array(z.object({ id: z.string(), displayName: str, '@odata.type': str }))
    .nullish()
    .transform((v) => (v ?? []).map((s) => ({ id: s.id, displayName: s.displayName, isGroup: s['@odata.type'] === '#microsoft.graph.group' }))),
});

export type DirectoryUser = z.infer<typeof DirectoryUserSchema>;

export type SignInActivity =
  | { available: true; lastSignIn?: string; lastSuccessfulSignIn?: string }
  /**
   * - noLicence: the tenant has no Entra ID P1/P2 (403 Authentication_RequestFromNonPremiumTenantOrB2CTenant);
   * - noPermission: the app lacks AuditLog.Read.All (403 Authorization_RequestDenied);
   * - throttled: signInActivity reads are limited to a few per minute;
   * - unavailable: anything else.
   */
  | { available: false; reason: 'noLicence' | 'noPermission' | 'throttled' | 'unavailable' };

export interface UserLookup {
  users: DirectoryUser[];
  /** Sign-in activity by user id (lower-case), or why it could not be read; undefined when it was not asked for. */
  signIn?: Map<string, SignInActivity> | Extract<SignInActivity, { available: false }>;
  /** On-prem app access of the one user found; undefined when not asked for, or when the query matched several users. */
  appAccess?: UserAppAccessFacts;
}

/**
 * What to read beyond who the person is. Whatever a caller may not see is not fetched at all: fewer batch items, less
 * Graph cost, nothing to leak. `appAccess.ownedBy` reads only the assignments on the on-prem apps that object id owns.
 */
export interface WhoisReads {
  sponsors: boolean;
  lastSignIn: boolean;
  appAccess: { scope: 'all' } | { scope: 'ownedBy'; ownerId: string } | { scope: 'none' };
}

/** Everything: what partner managers and admins see. */
export const ALL_WHOIS_READS: WhoisReads = { sponsors: true, lastSignIn: true, appAccess: { scope: 'all' } };

/** A user whose mail or proxy address is a given email, for the home-realm check. */
export interface AddressOwner {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
  userType?: string;
  onPremisesSyncEnabled?: boolean;
}

const AddressOwnerList = z.object({
  value: z.array(
    z.object({
      id: z.string(),
      displayName: str,
      userPrincipalName: str,
      userType: str,
      onPremisesSyncEnabled: z.boolean().nullish().transform((v) => v ?? undefined),
    }),
  ),
});

const BatchResponse = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number(), body: z.unknown().optional() })),
});

const GraphErrorBody = z.object({ error: z.object({ code: z.string().optional() }) });

const SignInBody = z.object({
  id: z.string(),
  signInActivity: z
    .object({ lastSignInDateTime: str, lastSuccessfulSignInDateTime: str })
    .nullish(),
});

/** The OData filter for an email: any of the addresses a user can be known by. Literals are escaped (O'Brien). */
export function emailFilter(address: string): string {
  const a = odataString(address);
  const smtp = odataString(`smtp:${address}`);
  return `userPrincipalName eq ${a} or mail eq ${a} or otherMails/any(m:m eq ${a}) or proxyAddresses/any(p:p eq ${smtp})`;
}

/** A display name matches at the start of the whole name, the given name or the surname ("O'Brien" finds Siobhán O'Brien). */
export function displayNameFilter(name: string): string {
  const n = odataString(name);
  return `startsWith(displayName,${n}) or startsWith(givenName,${n}) or startsWith(surname,${n})`;
}

/** The sign-in activity of one user. Graph refuses it by UPN (400); only the object id form works (user resource, signInActivity). */
export function signInByIdRequest(objectId: string): string {
  return `/users/${pathSegment(objectId)}?${query({ $select: 'id,signInActivity' })}`;
}

/**
 * The relative URLs of the first batch: the user(s), with sponsors when asked for, their sign-in activity when it can be read
 * without knowing the object id first, and their on-prem app access. A UPN reference has no sign-in item here: Graph
 * answers `GET /users/{UPN}?$select=signInActivity` with 400, so it is read by object id once the user is known. Lists
 * (`/users?$filter=…&$select=id,signInActivity`) are Graph's documented way to read it for many users and stay in the batch.
 */
export function whoisRequests(
  q: UserQuery,
  reads: WhoisReads = ALL_WHOIS_READS,
): { user: string; signIn?: string; appAccess: { id: string; method: 'GET'; url: string }[] } {
  const select = WHOIS_SELECT.join(',');
  const expand: Record<string, string> = reads.sponsors ? { $expand: SPONSORS_EXPAND } : {};
  switch (q.kind) {
    case 'objectId':
    case 'upn': {
      const path = `/users/${pathSegment(q.value)}`;
      return {
        user: `${path}?${query({ $select: select, ...expand })}`,
        ...(reads.lastSignIn && q.kind === 'objectId' ? { signIn: signInByIdRequest(q.value) } : {}),
        appAccess: appAccessRequests({ path }, reads.appAccess),
      };
    }
    case 'email':
    case 'displayName': {
      const filter = q.kind === 'email' ? emailFilter(q.value) : displayNameFilter(q.value);
      const top = String(MAX_CANDIDATES + 1);
      return {
        user: `/users?${query({ $filter: filter, $select: select, ...expand, $top: top })}`,
        ...(reads.lastSignIn ? { signIn: `/users?${query({ $filter: filter, $select: 'id,signInActivity', $top: top })}` } : {}),
        appAccess: appAccessRequests({ filter, top }, reads.appAccess),
      };
    }
  }
}

function signInFailure(status: number, body: unknown): Extract<SignInActivity, { available: false }> {
  const code = GraphErrorBody.safeParse(body).data?.error.code ?? '';
  if (status === 403 && code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') return { available: false, reason: 'noLicence' };
  if (status === 403) return { available: false, reason: 'noPermission' };
  if (status === 429) return { available: false, reason: 'throttled' };
  return { available: false, reason: 'unavailable' };
}

/** Users over Graph (User.Read.All; AuditLog.Read.All for sign-in activity). Every method is one round trip. */
export class GraphUsers {
  constructor(
    private readonly graph: Client,
    /** The on-prem app listing that names the apps in a whois; while fresh, the batch leaves that item out. */
    private readonly onPremListing?: TtlCache<'onPremApps', CachedBatchItem>,
  ) {}

  /**
   * One $batch: the user(s) with exactly the card's properties (and their sponsors when asked for), and, as separate items,
   * their sign-in activity, which needs a premium licence and its own permission and must not take the main answer down
   * with it, and their on-prem app access, which needs Application.Read.All and degrades the same way. Only what `reads`
   * asks for is fetched.
   *
   * Round trips: one for an object id, an email or a display name. A second, only for the one user found, when what is
   * asked for needs their object id or depends on the first answer: the sign-in activity of a UPN reference (Graph refuses
   * it by UPN), and the assignments on the apps an owner owns, when they own any on-prem app.
   */
  async whois(q: UserQuery, reads: WhoisReads = ALL_WHOIS_READS): Promise<UserLookup> {
    const urls = whoisRequests(q, reads);
    const listing = this.onPremListing?.get('onPremApps');
    const responses = await this.batch('Looking up the user', [
      { id: 'user', method: 'GET', url: urls.user },
      ...(urls.signIn ? [{ id: 'signIn', method: 'GET' as const, url: urls.signIn }] : []),
      ...urls.appAccess.filter((item) => !(listing && item.id === APP_ACCESS_ITEMS.onPremApps)),
    ]);
    const listed = responses.get(APP_ACCESS_ITEMS.onPremApps);
    if (listing) responses.set(APP_ACCESS_ITEMS.onPremApps, listing);
    else if (listed && listed.status >= 200 && listed.status < 300) this.onPremListing?.set('onPremApps', listed);
    const user = responses.get('user');
    if (!user) throw directoryUnavailable('Looking up the user', new Error('Graph left the user out of its batch answer'));
    const users = this.usersFrom(q, user.status, user.body);
    const lookup: UserLookup = { users };
    if (urls.signIn) lookup.signIn = this.signInFrom(responses.get('signIn'));
    const [only] = users;
    if (!only || users.length !== 1) return lookup;

    const path = `/users/${pathSegment(only.id)}`;
    const second: { id: string; method: 'GET'; url: string }[] = [];
    if (reads.lastSignIn && !urls.signIn) second.push({ id: 'signIn', method: 'GET', url: signInByIdRequest(only.id) });
    const owned = reads.appAccess.scope === 'ownedBy' ? ownedOnPremApps(responses.get(APP_ACCESS_ITEMS.ownedApps)) : undefined;
    if (owned && 'item' in owned && owned.count > 0) second.push(assignmentsRequest({ path }));
    const more = second.length > 0 ? await this.batch('Looking up the user', second) : new Map<string, { status: number; body?: unknown }>();
    if (more.has('signIn')) lookup.signIn = this.signInFrom(more.get('signIn'));

    if (reads.appAccess.scope === 'all') {
      lookup.appAccess = userAppAccessFrom(only.id, responses.get(APP_ACCESS_ITEMS.assignments), responses.get(APP_ACCESS_ITEMS.onPremApps));
    } else if (owned) {
      if ('failed' in owned) lookup.appAccess = userAppAccessFrom(only.id, owned.failed, owned.failed);
      else if (owned.count === 0) lookup.appAccess = { available: true, apps: [], more: false, onlyOwnedApps: true };
      else {
        const facts = userAppAccessFrom(only.id, more.get(APP_ACCESS_ITEMS.assignments), owned.item);
        lookup.appAccess = facts.available ? { ...facts, onlyOwnedApps: true } : facts;
      }
    }
    return lookup;
  }

  private async batch(what: GraphStep, requests: { id: string; method: 'GET'; url: string }[]): Promise<Map<string, { status: number; body?: unknown }>> {
    let raw: unknown;
    try {
      raw = await this.graph.api('/$batch').post({ requests });
    } catch (error) {
      throw directoryUnavailable(what, error);
    }
    const parsed = BatchResponse.safeParse(raw);
    if (!parsed.success) throw directoryUnavailable(what, new Error('Graph sent a batch answer I could not read'));
    return new Map(parsed.data.responses.map((r) => [r.id, r]));
  }

  /** Who holds this address as mail, other mail or proxy address: the synced local account of the home-realm problem. */
  async ownersOfAddress(address: string): Promise<AddressOwner[]> {
    const filter = `mail eq ${odataString(address)} or otherMails/any(m:m eq ${odataString(address)}) or proxyAddresses/any(p:p eq ${odataString(`smtp:${address}`)})`;
    try {
      const response: unknown = await this.graph
        .api(`/users?${query({ $filter: filter, $select: 'id,displayName,userPrincipalName,userType,onPremisesSyncEnabled', $top: '5' })}`)
        .get();
      return AddressOwnerList.parse(response).value;
    } catch (error) {
      throw directoryUnavailable('Looking up who holds the address', error);
    }
  }

  private usersFrom(q: UserQuery, status: number, body: unknown): DirectoryUser[] {
    const exact = q.kind === 'objectId' || q.kind === 'upn';
    if (exact && (status === 404 || status === 400)) return [];
    if (status < 200 || status >= 300) {
      const code = GraphErrorBody.safeParse(body).data?.error.code;
      throw directoryUnavailable('Looking up the user', batchItemError(status, code));
    }
    const parsed = exact ? DirectoryUserSchema.safeParse(body).data : z.object({ value: z.array(DirectoryUserSchema) }).safeParse(body).data?.value;
    if (parsed === undefined) throw directoryUnavailable('Looking up the user', new Error('Graph sent a user I could not read'));
    return Array.isArray(parsed) ? parsed : [parsed];
  }

  private signInFrom(item: { status: number; body?: unknown } | undefined): UserLookup['signIn'] {
    if (!item) return { available: false, reason: 'unavailable' };
    if (item.status === 404) return new Map();
    if (item.status < 200 || item.status >= 300) return signInFailure(item.status, item.body);
    const body = item.body;
    const list = z.object({ value: z.array(SignInBody) }).safeParse(body).data?.value ?? (SignInBody.safeParse(body).data ? [SignInBody.parse(body)] : undefined);
    if (!list) return { available: false, reason: 'unavailable' };
    return new Map(
      list.map((u) => [
        u.id.toLowerCase(),
        { available: true, lastSignIn: u.signInActivity?.lastSignInDateTime, lastSuccessfulSignIn: u.signInActivity?.lastSuccessfulSignInDateTime },
      ]),
    );
  }
}
