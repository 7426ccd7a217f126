/**
 * `check`, `diff`, `approve` and `history` across accounts and regions, over the wire: the CLI's own
 * SDK clients talk to the Cognito stand-in, which plays an organization (STS AssumeRole issuing
 * per-account keys, separate pools and quotas per account and region, opt-in regions).
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import type { BaselineDoc } from '../../lambda/core/documents.js';
import { type FakeIoOptions, fakeIo } from '../support/cli-harness.js';
import { CognitoStandin } from '../support/cognito-standin.js';
import { setProcessEnv } from '../support/local-aws.js';

const SELF = '111111111111';
const OTHER = '222222222222';
const NO_ROLE = '333333333333';
const HOME = 'us-east-1';
const AWAY = 'eu-west-1';
const TWO_BY_TWO = ['--accounts', `${SELF},${OTHER}`, '--regions', `${HOME},${AWAY}`];

let standin: CognitoStandin;
let dir: string;
let restoreEnv: () => void;
/** Everything the CLI printed in this test, for the credential canary. */
let printed: string[];

beforeAll(async () => {
  const isolated = await mkdtemp(join(tmpdir(), 'cognito-drift-org-cli-env-'));
  standin = await CognitoStandin.start({ latencyMs: 0, accountId: SELF, region: HOME });
  // The SDK reads endpoints, region and credentials from the process environment. The stand-in does
  // not answer GetCallerIdentity: the CLI takes the caller's account from AWS_ACCOUNT_ID.
  restoreEnv = setProcessEnv({
    AWS_REGION: HOME,
    AWS_ACCESS_KEY_ID: 'AKIACALLER0000000001',
    AWS_SECRET_ACCESS_KEY: 'caller-secret-not-printed',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ACCOUNT_ID: SELF,
    AWS_CONFIG_FILE: join(isolated, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(isolated, 'no-credentials'),
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: standin.endpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY: standin.endpoint,
    AWS_ENDPOINT_URL_WAFV2: standin.endpoint,
    AWS_ENDPOINT_URL_STS: standin.endpoint,
    AWS_MAX_ATTEMPTS: '1',
  });
});

afterAll(async () => {
  restoreEnv();
  await standin.stop();
});

let pools: Map<string, string>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cognito-drift-org-cli-'));
  printed = [];
  pools = new Map();
  standin.organization.addAccount(OTHER);
  standin.organization.addAccount(NO_ROLE);
  for (const account of [SELF, OTHER, NO_ROLE]) {
    for (const region of [HOME, AWAY]) {
      const target = standin.target(account, region);
      for (const id of target.poolIds()) target.removePool(id);
      const poolId = target.addPool({
        name: `app-${account.slice(0, 3)}-${region}`,
        config: { MfaConfiguration: 'ON' },
        clients: [{ name: 'web' }],
      });
      pools.set(`${account}/${region}`, poolId);
    }
  }
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], options: FakeIoOptions = {}) {
  const io = fakeIo({ ...options, env: { AWS_ACCOUNT_ID: SELF, ...options.env } });
  const code = await main([...args, '--dir', dir], io);
  printed.push(io.out(), io.err());
  return { code, out: io.out(), err: io.err() };
}

function poolOf(account: string, region: string): string {
  return pools.get(`${account}/${region}`) ?? '';
}

async function baselineFile(account: string, region: string, poolId = poolOf(account, region)) {
  return readFile(join(dir, account, region, `${poolId}.json`), 'utf-8');
}

/** The stdout section of one target: from its `== Account ..., region ...` header to the next. */
function section(out: string, account: string, region: string): string {
  const header = `== Account ${account}, region ${region}`;
  const start = out.indexOf(header);
  if (start < 0) return '';
  const next = out.indexOf('== Account', start + header.length);
  return out.slice(start, next < 0 ? undefined : next);
}

const incompleteLines = (err: string) => err.split('\n').filter((l) => l.startsWith('scan incomplete:'));

