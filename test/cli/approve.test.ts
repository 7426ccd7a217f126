import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.js';
import { canonicalJson } from '../../lambda/core/canonical.js';
import { type BaselineDoc, keys } from '../../lambda/core/documents.js';
import {
  ACCOUNT,
  at,
  BUCKET,
  CALLER_ARN,
  CLIENT_APP,
  CLIENT_WEB,
  client,
  type FakeIo,
  fakeAws,
  fakeIo,
  folderSeeder,
  POOL_A,
  POOL_B,
  pool,
  REGION,
  seedDrift,
} from '../support/cli-harness.js';

const aws = fakeAws();
const S3 = ['--bucket', BUCKET];

/** The approved state of pool A, and the same pool after MFA was switched off in the console. */
const approvedA = pool(POOL_A, {}, [client(CLIENT_WEB)]);
const driftedA = pool(POOL_A, { MfaConfiguration: 'OFF' }, [client(CLIENT_WEB)]);
const MFA_FINDING = 'MfaConfiguration: ON -> OFF';

function baselineWritten(poolId: string): BaselineDoc {
  return JSON.parse(aws.s3.body(at(keys.baseline(poolId))) ?? 'null') as BaselineDoc;
}

function expectRefused(io: FakeIo, code: number, message: RegExp): void {
  expect(io.err()).toMatch(message);
  expect(code).toBe(1);
  expect(aws.s3.mock).not.toHaveReceivedCommand(PutObjectCommand);
}

/** Runs the CLI with the answer typed as soon as the prompt shows. */
async function answering(answer: string, argv: string[]): Promise<{ io: FakeIo; code: number }> {
  const io = fakeIo({ stdinIsTTY: true });
  const typing = setInterval(() => {
    if (io.err().includes('[y/N]')) {
      clearInterval(typing);
      io.type(answer);
    }
  }, 5);
  try {
    return { io, code: await main(argv, io) };
  } finally {
    clearInterval(typing);
  }
}

beforeEach(() => aws.reset());
afterAll(() => aws.restore());

