import fs from 'node:fs';
import path from 'node:path';
import { GRAPH_STEPS } from '../../bot/graph/errors';
import { README_PERMISSIONS } from '../../sandbox/graph/permissions';

/** The permissions named in the first column of the README's "Running against a real tenant" table. */
function readmeTablePermissions(): string[] {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Running against a real tenant'));
  const table = section.slice(section.indexOf('| permission | needed for |'), section.indexOf('\n\n', section.indexOf('| permission | needed for |')));
  const names = [...table.matchAll(/^\s*\| `([A-Za-z0-9.-]+)` \|/gm)].map((m) => m[1] ?? '');
  return [...new Set(names)];
}

describe('the README permission table', () => {
  it('is what the sandbox grants by default', () => {
    expect(readmeTablePermissions().sort()).toEqual([...README_PERMISSIONS].sort());
  });

  it('names every permission the bot tells an admin to grant', () => {
    const table = new Set(readmeTablePermissions());
    for (const [step, { permissions }] of Object.entries(GRAPH_STEPS)) {
      for (const permission of permissions) expect({ step, permission, inTable: table.has(permission) }).toEqual({ step, permission, inTable: true });
    }
  });
});
