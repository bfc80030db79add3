import { scenarioGroup } from '../../helpers/playground';

export const lookup = scenarioGroup('whois and realm in the Teams playground', ({ scenario }) => {
  scenario('an ordinary member looks up a guest with whois', 'member', async (chat) => {
    const card = await chat.say('whois alice@fabrikam.com', 'Alice Smith (Fabrikam)');
    const text = await chat.text(card);
    expect(text).toMatch(/^GUEST\b/i);
    expect(text).toContain('Invited B2B guest');
    expect(text).toContain('alice@fabrikam.com');
    expect(await chat.buttons(card)).toContain('Check realm');
    await chat.shot('whois-guest');
  });

  scenario('a partner manager checks where a federated domain signs in', 'manager', async (chat) => {
    const card = await chat.say('realm tailspintoys.com', 'tailspintoys.com');
    const text = await chat.text(card);
    expect(text).toMatch(/federat/i);
    expect(text).toContain('Tailspin Toys');
    await chat.shot('realm-federated');
  });
});
