import { randomUUID } from 'node:crypto';
import { domainToASCII, domainToUnicode } from 'node:url';
import type { ProxyApp } from '../../bot/graph/appProxy';
import type { Client } from 'ldapts';
import { escapeDnValue, escapeFilterValue } from '../../bot/onprem/ldapEscape';
import { ShadowAccounts, shadowCn, type GuestIdentity } from '../../bot/onprem/shadowAccounts';
import { writeResultsCsv } from '../../bot/services/bulk/csv';
import type { BulkRowRecord } from '../../bot/store';
import type { RunningSandbox } from '../../sandbox/server';
import { grantAccess } from '../helpers/accessGrants';
import { buildActivity, cardOf, executeData, inputDefaults, startBotOn, waitFor, type InvokeResult, type TestBot, type TestUser } from '../helpers/bot';
import type { ConnectorCall } from '../helpers/connector';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../helpers/samba';
import { contosoFixture, startTestSandbox } from '../helpers/sandbox';
import { describeWithService } from '../helpers/services';

/**
 * Suite 3 of issue 17, "Injection corpus". Hostile text (OData, LDAP, Markdown, template expressions, bidi and control
 * characters, lone surrogates, look-alike domains, 10,000 characters, CSV formula starts) goes into every command argument
 * and every card input of one real bot over HTTP, against the sandbox over HTTPS. Each case checks: no crash, nothing
 * internal in the chat, no markup from the user's text in what a card renders, and no changed Graph query. The cases are
 * generated from the seed lists below × the places a seed can go, so the corpus is the same on every run.
 */

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
const EXPENSES_USER_ROLE = '18d14569-c3bd-439b-9a66-3a2aee01d14f';
const EXPENSES_MSIAM_ROLE = 'b9632174-c057-4f7e-951b-be3adc52bfe6';
/** Accepted guests a manager may request Contoso Expenses for. */
const PARTNERS = ['alice@fabrikam.com', 'dana.reyes@outlook.com', 'erik@lakeshore-consulting.net', 'fiona.grant@gmail.com', 'carla.diaz@wingtiptoys.com'];
/** Revoke's partner: revoke runs before the request cases, which may leave her approved. */
const CARLA = 'e0000000-0000-4000-8000-000000000006';

interface Seed {
  family: string;
  text: string;
  /** Evidence that a `${…}` in it was evaluated: the rendered text must not match. */
  expanded?: RegExp;
}

const controlSeed = (code: number): Seed => ({ family: 'control', text: `a${String.fromCharCode(code)}INJ${String.fromCharCode(code)}b` });
/** Every C0 control character, for the unit-level suites; chat gets all of them in one seed and a few on their own. */
const EACH_CONTROL: Seed[] = Array.from({ length: 32 }, (_, code) => controlSeed(code));
const SOME_CONTROLS: Seed[] = [
  { family: 'control', text: `all${Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).join('')}INJ` },
  ...[0x00, 0x07, 0x09, 0x0a, 0x0d, 0x1b].map(controlSeed),
];

