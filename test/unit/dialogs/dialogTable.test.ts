import { findTimeSpans, type TimeSpanResult } from '../../../bot/services/timeSpan';
import { mayUnderstand, understand, type Understanding } from '../../../dialogs/understanding';
import { button, DialogTestClient, type BotTurn, type DialogUser } from '../../helpers/dialogClient';
import { ADMIN, APPS, dialogServices, GUESTS, MANAGER, MEMBER, ROLES } from '../../helpers/dialogFixture';
import type { TestServices } from '../../helpers/testServices';

const NOW = new Date('2026-12-02T10:00:00Z');
const UTC = { timeZone: 'UTC', locale: 'en-US' };
const MAX_DAYS = 90;

/** The parser's reading of a phrase, as the grammar hands it on in `end`. */
function span(phrase: string): TimeSpanResult {
  const [found] = findTimeSpans(phrase, { now: NOW, zone: UTC, maxDays: MAX_DAYS });
  if (!found) throw new Error(`no time span in "${phrase}"`);
  return found;
}

const HOSTILE_MARKDOWN = '[Approve here](https://evil.example) **now**';
const TEMPLATE = '${jsonStringify($root)} ${approverIds}';
const LONG = 'x'.repeat(10_000);

/** One thing the person does, and what the bot's answer must say (message text and card text together). */
type Step = { say: string; expect: RegExp; not?: RegExp } | { click: string; expect: RegExp; not?: RegExp };

/** The service call the conversation ends in: the same ones the commands make. */
type Ends =
  | { call: 'formFor'; servicePrincipalId: string; email: string; days?: number; justification?: string; appRoleId?: string }
  | { call: 'prepare'; email: string; displayName?: string }
  | { call: 'whois'; value: string }
  | { call: 'none' };

interface Row {
  name: string;
  who?: DialogUser;
  /** What the grammar makes of the first message: a test double, pinning the case the row is about... */
  understood?: Partial<Understanding>;
  /** ...or the real grammar (dialogs/understand), for the sentences it is documented to read. */
  real?: true;
  steps: [Step, ...Step[]];
  ends: Ends;
  /** Then click Send on the form: the command path's access.submit, which reaches the approvers. */
  send?: RegExp;
}

const request = (u: Partial<Understanding>): Partial<Understanding> => ({ intent: 'request', ...u });
const invite = (u: Partial<Understanding>): Partial<Understanding> => ({ intent: 'invite', ...u });
const lookup = (u: Partial<Understanding>): Partial<Understanding> => ({ intent: 'lookup', ...u });

