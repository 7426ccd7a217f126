import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';

export interface BundleResult {
  bytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
  /** Median in-process `import()` time of the bundle in a fresh `node`, ms: as deployed (source maps on) and without. */
  importMs: { withSourceMaps: number; plain: number };
  /** Median wall time of a whole `node` process that imports the bundle and exits, ms (source maps on). */
  processMs: number;
}

/**
 * Bundles lambda/handler.ts the way the CDK construct's NodejsFunction does (local esbuild, ESM,
 * node22, minified, everything bundled, source map, the createRequire banner). The package's
 * prebuilt bundle (`npm run build`) is this one too, with `overrides` to leave sources out of the map.
 */
export async function buildLambdaBundle(
  repoRoot: string,
  outDir: string,
  overrides: BuildOptions = {},
): Promise<string> {
  const outfile = overrides.outfile ?? join(outDir, 'index.mjs');
  await build({
    entryPoints: [join(repoRoot, 'lambda/handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __cdkCreateRequire } from 'node:module'; const require = __cdkCreateRequire(import.meta.url);",
    },
    logLevel: 'error',
    ...overrides,
    outfile,
  });
  return outfile;
}

const IMPORT_SCRIPT =
  'const t = performance.now(); await import(process.env.BUNDLE_URL); process.stdout.write(String(performance.now() - t));';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeImport(bundle: string, sourceMaps: boolean): { importMs: number; processMs: number } {
  const args = [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', IMPORT_SCRIPT];
  const started = performance.now();
  const child = spawnSync(process.execPath, args, {
    encoding: 'utf-8',
    // What the function's environment provides; no call is made at import time.
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', BUNDLE_URL: pathToFileURL(bundle).href },
  });
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`importing the bundle failed: ${child.stderr.trim()}`);
  return { importMs: Number(child.stdout), processMs };
}

/** Builds the bundle into `outDir`, measures its size and its cold import time over `runs` fresh processes. */
export async function measureBundle(repoRoot: string, outDir: string, runs: number): Promise<BundleResult> {
  const bundle = await buildLambdaBundle(repoRoot, outDir);
  const code = await readFile(bundle);
  const withMaps = Array.from({ length: runs }, () => timeImport(bundle, true));
  const plain = Array.from({ length: runs }, () => timeImport(bundle, false));
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    sourceMapBytes: (await stat(`${bundle}.map`)).size,
    importMs: {
      withSourceMaps: median(withMaps.map((r) => r.importMs)),
      plain: median(plain.map((r) => r.importMs)),
    },
    processMs: median(withMaps.map((r) => r.processMs)),
  };
}
