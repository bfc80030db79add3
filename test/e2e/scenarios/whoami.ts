import { scenarioGroup } from '../../helpers/playground';

export const whoami = scenarioGroup('whoami in the Teams playground', ({ scenario }) => {
  scenario('a partner manager sees their identity and re-checks their roles with the button', 'manager', async (chat) => {
    const card = await chat.say('whoami', chat.user.aadObjectId);
    const text = await chat.text(card);
    expect(text).toContain(chat.user.name);
    expect(text).toContain('Partner manager');
    expect(await chat.buttons(card)).toEqual(['Check my roles again']);
    await chat.shot('whoami');

    const refreshed = await chat.click(card, 'Check my roles again', chat.user.aadObjectId);
    expect(await chat.text(refreshed)).toContain('Partner manager');
    expect(await chat.text(refreshed)).toContain(chat.user.name);
    await chat.shot('refreshed');
  });

  scenario('a second person, in their own view, sees their own identity and role', 'manager', async (chat, stack) => {
    const manager = await chat.say('me', chat.user.aadObjectId);
    expect(await chat.text(manager)).toContain('Partner manager');

    const admin = await stack.open('admin', 'second-view-admin');
    expect(admin.user.aadObjectId).not.toBe(chat.user.aadObjectId);
    const card = await admin.say('whoami', admin.user.aadObjectId);
    const text = await admin.text(card);
    expect(text).toContain(admin.user.name);
    expect(text).toContain('Admin');
    expect(text).not.toContain(chat.user.aadObjectId);
    await admin.shot('admin-view');
  });
});
