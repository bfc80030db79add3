import type { E2eStack } from '../../helpers/playground';
import { scenarioGroup } from '../../helpers/playground';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How long the card after a 22-day jump may take to show: the playground displays a burst of messages one after another. */
const BURST_WAIT_MS = 45_000;
const PARTNER = 'fiona.grant@gmail.com';
const APP = 'Contoso Wiki (header-based)';

/** Nestor Wilke owns Contoso Wiki: the app's approver, who is sent the approval card, reminded, then escalated past. */
function owner(stack: E2eStack) {
  const nestor = stack.users.find((u) => u.name === 'Nestor Wilke');
  if (!nestor) throw new Error('the playground cast has no Nestor Wilke (the owner of Contoso Wiki)');
  return nestor;
}

/**
 * Issue 11's "Done when", in the playground with the job clock driven forward (TEST_JOB_CLOCK), never real waiting: a
 * request is reminded, escalated and decided; its grant is noticed, extended and finally expired; and `history` for that
 * partner shows every step. The steps are scenarios of their own, in order, because each waits on the bot several times;
 * this group runs last, since the clock it moves stays moved for every later scenario.
 */
export const grantLife = scenarioGroup("a grant's whole life in the Teams playground, on the job clock", ({ scenario }) => {
  scenario('a request is reminded, escalated to the admins, and approved by one', 'admin', async (admin, stack) => {
    const manager = await stack.open('manager', 'a request is reminded, escalated and approved');
    // The owner has the app installed (a chat with the bot) before the request, or the bot could not reach them.
    const nestor = await stack.open(owner(stack), 'a request is reminded, escalated and approved');
    const form = await manager.say(`request wiki for ${PARTNER} for 10 days because Fiona writes the partner docs`, `Request access to ${APP}`);
    const waiting = await manager.click(form, 'Send request', 'Waiting for approval');
    expect(await manager.text(waiting)).toContain('Fiona Grant');
    await nestor.card('Access request: Fiona Grant');

    await stack.advanceClock(24 * HOUR + 60_000);
    const reminder = await nestor.card(`${APP} for Fiona Grant still waits for a decision`);
    // A reminder points at the request; it cannot decide anything itself.
    expect(await nestor.buttons(reminder)).not.toContain('Approve');
    await nestor.shot('reminded');

    await stack.advanceClock(48 * HOUR);
    // The conversation scenario left a request of its own waiting, which escalates at the same moment.
    const told = await manager.card('it now goes to the bot admins as well', `${APP} for Fiona Grant`);
    expect(await manager.text(told)).toContain('the bot admins since');
    // Escalated: the admins are approvers now, so the request waits in the admin's pending list.
    const pending = await admin.say('pending', `${APP} for Fiona Grant`);
    const escalated = await admin.click(pending, 'Review', 'Access request: Fiona Grant', `${APP} for Fiona Grant`);
    expect(await admin.buttons(escalated)).toEqual(['Approve', 'Deny', 'Forward to…']);
    await admin.shot('escalated');
    await admin.click(escalated, 'Approve', `Approved by ${admin.user.name}`);
    const granted = await manager.card(`${APP} for Fiona Grant: Granted`);
    expect(await manager.text(granted)).toContain('granted until');
    await manager.shot('granted');
  });

  scenario('the grant is noticed a week before its end, and extended by its requester, approved by the owner', 'manager', async (manager, stack) => {
    // Granted 10 days long: the 7-day notice is due 3 days later.
    await stack.advanceClock(3 * DAY + 60_000);
    const notice = await manager.card("Fiona Grant's access to Contoso Wiki (header-based) ends");
    expect(await manager.text(notice)).toContain('Access ends in 7 days');
    expect(await manager.buttons(notice)).toEqual(['Extend', 'Let it end']);
    await manager.shot('notice');

    const form = await manager.click(notice, 'Extend', "Extend Fiona Grant's access");
    await manager.fill(form, 'New end', 'for 3 weeks');
    await manager.fill(form, 'Justification', 'The partner docs run into next month');
    await manager.shot('extend-form');
    const waiting = await manager.click(form, 'Ask to extend', 'Waiting for approval');
    expect(await manager.text(waiting)).toContain('The access stays as it is until they decide');

    const nestor = await stack.open(owner(stack), 'the grant is extended');
    const request = await nestor.card('Extension: Fiona Grant');
    expect(await nestor.text(request)).toContain('The partner docs run into next month');
    await nestor.shot('extension-request');
    await nestor.click(request, 'Approve', 'Approved by Nestor Wilke');
    const extended = await manager.card(`${APP} for Fiona Grant: Extended`);
    expect(await manager.text(extended)).toContain('the grant now ends');
    await manager.shot('extended');

    const expiring = await manager.say('expiring 30', 'Grants ending soon');
    expect(await manager.text(expiring)).toContain(`${APP} for Fiona Grant`);
    await manager.shot('expiring');
  });

  scenario('the extended grant expires at its new end, and history shows every step', 'manager', async (manager, stack) => {
    await stack.advanceClock(22 * DAY);
    // The jump settles every job due in those 22 days before it answers: the bot has sent a dozen messages to this chat
    // (timeouts, last notices, two expiries) by then. The playground shows them one after another: in one run the last
    // was on screen about 14 s after the bot had sent it, and the usual 15 s wait failed on busy machines.
    const ended = await manager.card("Fiona Grant's access to Contoso Wiki (header-based) has expired", undefined, BURST_WAIT_MS);
    expect(await manager.text(ended)).toContain('as approved');
    await manager.shot('expired');

    const history = await manager.say(`history ${PARTNER}`, 'Fiona Grant');
    const text = await manager.text(history);
    for (const step of [/requested/, /remind/i, /escalat/i, /approved/, /Granted/, /Expiry notice/, /Extension of .* requested/, /extended until/, /expired/]) expect(text).toMatch(step);
    await manager.shot('history');
  });
});
