import type { CheckStatus, DoctorCheck, DoctorFix } from '../bot/services/doctor/checks';
import { CHECK_TITLES } from '../bot/services/doctor/checks';
import type { DoctorReport } from '../bot/services/doctor/doctorService';
import template from './doctor.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export type { DoctorReport };

/** Colour and word together, so the verdict reads the same without colour; grey is the default container. */
const STATUS: Record<CheckStatus, { verdict: string; style: string }> = {
  green: { verdict: 'Fine', style: 'good' },
  red: { verdict: 'Blocks access', style: 'attention' },
  amber: { verdict: 'Check this', style: 'warning' },
  grey: { verdict: 'Not applicable', style: 'default' },
  pending: { verdict: 'Checking…', style: 'default' },
};

/** What the row's button (or its advice line) carries: only the fields its verb reads. */
function fixRow(fix: DoctorFix | undefined, status: CheckStatus): Record<string, string> {
  const none = { fix: '', fixTitle: '', email: '', userId: '', servicePrincipalId: '', grantId: '' };
  if (!fix) return { ...none, advice: status === 'red' ? 'No fix the bot can make from here.' : '' };
  switch (fix.kind) {
    case 'resend':
      return { ...none, fix: 'resend', fixTitle: 'Resend invitation', email: fix.email, advice: '' };
    case 'resetRedemption':
      // The same button as whois: for an accepted guest it resets the redemption, after its own confirmation.
      return { ...none, fix: 'resend', fixTitle: 'Reset redemption…', email: fix.email, advice: '' };
    case 'checkRealm':
      return { ...none, fix: 'checkRealm', fixTitle: 'Check realm', email: fix.emailOrDomain, userId: fix.userId, advice: '' };
    case 'requestAccess':
      return { ...none, fix: 'requestAccess', fixTitle: 'Request access', servicePrincipalId: fix.servicePrincipalId, email: fix.partner, advice: '' };
    case 'extend':
      return { ...none, fix: 'extend', fixTitle: 'Extend', grantId: fix.grantId, advice: '' };
    case 'command':
      return { ...none, advice: plain(`${fix.why}: send "${fix.text}"`, 500) };
    case 'explain':
      return { ...none, advice: plain(`Fix: ${fix.text}`, 600) };
  }
}

function row(check: DoctorCheck) {
  const status = STATUS[check.status];
  // A green row's offer (Extend a live grant) is a convenience, not a fix: it shows only where something is wrong.
  const fix = check.status === 'green' || check.status === 'grey' || check.status === 'pending' ? undefined : check.fix;
  return { ...status, heading: plainLine(CHECK_TITLES[check.id], 100), fact: plain(check.fact, 900), ...fixRow(fix, check.status) };
}

/**
 * The access doctor: one row per link of the chain (colour and word, the fact, the fix), then the verdict on the first red
 * one. Names, app names and facts from Graph and AD are data, shown as plain text.
 */
export function doctor(report: DoctorReport) {
  const who = report.user?.displayName ?? report.query;
  const red = report.checks.some((c) => c.status === 'red');
  const amber = report.checks.some((c) => c.status === 'amber');
  return renderCard(template, {
    title: plainLine(report.app ? `Why can't ${who} open ${report.app.displayName}?` : `Why can't ${who} sign in?`, 300),
    subtitle: plainLine(report.user ? report.user.address : '', 300),
    checks: report.checks.map(row),
    verdictLabel: report.checking ? 'Verdict: still checking' : red ? 'Verdict: blocked' : amber ? 'Verdict: check the amber rows' : 'Verdict: nothing blocks',
    verdictStyle: report.checking ? 'default' : red ? 'attention' : amber ? 'warning' : 'good',
    verdictText: plain(report.verdict, 600),
    user: report.user?.id ?? report.query,
    appId: report.app?.servicePrincipalId ?? '',
  });
}
