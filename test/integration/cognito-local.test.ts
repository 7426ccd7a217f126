/**
 * cognito-drift against a third-party emulator, cognito-local, started here on 127.0.0.1: pools and
 * clients are created and changed through the real Cognito write APIs, and the unmodified CLI reads
 * them over the wire.
 *
 * cognito-local has no ListUserPoolClientSecrets (it answers HTTP 500 "Unsupported"), so this is also
 * an honesty test: clients whose secrets cannot be listed are reported in a "Scan incomplete" notice,
 * never as deleted or changed, while pool-level drift is still found. Only a client with a secret has
 * its secrets listed, so the client here is created with one (`GenerateSecret`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';
import { FOREIGN_AWS_VARIABLES, setProcessEnv } from '../support/local-aws.js';

const START_SCRIPT = createRequire(import.meta.url).resolve('cognito-local/lib/bin/start.js');

/** Starts cognito-local on a free loopback port in `cwd` and resolves with its endpoint. */
async function startCognitoLocal(cwd: string): Promise<{ endpoint: string; process: ChildProcess }> {
  const child = spawn(process.execPath, [START_SCRIPT], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cognito-local did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the logger's colour codes
      const match = output.replace(/\u001b\[[0-9;]*m/g, '').match(/running on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`cognito-local exited with ${code}:\n${output}`)));
  });
  return { endpoint, process: child };
}

const cognitoDrift = (args: string[]) => runCli(args);

describe('against cognito-local, over the wire', () => {
  let workDir: string;
  let emulator: ChildProcess | undefined;
  let restoreEnv: () => void = () => {};
  let cognito: CognitoIdentityProviderClient;
  let poolId: string;
  let clientId: string;
  const baselines = () => join(workDir, 'baselines');

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'cognito-drift-cognito-local-'));
    const started = await startCognitoLocal(workDir);
    emulator = started.process;
    restoreEnv = setProcessEnv({
      ...Object.fromEntries(FOREIGN_AWS_VARIABLES.map((name) => [name, undefined])),
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: started.endpoint,
      // STS goes to the emulator too, which refuses it: nothing leaves the machine.
      AWS_ENDPOINT_URL_STS: started.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ACCOUNT_ID: '000000000000',
      // The unsupported call fails the same way every time: retrying it only slows the test.
      AWS_MAX_ATTEMPTS: '1',
    });
    cognito = new CognitoIdentityProviderClient({});
    const pool = await cognito.send(
      new CreateUserPoolCommand({ PoolName: 'orders-prod', MfaConfiguration: 'OFF' }),
    );
    poolId = pool.UserPool?.Id ?? '';
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'orders-web',
        GenerateSecret: true,
        CallbackURLs: ['https://orders.example.com/cb'],
      }),
    );
    clientId = client.UserPoolClient?.ClientId ?? '';
    await import('node:fs/promises').then((fs) => fs.mkdir(baselines()));
  });

  afterAll(async () => {
    restoreEnv();
    cognito?.destroy();
    emulator?.kill();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('records the pool, and names the clients it could not fully read instead of dropping them', async () => {
    const { code, stdout } = await cognitoDrift(['check', '--dir', baselines()]);

    expect(code).toBe(1);
    expect(stdout).toContain('Baseline recorded: watching 1 pool, 0 clients');
    expect(stdout).toContain('Scan incomplete: 1 item unreadable');
    expect(stdout).toContain(`App client ${clientId} in pool orders-prod (${poolId})`);
    expect(stdout).toMatch(/Unsupported|HTTP 500/);
    expect(await readdir(join(baselines(), '000000000000', 'us-east-1'))).toContain(`${poolId}.json`);
  });

  it('catches the classic UpdateUserPool mistake (omitted settings reset) without reporting the unreadable client as deleted', async () => {
    // UpdateUserPool resets every setting it is not given, here the password policy: a real-world
    // way to weaken a pool while "only changing MFA".
    await cognito.send(new UpdateUserPoolCommand({ UserPoolId: poolId, MfaConfiguration: 'OFF' }));

    const { code, stdout, stderr } = await cognitoDrift(['diff', '--dir', baselines()]);

    expect(code).toBe(1);
    expect(stdout).toContain('[HIGH] Policies.PasswordPolicy.RequireSymbols: true -> (not set)');
    expect(stdout).toContain('[HIGH] Policies.PasswordPolicy.RequireNumbers: true -> (not set)');
    expect(stdout).not.toContain('App client deleted');
    // The unreadable client is an error: on stderr, so stdout stays the result.
    expect(stderr).toContain(`App client ${clientId} in pool orders-prod (${poolId})`);
  });
});
