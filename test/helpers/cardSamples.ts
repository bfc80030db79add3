import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { UserSummary } from '../../bot/services/lookup';

/** Text a hostile or careless directory could hold: Markdown links, template syntax, very long, right-to-left, spoofing. */
export const HOSTILE = {
  link: '[Approve here](https://evil.example/approve)',
  template: '${caller.name} ${if(true, "x", "y")}',
  long: 'Wolfeschlegelsteinhausenbergerdorff '.repeat(40),
  rtl: 'محمد بن سلمان שלום',
  spoof: 'invoice\u202Egpj.exe',
};

export const HOSTILE_TEXT = Object.values(HOSTILE).join(' ');

export interface CardSample {
  card: string;
  variant: 'typical' | 'maximal' | 'hostile';
  attachment: Attachment;
}

const manyCommands = Array.from({ length: 12 }, (_, i) => ({
  usage: `command${i} <email | UPN | object id> [for <N> days] [because <text>]`,
  summary: 'A long description of what the command does, written to wrap over more than one line in a narrow chat pane.',
  aliases: ['alias-one', 'alias-two'],
}));

/** Every card rendered with typical, maximal and hostile data, for schema, size and rendering tests and the gallery. */
export function cardSamples(): CardSample[] {
  return [
    { card: 'help', variant: 'typical', attachment: cards.help({ roleSummary: 'Admin', commands: manyCommands.slice(0, 3) }) },
    { card: 'help', variant: 'maximal', attachment: cards.help({ roleSummary: 'Admin and partner manager', notUnderstood: HOSTILE.long, commands: manyCommands }) },
    { card: 'help', variant: 'hostile', attachment: cards.help({ roleSummary: 'Member (read-only lookups)', notUnderstood: HOSTILE_TEXT, commands: manyCommands.slice(0, 2) }) },
    { card: 'notice', variant: 'typical', attachment: cards.notice({ tone: 'good', title: 'Invitation sent', text: 'Alice will get an email.' }) },
    { card: 'notice', variant: 'maximal', attachment: cards.notice({ tone: 'attention', title: HOSTILE.long, text: HOSTILE.long.repeat(3), code: HOSTILE.long, reference: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' }) },
    { card: 'notice', variant: 'hostile', attachment: cards.notice({ tone: 'warning', title: HOSTILE.link, text: HOSTILE_TEXT, code: HOSTILE.template }) },
    ...inviteCardSamples(),
    ...bulkCardSamples(),
    { card: 'whoami', variant: 'typical', attachment: cards.whoami({ name: 'Megan Bowen', objectId: 'c0ffee00-0000-4000-8000-000000000001', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', roleSummary: 'Admin', cacheSeconds: 60 }) },
    { card: 'whoami', variant: 'maximal', attachment: cards.whoami({ name: HOSTILE.long, objectId: 'c0ffee00-0000-4000-8000-000000000001', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', roleSummary: 'Admin and partner manager', cacheSeconds: 3600 }) },
    { card: 'whoami', variant: 'hostile', attachment: cards.whoami({ name: HOSTILE_TEXT, objectId: 'c0ffee00-0000-4000-8000-000000000001', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', roleSummary: 'Member (read-only lookups)', cacheSeconds: 60 }) },
    { card: 'userSummary', variant: 'typical', attachment: cards.userSummary(sampleUser({})) },
    {
      card: 'userSummary',
      variant: 'maximal',
      attachment: cards.userSummary(
        sampleUser({
          displayName: HOSTILE.long,
          userPrincipalName: `${'a'.repeat(64)}_fabrikam.com#EXT#@contoso.onmicrosoft.com`,
          mail: `${'a'.repeat(64)}@${'sub.'.repeat(40)}fabrikam.com`,
          companyName: HOSTILE.long,
          source: { kind: 'syncedPartner', markedBy: { attribute: 'extensionAttribute1', value: 'Partner' } },
          userType: 'Member',
          onPremises: { userPrincipalName: HOSTILE.long, samAccountName: 'x'.repeat(20), domainName: 'corp.contoso.com' },
          warnings: [{ kind: 'partnerSyncedAsMember', markedBy: 'extensionAttribute1 = "Partner"' }, { kind: 'syncedGuestWithoutMarker' }],
          signInMethods: Array.from({ length: 8 }, (_, i) => ({ kind: 'federatedIdp' as const, issuer: `https://idp${i}.example/${'x'.repeat(100)}` })),
          sponsors: Array.from({ length: 20 }, (_, i) => ({ displayName: `${HOSTILE.long.slice(0, 60)} ${i}`, isGroup: i % 2 === 0 })),
          mailDomainDiffers: { mailDomain: 'fabrikam.com', upnDomain: 'partners.contoso.com' },
          appAccess: { available: true, apps: Array.from({ length: 20 }, (_, i) => ({ appName: `${HOSTILE.long.slice(0, 80)} ${i}`, roleName: HOSTILE.long.slice(0, 60) })), more: true },
        }),
        { canResend: true },
      ),
    },
    {
      card: 'userSummary',
      variant: 'hostile',
      attachment: cards.userSummary(
        sampleUser({
          displayName: HOSTILE_TEXT,
          companyName: HOSTILE.link,
          mail: 'x@evil.example',
          signInMethods: [{ kind: 'federatedIdp', issuer: HOSTILE.link }],
          sponsors: [{ displayName: HOSTILE.template, isGroup: false }],
          appAccess: { available: true, apps: [{ appName: HOSTILE_TEXT, roleName: HOSTILE.template }], more: false },
        }),
        { canResend: true },
      ),
    },
    {
      card: 'userPicker',
      variant: 'typical',
      attachment: cards.userPicker({
        query: 'Sam',
        more: false,
        candidates: [
          { id: 'c0ffee00-0000-4000-8000-000000000001', displayName: 'Sam Taylor', mail: 'sam.taylor@contoso.com', userType: 'Member' },
          { id: 'c0ffee00-0000-4000-8000-000000000002', displayName: 'Sam Taylor', mail: 'sam@fabrikam.com', userType: 'Guest', companyName: 'Fabrikam' },
        ],
      }),
    },
    {
      card: 'userPicker',
      variant: 'maximal',
      attachment: cards.userPicker({
        query: HOSTILE.long,
        more: true,
        candidates: Array.from({ length: 10 }, (_, i) => ({
          id: `c0ffee00-0000-4000-8000-00000000000${i}`,
          displayName: HOSTILE.long,
          mail: `${'a'.repeat(64)}@fabrikam.com`,
          userType: 'Guest',
          companyName: HOSTILE.long,
        })),
      }),
    },
    {
      card: 'userPicker',
      variant: 'hostile',
      attachment: cards.userPicker({
        query: HOSTILE.template,
        more: false,
        candidates: [{ id: 'c0ffee00-0000-4000-8000-000000000001', displayName: HOSTILE_TEXT, mail: HOSTILE.link, companyName: HOSTILE.spoof }],
      }),
    },
    { card: 'realm', variant: 'typical', attachment: cards.realm({ query: 'alice@fabrikam.com', verdict: { domain: 'fabrikam.com', kind: 'managedTenant', organizationName: 'Fabrikam', tenantId: '2f6e8c14-3b5d-4e7a-9c1f-8a2b4d6e0f13', sentence: "fabrikam.com belongs to Fabrikam's Microsoft Entra tenant.", missing: [] } }) },
    {
      card: 'realm',
      variant: 'maximal',
      attachment: cards.realm(
        {
          query: `${'w'.repeat(64)}@bücher-${'x'.repeat(40)}.example`,
          verdict: {
            domain: `bücher-${'x'.repeat(40)}.example`,
            asciiDomain: `xn--bcher-${'x'.repeat(40)}-kva.example`,
            kind: 'federated',
            organizationName: HOSTILE.long,
            tenantId: '2f6e8c14-3b5d-4e7a-9c1f-8a2b4d6e0f13',
            federation: { brand: HOSTILE.long, protocol: 'WS-Federation', idpHost: `${'sts.'.repeat(30)}example` },
            microsoftAccount: false,
            sentence: HOSTILE.long.repeat(2),
            missing: ['whether this is one of our own domains (Microsoft Graph: no answer within 2 s)', "the organization's tenant id (openid-configuration: no answer within 2 s)"],
          },
          homeRealmProblem: {
            user: { id: 'd0000000-0000-4000-8000-000000000001', displayName: HOSTILE.long, userPrincipalName: 'wmoran@partners.contoso.com' },
            upnRealm: { domain: 'partners.contoso.com', kind: 'ownFederated', federation: { idpHost: 'sts.contoso.com' }, sentence: '', missing: [] },
          },
          ownerCheckFailed: true,
        },
        { backToUserId: 'd0000000-0000-4000-8000-000000000001' },
      ),
    },
    {
      card: 'realm',
      variant: 'hostile',
      attachment: cards.realm({
        query: HOSTILE.template,
        verdict: { domain: 'evil.example', kind: 'consumerOrUnknown', organizationName: HOSTILE.link, sentence: HOSTILE_TEXT, missing: [HOSTILE.link] },
        homeRealmProblem: { user: { id: 'd0000000-0000-4000-8000-000000000001', displayName: HOSTILE_TEXT } },
      }),
    },
    ...appsSamples(),
  ];
}

const roleSet = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `3c1d5e7f-9a2b-4c4d-8e6f-${String(i).padStart(12, '0')}`, displayName: `Role number ${i} with a long name` }));

function appsSamples(): CardSample[] {
  const app = (i: number, ssoKind: 'saml' | 'kerberos' | 'headerBased' | 'none', roles = 1) => ({
    servicePrincipalId: `f3000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    appId: `f2000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    displayName: `Contoso App ${i}`,
    externalUrl: `https://app${i}-contoso.msappproxy.net/`,
    ssoKind,
    roles: roleSet(roles),
  });
  return [
    { card: 'apps', variant: 'typical', attachment: cards.apps([app(1, 'saml', 2), app(2, 'kerberos'), app(3, 'headerBased', 0)]) },
    { card: 'apps', variant: 'maximal', attachment: cards.apps(Array.from({ length: 40 }, (_, i) => app(i, i % 2 === 0 ? 'kerberos' : 'none', 6))) },
    {
      card: 'apps',
      variant: 'hostile',
      attachment: cards.apps([{ ...app(1, 'saml'), displayName: HOSTILE_TEXT, externalUrl: HOSTILE.link, roles: [{ id: 'x', displayName: HOSTILE_TEXT }] }]),
    },
  ];
}

/** A typical invited guest for the whois card samples, with fields overridden per variant. */
function sampleUser(overrides: Partial<UserSummary>): UserSummary {
  return {
    id: 'e0000000-0000-4000-8000-000000000001',
    displayName: 'Alice Smith (Fabrikam)',
    userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    mail: 'alice@fabrikam.com',
    companyName: 'Fabrikam',
    userType: 'Guest',
    accountEnabled: true,
    created: '2024-05-01T10:00:00Z',
    source: { kind: 'invitedGuest' },
    warnings: [],
    invitation: { state: 'Accepted', since: '2024-05-02T14:11:09Z' },
    signInMethods: [{ kind: 'entra' }],
    sponsors: [{ displayName: 'Megan Bowen', isGroup: false }],
    lastSignIn: { available: true, lastSignIn: '2025-01-08T09:30:00Z' },
    appAccess: { available: true, apps: [{ appName: 'Expenses (on-prem)', roleName: 'Submitter' }], more: false },
    realmTarget: 'alice@fabrikam.com',
    ...overrides,
  };
}

const INVITE_ID = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const ADMIN_MRIS = Array.from({ length: 60 }, (_, i) => `29:1${String(i).padStart(3, '0')}-admin-teams-id-${'x'.repeat(40)}`);

/** The invite flow's cards: the confirm form, outcomes (with a redemption link) and the admins' approval card. */
function inviteCardSamples(): CardSample[] {
  const approval = {
    id: INVITE_ID,
    tone: 'info' as const,
    status: 'Waiting for an admin',
    summary: 'Megan Bowen asks to invite this partner as a guest.',
    email: 'ana@fabrikam.com',
    domain: 'fabrikam.com',
    requester: 'Megan Bowen',
    displayName: 'Ana Silva (Fabrikam)',
    delivery: 'Requester sends the redemption link',
    groups: '9a000000-0000-4000-8000-000000000004',
    requestedAt: '2026-11-23 19:00 UTC',
    canDecide: true,
    approverIds: ADMIN_MRIS.slice(0, 2),
  };
  const redeemUrl = 'https://login.microsoftonline.com/redeem?rd=https%3a%2f%2finvitations.microsoft.com%2fredeem%2f%3ftenant%3d6e3c2d1a';
  return [
    {
      card: 'inviteConfirm',
      variant: 'typical',
      attachment: cards.inviteConfirm({ id: INVITE_ID, email: 'ana@fabrikam.com', domain: 'fabrikam.com', signIn: 'Fabrikam’s own Entra tenant: Ana signs in with her work account.', sponsor: 'Adele Vance', redirectUrl: 'https://myapps.microsoft.com', asAdmin: true }),
    },
    {
      card: 'inviteConfirm',
      variant: 'maximal',
      attachment: cards.inviteConfirm({ id: INVITE_ID, email: `${'a'.repeat(64)}@bücher.example`, domain: `bücher.example (xn--bcher-kva.example)`, lookalike: HOSTILE.long, signIn: HOSTILE.long, sponsor: HOSTILE.long, displayName: HOSTILE.long, redirectUrl: `https://example.com/${'p'.repeat(1900)}`, asAdmin: false }),
    },
    {
      card: 'inviteConfirm',
      variant: 'hostile',
      attachment: cards.inviteConfirm({ id: INVITE_ID, email: HOSTILE.link, domain: HOSTILE_TEXT, lookalike: HOSTILE_TEXT, signIn: HOSTILE_TEXT, sponsor: HOSTILE.spoof, displayName: HOSTILE.spoof, redirectUrl: 'https://myapps.microsoft.com', asAdmin: true }),
    },
    {
      card: 'inviteOutcome',
      variant: 'typical',
      attachment: cards.inviteOutcome({ tone: 'good', title: 'ana@fabrikam.com is invited', text: 'Send the partner the link below.', facts: [{ title: 'State', value: 'Invited' }], redeemUrl, personalMessage: 'Welcome aboard!' }),
    },
    {
      card: 'inviteOutcome',
      variant: 'maximal',
      attachment: cards.inviteOutcome({ tone: 'warning', title: HOSTILE.long, text: HOSTILE.long.repeat(2), facts: Array.from({ length: 14 }, () => ({ title: HOSTILE.long, value: HOSTILE.long })), redeemUrl: `${redeemUrl}${'x'.repeat(1800)}`, personalMessage: HOSTILE.long.repeat(2), note: HOSTILE.long, resendEmail: 'ana@fabrikam.com' }),
    },
    {
      card: 'inviteOutcome',
      variant: 'hostile',
      attachment: cards.inviteOutcome({ tone: 'attention', title: HOSTILE.link, text: HOSTILE_TEXT, facts: [{ title: HOSTILE.link, value: HOSTILE_TEXT }], redeemUrl: HOSTILE.link, personalMessage: HOSTILE_TEXT, note: HOSTILE.template, resendEmail: HOSTILE.template }),
    },
    { card: 'inviteApproval', variant: 'typical', attachment: cards.inviteApproval(approval) },
    {
      card: 'inviteApproval',
      variant: 'maximal',
      attachment: cards.inviteApproval({ ...approval, summary: HOSTILE.long, requester: HOSTILE.long, displayName: HOSTILE.long, groups: Array.from({ length: 10 }, () => '9a000000-0000-4000-8000-000000000004').join(', '), message: HOSTILE.long.repeat(2), viewerNote: HOSTILE.long, approverIds: ADMIN_MRIS }),
    },
    {
      card: 'inviteApproval',
      variant: 'hostile',
      attachment: cards.inviteApproval({ ...approval, status: HOSTILE.link, summary: HOSTILE_TEXT, email: HOSTILE.link, requester: HOSTILE.spoof, displayName: HOSTILE_TEXT, message: HOSTILE_TEXT, canDecide: false }),
    },
  ];
}

/** A bulk run's card before it starts, while running (progress bar) and when stopped by the abuse block. */
function bulkCardSamples(): CardSample[] {
  const facts = [
    { title: 'Rows', value: '200' },
    { title: 'Invited', value: '42' },
    { title: 'Already guest', value: '3' },
    { title: 'Refused by policy', value: '1' },
    { title: 'Failed', value: '0' },
  ];
  const download = 'https://bot.contoso.com/bulk/3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/results.csv?expires=1800000000&sig=abc';
  return [
    { card: 'bulkRun', variant: 'typical', attachment: cards.bulkRun({ id: INVITE_ID, tone: 'info', status: 'Running', title: 'Inviting 200 partners', progress: { done: 46, total: 200 }, facts, problems: ['temp@mailinator.com: blocked by policy'], showCancel: true, downloadUrl: download }) },
    {
      card: 'bulkRun',
      variant: 'maximal',
      attachment: cards.bulkRun({ id: INVITE_ID, tone: 'warning', status: HOSTILE.long, title: HOSTILE.long, text: HOSTILE.long.repeat(2), progress: { done: 999, total: 1000 }, facts: Array.from({ length: 14 }, () => ({ title: HOSTILE.long, value: HOSTILE.long })), problems: Array.from({ length: 8 }, () => HOSTILE.long), note: HOSTILE.long, showCancel: true, cancelTitle: 'Stop the run', downloadUrl: `${download}${'x'.repeat(1500)}` }),
    },
    { card: 'bulkRun', variant: 'hostile', attachment: cards.bulkRun({ id: INVITE_ID, tone: 'attention', status: HOSTILE.link, title: HOSTILE.link, text: HOSTILE_TEXT, progress: { done: 0, total: 0 }, facts: [{ title: HOSTILE.link, value: HOSTILE_TEXT }], problems: [HOSTILE_TEXT, HOSTILE.template], note: HOSTILE.spoof, downloadUrl: 'javascript:alert(1)' }) },
  ];
}
