import { actions } from '../../bot/actions';
import { commands } from '../../bot/commands';
import { parseRequestText } from '../../bot/commands/request.command';
import type { Caller } from '../../bot/identity/caller';
import type { Role } from '../../bot/identity/policy';
import { createLogger } from '../../bot/logger';
import { ActionRouter } from '../../bot/routing/actionRouter';
import { CommandRouter } from '../../bot/routing/commandRouter';
import { cardText, executeActions, formData } from '../helpers/bot';
import { testServices, type TestServices } from '../helpers/testServices';

const log = createLogger('silent');

const MANAGER_ID = 'b0000000-0000-4000-8000-0000000000bb';
const OWNER_ID = 'a0000000-0000-4000-8000-0000000000aa';
const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';
const WIKI = 'f3000000-0000-4000-8000-000000000003';
const ROLE_USER = '18d14569-c3bd-439b-9a66-3a2aee01d14f';
const ROLE_ADMIN = 'b9632174-c057-4f7e-951b-be3adc52bfe6';

function caller(roles: Role[], id = MANAGER_ID): Caller {
  return { aadObjectId: id, tenantId: 't', teamsUserId: `29:${id}`, name: roles.includes('admin') ? 'Ada Admin' : 'Max Manager', roles };
}

/** What a person reads on the card, input labels included. */
function visible(card: unknown): string {
  const labels: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'label' && typeof value === 'string') labels.push(value);
        else walk(value);
      }
    }
  };
  walk(card);
  return `${cardText(card)}\n${labels.join('\n')}`;
}

describe('parseRequestText', () => {
  it.each([
    ['expenses for ana@fabrikam.com', { appQuery: 'expenses', email: 'ana@fabrikam.com' }],
    ['Contoso Expenses (SAML) for ana@fabrikam.com for 14 days because Quarterly close', { appQuery: 'Contoso Expenses (SAML)', email: 'ana@fabrikam.com', days: 14, justification: 'Quarterly close' }],
    ['"Time for Timesheets" for ana@fabrikam.com for 1 day', { appQuery: 'Time for Timesheets', email: 'ana@fabrikam.com', days: 1 }],
    ['wiki for ana@fabrikam.com because it is needed for 3 days of work', { appQuery: 'wiki', email: 'ana@fabrikam.com', justification: 'it is needed for 3 days of work' }],
    ['wiki for 5 days for ana@fabrikam.com', { appQuery: 'wiki', email: 'ana@fabrikam.com', days: 5 }],
    ['wiki', { appQuery: 'wiki' }],
    ['', {}],
    ['for ana@fabrikam.com', { email: 'ana@fabrikam.com' }],
  ])('%s', (text, expected) => {
    expect(parseRequestText(text)).toEqual(expected);
  });
});