describe('check and diff across accounts and regions', () => {
  it('records every target under its account and region, and shows drift in the one target that drifted', async () => {
    const assumedBefore = standin.organization.stats.assumeRole;
    const first = await cli(['check', ...TWO_BY_TWO]);

    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    for (const account of [SELF, OTHER]) {
      for (const region of [HOME, AWAY]) {
        expect(JSON.parse(await baselineFile(account, region)).poolId).toBe(poolOf(account, region));
        expect(section(first.out, account, region)).toContain('Baseline recorded for 1 pool and 1 client.');
      }
    }
    // One AssumeRole for the other account, shared by its two regions; none for the caller's own.
    expect(standin.organization.stats.assumeRole - assumedBefore).toBe(1);

    standin.target(OTHER, AWAY).updatePool(poolOf(OTHER, AWAY), { config: { MfaConfiguration: 'OFF' } });
    const diff = await cli(['diff', ...TWO_BY_TWO]);

    expect(diff.code).toBe(2);
    expect(section(diff.out, OTHER, AWAY)).toContain('[HIGH] MfaConfiguration: ON -> OFF');
    expect(section(diff.out, OTHER, AWAY)).toContain(poolOf(OTHER, AWAY));
    for (const [account, region] of [
      [SELF, HOME],
      [SELF, AWAY],
      [OTHER, HOME],
    ] as const) {
      expect(section(diff.out, account, region)).toContain('No drift in 1 pool and 1 client.');
    }
    expect(diff.out.match(/MfaConfiguration/g)).toHaveLength(1);
  });

  it('with --topic sends one digest for all targets, and marks it alerted only once it went out', async () => {
    // SNS is stubbed (the stand-in plays Cognito, STS and the organization only).
    const sns = mockClient(SNSClient);
    const published: PublishCommandInput[] = [];
    let failing = false;
    sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
      if (failing) throw Object.assign(new Error('SNS down'), { name: 'InternalErrorException' });
      published.push(input);
      return { MessageId: `m-${published.length}` };
    });
    const topic = ['--topic', 'arn:aws:sns:us-east-1:111111111111:drift'];
    const kinds = () => published.map((p) => p.MessageAttributes?.kind?.StringValue);
    try {
      await cli(['check', ...TWO_BY_TWO, ...topic]);
      expect(kinds()).toEqual(['baseline-created']);
      expect(published[0]?.MessageAttributes?.account?.StringValue).toBe(JSON.stringify([SELF, OTHER]));

      published.length = 0;
      standin.target(OTHER, AWAY).updatePool(poolOf(OTHER, AWAY), { config: { MfaConfiguration: 'OFF' } });
      standin.target(SELF, HOME).updatePool(poolOf(SELF, HOME), { config: { MfaConfiguration: 'OFF' } });
      failing = true;
      await cli(['check', ...TWO_BY_TWO, ...topic]);
      failing = false;
      // Nothing went out, so nothing was marked: the next check sends it, once, for both targets.
      const second = await cli(['check', ...TWO_BY_TWO, ...topic]);
      expect(second.code).toBe(2);
      expect(kinds()).toEqual(['drift']);
      expect(published[0]?.Message).toContain(`=== Account ${SELF}, region ${HOME}`);
      expect(published[0]?.Message).toContain(`=== Account ${OTHER}, region ${AWAY}`);
      expect(published[0]?.MessageAttributes?.account?.StringValue).toBe(JSON.stringify([SELF, OTHER]));

      published.length = 0;
      await cli(['check', ...TWO_BY_TWO, ...topic]);
      expect(published).toEqual([]);
    } finally {
      sns.restore();
    }
  });

  it('--json gives one entry per target, with its account, region and drift', async () => {
    await cli(['check', ...TWO_BY_TWO]);
    standin.target(SELF, AWAY).updatePool(poolOf(SELF, AWAY), { config: { MfaConfiguration: 'OFF' } });

    const { code, out } = await cli(['diff', ...TWO_BY_TWO, '--json']);

    expect(code).toBe(2);
    const report = JSON.parse(out) as {
      targets: { accountId: string; region: string; status: string; drift: { poolId: string }[] }[];
      unreachable: unknown[];
    };
    expect(report.unreachable).toEqual([]);
    expect(report.targets.map((t) => `${t.accountId}/${t.region}/${t.status}`)).toEqual([
      `${SELF}/${AWAY}/scanned`,
      `${SELF}/${HOME}/scanned`,
      `${OTHER}/${AWAY}/scanned`,
      `${OTHER}/${HOME}/scanned`,
    ]);
    expect(report.targets.map((t) => t.drift.map((d) => d.poolId))).toEqual([
      [poolOf(SELF, AWAY)],
      [],
      [],
      [],
    ]);
  });

  it('an account whose role is missing is one "scan incomplete" line and exit 1; nothing there is marked removed', async () => {
    const accounts = ['--accounts', `${SELF},${NO_ROLE}`, '--regions', `${HOME},${AWAY}`];
    expect((await cli(['check', ...accounts])).code).toBe(0);
    const before = {
      home: await baselineFile(NO_ROLE, HOME),
      away: await baselineFile(NO_ROLE, AWAY),
      state: await readFile(join(dir, '.work', 'state', NO_ROLE, HOME, 'detector-state.json'), 'utf-8'),
    };
    standin.organization.setRole(NO_ROLE, null);

    const check = await cli(['check', ...accounts]);
    const json = await cli(['diff', ...accounts, '--json']);

    expect(check.code).toBe(1);
    expect(incompleteLines(check.err)).toEqual([`scan incomplete: cannot assume role in ${NO_ROLE}`]);
    expect(check.out).not.toMatch(/removed|deleted/i);
    expect(section(check.out, SELF, HOME)).toContain('No drift in 1 pool');
    expect(section(check.out, NO_ROLE, HOME)).toBe('');
    expect(await baselineFile(NO_ROLE, HOME)).toBe(before.home);
    expect(await baselineFile(NO_ROLE, AWAY)).toBe(before.away);
    expect(await readFile(join(dir, '.work', 'state', NO_ROLE, HOME, 'detector-state.json'), 'utf-8')).toBe(
      before.state,
    );
    expect(json.code).toBe(1);
    expect((JSON.parse(json.out) as { unreachable: unknown[] }).unreachable).toEqual([
      { accountId: NO_ROLE, region: AWAY, reason: `cannot assume role in ${NO_ROLE}` },
      { accountId: NO_ROLE, region: HOME, reason: `cannot assume role in ${NO_ROLE}` },
    ]);
  });

  it('a region not enabled in the account is one "scan incomplete" line and exit 1', async () => {
    const { code, out, err } = await cli(['check', '--regions', `${HOME},af-south-1`]);

    expect(code).toBe(1);
    expect(incompleteLines(err)).toEqual([
      `scan incomplete: region af-south-1 is not enabled in account ${SELF}`,
    ]);
    expect(section(out, SELF, HOME)).toContain('Baseline recorded for 1 pool');
    expect(section(out, SELF, 'af-south-1')).toBe('');
    const alone = await cli(['diff', '--regions', 'af-south-1', '--json']);
    expect(alone.code).toBe(1);
    expect(JSON.parse(alone.out).targets[0]).toEqual({
      accountId: SELF,
      region: 'af-south-1',
      status: 'unreachable',
      reason: `region af-south-1 is not enabled in account ${SELF}`,
    });
    await expect(stat(join(dir, SELF, 'af-south-1'))).rejects.toThrow();
  });

  it('the member role name and external id come from --role-name and --external-id', async () => {
    standin.organization.setRole(OTHER, 'AuditRole', 'ext-1234');
    const accounts = ['--accounts', OTHER, '--regions', HOME];

    const refused = await cli(['check', ...accounts, '--role-name', 'AuditRole']);
    const scanned = await cli([
      'check',
      ...accounts,
      '--role-name',
      'AuditRole',
      '--external-id',
      'ext-1234',
    ]);

    expect(refused.code).toBe(1);
    expect(incompleteLines(refused.err)).toEqual([`scan incomplete: cannot assume role in ${OTHER}`]);
    expect(scanned.code).toBe(0);
    expect(section(scanned.out, OTHER, HOME)).toContain('Baseline recorded for 1 pool');
    standin.organization.setRole(OTHER, 'CognitoDriftMemberRole');
  });

  it('draws one progress line per target on a terminal, redrawn in place, and none otherwise', async () => {
    const onTerminal = await cli(['check', ...TWO_BY_TWO], { stderrIsTTY: true });
    const inPipe = await cli(['diff', ...TWO_BY_TWO]);

    const finalLines = onTerminal.err.split('\n').slice(-5, -1);
    expect(finalLines.map((l) => l.replaceAll('\r\u001b[2K', '').replaceAll('\u001b[4A', ''))).toEqual([
      `${SELF}/${AWAY}  done`,
      `${SELF}/${HOME}  done`,
      `${OTHER}/${AWAY}  done`,
      `${OTHER}/${HOME}  done`,
    ]);
    expect(onTerminal.err).toContain('\u001b[4A');
    expect(onTerminal.err).toMatch(/pools 1\/1/);
    expect(inPipe.err).toBe('');
  });
});

