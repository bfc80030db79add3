import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { batchItemError, directoryUnavailable, isGraphError } from './errors';
import { odataString, pathSegment, queryString } from './odata';
import { ADVANCED_QUERY_HEADERS } from './paging';
import { emailFilter } from './users';
import { APP_ACCESS_ITEMS, appAccessRequests, assignmentsRequest, userAppAccessFrom, type UserAppAccessFacts } from './userAppAccess';

/** What the partner join and its card read of an Entra user: the sync keys, the addresses, the state. */
export const PARTNER_USER_SELECT = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'otherMails',
  'proxyAddresses',
  'userType',
  'accountEnabled',
  'creationType',
  'externalUserState',
  'identities',
  'onPremisesSyncEnabled',
  'onPremisesSecurityIdentifier',
  'onPremisesImmutableId',
  'onPremisesUserPrincipalName',
  'onPremisesSamAccountName',
  'onPremisesDomainName',
  'onPremisesDistinguishedName',
  'onPremisesLastSyncDateTime',
  'onPremisesExtensionAttributes',
] as const;

/** Graph's page size maximum for users (GD api/user-list: $top 1 to 999). */
const PAGE_SIZE = 999;
/** Graph refuses a `$batch` of more than 20 requests (GD concepts/json-batching). */
export const MAX_BATCH_ITEMS = 20;
/** Graph accepts at most 15 values in one `in` (GD concepts/filter-query-parameter, known issues: "limited to 15 expressions"). */
export const MAX_IN_VALUES = 15;

const str = z.string().nullish().transform((v) => v ?? undefined);
const strings = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);

