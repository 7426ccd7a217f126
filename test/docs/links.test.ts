/**
 * The documentation holds together: every relative link of the README and of `docs/` reaches a file
 * and a heading that exist, the pages the README links to ship in the package, and every surface has
 * its row in the page that documents them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_CLIENT_READS } from '../../lambda/surfaces/app-client-reads.js';
import { CATALOG } from '../../lambda/surfaces/index.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PAGES = [
  'README.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text of a page outside its fenced code blocks, where links and headings are not what they seem. */
function prose(page: string): string {
  return readFileSync(join(REPO, page), 'utf-8').replace(/^```[\s\S]*?^```/gm, '');
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function anchors(page: string): Set<string> {
  return new Set(
    [...prose(page).matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      (m[1] as string)
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}

/** Relative links of a page, resolved from the repository root: `{ file, anchor }`. */
function relativeLinks(page: string): { target: string; file: string; anchor?: string }[] {
  return [...prose(page).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => {
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? page : relative(REPO, join(REPO, dirname(page), path));
      return { target, file, anchor };
    });
}

describe('the documentation', () => {
  it('has the reference pages the README links to', () => {
    const linked = new Set(relativeLinks('README.md').map((l) => l.file));

    for (const page of PAGES.filter((p) => p !== 'README.md')) expect(linked, page).toContain(page);
  });

  it.each(PAGES)('%s: every relative link reaches a file and a heading that exist', (page) => {
    const broken = relativeLinks(page).filter(
      ({ file, anchor }) =>
        !existsSync(join(REPO, file)) ||
        (anchor !== undefined && (statSync(join(REPO, file)).isDirectory() || !anchors(file).has(anchor))),
    );

    expect(broken.map((l) => l.target)).toEqual([]);
  });

  it('ships every file the README links to in the package', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf-8')) as { files: string[] };
    const shipped = (file: string) =>
      file === 'README.md' ||
      pkg.files.some((entry) => (entry.endsWith('/') ? `${file}/`.startsWith(entry) : file === entry));

    const missing = relativeLinks('README.md').filter((l) => !shipped(l.file));

    expect(missing.map((l) => l.target)).toEqual([]);
  });

  it('gives every surface its row in docs/surfaces.md', () => {
    const page = prose('docs/surfaces.md');
    const rows = new Set([...page.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]));

    expect(SURFACE_NAMES.filter((name) => !rows.has(name))).toEqual([]);
  });

  it("gives each surface's row the condition its module declares for reading it (`readOnlyWhen`)", () => {
    const page = prose('docs/surfaces.md');
    const documented = new Map(
      [...page.matchAll(/^\| `(\w+)` \| [^|]* \| ([^|]*) \|/gm)].map((m) => [m[1], m[2]?.trim()]),
    );
    const declared = CATALOG.entries.map((e) => [e.name, e.readOnlyWhen?.description ?? 'always']);

    expect(declared.map(([name]) => [name, documented.get(name ?? '')])).toEqual(declared);
    // Some kinds are skipped somewhere, or this column would say nothing.
    expect(declared.filter(([, when]) => when !== 'always').length).toBeGreaterThan(0);
  });

  it("gives the app clients' row the condition of each per-client read (`APP_CLIENT_READS`)", () => {
    const row = prose('docs/surfaces.md').match(/^\| app clients \| [^|]* \| ([^|]*) \|/m);
    const conditional = APP_CLIENT_READS.filter((read) => read.readOnlyWhen);
    const declared = [
      ...conditional.map((read) => `\`${read.operation}\`: ${read.readOnlyWhen?.description}`),
      conditional.length < APP_CLIENT_READS.length ? 'the others always' : undefined,
    ]
      .filter(Boolean)
      .join('; ');

    expect(conditional.length).toBeGreaterThan(0);
    expect(row?.[1]?.trim()).toBe(declared);
  });
});