/** What goes into chat and card inputs. */
const SEEDS: Seed[] = [
  // OData string literals and operators
  { family: 'odata', text: "'" },
  { family: 'odata', text: "O'Brien" },
  { family: 'odata', text: "' or 1 eq 1" },
  { family: 'odata', text: "x' or startswith(mail,'a" },
  { family: 'odata', text: "') or (1 eq 1" },
  { family: 'odata', text: "$filter=mail eq 'x'" },
  { family: 'odata', text: '&$filter=id ne null&$top=999' },
  { family: 'odata', text: '%27 or 1 eq 1' },
  { family: 'odata', text: '%27%20or%201%20eq%201' },
  { family: 'odata', text: "a''b" },
  { family: 'odata', text: '"quoted"' },
  // LDAP filter (RFC 4515) and DN (RFC 4514) specials
  { family: 'ldap', text: '*' },
  { family: 'ldap', text: '*)(objectClass=*' },
  { family: 'ldap', text: '*)(|(uid=*))' },
  { family: 'ldap', text: '(' },
  { family: 'ldap', text: ')' },
  { family: 'ldap', text: '\\' },
  { family: 'ldap', text: 'a\\2a' },
  { family: 'ldap', text: 'nul\u0000byte' },
  { family: 'ldap', text: 'CN=x,OU=y,DC=z' },
  { family: 'ldap', text: 'a,b=c+d<e>f;g' },
  { family: 'ldap', text: '#lead' },
  { family: 'ldap', text: '  lead and trail  ' },
  // Markdown, links, images and HTML
  { family: 'markdown', text: '**INJbold**' },
  { family: 'markdown', text: '[INJlink](http://evil.example)' },
  { family: 'markdown', text: '![INJimg](http://evil.example/i.png)' },
  { family: 'markdown', text: '- INJitem' },
  { family: 'markdown', text: '* INJitem' },
  { family: 'markdown', text: '+ INJitem' },
  { family: 'markdown', text: '1. INJitem' },
  { family: 'markdown', text: '12) INJitem' },
  { family: 'markdown', text: '> INJquote' },
  { family: 'markdown', text: '# INJhead' },
  { family: 'markdown', text: '### INJhead' },
  { family: 'markdown', text: '`INJcode`' },
  { family: 'markdown', text: '_INJit_ ~~INJstrike~~' },
  { family: 'markdown', text: '<b>INJhtml</b>' },
  { family: 'markdown', text: 'first line\n- INJitem\n1. INJitem\n> INJquote\n# INJhead' },
  { family: 'markdown', text: 'first line\r\n  * INJitem' },
  // Adaptive Card template expressions
  { family: 'template', text: '${1+1}INJ', expanded: /(?<!\{1\+1\})2INJ/ },
  { family: 'template', text: 'INJ${string(42*42)}', expanded: /1764/ },
  { family: 'template', text: 'INJ${$root}', expanded: /\[object Object\]|"tone"/ },
  { family: 'template', text: "INJ${if(true,'EXPANDED','no')}", expanded: /INJEXPANDED/ },
  { family: 'template', text: '$' + '{title}INJ' },
  // Bidi overrides and isolates
  { family: 'bidi', text: 'moc.live\u202EINJ@fabrikam.com' },
  { family: 'bidi', text: '\u2066INJ\u2069' },
  { family: 'bidi', text: '\u202A\u202B\u202C\u202D\u2067\u2068INJ' },
  ...SOME_CONTROLS,
  // Lone UTF-16 surrogates
  { family: 'surrogate', text: '\uD800' },
  { family: 'surrogate', text: '\uDC00' },
  { family: 'surrogate', text: 'a\uD800INJ' },
  { family: 'surrogate', text: 'INJ\uDBFF\uDBFF' },
  // IDN and homoglyph addresses
  { family: 'idn', text: 'alice@c\u043Entoso.com' },
  { family: 'idn', text: '\u0430dele@contoso.com' },
  { family: 'idn', text: 'alice@xn--cntoso-8nf.com' },
  { family: 'idn', text: 'm\u00FCller@b\u00FCcher.example' },
  { family: 'idn', text: 'alice@fabrikam\uFF0Ecom' },
  // 10,000 characters
  { family: 'long', text: 'a'.repeat(10_000) },
  { family: 'long', text: "'".repeat(10_000) },
  { family: 'long', text: '*'.repeat(10_000) },
  { family: 'long', text: '- INJ\n'.repeat(1_667).slice(0, 10_000) },
  // CSV formula starts
  { family: 'csv', text: '=HYPERLINK("http://evil.example","INJ")' },
  { family: 'csv', text: '+1+1' },
  { family: 'csv', text: '-2+3' },
  { family: 'csv', text: '@SUM(A1)' },
  { family: 'csv', text: '\t=1' },
  { family: 'csv', text: '\r=1' },
  { family: 'csv', text: 'ok;=1+1' },
];

/** What the unit-level suites (LDAP escaping, the results CSV) take: every seed and every control character alone. */
const UNIT_SEEDS: Seed[] = [...SEEDS.filter((seed) => seed.family !== 'control'), ...EACH_CONTROL];

/**
 * The seeds of each family that go into one place (a command argument, a card field): one in `share` of each family,
 * rotated by the place's number, so every place gets every family and every seed goes to one in `share` of the places.
 * That keeps the chat part of the corpus to about two minutes on a loaded machine; the unit suites take every seed.
 */
function seedsFor(place: number, share = 4): Seed[] {
  const families = new Map<string, Seed[]>();
  for (const seed of SEEDS) families.set(seed.family, [...(families.get(seed.family) ?? []), seed]);
  return [...families.values()].flatMap((members) => members.filter((_, j) => (j + place) % Math.min(share, members.length) === 0));
}

// ---------------------------------------------------------------------------------------------------------------------
// What each case checks

