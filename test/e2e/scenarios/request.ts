import { scenarioGroup } from '../../helpers/playground';

export const request = scenarioGroup('access requests in the Teams playground', ({ scenario }) => {
  scenario("a partner manager's request is approved by the app's owner in her own view, and granted", 'admin', async (owner, stack) => {
    const manager = await stack.open('manager', "a partner manager's request is approved by the app's owner");
    const form = await manager.say('request timesheets for wmoran@fabrikam.com for 20 days because Timesheets for the Fabrikam crew', 'Request access to Contoso Timesheets (IWA)');
    expect(await manager.text(form)).toContain("the partner's own account is synced from on-prem AD");
    expect(await manager.buttons(form)).toEqual(['Send request', 'Cancel']);
    await manager.shot('form');
    const waiting = await manager.click(form, 'Send request', 'Waiting for approval');
    expect(await manager.text(waiting)).toContain('Wendy Moran');
    await manager.shot('requested');

    const request = await owner.card('Access request: Wendy Moran');
    const text = await owner.text(request);
    expect(text).toContain(manager.user.name);
    expect(text).toContain('Timesheets for the Fabrikam crew');
    expect(await owner.buttons(request)).toEqual(['Approve', 'Deny', 'Forward to…']);
    await owner.shot('approval-request');

    // The click answers at once; the grant job then updates the card in Teams (the playground cannot update a proactive
    // message in place, so the requester's message below is what shows the grant here).
    const approved = await owner.click(request, 'Approve', `Approved by ${owner.user.name}`);
    expect(await owner.buttons(approved)).toEqual([]);
    await owner.shot('approved');

    const told = await manager.card('Contoso Timesheets (IWA) for Wendy Moran: Granted');
    expect(await manager.text(told)).toContain('granted until');
    await manager.shot('told');
  });

  scenario('apps → Request access → the owner approves → the requester sees the grant', 'admin', async (owner, stack) => {
    const manager = await stack.open('manager', 'apps, request access, approve, granted');
    const apps = await manager.say('apps', 'Contoso Expenses (SAML)');
    const form = await manager.click(apps, 'Request access', 'Request access to Contoso Expenses (SAML)', 'Contoso Expenses (SAML)');
    await manager.fill(form, "Partner's email address", 'alice@fabrikam.com');
    await manager.choose(form, 'Role', 'User');
    await manager.fill(form, 'Justification', 'Alice files the Fabrikam expense reports');
    await manager.shot('form-filled');
    const waiting = await manager.click(form, 'Send request', 'Waiting for approval');
    expect(await manager.text(waiting)).toContain('Alice Smith');

    const request = await owner.card('Access request: Alice Smith');
    expect(await owner.text(request)).toContain('Alice files the Fabrikam expense reports');
    const approved = await owner.click(request, 'Approve', `Approved by ${owner.user.name}`);
    expect(await owner.buttons(approved)).toEqual([]);
    await owner.shot('approved');

    const told = await manager.card('Contoso Expenses (SAML) for Alice Smith (Fabrikam): Granted');
    expect(await manager.text(told)).toContain('granted until');
    await manager.shot('granted');
  });
});
