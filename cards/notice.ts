import template from './notice.card.json';
import { renderCard } from './render';
import { plain } from './text';

export type Tone = 'good' | 'warning' | 'attention' | 'info';

export interface NoticeData {
  tone: Tone;
  title: string;
  text?: string;
  /** Shown in a monospace line, e.g. a usage line. */
  code?: string;
  /** An incident id to quote to an admin. */
  reference?: string;
}

/** Status is said in words as well as colour, so it reads the same to everyone. */
export const TONES: Record<Tone, { label: string; color: string; style: string }> = {
  good: { label: 'Done', color: 'good', style: 'good' },
  warning: { label: 'Check this', color: 'warning', style: 'warning' },
  attention: { label: 'Problem', color: 'attention', style: 'attention' },
  info: { label: 'Information', color: 'accent', style: 'emphasis' },
};

/** A short message card. Title and text may carry user input (a mistyped command), so both are rendered as plain text. */
export function notice(data: NoticeData) {
  const tone = TONES[data.tone];
  return renderCard(template, {
    ...tone,
    title: plain(data.title, 300),
    text: plain(data.text ?? '', 1000),
    code: plain(data.code ?? '', 300),
    reference: plain(data.reference ?? '', 100),
  });
}