describe('approve refuses, says why, and writes nothing', () => {
  beforeEach(async () => {
    await seedDrift(aws.s3, [{ baseline: approvedA, current: driftedA }]);
  });

  it('refuses without a terminal and without --yes', async () => {
    const io = fakeIo({ stdinIsTTY: false });

    const code = await main(['approve', '--pool', POOL_A, ...S3], io);

    expectRefused(io, code, /No terminal to confirm on: pass --yes/);
    expect(io.out()).toContain(MFA_FINDING);
  });

  it('refuses when the operator answers "n" at the prompt', async () => {
    const { io, code } = await answering('n', ['approve', '--pool', POOL_A, ...S3]);

    expect(io.err()).toContain('Approve the state shown above as the new baseline');
    expectRefused(io, code, /Not approved\. Nothing was written\./);
  });

  it('refuses when the input closes at the prompt (Ctrl-D) instead of waiting forever', {
    timeout: 3000,
  }, async () => {
    const io = fakeIo({ stdinIsTTY: true });
    const closing = setInterval(() => {
      if (io.err().includes('[y/N]')) {
        clearInterval(closing);
        io.endInput();
      }
    }, 5);

    const code = await main(['approve', '--pool', POOL_A, ...S3], io);

    clearInterval(closing);
    expectRefused(io, code, /Not approved\. Nothing was written\./);
  });

  it('refuses an unknown pool id, naming it and the missing snapshot', async () => {
    const io = fakeIo();

    const code = await main(['approve', '--pool', 'us-east-1_Unknown99', ...S3, '--yes'], io);

    expectRefused(io, code, /us-east-1_Unknown99: no snapshot recorded in s3:\/\/drift-baselines/);
  });

  it('refuses a pool without pending drift', async () => {
    await seedDrift(aws.s3, [{ baseline: approvedA, current: approvedA }]);
    aws.s3.mock.resetHistory();
    const io = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, ...S3, '--yes'], io);

    expectRefused(io, code, new RegExp(`${POOL_A}: the last recorded state is already the baseline`));
    expect(io.err()).toContain('cognito-drift check');
  });

  it('refuses a bucket that does not exist, naming the bucket', async () => {
    const io = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, '--bucket', 'no-such-baselines', '--yes'], io);

    expectRefused(io, code, /Bucket no-such-baselines does not exist/);
  });

  it('refuses a snapshot newer than the one alerted, unless --force', async () => {
    await seedDrift(aws.s3, [{ baseline: approvedA, current: driftedA, alerted: 'other' }]);
    aws.s3.mock.resetHistory();
    const refused = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, ...S3, '--yes'], refused);

    expectRefused(refused, code, new RegExp(`Refusing to approve ${POOL_A}.*re-run with --force`));
    expect(refused.out()).toContain('stale: the pool changed again after the alert');

    const forced = fakeIo();
    expect(await main(['approve', '--pool', POOL_A, ...S3, '--yes', '--force'], forced)).toBe(0);
    expect(baselineWritten(POOL_A).pool).toEqual(driftedA);
  });

  it('refuses a snapshot no alert was sent for (no drift mark), unless --force', async () => {
    await seedDrift(aws.s3, [{ baseline: approvedA, current: driftedA, alerted: false }]);
    aws.s3.mock.resetHistory();
    const refused = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, ...S3, '--yes'], refused);

    expectRefused(refused, code, /re-run with --force/);
    expect(refused.out()).toContain('no alert was sent for this state yet');
    expect(await main(['approve', '--pool', POOL_A, ...S3, '--yes', '--force'], fakeIo())).toBe(0);
    expect(aws.s3.mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it('refuses --client with two pools', async () => {
    const io = fakeIo();

    const code = await main(
      ['approve', '--pool', POOL_A, '--pool', POOL_B, '--client', CLIENT_WEB, ...S3, '--yes'],
      io,
    );

    expectRefused(io, code, /--client approves clients of one pool: name exactly one --pool/);
  });

  it('refuses a malformed pool id, naming it', async () => {
    const io = fakeIo();

    const code = await main(['approve', '--pool', 'not-a-pool', ...S3, '--yes'], io);

    expectRefused(io, code, /"not-a-pool" is not a user pool id/);
  });

  it('refuses an unknown flag, naming it', async () => {
    const io = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, ...S3, '--yes', '--approve-everything'], io);

    expectRefused(io, code, /unknown option '--approve-everything'/);
  });

  it('refuses when it cannot tell who approves (STS fails) with an S3 store', async () => {
    aws.account.fail('GetCallerIdentity', {
      error: 'ExpiredToken',
      message: 'The security token included in the request is expired',
    });
    const io = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, ...S3, '--yes'], io);

    expectRefused(io, code, /Cannot tell who is approving.*ExpiredToken/);
  });

  it('refuses when neither --pool nor --all is given', async () => {
    const io = fakeIo();

    const code = await main(['approve', ...S3, '--yes'], io);

    expectRefused(io, code, /Name at least one pool with --pool <poolId>, or pass --all/);
  });
});

