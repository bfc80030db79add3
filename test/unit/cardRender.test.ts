import { Template } from 'adaptivecards-templating';
import { templates } from '../../cards';
import { help } from '../../cards/help';
import { expandCard, type CardTemplate } from '../../cards/render';

const helpData = {
  notUnderstood: 'hlep',
  roleSummary: 'admin',
  commands: [
    { usage: 'help', summary: 'Shows this list.', aliases: '' },
    { usage: 'whois <someone>', summary: 'Looks a person up.', aliases: 'who' },
  ],
};

describe('card rendering', () => {
  afterEach(() => jest.restoreAllMocks());

  it('parses a template once, however often it renders', () => {
    // A fresh object, so no earlier render in this process has parsed it.
    const template: CardTemplate = structuredClone(templates.help) as CardTemplate;
    const parse = jest.spyOn(Template, 'parseInterpolatedString');
    expandCard(template, helpData);
    const callsForFirstRender = parse.mock.calls.length;
    expandCard(template, helpData);
    expandCard(template, { ...helpData, notUnderstood: '' });
    expect(callsForFirstRender).toBeGreaterThan(0);
    expect(parse.mock.calls.length).toBe(callsForFirstRender);
  });

  it('gives the same card as parsing the template afresh, for every template', () => {
    for (const [name, template] of Object.entries(templates)) {
      const data = name === 'help' ? helpData : {};
      expandCard(template, data);
      const fresh: unknown = new Template(template).expand({ $root: data });
      expect({ name, card: expandCard(template, data) }).toEqual({ name, card: fresh });
    }
  });

  it('gives equal but independent cards: changing one render does not change the next', () => {
    const first = help({ roleSummary: 'admin', commands: [{ usage: 'help', summary: 'Shows this list.', aliases: ['?'], example: 'help' }] });
    const firstContent = first.content as { body: Record<string, unknown>[]; actions?: unknown[] };
    const snapshot = structuredClone(firstContent);
    firstContent.body.length = 0;
    firstContent.body.push({ type: 'TextBlock', text: 'changed' });
    (firstContent as Record<string, unknown>).version = '0.0';

    const second = help({ roleSummary: 'admin', commands: [{ usage: 'help', summary: 'Shows this list.', aliases: ['?'], example: 'help' }] });
    expect(second.content).toEqual(snapshot);
    expect(second.content).not.toBe(first.content);
  });

  it('keeps per-render data apart: a $when that drops a block in one render keeps it in the next', () => {
    const withEcho = JSON.stringify(expandCard(templates.help as CardTemplate, helpData));
    const withoutEcho = JSON.stringify(expandCard(templates.help as CardTemplate, { ...helpData, notUnderstood: '' }));
    expect(withEcho).toContain('hlep');
    expect(withoutEcho).not.toContain('hlep');
    expect(JSON.stringify(expandCard(templates.help as CardTemplate, helpData))).toBe(withEcho);
  });
});
