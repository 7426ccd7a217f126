/**
 * The messages a new user meets in the first hour (issue 20, items 7 to 10), each replayed through
 * `main()`: no credentials, which store `approve --all` used, the way out of a hand-edited baseline,
 * the `.work/` folder of a fresh project, and ignore rules.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { ACCOUNT, BUCKET, fakeAws, fakeIo, POOL_A, REGION } from '../support/cli-harness.js';

const exec = promisify(execFile);
const aws = fakeAws();
const S3 = ['--bucket', BUCKET, '--region', REGION];
const NO_CREDENTIALS = {
  error: 'CredentialsProviderError',
  message: 'Could not load credentials from any providers',
};

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cognito-drift-first-hour-'));
  dirs.push(dir);
  return dir;
}

beforeEach(() => aws.reset());
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
afterAll(() => aws.restore());

describe('without AWS credentials', () => {
  it.each([
    ['approve --all --bucket', ['approve', '--all', '--yes', ...S3], 'ListObjectsV2'],
    ['history --bucket', ['history', '--pool', POOL_A, ...S3], 'ListObjectVersions'],
  ] as const)('`%s` fails in one line naming what to set', async (_, argv, operation) => {
    aws.account.fail('GetCallerIdentity', NO_CREDENTIALS);
    aws.account.fail(operation, NO_CREDENTIALS);
    const io = fakeIo();

    const code = await main([...argv], io);

    expect(code).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/^error: No AWS credentials: set AWS_PROFILE .*AWS_REGION/);
    expect(io.err()).not.toContain('CredentialsProviderError');
    expect(aws.s3.mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('approve --all without a bucket', () => {
  it('says it used the baselines folder, and how to use the bucket instead', async () => {
    const dir = await tempDir();
    const io = fakeIo();

    const code = await main(['approve', '--all', '--yes', '--dir', dir, '--region', REGION], io);

    expect(code).toBe(0);
    expect(io.out()).toContain(`Nothing to approve: no pool in the baselines folder ${dir}/`);
    expect(io.out()).toContain('pass --bucket');
  });
});

describe('a baseline edited by hand', () => {
  it('is refused with one way out, approving the pool again, which works', async () => {
    const dir = await tempDir();
    const local = ['--dir', dir, '--region', REGION];
    aws.cognito.addPool(POOL_A, { MfaConfiguration: 'OFF' });
    expect(await main(['check', ...local], fakeIo())).toBe(0);
    const file = join(dir, ACCOUNT, REGION, `${POOL_A}.json`);
    const edited = JSON.parse(await readFile(file, 'utf-8'));
    edited.pool.config.MfaConfiguration = 'ON';
    await writeFile(file, JSON.stringify(edited, null, 2));

    const diff = fakeIo();
    const diffCode = await main(['diff', ...local], diff);
    const check = fakeIo();
    const checkCode = await main(['check', ...local], check);
    const approve = fakeIo();
    const approveCode = await main(['approve', '--pool', POOL_A, '--yes', ...local], approve);
    const after = fakeIo();
    const afterCode = await main(['check', ...local], after);

    expect(diffCode).toBe(1);
    expect(diff.err()).toContain(file);
    expect(diff.err()).toContain('approve the pool again');
    expect(diff.err()).not.toMatch(/restore|approve again/);
    expect(diff.out()).not.toContain('No drift in 0 pools');
    expect(checkCode).toBe(1);
    expect(check.out()).toContain('replaced by approving its pool again');
    expect(check.out()).not.toContain('bucket history');
    expect(check.out()).not.toContain('No drift in 0 pools');
    expect(approveCode).toBe(0);
    expect(approve.out()).toContain(`replaces: the baseline ${file} is unusable`);
    expect(approve.out()).toContain(`Approved pool-aaaa1 (${POOL_A})`);
    expect(JSON.parse(await readFile(file, 'utf-8')).pool.config.MfaConfiguration).toBe('OFF');
    expect(afterCode).toBe(0);
    expect(after.out()).toContain('No drift in 1 pool');
  });

  it('is not replaced when a newer release wrote it: that is no damage to repair', async () => {
    const dir = await tempDir();
    const local = ['--dir', dir, '--region', REGION];
    aws.cognito.addPool(POOL_A, { MfaConfiguration: 'OFF' });
    expect(await main(['check', ...local], fakeIo())).toBe(0);
    const file = join(dir, ACCOUNT, REGION, `${POOL_A}.json`);
    const newer = JSON.stringify({ ...JSON.parse(await readFile(file, 'utf-8')), formatVersion: 2 });
    await writeFile(file, newer);
    const io = fakeIo();

    const code = await main(['approve', '--pool', POOL_A, '--yes', ...local], io);

    expect(code).toBe(1);
    expect(io.err()).toContain('unknown formatVersion 2');
    expect(await readFile(file, 'utf-8')).toBe(newer);
  });
});

describe('check in a fresh project', () => {
  it('creates baselines/ whose .work/ git ignores, so only the baselines are committed', async () => {
    const cwd = await tempDir();
    aws.cognito.addPool(POOL_A);
    const previous = process.cwd();
    process.chdir(cwd);
    const io = fakeIo();
    let code: number;
    try {
      code = await main(['check', '--region', REGION], io);
    } finally {
      process.chdir(previous);
    }
    await exec('git', ['init', '-q'], { cwd });
    const { stdout } = await exec('git', ['status', '--porcelain', '--untracked-files=all'], { cwd });

    expect(code).toBe(0);
    expect(io.err()).toContain('.work/ holds working documents and is git-ignored');
    expect(stdout.trim().split('\n').sort()).toEqual([`?? baselines/${ACCOUNT}/${REGION}/${POOL_A}.json`]);
  });
});

describe('ignore rules', () => {
  it('warns of a misspelt field, not of a real field no pool sets (the README example)', async () => {
    const [dir, project] = [await tempDir(), await tempDir()];
    const rules = join(project, 'drift-ignore.json');
    await writeFile(
      rules,
      JSON.stringify({ fields: ['*.EmailVerificationMessage', 'pool.EmailVerificationMesage'] }),
    );
    aws.cognito.addPool(POOL_A);
    const io = fakeIo();

    const code = await main(['check', '--dir', dir, '--region', REGION, '--ignore-file', rules], io);

    expect(code).toBe(0);
    expect(io.err()).toBe(
      'warning: ignore rule matched nothing (typo?): fields: pool.EmailVerificationMesage\n',
    );
  });

  it('names a missing ignore file in one line, not a raw ENOENT', async () => {
    const dir = await tempDir();
    const io = fakeIo();

    const code = await main(
      ['check', '--dir', dir, '--region', REGION, '--ignore-file', join(dir, 'nope.json')],
      io,
    );

    expect(code).toBe(1);
    expect(io.err()).toBe(
      `error: Ignore file ${join(dir, 'nope.json')} does not exist: check the --ignore-file path.\n`,
    );
  });
});
