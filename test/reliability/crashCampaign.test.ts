import type { Client } from 'ldapts';
import { postgresMissingReason, startPostgres, type TestPostgres } from '../helpers/postgres';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../helpers/samba';
import { Lane, type Check, type KillPoint, type NoticeTally, type Shadow } from './support/campaign';

/**
 * Suite 1 of issue 17, "crash campaign". The bot runs as a child process (`node --import tsx bot/index.ts`) against a
 * sandbox and a Bot Connector stand-in in this process, so Graph and Teams keep their state when the bot is killed with
 * SIGKILL; the store is a SQLite file or a PostgreSQL database, which survive it too. Each lane is one bot process through a
 * series of rounds: a few flows side by side (request → approve, deny or time-out → grant → notices, invitations approved or
 * denied, and bulk invitation runs), one kill -9 at a random delay after a step starts or when a targeted Graph request or
 * Teams delivery is seen, a restart on the same store, and the flows driven to their end as their users would (a click lost
 * with the process is clicked again).
 * Every flow the kill caught before its end is a kill point, and its invariants are checked once it ends.
 *
 * The lanes run rounds side by side until together they have CRASH_POINTS kill points (default 210), each with CRASH_FLOWS
 * flows (default 8) and one kill; the Kerberos lane runs CRASH_KERBEROS_ROUNDS rounds (default 3) on top. CRASH_SEED sets
 * the seed of the random choices, printed with the figures, to replay a run. CRASH_ONLY_SQLITE=1 runs one SQLite lane only,
 * for a quick look while changing the bot., CRASH_SEED the seed of the random choices.
 */

/** Kill points to reach across the SQLite and PostgreSQL lanes; the issue asks for at least 200. */
const TARGET_POINTS = Number(process.env.CRASH_POINTS ?? 210);
const FLOWS = Number(process.env.CRASH_FLOWS ?? 8);
/** A lane stops here even short of the target, so a machine where triggers keep missing cannot run for ever. */
const MAX_ROUNDS = 16;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
const KERBEROS_ROUNDS = Number(process.env.CRASH_KERBEROS_ROUNDS ?? 3);
const requireServices = process.env.REQUIRE_SERVICES === '1';

const points: KillPoint[] = [];
const checks: Check[] = [];
const notices: NoticeTally = { once: 0, repeatedMarked: 0, repeatedUnmarked: 0, never: 0 };
const figures: string[] = [];
const skipped: string[] = [];

function absorb(lane: Lane): void {
  points.push(...lane.points);
  checks.push(...lane.checks);
  for (const key of Object.keys(notices) as (keyof NoticeTally)[]) notices[key] += lane.notices[key];
  const starts = lane.bot.startMs;
  figures.push(`${lane.name}: ${lane.bot.kills} kills, ${lane.points.length} kill points, bot start ${Math.min(...starts)}–${Math.max(...starts)} ms`);
}

async function runLanes(lanes: Lane[], keepGoing?: () => boolean): Promise<void> {
  try {
    await Promise.all(lanes.map((lane) => lane.open()));
    await Promise.all(lanes.map((lane) => lane.run(keepGoing)));
  } finally {
    for (const lane of lanes) absorb(lane);
    await Promise.all(lanes.map((lane) => lane.close()));
  }
}

/** The stores the points ran on, as the summary names them. */
function backends(): string {
  const names = ['SQLite', 'PostgreSQL'].filter((name) => points.some((p) => p.lane.startsWith(name)));
  return names.join(' and ') || 'no store';
}

function failures(since: number): string[] {
  return checks.slice(since).filter((c) => !c.ok).map((c) => c.name);
}