describe('approve finds the pool in its account and region', () => {
  it('approves the pool of the one target that holds it, leaving the others alone', async () => {
    await cli(['check', ...TWO_BY_TWO]);
    const untouched = await baselineFile(OTHER, HOME);
    const poolId = poolOf(OTHER, AWAY);
    standin.target(OTHER, AWAY).updatePool(poolId, { config: { MfaConfiguration: 'OFF' } });
    expect((await cli(['check', ...TWO_BY_TWO])).code).toBe(2);

    const approved = await cli(['approve', '--pool', poolId, '--yes', '--reason', 'CHG-9']);

    expect(approved.err).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.out).toContain('MfaConfiguration: ON -> OFF');
    const written = JSON.parse(await baselineFile(OTHER, AWAY)) as BaselineDoc;
    expect(written).toMatchObject({ reason: 'CHG-9', approvedBy: 'local:tester' });
    expect(written.pool?.config.MfaConfiguration).toBe('OFF');
    expect(await baselineFile(OTHER, HOME)).toBe(untouched);
    expect((await cli(['diff', ...TWO_BY_TWO])).code).toBe(0);
  });

  it('--all approves the pending drift of every target, each in its own account and region', async () => {
    await cli(['check', ...TWO_BY_TWO]);
    const untouched = await baselineFile(SELF, AWAY);
    standin.updatePool(poolOf(SELF, HOME), { config: { MfaConfiguration: 'OFF' } });
    standin.target(OTHER, AWAY).updatePool(poolOf(OTHER, AWAY), { config: { MfaConfiguration: 'OFF' } });
    expect((await cli(['check', ...TWO_BY_TWO])).code).toBe(2);

    const approved = await cli(['approve', '--all', '--yes']);

    expect(approved.code).toBe(0);
    expect(section(approved.out, SELF, HOME)).toContain('MfaConfiguration: ON -> OFF');
    expect(section(approved.out, OTHER, AWAY)).toContain('MfaConfiguration: ON -> OFF');
    expect(approved.out).toContain(`Approved app-111-${HOME} (${poolOf(SELF, HOME)}), 1 change`);
    expect(approved.out).toContain(`Approved app-222-${AWAY} (${poolOf(OTHER, AWAY)}), 1 change`);
    for (const [account, region] of [
      [SELF, HOME],
      [OTHER, AWAY],
    ] as const) {
      expect(JSON.parse(await baselineFile(account, region)).pool.config.MfaConfiguration).toBe('OFF');
    }
    expect(await baselineFile(SELF, AWAY)).toBe(untouched);
  });

  it('asks for --account when two accounts hold the same pool id, and approves the one named', async () => {
    const poolId = `${AWAY}_SameId0001`;
    for (const account of [SELF, OTHER]) {
      standin.target(account, AWAY).addPool({ id: poolId, name: 'twin', config: { MfaConfiguration: 'ON' } });
    }
    await cli(['check', ...TWO_BY_TWO]);
    for (const account of [SELF, OTHER]) {
      standin.target(account, AWAY).updatePool(poolId, { config: { MfaConfiguration: 'OFF' } });
    }
    await cli(['check', ...TWO_BY_TWO]);
    const before = await baselineFile(SELF, AWAY, poolId);

    const ambiguous = await cli(['approve', '--pool', poolId, '--yes']);
    const named = await cli(['approve', '--pool', poolId, '--account', OTHER, '--yes']);

    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain(
      `${poolId} is stored for several accounts (${SELF}, ${OTHER}): name one with --account <accountId>.`,
    );
    expect(named.code).toBe(0);
    expect((JSON.parse(await baselineFile(OTHER, AWAY, poolId)) as BaselineDoc).pool?.config).toMatchObject({
      MfaConfiguration: 'OFF',
    });
    expect(await baselineFile(SELF, AWAY, poolId)).toBe(before);
    const history = await cli(['history', '--pool', poolId]);
    expect(history.code).toBe(1);
    expect(history.err).toContain('name one with --account');
  });

  it('refuses an id no target holds with the unknown-pool error', async () => {
    await cli(['check', ...TWO_BY_TWO]);

    const { code, err } = await cli(['approve', '--pool', `${AWAY}_Unknown999`, '--yes']);

    expect(code).toBe(1);
    expect(err).toContain(`${AWAY}_Unknown999: no snapshot recorded in ${dir} for this pool`);
  });
});

