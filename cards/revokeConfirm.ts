import template from './revokeConfirm.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface RevokeConfirmData {
  /** The buttons carry the app's service principal id and the partner's address; the click checks everything again. */
  servicePrincipalId: string;
  address: string;
  /** Revoke's button carries only this: the app and the partner that revoke.confirm removes are the stored ones. */
  confirmationId: string;
  guestName: string;
  /** The address in Unicode, as people read it. */
  email: string;
  userPrincipalName: string;
  appName: string;
  sso: string;
  roles: string[];
  /** How the access came about: the bot's grant (who asked, until when) or Entra directly. */
  granted: string;
  /** What happens to the partner's on-prem shadow account. */
  shadow: string;
  /** Things to know before clicking: a pending request that would grant again, access the bot did not grant. */
  warnings: string[];
  /** Why this person may revoke (admin, or owner of the app). */
  note: string;
  /** The bot's grants on this app, one line each: removed by the confirm button. */
  botItems: string[];
  /** Direct assignments the bot did not make: each a toggle, off by default; `id` is `remove:<assignment id>`. */
  directItems: { assignmentId: string; title: string }[];
  /** Assignments through a group: revoke cannot remove them, and the line says which group. */
  groupItems: string[];
}

/** The choice input of the direct assignments: one toggle each, `remove:<assignment id>`, read back by the router. */
export const REVOKE_TOGGLE_INPUT = 'remove';
const REVOKE_TOGGLE_PREFIX = `${REVOKE_TOGGLE_INPUT}:`;

/** The one confirmation before access is removed: who, which app, which roles, and what happens on-prem. */
export function revokeConfirm(data: RevokeConfirmData) {
  return renderCard(template, {
    servicePrincipalId: data.servicePrincipalId,
    address: data.address,
    confirmationId: data.confirmationId,
    guestName: plainLine(data.guestName || data.email, 200),
    email: plainLine(data.email, 254),
    userPrincipalName: plainLine(data.userPrincipalName, 300),
    appName: plainLine(data.appName, 200),
    sso: plainLine(data.sso, 200),
    roles: plain(data.roles.length > 0 ? data.roles.join(', ') : 'None left in Entra', 600),
    granted: plain(data.granted, 600),
    shadow: plain(data.shadow, 400),
    warnings: data.warnings.slice(0, 5).map((w) => plain(w, 600)),
    note: plain(data.note, 400),
    botItems: data.botItems.slice(0, 20).map((t) => plain(t, 600)),
    directItems: data.directItems.slice(0, 20).map((d) => ({ id: `${REVOKE_TOGGLE_PREFIX}${d.assignmentId}`, title: plainLine(d.title, 400) })),
    groupItems: data.groupItems.slice(0, 20).map((t) => plain(t, 600)),
  });
}
