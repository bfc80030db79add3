import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { UserSummary } from '../../bot/services/lookup';
import { accessRequestMessages, approvalCardFor, formCard, forwardFormCard, myRequestsCard, pendingCard, startReply, statusCard } from '../../bot/presenters/access.presenter';
import type { Caller } from '../../bot/identity/caller';
import type { AccessRequestRecord } from '../../bot/store';
import { expiringCard, extensionFormCard, grantCard, grantLifeMessages } from '../../bot/presenters/grantLife.presenter';
import { auditPageCard, exportCard, historyCard } from '../../bot/presenters/audit.presenter';
import type { TimelineLine } from '../../bot/services/audit/timeline';
import { CHECK_ORDER, type DoctorCheck } from '../../bot/services/doctor/checks';
import { staleCard } from '../../bot/presenters/stale.presenter';
import { classifyGuest, countGroups } from '../../bot/services/stale/staleClassify';
import { linesOf, type StaleScan } from '../../bot/services/stale/staleService';
import type { HygieneGuest, SponsorRead } from '../../bot/graph/guestHygiene';

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
  example: `command${i} siobhan.obrien@partner-with-a-long-domain.example for 30 days because <audit>`,
}));

/** Every card rendered with typical, maximal and hostile data, for schema, size and rendering tests and the gallery. */
export function cardSamples(): CardSample[] {
  return [
    { card: 'help', variant: 'typical', attachment: cards.help({ roleSummary: 'Admin', commands: manyCommands.slice(0, 3) }) },
    { card: 'help', variant: 'maximal', attachment: cards.help({ roleSummary: 'Admin and partner manager', notUnderstood: HOSTILE.long, commands: manyCommands }) },
    { card: 'help', variant: 'hostile', attachment: cards.help({ roleSummary: 'Member (read-only lookups)', notUnderstood: HOSTILE_TEXT, commands: manyCommands.slice(0, 2) }) },
    {
      card: 'confirm',
      variant: 'typical',
      attachment: cards.confirm({
        confirmationId: 'c0000000-0000-4000-8000-000000000002',
        title: "Reset Alice Smith's redemption?",
        consequence: 'Alice Smith will have to accept a new invitation before she can sign in again. She keeps her groups and app access.',
        confirmLabel: 'Reset redemption',
        facts: [{ title: 'Guest', value: 'alice@fabrikam.com' }],
        expiresAt: new Date('2026-12-02T10:15:00Z'),
      }),
    },
    {
      card: 'confirm',
      variant: 'maximal',
      attachment: cards.confirm({
        confirmationId: 'c0000000-0000-4000-8000-000000000003',
        title: HOSTILE.long,
        consequence: HOSTILE.long.repeat(3),
        confirmLabel: HOSTILE.long,
        facts: Array.from({ length: 6 }, (_, i) => ({ title: `Fact ${i}`, value: HOSTILE.long })),
        expiresAt: new Date('2026-12-02T10:15:00Z'),
      }),
    },
    {
      card: 'confirm',
      variant: 'hostile',
      attachment: cards.confirm({
        confirmationId: 'c0000000-0000-4000-8000-000000000004',
        title: HOSTILE.link,
        consequence: HOSTILE_TEXT,
        confirmLabel: HOSTILE.template,
        expiresAt: new Date('2026-12-02T10:15:00Z'),
      }),
    },
    { card: 'notice', variant: 'typical', attachment: cards.notice({ tone: 'good', title: 'Invitation sent', text: 'Alice will get an email.' }) },
    { card: 'notice', variant: 'maximal', attachment: cards.notice({ tone: 'attention', title: HOSTILE.long, text: HOSTILE.long.repeat(3), code: HOSTILE.long, reference: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' }) },
    { card: 'notice', variant: 'hostile', attachment: cards.notice({ tone: 'warning', title: HOSTILE.link, text: HOSTILE_TEXT, code: HOSTILE.template }) },
    {
      card: 'doctor',
      variant: 'typical',
      attachment: cards.doctor({
        query: 'rpatel@contoso.com',
        user: { id: 'd0000000-0000-4000-8000-000000000002', displayName: 'Raj Patel', address: 'raj.patel@northwindtraders.com' },
        app: { servicePrincipalId: 'f3000000-0000-4000-8000-000000000002', displayName: 'Contoso Timesheets (IWA)' },
        checks: [
          { id: 'account', status: 'green', fact: 'Raj Patel exists and is enabled, UserType Guest.' },
          { id: 'invitation', status: 'grey', fact: 'Not an invited guest: the account is ours, so there is nothing to redeem.' },
          { id: 'signIn', status: 'red', fact: 'A sign-in with raj.patel@northwindtraders.com goes to Northwind Traders, not to us.', fix: { kind: 'command', text: 'signin raj.patel@northwindtraders.com', why: 'The checklist for a synced partner' } },
          { id: 'assigned', status: 'red', fact: 'Raj Patel is not assigned to Contoso Timesheets (IWA).', fix: { kind: 'requestAccess', servicePrincipalId: 'f3000000-0000-4000-8000-000000000002', partner: 'raj.patel@northwindtraders.com' } },
          { id: 'grant', status: 'amber', fact: "The bot's grant ends soon, on 2026-12-05.", fix: { kind: 'extend', grantId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' } },
          { id: 'preAuthentication', status: 'green', fact: 'Microsoft Entra ID pre-authenticates.' },
          { id: 'singleSignOn', status: 'green', fact: 'Kerberos constrained delegation to HTTP/timesheets.corp.contoso.com.' },
          { id: 'shadowAccount', status: 'grey', fact: "Raj Patel's own on-prem AD account serves for Kerberos." },
          { id: 'delegatedLogin', status: 'green', fact: 'The connector asks a ticket for the userPrincipalName.' },
          { id: 'conditionalAccess', status: 'amber', fact: '"Require MFA for partners" requires multifactor authentication. Locations, devices, client apps and risk are not evaluated.', fix: { kind: 'explain', text: 'The bot changes no Conditional Access policy: an admin reviews it in Entra ID.' } },
          { id: 'recentSignIns', status: 'red', fact: 'The last sign-in to Contoso Timesheets (IWA) failed. 2026-12-02 09:14 UTC to Contoso Timesheets (IWA): AADSTS50105, not assigned to the app (see Assigned to the app).', fix: { kind: 'explain', text: 'See the row "Assigned to the app" above: it says what to change.' } },
        ],
        verdict: 'Raj Patel is not assigned to Contoso Timesheets (IWA): request access.',
      }),
    },
    {
      card: 'doctor',
      variant: 'maximal',
      attachment: cards.doctor({
        query: HOSTILE.long,
        user: { id: 'e0000000-0000-4000-8000-000000000001', displayName: HOSTILE.long, address: HOSTILE.long },
        app: { servicePrincipalId: 'f3000000-0000-4000-8000-000000000002', displayName: HOSTILE.long },
        checks: CHECK_ORDER.map((id, n): DoctorCheck => ({
          id,
          status: (['red', 'amber', 'green', 'grey'] as const)[n % 4] ?? 'red',
          fact: HOSTILE.long.repeat(2),
          fix: n % 2 === 0 ? { kind: 'resend', email: 'alice@fabrikam.com' } : { kind: 'explain', text: HOSTILE.long },
        })),
        verdict: HOSTILE.long,
      }),
    },
    {
      card: 'doctor',
      variant: 'hostile',
      attachment: cards.doctor({
        query: HOSTILE.link,
        user: { id: 'e0000000-0000-4000-8000-000000000001', displayName: HOSTILE.link, address: HOSTILE.template },
        app: { servicePrincipalId: 'f3000000-0000-4000-8000-000000000002', displayName: HOSTILE_TEXT },
        checks: [
          { id: 'account', status: 'red', fact: HOSTILE_TEXT, fix: { kind: 'command', text: `invite ${HOSTILE.link}`, why: HOSTILE.template } },
          { id: 'assigned', status: 'red', fact: HOSTILE_TEXT, fix: { kind: 'requestAccess', servicePrincipalId: 'f3000000-0000-4000-8000-000000000002', partner: HOSTILE.template } },
          { id: 'conditionalAccess', status: 'red', fact: `"${HOSTILE.link}" blocks ${HOSTILE.template} on ${HOSTILE_TEXT}.`, fix: { kind: 'explain', text: HOSTILE.link } },
          { id: 'recentSignIns', status: 'amber', fact: `The last sign-in failed. 2026-12-02 09:14 UTC to ${HOSTILE.link}: AADSTS50076, ${HOSTILE.template}` },
        ],
        verdict: HOSTILE_TEXT,
      }),
    },
    { card: 'doctorAsk', variant: 'typical', attachment: cards.doctorAsk({ servicePrincipalId: 'f3000000-0000-4000-8000-000000000002', appName: 'Contoso Timesheets (IWA)' }) },
    { card: 'doctorAsk', variant: 'maximal', attachment: cards.doctorAsk({ servicePrincipalId: 'f3000000-0000-4000-8000-000000000002', appName: HOSTILE.long }) },
    { card: 'doctorAsk', variant: 'hostile', attachment: cards.doctorAsk({ servicePrincipalId: 'f3000000-0000-4000-8000-000000000002', appName: HOSTILE_TEXT }) },
    {
      card: 'checklist',
      variant: 'typical',
      attachment: cards.checklist({
        title: 'Email as sign-in for Wendy Moran (wmoran@fabrikam.com)',
        intro: 'The four steps of "Let your partners use email as sign-in to access cloud apps", for this account.',
        items: [
          { heading: 'Synced from on-prem AD as a Guest', ok: true, fact: 'Synced from AD as wmoran@partners.contoso.com (wmoran), UserType Guest.' },
          { heading: 'Cloud UPN suffix is our verified domain, federated with our on-prem IdP', ok: true, fact: 'partners.contoso.com is a verified domain of ours, federated with sts.contoso.com (federationConfiguration).' },
          { heading: 'The apps they use trust Entra', ok: false, fact: 'They are assigned to no app in Entra.' },
          { heading: 'They sign in through a tenanted endpoint', ok: true, fact: 'Send them https://myapps.microsoft.com/?tenantid=72f988bf-86f1-41af-91ab-2d7cd011db47.' },
        ],
        link: { label: 'Sign-in address to send them', value: 'https://myapps.microsoft.com/?tenantid=72f988bf-86f1-41af-91ab-2d7cd011db47' },
      }),
    },
    {
      card: 'checklist',
      variant: 'maximal',
      attachment: cards.checklist({
        title: HOSTILE.long,
        intro: HOSTILE.long,
        items: [1, 2, 3, 4].map((n) => ({ heading: HOSTILE.long, ok: n % 2 === 0, fact: HOSTILE.long.repeat(2) })),
        link: { label: HOSTILE.long, value: HOSTILE.long },
        footnote: HOSTILE.long,
      }),
    },
    {
      card: 'checklist',
      variant: 'hostile',
      attachment: cards.checklist({ title: HOSTILE.link, intro: HOSTILE_TEXT, items: [{ heading: HOSTILE.template, ok: false, fact: HOSTILE_TEXT }], link: { label: HOSTILE.link, value: HOSTILE.template }, footnote: HOSTILE.link }),
    },
    {
      card: 'identityStep',
      variant: 'typical',
      attachment: cards.identityStep({
        tone: 'good',
        title: 'Moved 1 app assignment to Wendy Moran',
        text: 'Timesheets (User) now belongs to the account synced from AD wmoran@partners.contoso.com, and was removed from the invited B2B guest.',
        facts: [{ title: 'Kept', value: 'wmoran@partners.contoso.com' }, { title: 'Other', value: 'wmoran_fabrikam.com#EXT#@contoso.onmicrosoft.com' }],
        leftAlone: ['Expenses (User) through the group All partners: add the kept identity to that group yourself'],
        next: { title: 'Next: disable the other', keepObjectId: 'd0000000-0000-4000-8000-000000000001', otherObjectId: 'e0000000-0000-4000-8000-000000000099' },
      }),
    },
    {
      card: 'identityStep',
      variant: 'maximal',
      attachment: cards.identityStep({
        tone: 'warning',
        title: HOSTILE.long,
        text: HOSTILE.long.repeat(3),
        facts: [1, 2, 3].map(() => ({ title: HOSTILE.long, value: HOSTILE.long })),
        leftAlone: Array.from({ length: 25 }, () => HOSTILE.long),
        next: { title: HOSTILE.long, keepObjectId: 'd0000000-0000-4000-8000-000000000001', otherObjectId: 'e0000000-0000-4000-8000-000000000099' },
      }),
    },
    {
      card: 'identityStep',
      variant: 'hostile',
      attachment: cards.identityStep({ tone: 'attention', title: HOSTILE.link, text: HOSTILE_TEXT, facts: [{ title: HOSTILE.template, value: HOSTILE.link }], leftAlone: [HOSTILE_TEXT] }),
    },
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
          appAccess: { available: true, apps: Array.from({ length: 20 }, (_, i) => ({ appName: `${HOSTILE.long.slice(0, 80)} ${i}`, roleName: HOSTILE.long.slice(0, 60), throughGroup: i % 2 === 0 })), more: true },
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
          appAccess: { available: true, apps: [{ appName: HOSTILE_TEXT, roleName: HOSTILE.template, throughGroup: false }], more: false },
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
    ...revokeCardSamples(),
    ...accessRequestCardSamples(),
    ...grantLifeCardSamples(),
    ...auditCardSamples(),
    ...partnersCardSamples(),
    ...staleCardSamples(),
    ...dialogCardSamples(),
  ];
}

/** A conversation's question cards (dialogs/): the question card, and the whois pick list answering "who do you mean". */
function dialogCardSamples(): CardSample[] {
  const questionId = '6f1c2a4e-0000-4000-8000-000000000001';
  return [
    {
      card: 'dialogQuestion',
      variant: 'typical',
      attachment: cards.dialogQuestion({
        flow: 'Request access',
        questionId,
        question: 'Contoso Expense Portal has 2 roles. Which one should the partner get?',
        known: [
          { title: 'Partner', value: 'Raj Patel (raj@woodgrove.test)' },
          { title: 'App', value: 'Contoso Expense Portal' },
        ],
        choices: [
          { value: '18d14569-c3bd-439b-9a66-3a2aee01d14f', label: 'User' },
          { value: 'b9632174-c057-4f7e-951b-be3adc52bfe6', label: 'Admin' },
        ],
        hint: 'Click the role, or type its name.',
      }),
    },
    {
      card: 'dialogQuestion',
      variant: 'maximal',
      attachment: cards.dialogQuestion({
        flow: HOSTILE.long,
        questionId,
        question: HOSTILE.long,
        problem: HOSTILE.long,
        known: Array.from({ length: 5 }, (_, i) => ({ title: `Fact ${i}`, value: HOSTILE.long })),
        choices: Array.from({ length: 12 }, (_, i) => ({ value: `choice-${i}`, label: HOSTILE.long, details: HOSTILE.long })),
        hint: HOSTILE.long,
      }),
    },
    {
      card: 'dialogQuestion',
      variant: 'hostile',
      attachment: cards.dialogQuestion({
        flow: HOSTILE.template,
        questionId,
        question: `Why does ${HOSTILE_TEXT} need it?`,
        problem: HOSTILE.link,
        known: [{ title: HOSTILE.template, value: HOSTILE_TEXT }],
        // A button title renders no Markdown, so it is not escaped; template text and a bidi override must still stay inert.
        choices: [{ value: HOSTILE.template, label: `${HOSTILE.template} ${HOSTILE.spoof}`, details: HOSTILE.link }],
        hint: HOSTILE.rtl,
      }),
    },
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
    appAccess: {
      available: true,
      apps: [
        { appName: 'Expenses (on-prem)', roleName: 'Submitter', throughGroup: false },
        { appName: 'Timesheets (on-prem)', roleName: 'Default access', throughGroup: true },
      ],
      more: false,
    },
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

/** revoke's confirmation and pick list, and the card for access that ended (revoked, expired, or failed to end). */
function revokeCardSamples(): CardSample[] {
  const sp = 'f3000000-0000-4000-8000-000000000002';
  const confirm = {
    servicePrincipalId: sp,
    address: 'alice@fabrikam.com',
    guestName: 'Alice Smith (Fabrikam)',
    email: 'alice@fabrikam.com',
    userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    appName: 'Contoso Timesheets (IWA)',
    sso: 'Kerberos (KCD), with a shadow account in on-prem AD',
    roles: ['Timesheet User'],
    granted: "Through this bot at Megan Bowen's request, approved by Adele Vance, until 2026-12-23 10:00 UTC",
    shadow: 'Shadow account will be disabled (kept, so a later grant re-enables the same account)',
    warnings: [],
    note: 'You may revoke this as an admin.',
    botItems: ['Timesheet User: granted by the bot (request 3f2a…, asked by Megan Bowen, approved by Adele Vance, until 2026-12-23 10:00 UTC). Removed.'],
    directItems: [{ assignmentId: 'r7HkS1aB2cD3eF4gH5iJ6k', title: 'Also remove Timesheet User: direct, not granted by the bot (created 2023-01-09)' }],
    groupItems: ['Timesheet User: through the group Finance Portal Users. Revoke cannot remove it (it never changes groups); to end it, remove them from that group in Microsoft Entra ID.'],
    confirmationId: 'c0000000-0000-4000-8000-000000000001',
  };
  const candidate = (i: number) => ({ servicePrincipalId: `f3000000-0000-4000-8000-${String(i).padStart(12, '0')}`, displayName: `Contoso App ${i}`, sso: 'Single sign-on: SAML' });
  const facts = [
    { title: 'Partner', value: 'alice@fabrikam.com' },
    { title: 'App', value: 'Contoso Timesheets (IWA)' },
    { title: 'On-prem account', value: 'Disabled in on-prem AD' },
  ];
  return [
    { card: 'revokeConfirm', variant: 'typical', attachment: cards.revokeConfirm(confirm) },
    {
      card: 'revokeConfirm',
      variant: 'maximal',
      attachment: cards.revokeConfirm({
        ...confirm,
        address: `${'a'.repeat(64)}@${'sub.'.repeat(40)}fabrikam.com`,
        guestName: HOSTILE.long,
        email: `${'a'.repeat(64)}@${'sub.'.repeat(40)}fabrikam.com`,
        userPrincipalName: `${'a'.repeat(64)}_fabrikam.com#EXT#@contoso.onmicrosoft.com`,
        appName: HOSTILE.long,
        roles: roleSet(20).map((r) => r.displayName),
        granted: HOSTILE.long,
        shadow: HOSTILE.long,
        warnings: Array.from({ length: 8 }, () => HOSTILE.long),
        note: HOSTILE.long,
        botItems: Array.from({ length: 3 }, () => HOSTILE.long),
        directItems: Array.from({ length: 3 }, (_, i) => ({ assignmentId: `assignment${i}`, title: HOSTILE.long })),
        groupItems: Array.from({ length: 3 }, () => HOSTILE.long),
      }),
    },
    {
      card: 'revokeConfirm',
      variant: 'hostile',
      attachment: cards.revokeConfirm({ ...confirm, guestName: HOSTILE_TEXT, email: HOSTILE.link, userPrincipalName: HOSTILE.spoof, appName: HOSTILE.link, roles: [HOSTILE.template], granted: HOSTILE_TEXT, shadow: HOSTILE.link, warnings: [HOSTILE_TEXT], botItems: [HOSTILE_TEXT], directItems: [{ assignmentId: HOSTILE.template, title: HOSTILE_TEXT }], groupItems: [HOSTILE.link] }),
    },
    { card: 'revokePicker', variant: 'typical', attachment: cards.revokePicker({ query: 'contoso', address: 'alice@fabrikam.com', matched: 'several', candidates: [candidate(1), candidate(2)] }) },
    {
      card: 'revokePicker',
      variant: 'maximal',
      attachment: cards.revokePicker({
        query: HOSTILE.long,
        address: `${'a'.repeat(64)}@${'sub.'.repeat(40)}fabrikam.com`,
        matched: 'none',
        candidates: Array.from({ length: 10 }, (_, i) => ({ ...candidate(i), displayName: HOSTILE.long, sso: HOSTILE.long })),
      }),
    },
    {
      card: 'revokePicker',
      variant: 'hostile',
      attachment: cards.revokePicker({ query: HOSTILE.link, address: 'alice@fabrikam.com', matched: 'several', candidates: [{ ...candidate(1), displayName: HOSTILE_TEXT, sso: HOSTILE.template }] }),
    },
    { card: 'accessEnded', variant: 'typical', attachment: cards.accessEnded({ tone: 'good', title: "Alice Smith (Fabrikam)'s access to Contoso Timesheets (IWA) is revoked", text: 'Microsoft Entra no longer assigns the app to them.', facts, note: 'A session the partner already has open may last until it expires.' }) },
    {
      card: 'accessEnded',
      variant: 'maximal',
      attachment: cards.accessEnded({ tone: 'attention', title: HOSTILE.long, text: HOSTILE.long.repeat(2), facts: Array.from({ length: 14 }, () => ({ title: HOSTILE.long, value: HOSTILE.long })), note: HOSTILE.long }),
    },
    { card: 'accessEnded', variant: 'hostile', attachment: cards.accessEnded({ tone: 'info', title: HOSTILE.link, text: HOSTILE_TEXT, facts: [{ title: HOSTILE.link, value: HOSTILE_TEXT }], note: HOSTILE.template }) },
  ];
}

const REQUEST_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const OWNER: Caller = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', tenantId: 't', teamsUserId: '29:owner', name: 'Adele Vance', roles: ['admin'] };
/** The requester of sampleRequest, who sees Withdraw on their pending requests. */
const REQUESTER: Caller = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', tenantId: 't', teamsUserId: '29:requester', name: 'Megan Bowen', roles: ['manager'] };

/** An access request as the store returns it, with fields overridden per variant. */
function sampleRequest(overrides: Partial<AccessRequestRecord>): AccessRequestRecord {
  return {
    id: REQUEST_ID,
    state: 'pending',
    requesterObjectId: 'b0000000-0000-4000-8000-000000000001',
    requesterName: 'Megan Bowen',
    guestObjectId: 'e0000000-0000-4000-8000-000000000001',
    guestUpn: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    guestDisplayName: 'Alice Smith (Fabrikam)',
    guestMail: 'alice@fabrikam.com',
    guestUserType: 'Guest',
    guestExternalState: 'Accepted',
    guestRealm: "fabrikam.com belongs to Fabrikam's Microsoft Entra tenant: Alice signs in with her work account.",
    guestOnPremSynced: false,
    servicePrincipalId: 'f3000000-0000-4000-8000-000000000002',
    appId: 'f2000000-0000-4000-8000-000000000002',
    appDisplayName: 'Contoso Timesheets (IWA)',
    appRoleId: '3c1d5e7f-9a2b-4c4d-8e6f-a1b2c3d4e5f6',
    appRoleName: 'Timesheet User',
    ssoKind: 'kerberos',
    shadowPlan: 'create',
    durationDays: 30,
    justification: 'Alice reports hours on the Northwind project until March.',
    approverSource: 'owners',
    approverObjectIds: [OWNER.aadObjectId, 'a0000000-0000-4000-8000-000000000002'],
    approvalMessages: [],
    approvalDeadline: new Date('2026-11-30T19:00:00Z'),
    grantProgress: {},
    createdAt: new Date('2026-11-23T19:00:00Z'),
    updatedAt: new Date('2026-11-23T19:00:00Z'),
    version: 0,
    ...overrides,
  };
}

/** The request flow's cards: the app pick list, the form, the approval card, the requester's status and the two lists. */
function accessRequestCardSamples(): CardSample[] {
  const app = (i: number, name = `Contoso App ${i}`, roles = 1) => ({
    servicePrincipalId: `f3000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    appId: `f2000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    displayName: name,
    externalUrl: `https://app${i}-contoso.msappproxy.net/`,
    ssoKind: i % 2 === 0 ? ('kerberos' as const) : ('saml' as const),
    roles: roleSet(roles),
  });
  const partner = {
    objectId: 'e0000000-0000-4000-8000-000000000001',
    displayName: 'Alice Smith (Fabrikam)',
    userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    mail: 'alice@fabrikam.com',
    address: 'alice@fabrikam.com',
    userType: 'Guest',
    externalUserState: 'Accepted',
    onPremSynced: false,
  };
  const form = { formId: REQUEST_ID, app: app(2, 'Contoso Timesheets (IWA)', 1), partner, days: 30, maxDays: 90, notes: [], kerberosNeedsOnPrem: false };
  const long = HOSTILE.long;
  const maximalRecord = sampleRequest({
    state: 'approved',
    requesterName: long,
    guestDisplayName: long,
    guestMail: `${'a'.repeat(64)}@${'sub.'.repeat(40)}fabrikam.com`,
    guestRealm: long,
    appDisplayName: long,
    appRoleName: long,
    justification: 'x'.repeat(1000),
    decidedByName: long,
    decidedAt: new Date('2026-11-24T08:00:00Z'),
    decisionComment: 'y'.repeat(1000),
    grantError: long.repeat(3),
    shadowPlan: 'ensure',
  });
  const hostileRecord = sampleRequest({
    requesterName: HOSTILE.spoof,
    guestDisplayName: HOSTILE.link,
    guestMail: HOSTILE.link,
    guestRealm: HOSTILE_TEXT,
    appDisplayName: HOSTILE_TEXT,
    appRoleName: HOSTILE.template,
    justification: HOSTILE_TEXT,
    decisionComment: HOSTILE_TEXT,
  });
  const manyApps = Array.from({ length: 25 }, (_, i) => app(i, `${long.slice(0, 180)} ${i}`, 6));
  const records = (r: AccessRequestRecord, n: number) => Array.from({ length: n }, (_, i) => ({ ...r, id: `5a6b7c8d-9e0f-4a1b-8c2d-${String(i).padStart(12, '0')}` }));
  const mris = Array.from({ length: 60 }, (_, i) => `29:1${String(i).padStart(3, '0')}-approver-teams-id-${'x'.repeat(40)}`);
  return [
    { card: 'accessPick', variant: 'typical', attachment: startReply({ kind: 'pickApp', candidates: [app(1, 'Contoso Expenses (SAML)', 2), app(2, 'Contoso Timesheets (IWA)')], query: 'contoso', matched: 'several', prefill: { email: 'alice@fabrikam.com' } }) },
    { card: 'accessPick', variant: 'maximal', attachment: startReply({ kind: 'pickApp', candidates: manyApps, query: long, matched: 'none', prefill: { email: `${'a'.repeat(64)}@fabrikam.com`, days: 90, justification: 'j'.repeat(1000) } }) },
    { card: 'accessPick', variant: 'hostile', attachment: startReply({ kind: 'pickApp', candidates: [app(1, HOSTILE_TEXT)], query: HOSTILE.link, matched: 'none', prefill: { email: HOSTILE.template, justification: HOSTILE.spoof } }) },
    { card: 'accessRequestForm', variant: 'typical', attachment: formCard(form) },
    {
      card: 'accessRequestForm',
      variant: 'maximal',
      attachment: formCard({ ...form, app: { ...app(3, long, 50), externalUrl: `https://x.example/${'p'.repeat(1900)}` }, partner: undefined, email: `${'a'.repeat(64)}@fabrikam.com`, justification: 'j'.repeat(1000), notes: [long], days: 400, problems: [{ field: 'email', message: long }, { field: 'appRoleId', message: long }, { field: 'days', message: long }, { field: 'justification', message: long }] }),
    },
    {
      card: 'accessRequestForm',
      variant: 'hostile',
      attachment: formCard({ ...form, app: { ...app(2, HOSTILE_TEXT, 3), roles: [{ id: 'r1', displayName: HOSTILE.link }, { id: 'r2', displayName: HOSTILE.spoof }] }, partner: undefined, justification: `${HOSTILE.template} ${HOSTILE.spoof}`, notes: [HOSTILE_TEXT], kerberosNeedsOnPrem: true }),
    },
    { card: 'accessApproval', variant: 'typical', attachment: approvalCardFor(sampleRequest({}), OWNER, mris.slice(0, 2)) },
    // Pending, with the three hand-overs the card shows at most: the largest an approver's card gets.
    {
      card: 'accessApproval',
      variant: 'maximal',
      attachment: approvalCardFor(
        { ...maximalRecord, state: 'pending', forwards: [1, 2, 3].map((i) => ({ by: `a0000000-0000-4000-8000-00000000000${i}`, byName: long, to: OWNER.aadObjectId, toName: long, comment: 'f'.repeat(1000), at: '2026-11-24T08:00:00.000Z' })) },
        OWNER,
        mris,
      ),
    },
    { card: 'accessApproval', variant: 'hostile', attachment: approvalCardFor(hostileRecord, OWNER, mris.slice(0, 1)) },
    { card: 'accessRequestStatus', variant: 'typical', attachment: statusCard(sampleRequest({ state: 'granted', decidedByName: 'Adele Vance', decidedAt: new Date('2026-11-24T08:00:00Z'), grantedAt: new Date('2026-11-24T08:00:05Z'), expiresAt: new Date('2026-12-24T08:00:05Z'), grantProgress: { shadowAccount: { samAccountName: 'alice_fabrikam.com', dn: 'CN=x', created: true }, assignmentId: 'a' } }), '29:requester') },
    { card: 'accessRequestStatus', variant: 'maximal', attachment: statusCard(maximalRecord, '29:requester', { note: long }) },
    { card: 'accessRequestStatus', variant: 'hostile', attachment: statusCard({ ...hostileRecord, state: 'denied', decidedByName: HOSTILE.link }, undefined, { note: HOSTILE_TEXT }) },
    { card: 'accessRequestList', variant: 'typical', attachment: myRequestsCard([sampleRequest({}), sampleRequest({ id: REQUEST_ID.replace('5a', '6a'), state: 'denied', decidedByName: 'Adele Vance' })], REQUESTER) },
    // The requester's own list is the bigger one: each pending row also has Withdraw, and the click's outcome sits on top.
    { card: 'accessRequestList', variant: 'maximal', attachment: myRequestsCard(records({ ...maximalRecord, state: 'pending' }, 25), REQUESTER, { tone: 'warning', text: long.repeat(3) }) },
    { card: 'accessRequestList', variant: 'hostile', attachment: pendingCard([hostileRecord]) },
    ...(
      [
        ['typical', sampleRequest({}), 24],
        ['maximal', { ...maximalRecord, state: 'pending' }, 144],
        ['hostile', hostileRecord, 48],
      ] as const
    ).flatMap(([variant, record, waitingHours]) => {
      const card = accessRequestMessages.reminder(record, { waitingHours }).card;
      return card ? [{ card: 'accessReminder', variant, attachment: card }] : [];
    }),
    ...forwardCardSamples(maximalRecord, hostileRecord),
  ];
}

/** Forward to…: the form as an owner opens it, with the most choices and hand-overs it shows, and hostile names throughout. */
function forwardCardSamples(maximalRecord: AccessRequestRecord, hostileRecord: AccessRequestRecord): CardSample[] {
  const long = HOSTILE.long;
  const forward = (i: number, text: string) => ({ by: `a0000000-0000-4000-8000-${String(i).padStart(12, '0')}`, byName: text, to: OWNER.aadObjectId, toName: text, comment: text, at: '2026-11-24T08:00:00.000Z' });
  const choices = Array.from({ length: 15 }, (_, i) => ({ id: `a0000000-0000-4000-8000-${String(i + 10).padStart(12, '0')}`, name: `${long.slice(0, 150)} ${i}` }));
  return [
    {
      card: 'accessForward',
      variant: 'typical',
      attachment: forwardFormCard({ record: sampleRequest({}), choices: [{ id: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke (nestor.wilke@contoso.com)' }] }),
    },
    {
      card: 'accessForward',
      variant: 'maximal',
      attachment: forwardFormCard({
        record: { ...maximalRecord, state: 'pending', forwards: [1, 2, 3, 4].map((i) => forward(i, 'f'.repeat(1000))) },
        choices,
        problem: long.repeat(3),
        person: 'p'.repeat(320),
        comment: 'c'.repeat(1000),
      }),
    },
    {
      card: 'accessForward',
      variant: 'hostile',
      attachment: forwardFormCard({
        record: { ...hostileRecord, forwards: [forward(1, HOSTILE_TEXT)] },
        choices: [{ id: HOSTILE.template, name: HOSTILE_TEXT }],
        problem: HOSTILE.link,
        person: HOSTILE.template,
        comment: HOSTILE.spoof,
      }),
    },
  ];
}

/** A grant's life: the expiry notice, the grant's own card (and End earlier's confirmation), the extension form, `expiring`. */
function grantLifeCardSamples(): CardSample[] {
  const long = HOSTILE.long;
  const granted = sampleRequest({ state: 'granted', decidedByName: 'Adele Vance', grantedAt: new Date('2026-11-24T08:00:05Z'), expiresAt: new Date('2026-12-24T08:00:05Z') });
  const maximal = sampleRequest({ state: 'granted', guestDisplayName: long, appDisplayName: long, appRoleName: long, requesterName: long, guestMail: `${'a'.repeat(64)}@fabrikam.com`, grantedAt: new Date('2026-11-24T08:00:05Z'), expiresAt: new Date('2026-12-24T08:00:05Z'), letEndAt: new Date('2026-12-17T08:00:00Z') });
  const hostile = sampleRequest({ state: 'granted', guestDisplayName: HOSTILE.link, appDisplayName: HOSTILE.template, appRoleName: HOSTILE.spoof, requesterName: HOSTILE_TEXT, expiresAt: new Date('2026-12-24T08:00:05Z') });
  const extension = sampleRequest({ id: REQUEST_ID.replace('5a', '7a'), extendsRequestId: REQUEST_ID, extendsFrom: new Date('2026-12-24T08:00:05Z'), durationDays: 14, requesterName: long });
  const many = Array.from({ length: 25 }, (_, i) => ({ ...maximal, id: `5a6b7c8d-9e0f-4a1b-8c2d-${String(i).padStart(12, '0')}` }));
  const form = { formId: REQUEST_ID.replace('5a', '8a'), grant: granted, maxDays: 90, problems: [] };
  return [
    { card: 'grantNotice', variant: 'typical', attachment: grantLifeMessages.expiryNotice(granted, { days: 7, reader: 'requester' }).card as Attachment },
    {
      card: 'grantNotice',
      variant: 'maximal',
      attachment: grantCard(maximal, OWNER, { outcome: { tone: 'attention', text: long.repeat(3) }, when: long, whenProblem: long.repeat(2), open: extension, confirmation: { id: REQUEST_ID, label: long } }),
    },
    { card: 'grantNotice', variant: 'hostile', attachment: grantLifeMessages.expiryNotice(hostile, { days: 1, reader: 'sponsor' }).card as Attachment },
    { card: 'grantExtend', variant: 'typical', attachment: extensionFormCard(form) },
    {
      card: 'grantExtend',
      variant: 'maximal',
      attachment: extensionFormCard({ ...form, grant: maximal, until: long, justification: 'j'.repeat(1000), open: extension, problems: [{ field: 'until', message: long }, { field: 'justification', message: long }] }),
    },
    { card: 'grantExtend', variant: 'hostile', attachment: extensionFormCard({ ...form, grant: hostile, until: HOSTILE.template, justification: HOSTILE_TEXT, problems: [{ field: 'until', message: HOSTILE.link }] }) },
    { card: 'grantList', variant: 'typical', attachment: cardOf(expiringCard({ kind: 'list', days: 14, grants: [granted], openExtensions: new Map() }, REQUESTER)) },
    { card: 'grantList', variant: 'maximal', attachment: cardOf(expiringCard({ kind: 'list', days: 365, grants: many, openExtensions: new Map(many.map((g) => [g.id, extension])) }, REQUESTER)) },
    { card: 'grantList', variant: 'hostile', attachment: cardOf(expiringCard({ kind: 'list', days: 14, grants: [hostile], openExtensions: new Map() }, OWNER)) },
  ];
}

function cardOf(reply: { card: Attachment } | { message: string }): Attachment {
  if (!('card' in reply)) throw new Error(`expected a card, got the message: ${reply.message}`);
  return reply.card;
}
function auditCardSamples(): CardSample[] {
  const at = (minutes: number) => new Date(Date.parse('2026-11-20T09:00:00Z') + minutes * 60_000);
  const line = (seq: number, what: string, who = 'Adele Vance', action = 'access.grant', outcome = 'success'): TimelineLine => ({ seq, at: at(seq * 90), who, what, action, outcome });
  const typicalLines = [
    line(41, 'Access to Contoso Timesheets (IWA) removed at its end; shadow account disabled', 'the bot', 'access.expire'),
    line(30, 'Granted Contoso Timesheets (IWA) until 2026-12-20; shadow account created', 'Adele Vance'),
    line(29, 'Request for Contoso Timesheets (IWA) approved', 'Adele Vance', 'access.approve'),
    line(28, 'Access to Contoso Timesheets (IWA) (Reader) requested for 30 days', 'Megan Bowen', 'access.request', 'requested'),
    { seq: 0, at: at(20 * 90), who: 'the partner', what: 'Invitation redeemed', action: 'graph.redeemed', outcome: 'fact' },
    line(12, 'Invited; Microsoft emails the invitation', 'Adele Vance', 'invite.create'),
    line(11, 'access.remind (success): approvers 2', 'the bot', 'access.remind'),
  ];
  const long = HOSTILE.long;
  const maximalLines = Array.from({ length: 15 }, (_, i) => line(1000 - i, long, long, `x.${'y'.repeat(60)}`, long));
  const person = { id: 'e0000000-0000-4000-8000-000000000001', displayName: 'Alice Smith', userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com', mail: 'alice@fabrikam.com' };
  const facts = { created: '2026-11-01T08:00:00Z', invitationState: 'Accepted' as const, invitationStateSince: '2026-11-21T15:00:00Z', lastSignIn: { available: true as const, lastSignIn: '2026-12-01T16:05:00Z' } };
  const filter = { targets: ['alice@fabrikam.com', person.id], since: '2026-11-01T00:00:00.000Z' };
  return [
    { card: 'auditTimeline', variant: 'typical', attachment: historyCard({ kind: 'timeline', query: 'alice@fabrikam.com', person, facts, lines: typicalLines, olderThan: 11, firstPage: true }) },
    {
      card: 'auditTimeline',
      variant: 'maximal',
      attachment: auditPageCard(
        { kind: 'page', described: [`partner ${long}`, `app ${long}`, `by ${long}`, 'the last 3650 days'], notes: [long.repeat(2)], lines: maximalLines.map((l) => ({ ...l, target: `${'t'.repeat(64)}@${'d'.repeat(60)}.example` })), filter: { targets: Array.from({ length: 4 }, () => 'a'.repeat(300)), actor: 'b'.repeat(300), mentions: 'c'.repeat(300), since: '2026-11-01T00:00:00.000Z' }, olderThan: 985 },
        true,
      ),
    },
    {
      card: 'auditTimeline',
      variant: 'hostile',
      attachment: historyCard({
        kind: 'timeline',
        query: HOSTILE.template,
        person: { id: person.id, displayName: HOSTILE.link, userPrincipalName: HOSTILE.spoof },
        facts: { ...facts, lastSignIn: { available: false, reason: 'noPermission' } },
        lines: [line(3, HOSTILE_TEXT, HOSTILE.link, HOSTILE.template, HOSTILE.spoof)],
        firstPage: true,
      }),
    },
    { card: 'auditExport', variant: 'typical', attachment: exportCard({ kind: 'link', url: `https://bot.contoso.com/audit/export?f=csv.${Buffer.from(JSON.stringify(filter)).toString('base64url')}&expires=1800000000&sig=abc`, format: 'csv', described: ['partner Alice Smith', 'the last 30 days'], expiresInHours: 24 }) },
    { card: 'auditExport', variant: 'maximal', attachment: exportCard({ kind: 'link', url: `https://bot.contoso.com/audit/export?f=jsonl.${'A'.repeat(4000)}&expires=1800000000&sig=${'s'.repeat(43)}`, format: 'jsonl', described: [long, long, long, long], expiresInHours: 168 }) },
    { card: 'auditExport', variant: 'hostile', attachment: exportCard({ kind: 'link', url: 'javascript:alert(1)', format: 'csv', described: [HOSTILE_TEXT], expiresInHours: 24 }) },
  ];
}

function partnersCardSamples(): CardSample[] {
  const counts = ['Security gap: a partner synced as Member', 'Disabled or expired in AD, enabled in Entra', 'Two identities for one person', 'A Guest in Entra the partner rule does not mark', 'A partner in AD, not in Entra yet', 'Consistent: a partner in AD, a Guest in Entra'].map((title, i) => ({ title, value: String(i * 1700) }));
  const record = (name: string, sentence: string) => ({ name, sentence, matched: 'Joined by objectSid = onPremisesSecurityIdentifier' });
  const view = {
    scanId: '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    title: '2 of 9 partner accounts need action',
    scope: 'AD: OU=Partners,DC=corp,DC=contoso,DC=com. Read at 2026-12-02 11:00 UTC.',
    counts,
    groups: [
      { title: 'Security gap: a partner synced as Member', attention: true, records: [record('Dmitri Volkov (dvolkov@partners.contoso.com)', 'The partner rule marks dvolkov@partners.contoso.com (extensionAttribute1 = "Partner"), but Entra Connect synced it as Member. The sync rule should set UserType = IIF([extensionAttribute1] = "Partner", "Guest", "Member"). Until it changes, this partner has a member\'s access.')] },
      { title: 'A partner in AD, not in Entra yet', attention: false, records: [record('Jana Nováková (jnovak@partners.contoso.com)', 'No Entra user matches its objectSid, immutable id, UPN or sAMAccountName: not synced yet, outside the sync scope, or filtered.')] },
    ],
    page: 1,
    pages: 1,
    exportUrl: 'https://bot.contoso.com/partners/3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/results.csv?expires=1796000000&sig=abc',
  };
  const long = HOSTILE.long;
  const rows = [
    { attribute: 'objectSid / onPremisesSecurityIdentifier', ad: 'S-1-5-21-3623811015-3361044348-30300820-1013', entra: 'S-1-5-21-3623811015-3361044348-30300820-1013', differs: false },
    { attribute: 'userPrincipalName / onPremisesUserPrincipalName', ad: 'kchen@partners.contoso.com', entra: 'kchen@partners.contoso.com', differs: false },
    { attribute: 'Enabled', ad: 'false', entra: 'true', differs: true },
  ];
  const detail = {
    stateTitle: 'Two identities for one person',
    attention: false,
    name: 'Kim Chen (kchen@partners.contoso.com)',
    dn: 'CN=Kim Chen,OU=Partners,DC=corp,DC=contoso,DC=com',
    sentence: 'Signing in as kim.chen@wingtiptoys.com uses the invited guest; the synced account signs in only as kchen@partners.contoso.com.',
    matched: 'Joined by objectSid = onPremisesSecurityIdentifier.',
    rows,
    keep: { text: 'Move the app access to the identity that stays, then remove or disable the other.', syncedId: 'd0000000-0000-4000-8000-000000000005', syncedName: 'kchen@partners.contoso.com', twinId: 'e0000000-0000-4000-8000-000000000007', twinName: 'kim.chen_wingtiptoys.com#EXT#@contoso.onmicrosoft.com' },
  };
  return [
    { card: 'partners', variant: 'typical', attachment: cards.partners(view) },
    {
      card: 'partners',
      variant: 'maximal',
      attachment: cards.partners({
        ...view,
        title: long,
        scope: long,
        groups: ['a', 'b', 'c', 'd', 'e'].map((g) => ({ title: long, attention: g === 'a', records: [0, 1].map(() => record(long, long.repeat(2))) })).slice(0, 4),
        page: 2,
        pages: 1250,
      }),
    },
    {
      card: 'partners',
      variant: 'hostile',
      attachment: cards.partners({ ...view, title: HOSTILE.link, scope: HOSTILE_TEXT, groups: [{ title: HOSTILE.template, attention: true, records: [record(HOSTILE_TEXT, HOSTILE_TEXT)] }], exportUrl: undefined }),
    },
    { card: 'partnerDetail', variant: 'typical', attachment: cards.partnerDetail(detail) },
    {
      card: 'partnerDetail',
      variant: 'maximal',
      attachment: cards.partnerDetail({
        ...detail,
        name: long,
        dn: long,
        sentence: long.repeat(2),
        rows: Array.from({ length: 16 }, () => ({ attribute: long, ad: long, entra: long, differs: true })),
        keep: { ...detail.keep, text: long, syncedName: long, twinName: long },
      }),
    },
    { card: 'partnerDetail', variant: 'hostile', attachment: cards.partnerDetail({ ...detail, name: HOSTILE_TEXT, dn: HOSTILE.link, sentence: HOSTILE_TEXT, rows: [{ attribute: HOSTILE.template, ad: HOSTILE_TEXT, entra: HOSTILE.link, differs: true }], keep: undefined }) },
  ];
}

/** The stale card from its presenter: typical, a full page of maximal rows with many pages, and hostile directory text. */
function staleCardSamples(): CardSample[] {
  const now = new Date('2026-12-02T11:00:00Z');
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  const rules = { now, days: 90, unredeemedDays: 30 };
  const scanOf = (guests: { guest: HygieneGuest; sponsors: SponsorRead; invitedBy?: string }[], readable = true): StaleScan => {
    const signIn = readable ? ({ readable: true } as const) : ({ readable: false, reason: 'noLicence' } as const);
    const classified = guests.map((g) => classifyGuest(g.guest, signIn, g.sponsors, rules, g.invitedBy ? { requesterName: g.invitedBy, at: new Date(ago(70)) } : undefined)).filter((g) => g.groups.length > 0);
    return { id: '5b2c1d4e-6f70-4a8b-9c0d-1e2f3a4b5c6d', at: now, days: 90, unredeemedDays: 30, signIn, counts: countGroups(classified, 1200), guests: classified };
  };
  const megan: SponsorRead = { read: true, sponsors: [{ id: 'b0000000-0000-4000-8000-000000000001', kind: 'user', displayName: 'Megan Bowen', accountEnabled: true }] };
  const typical = scanOf([
    { guest: { id: 'e1', displayName: 'Alice Smith (Fabrikam)', mail: 'alice@fabrikam.com', externalUserState: 'Accepted', createdDateTime: ago(500), signInActivity: { lastSuccessfulSignInDateTime: ago(140) } }, sponsors: megan },
    { guest: { id: 'e2', displayName: 'Bob Kelly', mail: 'bob@woodgrove.test', externalUserState: 'PendingAcceptance', externalUserStateChangeDateTime: ago(45), createdDateTime: ago(45) }, sponsors: { read: true, sponsors: [{ id: 'b2', kind: 'user', displayName: 'Left Company', accountEnabled: false }] }, invitedBy: 'Megan Bowen' },
    { guest: { id: 'e4', displayName: 'Erik Lindqvist', mail: 'erik@tailspin.test', externalUserState: 'Accepted', createdDateTime: ago(30), signInActivity: { lastSuccessfulSignInDateTime: ago(3) } }, sponsors: { read: true, sponsors: [] } },
  ]);
  const page = (scan: StaleScan, pages = 1) => ({ scan, page: 1, pages, lines: linesOf(scan).slice(0, 8), exportUrl: `https://bot.contoso.com/stale/${scan.id}/results.csv?expires=1796000000&sig=abc` });
  const long = HOSTILE.long;
  const maximal = scanOf(
    Array.from({ length: 8 }, (_, i) => ({
      guest: { id: `e${i}`, displayName: long, mail: `${'x'.repeat(60)}${i}@${'y'.repeat(60)}.com`, externalUserState: 'PendingAcceptance', externalUserStateChangeDateTime: ago(400), createdDateTime: ago(400) },
      sponsors: { read: true, sponsors: [0, 1, 2].map((j) => ({ id: `s${j}`, kind: 'user' as const, displayName: long, accountEnabled: false })) },
      invitedBy: long,
    })),
  );
  const hostile = scanOf(
    [{ guest: { id: 'e9', displayName: HOSTILE_TEXT, mail: 'evil@evil.example', externalUserState: 'Accepted', createdDateTime: ago(500) }, sponsors: { read: true, sponsors: [{ id: 's', kind: 'user', displayName: HOSTILE.link, accountEnabled: false }] }, invitedBy: HOSTILE.template }],
    false,
  );
  return [
    { card: 'staleGuests', variant: 'typical', attachment: staleCard(page(typical)) },
    { card: 'staleGuests', variant: 'maximal', attachment: staleCard(page(maximal, 1250)) },
    { card: 'staleGuests', variant: 'hostile', attachment: staleCard({ ...page(hostile), exportUrl: undefined } as never) },
  ];
}
