import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.js';
import { keys, type StateDoc } from '../../lambda/core/documents.js';
import {
  ACCOUNT,
  at,
  BUCKET,
  CLIENT_WEB,
  fakeAws,
  fakeIo,
  POOL_A,
  POOL_B,
  REGION,
  TOPIC_ARN,
} from '../support/cli-harness.js';

const aws = fakeAws();
const S3 = ['--bucket', BUCKET, '--region', REGION];
const WEB: UserPoolClientType = { ClientId: CLIENT_WEB, ClientName: 'web', RefreshTokenValidity: 30 };
const ESC = '\u001b[';

/** Two pools, baselines recorded by a first `check`, then MFA switched off in pool A's console. */
async function recordBaselinesThenDrift(): Promise<void> {
  aws.cognito.addPool(POOL_A, {}, [WEB]);
  aws.cognito.addPool(POOL_B);
  expect(await main(['check', ...S3], fakeIo())).toBe(0);
  aws.account.updatePool(POOL_A, { MfaConfiguration: 'OFF' });
  aws.s3.mock.resetHistory();
  aws.sns.mock.resetHistory();
}

beforeEach(() => aws.reset());
afterAll(() => aws.restore());

describe('check and diff exit codes', () => {
  it('exits 0 and records baselines on the first run', async () => {
    aws.cognito.addPool(POOL_A, {}, [WEB]);
    const io = fakeIo();

    const code = await main(['check', ...S3], io);

    expect(code).toBe(0);
    expect(io.out()).toContain('Baseline recorded for 1 pool and 1 client.');
    expect(aws.s3.body(at(keys.baseline(POOL_A)))).toBeDefined();
  });

  it('exits 0 when nothing drifted', async () => {
    aws.cognito.addPool(POOL_A, {}, [WEB]);
    expect(await main(['check', ...S3], fakeIo())).toBe(0);
    const io = fakeIo();

    const code = await main(['diff', ...S3], io);

    expect(code).toBe(0);
    expect(io.out()).toContain('No drift in 1 pool and 1 client.');
  });

  it.each(['check', 'diff'])('%s exits 2 when a pool drifted, naming the change', async (command) => {
    await recordBaselinesThenDrift();
    const io = fakeIo();

    const code = await main([command, ...S3], io);

    expect(code).toBe(2);
    expect(io.out()).toContain('1 change in 1 pool since the approved baseline:');
    expect(io.out()).toContain(`[HIGH] MfaConfiguration: ON -> OFF`);
  });

  it("shows a new client's risky settings under its line, and never its secret value", async () => {
    const planted = 'PLANTED-SECRET-VALUE-0123456789';
    aws.cognito.addPool(POOL_A, {}, [WEB]);
    expect(await main(['check', ...S3], fakeIo())).toBe(0);
    const added = aws.account.addClient(POOL_A, {
      name: 'debug-console',
      secretValue: planted,
      config: {
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
        CallbackURLs: ['https://evil.example.net/cb'],
        AccessTokenValidity: 24,
        TokenValidityUnits: { AccessToken: 'hours', IdToken: 'minutes', RefreshToken: 'days' },
      },
    });
    const io = fakeIo();

    const code = await main(['diff', ...S3], io);

    // The secret was there to leak: the client was described, and Cognito's answer carried the value.
    expect(code).toBe(2);
    expect(aws.cognito.mock).toHaveReceivedCommandWith(DescribeUserPoolClientCommand, {
      UserPoolId: POOL_A,
      ClientId: added.clientId,
    });
    expect(added.secretValue).toBe(planted);
    expect(io.out()).toContain(
      [
        '  Pool',
        `    [HIGH] App client created: debug-console (${added.clientId})`,
        '      auth flows: ALLOW_USER_PASSWORD_AUTH; OAuth: code (scopes email, openid); callback hosts: evil.example.net; logout hosts: app.example.com',
        '      token lifetimes: access 24 hours, ID 60 minutes, refresh 30 days; client secret: yes, 1 secret (value not shown)',
      ].join('\n'),
    );
    expect(io.out()).not.toContain(planted);
    expect(io.err()).not.toContain(planted);
  });

  it('exits 1 when drift and a read problem come together: an incomplete scan wins over drift', async () => {
    await recordBaselinesThenDrift();
    aws.account.fail('DescribeUserPool', { poolId: POOL_B, error: 'AccessDeniedException' });
    const io = fakeIo();

    const code = await main(['diff', ...S3], io);

    expect(code).toBe(1);
    expect(io.err()).toMatch(new RegExp(`error: Pool pool-bbbb2 \\(${POOL_B}\\): AccessDeniedException`));
  });

  it('exits 1 when the bucket does not exist, naming the bucket', async () => {
    aws.cognito.addPool(POOL_A);
    const io = fakeIo();

    const code = await main(['check', '--bucket', 'no-such-baselines', '--region', REGION], io);

    expect(code).toBe(1);
    expect(io.err()).toMatch(/Bucket no-such-baselines does not exist/);
    expect(aws.sns.mock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('diff exits 1 when the store holds no baselines, instead of reporting no drift', async () => {
    aws.cognito.addPool(POOL_A, {}, [WEB]);
    const io = fakeIo();

    const code = await main(['diff', ...S3], io);

    expect(code).toBe(1);
    expect(io.err()).toMatch(
      /No baselines in s3:\/\/drift-baselines: nothing to compare with\. Run `cognito-drift check`/,
    );
    expect(io.out()).not.toContain('No drift');
    expect(aws.s3.mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('refuses --quota-share 2, naming the flag, before reading anything', async () => {
    const io = fakeIo();

    const code = await main(['check', ...S3, '--quota-share', '2'], io);

    expect(code).toBe(1);
    expect(io.err()).toMatch(/--quota-share must be a number greater than 0 and at most 1.*"2"/);
    expect(aws.cognito.mock).not.toHaveReceivedCommand(ListUserPoolsCommand);
  });

  it.each([
    [['--accounts', '12345'], /--accounts: "12345" is not an account id/],
    [['--regions', 'mars-north-1x'], /--regions: "mars-north-1x" is not a region name/],
    [
      ['--organizational-units', 'ou-ab12-cdefgh34'],
      /--organizational-units: "ou-ab12-cdefgh34" filters the accounts of an organization: it needs --accounts = "organization"/,
    ],
    [
      ['--max-concurrent-targets', '0'],
      /--max-concurrent-targets must be a whole number of targets between 1 and 1000, got "0"/,
    ],
    [['--role-name', 'no spaces allowed'], /--role-name must be an IAM role name/],
  ])('refuses %s, naming the flag, before reading anything', async (flags, message) => {
    const io = fakeIo();

    const code = await main(['check', ...S3, ...flags], io);

    expect(code).toBe(1);
    expect(io.err()).toMatch(message);
    expect(aws.cognito.mock).not.toHaveReceivedCommand(ListUserPoolsCommand);
  });

  it('takes the regions from TARGET_REGIONS, each region under its own header and keys', async () => {
    aws.cognito.addPool(POOL_A, {}, [WEB]);
    const io = fakeIo({ env: { TARGET_REGIONS: `${REGION},us-west-2` } });

    const code = await main(['check', ...S3], io);

    expect(code).toBe(0);
    expect(io.out()).toContain(`== Account ${ACCOUNT}, region ${REGION}`);
    expect(io.out()).toContain(`== Account ${ACCOUNT}, region us-west-2`);
    expect(aws.s3.body(at(keys.baseline(POOL_A)))).toBeDefined();
    expect(aws.s3.body(at(keys.baseline(POOL_A), { accountId: ACCOUNT, region: 'us-west-2' }))).toBeDefined();
  });

  it('exits 1 without a region, saying how to give one', async () => {
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
    aws.cognito.addPool(POOL_A);
    const io = fakeIo();

    try {
      expect(await main(['check', '--bucket', BUCKET], io)).toBe(1);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(io.err()).toContain('No AWS region: pass --region or set AWS_REGION.');
  });

  it('takes the bucket from BASELINE_BUCKET in the environment', async () => {
    await recordBaselinesThenDrift();

    const code = await main(['diff', '--region', REGION], fakeIo({ env: { BASELINE_BUCKET: BUCKET } }));

    expect(code).toBe(2);
  });
});

describe('diff writes nothing and sends nothing', () => {
  it('sends no PutObject and no Publish, even with a topic in the environment', async () => {
    await recordBaselinesThenDrift();

    const code = await main(['diff', ...S3], fakeIo({ env: { ALERT_TOPIC_ARN: TOPIC_ARN } }));

    expect(code).toBe(2);
    expect(aws.cognito.mock).toHaveReceivedCommand(DescribeUserPoolCommand);
    expect(aws.s3.mock).not.toHaveReceivedCommand(PutObjectCommand);
    expect(aws.sns.mock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('offers no --topic or --reminder-hours, which only a sending check uses', async () => {
    const diffHelp = fakeIo();
    const checkHelp = fakeIo();

    await main(['diff', '--help'], diffHelp);
    await main(['check', '--help'], checkHelp);

    expect(diffHelp.out()).not.toMatch(/--topic|--reminder-hours/);
    expect(checkHelp.out()).toMatch(/--topic[\s\S]*--reminder-hours/);
    expect(await main(['diff', ...S3, '--topic', TOPIC_ARN], fakeIo())).toBe(1);
  });

  it('leaves the same drift to alert for the next check', async () => {
    await recordBaselinesThenDrift();
    await main(['diff', ...S3], fakeIo());

    await main(['check', ...S3, '--topic', TOPIC_ARN], fakeIo());

    expect(aws.sns.mock).toHaveReceivedCommandOnce(PublishCommand);
  });
});

describe('where alerts and reports go', () => {
  it('--json prints one valid JSON report with the drift', async () => {
    await recordBaselinesThenDrift();
    const io = fakeIo();

    const code = await main(['diff', ...S3, '--json'], io);

    expect(code).toBe(2);
    const report = JSON.parse(io.out()) as {
      region: string;
      drift: { poolId: string; findings: { path?: string; severity: string }[] }[];
    };
    expect(report.region).toBe(REGION);
    expect(report.drift).toHaveLength(1);
    expect(report.drift[0]).toMatchObject({
      poolId: POOL_A,
      findings: [{ path: 'MfaConfiguration', severity: 'HIGH' }],
    });
  });

  it('prints the alert on stdout without --topic and without --json', async () => {
    await recordBaselinesThenDrift();
    const io = fakeIo();

    const code = await main(['check', ...S3], io);

    expect(code).toBe(2);
    expect(io.out()).toMatch(/Subject: .*HIGH drift: 1 change in 1 pool/);
    expect(io.out()).toContain(`npm run approve -- --pool ${POOL_A} --bucket ${BUCKET}`);
    expect(aws.sns.mock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('publishes the alert to SNS with --topic, and not on stdout', async () => {
    await recordBaselinesThenDrift();
    const io = fakeIo();

    const code = await main(['check', ...S3, '--topic', TOPIC_ARN], io);

    expect(code).toBe(2);
    expect(aws.sns.mock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: expect.stringContaining('HIGH drift: 1 change in 1 pool'),
      Message: expect.stringContaining('MfaConfiguration'),
    });
    expect(io.out()).not.toContain('Subject:');
  });

  it.each([
    ['--json', ['--json']],
    ['printed alerts', []],
  ])(
    'without a topic (%s) leaves the drift unalerted, so the detector still sends it',
    async (_how, flags) => {
      await recordBaselinesThenDrift();

      expect(await main(['check', ...S3, ...flags], fakeIo())).toBe(2);
      const state = JSON.parse(aws.s3.body(at(keys.state)) ?? '{}') as StateDoc;
      expect(state.pools[POOL_A]?.drift).toBeUndefined();
      expect(state.pools[POOL_A]?.snapshotHash).toBeTypeOf('string');
      // Kept apart as "shown", so that approving what was shown needs no --force.
      expect(state.pools[POOL_A]?.shown?.snapshotHash).toBe(state.pools[POOL_A]?.snapshotHash);

      // The deployed detector (here: check with the topic) still alerts it, at once.
      expect(await main(['check', ...S3, '--topic', TOPIC_ARN], fakeIo())).toBe(2);
      expect(aws.sns.mock).toHaveReceivedCommandWith(PublishCommand, {
        Subject: expect.stringContaining('HIGH drift: 1 change in 1 pool'),
      });
    },
  );

  it('without a topic keeps an earlier alert mark as it was', async () => {
    await recordBaselinesThenDrift();
    await main(['check', ...S3, '--topic', TOPIC_ARN], fakeIo());
    const alerted = (JSON.parse(aws.s3.body(at(keys.state)) ?? '{}') as StateDoc).pools[POOL_A]?.drift;
    expect(alerted).toBeDefined();

    await main(['check', ...S3, '--json', '--reminder-hours', '1'], fakeIo());

    expect((JSON.parse(aws.s3.body(at(keys.state)) ?? '{}') as StateDoc).pools[POOL_A]?.drift).toEqual(
      alerted,
    );
  });

  it('publishes to ALERT_TOPIC_ARN from the environment', async () => {
    await recordBaselinesThenDrift();

    await main(['check', ...S3], fakeIo({ env: { ALERT_TOPIC_ARN: TOPIC_ARN } }));

    expect(aws.sns.mock).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC_ARN });
  });
});

describe('colour', () => {
  it('colours findings when stdout is a terminal and NO_COLOR is unset', async () => {
    await recordBaselinesThenDrift();
    const io = fakeIo({ stdoutIsTTY: true });

    await main(['diff', ...S3], io);

    expect(io.out()).toContain(`${ESC}31m[HIGH]${ESC}39m`);
  });

  it('does not colour when NO_COLOR is set', async () => {
    await recordBaselinesThenDrift();
    const io = fakeIo({ stdoutIsTTY: true, env: { NO_COLOR: '1' } });

    await main(['diff', ...S3], io);

    expect(io.out()).toContain('[HIGH] MfaConfiguration');
    expect(io.out()).not.toContain(ESC);
  });

  it('does not colour when stdout is not a terminal', async () => {
    await recordBaselinesThenDrift();
    const io = fakeIo({ stdoutIsTTY: false });

    await main(['diff', ...S3], io);

    expect(io.out()).toContain('[HIGH] MfaConfiguration');
    expect(io.out()).not.toContain(ESC);
  });
});

describe('before any scan', () => {
  it('fails in one line, reading nothing, when there are no AWS credentials', async () => {
    aws.cognito.addPool(POOL_A, {}, [WEB]);
    aws.account.fail('GetCallerIdentity', {
      error: 'CredentialsProviderError',
      message: 'Could not load credentials from any providers',
    });
    const io = fakeIo();

    const code = await main(['check', ...S3], io);

    expect(code).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/^error: No AWS credentials: set AWS_PROFILE .*AWS_REGION/);
    expect(io.out()).toBe('');
    expect(aws.cognito.mock).not.toHaveReceivedCommand(ListUserPoolsCommand);
    expect(aws.s3.mock).not.toHaveReceivedCommand(PutObjectCommand);
  });
});

describe('the default baselines folder', () => {
  /** Runs the CLI in a fresh empty working directory, where ./baselines does not exist yet. */
  async function inEmptyFolder<T>(run: (cwd: string) => Promise<T>): Promise<T> {
    const cwd = await mkdtemp(join(tmpdir(), 'cognito-drift-cwd-'));
    const previous = process.cwd();
    process.chdir(cwd);
    try {
      return await run(cwd);
    } finally {
      process.chdir(previous);
      await rm(cwd, { recursive: true, force: true });
    }
  }

  it('is created by the first check, which says so on stderr', async () => {
    aws.cognito.addPool(POOL_A, {}, [WEB]);

    const { code, io, files } = await inEmptyFolder(async (cwd) => {
      const io = fakeIo();
      const code = await main(['check', '--region', REGION], io);
      return { code, io, files: await readdir(join(cwd, 'baselines', ACCOUNT, REGION)) };
    });

    expect(code).toBe(0);
    expect(io.err()).toMatch(/^Created \.\/baselines\/ for the baselines/);
    expect(files).toContain(`${POOL_A}.json`);
  });

  it('is not created by diff, which says to run check first', async () => {
    aws.cognito.addPool(POOL_A, {}, [WEB]);

    const { code, io, created } = await inEmptyFolder(async (cwd) => {
      const io = fakeIo();
      const code = await main(['diff', '--region', REGION], io);
      return {
        code,
        io,
        created: await stat(join(cwd, 'baselines')).then(
          () => true,
          () => false,
        ),
      };
    });

    expect(code).toBe(1);
    expect(created).toBe(false);
    expect(io.err()).toMatch(/No baselines yet: .*Run `cognito-drift check`/);
  });

  it('a --dir that does not exist is refused without the hint to pass --dir', async () => {
    const io = fakeIo();

    const code = await main(
      ['diff', '--dir', '/nonexistent/cognito-drift-baselines', '--region', REGION],
      io,
    );

    expect(code).toBe(1);
    expect(io.err()).toContain('Baselines folder /nonexistent/cognito-drift-baselines does not exist');
    expect(io.err()).not.toContain('pass --dir');
  });
});
