import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectVersionsCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { canonicalJson } from '../../lambda/core/canonical.js';
import { keys } from '../../lambda/core/documents.js';
import { hasControl } from '../../lambda/core/escape.js';
import {
  ACCOUNT,
  at,
  BUCKET,
  baselineDoc,
  CALLER_ARN,
  CLIENT_APP,
  CLIENT_WEB,
  client,
  fakeAws,
  fakeIo,
  POOL_A,
  pool,
  REGION,
} from '../support/cli-harness.js';

const exec = promisify(execFile);
const aws = fakeAws();
const S3 = ['--bucket', BUCKET];

const first = baselineDoc(pool(POOL_A, {}, [client(CLIENT_WEB)]));
const second = baselineDoc(pool(POOL_A, { MfaConfiguration: 'OFF' }, [client(CLIENT_WEB)]), {
  approvedAt: '2026-01-06T10:00:00.000Z',
  approvedBy: CALLER_ARN,
  reason: 'CHG-1 MFA off for the migration',
});
const third = baselineDoc(
  pool(POOL_A, { MfaConfiguration: 'OPTIONAL' }, [client(CLIENT_WEB), client(CLIENT_APP)]),
  {
    approvedAt: '2026-01-07T10:00:00.000Z',
    approvedBy: 'arn:aws:sts::123456789012:assumed-role/operator/bob',
    reason: 'CHG-2 mobile app',
  },
);

/** Writes the three baselines as three versions of one S3 object; returns their version ids, oldest first. */
function seedVersions(): string[] {
  for (const doc of [first, second, third]) aws.s3.seed(at(keys.baseline(POOL_A)), canonicalJson(doc, 2));
  return aws.s3.versions(at(keys.baseline(POOL_A))).map((v) => v.versionId);
}

beforeEach(() => aws.reset());
afterAll(() => aws.restore());

