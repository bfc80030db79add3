import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SANDBOX_CREDENTIALS, type Config, type PartnerMarkerConfig } from '../bot/config';
import { createGraphClient, createGraphCredential } from '../bot/graph/client';
import { GraphPartnerUsers } from '../bot/graph/partnerUsers';
import type { PartnerAccount, PartnerAccountLookup } from '../bot/onprem/partnerAccounts';
import { PartnerSyncService, type PartnerAccountReader } from '../bot/services/partners/partnerSync';
import { DEFAULT_FIXTURE_PATH, loadFixture, type Fixture, type FixtureUser } from '../sandbox/fixture';
import { startSandbox } from '../sandbox/server';
import { ensureSandboxTls } from '../sandbox/tls';

/**
 * `npm run bench:partners`: the time and the Graph calls of the `partners` scan for 1,000 and 10,000 partner accounts
 * (BENCH_PARTNER_SIZES=1000,10000 by default). The Entra side is the bot's own Graph adapter against the sandbox, with a
 * tenant grown to that many synced partners; the AD side is the scan's answer held in memory, because seeding 10,000
 * accounts into Samba takes minutes and is not what is measured (the LDAP paged search is covered by the integration test).
 * The mix is a drifting directory: 90% consistent, 5% synced as Member, 3% not in Entra, 2% disabled on-prem.
 * It prints a table and always exits 0: a figure, not a gate.
 */

const RULES: PartnerMarkerConfig = { markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: ['partners.contoso.com'] };
const BASE = 'OU=Partners,DC=corp,DC=contoso,DC=com';
const TLS_DIR = path.join(os.tmpdir(), 'pab-bench-tls');

function sizes(): number[] {
  const raw = process.env.BENCH_PARTNER_SIZES ?? '1000,10000';
  return raw
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

function sid(i: number): string {
  return `S-1-5-21-3623811015-3361044348-30300820-${10_000 + i}`;
}

function guid(i: number): string {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(i, 12);
  b.writeUInt32BE(0xbe7c4, 0);
  return b.toString('base64');
}

type Kind = 'consistent' | 'member' | 'unsynced' | 'disabled';

function kindOf(i: number): Kind {
  const r = i % 100;
  if (r < 5) return 'member';
  if (r < 8) return 'unsynced';
  if (r < 10) return 'disabled';
  return 'consistent';
}

function accounts(n: number): PartnerAccount[] {
  return Array.from({ length: n }, (_, i) => ({
    dn: `CN=Partner ${i},${BASE}`,
    objectSid: sid(i),
    objectGuid: '',
    immutableId: guid(i),
    objectGuidBase64: guid(i),
    userPrincipalName: `p${i}@partners.contoso.com`,
    sAMAccountName: `p${i}`,
    mail: `p${i}@fabrikam.example`,
    proxyAddresses: [],
    userAccountControl: kindOf(i) === 'disabled' ? 514 : 512,
    disabled: kindOf(i) === 'disabled',
    locked: false,
    accountExpires: 'never',
    markerValue: 'Partner',
    partner: { attribute: 'extensionAttribute1', value: 'Partner' },
  }));
}

function grown(base: Fixture, n: number): Fixture {
  const out = structuredClone(base);
  const users: FixtureUser[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kindOf(i);
    if (kind === 'unsynced') continue;
    users.push({
      id: `be000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      userPrincipalName: `p${i}@partners.contoso.com`,
      displayName: `Partner ${i}`,
      mail: `p${i}@fabrikam.example`,
      userType: kind === 'member' ? 'Member' : 'Guest',
      accountEnabled: true,
      onPremisesSyncEnabled: true,
      onPremisesSecurityIdentifier: sid(i),
      onPremisesImmutableId: guid(i),
      onPremisesUserPrincipalName: `p${i}@partners.contoso.com`,
      onPremisesSamAccountName: `p${i}`,
      onPremisesDomainName: 'corp.contoso.com',
      onPremisesExtensionAttributes: { extensionAttribute1: 'Partner' },
    });
  }
  out.users.push(...users);
  return out;
}

class HeldScan implements PartnerAccountReader {
  readonly searchBase = BASE;
  constructor(private readonly held: PartnerAccount[]) {}
  async find(): Promise<PartnerAccountLookup> {
    return { kind: 'notFound' };
  }
  async scanPartners(): Promise<PartnerAccount[]> {
    return this.held;
  }
  async findBySyncedKeys(): Promise<PartnerAccount[]> {
    return [];
  }
}

interface Row {
  accounts: number;
  seconds: number;
  roundTrips: number;
  batches: number;
  batchItems: number;
  resourceUnits: number;
  states: string;
}

async function measure(n: number): Promise<Row> {
  const sandbox = await startSandbox({ fixture: grown(loadFixture(DEFAULT_FIXTURE_PATH), n), tlsDir: TLS_DIR, clientSecret: SANDBOX_CREDENTIALS.clientSecret });
  try {
    const settings: Config['graph'] = {
      baseUrl: sandbox.url,
      loginBaseUrl: sandbox.url,
      customAuthority: true,
      credential: { kind: 'secret', tenantId: sandbox.tenantId, clientId: SANDBOX_CREDENTIALS.clientId, clientSecret: SANDBOX_CREDENTIALS.clientSecret },
    };
    const graph = createGraphClient(settings, createGraphCredential(settings));
    const service = new PartnerSyncService(new HeldScan(accounts(n)), new GraphPartnerUsers(graph), RULES);
    await graph.api('/organization').get().catch(() => undefined);
    sandbox.resetStats();
    const started = performance.now();
    const scan = await service.scan();
    const seconds = (performance.now() - started) / 1000;
    const stats = sandbox.stats();
    return {
      accounts: n,
      seconds,
      roundTrips: stats.graphRoundTrips,
      batches: stats.batchRequests,
      batchItems: stats.batchItems,
      resourceUnits: stats.resourceUnits,
      states: Object.entries(scan.counts)
        .filter(([, c]) => c > 0)
        .map(([s, c]) => `${s} ${c}`)
        .join(', '),
    };
  } finally {
    await sandbox.close();
  }
}

function restartedWithSandboxCa(): boolean {
  const { caCertPath } = ensureSandboxTls(TLS_DIR);
  if (process.env.NODE_EXTRA_CA_CERTS === caCertPath) return false;
  const script = process.argv[1] ?? path.join(__dirname, 'partners.ts');
  spawnSync(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath } });
  return true;
}

async function main(): Promise<void> {
  if (restartedWithSandboxCa()) return;
  const rows: Row[] = [];
  for (const n of sizes()) {
    try {
      rows.push(await measure(n));
    } catch (error) {
      console.error(`partners bench at ${n} accounts failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(`partners scan against the sandbox (${os.availableParallelism()} CPUs, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(2) ?? '?'})\n`);
  console.log('| partner accounts | time (s) | Graph round trips | of which $batch | batch items | resource units | states |');
  console.log('|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) console.log(`| ${r.accounts} | ${r.seconds.toFixed(2)} | ${r.roundTrips} | ${r.batches} | ${r.batchItems} | ${r.resourceUnits} | ${r.states} |`);
}

main()
  .catch((error: unknown) => console.error(error instanceof Error ? error.message : error))
  .finally(() => {
    process.exitCode = 0;
  });