describe('approve writes the recorded state as the new baseline', () => {
  it('with --all and nothing pending, says so and exits 0, writing nothing', async () => {
    aws.reset();
    const io = fakeIo();

    const code = await main(['approve', '--all', ...S3, '--yes'], io);

    expect(code).toBe(0);
    expect(io.out()).toBe(`Nothing to approve: no pool in s3://${BUCKET} has pending drift.\n`);
    expect(io.err()).not.toContain('--pool');
    expect(aws.s3.mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
  it('writes conditionally on the old ETag, with who, when and why, after printing the diff', async () => {
    await seedDrift(aws.s3, [{ baseline: approvedA, current: driftedA }]);
    const oldEtag = aws.s3.etag(at(keys.baseline(POOL_A)));
    const io = fakeIo();
    let printedBeforeWrite = '';
    aws.account.beforeCall('PutObject', {}, () => {
      printedBeforeWrite = io.out();
    });
    const before = Date.now();

    const code = await main(['approve', '--pool', POOL_A, ...S3, '--yes', '--reason', 'CHG-1'], io);

    expect(code).toBe(0);
    expect(io.err()).toBe('');
    expect(printedBeforeWrite).toContain(`Pool pool-aaaa1 (${POOL_A})`);
    expect(printedBeforeWrite).toContain(`[HIGH] ${MFA_FINDING}`);
    expect(aws.s3.mock).toHaveReceivedCommandExactlyOnceWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: at(keys.baseline(POOL_A)),
      IfMatch: oldEtag,
    });
    const written = baselineWritten(POOL_A);
    expect(written).toMatchObject({
      poolId: POOL_A,
      approvedBy: CALLER_ARN,
      reason: 'CHG-1',
      pool: driftedA,
    });
    expect(Date.parse(written.approvedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(written.approvedAt)).toBeLessThanOrEqual(Date.now());
    expect(io.out()).toContain(`Approved pool-aaaa1 (${POOL_A}), 1 change as ${CALLER_ARN}.`);
  });

  it('creates the baseline of a new pool only if none exists (If-None-Match: *)', async () => {
    await seedDrift(aws.s3, [{ baseline: null, current: driftedA }]);

    const code = await main(['approve', '--pool', POOL_A, ...S3, '--yes'], fakeIo());

    expect(code).toBe(0);
    expect(aws.s3.mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Key: at(keys.baseline(POOL_A)),
      IfNoneMatch: '*',
    });
    expect(baselineWritten(POOL_A).pool).toEqual(driftedA);
  });

  it('approves when the operator answers "y" on a terminal', async () => {
    await seedDrift(aws.s3, [{ baseline: approvedA, current: driftedA }]);

    const { io, code } = await answering('y', ['approve', '--pool', POOL_A, ...S3, '--reason', 'CHG-2']);

    expect(code).toBe(0);
    expect(io.err()).toContain(`new baseline for 1 pool: pool-aaaa1 (${POOL_A})? [y/N]`);
    expect(baselineWritten(POOL_A)).toMatchObject({ pool: driftedA, reason: 'CHG-2' });
  });

  it('lets exactly one of two concurrent approvals win; the other is told to re-run', async () => {
    await seedDrift(aws.s3, [{ baseline: approvedA, current: driftedA }]);
    const first = fakeIo();
    const second = fakeIo();
    let secondCode: number | undefined;
    // The second operator approves between the first one's plan and write.
    aws.account.beforeCall('PutObject', {}, async () => {
      secondCode = await main(['approve', '--pool', POOL_A, ...S3, '--yes', '--reason', 'second'], second);
    });

    const firstCode = await main(['approve', '--pool', POOL_A, ...S3, '--yes', '--reason', 'first'], first);

    expect(secondCode).toBe(0);
    expect(firstCode).toBe(1);
    expect(first.err()).toMatch(
      new RegExp(`${POOL_A}: the baseline changed underneath you .*re-run to see the current diff`),
    );
    expect(first.out()).not.toContain('Approved');
    expect(aws.s3.versions(at(keys.baseline(POOL_A)))).toHaveLength(2);
    expect(baselineWritten(POOL_A).reason).toBe('second');
  });

  it('approves only the named client with --client; the pool-level drift stays pending', async () => {
    const baseline = pool(POOL_A, {}, [client(CLIENT_WEB), client(CLIENT_APP)]);
    const current = pool(POOL_A, { MfaConfiguration: 'OFF' }, [
      client(CLIENT_WEB, { RefreshTokenValidity: 3650 }),
      client(CLIENT_APP, { AllowedOAuthFlows: ['implicit'] }),
    ]);
    await seedDrift(aws.s3, [{ baseline, current }]);
    const io = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, '--client', CLIENT_WEB, ...S3, '--yes'], io);

    expect(code).toBe(0);
    expect(io.out()).toContain('RefreshTokenValidity');
    expect(io.out()).not.toContain('MfaConfiguration');
    const written = baselineWritten(POOL_A).pool;
    expect(written?.clients[CLIENT_WEB]).toEqual(current.clients[CLIENT_WEB]);
    expect(written?.clients[CLIENT_APP]).toEqual(baseline.clients[CLIENT_APP]);
    expect(written?.config).toEqual(baseline.config);

    const replan = fakeIo();
    expect(await main(['approve', '--pool', POOL_A, ...S3], replan)).toBe(1);
    expect(replan.out()).toContain(MFA_FINDING);
    expect(replan.out()).toContain('AllowedOAuthFlows');
    expect(replan.out()).not.toContain('RefreshTokenValidity');
  });

  it('approves every pool with drift with --all, and leaves pools without drift alone', async () => {
    const approvedB = pool(POOL_B, {}, []);
    const driftedB = pool(POOL_B, {}, [client(CLIENT_APP)]);
    const quiet = pool('us-east-1_CCCCcccc3');
    await seedDrift(aws.s3, [
      { baseline: approvedA, current: driftedA },
      { baseline: approvedB, current: driftedB },
      { baseline: quiet, current: quiet, alerted: false },
    ]);
    const io = fakeIo();

    const code = await main(['approve', '--all', ...S3, '--yes', '--reason', 'quarterly review'], io);

    expect(code).toBe(0);
    expect(baselineWritten(POOL_A)).toMatchObject({ pool: driftedA, reason: 'quarterly review' });
    expect(baselineWritten(POOL_B)).toMatchObject({ pool: driftedB, reason: 'quarterly review' });
    expect(aws.s3.mock).toHaveReceivedCommandTimes(PutObjectCommand, 2);
    expect(aws.s3.versions(at(keys.baseline('us-east-1_CCCCcccc3')))).toHaveLength(1);
  });
});

