import { DescribeIdentityProviderCommand } from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../lambda/adapters/eventbridge-publisher.js';
import { SecurityHubPublisher } from '../../lambda/adapters/securityhub-publisher.js';
import type { FindingSink, SinkReport } from '../../lambda/core/finding-sinks.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import { DetectorHarness, FakeAccount, type FakePool, serialize } from '../support/fake-aws.js';
import { addCustomers, watchedAccount } from './watched-account.js';

/** A sink that records each report and how many alerts had been published when it got it. */
function recordingSink(aws: FakeAccount, fail = false) {
  const calls: { report: SinkReport; publishedBefore: number }[] = [];
  const sink: FindingSink = {
    name: 'recording',
    async publish(report) {
      calls.push({ report: structuredClone(report), publishedBefore: aws.published.length });
      if (fail) throw new Error('sink unavailable');
    },
  };
  return { sink, calls };
}

describe('the finding sinks in a run', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;

  beforeEach(async () => {
    ({ aws, harness, pool } = await watchedAccount(addCustomers));
  });
  afterEach(() => aws.restore());

  it('get each alerted drift once, after its alert went out, and the pool again when it is resolved', async () => {
    const { sink, calls } = recordingSink(aws);
    harness.sinks = [sink];

    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    const alerted = await harness.run();
    const quiet = await harness.run();
    await harness.approve(pool.poolId);
    const resolved = await harness.run();

    expect(alerted.sent).toHaveLength(1);
    expect(quiet.sent).toHaveLength(0);
    expect(resolved.sent.map((m) => m.Subject)).toEqual([expect.stringContaining('Resolved')]);
    expect(calls).toHaveLength(2);
    const [drift, resolution] = calls;
    expect(drift?.publishedBefore).toBeGreaterThan(0);
    expect(drift?.report.drifts).toHaveLength(1);
    expect(drift?.report.drifts[0]).toMatchObject({
      poolId: pool.poolId,
      poolName: 'customers',
      status: 'new',
    });
    expect(drift?.report.drifts[0]?.findings.map((f) => [f.path, f.before, f.after])).toEqual([
      ['MfaConfiguration', 'ON', 'OFF'],
    ]);
    expect(resolution?.report.drifts).toEqual([]);
    expect(resolution?.report.resolved).toEqual([{ poolId: pool.poolId, poolName: 'customers' }]);
  });

  it('never fail the run when they fail, and the alert is not sent again', async () => {
    const failing = recordingSink(aws, true);
    const after = recordingSink(aws);
    harness.sinks = [failing.sink, after.sink];

    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    const alerted = await harness.run();
    const next = await harness.run();

    expect(alerted.done).toBe(true);
    expect(alerted.sent).toHaveLength(1);
    expect(after.calls).toHaveLength(1);
    expect(next.sent).toHaveLength(0);
    expect(harness.logger.text()).toContain('A finding sink failed');
    expect(harness.logger.text()).toContain('sink unavailable');
  });

  it('get nothing when the alert is not delivered (an organization target, delivered later)', async () => {
    const { sink, calls } = recordingSink(aws);
    harness.sinks = [sink];

    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    await harness.run({ mode: { kind: 'sweep', alerts: 'pending' } });

    expect(calls).toEqual([]);
  });
});

describe('identity provider secrets and the finding sinks', () => {
  const CANARY = {
    oidc: 'CANARY-OIDC-SECRET-4d5e6f',
    rotated: 'CANARY-ROTATED-SECRET-a1b2c3',
    backdoor: 'CANARY-BACKDOOR-77aa',
  };
  const events = mockClient(EventBridgeClient);
  const hub = mockClient(SecurityHubClient);
  let aws: FakeAccount;
  afterEach(() => {
    events.reset();
    hub.reset();
    aws.restore();
  });

  it('reach no EventBridge event and no Security Hub finding, though they were read and changed', async () => {
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
    hub.on(GetFindingsCommand).resolves({ Findings: [] });
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 2 });
    aws = new FakeAccount();
    const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    const pool = aws.addPool({
      name: 'customers',
      identityProviders: [
        {
          name: 'Okta',
          type: 'OIDC',
          details: { client_id: 'okta', client_secret: CANARY.oidc, oidc_issuer: 'https://okta.example.com' },
        },
      ],
    });
    await harness.run();
    harness.sinks = [
      new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'aws'),
      new SecurityHubPublisher(new SecurityHubClient({ region: 'us-east-1' }), 'aws', harness.clock.now),
    ];
    aws.updateIdentityProvider(pool.poolId, 'Okta', { details: { client_secret: CANARY.rotated } });
    aws.addIdentityProvider(pool.poolId, {
      name: 'Backdoor',
      type: 'OIDC',
      details: { client_id: 'x', client_secret: CANARY.backdoor, oidc_issuer: 'https://evil.example' },
    });
    await harness.run();

    const served = serialize(
      await Promise.all(aws.cognito.commandCalls(DescribeIdentityProviderCommand).map((c) => c.returnValue)),
    );
    for (const value of Object.values(CANARY)) expect(served).toContain(value);
    const put = events.commandCalls(PutEventsCommand).map((c) => serialize(c.args[0].input));
    const imported = hub.commandCalls(BatchImportFindingsCommand).map((c) => serialize(c.args[0].input));
    expect(put.join('')).toContain('ProviderDetails.client_secret: secret changed (value not shown)');
    expect(imported.join('')).toContain('ProviderDetails.client_secret: secret changed (value not shown)');
    for (const text of [...put, ...imported]) {
      expect(text).not.toContain('CANARY-');
      expect(text).not.toContain('secret-sha256:');
    }
  });
});
