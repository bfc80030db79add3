import { cards } from '../../cards';
import { commands } from '../../bot/commands';
import type { Caller } from '../../bot/identity/caller';
import type { Role } from '../../bot/identity/policy';
import { describeRoles, isAllowed } from '../../bot/identity/policy';
import { helpCard, type HelpEntry } from '../../bot/presenters/help.presenter';

function caller(roles: Role[]): Caller {
  return { aadObjectId: '00000000-0000-0000-0000-0000000000a1', tenantId: 'tenant', teamsUserId: '29:a1', name: 'Ada', roles };
}

/** The card as rendered without any cache: what every cached answer must equal. */
function rendered(roles: Role[], entries: readonly HelpEntry[], notUnderstood?: string): unknown {
  return cards.help({
    notUnderstood,
    roleSummary: describeRoles(roles),
    commands: entries.filter((c) => isAllowed(roles, c.permission)).map((c) => ({ usage: c.usage, summary: c.summary, aliases: c.aliases, example: c.examples[0] ?? '' })),
  });
}

function textOf(card: unknown): string {
  return JSON.stringify(card);
}

describe('help card', () => {
  const roleSets: Role[][] = [[], ['manager'], ['admin'], ['admin', 'manager'], ['manager', 'admin']];

  it('answers each role set with the card rendered for it, the first time and again', () => {
    for (const roles of roleSets) {
      const expected = rendered(roles, commands);
      expect(helpCard(caller(roles), commands)).toEqual(expected);
      expect(helpCard(caller(roles), commands)).toEqual(expected);
    }
    // Different role sets still get different cards: the admin sees commands the member does not.
    expect(textOf(helpCard(caller(['admin']), commands))).not.toEqual(textOf(helpCard(caller([]), commands)));
  });

  it('answers with a frozen card, so no answer can change a later one', () => {
    const first = helpCard(caller(['manager']), commands);
    const content = first.content as { body: unknown[] };
    expect(() => {
      content.body.length = 0;
    }).toThrow(TypeError);
    expect(() => {
      (first as { contentType: string }).contentType = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (content.body[0] as Record<string, unknown>).type = 'changed';
    }).toThrow(TypeError);
    expect(helpCard(caller(['manager']), commands)).toEqual(rendered(['manager'], commands));
  });

  it('echoes the text it did not understand, each time its own', () => {
    expect(textOf(helpCard(caller([]), commands, 'frobnicate'))).toContain('frobnicate');
    const second = textOf(helpCard(caller([]), commands, 'defenestrate'));
    expect(second).toContain('defenestrate');
    expect(second).not.toContain('frobnicate');
    expect(textOf(helpCard(caller([]), commands))).not.toContain('understand');
  });

  it('keeps command lists apart', () => {
    const short: HelpEntry[] = [{ usage: 'only-this', summary: 'The one command', aliases: [], permission: 'everyone', examples: ['only-this'] }];
    expect(textOf(helpCard(caller([]), commands))).toContain('whoami');
    const card = textOf(helpCard(caller([]), short));
    expect(card).toContain('only-this');
    expect(card).not.toContain('whoami');
  });
});
