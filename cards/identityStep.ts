import template from './identityStep.card.json';
import { TONES, type Tone } from './notice';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface IdentityStepData {
  tone: Tone;
  title: string;
  text: string;
  facts?: readonly { title: string; value: string }[];
  /** What was deliberately not touched (group assignments, apps the bot does not manage). */
  leftAlone?: readonly string[];
  /** The next step's button, which asks its own confirmation before it changes anything. */
  next?: { title: string; keepObjectId: string; otherObjectId: string };
}

/**
 * One step of keeping one of a person's two identities (move the app access, then disable the other): what was done, what
 * was left alone, and the button for the next step, which the router confirms before it runs.
 */
export function identityStep(data: IdentityStepData) {
  const tone = TONES[data.tone];
  return renderCard(template, {
    ...tone,
    title: plainLine(data.title, 300),
    text: plain(data.text, 1000),
    facts: (data.facts ?? []).map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 300) })),
    leftAlone: (data.leftAlone ?? []).slice(0, 20).map((l) => plain(l, 300)),
    next: data.next
      ? { show: true, title: plainLine(data.next.title, 60), keepObjectId: data.next.keepObjectId, otherObjectId: data.next.otherObjectId }
      : { show: false, title: '', keepObjectId: '', otherObjectId: '' },
  });
}
