import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { describeGraphError, directoryUnavailable, isGraphError } from './errors';
import { retryWhileReplicating } from './replication';
import { odataString, pathSegment, queryString } from './odata';
import { mapBounded } from './boundedMap';
import { allPages } from './paging';
import type { AppProxyCache } from './appProxyCache';

/** The tag Entra puts on every service principal published through application proxy. */
export const ON_PREM_APP_TAG = 'WindowsAzureActiveDirectoryOnPremApp';
/** The "default access" role Graph uses when an app declares no app roles. */
export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Publishing settings are one beta read per app; more at once only brings Graph's throttling sooner. Kept over a `$batch` of
 * 20: a batch saves round trips but not resource units (each item is charged as its own request), and the Graph client's
 * retry handler does not retry a throttled item inside a batch, so a batch would need its own per-item back-off.
 */
export const PUBLISHING_READS_IN_FLIGHT = 4;

/** preferredSingleSignOnMode values that rule Kerberos out, so an unreadable onPremisesPublishing hides no Kerberos step. */
const NOT_KERBEROS_MODES = new Set(['saml', 'password', 'oidc']);

export type SsoKind = 'saml' | 'kerberos' | 'headerBased' | 'none';

export interface AppRole {
  id: string;
  displayName: string;
  description?: string;
  /** The role's value (the claim an app sees); ONPREM_APP_ROLE_GROUPS may name a role by it. */
  value?: string;
}

export interface ProxyApp {
  servicePrincipalId: string;
  appId: string;
  displayName: string;
  externalUrl?: string;
  ssoKind: SsoKind;
  /** The SPN App Proxy asks a ticket for, when the app uses Kerberos constrained delegation. */
  kerberosSpn?: string;
  roles: AppRole[];
  /**
   * How App Proxy lets people reach the app (`externalAuthenticationType`): `aadPreAuthentication` signs them in with Entra
   * first (assignments and Conditional Access apply), `passthru` lets anyone through to the app's own sign-in. Undefined when
   * the settings were not read. The access doctor shows it.
   */
  preAuthentication?: string;
  /** `isOnPremPublishingEnabled`: false when the app's publishing is switched off, so nobody reaches it from outside. */
  publishingEnabled?: boolean;
  /** The Delegated Login Identity a Kerberos app's connector asks a ticket for (`kerberosSignOnMappingAttributeType`). */
  kerberosMapping?: string;
  /**
   * Why the App Proxy settings (onPremisesPublishing) could not be read, when they matter: without them the bot cannot tell
   * whether the app signs in with Kerberos and so needs a shadow account. Access to such an app is refused with this reason
   * rather than granted without its Kerberos step.
   */
  publishingUnreadable?: string;
}

export interface Owner {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
}

export interface Assignment {
  id: string;
  appRoleId: string;
  resourceId: string;
  principalId: string;
  /** 'User' or 'Group': a user's list holds their groups' assignments too. */
  principalType?: string;
  /** The group's name for a group's assignment, so revoke can say which group gives the access. */
  principalDisplayName?: string;
  /** When it was made: revoke tells a direct assignment older than the bot's grant by it. */
  createdDateTime?: string;
}

const str = z.string().nullish().transform((v) => v ?? undefined);

const SpSchema = z.object({
  id: z.string(),
  appId: z.string(),
  displayName: z.string(),
  preferredSingleSignOnMode: str,
  appRoles: z
    .array(z.object({ id: z.string(), displayName: z.string().nullish(), description: str, value: str, isEnabled: z.boolean().nullish(), allowedMemberTypes: z.array(z.string()).nullish() }))
    .nullish()
    .transform((v) => v ?? []),
});

const PublishingSchema = z
  .object({
    externalUrl: str,
    externalAuthenticationType: str,
    isOnPremPublishingEnabled: z.boolean().nullish(),
    singleSignOnSettings: z
      .object({
        singleSignOnMode: str,
        kerberosSignOnSettings: z.object({ kerberosServicePrincipalName: str, kerberosSignOnMappingAttributeType: str }).nullish(),
      })
      .nullish(),
  })
  .nullish();
const AppPublishing = z.object({ onPremisesPublishing: PublishingSchema.optional() });

const OwnerList = z.object({
  value: z.array(z.object({ '@odata.type': z.string().optional(), id: z.string(), displayName: str, userPrincipalName: str })),
});

const AssignmentSchema = z.object({
  id: z.string(),
  appRoleId: z.string(),
  resourceId: z.string(),
  principalId: z.string(),
  principalType: str,
  principalDisplayName: str,
  createdDateTime: str,
});

const SP_SELECT = 'id,appId,displayName,preferredSingleSignOnMode,appRoles';

