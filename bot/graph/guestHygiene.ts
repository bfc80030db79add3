import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { batchItemError, directoryUnavailable, isGraphError } from './errors';
import { pathSegment, queryString } from './odata';
import type { GraphCallCounter } from './partnerUsers';

/** What `stale` reads of each guest: who they are, when they were created and invited, and whether they redeemed. */
export const HYGIENE_GUEST_SELECT = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'userType',
  'accountEnabled',
  'createdDateTime',
  'creationType',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'onPremisesSyncEnabled',
] as const;

/**
 * Graph's page size with signInActivity: "When you specify $select=signInActivity or $filter=signInActivity while listing
 * users, the maximum page size for $top is 120" (GD api/user-list). Asking for exactly that is valid under either reading
 * of what a larger $top does (capped, or refused).
 */
export const SIGN_IN_PAGE_SIZE = 120;
/** Graph's page size maximum for users without signInActivity (GD api/user-list: $top 1 to 999). */
const PLAIN_PAGE_SIZE = 999;
/** Graph refuses a `$batch` of more than 20 requests (GD concepts/json-batching). */
const MAX_BATCH_ITEMS = 20;
/** A throttled sponsors item is tried this often in all before its guest is reported as unread. */
const SPONSOR_ATTEMPTS = 4;
/** A Retry-After longer than this is not waited for inside one scan: the guest's sponsors are reported as unread. */
const LONGEST_WAIT_MS = 30_000;

const str = z.string().nullish().transform((v) => v ?? undefined);
const bool = z.boolean().nullish().transform((v) => v ?? undefined);

const HygieneGuestSchema = z.object({
  id: z.string(),
  displayName: str,
  userPrincipalName: str,
  mail: str,
  userType: str,
  accountEnabled: bool,
  createdDateTime: str,
  creationType: str,
  externalUserState: str,
  externalUserStateChangeDateTime: str,
  onPremisesSyncEnabled: bool,
  signInActivity: z
    .object({ lastSignInDateTime: str, lastNonInteractiveSignInDateTime: str, lastSuccessfulSignInDateTime: str })
    .nullish()
    .transform((v) => v ?? undefined),
});

/** A guest as `stale` reads it; a property Graph sent as null or left out is absent. */
export interface HygieneGuest {
  id: string;
  displayName?: string | undefined;
  userPrincipalName?: string | undefined;
  mail?: string | undefined;
  userType?: string | undefined;
  accountEnabled?: boolean | undefined;
  createdDateTime?: string | undefined;
  creationType?: string | undefined;
  externalUserState?: string | undefined;
  externalUserStateChangeDateTime?: string | undefined;
  onPremisesSyncEnabled?: boolean | undefined;
  signInActivity?: { lastSignInDateTime?: string | undefined; lastNonInteractiveSignInDateTime?: string | undefined; lastSuccessfulSignInDateTime?: string | undefined } | undefined;
}

HygieneGuestSchema satisfies z.ZodType<HygieneGuest>;

/**
 * Whether the listing carries sign-in activity. Without an Entra ID P1/P2 licence Graph answers 403
 * Authentication_RequestFromNonPremiumTenantOrB2CTenant; without AuditLog.Read.All, 403 Authorization_RequestDenied
 * (GD api/resources/user, signInActivity: "require a Microsoft Entra ID P1 or P2 license and the AuditLog.Read.All permission").
 */
export type SignInReadability = { readable: true } | { readable: false; reason: 'noLicence' | 'noPermission' };

export interface GuestListing {
  guests: HygieneGuest[];
  signIn: SignInReadability;
}

/** One sponsor of a guest as GET /users/{id}/sponsors lists it: a user (enabled or not) or a group. */
export interface SponsorFacts {
  id: string;
  displayName?: string;
  kind: 'user' | 'group';
  /** Undefined when Graph left it out (a reading the docs do not rule out): then the sponsor is not counted as gone. */
  accountEnabled?: boolean;
}

/** A guest's sponsors, or why they could not be read (still throttled after the retries, or another refusal). */
export type SponsorRead = { read: true; sponsors: SponsorFacts[] } | { read: false; problem: string };

