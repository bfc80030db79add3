import template from './accessEnded.card.json';
import { TONES, type Tone } from './notice';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AccessEndedData {
  tone: Tone;
  title: string;
  text?: string;
  facts?: { title: string; value: string }[];
  note?: string;
}

/** A partner's access that ended (revoked or expired), or could not be ended: what happened first, then the facts. */
export function accessEnded(data: AccessEndedData) {
  return renderCard(template, {
    ...TONES[data.tone],
    title: plain(data.title, 300),
    text: plain(data.text ?? '', 1200),
    facts: (data.facts ?? []).slice(0, 12).map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 600) })),
    note: plain(data.note ?? '', 600),
  });
}
