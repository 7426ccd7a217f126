/**
 * What `npm ci` and `npm pack` see before anything runs: the license the package declares and ships,
 * and a lockfile every package of which installs on the Node.js floor in `engines` without an
 * EBADENGINE warning.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf-8');

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
}

/** The lowest Node.js major a range like `>=22`, `>= 18.0.0` or `^18 || >=20` accepts, when it states one. */
function floorMajor(range: string): number | undefined {
  const majors = range
    .split('||')
    .map((clause) => /^\s*(?:>=|\^|~)?\s*v?(\d+)/.exec(clause)?.[1])
    .filter((major): major is string => major !== undefined)
    .map(Number);
  return majors.length > 0 ? Math.min(...majors) : undefined;
}

describe('the package manifest', () => {
  it('declares Apache-2.0 and ships the license text', async () => {
    const manifest = JSON.parse(read('package.json')) as { license?: string };
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: REPO,
    });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];

    expect(manifest.license).toBe('Apache-2.0');
    expect(read('LICENSE')).toMatch(/^\s+Apache License\s+Version 2\.0, January 2004/);
    expect(packed?.files.map((file) => file.path)).toContain('LICENSE');
  });

  it('locks no package that needs a newer Node.js than the engines floor (no EBADENGINE on npm ci)', () => {
    const manifest = JSON.parse(read('package.json')) as { engines: { node: string } };
    const floor = floorMajor(manifest.engines.node) ?? 0;
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> };

    const tooNew = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
      const needs = range === undefined ? undefined : floorMajor(range);
      return needs !== undefined && needs > floor ? [`${path}@${entry.version} (node ${range})`] : [];
    });

    expect(floor).toBe(20);
    expect(tooNew).toEqual([]);
  });
});