describe('a store in the former flat layout', () => {
  /** Turns the target's documents back into the layout before account/region folders. */
  async function flatten(): Promise<void> {
    const move = async (from: string, to: string) => {
      for (const name of await readdir(from)) {
        await mkdir(to, { recursive: true });
        await rename(join(from, name), join(to, name));
      }
    };
    await move(join(dir, SELF, HOME), dir);
    await move(join(dir, '.work', 'snapshots', SELF, HOME), join(dir, '.work', 'snapshots'));
    await move(join(dir, '.work', 'state', SELF, HOME), join(dir, '.work', 'state'));
    for (const gone of [SELF, join('.work', 'snapshots', SELF), join('.work', 'state', SELF), '.work/runs']) {
      await rm(join(dir, gone), { recursive: true, force: true });
    }
  }

  it('approve and diff refuse until check moves it in place; the baselines carry over (no re-baseline)', async () => {
    await cli(['check']);
    const poolId = poolOf(SELF, HOME);
    await flatten();
    const flatBaseline = await readFile(join(dir, `${poolId}.json`), 'utf-8');
    standin.updatePool(poolId, { config: { MfaConfiguration: 'OFF' } });

    const approveBefore = await cli(['approve', '--pool', poolId, '--yes']);
    const diffBefore = await cli(['diff']);
    const check = await cli(['check']);
    const approved = await cli(['approve', '--pool', poolId, '--yes']);

    expect(approveBefore.code).toBe(1);
    expect(approveBefore.err).toMatch(
      /still has the layout from before account\/region folders .*Let the deployed detector run once, or run `cognito-drift check`/,
    );
    expect(diffBefore.code).toBe(1);
    expect(diffBefore.err).toMatch(/still has the layout from before account\/region folders/);
    expect(check.err).toMatch(
      new RegExp(`^Moved 3 documents of the former layout .* to account ${SELF}, region ${HOME}`),
    );
    // Compared with the carried-over baseline: the drift is found, not recorded as a new baseline.
    expect(check.code).toBe(2);
    expect(check.out).toContain('MfaConfiguration: ON -> OFF');
    expect(approved.code).toBe(0);
    expect(JSON.parse(await baselineFile(SELF, HOME)).pool.config.MfaConfiguration).toBe('OFF');
    // The old file stays where it was.
    expect(await readFile(join(dir, `${poolId}.json`), 'utf-8')).toBe(flatBaseline);
  });
});

