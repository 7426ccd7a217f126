/**
 * `npm run build` (and `npm pack`, through prepack): the installable package in dist/.
 * - dist/lib/: the construct library as JavaScript with declarations (tsc), the package's `exports`;
 * - dist/lambda-bundle/: the function, bundled once here, so that installing the package needs
 *   neither esbuild nor Docker to deploy it (the construct uses it when it is there);
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
