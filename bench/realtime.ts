/**
 * Issue 9 scenarios for `npm run bench`:
 * - time to alert on the real-time path: a 200-pool account on the Cognito stand-in at real quotas,
 *   one client changed in a 10-client pool, its CloudTrail event fed to the targeted path; time from
 *   the event to Publish, and the Cognito calls made. The debounce window is injected as 0 and
 *   reported as "window + X": the window is a plain wait, measuring it would only measure a timer.
 * - attribution cost: a sweep's findings in 20 pools attributed by the CloudTrail reader against the
 *   CloudTrail stand-in at 2 requests/s: LookupEvents calls and the time they add.
 */
import { performance } from 'node:perf_hooks';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CloudTrailReader } from '../lambda/adapters/cloudtrail-reader.js';
import { CognitoReader } from '../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../lambda/adapters/drift-store.js';
import type { AttributionRequest } from '../lambda/core/attribution.js';
import type { AlertMessage, Logger } from '../lambda/core/ports.js';
import { type Finding, Severity } from '../lambda/core/types.js';
import { handleApiEvent } from '../lambda/realtime/targeted-check.js';
import { runDetection } from '../lambda/run/detector.js';
import { CloudTrailStandin } from '../test/support/cloudtrail-standin.js';
import { CognitoStandin } from '../test/support/cognito-standin.js';
import { MemoryDocumentStore } from '../test/support/memory-document-store.js';
import { describedClients } from './full-surface.js';
import { callsPerScan } from './scan.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface TimeToAlertResult {
  pools: number;
  clients: number;
  /** Event handed to the path -> Publish returned, with the window injected as 0. */
  seconds: number;
  cognitoCalls: number;
  sweepCalls: number;
  alerts: number;
  namesAuthor: boolean;
  listUserPoolsCalls: number;
}

export async function timeToAlert(options: {
  pools: number;
  clients: number;
  latencyMs: number;
  share: number;
}) {
  const standin = await CognitoStandin.start({ latencyMs: 0, quotas: false, seed: 9 });
  const client = new CognitoIdentityProviderClient(standin.clientConfig({ maxAttempts: 8 }));
  try {
    const poolIds = standin.seed(options.pools, 1);
    const target = poolIds[Math.floor(poolIds.length / 2)] as string;
    for (let i = 1; i < options.clients; i++) standin.addClient(target, { name: `extra-${i}` });
    const store = new DriftStore(new MemoryDocumentStore());
    const messages: { at: number; message: AlertMessage }[] = [];
    const notifier = {
      publish: async (message: AlertMessage) => void messages.push({ at: performance.now(), message }),
    };
    const common = {
      accountId: standin.accountId,
      region: standin.region,
      reminderIntervalMs: 24 * 3_600_000,
      approveCommand: (poolId: string) => `npm run approve -- --pool ${poolId}`,
      safetyMarginMs: 90_000,
      maxRunAgeMs: 6 * 3_600_000,
    };
    // The baseline, recorded fast (quotas off): not what is measured.
    const fast = new CognitoReader({
      client,
      quotaShare: 1,
      quotas: { userPoolRead: 1e4, userPoolClientRead: 1e4, perPoolClientRead: 1e4 },
    });
    await runDetection(
      { reader: fast, store, notifier, logger: silent, now: () => new Date() },
      { ...common, poolConcurrency: 16 },
    );
    messages.length = 0;

    // Now the real quotas and latency, and a change made by someone in the console.
    standin.configure({ quotas: true, latencyMs: options.latencyMs });
    const clientId = standin.clientIds(target)[3] as string;
    standin.updateClient(target, clientId, {
      config: { CallbackURLs: ['https://login.evil.example.net/cb'] },
    });
    standin.resetStats();
    const reader = new CognitoReader({ client, quotaShare: options.share });
    const event = {
      'detail-type': 'AWS API Call via CloudTrail' as const,
      source: 'aws.cognito-idp',
      detail: {
        userIdentity: {
          type: 'IAMUser',
          arn: `arn:aws:iam::${standin.accountId}:user/mallory`,
          userName: 'mallory',
        },
        eventTime: new Date().toISOString(),
        eventSource: 'cognito-idp.amazonaws.com',
        eventName: 'UpdateUserPoolClient',
        sourceIPAddress: '198.51.100.7',
        userAgent: 'console.amazonaws.com',
        requestParameters: { userPoolId: target, clientId },
        eventID: '5b1c0de0-0000-4000-8000-000000000009',
      },
    };
    const started = performance.now();
    await handleApiEvent(
      event,
      { reader, store, notifier, logger: silent, now: () => new Date(), sleep: async () => undefined },
      { ...common, poolConcurrency: reader.poolConcurrency, debounceMs: 0 },
    );
    const sweep = callsPerScan(standin.poolIds().map((poolId) => describedClients(standin, poolId)));
    return {
      pools: options.pools,
      clients: options.clients,
      seconds: ((messages[0]?.at ?? Number.NaN) - started) / 1000,
      cognitoCalls: standin.stats.totalCalls,
      // The account as seeded: 199 pools of 1 client and one of `clients`.
      sweepCalls: sweep.poolReads + sweep.clientReads,
      alerts: messages.length,
      namesAuthor: messages[0]?.message.body.includes('by arn:aws:iam::') ?? false,
      listUserPoolsCalls: standin.stats.calls.ListUserPools ?? 0,
    } satisfies TimeToAlertResult;
  } finally {
    client.destroy();
    await standin.stop();
  }
}