describe('history with S3 object versions', () => {
  it('lists versions newest first, with who, why and the changes from the version before', async () => {
    const [v1, v2, v3] = seedVersions();
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, ...S3], io);

    expect(code).toBe(0);
    const out = io.out();
    const position = (version: string | undefined) => out.indexOf(`version ${version}`);
    expect(position(v3)).toBeGreaterThanOrEqual(0);
    expect(position(v3)).toBeLessThan(position(v2));
    expect(position(v2)).toBeLessThan(position(v1));
    const [block3, block2, block1] = out.split(/\n\n/);
    expect(block3).toContain('by arn:aws:sts::123456789012:assumed-role/operator/bob: CHG-2 mobile app');
    expect(block3).toContain('2 changes from the version before');
    expect(block3).toContain('MfaConfiguration: OFF -> OPTIONAL');
    expect(block3).toContain(`App client created: ${CLIENT_APP}-name (${CLIENT_APP})`);
    expect(block2).toContain(
      `approved 2026-01-06T10:00:00.000Z by ${CALLER_ARN}: CHG-1 MFA off for the migration`,
    );
    expect(block2).toContain('1 change from the version before');
    expect(block1).toContain('first baseline of this pool');
    expect(aws.s3.mock).toHaveReceivedCommandWith(ListObjectVersionsCommand, {
      Bucket: BUCKET,
      Prefix: at(keys.baseline(POOL_A)),
    });
    expect(aws.s3.mock).toHaveReceivedCommandWith(GetObjectCommand, { VersionId: v1 });
  });

  it('--show prints that version of the document', async () => {
    const [, v2] = seedVersions();
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, ...S3, '--show', v2 ?? ''], io);

    expect(code).toBe(0);
    expect(JSON.parse(io.out())).toEqual(second);
    expect(aws.s3.mock).toHaveReceivedCommandWith(GetObjectCommand, { VersionId: v2 });
  });

  it('escapes control characters in who and why, and in a shown document', async () => {
    const forged = baselineDoc(pool(POOL_A, { MfaConfiguration: 'OFF' }, [client(CLIENT_WEB)]), {
      approvedAt: '2026-01-06T10:00:00.000Z',
      approvedBy: 'mallory\u001b[2K\rarn:aws:iam::123456789012:user/alice',
      reason: 'ok\n  approved 2026-01-06 by security-team: CHG-9\u009b2J',
    });
    aws.s3.seed(at(keys.baseline(POOL_A)), canonicalJson(first, 2));
    aws.s3.seed(at(keys.baseline(POOL_A)), canonicalJson(forged, 2));
    // A hand-written object may hold raw control characters, which `--show` prints as they are stored.
    aws.s3.seed(at(keys.baseline(POOL_A)), '{ "approvedBy": "mallory\u001b[2K" }');
    const rawVersion = aws.s3.versions(at(keys.baseline(POOL_A)))[2]?.versionId ?? '';
    const io = fakeIo();
    const shown = fakeIo();

    expect(await main(['history', '--pool', POOL_A, ...S3], io)).toBe(0);
    expect(await main(['history', '--pool', POOL_A, ...S3, '--show', rawVersion], shown)).toBe(0);

    for (const out of [io.out(), shown.out()]) {
      expect(out.split('\n').filter(hasControl)).toEqual([]);
      expect(out).toContain('mallory\\x1b[2K');
    }
    expect(io.out()).toContain(
      'by mallory\\x1b[2K\\x0darn:aws:iam::123456789012:user/alice: ok\\x0a  approved 2026-01-06 by security-team: CHG-9\\x9b2J',
    );
    expect(io.out()).not.toMatch(/^\s+approved 2026-01-06 by security-team/m);
  });

  it('refuses a version that does not exist', async () => {
    seedVersions();
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, ...S3, '--show', 'no-such-version'], io);

    expect(code).toBe(1);
    expect(io.err()).toContain(`No version no-such-version of pool ${POOL_A}'s baseline.`);
  });

  it('exits 1 for a pool without any baseline, naming the pool', async () => {
    seedVersions();
    const io = fakeIo();

    const code = await main(['history', '--pool', 'us-east-1_Unknown99', ...S3], io);

    expect(code).toBe(1);
    expect(io.err()).toContain('No baseline history for pool us-east-1_Unknown99 in s3://drift-baselines');
    expect(io.out()).toBe('');
  });

  it('shows the current baseline, and blames the store rather than the pool id, when the bucket keeps no versions', async () => {
    aws.s3.seed(at(keys.baseline(POOL_A)), canonicalJson(second, 2));
    // What a bucket without versioning answers in an emulator (fauxqs): no versions at all.
    aws.s3.mock.on(ListObjectVersionsCommand).resolves({});
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, ...S3], io);

    expect(code).toBe(0);
    expect(io.err()).toContain('the bucket keeps no object versions');
    expect(io.err()).toContain(`s3://${BUCKET}/${at(keys.baseline(POOL_A))}`);
    expect(io.err()).not.toContain('check the pool id');
    expect(io.out()).toContain('version current');
    expect(io.out()).toContain('CHG-1 MFA off for the migration');
    const shown = fakeIo();
    expect(await main(['history', '--pool', POOL_A, ...S3, '--show', 'current'], shown)).toBe(0);
    expect(JSON.parse(shown.out())).toEqual(second);
  });

  it('exits 1 when the bucket does not exist, naming the bucket', async () => {
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, '--bucket', 'no-such-baselines'], io);

    expect(code).toBe(1);
    expect(io.err()).toContain('Bucket no-such-baselines does not exist');
  });

  it('exits 1 when listing versions is denied, naming the permissions it needs', async () => {
    aws.s3.mock.on(ListObjectVersionsCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        message: 'Access Denied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, ...S3], io);

    expect(code).toBe(1);
    expect(io.err()).toContain('s3:ListBucketVersions and s3:GetObjectVersion');
  });

  it("lists the versions of an identity pool's baseline (an id with a colon)", async () => {
    const id = 'us-east-1:0f1e2d3c-4b5a-4697-8877-665544332211';
    const guests = (allow: boolean) => ({
      poolId: id,
      poolName: 'mobile-identities',
      config: { AllowUnauthenticatedIdentities: allow },
      clients: {},
    });
    aws.s3.seed(at(keys.baseline(id)), canonicalJson(baselineDoc(guests(false)), 2));
    aws.s3.seed(
      at(keys.baseline(id)),
      canonicalJson(baselineDoc(guests(true), { approvedBy: CALLER_ARN, reason: 'CHG-7 guests' }), 2),
    );
    const io = fakeIo();

    const code = await main(['history', '--pool', id, ...S3], io);

    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toContain(`by ${CALLER_ARN}: CHG-7 guests`);
    expect(io.out()).toContain('AllowUnauthenticatedIdentities: false -> true');
  });

  it('shows the versions of the former flat key after those under the account and region', async () => {
    aws.s3.seed(keys.baseline(POOL_A), canonicalJson(first, 2));
    aws.s3.seed(keys.baseline(POOL_A), canonicalJson(second, 2));
    aws.s3.seed(at(keys.baseline(POOL_A)), canonicalJson(second, 2));
    aws.s3.seed(at(keys.baseline(POOL_A)), canonicalJson(third, 2));
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, ...S3], io);

    expect(code).toBe(0);
    const blocks = io.out().trim().split(/\n\n/);
    expect(blocks).toHaveLength(4);
    expect(blocks[0]).toContain('CHG-2 mobile app');
    expect(blocks[1]).toContain('CHG-1 MFA off for the migration');
    expect(blocks[1]).toContain('0 changes from the version before');
    expect(blocks[3]).toContain('first baseline of this pool');
  });

  it('requires --pool', async () => {
    const io = fakeIo();

    expect(await main(['history', ...S3], io)).toBe(1);
    expect(io.err()).toContain("required option '--pool <poolId>' not specified");
  });
});