describe('approve with a baselines folder (--dir)', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cognito-drift-approve-'));
    dirs.push(dir);
    return dir;
  };

  /** Every file under a folder and its content, to prove nothing changed. */
  async function contents(dir: string): Promise<Record<string, string>> {
    const files = await readdir(dir, { recursive: true, withFileTypes: true });
    const out: Record<string, string> = {};
    for (const file of files.filter((f) => f.isFile())) {
      const path = join(file.parentPath, file.name);
      out[path] = await readFile(path, 'utf-8');
    }
    return out;
  }

  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('writes <dir>/<poolId>.json with sorted keys, byte-identical for the same approval', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-06T10:00:00.000Z'));
    const [one, two] = [await tempDir(), await tempDir()];
    await seedDrift(folderSeeder(one), [{ baseline: approvedA, current: driftedA }]);
    await seedDrift(folderSeeder(two), [{ baseline: approvedA, current: driftedA }]);
    // The same snapshot with its keys in another order must give the same file.
    const reordered = JSON.parse(await readFile(join(two, '.work', at(keys.snapshot(POOL_A))), 'utf-8'));
    const reversed = (value: unknown): unknown =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reversed(v)]),
          )
        : value;
    await folderSeeder(two).seed(at(keys.snapshot(POOL_A)), JSON.stringify(reversed(reordered), null, 2));

    const args = ['approve', '--pool', POOL_A, '--yes', '--reason', 'CHG-1'];
    expect(await main([...args, '--dir', one], fakeIo())).toBe(0);
    expect(await main([...args, '--dir', two], fakeIo())).toBe(0);

    const text = await readFile(join(one, ACCOUNT, REGION, `${POOL_A}.json`), 'utf-8');
    expect(await readFile(join(two, ACCOUNT, REGION, `${POOL_A}.json`), 'utf-8')).toBe(text);
    expect(text).toBe(canonicalJson(JSON.parse(text), 2));
    expect(JSON.parse(text)).toMatchObject({
      approvedAt: '2026-01-06T10:00:00.000Z',
      approvedBy: CALLER_ARN,
      reason: 'CHG-1',
      pool: driftedA,
    });
  });

  it('records local:<user> as the approver when STS cannot tell who it is', async () => {
    aws.account.fail('GetCallerIdentity', {
      error: 'ExpiredToken',
      message: 'The security token included in the request is expired',
    });
    const dir = await tempDir();
    await seedDrift(folderSeeder(dir), [{ baseline: approvedA, current: driftedA }]);

    const code = await main(
      ['approve', '--pool', POOL_A, '--dir', dir, '--yes'],
      fakeIo({ env: { USER: 'alice' } }),
    );

    expect(code).toBe(0);
    expect(aws.sts.mock).toHaveReceivedCommand(GetCallerIdentityCommand);
    const written = JSON.parse(
      await readFile(join(dir, ACCOUNT, REGION, `${POOL_A}.json`), 'utf-8'),
    ) as BaselineDoc;
    expect(written.approvedBy).toBe('local:alice');
    expect(written.pool).toEqual(driftedA);
  });

  it('writes nothing in the folder when it refuses', async () => {
    const dir = await tempDir();
    await seedDrift(folderSeeder(dir), [{ baseline: approvedA, current: driftedA, alerted: 'other' }]);
    const before = await contents(dir);
    const io = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, '--dir', dir, '--yes'], io);

    expect(code).toBe(1);
    expect(io.err()).toMatch(/re-run with --force/);
    expect(await contents(dir)).toEqual(before);
  });
});
