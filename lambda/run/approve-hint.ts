import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one place the approve command in alerts and CLI output is spelled. An installed package has
 * no `approve` npm script (`npm run approve` fails with "Missing script"); a clone of the repository
 * has it, and no `cognito-drift` on the PATH unless linked.
 */

/** How cognito-drift was installed where the operator runs `approve`. */
export type Installation = 'package' | 'clone';

/** Where the baselines live: the flag `approve` needs to find them. */
export type ApproveStore = { bucket: string } | { dir: string };

export interface ApproveHintOptions {
  installation: Installation;
  store: ApproveStore;
  /** Set as `AWS_REGION=<region>` before the command, when the operator's shell may default to another. */
  region?: string;
}

/** The command that approves one pool: `npx cognito-drift approve --pool …` or `npm run approve -- --pool …`. */
export function approveHint(options: ApproveHintOptions): (poolId: string) => string {
  const env = options.region ? `AWS_REGION=${options.region} ` : '';
  const store = 'bucket' in options.store ? `--bucket ${options.store.bucket}` : `--dir ${options.store.dir}`;
  const command = options.installation === 'clone' ? 'npm run approve --' : 'npx cognito-drift approve';
  return (poolId) => `${env}${command} --pool ${poolId} ${store}`;
}

/**
 * How the code at `moduleFile` was installed: inside `node_modules`, a package; otherwise a clone
 * when the nearest package.json is cognito-drift's own with its `approve` script. Anything else (a
 * bundle with no package.json, as in Lambda) is spelled for the package, which is how people who
 * receive alerts install it.
 */
export function installationOf(
  moduleFile: string,
  readText: (path: string) => string | undefined = readIfExists,
): Installation {
  if (moduleFile.split(sep).includes('node_modules') || moduleFile.split('/').includes('node_modules'))
    return 'package';
  for (let dir = dirname(moduleFile), previous = ''; dir !== previous; previous = dir, dir = dirname(dir)) {
    const text = readText(join(dir, 'package.json'));
    if (text === undefined) continue;
    try {
      const manifest = JSON.parse(text) as { name?: unknown; scripts?: Record<string, unknown> };
      return manifest.name === 'cognito-drift' && typeof manifest.scripts?.approve === 'string'
        ? 'clone'
        : 'package';
    } catch {
      return 'package';
    }
  }
  return 'package';
}

/** How the running code was installed (see {@link installationOf}). */
export function currentInstallation(): Installation {
  return installationOf(fileURLToPath(import.meta.url));
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf-8') : undefined;
}