export interface AttributionCostResult {
  pools: number;
  share: number;
  calls: number;
  seconds: number;
  attributed: number;
  findings: number;
  throttled: number;
}

/** Findings in `pools` pools (half client changes, half MFA), 150 unrelated events as noise. */
export async function attributionCost(options: {
  pools: number;
  share: number;
}): Promise<AttributionCostResult> {
  const standin = await CloudTrailStandin.start({ lookupRps: 2 });
  const client = new CloudTrailClient(standin.clientConfig({ maxAttempts: 8 }));
  try {
    const now = new Date();
    const since = new Date(now.getTime() - 2 * 3_600_000).toISOString();
    const requests: AttributionRequest[] = [];
    for (let i = 0; i < options.pools; i++) {
      const poolId = `us-east-1_Bench${String(i).padStart(4, '0')}`;
      const time = new Date(now.getTime() - (i + 1) * 60_000);
      const base = { poolId, poolName: `pool-${i}`, severity: Severity.HIGH, rule: 'bench' };
      const finding: Finding =
        i % 2 === 0
          ? {
              ...base,
              kind: 'field-changed',
              clientId: `client${i}`,
              clientName: 'web',
              path: 'CallbackURLs',
              before: null,
              after: 'x',
            }
          : { ...base, kind: 'field-changed', path: 'MfaConfiguration', before: 'ON', after: 'OFF' };
      standin.recordWrite({
        eventName: i % 2 === 0 ? 'UpdateUserPoolClient' : 'SetUserPoolMfaConfig',
        time,
        requestParameters:
          i % 2 === 0 ? { userPoolId: poolId, clientId: `client${i}` } : { userPoolId: poolId },
      });
      requests.push({ poolId, findings: [finding], since });
    }
    for (let i = 0; i < 150; i++)
      standin.recordWrite({
        eventName: 'UpdateUserPoolClient',
        time: new Date(now.getTime() - i * 30_000),
        requestParameters: { userPoolId: 'us-east-1_Elsewhere', clientId: `n${i}` },
      });
    const reader = new CloudTrailReader({ client, quotaShare: options.share, now: () => now });
    const started = performance.now();
    const result = await reader.attribute(requests);
    const seconds = (performance.now() - started) / 1000;
    const attributed = [...result.values()].flat().filter((a) => a.kind === 'event').length;
    return {
      pools: options.pools,
      share: options.share,
      calls: standin.calls.LookupEvents ?? 0,
      seconds,
      attributed,
      findings: requests.length,
      throttled: standin.throttled,
    };
  } finally {
    client.destroy();
    await standin.stop();
  }
}

export interface AttributionFloodResult {
  resourcesRecorded: boolean;
  calls: number;
  seconds: number;
  attributed: boolean;
  throttled: number;
}

/**
 * Issue 17 (5): one pool's change, then 800 updates of another pool, at the documented 2 lookups/s.
 * `resourcesRecorded`: whether the records name their pool (so a resource lookup finds them).
 */
export async function attributionFlood(options: {
  resourcesRecorded: boolean;
}): Promise<AttributionFloodResult> {
  const standin = await CloudTrailStandin.start({ lookupRps: 2 });
  const client = new CloudTrailClient(standin.clientConfig({ maxAttempts: 8 }));
  try {
    const now = new Date();
    const target = 'us-east-1_FloodTarget';
    const other = 'us-east-1_FloodOther0';
    const resources = (poolId: string) =>
      options.resourcesRecorded ? { resources: [{ type: 'AWS::Cognito::UserPool', name: poolId }] } : {};
    standin.recordWrite({
      eventName: 'UpdateUserPool',
      time: new Date(now.getTime() - 60 * 60_000),
      requestParameters: { userPoolId: target },
      ...resources(target),
    });
    for (let i = 0; i < 800; i++)
      standin.recordWrite({
        eventName: 'UpdateUserPool',
        time: new Date(now.getTime() - (50 * 60_000 - i * 3_000)),
        user: 'automation',
        requestParameters: { userPoolId: other },
        ...resources(other),
      });
    const finding: Finding = {
      kind: 'field-changed',
      poolId: target,
      poolName: 'target',
      path: 'DeletionProtection',
      before: 'ACTIVE',
      after: 'INACTIVE',
      severity: Severity.HIGH,
      rule: 'bench',
    };
    const reader = new CloudTrailReader({ client, quotaShare: 1, now: () => now });
    const started = performance.now();
    const result = await reader.attribute([
      { poolId: target, findings: [finding], since: new Date(now.getTime() - 2 * 3_600_000).toISOString() },
    ]);
    return {
      resourcesRecorded: options.resourcesRecorded,
      calls: standin.calls.LookupEvents ?? 0,
      seconds: (performance.now() - started) / 1000,
      attributed: result.get(target)?.[0]?.kind === 'event',
      throttled: standin.throttled,
    };
  } finally {
    client.destroy();
    await standin.stop();
  }
}
