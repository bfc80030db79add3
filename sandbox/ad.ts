import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_FIXTURE_PATH, loadFixture } from './fixture';
import { PARTNER_SEED, partnerOu, seedPartnerAccounts, withSyncedPartners } from './partnerSeed';
import { SAMBA_APT, sambaMissingReason, startSambaDc } from './samba';

/**
 * `npm run sandbox:ad`: a local Samba AD DC plus `npm start` wired to it, so Kerberos (KCD) app grants create real shadow
 * accounts, and `partners` shows every state on first try: the DC is seeded with the partner accounts of sandbox/partnerSeed.ts
 * and the fixture the sandbox serves syncs them with the objectSid and objectGUID the DC assigned. Stops the DC when the bot
 * exits or on Ctrl+C.
 */
async function main(): Promise<void> {
  const missing = sambaMissingReason();
  if (missing) {
    console.error(`Cannot start a local Samba AD DC: ${missing}.\nInstall it with:\n  sudo ${SAMBA_APT}\n(and keep its system services stopped: sudo systemctl disable --now samba-ad-dc smbd nmbd winbind)`);
    process.exit(1);
  }
  console.log('Starting a local Samba AD DC (CORP.CONTOSO.TEST on ldaps://127.0.0.1:636)…');
  const dc = await startSambaDc({ lockTimeoutMs: 2000 });
  console.log(`Samba DC ready. Shadow accounts go to ${dc.guestOu}.`);
  const ldap = await dc.connect();
  const ids = await seedPartnerAccounts(ldap, dc.baseDn).finally(() => ldap.unbind().catch(() => undefined));
  const domain = dc.baseDn.split(',').map((rdn) => rdn.replace(/^DC=/i, '')).join('.').toLowerCase();
  const base = loadFixture(process.env.SANDBOX_FIXTURE ? path.resolve(process.env.SANDBOX_FIXTURE) : DEFAULT_FIXTURE_PATH);
  const fixtureFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pab-sandbox-ad-')), 'fixture.json');
  fs.writeFileSync(fixtureFile, JSON.stringify(withSyncedPartners(base, ids, domain), null, 2));
  console.log(`Seeded ${PARTNER_SEED.length} partner accounts in ${partnerOu(dc.baseDn)} (${PARTNER_SEED.map((a) => `${a.sam}: ${a.expected}`).join(', ')}); try "partners".`);
  const bot = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: dc.bindDn,
      ONPREM_BIND_PASSWORD: dc.bindPassword,
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
      ONPREM_PARTNER_SEARCH_BASE: process.env.ONPREM_PARTNER_SEARCH_BASE ?? partnerOu(dc.baseDn),
      PARTNER_UPN_SUFFIXES: process.env.PARTNER_UPN_SUFFIXES ?? 'partners.contoso.com',
      SANDBOX_FIXTURE: fixtureFile,
    },
  });
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await dc.stop();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      bot.kill(signal);
    });
  }
  bot.on('exit', (code) => void stop(code ?? 0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
