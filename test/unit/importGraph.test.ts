import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const BOT = path.resolve(__dirname, '../../bot');

/**
 * The floors of bot/ and what each may import. A floor is a folder of bot/, or one of the top-level files: the composition
 * root (app, index, teamsBot, server, bulkResultsRoute) may import anything; config, logger and clock are the ground floor.
 * Everything not listed for a floor is an upward or sideways arrow.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  root: ['*'],
  routing: ['commands', 'actions', 'presenters', 'handlers', 'identity', 'services', 'graph', 'cards', 'base'],
  commands: ['handlers', 'presenters', 'identity', 'services', 'cards', 'base'],
  actions: ['handlers', 'presenters', 'identity', 'services', 'cards', 'base'],
  presenters: ['identity', 'services', 'graph', 'store', 'cards', 'base'],
  handlers: ['identity', 'services', 'base'],
  jobs: ['services', 'store', 'base'],
  notify: ['services', 'store', 'base', 'botbuilder'],
  /** HTTP adapters that implement ports services declare (login endpoints, Teams file downloads). */
  adapters: ['services', 'base'],
  services: ['identity', 'graph', 'onprem', 'store', 'base'],
  identity: ['base', 'botbuilder'],
  graph: ['identity', 'base'],
  onprem: ['base'],
  store: ['base', 'botbuilder'],
  base: [],
};

/** Floors that may use botbuilder (its types or values). Services never do: they speak through their ports. */
const BOTBUILDER_OK = new Set(['root', 'routing', 'commands', 'actions', 'presenters', 'identity', 'notify', 'store']);

function floorOf(file: string): string {
  const rel = path.relative(BOT, file);
  if (rel.startsWith('..')) return rel.split(path.sep).includes('cards') ? 'cards' : 'outside';
  const [first = '', ...more] = rel.split(path.sep);
  // An import names a folder's index ('../store') or a file without its extension ('../config').
  if (more.length > 0 || (fs.existsSync(file) && fs.statSync(file).isDirectory())) return first;
  return ['config', 'logger', 'clock'].includes(first.replace(/\.ts$/, '')) ? 'base' : 'root';
}

interface Arrow {
  from: string;
  to: string;
  /** The importing file relative to bot/, prefixed by its floor for the top-level files. */
  file: string;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every import, export-from, dynamic import and require of every file under bot/, as floor-to-floor arrows. */
function arrowsOf(files: readonly { file: string; source: string }[]): Arrow[] {
  return files.flatMap(({ file, source }) => {
    const from = floorOf(file);
    const rel = path.relative(BOT, file);
    const label = from === 'base' || from === 'root' ? `${from}/${rel}` : rel;
    return ts.preProcessFile(source, true, true).importedFiles.flatMap(({ fileName }): Arrow[] => {
      if (fileName.startsWith('.')) {
        const to = floorOf(path.resolve(path.dirname(file), fileName));
        return to === from && from !== 'root' && from !== 'base' ? [] : [{ from, to, file: label }];
      }
      if (fileName === 'botbuilder' || fileName.startsWith('botbuilder-')) return [{ from, to: 'botbuilder', file: label }];
      return [];
    });
  });
}

function violations(arrows: readonly Arrow[]): string[] {
  const found = arrows.filter(({ from, to }) => {
    if (from === 'root' || to === 'outside') return false;
    if (to === 'botbuilder') return !BOTBUILDER_OK.has(from);
    if (to === 'root') return true;
    if (from === 'base' && to === 'base') return false;
    return !(MAY_IMPORT[from] ?? []).includes(to);
  });
  return [...new Set(found.map((a) => `${a.file} -> ${a.to}`))].sort();
}

const real = tsFiles(BOT).map((file) => ({ file, source: fs.readFileSync(file, 'utf8') }));

describe('the import graph of bot/', () => {
  it('has no upward or sideways arrow', () => {
    expect(violations(arrowsOf(real))).toEqual([]);
  });

  it('sees every floor of bot/', () => {
    const floors = new Set(real.map(({ file }) => floorOf(file)));
    expect([...floors].filter((floor) => !(floor in MAY_IMPORT))).toEqual([]);
  });

  it.each([
    ['actions/x.action.ts', "import { y } from '../commands/y.command';", 'actions/x.action.ts -> commands'],
    ['commands/x.command.ts', "import type { A } from '../actions/defineAction';", 'commands/x.command.ts -> actions'],
    ['presenters/x.presenter.ts', "export { z } from '../commands/z.command';", 'presenters/x.presenter.ts -> commands'],
    ['commands/help.command.ts', "import { CommandRouter } from '../routing/commandRouter';", 'commands/help.command.ts -> routing'],
    ['services/x.ts', "import type { Attachment } from 'botbuilder';", 'services/x.ts -> botbuilder'],
    ['services/x.ts', "const jobs = await import('../jobs/index');", 'services/x.ts -> jobs'],
    ['services/x.ts', "import { card } from '../presenters/invite.presenter';", 'services/x.ts -> presenters'],
    ['services/x.ts', "import { Notifier } from '../notify/notifier';", 'services/x.ts -> notify'],
    ['services/x.ts', "import { app } from '../app';", 'services/x.ts -> root'],
    ['presenters/x.presenter.ts', "import { help } from '../actions/user.show.action';", 'presenters/x.presenter.ts -> actions'],
  ])('catches %s importing wrongly: %s', (file, source, expected) => {
    expect(violations(arrowsOf([{ file: path.join(BOT, file), source }]))).toEqual([expected]);
  });

  it('lets commands and actions import presenters, and presenters import cards', () => {
    const allowed = [
      { file: path.join(BOT, 'actions/x.action.ts'), source: "import { a } from '../presenters/access.presenter';" },
      { file: path.join(BOT, 'commands/x.command.ts'), source: "import { a } from '../presenters/access.presenter';" },
      { file: path.join(BOT, 'presenters/x.presenter.ts'), source: "import { cards } from '../../cards';" },
    ];
    expect(violations(arrowsOf(allowed))).toEqual([]);
  });
});
