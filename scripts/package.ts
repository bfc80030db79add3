import fs from 'node:fs';
import path from 'node:path';
import {
  buildAppPackage,
  commandListsOf,
  loadPackageSettings,
  MANIFEST_TEMPLATE,
  readManifestTemplate,
  withRegistryCommands,
} from '../manifest/appPackage';

/**
 * `npm run package`: writes appPackage.zip for upload to Teams. The ids come from the environment (see docs/deploy.md);
 * the command list in manifest/manifest.json is brought up to date with the command registry first.
 */
function main(): void {
  const root = path.resolve(__dirname, '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

  const template = readManifestTemplate();
  const current = withRegistryCommands(template);
  if (JSON.stringify(commandListsOf(current)) !== JSON.stringify(commandListsOf(template))) {
    fs.writeFileSync(MANIFEST_TEMPLATE, JSON.stringify(current, null, 2) + '\n');
    console.log('Updated the command list in manifest/manifest.json from the command registry.');
  }

  const loaded = loadPackageSettings(process.env, version);
  if (!loaded.ok) {
    console.error(['Cannot build the Teams app package:', ...loaded.problems.map((p) => `  - ${p}`), 'See docs/deploy.md, step 5.'].join('\n'));
    process.exit(1);
  }
  const { manifest, zip } = buildAppPackage(loaded.settings, current);
  const out = path.join(root, 'appPackage.zip');
  fs.writeFileSync(out, zip);
  const count = commandListsOf(manifest)[0]?.commands.length ?? 0;
  console.log(
    `Wrote ${path.relative(process.cwd(), out)} (${zip.length} bytes): manifest ${String(manifest.version)} for bot ${loaded.settings.botAppId}, ` +
      `${count} commands, valid against the Teams 1.29 schema. Upload it in Teams: Apps → Manage your apps → Upload an app.`,
  );
}

try {
  main();
} catch (error: unknown) {
  console.error('npm run package failed:', error instanceof Error ? error.message : error);
  process.exit(1);
}