describe('history with a baselines folder in git', () => {
  let dir = '';
  const git = (...args: string[]) =>
    exec('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: dir });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cognito-drift-history-'));
    await git('init', '--quiet');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists each commit of the pool file, newest first', async () => {
    const file = join(dir, ACCOUNT, REGION, `${POOL_A}.json`);
    await mkdir(dirname(file), { recursive: true });
    for (const [index, doc] of [first, second].entries()) {
      await writeFile(file, canonicalJson(doc, 2));
      await git('add', '.');
      await git(
        'commit',
        '--quiet',
        '-m',
        `baseline ${index + 1}`,
        '--date',
        `2026-01-0${index + 1}T00:00:00Z`,
      );
    }
    const [newest = '', oldest = ''] = (await git('log', '--format=%H')).stdout.trim().split('\n');
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, '--dir', dir], io);

    expect(code).toBe(0);
    expect(io.out().indexOf(`version ${newest}`)).toBeLessThan(io.out().indexOf(`version ${oldest}`));
    expect(io.out()).toContain('CHG-1 MFA off for the migration');
    expect(io.out()).toContain('1 change from the version before');

    const shown = fakeIo();
    expect(await main(['history', '--pool', POOL_A, '--dir', dir, '--show', oldest.slice(0, 8)], shown)).toBe(
      0,
    );
    expect(JSON.parse(shown.out())).toEqual(first);
  });
  it('shows the current baseline of a file not committed yet, saying why there is no history', async () => {
    const file = join(dir, ACCOUNT, REGION, `${POOL_A}.json`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, canonicalJson(first, 2));
    const io = fakeIo();

    const code = await main(['history', '--pool', POOL_A, '--dir', dir], io);

    expect(code).toBe(0);
    expect(io.err()).toContain('the file is not committed to git yet');
    expect(io.err()).not.toContain('check the pool id');
    expect(io.out()).toContain('first baseline of this pool');
  });
});

describe('history with a baselines folder outside git', () => {
  it('says in one line that history needs git', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cognito-drift-nogit-'));
    try {
      await writeFile(join(dir, `${POOL_A}.json`), canonicalJson(first, 2));
      const io = fakeIo();

      const code = await main(['history', '--pool', POOL_A, '--dir', dir], io);

      expect(code).toBe(1);
      expect(io.err()).toMatch(/^error: History needs git: .* is not in a git repository/);
      expect(io.err().trim().split('\n')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
