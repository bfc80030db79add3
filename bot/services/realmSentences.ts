import type { RealmVerdict } from './realmVerdict';
import type { EmailAddress } from './userRef';

function possessive(name: string): string {
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}

/** The domain as people should read it, with the punycode form beside it so a look-alike domain shows. */
export function shownDomain(v: Pick<RealmVerdict, 'domain' | 'asciiDomain'>): string {
  return v.asciiDomain ? `${v.domain} (${v.asciiDomain})` : v.domain;
}

export interface SentenceFacts {
  /** The address asked about, when it was an address rather than a bare domain. */
  email: EmailAddress | undefined;
  /** Whether Entra's home realm discovery answered (or the domain is ours, which needs none). */
  realmKnown: boolean;
  /** An unmanaged (self-service) Entra directory. */
  viral: boolean;
}

/** The one plain sentence a card shows: where the sign-in goes and what that means for the guest. */
export function sentenceFor(v: RealmVerdict, { email, realmKnown, viral }: SentenceFacts): string {
  const who = email ? `${email.local}@${v.domain}` : `someone with an address in ${shownDomain(v)}`;
  const subject = email ? `A guest who signs in as ${who}` : 'A guest with an address in this domain';
  const org = v.organizationName ?? 'their organization';
  switch (v.kind) {
    case 'managedTenant':
      if (!realmKnown) {
        return `${shownDomain(v)} belongs to a Microsoft Entra tenant${v.tenantId ? ` (${v.tenantId})` : ''}. I could not check whether it sends sign-ins to its own identity provider.`;
      }
      return `${shownDomain(v)} belongs to ${possessive(org)} Microsoft Entra tenant${v.tenantId ? ` (${v.tenantId})` : ''}. ${subject} uses their own ${v.organizationName ?? 'work'} account; their organization's sign-in rules, such as MFA, apply.`;
    case 'federated': {
      const idp = v.federation?.idpHost ? ` at ${v.federation.idpHost}` : '';
      const protocol = v.federation?.protocol ? ` over ${v.federation.protocol}` : '';
      return `${shownDomain(v)} is federated: Entra sends the sign-in to ${possessive(org)} own identity provider${idp}${protocol}. ${subject} signs in there with their ${v.organizationName ?? 'organization'} account.`;
    }
    case 'consumerOrUnknown': {
      if (!realmKnown) {
        return `I could not find out where a sign-in for ${shownDomain(v)} goes: Entra's home realm discovery did not answer. Try again in a minute.`;
      }
      const unmanaged = viral ? ' It only has an unmanaged (self-service) Entra directory, which no admin has taken over.' : '';
      const base = `${shownDomain(v)} has no Microsoft Entra organization of its own.${unmanaged} A guest with this address redeems the invitation with a Microsoft account, or with an email one-time passcode if they have none.`;
      if (email && v.microsoftAccount === true) return `${base} ${who} has a Microsoft account, so they will sign in with it.`;
      if (email && v.microsoftAccount === false) return `${base} ${who} has no Microsoft account, so they will get a one-time passcode by email.`;
      return base;
    }
    case 'ownManaged':
      return `${shownDomain(v)} is one of our addresses: it is a managed domain of our own tenant. Someone with this address is one of our own users and signs in with their account here; they do not need an invitation.`;
    case 'ownFederated': {
      const idp = v.federation?.idpHost ? ` at ${v.federation.idpHost}` : '';
      const protocol = v.federation?.protocol ? ` (${v.federation.protocol})` : '';
      return `${shownDomain(v)} is one of our own domains, federated with our on-premises identity provider${idp}${protocol}. A partner who signs in with an email in this domain is sent to our IdP and signs in with the account we manage for them in Active Directory: this is how locally managed partners use their email as sign-in.`;
    }
  }
}
