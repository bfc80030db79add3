import path from 'node:path';
import { DEFAULT_FIXTURE_PATH, loadFixture } from './fixture';
import { sandboxOptionsFromEnv } from './options';
import { startSandbox, type RunningSandbox } from './server';

/**
 * `tsx sandbox/main.ts [--fixture p] [--port n] [--tls-dir d]`: the sandbox as its own process. On ready it prints one JSON
 * line {url, tenantId, caCertPath} so a parent process can read where it is and which CA to trust.
 */

const DEFAULT_TLS_DIR = path.resolve(__dirname, '..', 'data', 'sandbox-tls');
const USAGE = 'usage: tsx sandbox/main.ts [--fixture <file.json>] [--port <n>] [--tls-dir <dir>]';

interface CliOptions {
  fixture: string;
  port: number;
  tlsDir: string;
}

function parseArgs(argv: string[]): CliOptions {
  const out: CliOptions = { fixture: DEFAULT_FIXTURE_PATH, port: 0, tlsDir: DEFAULT_TLS_DIR };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--fixture':
        out.fixture = path.resolve(value());
        break;
      case '--port': {
        const raw = value();
        const port = Number(raw);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got '${raw}'`);
        out.port = port;
        break;
      }
      case '--tls-dir':
        out.tlsDir = path.resolve(value());
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const fixture = loadFixture(cli.fixture);
  const sandbox: RunningSandbox = await startSandbox({
    fixture,
    tlsDir: cli.tlsDir,
    port: cli.port,
    ...sandboxOptionsFromEnv(process.env),
  });
  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ url: sandbox.url, tenantId: sandbox.tenantId, caCertPath: sandbox.caCertPath })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
