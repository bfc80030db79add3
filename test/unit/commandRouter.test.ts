import { z } from 'zod';
import { cards } from '../../cards';
import { defineCommand, type AnyCommand } from '../../bot/commands/defineCommand';
import { commands as registry } from '../../bot/commands';
import type { Caller } from '../../bot/identity/caller';
import type { Role } from '../../bot/identity/policy';
import { createLogger } from '../../bot/logger';
import { CommandRouter } from '../../bot/routing/commandRouter';
import { cardText } from '../helpers/bot';
import { testServices, type TestServices } from '../helpers/testServices';

const adminOnly = defineCommand({
  name: 'purge',
  aliases: ['wipe'],
  summary: 'Admin-only test command',
  usage: 'purge <target>',
  args: z.object({ args: z.tuple([z.string().min(1)], { message: 'Say what to purge.' }) }).transform(({ args }) => ({ target: args[0] })),
  permission: 'admins',
  sideEffect: 'reversible',
  examples: ['purge cache'],
  description: 'A command only admins may run, to test the router.',
  async run(_context, { target }) {
    return cards.notice({ tone: 'good', title: `purged ${target}` });
  },
});

function caller(roles: Role[]): Caller {
  return { aadObjectId: 'u1', tenantId: 't', teamsUserId: '29:u1', name: 'Test User', roles };
}

describe('CommandRouter', () => {
  let shared: TestServices;
  const log = createLogger('silent');
  const router = new CommandRouter([...registry, adminOnly] as AnyCommand[]);

  beforeAll(async () => {
    shared = await testServices();
  });
  afterAll(async () => {
    await shared.dispose();
  });

  const services = () => shared;

  it('matches the exact first word or an alias, case-insensitively', () => {
    expect(router.find('HELP')?.name).toBe('help');
    expect(router.find('wipe')?.name).toBe('purge');
    expect(router.find('helpdesk')).toBeUndefined();
  });

  it('refuses two commands claiming one word', () => {
    expect(() => new CommandRouter([adminOnly, { ...adminOnly, name: 'other', aliases: ['purge'] }] as AnyCommand[])).toThrow(/claimed by both/);
  });

  it('refuses a message with a lone UTF-16 surrogate before any command runs, saying what to do', async () => {
    for (const text of ['purge \uD800', 'whois a\uDC00@fabrikam.com', '\uD83D']) {
      const routed = await router.route(text, { caller: caller(['admin']), services: services(), log });
      expect(routed.command).toBeUndefined();
      const shown = cardText('contentType' in routed.reply ? routed.reply.content : undefined);
      expect(shown).toContain("character I can't read");
      expect(shown).not.toMatch(/[\uD800-\uDFFF]/);
    }
    // A whole surrogate pair (an emoji) is an ordinary character.
    const emoji = await router.route('purge 😀', { caller: caller(['admin']), services: services(), log });
    expect(emoji.command).toBe('purge');
  });

  it('lists in help only the commands the caller may run', async () => {
    const asMember = await router.route('help', { caller: caller([]), services: services(), log });
    const asAdmin = await router.route('help', { caller: caller(['admin']), services: services(), log });
    expect(cardText('contentType' in asMember.reply ? asMember.reply.content : undefined)).not.toContain('purge \\<target\\>');
    expect(cardText('contentType' in asAdmin.reply ? asAdmin.reply.content : undefined)).toContain('purge \\<target\\>');
  });

  it('answers unknown text with help and a one-line "I didn\'t understand"', async () => {
    const routed = await router.route('helpdesk please', { caller: caller([]), services: services(), log });
    expect(routed.command).toBeUndefined();
    const text = cardText('contentType' in routed.reply ? routed.reply.content : undefined);
    expect(text).toContain('I didn\'t understand "helpdesk please"');
    expect(text).toContain('whoami');
  });

  it('refuses a command the role does not allow, without running it, and audits the refusal', async () => {
    const routed = await router.route('purge everything', { caller: caller(['manager']), services: services(), log });
    const text = cardText('contentType' in routed.reply ? routed.reply.content : undefined);
    expect(text).toContain("You can't use purge");
    expect(text).not.toContain('purged');
    const audit = await shared.store.audit.list({ limit: 5, action: 'purge.refused' });
    expect(audit[0]).toMatchObject({ actor: 'u1', outcome: 'refused', target: 'everything' });
  });

  it('shows the usage when arguments are wrong', async () => {
    const routed = await router.route('purge', { caller: caller(['admin']), services: services(), log });
    const text = cardText('contentType' in routed.reply ? routed.reply.content : undefined);
    expect(text).toContain('Say what to purge.');
    expect(text).toContain('purge \\<target\\>');
  });

  it('runs an allowed command with parsed arguments', async () => {
    const routed = await router.route('<at>Bot</at> PURGE cache', { caller: caller(['admin']), services: services(), log });
    expect(routed.command).toBe('purge');
    expect(cardText('contentType' in routed.reply ? routed.reply.content : undefined)).toContain('purged cache');
  });
});
