import template from './accessRequestStatus.card.json';
import { TONES, type Tone } from './notice';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AccessRequestStatusData {
  id: string;
  tone: Tone;
  status: string;
  title: string;
  text?: string;
  facts: { title: string; value: string }[];
  note?: string;
  /** The requester's Teams id, so their copy refreshes to the current state when they look at it. */
  viewerIds: string[];
}

/** The requester's view of an access request, whatever state it is in. */
export function accessRequestStatus(data: AccessRequestStatusData) {
  const tone = TONES[data.tone];
  return renderCard(template, {
    ...tone,
    id: data.id,
    label: plainLine(data.status, 300),
    title: plainLine(data.title, 300),
    text: plain(data.text ?? '', 1000),
    facts: data.facts.map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 1000) })),
    note: plain(data.note ?? '', 600),
    viewerIds: data.viewerIds.slice(0, 60),
  });
}