const ROWS: Row[] = [
  // Request access: everything in one sentence, then only what is missing.
  {
    name: 'Raj from Woodgrove needs the expense portal for a month',
    real: true,
    steps: [
      { say: 'Raj from Woodgrove needs the expense portal for a month', expect: /has 2 roles[\s\S]*Raj Patel \(raj@woodgrove\.test\)/ },
      { click: 'User', expect: /Why does Raj Patel need Contoso Expense Portal\?/ },
      { say: 'Quarterly audit of the Woodgrove invoices', expect: /Access ends on[\s\S]*Request access to Contoso Expense Portal[\s\S]*Quarterly audit/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.expenses, email: 'raj@woodgrove.test', days: 31, justification: 'Quarterly audit of the Woodgrove invoices', appRoleId: ROLES.user },
    send: /Waiting for approval/,
  },
  {
    name: "give lena@tailspin.test access to the wiki until 31 Jan, she's on the kickoff project",
    real: true,
    steps: [{ say: "give lena@tailspin.test access to the wiki until 31 Jan, she's on the kickoff project", expect: /Request access to Contoso Wiki[\s\S]*she's on the kickoff project/ }],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'lena@tailspin.test', justification: "she's on the kickoff project" },
    send: /Waiting for approval/,
  },
  {
    name: 'raj@woodgrove.test needs the wiki because audit',
    real: true,
    steps: [{ say: 'raj@woodgrove.test needs the wiki because audit', expect: /Request access to Contoso Wiki/, not: /For how long/ }],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'audit' },
  },
  {
    name: 'the app is typed by its number in the pick list',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'expense', justification: 'audit' }),
    steps: [
      { say: 'raj@woodgrove.test needs expense, audit', expect: /2 apps match "expense"/ },
      { say: '2', expect: /Request access to Expense Archive/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.expenseArchive, email: 'raj@woodgrove.test', justification: 'audit' },
  },
  {
    name: 'the app is clicked in the pick list',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'expense', justification: 'audit' }),
    steps: [
      { say: 'raj@woodgrove.test needs expense, audit', expect: /2 apps match "expense"/ },
      { click: 'Expense Archive', expect: /Request access to Expense Archive/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.expenseArchive, email: 'raj@woodgrove.test', justification: 'audit' },
  },
  {
    name: 'the app is typed by name in the pick list',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'expense', justification: 'audit' }),
    steps: [
      { say: 'raj@woodgrove.test needs expense, audit', expect: /2 apps match/ },
      { say: 'archive', expect: /Request access to Expense Archive/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.expenseArchive, email: 'raj@woodgrove.test', justification: 'audit' },
  },
  {
    name: 'no app named: the pick list of every app',
    understood: request({ emails: ['raj@woodgrove.test'], justification: 'audit' }),
    steps: [
      { say: 'raj@woodgrove.test needs access, audit', expect: /Which app should the partner get\?[\s\S]*Contoso Wiki/ },
      { say: 'Contoso Wiki', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'audit' },
  },
  {
    name: 'an app that does not exist: closest names',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'zebra', justification: 'audit' }),
    steps: [
      { say: 'raj@woodgrove.test needs zebra, audit', expect: /No app is called "zebra"/ },
      { say: 'Contoso Wiki', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'audit' },
  },
  {
    name: 'a wrong pick is asked again, the card keeps its buttons',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'expense', justification: 'audit' }),
    steps: [
      { say: 'raj@woodgrove.test needs expense, audit', expect: /2 apps match/ },
      { say: 'the blue one', expect: /Pick one of the choices[\s\S]*Expense Archive/ },
      { say: '1', expect: /Contoso Expense Portal has 2 roles/ },
      { say: 'admin', expect: /Request access to Contoso Expense Portal/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.expenses, email: 'raj@woodgrove.test', justification: 'audit', appRoleId: ROLES.admin },
  },
  {
    name: 'the role is typed',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'expense portal', justification: 'audit' }),
    steps: [
      { say: 'raj@woodgrove.test needs the expense portal, audit', expect: /has 2 roles/ },
      { say: 'Admin', expect: /Request access to Contoso Expense Portal/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.expenses, email: 'raj@woodgrove.test', justification: 'audit', appRoleId: ROLES.admin },
  },
  {
    name: 'the role is clicked',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'expense portal', justification: 'audit' }),
    steps: [
      { say: 'raj@woodgrove.test needs the expense portal, audit', expect: /has 2 roles/ },
      { click: 'Admin', expect: /Request access to Contoso Expense Portal/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.expenses, email: 'raj@woodgrove.test', justification: 'audit', appRoleId: ROLES.admin },
    send: /Waiting for approval[\s\S]*Admin/,
  },
  {
    name: 'an app with one role asks no role',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'timesheets', justification: 'hours' }),
    steps: [{ say: 'raj@woodgrove.test needs timesheets because hours', expect: /Request access to Contoso Timesheets/, not: /roles\./ }],
    ends: { call: 'formFor', servicePrincipalId: APPS.timesheets, email: 'raj@woodgrove.test', justification: 'hours' },
  },
  // The partner: by name, "who do you mean", refused addresses.
  {
    name: 'a name that matches two people: who do you mean, clicked',
    real: true,
    steps: [
      { say: 'Raj needs the wiki for docs', expect: /2 people match "Raj"[\s\S]*Raj Kumar[\s\S]*Raj Patel/ },
      { click: 'Choose', expect: /Request access to Contoso Wiki[\s\S]*Raj Kumar/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj.k@tailspin.test', justification: 'for docs' },
  },
  {
    name: 'a name that matches two people: who do you mean, typed by number',
    real: true,
    steps: [
      { say: 'Raj needs the wiki for docs', expect: /2 people match "Raj"/ },
      { say: '2', expect: /Request access to Contoso Wiki[\s\S]*Raj Patel/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'for docs' },
  },
  {
    name: 'a name that matches two people: who do you mean, typed by address',
    real: true,
    steps: [
      { say: 'Raj needs the wiki for docs', expect: /2 people match "Raj"/ },
      { say: 'raj@woodgrove.test', expect: /Request access to Contoso Wiki[\s\S]*Raj Patel/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'for docs' },
  },
  {
    name: 'a name that matches two people: who do you mean, typed by a part of one name',
    understood: request({ personName: 'Sam', appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: 'Sam needs the wiki for docs', expect: /2 people match "Sam"/ },
      { say: 'Turner', expect: /Request access to Contoso Wiki[\s\S]*Sam Turner/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'sam.t@northwind.test', justification: 'docs' },
  },
  {
    name: 'who do you mean: an answer that picks nobody is asked again',
    understood: request({ personName: 'Sam', appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: 'Sam needs the wiki for docs', expect: /2 people match "Sam"/ },
      { say: 'the tall one', expect: /does not pick one of them[\s\S]*Sam Taylor/ },
      { say: '1', expect: /Request access to Contoso Wiki[\s\S]*Sam Taylor/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'sam@fabrikam.test', justification: 'docs' },
  },
  {
    name: 'the organization narrows two people to one',
    real: true,
    steps: [{ say: 'Raj from Tailspin needs the wiki for docs', expect: /Request access to Contoso Wiki[\s\S]*Raj Kumar/ }],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj.k@tailspin.test', justification: 'for docs' },
  },
  {
    name: 'a name nobody has: asked for the address',
    understood: request({ personName: 'Zoltan', appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: 'Zoltan needs the wiki for docs', expect: /Who is the partner\?[\s\S]*Nobody here is called "Zoltan"/ },
      { say: 'lena@tailspin.test', expect: /Request access to Contoso Wiki[\s\S]*Lena Berg/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'lena@tailspin.test', justification: 'docs' },
  },
  {
    name: 'no partner in the sentence: asked, answered by name',
    understood: request({ appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: 'someone needs the wiki for docs', expect: /Who is the partner\?/ },
      { say: 'Lena', expect: /Request access to Contoso Wiki[\s\S]*Lena Berg/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'lena@tailspin.test', justification: 'docs' },
  },
  {
    name: 'an address that is not a guest yet: told to invite, asked again',
    understood: request({ emails: ['mia@woodgrove.test'], appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: 'mia@woodgrove.test needs the wiki for docs', expect: /mia@woodgrove\.test is not a guest here yet[\s\S]*invite mia@woodgrove\.test/ },
      { say: 'raj@woodgrove.test', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs' },
  },
  {
    name: 'two addresses: which partner, clicked',
    real: true,
    steps: [
      { say: 'raj@woodgrove.test and lena@tailspin.test need the wiki for docs', expect: /Which partner do you mean\?[\s\S]*You named 2 addresses/ },
      { click: 'lena@tailspin.test', expect: /Request access to Contoso Wiki[\s\S]*Lena Berg/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'lena@tailspin.test', justification: 'for docs' },
  },
  {
    name: 'two addresses: which partner, typed',
    understood: request({ emails: ['raj@woodgrove.test', 'lena@tailspin.test'], appPhrase: 'wiki', justification: 'docs', conflicts: ['You gave two addresses.'] }),
    steps: [
      { say: 'raj@woodgrove.test, lena@tailspin.test: wiki, docs', expect: /Which partner do you mean\?/ },
      { say: 'raj@woodgrove.test', expect: /Request access to Contoso Wiki[\s\S]*Raj Patel/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs' },
  },
  {
    name: 'an address and a name that disagree: which partner',
    real: true,
    steps: [
      { say: 'Raj (lena@tailspin.test) needs the wiki for docs', expect: /Which partner do you mean\?[\s\S]*You named Raj, but the address lena@tailspin\.test looks like someone else's/ },
      { say: '1', expect: /Request access to Contoso Wiki[\s\S]*Lena Berg/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'lena@tailspin.test', justification: 'for docs' },
  },
  {
    name: 'a refused address is named with its reason',
    understood: request({ refusedAddresses: [{ text: '"a b"@fabrikam.test', reason: 'Quoted local parts are not accepted.' }], appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: '"a b"@fabrikam.test needs the wiki for docs', expect: /"a b"@fabrikam\.test" is not an address I can use: Quoted local parts/ },
      { say: 'lena@tailspin.test', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'lena@tailspin.test', justification: 'docs' },
  },
  {
    name: 'a member address cannot be the partner',
    understood: request({ emails: ['max@contoso.test'], appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: 'max@contoso.test needs the wiki', expect: /not a guest here yet|member account/ },
      { say: 'cancel', expect: /Cancelled your access request/ },
    ],
    ends: { call: 'none' },
  },
  {
    name: 'two addresses typed as the answer are refused',
    understood: request({ appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: 'someone needs the wiki for docs', expect: /Who is the partner\?/ },
      { say: 'raj@woodgrove.test lena@tailspin.test', expect: /more than one address/ },
      { say: 'raj@woodgrove.test', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs' },
  },
  // Durations.
  {
    name: 'a duration above the maximum is asked again',
    real: true,
    steps: [
      { say: 'raj@woodgrove.test needs the wiki for 6 months, docs', expect: /For how long\?[\s\S]*at most 90 days/ },
      { say: 'for 2 weeks', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs', days: 14 },
  },
  {
    name: 'a past date is asked again',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki', justification: 'docs', end: span('until 2026-11-01') }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki until 2026-11-01, docs', expect: /For how long\?/ },
      { say: '10 days', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs', days: 10 },
  },
  {
    name: 'an ambiguous date offers its readings',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki', justification: 'docs', end: span('until 01/02') }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki until 01/02, docs', expect: /For how long\?[\s\S]*January[\s\S]*February|For how long\?[\s\S]*February[\s\S]*January/ },
      { say: '1', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs' },
  },
  {
    name: 'a typed duration that is not one is asked again',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki', justification: 'docs', end: span('for 0 days') }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki for 0 days, docs', expect: /For how long\?/ },
      { say: 'a while', expect: /not a duration or a date I can read/ },
      { say: 'a month', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs' },
  },
  {
    name: 'a duration the sentence gave is said back above the form',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki', justification: 'docs', end: span('for 2 weeks') }),
    steps: [{ say: 'raj@woodgrove.test needs the wiki for 2 weeks, docs', expect: /Access ends on[\s\S]*14 days from today[\s\S]*Request access to Contoso Wiki/ }],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs', days: 14 },
  },
  // Justification.
  {
    name: 'no justification: asked',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki' }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki', expect: /Why does Raj Patel need Contoso Wiki\?/ },
      { say: '   ', expect: /Why does Raj Patel need Contoso Wiki\?/ },
      { say: 'Writing the onboarding pages', expect: /Request access to Contoso Wiki[\s\S]*Writing the onboarding pages/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'Writing the onboarding pages' },
  },
  {
    name: 'hostile: Markdown in the justification shows as text',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki' }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki', expect: /Why does/ },
      { say: HOSTILE_MARKDOWN, expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: HOSTILE_MARKDOWN },
  },
  {
    name: 'hostile: template syntax in the justification stays text',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki' }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki', expect: /Why does/ },
      { say: TEMPLATE, expect: /Request access to Contoso Wiki[\s\S]*\$\{jsonStringify\(\$root\)\}/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: TEMPLATE },
  },
  {
    name: 'hostile: a 10,000-character answer is refused before parsing',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki' }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki', expect: /Why does/ },
      { say: LONG, expect: /10,000 characters long; keep it under 1,000/ },
      { say: 'docs', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs' },
  },
  {
    name: 'hostile: a 10,000-character sentence the grammar refuses gets its message',
    understood: { intent: 'unknown', refused: { reason: 'tooLong', message: 'That message is too long for me to read (10,000 characters).' } },
    steps: [{ say: LONG, expect: /too long for me to read/ }],
    ends: { call: 'none' },
  },
  {
    name: 'hostile: Markdown in a name is searched as text and shown as text',
    understood: request({ personName: HOSTILE_MARKDOWN, appPhrase: 'wiki', justification: 'docs' }),
    steps: [
      { say: `${HOSTILE_MARKDOWN} needs the wiki`, expect: /Nobody here is called "\\\[Approve here\\\]/, not: /[^\\]\]\(https/ },
      { say: 'cancel', expect: /Cancelled/ },
    ],
    ends: { call: 'none' },
  },
  {
    name: 'an app the partner already has: the form says so',
    understood: request({ emails: ['lena@tailspin.test'], appPhrase: 'timesheets', justification: 'hours' }),
    steps: [{ say: 'lena@tailspin.test needs timesheets because hours', expect: /Request access to Contoso Timesheets[\s\S]*Already has access[\s\S]*changes nothing/ }],
    ends: { call: 'formFor', servicePrincipalId: APPS.timesheets, email: 'lena@tailspin.test', justification: 'hours' },
  },
  {
    name: 'an admin converses too',
    who: ADMIN,
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki', justification: 'docs' }),
    steps: [{ say: 'raj@woodgrove.test needs the wiki, docs', expect: /Request access to Contoso Wiki/ }],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs' },
  },
  // Invite.
  {
    name: 'can you invite mia@woodgrove.test',
    real: true,
    steps: [{ say: 'can you invite mia@woodgrove.test', expect: /mia@woodgrove\.test/ }],
    ends: { call: 'prepare', email: 'mia@woodgrove.test' },
  },
  {
    name: 'invite with a name keeps the display name',
    understood: invite({ emails: ['mia@woodgrove.test'], personName: 'Mia Wong' }),
    steps: [{ say: 'please invite Mia Wong, mia@woodgrove.test', expect: /Mia Wong/ }],
    ends: { call: 'prepare', email: 'mia@woodgrove.test', displayName: 'Mia Wong' },
  },
  {
    name: 'invite without an address: asked',
    understood: invite({}),
    steps: [
      { say: 'I need to invite a partner', expect: /What is the partner's email address\?/ },
      { say: 'Mia', expect: /Give the partner's email address/ },
      { say: 'mia@woodgrove.test', expect: /mia@woodgrove\.test/ },
    ],
    ends: { call: 'prepare', email: 'mia@woodgrove.test' },
  },
  {
    name: 'invite two addresses: which one',
    understood: invite({ emails: ['mia@woodgrove.test', 'li@northwind.test'], conflicts: ['You gave two addresses.'] }),
    steps: [
      { say: 'please invite mia@woodgrove.test and li@northwind.test', expect: /Which partner do you want to invite\?/ },
      { click: 'li@northwind.test', expect: /li@northwind\.test/ },
    ],
    ends: { call: 'prepare', email: 'li@northwind.test' },
  },
  {
    name: 'invite an invalid address: asked again with the reason',
    understood: invite({ emails: ['mia@woodgrove..test'] }),
    steps: [
      { say: 'could you invite mia@woodgrove..test', expect: /cannot be invited/ },
      { say: 'mia@woodgrove.test', expect: /mia@woodgrove\.test/ },
    ],
    ends: { call: 'prepare', email: 'mia@woodgrove.test' },
  },
  {
    name: 'invite an existing guest: the command path card, with Resend',
    understood: invite({ emails: ['raj@woodgrove.test'] }),
    steps: [{ say: 'can you invite raj@woodgrove.test', expect: /already|guest/i }],
    ends: { call: 'prepare', email: 'raj@woodgrove.test' },
  },
  {
    name: 'invite a blocked domain: the command path refusal',
    understood: invite({ emails: ['x@mailinator.com'] }),
    steps: [{ say: 'can you invite x@mailinator.com', expect: /mailinator\.com/ }],
    ends: { call: 'prepare', email: 'x@mailinator.com' },
  },
  {
    name: 'invite, then access: the form, and what to write once the partner is a guest',
    real: true,
    steps: [{ say: 'can you invite mia@woodgrove.test and give her access to Timesheets', expect: /^Once mia@woodgrove\.test is a guest, write "give mia@woodgrove\.test access to Timesheets"/ }],
    ends: { call: 'prepare', email: 'mia@woodgrove.test' },
  },
  {
    name: "an admin's several addresses: the bulk invitation, as invite with a list",
    who: ADMIN,
    real: true,
    steps: [{ say: 'please invite mia@woodgrove.test and li@northwind.test', expect: /mia@woodgrove\.test|2 (addresses|invitations|partners|rows)/i, not: /Which partner/ }],
    ends: { call: 'none' },
  },
  // Look someone up.
  {
    name: 'who is wmoran (nobody): the whois card',
    real: true,
    steps: [{ say: 'who is wmoran', expect: /No user matches "wmoran"/ }],
    ends: { call: 'whois', value: 'wmoran' },
  },
  {
    name: 'who is Lena: one match, her card',
    understood: lookup({ personName: 'Lena' }),
    steps: [{ say: 'who is Lena', expect: /Lena Berg/ }],
    ends: { call: 'whois', value: GUESTS.lena.id },
  },
  {
    name: 'who is Sam: who do you mean, then the card',
    real: true,
    steps: [
      { say: 'who is Sam', expect: /2 people match "Sam"/ },
      { say: '2', expect: /Sam Turner/ },
    ],
    ends: { call: 'whois', value: GUESTS.sam2.id },
  },
  {
    name: 'who is raj@woodgrove.test: by address',
    understood: lookup({ emails: ['raj@woodgrove.test'] }),
    steps: [{ say: 'who is raj@woodgrove.test', expect: /Raj Patel/ }],
    ends: { call: 'whois', value: 'raj@woodgrove.test' },
  },
  {
    name: 'look up with nobody named: asked',
    understood: lookup({}),
    steps: [
      { say: 'look someone up', expect: /Who do you want to look up\?/ },
      { say: 'Lena', expect: /Lena Berg/ },
    ],
    ends: { call: 'whois', value: GUESTS.lena.id },
  },
  // Not understood: one question, not the help card.
  {
    name: 'a sentence not understood: one question, then request',
    understood: { intent: 'unknown', emails: ['raj@woodgrove.test'] },
    steps: [
      { say: 'hello, raj@woodgrove.test here', expect: /Do you want to request access, invite a partner, or look someone up\?/, not: /Commands/ },
      { click: 'Request access', expect: /Which app should the partner get\?/ },
      { say: 'wiki', expect: /Why does Raj Patel need Contoso Wiki\?/ },
      { say: 'docs', expect: /Request access to Contoso Wiki/ },
    ],
    ends: { call: 'formFor', servicePrincipalId: APPS.wiki, email: 'raj@woodgrove.test', justification: 'docs' },
  },
  {
    name: 'a sentence not understood: typed "invite"... is a command word, so the answer says "look up"',
    understood: { intent: 'unknown' },
    steps: [
      { say: 'hmm', expect: /Do you want to request access/ },
      { say: 'look up', expect: /Who do you want to look up\?/ },
      { say: 'Lena', expect: /Lena Berg/ },
    ],
    ends: { call: 'whois', value: GUESTS.lena.id },
  },
  {
    name: 'a sentence not understood: an answer that is none of the three',
    understood: { intent: 'unknown' },
    steps: [
      { say: 'hmm', expect: /Do you want to request access/ },
      { say: 'pizza', expect: /Pick one of the three/ },
      { say: '2', expect: /What is the partner's email address\?/ },
      { say: 'mia@woodgrove.test', expect: /mia@woodgrove\.test/ },
    ],
    ends: { call: 'prepare', email: 'mia@woodgrove.test' },
  },
  // Turn order: cancel, command words, other roles.
  {
    name: 'cancel ends the conversation and says what was dropped',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki' }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki', expect: /Why does/ },
      { say: 'cancel', expect: /Cancelled your access request for Contoso Wiki for Raj Patel[\s\S]*Nothing was sent/ },
      { say: 'cancel', expect: /There is nothing to cancel/ },
    ],
    ends: { call: 'none' },
  },
  {
    name: 'the Cancel button ends it the same way',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki' }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki', expect: /Why does/ },
      { click: 'Cancel', expect: /Cancelled your access request/ },
    ],
    ends: { call: 'none' },
  },
  {
    name: 'a command word starts over after a one-line note',
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki' }),
    steps: [
      { say: 'raj@woodgrove.test needs the wiki', expect: /Why does/ },
      { say: 'whoami', expect: /^I dropped your access request for Contoso Wiki for Raj Patel to run whoami\.[\s\S]*Max Manager/ },
      { say: 'cancel', expect: /There is nothing to cancel/ },
    ],
    ends: { call: 'none' },
  },
  {
    name: 'a command typed as the first message runs as before',
    steps: [{ say: 'request wiki for raj@woodgrove.test because docs', expect: /Request access to Contoso Wiki/, not: /I dropped/ }],
    ends: { call: 'none' },
  },
  {
    name: 'a member gets the help card as before, not a conversation',
    who: MEMBER,
    understood: request({ emails: ['raj@woodgrove.test'], appPhrase: 'wiki' }),
    steps: [{ say: 'raj@woodgrove.test needs the wiki', expect: /whoami/, not: /Why does|Do you want to request/ }],
    ends: { call: 'none' },
  },
  {
    name: 'a member typing cancel gets the help card as before',
    who: MEMBER,
    steps: [{ say: 'cancel', expect: /whoami/, not: /nothing to cancel/ }],
    ends: { call: 'none' },
  },
];

describe('conversations, table-driven (DialogTestClient style)', () => {
  let services: TestServices;
  let client: DialogTestClient;
  let current: Row;
  const calls: { formFor: unknown[][]; prepare: unknown[][]; whois: unknown[][] } = { formFor: [], prepare: [], whois: [] };

  beforeAll(async () => {
    services = await dialogServices();
    client = new DialogTestClient(services, services.store.storage, {
      now: () => NOW,
      grammar: {
        understand: (text, context) => (current.real ? understand(text, context) : { intent: 'unknown', emails: [], refusedAddresses: [], conflicts: [], ...current.understood }),
        mayUnderstand,
      },
    });
    const record = <K extends keyof typeof calls>(name: K, target: Record<K, (...args: never[]) => unknown>) => {
      const original = target[name].bind(target);
      target[name] = ((...args: never[]) => {
        calls[name].push(args);
        return original(...args);
      }) as (typeof target)[K];
    };
    record('formFor', services.accessRequests as unknown as Record<'formFor', (...args: never[]) => unknown>);
    record('prepare', services.invitations as unknown as Record<'prepare', (...args: never[]) => unknown>);
    record('whois', services.lookup as unknown as Record<'whois', (...args: never[]) => unknown>);
  });
  afterAll(() => services.dispose());

  it('has about sixty utterances', () => {
    expect(ROWS.reduce((n, row) => n + row.steps.filter((s) => 'say' in s).length, 0)).toBeGreaterThanOrEqual(60);
  });

  it.each(ROWS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    current = row;
    calls.formFor.length = 0;
    calls.prepare.length = 0;
    calls.whois.length = 0;
    const who: DialogUser = { ...(row.who ?? MANAGER), conversationId: `a:${row.name}` };
    let last: BotTurn | undefined;
    for (const step of row.steps) {
      last = 'say' in step ? await client.say(who, step.say) : await client.click(who, button(last as BotTurn, step.click));
      const read = `${last.text}\n${last.cardText}`;
      expect(read).toMatch(step.expect);
      if (step.not) expect(read).not.toMatch(step.not);
    }
    const { ends } = row;
    if (ends.call === 'none') {
      expect(calls.formFor).toEqual([]);
      expect(calls.prepare).toEqual([]);
    } else if (ends.call === 'formFor') {
      const [caller, servicePrincipalId, prefill] = calls.formFor.at(-1) ?? [];
      expect((caller as { aadObjectId: string }).aadObjectId).toBe(who.aadObjectId);
      expect(servicePrincipalId).toBe(ends.servicePrincipalId);
      expect(prefill).toMatchObject({ email: ends.email, ...(ends.justification ? { justification: ends.justification } : {}), ...(ends.days ? { days: ends.days } : {}) });
      if (ends.appRoleId) expect(last?.card).toMatchObject({ body: expect.anything() });
      if (ends.appRoleId) expect(JSON.stringify(last?.card)).toContain(`"value":"${ends.appRoleId}"`);
      const send = last ? button(last, 'Send request') : undefined;
      expect(send?.verb).toBe('access.submit');
      if (row.send && last && send) {
        const sent = await client.click(who, { ...send, data: { ...inputsOf(last.card), ...send.data } });
        expect(sent.cardText).toMatch(row.send);
      }
    } else if (ends.call === 'prepare') {
      const [, email, displayName] = calls.prepare.at(-1) ?? [];
      expect(email).toBe(ends.email);
      expect(displayName).toBe(ends.displayName);
    } else {
      const [query] = calls.whois.at(-1) ?? [];
      expect((query as { value: string }).value.toLowerCase()).toBe(ends.value.toLowerCase());
    }
    // Every conversation in the table is over at its end: the next message is a new one.
    expect((await client.say(who, 'cancel')).cardText).toMatch(row.who === MEMBER ? /whoami/ : /There is nothing to cancel/);
  });
});

/** The inputs' values as Teams sends them with a click when nothing is edited. */
function inputsOf(card: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string' && record.type.startsWith('Input.') && typeof record.id === 'string' && record.value !== undefined) values[record.id] = String(record.value);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return values;
}