/** The request form, step by step: what the person types or picks, and what the next card says. */
const FORM_STEPS: {
  name: string;
  roles: Role[];
  text: string;
  inputs?: Record<string, string>;
  expectFirst: RegExp;
  expectAfterSubmit?: RegExp;
}[] = [
  { name: 'everything typed, one role', roles: ['manager'], text: 'request timesheets for ana@fabrikam.com for 10 days because Project Northwind', expectFirst: /Request access to Contoso Timesheets/, expectAfterSubmit: /Waiting for approval[\s\S]*10 days/ },
  { name: 'several roles: the form asks for one', roles: ['manager'], text: 'request expenses for ana@fabrikam.com because Audit', inputs: { appRoleId: ROLE_ADMIN }, expectFirst: /User[\s\S]*Admin[\s\S]*\nRole\n/, expectAfterSubmit: /Waiting for approval[\s\S]*Admin/ },
  { name: 'several roles, none chosen', roles: ['manager'], text: 'request expenses for ana@fabrikam.com because Audit', expectFirst: /Request access/, expectAfterSubmit: /has 2 roles; choose one/ },
  { name: 'no roles: default access', roles: ['admin'], text: 'request wiki for bo@fabrikam.com because Docs', expectFirst: /Default access/, expectAfterSubmit: /Waiting for approval/ },
  { name: 'duration defaults from config', roles: ['manager'], text: 'request wiki for ana@fabrikam.com because Docs', expectFirst: /Duration in days \(1 to 90\)/, expectAfterSubmit: /30 days/ },
  { name: 'duration over the maximum is pointed out and refused', roles: ['manager'], text: 'request wiki for ana@fabrikam.com for 400 days because Docs', inputs: { days: '400' }, expectFirst: /You asked for 400 days; a grant lasts 1 to 90 days/, expectAfterSubmit: /Duration: give a whole number of days from 1 to 90/ },
  { name: 'justification is required', roles: ['manager'], text: 'request wiki for ana@fabrikam.com', inputs: { justification: '  ' }, expectFirst: /Justification/, expectAfterSubmit: /Justification: say why/ },
  { name: 'no address: the form asks for it', roles: ['manager'], text: 'request wiki', inputs: { email: 'ana@fabrikam.com', justification: 'Docs' }, expectFirst: /Partner's email address/, expectAfterSubmit: /Waiting for approval/ },
  { name: 'address typed on the form must be a guest', roles: ['manager'], text: 'request wiki', inputs: { email: 'nobody@fabrikam.com', justification: 'Docs' }, expectFirst: /Request access/, expectAfterSubmit: /not a guest here yet/ },
  { name: 'nothing typed: pick list of every app', roles: ['manager'], text: 'request', expectFirst: /Choose the app[\s\S]*Contoso Expenses[\s\S]*Contoso Timesheets[\s\S]*Contoso Wiki[\s\S]*Legacy Payroll/ },
  { name: 'ambiguous name: pick list', roles: ['manager'], text: 'request contoso for ana@fabrikam.com', expectFirst: /3 apps match "contoso"/ },
  { name: 'typo: near matches', roles: ['manager'], text: 'request timeshets for ana@fabrikam.com', expectFirst: /Request access to Contoso Timesheets|apps match/ },
  { name: 'unknown app: closest names', roles: ['manager'], text: 'request zebra for ana@fabrikam.com', expectFirst: /No app is called "zebra"/ },
  { name: 'unknown partner: offer to invite', roles: ['manager'], text: 'request wiki for new@fabrikam.com', expectFirst: /not a guest here yet[\s\S]*invite new@fabrikam\.com/ },
  { name: 'member address refused', roles: ['manager'], text: 'request wiki for lee@contoso.com', expectFirst: /belongs to a member account/ },
  { name: 'disabled guest refused', roles: ['manager'], text: 'request wiki for off@fabrikam.com', expectFirst: /guest account is disabled/ },
  { name: 'Kerberos without on-prem refused for an invited guest', roles: ['manager'], text: 'request payroll for ana@fabrikam.com', expectFirst: /cannot be granted here[\s\S]*ONPREM/ },
  { name: 'member of the organization cannot request', roles: [], text: 'request wiki for ana@fabrikam.com', expectFirst: /You can't use request/ },
  { name: 'the only owner asking, and no other admin: nobody can approve', roles: ['admin'], text: 'request solo for ana@fabrikam.com because x', expectFirst: /Request access to Solo App/, expectAfterSubmit: /Nobody else can approve/ },
];

describe('the request form, table-driven', () => {
  let services: TestServices;
  const commandRouter = new CommandRouter(commands);
  const actionRouter = new ActionRouter(actions);

  beforeAll(async () => {
    services = await testServices();
    const app = (id: string, displayName: string, ssoKind: 'saml' | 'kerberos' | 'headerBased', roles: { id: string; displayName: string }[]) => ({
      servicePrincipalId: id,
      appId: id.replace('f3', 'f2'),
      displayName,
      ssoKind,
      externalUrl: 'https://x-contoso.msappproxy.net/',
      roles,
    });
    services.appDirectory.apps.push(
      app(EXPENSES, 'Contoso Expenses (SAML)', 'saml', [
        { id: ROLE_USER, displayName: 'User' },
        { id: ROLE_ADMIN, displayName: 'Admin' },
      ]),
      app(TIMESHEETS, 'Contoso Timesheets', 'headerBased', [{ id: '3c1d5e7f-9a2b-4c4d-8e6f-a1b2c3d4e5f6', displayName: 'Timesheet User' }]),
      app(WIKI, 'Contoso Wiki', 'headerBased', []),
      app('f3000000-0000-4000-8000-000000000009', 'Legacy Payroll (KCD)', 'kerberos', []),
      app('f3000000-0000-4000-8000-000000000010', 'Solo App', 'saml', []),
    );
    for (const id of [EXPENSES, TIMESHEETS, WIKI, 'f3000000-0000-4000-8000-000000000009']) services.appDirectory.owners[id] = [{ id: OWNER_ID, displayName: 'Olga Owner' }];
    services.appDirectory.owners['f3000000-0000-4000-8000-000000000010'] = [{ id: MANAGER_ID, displayName: 'Ada Admin' }];
    const guest = (n: number, mail: string, extra: Record<string, unknown> = {}) => ({
      id: `e0000000-0000-4000-8000-00000000000${n}`,
      displayName: mail.split('@')[0] ?? mail,
      userPrincipalName: `${mail.replace('@', '_')}#EXT#@contoso.onmicrosoft.com`,
      mail,
      userType: 'Guest',
      creationType: 'Invitation',
      externalUserState: 'Accepted',
      ...extra,
    });
    services.invitationDirectory.users.push(
      guest(1, 'ana@fabrikam.com'),
      guest(2, 'bo@fabrikam.com', { externalUserState: 'PendingAcceptance' }),
      guest(3, 'off@fabrikam.com', { accountEnabled: false }),
      { id: 'c0000000-0000-4000-8000-000000000004', displayName: 'Lee Gu', userPrincipalName: 'lee@contoso.com', mail: 'lee@contoso.com', userType: 'Member' },
    );
  });
  afterAll(async () => {
    await services.dispose();
  });

  it.each(FORM_STEPS.map((s) => [s.name, s] as const))('%s', async (_name, step) => {
    const who = caller(step.roles);
    const routed = await commandRouter.route(step.text, { caller: who, services, log });
    const card = 'card' in routed.reply ? routed.reply.card : routed.reply;
    expect(visible(card.content)).toMatch(step.expectFirst);
    if (!step.expectAfterSubmit) return;
    const data = formData(card.content, 'access.submit');
    expect(data).toBeDefined();
    const { response } = await actionRouter.route(
      { action: { type: 'Action.Execute', verb: 'access.submit', data: { ...data, ...step.inputs } }, trigger: 'manual' },
      { caller: who, services, log },
    );
    const value = typeof response.value === 'string' ? response.value : cardText(response.value);
    expect(value).toMatch(step.expectAfterSubmit);
  });

  /** A submit that fails validation: the form comes back with what was typed, and the problem right under its field. */
  const KEEPS: { name: string; text: string; inputs: Record<string, string>; field: string; problem: RegExp; kept: Record<string, string | number> }[] = [
    { name: 'no role chosen', text: 'request expenses for ana@fabrikam.com', inputs: { days: '12', justification: 'Audit prep' }, field: 'appRoleId', problem: /has 2 roles; choose one/, kept: { days: 12, justification: 'Audit prep' } },
    { name: 'duration out of range', text: 'request wiki for ana@fabrikam.com', inputs: { days: '400', justification: 'Docs for the launch' }, field: 'days', problem: /from 1 to 90/, kept: { days: 400, justification: 'Docs for the launch' } },
    { name: 'empty justification', text: 'request expenses for ana@fabrikam.com', inputs: { appRoleId: ROLE_ADMIN, days: '7', justification: '  ' }, field: 'justification', problem: /Justification: say why/, kept: { appRoleId: ROLE_ADMIN, days: 7 } },
    { name: 'a typo in the address', text: 'request wiki', inputs: { email: 'ana@fabrikam.con', days: '5', justification: 'Docs' }, field: 'email', problem: /ana@fabrikam\.con is not a guest here yet/, kept: { email: 'ana@fabrikam.con', days: 5, justification: 'Docs' } },
  ];

  /** The inputs of a card by id, and the text of the element right after each one. */
  function fields(card: unknown): Map<string, { value: unknown; next?: string }> {
    const found = new Map<string, { value: unknown; next?: string }>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => {
          const el = item as Record<string, unknown> | null;
          if (el && typeof el.type === 'string' && el.type.startsWith('Input.') && typeof el.id === 'string') {
            const after = node[i + 1] as Record<string, unknown> | undefined;
            found.set(el.id, { value: el.value, next: after?.type === 'TextBlock' ? String(after.text) : undefined });
          }
          walk(item);
        });
      } else if (node && typeof node === 'object') Object.values(node).forEach(walk);
    };
    walk(card);
    return found;
  }

  it.each(KEEPS.map((k) => [k.name, k] as const))('keeps what was typed when the form is refused: %s', async (_name, step) => {
    const who = caller(['manager']);
    const routed = await commandRouter.route(step.text, { caller: who, services, log });
    const card = 'card' in routed.reply ? routed.reply.card : routed.reply;
    const data = formData(card.content, 'access.submit') ?? {};
    const { response } = await actionRouter.route(
      { action: { type: 'Action.Execute', verb: 'access.submit', data: { ...data, ...step.inputs } }, trigger: 'manual' },
      { caller: who, services, log },
    );
    expect(typeof response.value).not.toBe('string');
    const again = fields(response.value);
    expect(again.get(step.field)?.next).toMatch(step.problem);
    for (const [id, value] of Object.entries(step.kept)) expect(again.get(id)?.value).toEqual(value);
    expect(formData(response.value, 'access.submit')?.formId).toBe(data.formId);
    expect(cardText(response.value)).toMatch(/Not sent yet/);
    expect(await services.accessRequests.get(String(data.formId))).toBeUndefined();
  });

  it('has Cancel on the pick list and the form; Cancel says nothing was changed and stores nothing', async () => {
    const who = caller(['manager']);
    for (const text of ['request contoso for ana@fabrikam.com', 'request timesheets for ana@fabrikam.com because Later']) {
      const routed = await commandRouter.route(text, { caller: who, services, log });
      const card = 'card' in routed.reply ? routed.reply.card : routed.reply;
      const cancel = executeActions(card.content).find((b) => b.title === 'Cancel');
      expect(cancel).toBeDefined();
      const { response } = await actionRouter.route({ action: { type: 'Action.Execute', verb: cancel?.verb, data: { ...cancel?.data } }, trigger: 'manual' }, { caller: who, services, log });
      expect(cardText(response.value)).toMatch(/Cancelled[\s\S]*nothing was changed/i);
      const formId = formData(card.content, 'access.submit')?.formId;
      if (formId) expect(await services.accessRequests.get(String(formId))).toBeUndefined();
    }
  });

  it('sends the approval card to the owner, and one decision settles it', async () => {
    const who = caller(['manager']);
    const routed = await commandRouter.route('request timesheets for bo@fabrikam.com because Pilot', { caller: who, services, log });
    const card = 'card' in routed.reply ? routed.reply.card : routed.reply;
    const data = formData(card.content, 'access.submit') ?? {};
    await actionRouter.route({ action: { type: 'Action.Execute', verb: 'access.submit', data }, trigger: 'manual' }, { caller: who, services, log });
    const sent = services.notifier.sent.filter((s) => s.to === `personal:${OWNER_ID}` && cardText(s.message.card.content).includes('Access request: bo → Contoso Timesheets'));
    expect(sent).toHaveLength(1);
    const owner = caller([], OWNER_ID);
    const decide = (verb: string) => actionRouter.route({ action: { type: 'Action.Execute', verb, data: { id: data.formId } }, trigger: 'manual' }, { caller: owner, services, log });
    const [first, second] = await Promise.all([decide('access.deny'), decide('access.approve')]);
    const texts = [first, second].map((r) => (typeof r.response.value === 'string' ? r.response.value : cardText(r.response.value)));
    expect(texts.filter((t) => /Denied by|Approved by/.test(t))).toHaveLength(2);
    const record = await services.accessRequests.get(String(data.formId));
    expect(['denied', 'approved']).toContain(record?.state);
    const audit = await services.store.audit.list({ target: record?.guestUpn });
    expect(audit.filter((a) => a.outcome === 'success' && (a.action === 'access.approve' || a.action === 'access.deny'))).toHaveLength(1);
  });

  it('a Withdraw racing an Approve settles the request once, and the loser is shown where it stands', async () => {
    const who = caller(['manager']);
    const routed = await commandRouter.route('request expenses for bo@fabrikam.com because Race', { caller: who, services, log });
    const card = 'card' in routed.reply ? routed.reply.card : routed.reply;
    const data: Record<string, unknown> = { ...formData(card.content, 'access.submit'), appRoleId: ROLE_USER };
    await actionRouter.route({ action: { type: 'Action.Execute', verb: 'access.submit', data }, trigger: 'manual' }, { caller: who, services, log });
    const click = (verb: string, as: Caller) => actionRouter.route({ action: { type: 'Action.Execute', verb, data: { id: data.formId } }, trigger: 'manual' }, { caller: as, services, log });
    const [withdrawn, approved] = await Promise.all([click('access.withdraw', who), click('access.approve', caller([], OWNER_ID))]);
    const record = await services.accessRequests.get(String(data.formId));
    expect(['withdrawn', 'approved']).toContain(record?.state);
    expect(record?.version).toBe(1);
    const withdrawText = typeof withdrawn.response.value === 'string' ? withdrawn.response.value : cardText(withdrawn.response.value);
    const approveText = typeof approved.response.value === 'string' ? approved.response.value : cardText(approved.response.value);
    if (record?.state === 'withdrawn') {
      expect(withdrawText).toContain('Withdrawn: Contoso Expenses (SAML) for bo');
      expect(approveText).toContain('Withdrawn by Max Manager');
    } else {
      expect(withdrawText).toContain('Too late to withdraw Contoso Expenses (SAML) for bo');
      expect(approveText).toContain('Approved by Olga Owner');
    }
    const audit = (await services.store.audit.list({ target: record?.guestUpn })).filter((a) => a.detail?.request === record?.id && a.outcome !== 'refused');
    expect(audit.map((a) => a.action).sort()).toEqual(['access.request', record?.state === 'withdrawn' ? 'access.withdraw' : 'access.approve'].sort());
  });
});
