import { cardSamples } from '../helpers/cardSamples';

/** Every FactSet fact in a card, as [title, value]. */
function facts(node: unknown): [string, string][] {
  if (Array.isArray(node)) return node.flatMap(facts);
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  const own: [string, string][] =
    record.type === 'FactSet' && Array.isArray(record.facts)
      ? (record.facts as { title?: unknown; value?: unknown }[]).map((f) => [String(f.title), String(f.value)])
      : [];
  return [...own, ...Object.entries(record).filter(([key]) => key !== 'facts').flatMap(([, value]) => facts(value))];
}

describe('app names on the access request status card', () => {
  it('show the name as the directory has it, and the single sign-on kind on its own', () => {
    const sample = cardSamples().find((s) => s.card === 'accessRequestStatus' && s.variant === 'typical');
    const shown = new Map(facts(sample?.attachment.content));
    // The sample app is "Contoso Timesheets (IWA)", a Kerberos app: the card used to append "(Kerberos (KCD))" to it.
    expect(shown.get('App')).toBe('Contoso Timesheets (IWA)');
    expect(shown.get('Single sign-on')).toBe('Kerberos (KCD)');
  });
});
