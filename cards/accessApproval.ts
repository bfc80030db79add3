import template from './accessApproval.card.json';
import { TONES, type Tone } from './notice';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AccessApprovalData {
  id: string;
  tone: Tone;
  /** The request's state in words ("Waiting for approval", "Approved by Adele Vance: granting…"). */
  status: string;
  title: string;
  summary: string;
  facts: { title: string; value: string }[];
  justification: string;
  /** Who decided, their comment, the grant's end or why it failed. */
  outcome: { title: string; value: string }[];
  /** Only for an approver other than the requester and the partner, while the request is pending. */
  canDecide: boolean;
  viewerNote?: string;
  /** Teams user ids (29:…) that refresh the card, at most 60: each approver sees the current state. */
  approverIds: string[];
}

/** The approval card for a request's approvers and the approvals channel; refreshed on view so buttons vanish once decided. */
export function accessApproval(data: AccessApprovalData) {
  const tone = TONES[data.tone];
  return renderCard(template, {
    ...tone,
    id: data.id,
    label: plainLine(data.status, 300),
    title: plainLine(data.title, 300),
    summary: plain(data.summary, 600),
    facts: data.facts.map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 500) })),
    justification: plain(data.justification, 1000),
    outcome: data.outcome.map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 1000) })),
    canDecide: data.canDecide,
    viewerNote: plain(data.viewerNote ?? '', 400),
    approverIds: data.approverIds.slice(0, 60),
  });
}
