/**
 * `npm run build` (and `npm pack`, through prepack): the installable package in dist/.
 * - dist/lib/: the construct library as JavaScript with declarations (tsc), the package's `exports`;
 * - dist/lambda-bundle/ and dist/lambda-org-bundle/: the functions (single-target and organization
 *   entry), bundled once here, so that installing the package needs neither esbuild nor Docker to
 *   deploy them (the construct uses them when they are there);
 * - dist/bin/cli.mjs: the command line, our code bundled by esbuild, dependencies left to npm.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildLambdaBundle } from '../bench/bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

await rm(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
// Line numbers in stack traces are what the map is for; the sources would triple the package.
await buildLambdaBundle(root, join(dist, 'lambda-bundle'), { sourcesContent: false });
// The organization entry, with the same options (the construct deploys it in organization mode).
await buildLambdaBundle(root, join(dist, 'lambda-org-bundle'), {
  sourcesContent: false,
  entryPoints: [join(root, 'lambda/org-handler.ts')],
});
await build({
  entryPoints: [join(root, 'bin/cli.ts')],
  outfile: join(dist, 'bin/cli.mjs'),
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
});
process.stderr.write(`built ${dist}\n`);
