import type { CapabilityCaller } from '../../identity/capabilities';
import type { ProxyApp } from '../../graph/appProxy';
import type { LookupService, UserSummary } from '../lookup';
import type { RealmLookup, RealmVerdict } from '../realmVerdict';

/**
 * The four steps of "Let your partners use email as sign-in to access cloud apps" (Microsoft's B2B hybrid guidance,
 * "Grant locally managed partner accounts access to cloud resources"): 1. the account is synced from AD as a Guest;
 * 2. its cloud UPN suffix is one of our verified domains, federated with our on-prem IdP; 3. the apps it uses trust Entra;
 * 4. the partner signs in through a tenanted endpoint, because a sign-in with their own email at a common endpoint goes to
 * the home realm of that email's domain.
 */
export interface SigninStep {
  step: 1 | 2 | 3 | 4;
  title: string;
  ok: boolean;
  /** The fact behind the verdict, in a sentence. */
  fact: string;
}

export type SigninReport =
  | { kind: 'notFound'; email: string }
  | { kind: 'ambiguous'; email: string; count: number }
  | {
      kind: 'checked';
      email: string;
      person: { id: string; displayName: string; userPrincipalName?: string };
      steps: SigninStep[];
      /** The tenanted sign-in address to send them. */
      signInUrl: string;
    };

/** What the checklist reads: the whois lookup, home realm discovery, and the App Proxy apps with their sign-in modes. */
export interface SigninPorts {
  lookup: Pick<LookupService, 'whois'>;
  realm: RealmLookup;
  apps: { listApps(): Promise<ProxyApp[]> };
  /** The tenanted sign-in address to send partners (tenantedSignInUrl). */
  signInUrl: string;
}

const SSO_WORDS: Record<ProxyApp['ssoKind'], string> = {
  kerberos: 'Kerberos (integrated Windows) through Application Proxy',
  saml: 'SAML single sign-on',
  headerBased: 'header-based single sign-on through Application Proxy',
  none: 'Entra pre-authentication through Application Proxy, no single sign-on to the app',
};

function domainOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : undefined;
}

/** The URL to send a partner: My Apps with our tenant in it, as Microsoft's own conversion guidance links it. */
export function tenantedSignInUrl(tenantId: string): string {
  return `https://myapps.microsoft.com/?tenantid=${encodeURIComponent(tenantId)}`;
}

function syncedStep(user: UserSummary): SigninStep {
  const title = 'Synced from on-prem AD as a Guest';
  const onPrem = user.onPremises;
  if (!onPrem) {
    const what = user.source.kind === 'invitedGuest' ? 'an invited B2B guest' : 'a cloud-only account';
    return { step: 1, title, ok: false, fact: `Not synced from AD: it is ${what}. Email as sign-in with local credentials is for partner accounts synced from AD.` };
  }
  const name = [onPrem.userPrincipalName, onPrem.samAccountName ? `(${onPrem.samAccountName})` : undefined].filter(Boolean).join(' ');
  if (user.userType !== 'Guest') {
    return {
      step: 1,
      title,
      ok: false,
      fact: `Synced from AD as ${name || 'an AD account'}, but with UserType ${user.userType ?? 'unknown'}: the sync rule must make partners Guest, and until it does this partner has a member's access.`,
    };
  }
  return { step: 1, title, ok: true, fact: `Synced from AD as ${name || 'an AD account'}, UserType Guest.` };
}

function federationStep(user: UserSummary, verdict: RealmVerdict | undefined): SigninStep {
  const title = 'Cloud UPN suffix is our verified domain, federated with our on-prem IdP';
  const suffix = domainOf(user.userPrincipalName);
  if (!suffix || !verdict) return { step: 2, title, ok: false, fact: 'The cloud UPN suffix could not be checked; try again.' };
  if (verdict.kind === 'ownFederated') {
    const idp = verdict.federation?.idpHost ?? verdict.federation?.brand;
    return { step: 2, title, ok: true, fact: `${suffix} is a verified domain of ours, federated${idp ? ` with ${idp}` : ''} (federationConfiguration).` };
  }
  if (verdict.kind === 'ownManaged') {
    return { step: 2, title, ok: false, fact: `${suffix} is ours but managed, not federated: Entra checks the password itself. Federate ${suffix} with the on-prem IdP.` };
  }
  return { step: 2, title, ok: false, fact: `${suffix} is not a verified domain of ours (${verdict.sentence}). Give the account a cloud UPN in a domain federated with the on-prem IdP.` };
}

function appsStep(user: UserSummary, apps: ProxyApp[] | undefined): SigninStep {
  const title = 'The apps they use trust Entra';
  if (!user.appAccess.available) return { step: 3, title, ok: false, fact: `Their app assignments could not be read (${user.appAccess.reason}).` };
  if (user.appAccess.apps.length === 0) {
    return { step: 3, title, ok: false, fact: 'They are assigned to no app in Entra: until an app trusts Entra and they are assigned to it, their sign-in there gives them nothing.' };
  }
  const byName = new Map((apps ?? []).map((a) => [a.displayName.toLowerCase(), a]));
  const lines = user.appAccess.apps.map((a) => {
    const app = byName.get(a.appName.toLowerCase());
    const mode = app ? SSO_WORDS[app.ssoKind] : 'sign-in mode not readable';
    return `${a.appName} (${a.roleName}${a.throughGroup ? ', through a group' : ''}): ${mode}`;
  });
  return { step: 3, title, ok: true, fact: `${lines.join('; ')}${user.appAccess.more ? '; and more' : ''}.` };
}

function endpointStep(email: string, emailRealm: RealmVerdict | undefined, url: string): SigninStep {
  const title = 'They sign in through a tenanted endpoint';
  const where = emailRealm ? emailRealm.sentence : 'Where a sign-in with their email goes could not be checked.';
  return { step: 4, title, ok: true, fact: `Send them ${url}. At a common endpoint, ${email} is sent to its own home realm: ${where}` };
}

/** The checklist for one partner, named by their email. Reads only. */
export async function checkSignin(ports: SigninPorts, caller: CapabilityCaller, email: string): Promise<SigninReport> {
  const found = await ports.lookup.whois({ kind: 'email', value: email }, caller);
  if (found.kind === 'notFound') return { kind: 'notFound', email };
  if (found.kind === 'ambiguous') return { kind: 'ambiguous', email, count: found.candidates.length };
  const user = found.user;
  const suffix = domainOf(user.userPrincipalName);
  const [upnRealm, emailRealm, apps] = await Promise.all([
    suffix ? ports.realm.resolve(suffix).catch(() => undefined) : Promise.resolve(undefined),
    ports.realm.resolve(email).catch(() => undefined),
    ports.apps.listApps().catch(() => undefined),
  ]);
  const url = ports.signInUrl;
  return {
    kind: 'checked',
    email,
    person: { id: user.id, displayName: user.displayName, ...(user.userPrincipalName ? { userPrincipalName: user.userPrincipalName } : {}) },
    steps: [syncedStep(user), federationStep(user, upnRealm), appsStep(user, apps), endpointStep(email, emailRealm, url)],
    signInUrl: url,
  };
}
