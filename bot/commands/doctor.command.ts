import { z } from 'zod';
import { doctorReply, DOCTOR_USAGE } from '../presenters/doctor.presenter';
import type { DoctorReport } from '../services/doctor/doctorService';
import { unwrapTeamsLinks } from '../services/userRef';
import { defineCommand } from './defineCommand';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `doctor ana@fabrikam.com Expense Portal`, `doctor ana@fabrikam.com for Expense Portal`, `why Raj Patel for Expenses`: an
 * address or id is one word and the rest names the app; a display name runs to the last " for ".
 */
export const DoctorArgs = z.object({ rest: z.string() }).transform((tokens, ctx) => {
  const text = unwrapTeamsLinks(tokens.rest).replace(/\s+/g, ' ').trim();
  const unquote = (s: string) => s.replace(/^["\u201c\u201e]+|["\u201d]+$/g, '').trim();
  const [first = '', ...others] = text.split(' ');
  let user: string;
  let app: string | undefined;
  if (first.includes('@') || GUID.test(first)) {
    user = first.replace(/^mailto:/i, '');
    app = unquote(others.join(' ').replace(/^for\s+/i, '')) || undefined;
  } else {
    const match = /^(.*\S)\s+for\s+(.+)$/i.exec(text);
    user = unquote(match?.[1] ?? text);
    app = match?.[2] !== undefined ? unquote(match[2]) || undefined : undefined;
  }
  if (user === '') {
    ctx.addIssue({ code: 'custom', message: 'Name the person: their email address, UPN, object id or display name.' });
    return z.NEVER;
  }
  return { user, ...(app !== undefined ? { app } : {}) };
});

export const doctor = defineCommand({
  name: 'doctor',
  aliases: ['why'],
  summary: "Find out why a partner cannot sign in, or cannot open an app: every link checked, each with its fact and fix",
  usage: DOCTOR_USAGE,
  args: DoctorArgs,
  // An app's owners may run it on their app whatever their role here, so the right is checked per app in the service.
  permission: 'everyone',
  audience: "partner managers and admins, and an app's owners for their app",
  sideEffect: 'none',
  examples: ['doctor rpatel@contoso.com Contoso Timesheets (IWA)', 'why bob@tailspintoys.com'],
  description:
    "the access doctor: one row per link of the chain, each green (fine), red (blocks access), amber (may block, or could not be checked, and why) or grey (not applicable), with the fact it rests on and the fix. Without an app: the account (exists, enabled, UserType), the invitation (redeemed, since when) and where a sign-in with their address goes (the realm verdict, and the home-realm problem of a synced partner). With an app, also: assigned (directly or through which group, which role, and the bot's grant and its end), the bot's grant (live, ending within 7 days, expired, revoked or failed), App Proxy pre-authentication and whether publishing is on, the single sign-on mode, and for a Kerberos app the shadow account in on-prem AD (exists, enabled, not locked out, in ONPREM_GUEST_OU, UPN equal to the guest's, sAMAccountName at most 20) and the Delegated Login Identity. Always: Conditional Access (the enabled policies that take in this guest, by user, guest type, group or All, and this app or All, minus exclusions: red for a block, amber for MFA, terms of use or report-only, each policy named, never changed) and recent sign-ins (the last failures from the sign-in log, the AADSTS codes in words, each pointing to the row concerned); either is amber, naming Policy.Read.All, AuditLog.Read.All or the Entra ID P1/P2 licence, when Graph refuses. The card ends with the first red check in plain words. Fixes reuse the existing buttons and their own checks and confirmations: Resend invitation or Reset redemption…, Check realm, Request access (prefilled), Extend; otherwise the command to send (invite, signin, whois) or the setting to change, where no fix exists. Reads only. Graph: the whois `$batch` (one round trip), realm's address-owner read, one `$batch` for the policies, the person's groups and the sign-in log (with an app, also the user's assignments), and with an app the app list (cached publishing settings); one LDAP search for a Kerberos app.",
  async run({ services, caller, interim }, { user, app }) {
    // Past the turn budget the person sees the rows read so far, filled in as the other reads answer.
    const progress = interim ? (report: DoctorReport) => interim(doctorReply({ kind: 'report', report })) : undefined;
    return doctorReply(await services.doctor.diagnose(caller, user, app, progress));
  },
});