describe('crash campaign: kill -9 anywhere, restart on the same store, every invariant holds', () => {
  let postgres: TestPostgres | undefined;
  const pgMissing = postgresMissingReason();
  const sambaMissing = sambaMissingReason();

  afterAll(async () => {
    await postgres?.stop();
    const random = points.filter((p) => p.kind === 'random').length;
    const targeted = points.length - random;
    const passed = checks.filter((c) => c.ok).length;
    const where = [...new Set(points.map((p) => p.at.replace(/ held \d+ ms/, ' held').replace(/\d+ ms into/, 'n ms into')))].sort();
    console.log(
      [
        `crash campaign: ${points.length} kill points: ${random} random, ${targeted} targeted, on ${backends()} (seed ${SEED})`,
        `crash campaign: ${passed} passed, ${checks.length - passed} failed`,
        `requester's outcome notice: told once ${notices.once}, repeated saying it repeats ${notices.repeatedMarked}, repeated unmarked ${notices.repeatedUnmarked}, never ${notices.never}`,
        'guarantee: the outcome notice is delivered at least once; a repeat after a crash says it repeats',
        ...figures,
        ...skipped,
        `kill points by step: ${where.join('; ')}`,
      ].join('\n'),
    );
  });

  it('on SQLite and on PostgreSQL: request → approve, deny or time-out → grant → notices, invitations approved or denied, and bulk runs', async () => {
    const since = checks.length;
    const lanes = [new Lane({ name: 'SQLite A', dialect: 'sqlite', rounds: MAX_ROUNDS, flowsPerRound: FLOWS, seed: SEED + 1, inviteApproval: true })];
    if (process.env.CRASH_ONLY_SQLITE !== '1') lanes.push(new Lane({ name: 'SQLite B', dialect: 'sqlite', rounds: MAX_ROUNDS, flowsPerRound: FLOWS, seed: SEED + 2, inviteApproval: true }));
    if (process.env.CRASH_ONLY_SQLITE === '1') {
      skipped.push('PostgreSQL lanes skipped: CRASH_ONLY_SQLITE=1');
    } else if (pgMissing) {
      if (requireServices) throw new Error(`PostgreSQL is required (REQUIRE_SERVICES=1) but unavailable: ${pgMissing}`);
      skipped.push(`PostgreSQL lanes skipped: ${pgMissing}`);
      console.warn(`crash campaign: PostgreSQL lanes skipped: ${pgMissing}`);
    } else {
      postgres = await startPostgres();
      for (const [n, seed] of [['A', SEED + 3], ['B', SEED + 4]] as const) {
        lanes.push(new Lane({ name: `PostgreSQL ${n}`, dialect: 'postgres', databaseUrl: await postgres.createDatabase(), rounds: MAX_ROUNDS, flowsPerRound: FLOWS, seed, inviteApproval: true }));
      }
    }
    await runLanes(lanes, () => lanes.reduce((sum, lane) => sum + lane.points.length, 0) < TARGET_POINTS);
    const caught = points.filter((p) => !p.lane.includes('Kerberos')).length;
    // The issue asks for at least 200 kill points across SQLite and PostgreSQL; a smaller CRASH_POINTS is a trial run.
    if (lanes.length === 4 && TARGET_POINTS >= 200) expect(caught).toBeGreaterThanOrEqual(200);
    expect(caught).toBeGreaterThan(0);
    expect(failures(since)).toEqual([]);
  }, 1_200_000);

  it('a Kerberos app: the shadow account in a real Samba AD DC is made once, whatever the kill', async () => {
    if (sambaMissing) {
      if (requireServices) throw new Error(`Samba AD DC is required (REQUIRE_SERVICES=1) but unavailable: ${sambaMissing}`);
      skipped.push(`Kerberos lane skipped: Samba AD DC unavailable: ${sambaMissing}`);
      console.warn(`crash campaign: Kerberos lane skipped: Samba AD DC unavailable: ${sambaMissing}`);
      return;
    }
    const since = checks.length;
    let dc: RunningDc | undefined;
    let ldap: Client | undefined;
    try {
      dc = await startSambaDc({ lockTimeoutMs: 240_000 });
      ldap = await dc.connect();
      await removeCampaignAccounts(ldap, dc.guestOu);
      const shadow: Shadow = {
        ldap,
        baseDn: dc.baseDn,
        env: {
          ONPREM_LDAP_URL: dc.url,
          ONPREM_BIND_DN: dc.bindDn,
          ONPREM_BIND_PASSWORD: dc.bindPassword,
          ONPREM_GUEST_OU: dc.guestOu,
          ONPREM_CA_FILE: dc.caFile,
          ONPREM_TLS_SERVERNAME: dc.tlsServername,
        },
      };
      await runLanes([new Lane({ name: 'SQLite Kerberos', dialect: 'sqlite', rounds: KERBEROS_ROUNDS, flowsPerRound: FLOWS, seed: SEED + 5, shadow })]);
      await removeCampaignAccounts(ldap, dc.guestOu);
    } finally {
      await ldap?.unbind().catch(() => undefined);
      await dc?.stop();
    }
    expect(failures(since)).toEqual([]);
  }, 600_000);
});

/** The campaign's partners are g0000@fabrikam.com and on; their shadow accounts from an earlier run would be found, not made. */
async function removeCampaignAccounts(ldap: Client, guestOu: string): Promise<void> {
  const { searchEntries } = await ldap.search(guestOu, { filter: '(sAMAccountName=g*_fabrikam.com)', attributes: ['dn'] });
  for (const entry of searchEntries) await ldap.del(entry.dn);
}
