import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { cliDigestKey, folderDigestKey } from '../../cli/digest-key.js';
import { withDigestKey } from '../../lambda/core/digest-key.js';
import { normalizeResource } from '../../lambda/core/normalize.js';
import { fakeIo } from '../support/cli-harness.js';
import { TEST_DIGEST_KEY_SECRET_ARN, TEST_DIGEST_KEY_TEXT } from '../support/digest-key.js';
import { BUCKET, FakeAccount, REGION } from '../support/fake-aws.js';

const digestOf = async (key: ReturnType<typeof cliDigestKey>) =>
  withDigestKey(await key(), () => normalizeResource({ CSS: 'x' }, { digests: ['CSS'], salt: 'p' }));

describe('the CLI digest key', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cognito-drift-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('for a folder: creates an owner-only key file under .work/, git-ignored, and keeps using it', async () => {
    const secrets = new SecretsManagerClient({ region: REGION });
    const first = cliDigestKey({ kind: 'folder', folder: dir, secretId: undefined, secrets });

    const digest = await digestOf(first);

    const file = join(dir, '.work', 'digest-key');
    expect((await readFile(file, 'utf-8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // Ignored by git: the folder's own `.work/.gitignore` (all of `.work/`, or at least the key).
    expect(await readFile(join(dir, '.work', '.gitignore'), 'utf-8')).toMatch(/^(\*|digest-key)$/m);
    const again = cliDigestKey({ kind: 'folder', folder: dir, secretId: undefined, secrets });
    expect(await digestOf(again)).toEqual(digest);
  });

  it('refuses a key file that is too short, naming the file and not its content', async () => {
    await folderDigestKey(dir);
    await writeFile(join(dir, '.work', 'digest-key'), 'CANARY-short\n');

    const error = (await folderDigestKey(dir).catch((e: unknown) => e)) as Error;

    expect(error).toMatchObject({ name: 'ConfigError' });
    expect(error.message).toContain(join(dir, '.work', 'digest-key'));
    expect(error.message).not.toContain('CANARY');
  });

  it('for a bucket: reads the named secret, and without one says which flag to pass', async () => {
    const aws = new FakeAccount();
    const named = cliDigestKey({
      kind: 's3',
      secretId: TEST_DIGEST_KEY_SECRET_ARN,
      secrets: new SecretsManagerClient({ region: REGION }),
    });
    await named();
    expect(aws.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    const unnamed = cliDigestKey({ kind: 's3', secretId: undefined, secrets: new SecretsManagerClient({}) });
    await expect(unnamed()).rejects.toThrow(/pass --digest-key-secret <the stack output DigestKeySecretArn>/);
  });

  it('check --bucket with surfaces and no digest key secret exits 1 naming the flag, and reads no pool', async () => {
    const aws = new FakeAccount();
    aws.addPool();
    const io = fakeIo({ env: { SURFACES: 'all' } });

    const code = await main(['check', '--bucket', BUCKET, '--region', REGION], io);

    expect(code).toBe(1);
    expect(io.err()).toContain('--digest-key-secret');
    expect(aws.bucket.keys('baselines/')).toEqual([]);
  });

  it('check --bucket --digest-key-secret reads the key once and never prints it', async () => {
    const aws = new FakeAccount();
    aws.addPool();
    const io = fakeIo({ env: { SURFACES: 'all' } });

    const code = await main(
      ['check', '--bucket', BUCKET, '--region', REGION, '--digest-key-secret', TEST_DIGEST_KEY_SECRET_ARN],
      io,
    );

    expect(code).toBe(0);
    expect(aws.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(`${io.out()}${io.err()}`).not.toContain(TEST_DIGEST_KEY_TEXT);
  });
});
