import { readFileSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';

/** SDK package suffix → IAM service prefix. */
const SERVICE_PREFIX: Record<string, string> = {
  'cognito-identity-provider': 'cognito-idp',
  'cognito-identity': 'cognito-identity',
  wafv2: 'wafv2',
  cloudtrail: 'cloudtrail',
  s3: 's3',
  sns: 'sns',
  sts: 'sts',
  'secrets-manager': 'secretsmanager',
  eventbridge: 'events',
  securityhub: 'securityhub',
};

/** Commands whose IAM action is not named like the command. */
const ACTION_OVERRIDES: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
  's3:HeadObject': 's3:GetObject',
};

/** What esbuild bundles from `entry`, as the Lambda bundle is built, with packages left external. */
export async function bundleMetafile(entry: string): Promise<Metafile> {
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
  return result.metafile;
}

/**
 * Actions that one call needs besides its own, from the service's documentation: WAF's
 * GetWebACLForResource checks `wafv2:GetWebACL` on the web ACL it finds, and for a user pool the
 * caller also needs `cognito-idp:GetWebACLForResource` ("Permissions for GetWebACLForResource",
 * AWS WAF Developer Guide); likewise ListResourcesForWebACL of user pools needs
 * `cognito-idp:ListResourcesForWebACL` ("Permissions for ListResourcesForWebACL").
 */
const DEPENDENT_ACTIONS: Record<string, string[]> = {
  'wafv2:GetWebACLForResource': ['wafv2:GetWebACL', 'cognito-idp:GetWebACLForResource'],
  'wafv2:ListResourcesForWebACL': ['cognito-idp:ListResourcesForWebACL'],
};

/**
 * The IAM actions of every AWS SDK command the code reachable from `entry` sends: the source
 * files come from esbuild's metafile (exactly what the Lambda bundle contains), and each command
 * class used in code (`new XxxCommand(`, or named in a table of commands) is matched to the
 * `@aws-sdk/client-*` package it was imported from.
 */
export async function iamActionsCalledFrom(entry: string): Promise<Set<string>> {
  const metafile = await bundleMetafile(entry);
  const actions = new Set<string>();
  for (const file of Object.keys(metafile.inputs)) {
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
      if (!imported.has(command))
        throw new Error(`${file}: ${command} is not imported from an @aws-sdk/client-* package`);
    }
    const code = source.replace(/import\s*(?:type\s*)?\{[^}]*\}\s*from\s*'[^']*';/g, '');
    for (const [command, pkg] of imported) {
      if (!new RegExp(`\\b${command}\\b`).test(code)) continue;
      const action = `${SERVICE_PREFIX[pkg] ?? pkg}:${command.slice(0, -'Command'.length)}`;
      const named = ACTION_OVERRIDES[action] ?? action;
      actions.add(named);
      for (const dependent of DEPENDENT_ACTIONS[named] ?? []) actions.add(dependent);
    }
  }
  return actions;
}
