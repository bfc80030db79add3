import type { RealmReport } from '../bot/services/lookup';
import type { RealmKind } from '../bot/services/realmVerdict';
import template from './realm.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export type { RealmReport };

const KINDS: Record<RealmKind, { label: string; color: string; style: string }> = {
  managedTenant: { label: "Another organization's Entra tenant", color: 'accent', style: 'emphasis' },
  federated: { label: "Federated with the organization's own identity provider", color: 'accent', style: 'emphasis' },
  consumerOrUnknown: { label: 'No Entra organization: Microsoft account or one-time passcode', color: 'warning', style: 'warning' },
  ownManaged: { label: 'One of our addresses', color: 'good', style: 'good' },
  ownFederated: { label: 'One of our domains, federated with our on-prem IdP', color: 'good', style: 'good' },
};

function problemOf(report: RealmReport): { show: boolean; title: string; text: string; steps: string[] } {
  const problem = report.homeRealmProblem;
  if (!problem) return { show: false, title: '', text: '', steps: [] };
  const { verdict } = report;
  const name = problem.user.displayName;
  const upn = problem.user.userPrincipalName ?? 'their cloud UPN';
  const where =
    verdict.kind === 'managedTenant' || verdict.kind === 'federated'
      ? `${verdict.organizationName ?? verdict.domain}'s tenant`
      : 'a Microsoft account or one-time passcode sign-in';
  const upnRealm = problem.upnRealm;
  const upnDomain = upnRealm?.domain ?? upn.slice(upn.lastIndexOf('@') + 1);
  const federateStep =
    upnRealm?.kind === 'ownFederated'
      ? `Federate the cloud UPN suffix with our on-prem IdP: done, ${upnDomain} is federated${upnRealm.federation?.idpHost ? ` with ${upnRealm.federation.idpHost}` : ''}.`
      : upnRealm?.kind === 'ownManaged'
        ? `Federate the cloud UPN suffix with our on-prem IdP: not done, ${upnDomain} is a managed domain, so the local password is not what Entra checks.`
        : `Federate the cloud UPN suffix (${upnDomain}) with our on-prem IdP.`;
  return {
    show: true,
    title: plain(`A sign-in as ${report.query} will not reach ${name}'s account here`),
    text: plain(
      `${name} exists here as a synced local account (${upn}). Entra finds the home realm from the domain of the sign-in name, so a sign-in as ${report.query} will be sent to ${where}, and the local credentials we manage won't work there.`,
      800,
    ),
    // The number is ours and goes on after escaping: plain() escapes a leading "1." so user text cannot start a list.
    steps: [
      `Sync the partner accounts to Entra ID: done for ${name}.`,
      federateStep,
      'Move the app trust from the on-prem IdP to Entra ID.',
      `Have ${name} sign in as ${upn} through a tenanted endpoint (our own sign-in URL, such as contoso.sharepoint.com or login.microsoftonline.com/<our tenant id>), not the common one.`,
    ].map((step, index) => `${index + 1}. ${plain(step, 400)}`),
  };
}

/** The realm card: the verdict as a sentence, the facts behind it, what is missing, and the home-realm problem when there is one. */
export function realm(report: RealmReport, options: { backToUserId?: string } = {}) {
  const v = report.verdict;
  const kind = KINDS[v.kind];
  const facts: { title: string; value: string }[] = [{ title: 'Domain', value: v.domain }];
  if (v.asciiDomain) facts.push({ title: 'Punycode', value: v.asciiDomain });
  if (v.organizationName) facts.push({ title: 'Organization', value: v.organizationName });
  if (v.tenantId) facts.push({ title: 'Tenant id', value: v.tenantId });
  if (v.federation?.idpHost) facts.push({ title: 'Identity provider', value: v.federation.idpHost });
  if (v.federation?.protocol) facts.push({ title: 'Protocol', value: v.federation.protocol });
  if (v.microsoftAccount !== undefined) facts.push({ title: 'Microsoft account', value: v.microsoftAccount ? 'Yes' : 'No' });
  return renderCard(template, {
    ...kind,
    title: plainLine(`Where a sign-in for ${report.query} goes`, 300),
    sentence: plain(v.sentence, 1000),
    facts: facts.map((f) => ({ title: f.title, value: plain(f.value, 300) })),
    missing: v.missing.map((m) => plain(`• ${m}`, 300)),
    problem: problemOf(report),
    backToUserId: options.backToUserId ?? '',
    note: report.ownerCheckFailed ? 'I could not check whether one of our synced accounts holds this address (Microsoft Graph did not answer).' : '',
  });
}
