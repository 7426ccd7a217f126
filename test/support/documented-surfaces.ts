import { readFileSync } from 'node:fs';

/**
 * The surface names docs/surfaces.md gives a row (`| \`name\` | …`), sorted: written by hand with
 * each kind, so tests compare what the code derives from the catalog against it rather than
 * against a list kept in the test or a value the code under test produced.
 */
export function documentedSurfaces(): string[] {
  const page = readFileSync(new URL('../../docs/surfaces.md', import.meta.url), 'utf8');
  return [...page.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1] ?? '').sort();
}
