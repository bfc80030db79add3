import { commands } from '../../../bot/commands';
import { isAllowed, type Role } from '../../../bot/identity/policy';
import { scenarioGroup } from '../../helpers/playground';

/** The chat view collapses runs of spaces, as HTML does. */
const squashed = (text: string) => text.replace(/[ \t]+/g, ' ');

const rolesOf = { admin: ['admin'], manager: ['manager'], member: [] } as const satisfies Record<string, readonly Role[]>;

function visibleTo(role: keyof typeof rolesOf) {
  const allowed = commands.filter((c) => isAllowed(rolesOf[role], c.permission));
  const hidden = commands.filter((c) => !isAllowed(rolesOf[role], c.permission));
  return { allowed, hidden };
}

export const help = scenarioGroup('help in the Teams playground', ({ scenario }) => {
  scenario('an admin types help and sees every command an admin may run', 'admin', async (chat) => {
    const card = await chat.say('help', 'These are the commands you can use');
    const text = await chat.text(card);
    expect(text).toContain('Your role: Admin');
    for (const command of visibleTo('admin').allowed) expect(text).toContain(squashed(command.usage));
    for (const command of visibleTo('admin').hidden) expect(text).not.toContain(squashed(command.summary));
    await chat.shot('help');
  });

  scenario('an ordinary member sees only the commands a member may run', 'member', async (chat) => {
    const card = await chat.say('help', 'These are the commands you can use');
    const text = await chat.text(card);
    expect(text).toContain('Your role: Member (read-only lookups)');
    for (const command of visibleTo('member').allowed) expect(text).toContain(squashed(command.usage));
    for (const command of visibleTo('member').hidden) expect(text).not.toContain(squashed(command.summary));
    await chat.shot('help');
  });

  scenario('a word that only starts like a command gets a member help with "I didn\'t understand"', 'member', async (chat) => {
    const card = await chat.say('helpdesk please', "I didn't understand");
    expect(await chat.text(card)).toContain('helpdesk please');
    await chat.shot('not-understood');
  });

  scenario('a partner manager whose sentence is not understood gets one question back, not the help card', 'manager', async (chat) => {
    const card = await chat.say('helpdesk please', 'Do you want to request access, invite a partner, or look someone up?');
    expect(await chat.text(card)).not.toContain('These are the commands you can use');
  });
});
