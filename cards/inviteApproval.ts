import template from './inviteApproval.card.json';
import { TONES, type Tone } from './notice';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface InviteApprovalData {
  id: string;
  tone: Tone;
  /** The request's state in words ("Waiting for an admin", "Approved by Adele Vance"). */
  status: string;
  summary: string;
  email: string;
  domain: string;
  requester: string;
  displayName?: string;
  delivery: string;
  groups: string;
  requestedAt: string;
  message?: string;
  /** The manager's reason for asking. */
  justification?: string;
  /** Where the partner's sign-in goes, as known when the request was made. */
  signIn?: string;
  /** The deciding admin's comment, once decided. */
  decisionComment?: string;
  decidedBy?: string;
  /** Only for an admin other than the requester while the request is pending. */
  canDecide: boolean;
  viewerNote?: string;
  /** Teams user ids (29:…) that refresh the card, at most 60: each admin sees the current state. */
  approverIds: string[];
}

/** The approval card sent to every admin; refreshed on view so buttons vanish once someone decided. */
export function inviteApproval(data: InviteApprovalData) {
  const tone = TONES[data.tone];
  return renderCard(template, {
    ...tone,
    label: plainLine(data.status, 200),
    id: data.id,
    summary: plain(data.summary, 600),
    email: plainLine(data.email, 254),
    domain: plainLine(data.domain, 300),
    requester: plainLine(data.requester, 200),
    displayName: plainLine(data.displayName || '(from the address)', 256),
    delivery: plainLine(data.delivery, 200),
    groups: plain(data.groups || 'None', 800),
    requestedAt: data.requestedAt,
    message: plain(data.message ?? '', 1000),
    justification: plain(data.justification || '(none given)', 1000),
    signIn: plain(data.signIn || 'Not known when the request was made', 600),
    decisionComment: plain(data.decisionComment ?? '', 1000),
    decidedBy: plainLine(data.decidedBy || 'the admin', 200),
    canDecide: data.canDecide,
    viewerNote: plain(data.viewerNote ?? '', 400),
    approverIds: data.approverIds.slice(0, 60),
  });
}
