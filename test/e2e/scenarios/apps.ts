import { scenarioGroup } from '../../helpers/playground';

export const apps = scenarioGroup('apps in the Teams playground', ({ scenario }) => {
  scenario('a partner manager lists the on-prem apps published through application proxy', 'manager', async (chat) => {
    const card = await chat.say('apps', 'Contoso Timesheets (IWA)');
    const text = await chat.text(card);
    expect(text).toContain('Contoso Expenses (SAML)');
    expect(text).toContain('Contoso Wiki (header-based)');
    await chat.shot('apps');
  });

  scenario('an ordinary member is told apps is not for them, and why', 'member', async (chat) => {
    const card = await chat.say('apps', "You can't use apps");
    expect(await chat.text(card)).toContain('partner managers and admins');
    expect(await chat.text(card)).not.toContain('Contoso Timesheets');
    await chat.shot('refused');
  });
});