/** A stack frame, a thrown error's name, a source path or botbuilder's internal messages: never for a person to read. */
const INTERNAL = /\bat [\w.<>$]+ \(|\bat (?:async )?[\w./\\-]+:\d+:\d+|\b(?:Type|Range|Reference|Syntax|URI)?Error:|[\w/\\-]+\.(?:ts|js|cjs):\d+|node_modules|validateAndFixActivity|Something went wrong on my side|\/work\/|\/tmp\//;

/**
 * Markup a Teams TextBlock or fact would render from the user's text. User text is marked with "INJ" by the seeds that
 * carry markup, so only a construct touching such text counts (the bot's own templates may use bold).
 */
const MARKUP: { name: string; pattern: RegExp }[] = [
  { name: 'bold', pattern: /(?<!\\)\*\*INJ/ },
  { name: 'link', pattern: /(?<!\\)\[INJ[^\]]*(?<!\\)\]\(/ },
  { name: 'image', pattern: /(?<!\\)!(?<!\\)\[INJ/ },
  { name: 'code', pattern: /(?<!\\)`INJ/ },
  { name: 'italic', pattern: /(?<!\\)_INJ/ },
  { name: 'strike', pattern: /(?<!\\)~~INJ/ },
  { name: 'html', pattern: /(?<!\\)<b>INJ/ },
  { name: 'list', pattern: /^[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]+INJ/m },
  { name: 'quote', pattern: /^[ \t]*>[ \t]*INJ/m },
  { name: 'header', pattern: /^[ \t]*#{1,6}[ \t]+INJ/m },
];

/** The text a Teams client renders as Markdown: TextBlocks and facts (inputs, choices and button titles are plain). */
function renderedTexts(card: unknown): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'TextBlock' && typeof record.text === 'string') texts.push(record.text);
      if (record.type === 'FactSet' && Array.isArray(record.facts)) {
        for (const fact of record.facts as { title?: unknown; value?: unknown }[]) {
          if (typeof fact.title === 'string') texts.push(fact.title);
          if (typeof fact.value === 'string') texts.push(fact.value);
        }
      }
      for (const [key, value] of Object.entries(record)) if (key !== 'facts') walk(value);
    }
  };
  walk(card);
  return texts;
}

interface Seen {
  /** What the bot answered: cards and messages. */
  replies: unknown[];
  status: number[];
}

/** The domain of an address when it has non-ASCII letters, in both forms: a card that shows one must show the other. */
function unicodeDomainOf(address: string): { unicode: string; ascii: string } | undefined {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  if (/^[ -~]*$/.test(domain)) return undefined;
  const ascii = domainToASCII(domain);
  return ascii && ascii !== domain ? { unicode: domainToUnicode(ascii), ascii } : undefined;
}

/** `interpretsAddress`: the seed is the address the command acts on, so a look-alike domain must show in both forms. */
function problemsIn(seen: Seen, seed: Seed, interpretsAddress = false): string[] {
  const problems: string[] = [];
  for (const status of seen.status) if (status >= 500) problems.push(`HTTP ${status}`);
  for (const reply of seen.replies) {
    const all = typeof reply === 'string' ? reply : JSON.stringify(reply);
    const leak = INTERNAL.exec(all);
    if (leak) problems.push(`internal text in the chat: "${leak[0]}"`);
    if (typeof reply === 'string') continue;
    for (const text of renderedTexts(reply)) {
      for (const { name, pattern } of MARKUP) if (pattern.test(text)) problems.push(`renders a ${name}: ${JSON.stringify(text.slice(0, 120))}`);
      if (seed.expanded?.test(text)) problems.push(`template expanded: ${JSON.stringify(text.slice(0, 120))}`);
    }
    const lookAlike = interpretsAddress && seed.family === 'idn' ? unicodeDomainOf(seed.text) : undefined;
    const shown = renderedTexts(reply).join('\n');
    if (lookAlike && shown.includes(lookAlike.unicode) && !shown.includes(lookAlike.ascii)) {
      problems.push(`shows the look-alike domain ${lookAlike.unicode} without its ASCII form ${lookAlike.ascii}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------------
// Query semantics: every $filter the bot sent, with its string literals taken out, must be one the bot sends for benign
// input. An unquoted `'` or an injected `or` changes that skeleton.

const ODATA_LITERAL = /'(?:[^']|'')*'/g;

/**
 * The `$filter` of a recorded request with its string literals replaced by `'…'`. The sandbox records paths decoded once,
 * as Graph reads them, so the filter ends at the first `&` outside a literal (a `&` inside one is the user's text), and a
 * `%27` still there is text too, not a quote.
 */
function filterSkeleton(path: string): string | undefined {
  const start = path.search(/[?&]\$filter=/);
  if (start === -1) return undefined;
  const from = path.indexOf('=', start) + 1;
  let end = from;
  let quoted = false;
  for (; end < path.length; end += 1) {
    const c = path.charAt(end);
    if (c === "'") quoted = !quoted;
    else if (c === '&' && !quoted) break;
  }
  return path.slice(from, end).replace(ODATA_LITERAL, "'…'").replace(/\d+/g, 'N');
}

/** Every cell of a CSV as a spreadsheet reads it with this separator: quotes honoured, "" inside them one quote. */
function readCsv(text: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text.charAt(i + 1) === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === separator || c === '\n' || c === '\r') {
      cells.push(cell);
      cell = '';
      if (c === '\r' && text.charAt(i + 1) === '\n') i += 1;
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

// ---------------------------------------------------------------------------------------------------------------------
// The record of every case

const results: { name: string; ok: boolean; problems: string[] }[] = [];
const figures: string[] = [];
function record(name: string, problems: string[]): void {
  results.push({ name, ok: problems.length === 0, problems });
}
function failuresSince(since: number): string[] {
  return results
    .slice(since)
    .filter((r) => !r.ok)
    .map((r) => `${r.name}: ${r.problems.slice(0, 3).join('; ')}`);
}

/** A readable case name: the seed escaped, cut short. */
function label(text: string): string {
  const shown = JSON.stringify(text);
  return shown.length > 40 ? `${shown.slice(0, 37)}…"` : shown;
}

/** Runs `cases` a few at a time: one bot, no idle waits, and a loaded machine is not flooded. */
async function inBatches<T>(cases: readonly T[], size: number, run: (c: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < cases.length; i += size) await Promise.all(cases.slice(i, i + size).map(run));
}

// ---------------------------------------------------------------------------------------------------------------------

describe('Injection corpus', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;
  let allowedSkeletons: Set<string>;
  let expenses: ProxyApp;

  /**
   * A message and the reply to it. Each case has its own chat, as many people at once would: one chat would meet Teams'
   * per-conversation rate limit (the connector stand-in enforces it), which is the pacing suite's subject, not this one's.
   */
  async function say(user: TestUser, text: string): Promise<Seen> {
    const activityId = randomUUID();
    const activity = buildActivity(bot.connector.serviceUrl, sandbox.tenantId, user, { type: 'message', text, conversation: { id: `a:inj-${activityId}`, conversationType: 'personal' } }, { activityId });
    const { status } = await bot.post(activity);
    if (status >= 300) return { replies: [], status: [status] };
    const reply: ConnectorCall = await waitFor(`the reply to ${label(text)}`, () => bot.connector.calls.find((c) => c.activityId === activityId), 30_000);
    const card = cardOf(reply);
    return { replies: [card ?? reply.activity.text ?? ''], status: [status] };
  }

  async function click(user: TestUser, verb: string, data: Record<string, unknown>): Promise<{ seen: Seen; result: InvokeResult }> {
    const result = await bot.click(user, verb, data);
    return { seen: { replies: [result.value ?? ''], status: [result.status, result.statusCode ?? 200] }, result };
  }

  /** Graph $filter skeletons the bot sent that no benign input produces. */
  function unexpectedQueries(): string[] {
    const odd: string[] = [];
    for (const request of sandbox.stats().requests) {
      const skeleton = filterSkeleton(request.path);
      if (skeleton !== undefined && !allowedSkeletons.has(skeleton)) odd.push(`${request.path.slice(0, 200)} (skeleton ${skeleton.slice(0, 200)})`);
      if (request.status === 400 && /\$filter|\$search/.test(request.path)) odd.push(`Graph refused a query as malformed: ${request.path.slice(0, 200)}`);
    }
    return odd;
  }

  function guest(objectId: string): GuestIdentity {
    const user = sandbox.state.findUser(objectId);
    if (!user) throw new Error(`fixture lacks ${objectId}`);
    return { objectId, userPrincipalName: user.userPrincipalName, displayName: user.displayName ?? '', ...(user.mail ? { mail: user.mail } : {}) };
  }

  beforeAll(async () => {
    const fixture = contosoFixture();
    sandbox = await startTestSandbox({ fixture });
    // No job runs during the corpus: approvals stay approved, so revoke sees only the grants a case made.
    bot = await startBotOn(sandbox, { ROLE_CACHE_SECONDS: '3600', JOB_POLL_MS: '3600000' });
    for (const user of [ADMIN, MANAGER]) await say(user, 'whoami');
    const apps = await bot.bot.services.appAccess.listApps();
    expenses = apps.find((a) => a.servicePrincipalId === EXPENSES) as ProxyApp;

    // The queries benign input makes: their skeletons are the only ones allowed.
    sandbox.resetStats();
    for (const text of [
      'whois alice@fabrikam.com',
      'whois Alice Smith',
      'whois alice',
      'whois E0000000-0000-4000-8000-000000000003',
      'whois alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      'realm alice@fabrikam.com',
      'realm fabrikam.com',
      'invite nobody.yet@fabrikam.com',
      'invite alice@fabrikam.com',
      'request expenses for alice@fabrikam.com',
      'request expenses for Alice Smith',
      'revoke expenses for alice@fabrikam.com',
      'resend bob@tailspintoys.com',
      'apps',
      'apps expenses',
      'requests',
      'pending',
    ]) {
      await say(ADMIN, text);
    }
    allowedSkeletons = new Set(sandbox.stats().requests.map((r) => filterSkeleton(r.path)).filter((s): s is string => s !== undefined));
    figures.push(`query skeletons from benign input: ${allowedSkeletons.size}`);
  }, 120_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    const passed = results.filter((r) => r.ok).length;
    const byFamily = new Map<string, number>();
    for (const seed of SEEDS) byFamily.set(seed.family, (byFamily.get(seed.family) ?? 0) + 1);
    console.log(
      [
        `injection corpus: ${results.length} cases from ${SEEDS.length} seeds (${[...byFamily].map(([f, n]) => `${f} ${n}`).join(', ')})`,
        `injection corpus: ${passed} passed, ${results.length - passed} failed`,
        ...figures,
        ...failuresSince(0).slice(0, 40),
      ].join('\n'),
    );
  });

  it('every command argument', async () => {
    const since = results.length;
    const started = Date.now();
    const places: { command: string; build: (p: string) => string; address?: boolean }[] = [
      { command: 'whois', build: (p) => `whois ${p}`, address: true },
      { command: 'whois', build: (p) => `whois alice${p}@fabrikam.com` },
      { command: 'realm', build: (p) => `realm ${p}`, address: true },
      { command: 'realm', build: (p) => `realm someone@${p}fabrikam.com` },
      { command: 'invite', build: (p) => `invite ${p}`, address: true },
      { command: 'invite', build: (p) => `invite x${p}@fabrikam.com` },
      { command: 'invite', build: (p) => `invite ana.silva@fabrikam.com as "${p}"` },
      { command: 'request', build: (p) => `request ${p}` },
      { command: 'request', build: (p) => `request ${p} for alice@fabrikam.com` },
      { command: 'request', build: (p) => `request expenses for alice@fabrikam.com because ${p}` },
      { command: 'revoke', build: (p) => `revoke ${p}` },
      { command: 'revoke', build: (p) => `revoke expenses for ${p}`, address: true },
      { command: 'resend', build: (p) => `resend ${p}`, address: true },
      { command: 'apps', build: (p) => `apps ${p}` },
      { command: 'requests', build: (p) => `requests ${p}` },
      { command: 'pending', build: (p) => `pending ${p}` },
      { command: 'unknown', build: (p) => p },
      { command: 'unknown', build: (p) => `frobnicate ${p}` },
    ];
    const cases = places.flatMap((place, n) => seedsFor(n, 2).map((seed) => ({ seed, place, n })));
    const batchSize = 8;
    const run = async ({ seed, place }: (typeof cases)[number]): Promise<string[]> => {
      try {
        return problemsIn(await say(ADMIN, place.build(seed.text)), seed, place.address);
      } catch (error) {
        return [`no answer: ${(error as Error).message}`];
      }
    };
    let rerun = 0;
    for (let i = 0; i < cases.length; i += batchSize) {
      const batch = cases.slice(i, i + batchSize);
      sandbox.resetStats();
      const outcomes = await Promise.all(batch.map(run));
      // A changed query is seen per batch; the batch then runs again one case at a time to find whose text changed it.
      const odd = unexpectedQueries();
      for (const [k, c] of batch.entries()) {
        let own: string[] = [];
        if (odd.length > 0) {
          rerun += 1;
          sandbox.resetStats();
          await run(c);
          own = unexpectedQueries();
        }
        record(`${c.place.command}#${c.n} ${c.seed.family} ${label(c.seed.text)}`, [...(outcomes[k] ?? []), ...own]);
      }
      if ((i / batchSize) % 20 === 0) process.stderr.write(`injection: commands ${i + batch.length}/${cases.length} at ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
    // And positively: the text of each OData seed reaches Graph as one literal, its quotes doubled, whenever whois sends it.
    // (A double-quoted seed is a phrase to the tokenizer, which drops its quotes.)
    for (const seed of SEEDS.filter((s) => s.family === 'odata' && !s.text.includes('"'))) {
      sandbox.resetStats();
      const seen = await run({ seed, place: { command: 'whois', build: (p) => `whois ${p}` }, n: 0 });
      const literal = `'${seed.text.trim().replace(/'/g, "''")}'`;
      const filters = sandbox.stats().requests.filter((r) => filterSkeleton(r.path) !== undefined);
      const quoted = filters.length === 0 || filters.some((r) => r.path.includes(literal));
      record(`whois sends ${label(seed.text)} as the literal ${label(literal)}`, [...seen, ...(quoted ? [] : [`not in: ${filters.map((r) => r.path.slice(0, 160)).join(' | ')}`])]);
    }
    figures.push(`commands: ${rerun} cases run again alone to attribute a changed query`);
    figures.push(`commands: ${cases.length} cases in ${Math.round((Date.now() - started) / 1000)} s`);
    expect(failuresSince(since)).toEqual([]);
  }, 900_000);

  it('every card input: the invite form', async () => {
    const since = results.length;
    const started = Date.now();
    const fields: { field: string; user: TestUser }[] = [
      { field: 'displayName', user: ADMIN },
      { field: 'message', user: ADMIN },
      { field: 'groups', user: ADMIN },
      { field: 'cc', user: ADMIN },
      { field: 'justification', user: MANAGER },
    ];
    const cases = fields.flatMap((f, n) => seedsFor(n, 2).map((seed, s) => ({ seed, ...f, email: `inj${s}.${f.field.toLowerCase()}@fabrikam.com` })));
    await inBatches(cases, 6, async ({ seed, field, user, email }) => {
      const name = `invite.submit ${field} ${seed.family} ${label(seed.text)}`;
      try {
        const confirm = await say(user, `invite ${email}`);
        const data = executeData(confirm.replies[0], 'invite.submit');
        if (!data) return record(name, ['no Send invitation button', ...problemsIn(confirm, seed)]);
        const { seen } = await click(user, 'invite.submit', { ...inputDefaults(confirm.replies[0]), ...data, [field]: seed.text });
        record(name, problemsIn(seen, seed, field === 'cc'));
      } catch (error) {
        record(name, [`no answer: ${(error as Error).message}`]);
      }
    });
    figures.push(`invite form: ${cases.length} cases in ${Math.round((Date.now() - started) / 1000)} s`);
    expect(failuresSince(since)).toEqual([]);
  }, 900_000);

  it('every card input: the revoke reason', async () => {
    const since = results.length;
    const started = Date.now();
    const reasons = seedsFor(0, 3);
    for (const seed of reasons) {
      const name = `revoke.confirm reason ${seed.family} ${label(seed.text)}`;
      try {
        // A refused reason (a lone surrogate) leaves the previous case's grant in place: it is revoked this time.
        const standing = await bot.bot.services.store.accessRequests.findActiveGrants(CARLA, EXPENSES);
        if (standing.length === 0) await grantAccess(
          { store: bot.bot.services.store, appAccess: bot.bot.services.appAccess, queue: bot.bot.jobs.queue },
          { app: expenses, guest: guest(CARLA), requester: MANAGER, appRoleId: EXPENSES_MSIAM_ROLE, expiresAt: new Date(Date.now() + 86_400_000) },
        );
        const confirm = await say(ADMIN, 'revoke expenses for carla.diaz@wingtiptoys.com');
        const data = executeData(confirm.replies[0], 'revoke.confirm');
        if (!data) {
          record(name, ['no Revoke button']);
          continue;
        }
        const { seen } = await click(ADMIN, 'revoke.confirm', { ...inputDefaults(confirm.replies[0]), ...data, reason: seed.text });
        record(name, problemsIn(seen, seed));
      } catch (error) {
        record(name, [`no answer: ${(error as Error).message}`]);
      }
    }
    figures.push(`revoke reason: ${reasons.length} cases in ${Math.round((Date.now() - started) / 1000)} s`);
    expect(failuresSince(since)).toEqual([]);
  }, 900_000);

  it('every card input: the access request form, and the approver comments', async () => {
    const since = results.length;
    const started = Date.now();
    const before = bot.connector.calls.length;
    // One pending request per partner, app and role at a time: each case of a batch takes its own combination, and a
    // denied request frees it for the next batch. Approved ones stay approved (no job runs), so each approval takes one.
    const combos = PARTNERS.flatMap((partner) => [EXPENSES_USER_ROLE, EXPENSES_MSIAM_ROLE].map((appRoleId) => ({ partner, appRoleId })));

    async function submitted(seed: Seed, combo: (typeof combos)[number], justification: string) {
      const form = await say(MANAGER, `request expenses for ${combo.partner}`);
      const data = executeData(form.replies[0], 'access.submit');
      if (!data) throw new Error(`no Send request button (${problemsIn(form, seed).join('; ') || 'no problem seen'})`);
      const submit = await click(MANAGER, 'access.submit', { ...inputDefaults(form.replies[0]), ...data, appRoleId: combo.appRoleId, days: '5', justification });
      return { submit, stored: await bot.bot.services.store.accessRequests.get(String(data.formId)) };
    }

    const denials = seedsFor(0, 2);
    await inBatches(
      denials.map((seed, k) => ({ seed, combo: combos[k % combos.length] ?? combos[0] })),
      4,
      async ({ seed, combo }) => {
        const name = `${seed.family} ${label(seed.text)}`;
        try {
          if (!combo) throw new Error('no partner left');
          const { submit, stored } = await submitted(seed, combo, seed.text);
          record(`access.submit justification ${name}`, problemsIn(submit.seen, seed));
          // A refused justification is a fine answer; there is then nothing to decide.
          if (!stored) return;
          const denied = await click(ADMIN, 'access.deny', { id: stored.id, comment: seed.text });
          record(`access.deny comment ${name}`, problemsIn(denied.seen, seed));
          // A refused comment leaves the request pending: deny it plainly, so its partner and role are free again.
          if ((await bot.bot.services.store.accessRequests.get(stored.id))?.state === 'pending') await click(ADMIN, 'access.deny', { id: stored.id });
        } catch (error) {
          record(`access.submit justification ${name}`, [`no answer: ${(error as Error).message}`]);
        }
      },
    );

    const families = [...new Set(SEEDS.map((seed) => seed.family))];
    const approvals = families.map((family, k) => SEEDS.filter((seed) => seed.family === family)[k % 3] ?? SEEDS.find((seed) => seed.family === family));
    await inBatches(
      approvals.flatMap((seed, k) => (seed && combos[k] ? [{ seed, combo: combos[k] }] : [])),
      4,
      async ({ seed, combo }) => {
        const name = `access.approve comment ${seed.family} ${label(seed.text)}`;
        try {
          const { stored } = await submitted(seed, combo, 'Pilot');
          if (!stored) return record(name, ['the request was not stored']);
          const approved = await click(ADMIN, 'access.approve', { id: stored.id, comment: seed.text });
          record(name, problemsIn(approved.seen, seed));
        } catch (error) {
          record(name, [`no answer: ${(error as Error).message}`]);
        }
      },
    );

    // The approval cards and notices went out proactively: each must be as clean as the replies.
    const proactive = bot.connector.calls.slice(before).filter((c) => !String(c.conversationId).startsWith('a:inj-') || c.method === 'PUT');
    const anySeed: Seed = { family: 'any', text: '', expanded: new RegExp(SEEDS.flatMap((s) => (s.expanded ? [s.expanded.source] : [])).join('|')) };
    const dirty = proactive.flatMap((call) => problemsIn({ replies: [cardOf(call) ?? call.activity.text ?? ''], status: [] }, anySeed));
    record(`approval cards and notices (${proactive.length})`, [...new Set(dirty)]);
    figures.push(`access form and decisions: ${results.length - since} cases in ${Math.round((Date.now() - started) / 1000)} s`);
    expect(failuresSince(since)).toEqual([]);
  }, 900_000);

  it("the caller's own Teams name", async () => {
    const since = results.length;
    // Teams sends the caller's display name with every activity; whoami shows it as the card's title.
    await inBatches(seedsFor(0, 2), 8, async (seed) => {
      const name = `whoami as ${seed.family} ${label(seed.text)}`;
      try {
        record(name, problemsIn(await say({ ...MANAGER, name: seed.text }, 'whoami'), seed));
      } catch (error) {
        record(name, [`no answer: ${(error as Error).message}`]);
      }
    });
    expect(failuresSince(since)).toEqual([]);
  }, 300_000);

  it('LDAP: filter values escape per RFC 4515 and DN values per RFC 4514', () => {
    const since = results.length;
    const values = UNIT_SEEDS.flatMap((seed) => [seed.text, `x${seed.text}`, `${seed.text}x`]).filter((v) => v.length > 0);
    for (const value of values) {
      const filter = escapeFilterValue(value);
      const problems: string[] = [];
      if (/[\0*()]/.test(filter)) problems.push(`unescaped filter special in ${label(filter)}`);
      if (/\\(?![0-9a-fA-F]{2})/.test(filter)) problems.push(`a backslash that is not an escape in ${label(filter)}`);
      if (filter.replace(/\\([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) !== value) problems.push('filter value does not round-trip');
      record(`ldap filter ${label(value)}`, problems);
    }
    for (const value of values) {
      const dn = escapeDnValue(value);
      const problems: string[] = [];
      const unescaped = dn.replace(/\\(?:[0-9A-F]{2}|.)/gs, '');
      // eslint-disable-next-line no-control-regex -- control characters are what the DN escape must catch
      if (/[,+"\\<>;=\0-\x1f]/.test(unescaped)) problems.push(`unescaped DN special in ${label(dn)}`);
      if (/^[# ]/.test(dn) || (/ $/.test(dn) && !/\\ $/.test(dn))) problems.push(`leading # or space, or trailing space, in ${label(dn)}`);
      if (dn.replace(/\\([0-9A-F]{2}|.)/gs, (_, e: string) => (e.length === 2 && /^[0-9A-F]{2}$/.test(e) ? String.fromCharCode(parseInt(e, 16)) : e)) !== value) {
        problems.push('DN value does not round-trip');
      }
      record(`ldap dn ${label(value)}`, problems);
    }
    figures.push(`ldap escaping: ${values.length * 2} cases`);
    expect(failuresSince(since)).toEqual([]);
  });

  it('bulk results CSV: no cell starts a formula, whether read with , or ;', () => {
    const since = results.length;
    const starts = ['=', '+', '-', '@', '\t', '\r'];
    const values = [...UNIT_SEEDS.map((s) => s.text), ...starts.flatMap((c) => [`${c}1+1`, `a;${c}1+1`, `a\n${c}1`, `a; "${c}1`])];
    for (const value of values) {
      const row = { input: value, email: value, message: value, detail: value, state: 'failed', sendEmail: false } as unknown as BulkRowRecord;
      const csv = writeResultsCsv([row], 'https://myapplications.microsoft.com');
      const problems: string[] = [];
      const readers: [string, string[]][] = [
        [',', readCsv(csv, ',')],
        [';', readCsv(csv, ';')],
        ['; without quotes', csv.split(/;|\r\n|\r|\n/)],
      ];
      for (const [separator, cells] of readers) {
        for (const cell of cells) {
          if (/^[\t\r]/.test(cell) || /^[\s"]*[=+\-@]/.test(cell)) problems.push(`a cell read with ${separator} starts a formula: ${label(cell)}`);
        }
      }
      record(`csv ${label(value)}`, problems);
    }
    figures.push(`results csv: ${values.length} cases, each read with , and ; (quotes honoured) and split on ; and line breaks`);
    expect(failuresSince(since)).toEqual([]);
  });
});

/** A DN's first RDN, unescaped (RFC 4514: `\XX` hex or `\c`), with the attribute name lower-cased, and the rest as written. */
function splitFirstRdn(dn: string): [string, string] {
  let value = '';
  for (let i = 0; i < dn.length; i += 1) {
    const c = dn.charAt(i);
    if (c === '\\') {
      const hexPair = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hexPair)) {
        value += String.fromCharCode(parseInt(hexPair, 16));
        i += 2;
      } else {
        value += dn.charAt(i + 1);
        i += 1;
      }
    } else if (c === ',') {
      const eq = value.indexOf('=');
      return [`${value.slice(0, eq).toLowerCase()}=${value.slice(eq + 1)}`, dn.slice(i + 1)];
    } else value += c;
  }
  return [value, ''];
}

/**
 * A few LDAP cases against a real directory: hostile display names and UPNs through the shadow-account code, which builds
 * a DN from the name and filters by UPN and link. A wildcard UPN comes last: were it not escaped, it would match the
 * accounts made before it and be refused as taken.
 */
describeWithService('Samba AD DC', sambaMissingReason(), 'Injection corpus: LDAP against Samba', () => {
  let dc: RunningDc;
  let admin: Client;
  let accounts: ShadowAccounts;
  const LINK = 'msDS-cloudExtensionAttribute1';
  const SAMBA_SEEDS = ['*)(objectClass=*', 'a,b=c+d<e>f;g', '#lead', ' lead and trail ', 'back\\slash', 'CN=x,OU=y,DC=z', '(paren)', '*'];

  beforeAll(async () => {
    dc = await startSambaDc();
    admin = await dc.connect();
    accounts = new ShadowAccounts({
      url: dc.url,
      bindDn: dc.bindDn,
      bindPassword: dc.bindPassword,
      guestOu: dc.guestOu,
      caFile: dc.caFile,
      tlsServername: dc.tlsServername,
      tlsInsecure: false,
      linkAttribute: LINK,
      timeoutMs: 5000,
    });
  }, 120_000);

  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  it('a hostile name lands in the guest OU under exactly that name, and a hostile UPN matches only itself', async () => {
    const since = results.length;
    for (const [n, seed] of SAMBA_SEEDS.entries()) {
      // The wildcard alone, last: `(userPrincipalName=*@contoso.onmicrosoft.com)` unescaped matches every account before it.
      const upn = seed === '*' ? '*@contoso.onmicrosoft.com' : `${seed.replace(/\s/g, '')}inj${n}#EXT#@contoso.onmicrosoft.com`;
      const guest: GuestIdentity = { objectId: `e1000000-0000-4000-8000-${String(n).padStart(12, '0')}`, userPrincipalName: upn, displayName: seed };
      const problems: string[] = [];
      try {
        const made = await accounts.ensure(guest);
        if (made.action !== 'created') problems.push(`ensure said ${made.action}`);
        const { searchEntries } = await admin.search(dc.baseDn, { filter: `(${LINK}=${escapeFilterValue(guest.objectId)})`, attributes: ['cn', 'userPrincipalName'] });
        const [entry, ...others] = searchEntries;
        if (others.length > 0 || !entry) problems.push(`${searchEntries.length} accounts linked`);
        const cn = shadowCn(guest);
        if (entry && entry.cn !== cn) problems.push(`cn ${JSON.stringify(entry.cn)} instead of ${JSON.stringify(cn)}`);
        // The directory may spell escapes its own way (`\3D` for `\=`): compare what the DN means, not its bytes.
        const [rdn, parent] = splitFirstRdn(entry?.dn ?? '');
        if (entry && (rdn !== `cn=${cn}` || parent.toLowerCase() !== dc.guestOu.toLowerCase())) problems.push(`made at ${entry.dn}`);
        const again = await accounts.ensure(guest);
        if (again.action !== 'unchanged') problems.push(`a second ensure said ${again.action}`);
      } catch (error) {
        problems.push(`failed: ${(error as Error).message}`);
      }
      record(`samba ${label(seed)}`, problems);
    }
    expect(failuresSince(since)).toEqual([]);
  }, 180_000);
});