describe('credentials of other accounts', () => {
  it('never appear in the output, logs or errors (canary)', async () => {
    const accounts = ['--accounts', `${SELF},${OTHER},${NO_ROLE}`, '--regions', `${HOME},${AWAY},af-south-1`];
    standin.organization.setRole(NO_ROLE, null);
    await cli(['check', ...accounts, '--verbose'], { stderrIsTTY: true });
    standin.target(OTHER, AWAY).updatePool(poolOf(OTHER, AWAY), { config: { MfaConfiguration: 'OFF' } });
    await cli(['check', ...accounts, '--verbose']);
    await cli(['diff', ...accounts, '--json', '--verbose']);
    await cli(['approve', '--pool', poolOf(OTHER, AWAY), '--yes']);
    standin.organization.setRole(NO_ROLE, 'CognitoDriftMemberRole');

    // The secrets were issued and used: the other account's pool was read with them and approved.
    const secrets = standin.organization.issuedSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(await baselineFile(OTHER, AWAY)).pool.config.MfaConfiguration).toBe('OFF');
    const all = printed.join('\n');
    expect(all).toContain('scan incomplete: cannot assume role in 333333333333');
    for (const secret of [...secrets, 'caller-secret-not-printed']) expect(all).not.toContain(secret);
  });
});
