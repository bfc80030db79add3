import fs from 'node:fs';
import { actions } from '../../bot/actions';
import { commands } from '../../bot/commands';
import { tokenize } from '../../bot/routing/tokenizer';
import { commandTable, README, withCommandTable } from '../../scripts/commandTable';

const SIDE_EFFECTS: readonly unknown[] = ['none', 'reversible', 'destructive'];

describe('the registries', () => {
  it.each(commands.map((c) => [c.name, c] as const))('command %s declares its side effect, a description and examples that parse', (name, command) => {
    expect(SIDE_EFFECTS).toContain(command.sideEffect);
    expect(command.description.trim().length).toBeGreaterThan(20);
    expect(command.examples.length).toBeGreaterThan(0);
    for (const example of command.examples) {
      const tokens = tokenize(example);
      expect([command.name, ...command.aliases]).toContain(tokens.word);
      const parsed = command.args.safeParse(tokens);
      expect(parsed.success ? 'parses' : `${example}: ${parsed.error.issues[0]?.message}`).toBe('parses');
    }
  });

  it.each(actions.map((a) => [a.verb, a] as const))('action %s declares its side effect', (_verb, action) => {
    expect(SIDE_EFFECTS).toContain(action.sideEffect);
  });

  it('marks what takes access away as destructive', () => {
    const destructive = [...commands.map((c) => [c.name, c.sideEffect]), ...actions.map((a) => [a.verb, a.sideEffect])]
      .filter(([, effect]) => effect === 'destructive')
      .map(([name]) => name);
    expect(destructive.sort()).toEqual(['access.shortenConfirm', 'convert', 'invite.resend', 'mark', 'partner.keepIdentity', 'resend', 'revoke.confirm']);
  });
});

describe("the README's command table", () => {
  it('is the one generated from the registry (run npm run docs after changing a command)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(withCommandTable(readme)).toBe(readme);
  });

  it('lists every command once, with its usage escaped for the table', () => {
    const table = commandTable();
    for (const command of commands) expect(table).toContain(`| \`${command.usage.replace(/\|/g, '\\|')}\``);
    expect(table.split('\n')).toHaveLength(commands.length + 2);
  });

  it('notices a stale table', () => {
    const readme = fs.readFileSync(README, 'utf8');
    const stale = readme.replace(/\| `whoami` \(`me`\) \| everyone \|/, '| `whoami` (`me`) | admins |');
    expect(stale).not.toBe(readme);
    expect(withCommandTable(stale)).not.toBe(stale);
  });
});
