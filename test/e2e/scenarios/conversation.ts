import { scenarioGroup } from '../../helpers/playground';

export const conversation = scenarioGroup('asking in your own words in the Teams playground', ({ scenario }) => {
  scenario('a partner manager asks for access in one sentence, answers one question, and the owner gets the approval card', 'admin', async (owner, stack) => {
    const manager = await stack.open('manager', 'asks in her own words, answers one question, reaches the approval card');
    const question = await manager.say(
      'give erik@lakeshore-consulting.net access to expenses for 2 weeks because he files the Lakeshore expense reports',
      'Which one should the partner get?',
    );
    expect(await manager.text(question)).toContain('Erik Lindqvist');
    expect(await manager.buttons(question)).toEqual(['User', 'msiam_access', 'Cancel']);
    await manager.shot('question');

    const form = await manager.click(question, 'User', 'Request access to Contoso Expenses (SAML)');
    // The justification is in the form's input (not text on the card); the owner's card below shows it.
    expect(await manager.buttons(form)).toEqual(['Send request', 'Cancel']);
    await manager.shot('form');
    const waiting = await manager.click(form, 'Send request', 'Waiting for approval');
    expect(await manager.text(waiting)).toContain('14 days');

    const request = await owner.card('Access request: Erik Lindqvist');
    const text = await owner.text(request);
    expect(text).toContain(manager.user.name);
    expect(text).toContain('he files the Lakeshore expense reports');
    expect(await owner.buttons(request)).toEqual(['Approve', 'Deny', 'Forward to…']);
    await owner.shot('approval-card');
  });
});
