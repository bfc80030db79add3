import { scenarioGroup } from '../../helpers/playground';

export const invite = scenarioGroup('invite in the Teams playground', ({ scenario }) => {
  scenario('an admin invites a partner through the confirmation card', 'admin', async (chat) => {
    const confirm = await chat.say('invite zoe@fabrikam.com as "Zoe Park"', 'Invite zoe@fabrikam.com?');
    expect(await chat.text(confirm)).toContain('Fabrikam');
    expect(await chat.buttons(confirm)).toEqual(['Send invitation', 'Cancel']);
    await chat.shot('confirm');

    // The click answers at once; the invite job then sends the outcome as a message of its own.
    const sending = await chat.click(confirm, 'Send invitation', 'Sending the invitation to zoe@fabrikam.com');
    expect(await chat.buttons(sending)).not.toContain('Send invitation');
    const outcome = await chat.card('zoe@fabrikam.com is invited');
    expect(await chat.text(outcome)).toContain('https://login.microsoftonline.com/redeem?rd=');
    await chat.shot('invited');
  });

  scenario("a partner manager's invitation is approved by an admin in the admin's own view", 'admin', async (admin, stack) => {
    const manager = await stack.open('manager', "a partner manager's invitation is approved by an admin");
    const confirm = await manager.say('invite gus@fabrikam.com', 'Invite gus@fabrikam.com?');
    expect(await manager.buttons(confirm)).toEqual(['Ask an admin to approve', 'Cancel']);
    await manager.fill(confirm, 'Why this partner needs a guest account', 'Gus joins the Fabrikam audit team');
    const waiting = await manager.click(confirm, 'Ask an admin to approve', 'waiting for an admin');
    expect(await manager.buttons(waiting)).not.toContain('Ask an admin to approve');
    await manager.shot('requested');

    const request = await admin.card('Invitation request: gus@fabrikam.com');
    expect(await admin.text(request)).toContain(manager.user.name);
    expect(await admin.text(request)).toContain('Gus joins the Fabrikam audit team');
    expect(await admin.buttons(request)).toEqual(['Approve', 'Deny']);
    await admin.shot('approval-request');

    const approved = await admin.click(request, 'Approve', 'Approved by');
    expect(await admin.text(approved)).toContain(admin.user.name);
    expect(await admin.buttons(approved)).toEqual([]);
    await admin.shot('approved');

    const told = await manager.card('gus@fabrikam.com is invited');
    expect(await manager.text(told)).toContain('https://login.microsoftonline.com/redeem?rd=');
    await manager.shot('told');
  });
});
