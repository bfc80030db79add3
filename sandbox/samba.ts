import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';

/**
 * A real Samba AD DC on 127.0.0.1 (provision, copy from a template, start, stop), for on-prem tests and `npm run sandbox:ad`.
 * The LDAP ports are fixed, so only one DC may run on this machine at a time: a lock directory serialises them. The first run
 * provisions a template (about 6 s); later runs copy it (under 0.1 s). Paths are fixed because smb.conf holds absolute paths.
 */

export const SAMBA_APT = 'apt-get install -y samba samba-ad-dc winbind krb5-user ldb-tools';
export const SAMBA_REALM = 'CORP.CONTOSO.TEST';
export const SAMBA_BASE_DN = 'DC=corp,DC=contoso,DC=test';
export const SAMBA_GUEST_OU = `OU=B2BGuests,${SAMBA_BASE_DN}`;
export const SAMBA_ADMIN_DN = `CN=Administrator,CN=Users,${SAMBA_BASE_DN}`;
export const SAMBA_ADMIN_PASSWORD = 'P@ssw0rd-Pab-Test1!';
export const SAMBA_TLS_SERVERNAME = 'DC1.corp.contoso.test';

const ROOT = path.join(os.tmpdir(), 'pab-samba');
const DC_DIR = path.join(ROOT, 'dc');
const TEMPLATE_DIR = path.join(ROOT, 'dc.tpl');
const LOCK_DIR = path.join(ROOT, 'lock');

function onPath(binary: string): boolean {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')].some((dir) => dir && fs.existsSync(path.join(dir, binary)));
}

