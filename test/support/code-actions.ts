import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

/** SDK package suffix → IAM service prefix. */
const SERVICE_PREFIX: Record<string, string> = {
  'cognito-identity-provider': 'cognito-idp',
  s3: 's3',
  sns: 'sns',
  sts: 'sts',
  cloudtrail: 'cloudtrail',
};

/** Commands whose IAM action is not named like the command. */
const ACTION_OVERRIDES: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
  's3:HeadObject': 's3:GetObject',
};

/**
 * The IAM actions of every AWS SDK command the code reachable from `entry` sends: the source
 * files come from esbuild's metafile (exactly what the Lambda bundle contains), and each
 * `new XxxCommand(` is matched to the `@aws-sdk/client-*` package it was imported from.
 */
export async function iamActionsCalledFrom(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const actions = new Set<string>();
  for (const file of Object.keys(result.metafile.inputs)) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(file, 'utf8');
    const imported = new Map<string, string>();
    for (const match of source.matchAll(
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([\w-]+)'/g,
    )) {
      for (const name of (match[1] ?? '').split(',')) {
        const clean = name.replace(/^\s*type\s+/, '').trim();
        if (clean.endsWith('Command')) imported.set(clean, match[2] ?? '');
      }
    }
    for (const match of source.matchAll(/new\s+(\w+)Command\s*\(/g)) {
      const command = `${match[1]}Command`;
      const pkg = imported.get(command);
      if (!pkg) throw new Error(`${file}: ${command} is not imported from an @aws-sdk/client-* package`);
      const action = `${SERVICE_PREFIX[pkg] ?? pkg}:${match[1]}`;
      actions.add(ACTION_OVERRIDES[action] ?? action);
    }
  }
  return actions;
}
