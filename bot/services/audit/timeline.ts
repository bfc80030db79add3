import type { AuditEntry } from '../../store';

/** One line of a history or an audit page: when, who, and what happened in words. Text only; the card escapes it. */
export interface TimelineLine {
  seq: number;
  at: Date;
  who: string;
  what: string;
  /** The audit action as stored (`access.grant`), shown small so an admin can match the line to an export. */
  action: string;
  outcome: string;
}

/** What the store knows about the requests and invitations a page mentions, for app names, roles and deliveries. */
export interface TimelineContext {
  requests: ReadonlyMap<string, { appDisplayName: string; appRoleName?: string; durationDays: number }>;
  invitations: ReadonlyMap<string, { delivery: 'link' | 'email' }>;
  /** App names by service principal id, from the store's requests and the page's own rows that name the app. */
  appNames: ReadonlyMap<string, string>;
}

export const EMPTY_CONTEXT: TimelineContext = { requests: new Map(), invitations: new Map(), appNames: new Map() };

/**
 * What the rows themselves say about names: `access.request` names its app beside the id, revoke and expiry rows carry
 * the name and the id, `invite.request` and a started `invite.create` the delivery. Added to what the store knows.
 */
export function learnFromRows(entries: readonly AuditEntry[], known: Omit<TimelineContext, 'appNames'> & { appNames?: ReadonlyMap<string, string> }): TimelineContext {
  const appNames = new Map(known.appNames ?? []);
  const invitations = new Map(known.invitations);
  for (const entry of entries) {
    const detail = entry.detail;
    const app = text(detail, 'app');
    const name = text(detail, 'appName') ?? (app && !GUID.test(app) ? app : undefined);
    const id = app && GUID.test(app) ? app : text(detail, 'servicePrincipalId');
    if (name && id && !appNames.has(id.toLowerCase())) appNames.set(id.toLowerCase(), name);
    const invitation = text(detail, 'invitation');
    const delivery = text(detail, 'delivery');
    if (invitation && (delivery === 'email' || delivery === 'link') && !invitations.has(invitation)) invitations.set(invitation, { delivery });
  }
  return { requests: known.requests, invitations, appNames };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Detail keys never shown, even in the generic line: a future row kind might carry one. */
export const SECRET_DETAIL_KEY = /password|secret|token|authorization|cookie|assertion|redeem|ticket|sig$/i;

function text(detail: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = detail?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function count(detail: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = detail?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The person or the bot. `system:*` actors are the bot's own jobs. */
export function actorOf(entry: Pick<AuditEntry, 'actor' | 'actorName'>): string {
  if (entry.actorName) return entry.actorName;
  if (entry.actor.startsWith('system:')) return 'the bot';
  return entry.actor;
}

function day(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString().slice(0, 10);
}

function appOf(entry: AuditEntry, context: TimelineContext): string {
  const detail = entry.detail;
  const request = text(detail, 'request');
  const known = request ? context.requests.get(request) : undefined;
  const named = text(detail, 'appName') ?? (text(detail, 'app') && !GUID.test(text(detail, 'app') ?? '') ? text(detail, 'app') : undefined);
  const id = text(detail, 'servicePrincipalId') ?? text(detail, 'app');
  return named ?? known?.appDisplayName ?? (id ? context.appNames.get(id.toLowerCase()) : undefined) ?? id ?? 'an app';
}

const DELIVERY: Record<'link' | 'email', string> = {
  email: 'Microsoft emails the invitation',
  link: 'the inviter passes on the redemption link',
};

function deliveryOf(entry: AuditEntry, context: TimelineContext): string | undefined {
  const stated = text(entry.detail, 'delivery');
  if (stated === 'email' || stated === 'link') return DELIVERY[stated];
  const invitation = text(entry.detail, 'invitation');
  const known = invitation ? context.invitations.get(invitation) : undefined;
  return known ? DELIVERY[known.delivery] : undefined;
}

const SHADOW_ENDED: Record<string, string> = {
  disabled: 'shadow account disabled',
  keptForOtherKerberosApps: 'shadow account kept for other Kerberos apps',
  keptForOtherGrant: 'shadow account kept for another grant',
};

function withShadowEnd(sentence: string, entry: AuditEntry): string {
  const shadow = text(entry.detail, 'shadow');
  const said = shadow ? SHADOW_ENDED[shadow] : undefined;
  return said ? `${sentence}; ${said}` : sentence;
}

function reasonOf(entry: AuditEntry): string {
  const reason = text(entry.detail, 'message') ?? text(entry.detail, 'reason') ?? text(entry.detail, 'refusal');
  return reason ? `: ${reason}` : '';
}

/** The known kinds in words. Anything else, including kinds other branches add later, gets `generic`. */
function known(entry: AuditEntry, context: TimelineContext): string | undefined {
  const { action, outcome, detail } = entry;
  const app = (): string => appOf(entry, context);
  switch (action) {
    case 'invite.request': {
      const how = deliveryOf(entry, context);
      return `Invitation requested${how ? ` (${how})` : ''}`;
    }
    case 'invite.create': {
      const how = deliveryOf(entry, context);
      if (outcome === 'started') return `Invitation approved and sent to Microsoft${how ? ` (${how})` : ''}`;
      if (outcome === 'success') return `Invited${detail?.reusedExisting === true ? ' (the guest already existed)' : ''}${how ? `; ${how}` : ''}`;
      if (outcome === 'refused') return `Invitation refused${reasonOf(entry)}`;
      if (outcome === 'failed') return `Invitation failed${reasonOf(entry)}`;
      return undefined;
    }
    case 'invite.approve':
      return outcome === 'success' ? 'Invitation approved' : `Invitation approval ${outcome}${reasonOf(entry)}`;
    case 'invite.deny':
      return outcome === 'success' ? 'Invitation denied' : `Invitation denial ${outcome}${reasonOf(entry)}`;
    case 'invite.cancel':
      return 'Invitation request cancelled';
    case 'invite.resend':
      return outcome === 'success' ? 'Invitation sent again' : `Resending the invitation ${outcome}${reasonOf(entry)}`;
    case 'access.request': {
      const days = count(detail, 'days');
      const request = text(detail, 'request');
      const role = request ? context.requests.get(request)?.appRoleName : undefined;
      return `Access to ${app()}${role ? ` (${role})` : ''} requested${days ? ` for ${days} days` : ''}`;
    }
    case 'access.approve':
      return outcome === 'success' ? `Request for ${app()} approved` : `Approving ${app()} refused${reasonOf(entry)}`;
    case 'access.deny':
      return outcome === 'success' ? `Request for ${app()} denied` : `Denying ${app()} refused${reasonOf(entry)}`;
    case 'access.timeout':
      return `Request for ${app()} timed out undecided`;
    case 'access.forward': {
      if (outcome !== 'success') return `Forwarding ${app()} refused${reasonOf(entry)}`;
      const to = text(detail, 'toName');
      const comment = text(detail, 'comment');
      return `Request for ${app()} forwarded${to ? ` to ${to}` : ''}${comment ? `: ${comment}` : ''}`;
    }
    case 'access.withdraw':
      return outcome === 'success' ? `Request for ${app()} withdrawn` : `Withdrawing ${app()} refused${reasonOf(entry)}`;
    case 'access.grant': {
      if (outcome !== 'success') return `Grant of ${app()} failed${reasonOf(entry)}`;
      const until = day(text(detail, 'expiresAt'));
      const shadowAction = text(detail, 'shadowAction') ?? (detail?.shadowCreated === true ? 'created' : undefined);
      const shadow = shadowAction === 'created' ? '; shadow account created' : shadowAction === 'reenabled' ? '; shadow account re-enabled' : '';
      return `Granted ${app()}${until ? ` until ${until}` : ''}${shadow}`;
    }
    case 'access.revoke':
      if (outcome === 'started') return `Revoking ${app()}`;
      if (outcome === 'success') return withShadowEnd(`Access to ${app()} revoked`, entry);
      return `Revoking ${app()} ${outcome}${reasonOf(entry)}`;
    case 'access.expire':
      if (outcome === 'started') return `Access to ${app()} expired`;
      if (outcome === 'success') return withShadowEnd(`Access to ${app()} removed at its end`, entry);
      return `Removing ${app()} at its end failed${reasonOf(entry)}`;
    case 'access.expiryNotice': {
      const days = count(detail, 'daysBefore');
      return `Expiry notice for ${app()} sent${days ? ` ${days === 1 ? '1 day' : `${days} days`} before its end` : ''}`;
    }
    case 'access.extend': {
      const until = day(text(detail, 'until'));
      if (outcome === 'requested') return `Extension of ${app()}${until ? ` until ${until}` : ''} requested`;
      if (outcome === 'success') return `${app()} extended${until ? ` until ${until}` : ''}`;
      if (outcome === 'withdrawn') return `Extension of ${app()} withdrawn${reasonOf(entry)}`;
      return `Extension of ${app()} failed${reasonOf(entry)}`;
    }
    case 'access.letEnd':
      return `Chose to let ${app()} end${detail?.endsAt ? ` on ${day(text(detail, 'endsAt')) ?? ''}` : ''}`;
    case 'access.shorten': {
      const until = day(text(detail, 'until'));
      return `${app()} shortened${until ? ` to end ${until}` : ''}`;
    }
    default:
      return undefined;
  }
}

/**
 * Any row, also one whose kind this code has never seen: the action and outcome as stored, then the first few short
 * scalar details (never one whose key looks like a secret), so a reminder or an extension written by newer code still
 * reads as something.
 */
export function generic(entry: AuditEntry): string {
  const facts = Object.entries(entry.detail ?? {})
    .filter(([key, value]) => !SECRET_DETAIL_KEY.test(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'))
    .filter(([, value]) => String(value).length <= 80)
    .slice(0, 4)
    .map(([key, value]) => `${key} ${String(value)}`);
  return `${entry.action} (${entry.outcome})${facts.length > 0 ? `: ${facts.join(', ')}` : ''}`;
}

export function describeEntry(entry: AuditEntry, context: TimelineContext = EMPTY_CONTEXT): TimelineLine {
  return {
    seq: entry.seq,
    at: entry.at,
    who: actorOf(entry),
    what: known(entry, context) ?? generic(entry),
    action: entry.action,
    outcome: entry.outcome,
  };
}
