import fs from 'node:fs';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { commands } from '../bot/commands';
import { writeZip } from '../scripts/zip';
import schema from './schema/MicrosoftTeams.schema.json';

/**
 * Builds the Teams app package (manifest.json + the two icons in one ZIP). manifest/manifest.json is the template: ids and
 * URLs are `${{NAME}}` placeholders filled from the environment at packaging time, and its command list is generated from
 * the command registry, so what Teams suggests is exactly what the bot understands. The manifest is validated offline
 * against the vendored 1.29 schema before anything is written.
 */

export const MANIFEST_DIR = __dirname;
export const MANIFEST_TEMPLATE = path.join(MANIFEST_DIR, 'manifest.json');
/** Teams shows at most 10 commands per list in its command menu. */
export const MAX_COMMANDS = 10;
const SCOPES = ['personal', 'team', 'groupChat'] as const;

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47');
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const httpsUrl = z.url({ message: 'must be an https:// URL' }).refine((u) => u.startsWith('https://'), 'must be an https:// URL');

/** The packaging settings; a separate reader from bot/config.ts because packaging runs on a build machine, not the bot host. */
const PackageEnv = z.object({
  TEAMS_APP_ID: optional.pipe(guid.optional()),
  MicrosoftAppId: optional.pipe(guid.optional()),
  BOT_DOMAIN: optional.pipe(
    z
      .string()
      .regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a host name such as bot.contoso.com (no https://, no path, no port)')
      .optional(),
  ),
  APP_VERSION: optional.pipe(z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version such as 1.4.0').optional()),
  DEVELOPER_NAME: optional.pipe(z.string().max(32, 'must be at most 32 characters').optional()),
  DEVELOPER_WEBSITE_URL: optional.pipe(httpsUrl.optional()),
  DEVELOPER_PRIVACY_URL: optional.pipe(httpsUrl.optional()),
  DEVELOPER_TERMS_URL: optional.pipe(httpsUrl.optional()),
});

export interface PackageSettings {
  teamsAppId: string;
  botAppId: string;
  botDomain: string;
  version: string;
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
}

/** Reads the packaging settings, reporting every problem at once. */
export function loadPackageSettings(env: NodeJS.ProcessEnv, defaultVersion: string): { ok: true; settings: PackageSettings } | { ok: false; problems: string[] } {
  const parsed = PackageEnv.safeParse(env);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const e = parsed.success ? parsed.data : undefined;
  if (e && !e.TEAMS_APP_ID) problems.push('TEAMS_APP_ID: required; a GUID you choose once for this Teams app and keep for every update');
  if (e && !e.MicrosoftAppId) problems.push("MicrosoftAppId: required; the Azure Bot resource's app (client) id");
  if (e && !e.BOT_DOMAIN) problems.push('BOT_DOMAIN: required; the host name of the messaging endpoint, e.g. bot.contoso.com');
  if (!e || !e.TEAMS_APP_ID || !e.MicrosoftAppId || !e.BOT_DOMAIN || problems.length > 0) return { ok: false, problems };
  const website = e.DEVELOPER_WEBSITE_URL ?? `https://${e.BOT_DOMAIN}/`;
  return {
    ok: true,
    settings: {
      teamsAppId: e.TEAMS_APP_ID.toLowerCase(),
      botAppId: e.MicrosoftAppId.toLowerCase(),
      botDomain: e.BOT_DOMAIN.toLowerCase(),
      version: e.APP_VERSION ?? defaultVersion,
      developer: {
        name: e.DEVELOPER_NAME ?? 'IT department',
        websiteUrl: website,
        privacyUrl: e.DEVELOPER_PRIVACY_URL ?? website,
        termsOfUseUrl: e.DEVELOPER_TERMS_URL ?? website,
      },
    },
  };
}

export interface ManifestCommand {
  title: string;
  description: string;
}

/**
 * The command menu Teams shows: `help` first, because it leads to everything else, then the registry in its (help) order
 * until the menu is full; name as the title, summary as the description. Commands left out still work when typed.
 */
export function registryCommandList(): ManifestCommand[] {
  const menu = [...commands.filter((c) => c.name === 'help'), ...commands.filter((c) => c.name !== 'help')];
  return menu.slice(0, MAX_COMMANDS).map((c) => ({ title: c.name, description: c.summary }));
}

export type ManifestJson = Record<string, unknown>;

export function readManifestTemplate(file = MANIFEST_TEMPLATE): ManifestJson {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ManifestJson;
}

/** The command lists in a manifest, whichever scopes they cover. */
export function commandListsOf(manifest: ManifestJson): { scopes: string[]; commands: ManifestCommand[] }[] {
  const bots = manifest.bots;
  if (!Array.isArray(bots)) return [];
  const bot: unknown = bots[0];
  if (!bot || typeof bot !== 'object' || !('commandLists' in bot) || !Array.isArray(bot.commandLists)) return [];
  return bot.commandLists as { scopes: string[]; commands: ManifestCommand[] }[];
}

/** Replaces the template's command list with the registry's. Returns a new object. */
export function withRegistryCommands(template: ManifestJson): ManifestJson {
  const manifest = structuredClone(template);
  const bots = manifest.bots;
  if (!Array.isArray(bots) || !bots[0] || typeof bots[0] !== 'object') throw new Error('manifest.json has no bot');
  (bots[0] as Record<string, unknown>).commandLists = [{ scopes: [...SCOPES], commands: registryCommandList() }];
  return manifest;
}

/** Fills every `${{NAME}}` placeholder; an unknown name is an error rather than a silently broken manifest. */
export function fillPlaceholders(template: ManifestJson, settings: PackageSettings): ManifestJson {
  const values: Record<string, string> = {
    TEAMS_APP_ID: settings.teamsAppId,
    BOT_APP_ID: settings.botAppId,
    BOT_DOMAIN: settings.botDomain,
    APP_VERSION: settings.version,
    DEVELOPER_NAME: settings.developer.name,
    DEVELOPER_WEBSITE_URL: settings.developer.websiteUrl,
    DEVELOPER_PRIVACY_URL: settings.developer.privacyUrl,
    DEVELOPER_TERMS_URL: settings.developer.termsOfUseUrl,
  };
  const unknown = new Set<string>();
  const filled = JSON.stringify(template).replace(/\$\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      unknown.add(name);
      return '';
    }
    return JSON.stringify(value).slice(1, -1);
  });
  if (unknown.size > 0) throw new Error(`manifest.json uses unknown placeholders: ${[...unknown].join(', ')}`);
  return JSON.parse(filled) as ManifestJson;
}

let validator: ValidateFunction | undefined;

/** Validates against the vendored Teams manifest 1.29 schema (draft-04), offline. Returns readable problems, empty when valid. */
export function validateManifest(manifest: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv04({ strict: false, allErrors: true });
    addFormats(ajv);
    validator = ajv.compile(schema as Record<string, unknown>);
  }
  if (validator(manifest)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

export interface AppPackage {
  manifest: ManifestJson;
  zip: Buffer;
}

/** The package: the filled manifest with the registry's commands, validated, plus the two icons. Throws with every problem. */
export function buildAppPackage(settings: PackageSettings, template = readManifestTemplate()): AppPackage {
  const manifest = fillPlaceholders(withRegistryCommands(template), settings);
  const problems = validateManifest(manifest);
  if (problems.length > 0) throw new Error(`the manifest does not match the Teams 1.29 schema:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const zip = writeZip([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') },
    { name: 'color.png', data: fs.readFileSync(path.join(MANIFEST_DIR, 'color.png')) },
    { name: 'outline.png', data: fs.readFileSync(path.join(MANIFEST_DIR, 'outline.png')) },
  ]);
  return { manifest, zip };
}