const EntraUserSchema = z.object({
  id: z.string(),
  displayName: str,
  userPrincipalName: str,
  mail: str,
  otherMails: strings,
  proxyAddresses: strings,
  userType: str,
  accountEnabled: z.boolean().nullish().transform((v) => v ?? undefined),
  creationType: str,
  externalUserState: str,
  identities: z
    .array(z.object({ signInType: str, issuer: str, issuerAssignedId: str }))
    .nullish()
    .transform((v) => v ?? []),
  onPremisesSyncEnabled: z.boolean().nullish().transform((v) => v ?? undefined),
  onPremisesSecurityIdentifier: str,
  onPremisesImmutableId: str,
  onPremisesUserPrincipalName: str,
  onPremisesSamAccountName: str,
  onPremisesDomainName: str,
  onPremisesDistinguishedName: str,
  onPremisesLastSyncDateTime: str,
  onPremisesExtensionAttributes: z
    .record(z.string(), z.string().nullish())
    .nullish()
    .transform((v) => Object.fromEntries(Object.entries(v ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'))),
});

export type EntraPartnerUser = z.infer<typeof EntraUserSchema>;

const UserPage = z.object({ value: z.array(EntraUserSchema), '@odata.nextLink': z.string().optional() });
const BatchResponse = z.object({ responses: z.array(z.object({ id: z.string(), status: z.number(), body: z.unknown().optional() })) });
const GraphErrorBody = z.object({ error: z.object({ code: z.string().optional() }) });

/** The keys Entra Connect writes for a synced user, in the join's order; a key Graph filters only as an advanced query says so. */
export type SyncKey = 'onPremisesSecurityIdentifier' | 'onPremisesImmutableId' | 'onPremisesUserPrincipalName' | 'onPremisesSamAccountName';

/** Keys whose `in` filter is an advanced query (GD concepts/aad-advanced-queries, user properties table). */
const ADVANCED_KEYS: ReadonlySet<SyncKey> = new Set(['onPremisesImmutableId', 'onPremisesSamAccountName']);

type BatchRequest = { id: string; method: 'GET'; url: string; headers?: Record<string, string> };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Counts the Graph round trips one scan made (pages and `$batch` posts), for the bench and for tests. */
export interface GraphCallCounter {
  calls: number;
}

/**
 * Entra's side of locally managed partner accounts: every guest (one paged listing), synced users looked up by the keys
 * Entra Connect writes (`$batch` of `in` filters: 20 × 15 keys per round trip), and app access for the few people who have
 * two identities. Sized for 10,000 partner accounts: about 11 pages for the guests and one batch per 300 keys.
 */
export class GraphPartnerUsers {
  constructor(
    private readonly graph: Client,
    readonly counter: GraphCallCounter = { calls: 0 },
  ) {}

  /** Every guest (invited and synced), for the consistent partners, the synced guests the rule does not mark, and the invited twins. */
  async listGuests(): Promise<EntraPartnerUser[]> {
    const what = 'Listing the guests';
    const users: EntraPartnerUser[] = [];
    let next: string | undefined = `/users?${queryString({ $filter: "userType eq 'Guest'", $select: PARTNER_USER_SELECT.join(','), $top: String(PAGE_SIZE) })}`;
    while (next) {
      let raw: unknown;
      try {
        this.counter.calls++;
        raw = await this.graph.api(next).get();
      } catch (error) {
        throw directoryUnavailable(what, error);
      }
      const page = UserPage.safeParse(raw);
      if (!page.success) throw directoryUnavailable(what, new Error('Graph sent a page of users I could not read'));
      users.push(...page.data.value);
      next = page.data['@odata.nextLink'];
    }
    return users;
  }

  /**
   * The users holding any of these values of one sync key, 15 values per `in`, 20 filters per `$batch`. onPremisesImmutableId
   * and onPremisesSamAccountName filter only as advanced queries, so those items carry ConsistencyLevel and `$count=true`.
   */
  async findByKey(key: SyncKey, values: readonly string[]): Promise<EntraPartnerUser[]> {
    const what = 'Looking up synced users';
    const distinct = [...new Set(values.filter((v) => v.length > 0))];
    const advanced = ADVANCED_KEYS.has(key);
    const requests: BatchRequest[] = chunks(distinct, MAX_IN_VALUES).map((part, i) => ({
      id: String(i),
      method: 'GET',
      url: `/users?${queryString({
        $filter: `${key} in (${part.map(odataString).join(',')})`,
        $select: PARTNER_USER_SELECT.join(','),
        $top: String(MAX_IN_VALUES),
        ...(advanced ? { $count: 'true' } : {}),
      })}`,
      ...(advanced ? { headers: { ...ADVANCED_QUERY_HEADERS } } : {}),
    }));
    const found: EntraPartnerUser[] = [];
    for (const batch of chunks(requests, MAX_BATCH_ITEMS)) {
      const responses = await this.batch(what, batch);
      for (const item of batch) {
        const answer = responses.get(item.id);
        if (!answer || answer.status < 200 || answer.status >= 300) {
          throw directoryUnavailable(what, batchItemError(answer?.status ?? 502, GraphErrorBody.safeParse(answer?.body).data?.error.code));
        }
        const page = z.object({ value: z.array(EntraUserSchema) }).safeParse(answer.body);
        if (!page.success) throw directoryUnavailable(what, new Error('Graph sent users I could not read'));
        found.push(...page.data.value);
      }
    }
    return found;
  }

  /**
   * One user's sync keys, for a synced partner's Kerberos grant: their own AD account is found by these, as the partner
   * join finds it. GET /users/{id} (GD api/user-get); undefined when the user is gone (404).
   */
  async syncedUser(objectId: string): Promise<EntraPartnerUser | undefined> {
    const what = 'Looking up synced users';
    let raw: unknown;
    try {
      this.counter.calls++;
      raw = await this.graph.api(`/users/${pathSegment(objectId)}?${queryString({ $select: PARTNER_USER_SELECT.join(',') })}`).get();
    } catch (error) {
      if (isGraphError(error, 404)) return undefined;
      throw directoryUnavailable(what, error);
    }
    const user = EntraUserSchema.safeParse(raw);
    if (!user.success) throw directoryUnavailable(what, new Error('Graph sent a user I could not read'));
    return user.data;
  }

  /** Who holds any of these addresses (UPN, mail, otherMails, an smtp: proxy address): one `in`-free filter per address, batched. */
  async findByAddresses(addresses: readonly string[]): Promise<EntraPartnerUser[]> {
    const what = 'Looking up synced users';
    const requests: BatchRequest[] = [...new Set(addresses.map((a) => a.toLowerCase()))].map((address, i) => ({
      id: String(i),
      method: 'GET',
      url: `/users?${queryString({ $filter: emailFilter(address), $select: PARTNER_USER_SELECT.join(','), $top: '10' })}`,
    }));
    const byId = new Map<string, EntraPartnerUser>();
    for (const batch of chunks(requests, MAX_BATCH_ITEMS)) {
      const responses = await this.batch(what, batch);
      for (const item of batch) {
        const answer = responses.get(item.id);
        if (!answer || answer.status < 200 || answer.status >= 300) {
          throw directoryUnavailable(what, batchItemError(answer?.status ?? 502, GraphErrorBody.safeParse(answer?.body).data?.error.code));
        }
        for (const u of z.object({ value: z.array(EntraUserSchema) }).safeParse(answer.body).data?.value ?? []) byId.set(u.id.toLowerCase(), u);
      }
    }
    return [...byId.values()];
  }

  /** The on-prem (App Proxy) app access of each user: their assignments expanded, plus the app listing once per batch. */
  async appAccessOf(userIds: readonly string[]): Promise<Map<string, UserAppAccessFacts>> {
    const out = new Map<string, UserAppAccessFacts>();
    const listing = appAccessRequests({ path: '/users/x' }, { scope: 'all' }).find((r) => r.id === APP_ACCESS_ITEMS.onPremApps);
    if (!listing) return out;
    for (const part of chunks([...new Set(userIds)], MAX_BATCH_ITEMS - 1)) {
      const items: BatchRequest[] = [listing, ...part.map((id, i) => ({ ...assignmentsRequest({ path: `/users/${pathSegment(id)}` }), id: `assignments.${i}` }))];
      const responses = await this.batch('Reading app access', items);
      part.forEach((id, i) => out.set(id.toLowerCase(), userAppAccessFrom(id, responses.get(`assignments.${i}`), responses.get(APP_ACCESS_ITEMS.onPremApps))));
    }
    return out;
  }

  private async batch(what: 'Looking up synced users' | 'Looking up the user' | 'Reading app access', requests: BatchRequest[]): Promise<Map<string, { status: number; body?: unknown }>> {
    let raw: unknown;
    try {
      this.counter.calls++;
      raw = await this.graph.api('/$batch').post({ requests });
    } catch (error) {
      throw directoryUnavailable(what, error);
    }
    const parsed = BatchResponse.safeParse(raw);
    if (!parsed.success) throw directoryUnavailable(what, new Error('Graph sent a batch answer I could not read'));
    return new Map(parsed.data.responses.map((r) => [r.id, r]));
  }
}
