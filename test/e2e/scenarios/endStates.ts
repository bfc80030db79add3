import { scenarioGroup } from '../../helpers/playground';

/**
 * Cards that say "working…" reach their end. The playground answers proactive messages without an activity id, so no
 * card can be updated in place: the run's and the grant's final states must come as new messages (they used to stay at
 * "0 of 5 (0%)" and "granting…").
 */
export const endStates = scenarioGroup('working cards reach their end in the Teams playground', ({ scenario }) => {
  scenario('a bulk invite typed in chat runs to its end and hands over the redemption links', 'admin', async (chat) => {
    const list = ['end0', 'end1', 'end2', 'end3', 'end4'].map((name) => `${name}@fabrikam.com`).join(', ');
    const confirm = await chat.say(`invite ${list}`, 'Invite 5 partners?');
    expect(await chat.text(confirm)).toContain('The 5 partners get no email from Microsoft: you send each their redemption link');
    expect(await chat.buttons(confirm)).toEqual(['Start inviting 5', 'Cancel']);
    await chat.shot('confirm');

    const started = await chat.click(confirm, 'Start inviting 5', 'Started: inviting 5 partners');
    expect(await chat.buttons(started)).not.toContain('Start inviting 5');

    const finished = await chat.card('Bulk invitation finished: 5 invited');
    const text = await chat.text(finished);
    expect(text).toContain('5 of 5 rows done (100%)');
    expect(text).toContain('5 partners got no email from Microsoft: send each their redemption link');
    // The results file's button is an Action.OpenUrl, which `buttons` does not list; its note says it is there.
    expect(text).toContain('The results file (CSV) has every row with its redemption link');
    await chat.shot('finished');
  });

  scenario("an approved access request's approver card reaches Granted", 'admin', async (owner, stack) => {
    const manager = await stack.open('manager', "an approver's card reaches Granted");
    const apps = await manager.say('apps', 'Contoso Expenses (SAML)');
    const form = await manager.click(apps, 'Request access', 'Request access to Contoso Expenses (SAML)', 'Contoso Expenses (SAML)');
    await manager.fill(form, "Partner's email address", 'bob@tailspintoys.com');
    await manager.choose(form, 'Role', 'User');
    await manager.fill(form, 'Justification', 'Bob reviews the Tailspin expense reports');
    await manager.click(form, 'Send request', 'Waiting for approval');

    const request = await owner.card('Bob reviews the Tailspin expense reports');
    await owner.click(request, 'Approve', `Approved by ${owner.user.name}`);
    // The grant's end, as a new message on the approver's side: not "granting…" forever.
    const granted = await owner.card(`Approved by ${owner.user.name}: granted until`);
    expect(await owner.text(granted)).toContain('Bob');
    await owner.shot('approver-granted');

    const told = await manager.card('granted until');
    expect(await manager.text(told)).toContain('granted until');
    await manager.shot('requester-granted');
  });
});
