import { scenarioGroup } from '../../helpers/playground';

export const doctor = scenarioGroup('the access doctor in the Teams playground', ({ scenario }) => {
  scenario("doctor finds a guest not assigned, its Request access fix is approved by the owner, and doctor then shows the row green", 'admin', async (owner, stack) => {
    const manager = await stack.open('manager', 'doctor, request access from its fix, approve, doctor again');
    const question = "Why can't Dana Reyes open Contoso Expenses (SAML)?";
    const before = await manager.say('doctor dana.reyes@outlook.com Contoso Expenses', question);
    const found = await manager.text(before);
    expect(found).toContain('Blocks access: Assigned to the app');
    expect(found).toContain('Dana Reyes is not assigned to Contoso Expenses (SAML): request access.');
    // The two rows read from the sandbox's Conditional Access policies and sign-in log: nothing there stops Dana on Expenses.
    expect(found).toContain('Fine: Conditional Access');
    expect(found).toContain('Recent sign-ins');
    await manager.shot('red');

    // The fix opens the request form with the partner already filled in from the doctor's card.
    const form = await manager.click(before, 'Request access', 'Request access to Contoso Expenses (SAML)');
    expect(await manager.text(form)).toContain('Dana Reyes (dana.reyes@outlook.com)');
    await manager.choose(form, 'Role', 'User');
    await manager.fill(form, 'Justification', 'Dana files the expense reports the doctor found she cannot reach');
    const waiting = await manager.click(form, 'Send request', 'Waiting for approval');
    expect(await manager.text(waiting)).toContain('Dana Reyes');

    const request = await owner.card('Access request: Dana Reyes');
    await owner.click(request, 'Approve', `Approved by ${owner.user.name}`);
    const told = await manager.card('Contoso Expenses (SAML) for Dana Reyes: Granted');
    expect(await manager.text(told)).toContain('granted until');

    const after = await manager.say('doctor dana.reyes@outlook.com Contoso Expenses', question);
    const fixed = await manager.text(after);
    expect(fixed).toContain('Fine: Assigned to the app');
    expect(fixed).toContain("Fine: The bot's grant");
    expect(fixed).not.toContain('Blocks access');
    await manager.shot('green');
  });
});
