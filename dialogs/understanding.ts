/**
 * PLACEHOLDER until the grammar's types commit is cherry-picked: the shape from the task brief. Replaced by re-exports of
 * dialogs/understand.
 */
export type Intent = 'request' | 'invite' | 'lookup';
export type TimeSpanResult =
  | { kind: 'date'; end: Date; phrase: string }
  | { kind: 'ambiguous'; readings: { end: Date; label: string }[]; phrase: string }
  | { kind: 'past' | 'today' | 'tooLong' | 'invalid'; message: string; phrase: string };
export interface Understanding {
  intent: Intent | 'unknown';
  emails: string[];
  refusedAddresses: { text: string; reason: string }[];
  personName?: string;
  organization?: string;
  appPhrase?: string;
  end?: TimeSpanResult;
  justification?: string;
  conflicts: string[];
}
export interface UnderstandContext {
  now: Date;
  timeZone?: string;
  locale?: string;
  maxDays: number;
}
export function understand(_text: string, _context: UnderstandContext): Understanding {
  return { intent: 'unknown', emails: [], refusedAddresses: [], conflicts: [] };
}
export function mayUnderstand(_text: string): boolean {
  return true;
}
