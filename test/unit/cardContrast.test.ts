import { cardSamples } from '../helpers/cardSamples';

const TINTED = new Set(['good', 'warning', 'attention', 'accent']);
/** Teams draws these as pale text; on a tinted container of the same hue (light theme) they all but vanish. */
const PALE = new Set(['good', 'warning']);

interface Finding { card: string; text: string; color: string; container: string }

function findings(card: string, node: unknown, container: string | undefined, out: Finding[]): void {
  if (Array.isArray(node)) {
    for (const child of node) findings(card, child, container, out);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  const style = typeof record.style === 'string' && record.type === 'Container' ? record.style.toLowerCase() : undefined;
  const inside = style ?? container;
  if (record.type === 'TextBlock' && typeof record.color === 'string') {
    const color = record.color.toLowerCase();
    if ((inside && TINTED.has(inside) && color !== 'default') || PALE.has(color)) {
      out.push({ card, text: String(record.text).slice(0, 60), color, container: inside ?? 'none' });
    }
  }
  for (const value of Object.values(record)) findings(card, value, inside, out);
}

describe('card colours stay legible in Teams light, dark and high-contrast themes', () => {
  it('uses no pale good/warning text, and only default text on a tinted container (the tint carries the meaning)', () => {
    const out: Finding[] = [];
    for (const sample of cardSamples()) findings(`${sample.card}/${sample.variant}`, sample.attachment.content, undefined, out);
    expect(out).toEqual([]);
  });
});
