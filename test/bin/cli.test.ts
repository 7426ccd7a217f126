import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { fakeAws, fakeIo, POOL_A, REGION } from '../support/cli-harness.js';

const aws = fakeAws();

beforeEach(() => aws.reset());
afterAll(() => aws.restore());

describe('help', () => {
  it.each(['check', 'diff', 'approve', 'history'])(
    '`%s --help` exits 0 and shows examples',
    async (command) => {
      const io = fakeIo();

      const code = await main([command, '--help'], io);

      expect(code).toBe(0);
      expect(io.out()).toContain(`Usage: cognito-drift ${command} [options]`);
      expect(io.out()).toContain('Examples:');
      expect(io.err()).toBe('');
    },
  );

  it('`npm run approve -- --help` (main approve --help) exits 0', async () => {
    const io = fakeIo();

    expect(await main(['approve', '--help'], io)).toBe(0);
    expect(io.out()).toContain('npm run approve -- --pool');
  });

  it('states a flag without a default as "none", never "undefined"', async () => {
    const io = fakeIo();

    await main(['check', '--help'], io);

    const help = io.out().replace(/\s+/g, ' ');
    expect(help).toContain('(default: $ORGANIZATIONAL_UNITS or none)');
    expect(help).toContain('(default: $EXTERNAL_ID or none)');
    expect(help).not.toContain('undefined');
  });

  it('`--help` lists every command and exits 0', async () => {
    const io = fakeIo();

    const code = await main(['--help'], io);

    expect(code).toBe(0);
    for (const command of ['check', 'diff', 'approve', 'history']) expect(io.out()).toContain(command);
  });
});

describe('--version', () => {
  it('prints the package version and exits 0', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf-8'));
    const io = fakeIo();

    const code = await main(['--version'], io);

    expect(code).toBe(0);
    expect(io.out()).toBe(`${version}\n`);
  });
});

describe('argument errors', () => {
  it('refuses an unknown command, naming it', async () => {
    const io = fakeIo();

    const code = await main(['aprove'], io);

    expect(code).toBe(1);
    expect(io.err()).toMatch(/unknown command 'aprove'/);
  });

  it('refuses an unknown flag, naming it and the nearest, with a pointer to --help instead of the help', async () => {
    const io = fakeIo();

    const code = await main(['diff', '--buckett', 'x'], io);

    expect(code).toBe(1);
    expect(io.err()).toBe(
      "error: unknown option '--buckett'\n(Did you mean --bucket?)\n(add --help for the usage)\n",
    );
  });

  it('refuses a bad surface in one message naming the flag once, and the known surfaces', async () => {
    const io = fakeIo();

    const code = await main(['check', '--surfaces', 'x', '--region', REGION], io);

    expect(code).toBe(1);
    expect(io.err()).toMatch(/^error: --surfaces: unknown surface "x"; known: identityProviders, groups, /);
    expect(io.err()).not.toContain('surfaces: surfaces');
  });

  it('refuses --bucket and --dir together', async () => {
    const io = fakeIo();

    const code = await main(['diff', '--bucket', 'b', '--dir', 'baselines', '--region', REGION], io);

    expect(code).toBe(1);
    expect(io.err()).toContain('Pass either --bucket (S3) or --dir (a folder), not both.');
  });
});

describe('exit codes of concurrent runs', () => {
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('returns each run its own exit code, and leaves process.exitCode alone', async () => {
    const drifted = await mkdtemp(join(tmpdir(), 'cognito-drift-cli-'));
    const clean = await mkdtemp(join(tmpdir(), 'cognito-drift-cli-'));
    dirs.push(drifted, clean);
    aws.cognito.addPool(POOL_A);
    expect(await main(['check', '--dir', drifted, '--region', REGION], fakeIo())).toBe(0);
    aws.account.updatePool(POOL_A, { MfaConfiguration: 'OFF' });
    expect(await main(['check', '--dir', clean, '--region', REGION], fakeIo())).toBe(0);
    const exitCodeBefore = process.exitCode;

    const codes = await Promise.all([
      main(['diff', '--dir', drifted, '--region', REGION], fakeIo()),
      main(['diff', '--dir', clean, '--region', REGION], fakeIo()),
    ]);

    expect(codes).toEqual([2, 0]);
    expect(process.exitCode).toBe(exitCodeBefore);
  });
});
