import { spawn } from 'node:child_process';
import { SAMBA_APT, sambaMissingReason, startSambaDc } from './samba';

/**
 * `npm run sandbox:ad`: a local Samba AD DC plus `npm start` wired to it, so Kerberos (KCD) app grants create real shadow
 * accounts. Stops the DC when the bot exits or on Ctrl+C.
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
