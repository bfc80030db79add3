// Node reads NODE_EXTRA_CA_CERTS only at start-up, so the sandbox CA must exist, and be named, before jest starts.
// Tests then reach the HTTPS sandbox through the unchanged production code path.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const caDir = path.join(root, 'test', 'artifacts', 'ca');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const made = spawnSync(tsx, [path.join(root, 'sandbox', 'tls.ts'), caDir], { encoding: 'utf8' });
if (made.status !== 0) {
  process.stderr.write(made.stderr || 'could not create the sandbox CA\n');
  process.exit(made.status ?? 1);
}
const jest = path.join(root, 'node_modules', '.bin', 'jest');
const run = spawnSync(jest, process.argv.slice(2), {
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: made.stdout.trim() },
});
process.exit(run.status ?? 1);
