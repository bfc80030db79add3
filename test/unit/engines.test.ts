import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(root, file), 'utf8'));

interface Comparator { operator: '>=' | '<'; version: [number, number, number] }

/** Parses the `>=a <b || >=c` ranges package.json uses; enough to ask which Node majors are admitted. */
function admits(range: string, version: [number, number, number]): boolean {
  const compare = (a: readonly number[], b: readonly number[]): number => {
    for (let i = 0; i < 3; i += 1) {
      const difference = (a[i] ?? 0) - (b[i] ?? 0);
      if (difference !== 0) return difference;
    }
    return 0;
  };
  return range.split('||').some((alternative) =>
    alternative.trim().split(/\s+/).map((part): Comparator => {
      const match = /^(>=|<)(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(part);
      if (!match) throw new Error(`unsupported comparator ${part}`);
      return {
        operator: match[1] === '<' ? '<' : '>=',
        version: [Number(match[2]), Number(match[3] ?? 0), Number(match[4] ?? 0)],
      };
    }).every(({ operator, version: bound }) =>
      operator === '>=' ? compare(version, bound) >= 0 : compare(version, bound) < 0));
}

describe('engines', () => {
  const manifest = readJson('package.json') as { engines: { node: string } };
  const lock = readJson('package-lock.json') as { packages: Record<string, { engines?: { node: string } }> };

  it('admits the Node versions restify 11 runs on', () => {
    expect(admits(manifest.engines.node, [20, 19, 0])).toBe(true);
    expect(admits(manifest.engines.node, [22, 12, 0])).toBe(true);
  });

  it('refuses Node 24, on which restify 11 does not start, and older Node 20', () => {
    expect(admits(manifest.engines.node, [24, 0, 0])).toBe(false);
    expect(admits(manifest.engines.node, [23, 0, 0])).toBe(false);
    expect(admits(manifest.engines.node, [20, 18, 0])).toBe(false);
  });

  it('says the same in the lock file', () => {
    expect(lock.packages['']?.engines?.node).toBe(manifest.engines.node);
  });
});
