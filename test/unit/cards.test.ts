import { actions } from '../../bot/actions';
import { CONFIRM_VERBS } from '../../bot/routing/confirmationGate';
import { DIALOG_ANSWER_VERB } from '../../dialogs/conversations';
import { templates } from '../../cards';
import { validateAdaptiveCard } from '../helpers/adaptiveCardSchema';
import { cardText } from '../helpers/bot';
import { cardSamples, HOSTILE } from '../helpers/cardSamples';

const MAX_CARD_BYTES = 28 * 1024;

function executeVerbs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => executeVerbs(n, found));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.type === 'Action.Execute' && typeof record.verb === 'string') found.push(record.verb);
    Object.values(record).forEach((v) => executeVerbs(v, found));
  }
  return found;
}

describe('card templates', () => {
  const samples = cardSamples();

  it('has samples for every template', () => {
    expect(new Set(samples.map((s) => s.card))).toEqual(new Set(Object.keys(templates)));
  });

  it.each(samples.map((s) => [s.card, s.variant, s] as const))('%s (%s) is a valid Adaptive Card 1.5 under 28 KB', (_card, _variant, sample) => {
    expect(sample.attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const content = sample.attachment.content as Record<string, unknown>;
    expect(content.version).toBe('1.5');
    expect(validateAdaptiveCard(content)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(content))).toBeLessThan(MAX_CARD_BYTES);
  });

  it.each(samples.filter((s) => s.variant === 'typical').map((s) => [s.card, s] as const))('%s leaves no template expression unexpanded', (_card, sample) => {
    expect(JSON.stringify(sample.attachment.content)).not.toContain('${');
  });

  it.each(samples.filter((s) => s.variant === 'hostile').map((s) => [s.card, s] as const))('%s shows hostile text as text', (_card, sample) => {
    const text = cardText(sample.attachment.content);
    expect(text).not.toContain(HOSTILE.link);
    expect(text).toContain('\\[Approve here\\](https://evil.example/approve)');
    expect(text).not.toContain('\u202E');
  });

  it('every Action.Execute verb in a template has exactly one handler, and every handler a template that uses it', () => {
    const templateVerbs = new Set(Object.values(templates).flatMap((t) => executeVerbs(t)));
    // The confirmation card's buttons are answered by the action router itself (the confirmation gate); a conversation's
    // answer buttons by the open conversation (dialogs/conversations.ts), which the bot asks before the action router.
    const handlerVerbs = [...actions.map((a) => a.verb), ...Object.values(CONFIRM_VERBS), DIALOG_ANSWER_VERB];
    expect(new Set(handlerVerbs).size).toBe(handlerVerbs.length);
    expect([...templateVerbs].sort()).toEqual([...handlerVerbs].sort());
  });
});
