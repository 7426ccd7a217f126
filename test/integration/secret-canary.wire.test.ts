/**
 * The identity-provider secrets over the wire: the unmodified CLI with real SDK clients against the
 * Cognito stand-in, which returns `ProviderDetails.client_secret` (and Apple's `private_key`) in
 * plain text as AWS does. The canaries must reach no file, no alert, no log line and no output.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  DescribeIdentityProviderCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';
import { FOREIGN_AWS_VARIABLES, type LocalAws, setProcessEnv, startLocalAws } from '../support/local-aws.js';

const OIDC = 'CANARY-WIRE-OIDC-SECRET-4d5e6f';
const APPLE = '-----BEGIN PRIVATE KEY-----CANARY-WIRE-APPLE-7a8b9c-----END PRIVATE KEY-----';
const ROTATED = 'CANARY-WIRE-ROTATED-1a2b3c';
const BACKDOOR = 'CANARY-WIRE-BACKDOOR-0f0e0d';
const clearForeign = Object.fromEntries(FOREIGN_AWS_VARIABLES.map((name) => [name, undefined]));

async function filesUnder(dir: string): Promise<string> {
  const texts: string[] = [];
  for (const relative of await readdir(dir, { recursive: true })) {
    const path = join(dir, relative);
    if ((await stat(path)).isFile()) texts.push(`${relative}\n${await readFile(path, 'utf-8')}`);
  }
  return texts.join('\n');
}

describe('identity-provider secrets against the stand-in', () => {
  let local: LocalAws;
  let restoreEnv: () => void = () => {};
  let poolId: string;

  beforeAll(async () => {
    local = await startLocalAws();
    restoreEnv = setProcessEnv({ ...clearForeign, ...local.env, SURFACES: 'all', QUOTA_SHARE: '1' });
    poolId = local.cognito.addPool({
      name: 'customers',
      identityProviders: [
        {
          name: 'Okta',
          type: 'OIDC',
          details: { client_id: 'okta', client_secret: OIDC, oidc_issuer: 'https://okta.example.com' },
        },
        {
          name: 'SignInWithApple',
          type: 'SignInWithApple',
          details: { client_id: 'com.example', team_id: 'T', key_id: 'K', private_key: APPLE },
        },
      ],
    });
    local.cognito.addClient(poolId, { name: 'web' });
  });

  afterAll(async () => {
    restoreEnv();
    await local?.stop();
  });

  // Five CLI runs at the stand-in's real quotas: allowed more than the default time on a busy machine.
  it('are served in plain text, read by the CLI, and never written, alerted, logged or printed', {
    timeout: 120_000,
  }, async () => {
    const dir = join(local.workDir, 'baselines');
    await mkdir(dir);
    const direct = new CognitoIdentityProviderClient(local.cognito.clientConfig());
    const served = await direct.send(
      new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Okta' }),
    );
    direct.destroy();
    expect(served.IdentityProvider?.ProviderDetails?.client_secret).toBe(OIDC);
    local.cognito.resetStats();

    const outputs: string[] = [];
    const cli = async (args: string[]) => {
      const { code, stdout, stderr } = await runCli([...args, '--dir', dir, '--verbose']);
      outputs.push(`${code}\n${stdout}\n${stderr}`);
      return { code, stdout };
    };
    const first = await cli(['check']);
    local.cognito.updateIdentityProvider(poolId, 'Okta', { details: { client_secret: ROTATED } });
    local.cognito.addIdentityProvider(poolId, {
      name: 'Backdoor',
      type: 'OIDC',
      details: { client_id: 'x', client_secret: BACKDOOR, oidc_issuer: 'https://evil.example' },
    });
    const drift = await cli(['check']);
    await cli(['check', '--json']);
    await cli(['diff']);
    local.cognito.failNext({ operation: 'ListGroups', error: 'AccessDeniedException' });
    await cli(['diff', '--json']);

    // The CLI read both providers over the wire, every run.
    const described = local.cognito.requests.filter(
      (r) => r.operation === 'DescribeIdentityProvider' && r.status === 200,
    );
    expect(described.length).toBeGreaterThanOrEqual(2 + 4 * 3);
    expect(first.code).toBe(0);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('[HIGH] ProviderDetails.client_secret: secret changed (value not shown)');
    expect(drift.stdout).toContain('[HIGH] Identity provider added: Backdoor');
    expect(outputs.join('\n')).toContain('ListGroups on pool customers');
    const written = await filesUnder(dir);
    // Keyed digests only, with the folder's own key beside them (never committed: .work/ ignores it).
    expect(written).toContain('secret-hmac-sha256:v1:');
    expect(written).not.toContain('secret-sha256:');
    const key = (await readFile(join(dir, '.work', 'digest-key'), 'utf-8')).trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(dir, '.work', 'digest-key'))).mode & 0o777).toBe(0o600);
    // Ignored by git: the folder's own `.work/.gitignore` (all of `.work/`, or at least the key).
    expect(await readFile(join(dir, '.work', '.gitignore'), 'utf-8')).toMatch(/^(\*|digest-key)$/m);
    // The key is in its own file and nowhere else: not in a document, not in any output.
    expect(written.split(key)).toHaveLength(2);
    for (const text of outputs) expect(text).not.toContain(key);
    for (const text of [written, ...outputs]) expect(text).not.toContain('CANARY-');
  });
});