const SponsorSchema = z.object({ id: z.string(), '@odata.type': str, displayName: str, accountEnabled: bool });
const SponsorPage = z.object({ value: z.array(SponsorSchema), '@odata.nextLink': z.string().optional() });
const UserPage = z.object({ value: z.array(HygieneGuestSchema), '@odata.nextLink': z.string().optional() });
const BatchResponse = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number(), headers: z.record(z.string(), z.string()).optional(), body: z.unknown().optional() })),
});
const GraphErrorBody = z.object({ error: z.object({ code: z.string().optional() }) });

type BatchAnswer = z.infer<typeof BatchResponse>['responses'][number];

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function retryAfterMs(answer: BatchAnswer): number {
  const header = Object.entries(answer.headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : 1000;
}

function sponsorsUrl(guestId: string): string {
  return `/users/${pathSegment(guestId)}/sponsors?${queryString({ $select: 'id,displayName,accountEnabled' })}`;
}

/**
 * Guest hygiene's Graph reads: every guest with their sign-in activity in one paged listing (120 a page, Graph's limit with
 * signInActivity), and each guest's sponsors through `$batch` (20 guests a round trip), paced by Graph's own Retry-After.
 * Round trips for G guests: ceil(G / 120) pages, plus ceil(G / 20) batches, plus one per throttled batch retried.
 */
export class GraphGuestHygiene {
  constructor(
    private readonly graph: Client,
    readonly counter: GraphCallCounter = { calls: 0 },
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /**
   * Every guest, with signInActivity when the tenant and the app may read it. A 403 for the licence or the permission is
   * not an error here: the guests are listed again without it, and the listing says why it is missing. If Graph refuses
   * the userType filter beside signInActivity (its pages allow `$filter` on signInActivity only alone, and are silent on
   * selecting it beside another filter), every user is listed with it and the guests kept here.
   */
  async listGuests(): Promise<GuestListing> {
    const select = [...HYGIENE_GUEST_SELECT, 'signInActivity'].join(',');
    const guestFilter = "userType eq 'Guest'";
    try {
      const guests = await this.pages(`/users?${queryString({ $filter: guestFilter, $select: select, $top: String(SIGN_IN_PAGE_SIZE) })}`);
      return { guests, signIn: { readable: true } };
    } catch (error) {
      const refusal = this.signInRefusal(error);
      if (refusal) return { guests: await this.listed(`/users?${queryString({ $filter: guestFilter, $select: HYGIENE_GUEST_SELECT.join(','), $top: String(PLAIN_PAGE_SIZE) })}`), signIn: refusal };
      if (!isGraphError(error, 400)) throw directoryUnavailable('Listing the guests and their sign-in', error);
    }
    const everyone = await this.listed(`/users?${queryString({ $select: select, $top: String(SIGN_IN_PAGE_SIZE) })}`);
    return { guests: everyone.filter((u) => u.userType === 'Guest'), signIn: { readable: true } };
  }

  /**
   * The sponsors of each guest: GET /users/{id}/sponsors (GD api/user-list-sponsors), 20 guests per `$batch`, one batch
   * after the other. An item Graph throttles (429) is sent again after its Retry-After, with the others throttled in that
   * batch, up to four tries; a guest whose sponsors still cannot be read is reported so, never as sponsorless.
   */
  async sponsorsOf(guestIds: readonly string[]): Promise<Map<string, SponsorRead>> {
    const out = new Map<string, SponsorRead>();
    for (const part of chunks([...new Set(guestIds.map((id) => id.toLowerCase()))], MAX_BATCH_ITEMS)) {
      let pending = part;
      for (let attempt = 1; pending.length > 0; attempt++) {
        const answers = await this.batch(pending.map((id, i) => ({ id: String(i), method: 'GET' as const, url: sponsorsUrl(id) })));
        const throttled: string[] = [];
        let wait = 0;
        for (const [i, guestId] of pending.entries()) {
          const answer = answers.get(String(i));
          if (answer?.status === 429 && attempt < SPONSOR_ATTEMPTS) {
            throttled.push(guestId);
            wait = Math.max(wait, retryAfterMs(answer));
            continue;
          }
          out.set(guestId, await this.sponsorsFrom(guestId, answer));
        }
        if (throttled.length > 0 && wait > LONGEST_WAIT_MS) {
          for (const guestId of throttled) out.set(guestId, { read: false, problem: `Graph throttled the read and asked to wait ${Math.round(wait / 1000)} s` });
          break;
        }
        if (throttled.length > 0) await this.sleep(wait);
        pending = throttled;
      }
    }
    return out;
  }

  private async sponsorsFrom(guestId: string, answer: BatchAnswer | undefined): Promise<SponsorRead> {
    if (!answer) return { read: false, problem: 'Graph left the read out of its batch answer' };
    if (answer.status === 404) return { read: true, sponsors: [] };
    if (answer.status < 200 || answer.status >= 300) {
      const code = GraphErrorBody.safeParse(answer.body).data?.error.code;
      return { read: false, problem: `Graph answered ${answer.status}${code ? ` ${code}` : ''}` };
    }
    const page = SponsorPage.safeParse(answer.body);
    if (!page.success) return { read: false, problem: 'Graph sent sponsors I could not read' };
    const items = [...page.data.value];
    let next = page.data['@odata.nextLink'];
    while (next) {
      this.counter.calls++;
      let raw: unknown;
      try {
        raw = await this.graph.api(next).get();
      } catch (error) {
        return { read: false, problem: `the next page of sponsors of ${guestId} failed: ${error instanceof Error ? error.message : String(error)}` };
      }
      const more = SponsorPage.safeParse(raw);
      if (!more.success) return { read: false, problem: 'Graph sent sponsors I could not read' };
      items.push(...more.data.value);
      next = more.data['@odata.nextLink'];
    }
    return {
      read: true,
      sponsors: items.map((s) => ({
        id: s.id.toLowerCase(),
        kind: s['@odata.type'] === '#microsoft.graph.group' ? 'group' : 'user',
        ...(s.displayName ? { displayName: s.displayName } : {}),
        ...(s.accountEnabled !== undefined ? { accountEnabled: s.accountEnabled } : {}),
      })),
    };
  }

  private signInRefusal(error: unknown): Extract<SignInReadability, { readable: false }> | undefined {
    if (!isGraphError(error, 403)) return undefined;
    if (error.code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') return { readable: false, reason: 'noLicence' };
    if (error.code === 'Authorization_RequestDenied') return { readable: false, reason: 'noPermission' };
    return undefined;
  }

  private async listed(first: string): Promise<HygieneGuest[]> {
    try {
      return await this.pages(first);
    } catch (error) {
      throw directoryUnavailable('Listing the guests and their sign-in', error);
    }
  }

  /** Every page of a listing; Graph's error is thrown as the SDK raised it, so the caller can tell a 403 from a 400. */
  private async pages(first: string): Promise<HygieneGuest[]> {
    const users: HygieneGuest[] = [];
    let next: string | undefined = first;
    while (next) {
      this.counter.calls++;
      const raw: unknown = await this.graph.api(next).get();
      const page = UserPage.safeParse(raw);
      if (!page.success) throw directoryUnavailable('Listing the guests and their sign-in', new Error('Graph sent a page of users I could not read'));
      users.push(...page.data.value);
      next = page.data['@odata.nextLink'];
    }
    return users;
  }

  private async batch(requests: { id: string; method: 'GET'; url: string }[]): Promise<Map<string, BatchAnswer>> {
    let raw: unknown;
    try {
      this.counter.calls++;
      raw = await this.graph.api('/$batch').post({ requests });
    } catch (error) {
      throw directoryUnavailable("Reading the guests' sponsors", error);
    }
    const parsed = BatchResponse.safeParse(raw);
    if (!parsed.success) throw directoryUnavailable("Reading the guests' sponsors", batchItemError(502, undefined, 'Graph sent a batch answer I could not read'));
    return new Map(parsed.data.responses.map((r) => [r.id, r]));
  }
}
