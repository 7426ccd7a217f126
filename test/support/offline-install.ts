import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

interface LockEntry {
  version: string;
  name?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  peer?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

/** Where Node would find `name` from the package at lockfile path `from` (nearest node_modules up). */
function resolveIn(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const path = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[path]) return path;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

/**
 * Prepares `appDir` so that `npm ci --offline` installs the packed tarball into it with only the npm
 * cache: a package.json that depends on the tarball and on the peers (aws-cdk-lib, constructs), and a
 * package-lock.json whose entries are the repo's own lock entries for the tarball's dependency
 * closure, exact versions and integrity included (`npm ci` of the repo put those tarballs in the cache).
 */
export async function prepareOfflineApp(repoRoot: string, tarball: string, appDir: string): Promise<void> {
  const lock = JSON.parse(await readFile(join(repoRoot, 'package-lock.json'), 'utf-8')) as Lockfile;
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf-8')) as PackageJson;
  const peers = Object.fromEntries(
    Object.keys(pkg.peerDependencies ?? {}).map((name) => [name, pkg.devDependencies?.[name] ?? '*']),
  );
  const wanted = { ...pkg.dependencies, ...peers };
  const keep = new Set<string>();
  const queue = Object.keys(wanted).map((name) => resolveIn(lock.packages, '', name));
  while (queue.length > 0) {
    const path = queue.pop();
    if (!path || keep.has(path)) continue;
    keep.add(path);
    const entry = lock.packages[path] as LockEntry;
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      queue.push(resolveIn(lock.packages, path, name));
    }
  }

  const file = basename(tarball);
  await copyFile(tarball, join(appDir, file));
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`;
  const dependencies = { 'cognito-drift': `file:${file}`, ...peers };
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies },
    'node_modules/cognito-drift': {
      version: pkg.version,
      resolved: `file:${file}`,
      integrity,
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const path of [...keep].sort()) {
    const { dev: _dev, peer: _peer, devOptional: _devOptional, ...entry } = lock.packages[path] as LockEntry;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    // The repo's lock omits `resolved`; the registry URL is what the cache is keyed by.
    const resolved =
      entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    packages[path] = { resolved, ...entry };
  }
  await writeFile(
    join(appDir, 'package.json'),
    `${JSON.stringify({ name: 'app', private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
  await writeFile(
    join(appDir, 'package-lock.json'),
    `${JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
}
