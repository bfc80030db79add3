// The playground's telemetry client dials out even with --disable-telemetry while its config holds a key.
// At start it probes Azure IMDS (169.254.169.254) and looks up DNS names; blanking the config keeps every connection on
// loopback (checked with strace: no other connect() with this config and --disable-telemetry).
const fs = require('node:fs');
const path = require('node:path');
let config;
try {
  config = path.join(path.dirname(require.resolve('@microsoft/m365agentsplayground/package.json')), 'dist/server/config.json');
} catch {
  process.exit(0);
}
if (fs.existsSync(config)) fs.writeFileSync(config, '{}\n');