/** Why a DC cannot run here, or undefined when it can. */
export function sambaMissingReason(): string | undefined {
  const missing = ['samba', 'samba-tool', 'ldbadd', 'ldbmodify'].filter((b) => !onPath(b));
  if (missing.length > 0) return `${missing.join(', ')} not installed (${SAMBA_APT})`;
  if (process.getuid?.() !== 0) return 'Samba AD DC needs root to listen on the LDAP ports';
  return undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function takeLock(timeoutMs: number): Promise<void> {
  fs.mkdirSync(ROOT, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return;
    } catch {
      const holder = Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), { encoding: 'utf8', flag: 'a+' }) || '0');
      if (holder > 0 && !pidAlive(holder)) {
        fs.rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another Samba DC is running (lock ${LOCK_DIR}, pid ${holder})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function releaseLock(): void {
  fs.rmSync(LOCK_DIR, { recursive: true, force: true });
}

/**
 * Marks a template made with the extensionAttribute1..15 schema; an older template (without the marker) is provisioned again,
 * so a machine that kept one from before gets the schema the partner rule's default marker needs.
 */
const TEMPLATE_MARKER = 'pab-template-v2';

/**
 * Exchange's extensionAttribute1..15 (OIDs 1.2.840.113556.1.2.423..432 and .599..603), which Samba's base schema lacks: the
 * partner rule's default marker is extensionAttribute1, as on an AD where Exchange extended the schema.
 */
function extensionAttributeLdif(): { attributes: string; userClass: string } {
  const schema = `CN=Schema,CN=Configuration,${SAMBA_BASE_DN}`;
  const oid = (i: number): string => (i <= 10 ? `1.2.840.113556.1.2.${422 + i}` : `1.2.840.113556.1.2.${588 + i}`);
  const numbers = Array.from({ length: 15 }, (_, i) => i + 1);
  const attributes = numbers
    .map((i) =>
      [
        `dn: CN=ms-Exch-Extension-Attribute-${i},${schema}`, 'objectClass: attributeSchema', `attributeID: ${oid(i)}`,
        `lDAPDisplayName: extensionAttribute${i}`, 'attributeSyntax: 2.5.5.12', 'oMSyntax: 64', 'isSingleValued: TRUE',
        'rangeLower: 1', `rangeUpper: ${i > 10 ? 2048 : 1024}`, 'searchFlags: 1', 'isMemberOfPartialAttributeSet: TRUE', '',
      ].join('\n'),
    )
    .join('\n');
  const userClass = [`dn: CN=User,${schema}`, 'changetype: modify', 'add: mayContain', ...numbers.map((i) => `mayContain: extensionAttribute${i}`), ''].join('\n');
  return { attributes, userClass };
}

async function provisionTemplate(): Promise<void> {
  if (fs.existsSync(path.join(TEMPLATE_DIR, 'private', 'tls', 'ca.pem')) && fs.existsSync(path.join(TEMPLATE_DIR, TEMPLATE_MARKER))) return;
  fs.rmSync(DC_DIR, { recursive: true, force: true });
  fs.mkdirSync(DC_DIR, { recursive: true });
  const run = (cmd: string, args: string[]): void => {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  };
  run('samba-tool', [
    'domain', 'provision', `--targetdir=${DC_DIR}`, `--realm=${SAMBA_REALM}`, '--domain=CORP', '--server-role=dc', '--dns-backend=NONE',
    '--use-rfc2307', '--host-name=DC1', `--adminpass=${SAMBA_ADMIN_PASSWORD}`,
    '--option=interfaces = lo', '--option=bind interfaces only = yes', '--option=server services = ldap',
    `--option=log file = ${DC_DIR}/log/samba.log`, `--option=pid directory = ${DC_DIR}/run`,
    `--option=ncalrpc dir = ${DC_DIR}/run/ncalrpc`, `--option=winbindd socket directory = ${DC_DIR}/run/winbindd`,
  ]);
  for (const d of ['log', 'run', 'cache']) fs.mkdirSync(path.join(DC_DIR, d), { recursive: true });
  const ldif = path.join(DC_DIR, 'ou.ldif');
  fs.writeFileSync(ldif, `dn: ${SAMBA_GUEST_OU}\nobjectClass: top\nobjectClass: organizationalUnit\nou: B2BGuests\n`);
  run('ldbadd', ['-H', path.join(DC_DIR, 'private', 'sam.ldb'), ldif]);
  const { attributes, userClass } = extensionAttributeLdif();
  fs.writeFileSync(path.join(DC_DIR, 'ext-attrs.ldif'), attributes);
  fs.writeFileSync(path.join(DC_DIR, 'ext-user.ldif'), userClass);
  const sam = path.join(DC_DIR, 'private', 'sam.ldb');
  run('ldbadd', ['-H', sam, '--option=dsdb:schema update allowed=true', path.join(DC_DIR, 'ext-attrs.ldif')]);
  run('ldbmodify', ['-H', sam, '--option=dsdb:schema update allowed=true', path.join(DC_DIR, 'ext-user.ldif')]);
  fs.writeFileSync(path.join(DC_DIR, TEMPLATE_MARKER), 'extensionAttribute1..15\n');
  // Start once so Samba generates its 4096-bit TLS key and certificate now, into the template, instead of on every start.
  const warmUp = spawnDc();
  try {
    await waitForBind(() => path.join(DC_DIR, 'private', 'tls', 'ca.pem'), warmUp, 60_000);
  } finally {
    await stopDc(warmUp);
  }
  // Copy to a temporary name and rename, so an interrupted copy never passes for a template. Sockets are left behind.
  const partial = `${TEMPLATE_DIR}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.cpSync(DC_DIR, partial, { recursive: true, verbatimSymlinks: true, filter: (src) => !fs.lstatSync(src).isSocket() });
  fs.rmSync(TEMPLATE_DIR, { recursive: true, force: true });
  fs.renameSync(partial, TEMPLATE_DIR);
}

export interface RunningDc {
  url: string;
  bindDn: string;
  bindPassword: string;
  guestOu: string;
  baseDn: string;
  caFile: string;
  tlsServername: string;
  /** An admin connection for reading back what the bot wrote. */
  connect(): Promise<Client>;
  stop(): Promise<void>;
}

function spawnDc(): ChildProcess {
  return spawn('samba', ['-i', '-M', 'single', '-s', path.join(DC_DIR, 'etc', 'smb.conf')], { stdio: 'ignore' });
}

async function stopDc(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitForBind(caFile: () => string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`samba exited with ${child.exitCode}; see ${DC_DIR}/log/samba.log`);
    try {
      if (fs.existsSync(caFile())) {
        const c = new Client({ url: 'ldaps://127.0.0.1:636', connectTimeout: 1000, tlsOptions: { ca: fs.readFileSync(caFile()), servername: SAMBA_TLS_SERVERNAME } });
        await c.bind(SAMBA_ADMIN_DN, SAMBA_ADMIN_PASSWORD);
        await c.unbind();
        return;
      }
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`Samba DC did not accept an LDAPS bind within ${timeoutMs} ms: ${String(last)}`);
}

/** Provisions (or copies the template), starts `samba -i -M single`, and waits until LDAPS binds work. */
export async function startSambaDc(options: { lockTimeoutMs?: number } = {}): Promise<RunningDc> {
  await takeLock(options.lockTimeoutMs ?? 120_000);
  let child: ChildProcess | undefined;
  try {
    await provisionTemplate();
    fs.rmSync(DC_DIR, { recursive: true, force: true });
    fs.cpSync(TEMPLATE_DIR, DC_DIR, { recursive: true, verbatimSymlinks: true });
    for (const d of ['log', 'run', 'cache']) fs.mkdirSync(path.join(DC_DIR, d), { recursive: true });
    const spawned = spawnDc();
    child = spawned;
    const caFile = path.join(DC_DIR, 'private', 'tls', 'ca.pem');
    await waitForBind(() => caFile, spawned, 30_000);
    const stop = async (): Promise<void> => {
      await stopDc(spawned);
      releaseLock();
    };
    return {
      url: 'ldaps://127.0.0.1:636',
      bindDn: SAMBA_ADMIN_DN,
      bindPassword: SAMBA_ADMIN_PASSWORD,
      guestOu: SAMBA_GUEST_OU,
      baseDn: SAMBA_BASE_DN,
      caFile,
      tlsServername: SAMBA_TLS_SERVERNAME,
      async connect() {
        const c = new Client({ url: 'ldaps://127.0.0.1:636', tlsOptions: { ca: fs.readFileSync(caFile), servername: SAMBA_TLS_SERVERNAME } });
        await c.bind(SAMBA_ADMIN_DN, SAMBA_ADMIN_PASSWORD);
        return c;
      },
      stop,
    };
  } catch (error) {
    child?.kill('SIGKILL');
    releaseLock();
    throw error;
  }
}
