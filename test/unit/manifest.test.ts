import fs from 'node:fs';
import path from 'node:path';
import { commands } from '../../bot/commands';
import { help } from '../../bot/commands/help.command';
import {
  buildAppPackage,
  commandListsOf,
  loadPackageSettings,
  MANIFEST_DIR,
  MAX_COMMANDS,
  readManifestTemplate,
  validateManifest,
  type PackageSettings,
} from '../../manifest/appPackage';
import { decodePng } from '../../scripts/png';
import { readZip } from '../../scripts/zip';

const ENV = {
  TEAMS_APP_ID: '11111111-2222-4333-8444-555555555555',
  MicrosoftAppId: '66666666-7777-4888-9999-000000000000',
  BOT_DOMAIN: 'bot.contoso.com',
};

function settings(env: Record<string, string> = ENV): PackageSettings {
  const loaded = loadPackageSettings(env, '1.2.3');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.settings;
}

describe('Teams app package', () => {
  const pkg = buildAppPackage(settings());
  const entries = readZip(pkg.zip);
  const file = (name: string) => {
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw new Error(`${name} is not in the package`);
    return entry.data;
  };

  it('holds exactly manifest.json and the two icons, at the root', () => {
    expect(entries.map((e) => e.name).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('has a manifest that validates against the vendored Teams 1.29 schema, with the ids from the environment', () => {
    const manifest: unknown = JSON.parse(file('manifest.json').toString('utf8'));
    expect(validateManifest(manifest)).toEqual([]);
    expect(manifest).toMatchObject({
      manifestVersion: '1.29',
      version: '1.2.3',
      id: ENV.TEAMS_APP_ID,
      bots: [{ botId: ENV.MicrosoftAppId, scopes: ['personal', 'team', 'groupChat'] }],
      webApplicationInfo: { id: ENV.MicrosoftAppId },
      validDomains: [ENV.BOT_DOMAIN],
    });
    expect(JSON.stringify(manifest)).not.toContain('${{');
  });

  it('lists help, then the registry commands in help order, in every scope, within Teams limits', () => {
    const lists = commandListsOf(pkg.manifest);
    expect(lists).toHaveLength(1);
    const [list] = lists;
    expect(list?.scopes).toEqual(['personal', 'team', 'groupChat']);
    const others = commands.filter((c) => c.name !== 'help').slice(0, MAX_COMMANDS - 1);
    expect(list?.commands).toEqual([{ title: 'help', description: help.summary }, ...others.map((c) => ({ title: c.name, description: c.summary }))]);
    for (const command of list?.commands ?? []) expect(command.title.length).toBeLessThanOrEqual(128);
    expect(list?.commands.length).toBeLessThanOrEqual(MAX_COMMANDS);
  });

  it('keeps the committed manifest/manifest.json command list equal to the registry (run `npm run package` to update it)', () => {
    const committed = commandListsOf(readManifestTemplate());
    expect(committed).toEqual(commandListsOf(pkg.manifest));
  });

  it('has a 192×192 colour icon and a 32×32 outline icon that is white on transparent', () => {
    const color = decodePng(file('color.png'));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = decodePng(file('outline.png'));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let drawn = 0;
    let transparent = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = [outline.pixels[i], outline.pixels[i + 1], outline.pixels[i + 2], outline.pixels[i + 3]];
      if (a === 0) transparent++;
      else {
        drawn++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(drawn).toBeGreaterThan(100);
    expect(transparent).toBeGreaterThan(300);
    expect(file('color.png').equals(fs.readFileSync(path.join(MANIFEST_DIR, 'color.png')))).toBe(true);
  });

  it('refuses to package without the ids, naming every missing or malformed setting at once', () => {
    const missing = loadPackageSettings({}, '1.0.0');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems.map((p) => p.split(':')[0])).toEqual(['TEAMS_APP_ID', 'MicrosoftAppId', 'BOT_DOMAIN']);
    const bad = loadPackageSettings({ ...ENV, BOT_DOMAIN: 'https://bot.contoso.com/api/messages', TEAMS_APP_ID: 'not-a-guid' }, '1.0.0');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join('\n')).toMatch(/TEAMS_APP_ID: must be a GUID[\s\S]*BOT_DOMAIN: must be a host name/);
  });

  it('rejects a manifest the schema forbids, so a passing validation means something', () => {
    const broken = { ...pkg.manifest, accentColor: 'blue', bots: [{ botId: 'x', scopes: ['everywhere'] }] };
    expect(validateManifest(broken).length).toBeGreaterThanOrEqual(2);
  });
});