/** SSO kind from the beta onPremisesPublishing settings first, then the service principal's preferred mode. */
export function ssoKindOf(singleSignOnMode: string | undefined, preferredMode: string | undefined): SsoKind {
  switch (singleSignOnMode) {
    case 'onPremisesKerberos':
      return 'kerberos';
    case 'saml':
      return 'saml';
    case 'pingHeaderBased':
    case 'aadHeaderBased':
      return 'headerBased';
    case undefined:
    default:
      return preferredMode === 'saml' ? 'saml' : 'none';
  }
}

function userRoles(sp: z.infer<typeof SpSchema>): AppRole[] {
  return sp.appRoles
    .filter((r) => r.isEnabled !== false && (r.allowedMemberTypes ?? ['User']).includes('User'))
    .map((r) => ({ id: r.id, displayName: r.displayName ?? r.id, ...(r.description ? { description: r.description } : {}), ...(r.value ? { value: r.value } : {}) }));
}

/** Typed Graph calls for application proxy apps and their role assignments. Every call selects only what it needs. */
export class GraphAppProxy {
  constructor(
    private readonly graph: Client,
    /** Without one, every listing reads every app's publishing settings again. */
    private readonly cache?: AppProxyCache,
  ) {}

  /**
   * One call for the service principals (so a new or removed app shows at once), then one beta call per app whose
   * publishing settings are not cached, a few at a time: with a warm cache the listing costs one call however many apps
   * the tenant has.
   */
  async listApps(): Promise<ProxyApp[]> {
    let sps: z.infer<typeof SpSchema>[];
    try {
      const query = queryString({ $filter: `tags/any(t:t eq ${odataString(ON_PREM_APP_TAG)})`, $select: SP_SELECT, $top: '999' });
      sps = await allPages(this.graph, `/servicePrincipals?${query}`, SpSchema);
    } catch (error) {
      throw directoryUnavailable('Listing application proxy apps', error);
    }
    const apps = await mapBounded(sps, PUBLISHING_READS_IN_FLIGHT, (sp) => this.withPublishing(sp, 'cached'));
    return apps.sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /**
   * One app by service principal id, with its publishing settings read from Graph now (never the cache: request, approve
   * and revoke act on what this returns); undefined when it is not an App Proxy app.
   */
  async getApp(servicePrincipalId: string): Promise<ProxyApp | undefined> {
    let sp: z.infer<typeof SpSchema>;
    try {
      const response: unknown = await this.graph.api(`/servicePrincipals/${pathSegment(servicePrincipalId)}`).select(`${SP_SELECT},tags`).get();
      const parsed = SpSchema.extend({ tags: z.array(z.string()).nullish() }).parse(response);
      if (!(parsed.tags ?? []).includes(ON_PREM_APP_TAG)) return undefined;
      sp = parsed;
    } catch (error) {
      if (isGraphError(error, 404)) return undefined;
      throw directoryUnavailable('Reading the application', error);
    }
    return this.withPublishing(sp, 'fresh');
  }

  /**
   * The publishing settings the documented way: the application object by its appId key, with `$select` (GD api
   * application-get: `GET /applications(appId='{appId}')`; concepts/application-proxy-configure-api reads
   * onPremisesPublishing per application with $select on beta). A null or a refused read is tolerated for an app whose
   * preferred sign-on mode rules Kerberos out; otherwise it is recorded as the reason the app cannot be granted.
   */
  private async withPublishing(sp: z.infer<typeof SpSchema>, source: 'cached' | 'fresh'): Promise<ProxyApp> {
    let publishing: z.infer<typeof PublishingSchema>;
    let unreadable: string | undefined;
    const key = sp.appId.toLowerCase();
    const cached = source === 'cached' ? this.cache?.publishing.get(key) : undefined;
    try {
      const response: unknown =
        cached !== undefined
          ? { onPremisesPublishing: cached }
          : await this.graph.api(`/applications(appId=${odataString(sp.appId)})`).version('beta').select('onPremisesPublishing').get();
      publishing = AppPublishing.parse(response).onPremisesPublishing;
      // Only a readable answer is kept (null included: it is what Graph says about the app); a failure is asked again.
      if (cached === undefined) this.cache?.publishing.set(key, publishing ?? null);
      if (!publishing) unreadable = 'Graph returned no onPremisesPublishing settings for it';
    } catch (error) {
      this.cache?.publishing.delete(key);
      unreadable = isGraphError(error, 404) ? 'its application object was not found' : `the read failed (${describeGraphError(error)})`;
    }
    const sso = publishing?.singleSignOnSettings;
    const kerberosSpn = sso?.kerberosSignOnSettings?.kerberosServicePrincipalName;
    const kerberosRuledOut = NOT_KERBEROS_MODES.has((sp.preferredSingleSignOnMode ?? '').toLowerCase());
    return {
      servicePrincipalId: sp.id,
      appId: sp.appId,
      displayName: sp.displayName,
      ...(publishing?.externalUrl ? { externalUrl: publishing.externalUrl } : {}),
      ssoKind: ssoKindOf(sso?.singleSignOnMode, sp.preferredSingleSignOnMode),
      ...(kerberosSpn ? { kerberosSpn } : {}),
      ...(publishing?.externalAuthenticationType ? { preAuthentication: publishing.externalAuthenticationType } : {}),
      ...(typeof publishing?.isOnPremPublishingEnabled === 'boolean' ? { publishingEnabled: publishing.isOnPremPublishingEnabled } : {}),
      ...(sso?.kerberosSignOnSettings?.kerberosSignOnMappingAttributeType ? { kerberosMapping: sso.kerberosSignOnSettings.kerberosSignOnMappingAttributeType } : {}),
      roles: userRoles(sp),
      ...(unreadable && !kerberosRuledOut
        ? { publishingUnreadable: `I could not read the App Proxy settings of ${sp.displayName}: ${unreadable}. Without them I cannot tell whether it signs in with Kerberos and needs a shadow account in on-prem AD. Ask an admin to check that the bot has Application.Read.All.` }
        : {}),
    };
  }

  /** The owning users of a service principal: the app's approvers. */
  async listOwners(servicePrincipalId: string): Promise<Owner[]> {
    try {
      const response: unknown = await this.graph
        .api(`/servicePrincipals/${pathSegment(servicePrincipalId)}/owners`)
        .select('id,displayName,userPrincipalName')
        .get();
      return OwnerList.parse(response)
        .value.filter((o) => o['@odata.type'] === undefined || o['@odata.type'] === '#microsoft.graph.user')
        .map((o) => ({ id: o.id, ...(o.displayName ? { displayName: o.displayName } : {}), ...(o.userPrincipalName ? { userPrincipalName: o.userPrincipalName } : {}) }));
    } catch (error) {
      throw directoryUnavailable('Listing the application owners', error);
    }
  }

  /**
   * A user's role assignments (all apps), as Graph lists them: their own and those of the groups they are a direct member
   * of (principalId is then the group). Callers filter by resource, and by principal before changing anything.
   */
  async listUserAssignments(userObjectId: string): Promise<Assignment[]> {
    try {
      // A guest invited a moment ago may not have replicated yet: Graph's 404 naming them is retried briefly, then kept.
      return await retryWhileReplicating(userObjectId, () =>
        allPages(this.graph, `/users/${pathSegment(userObjectId)}/appRoleAssignments?${queryString({ $select: 'id,appRoleId,resourceId,principalId,principalType,principalDisplayName,createdDateTime' })}`, AssignmentSchema),
      );
    } catch (error) {
      throw directoryUnavailable("Listing the user's app assignments", error);
    }
  }

  /**
   * Assigns the role. Graph's 400 "Permission being assigned already exists on the object" means a previous attempt (or
   * someone else) already did it: that counts as done, and the existing assignment is looked up and returned.
   */
  async assign(servicePrincipalId: string, principalId: string, appRoleId: string): Promise<{ assignment: Assignment; alreadyExisted: boolean }> {
    try {
      // As for the read: a guest that has not replicated yet is named in Graph's 404 or 400, retried briefly, then kept.
      const response: unknown = await retryWhileReplicating(principalId, () =>
        this.graph.api(`/servicePrincipals/${pathSegment(servicePrincipalId)}/appRoleAssignedTo`).post({ principalId, resourceId: servicePrincipalId, appRoleId }),
      );
      return { assignment: AssignmentSchema.parse(response), alreadyExisted: false };
    } catch (error) {
      if (isGraphError(error, 400) && /already exists/i.test(error.message)) {
        // The user's list also holds their groups' assignments; only their own is the one that "already exists".
        const existing = (await this.listUserAssignments(principalId)).find(
          (a) =>
            a.principalId.toLowerCase() === principalId.toLowerCase() &&
            a.resourceId.toLowerCase() === servicePrincipalId.toLowerCase() &&
            a.appRoleId.toLowerCase() === appRoleId.toLowerCase(),
        );
        if (existing) return { assignment: existing, alreadyExisted: true };
      }
      throw directoryUnavailable('Assigning the app role', error);
    }
  }

  /**
   * Removes an assignment; one that is already gone counts as removed. Returns whether this call removed it (false for the
   * 404), so a caller racing another removal can tell who did it.
   */
  async unassign(servicePrincipalId: string, assignmentId: string): Promise<boolean> {
    try {
      await this.graph.api(`/servicePrincipals/${pathSegment(servicePrincipalId)}/appRoleAssignedTo/${pathSegment(assignmentId)}`).delete();
      return true;
    } catch (error) {
      if (isGraphError(error, 404)) return false;
      throw directoryUnavailable('Removing the app role assignment', error);
    }
  }
}
