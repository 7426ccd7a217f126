/**
 * `npm run sizing [-- <figures.json>...]`: regenerates the bench-made tables of
 * `docs/sizing-and-cost.md`, and the summary in README.md, from the figures `npm run bench -- --only organization|scale --json
 * <file>` wrote (`bench/sizing-tables.ts`), so that each figure is said once, where it was measured.
 * Without files: the figures kept in `bench/figures/` (the ones the page shows).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchFigures, renderSizingTables, spliceSizingTables } from '../bench/sizing-tables.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE = join(ROOT, 'docs', 'sizing-and-cost.md');
const README = join(ROOT, 'README.md');
const KEPT = ['organization.json', 'scale.json'].map((name) => join(ROOT, 'bench', 'figures', name));

async function main(given: string[]): Promise<number> {
  const files = given.length > 0 ? given : KEPT;
  const figures: BenchFigures = {};
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf-8'));
    } catch (error) {
      console.error(`${file}: not a bench figures file (${error instanceof Error ? error.message : error})`);
      return 1;
    }
    Object.assign(figures, parsed as BenchFigures);
  }
  const tables = renderSizingTables(figures);
  if (Object.keys(tables).length === 0) {
    console.error(`${files.join(', ')}: no organization or scale figures in it`);
    return 1;
  }
  const { readme, ...page } = tables;
  await writeFile(PAGE, spliceSizingTables(await readFile(PAGE, 'utf-8'), page));
  if (readme !== undefined)
    await writeFile(README, spliceSizingTables(await readFile(README, 'utf-8'), { readme }));
  console.log(
    `docs/sizing-and-cost.md: ${Object.keys(page).join(', ')} regenerated; README.md: summary regenerated`,
  );
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
