/**
 * A pool too large to read in one Lambda invocation (client reads within one pool are limited to
 * 5 per second) is finished by the next invocation, which goes on from the clients already read
 * instead of starting over. Real SDK client and reader, over the wire, against the Cognito stand-in.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoReader } from '../../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../../lambda/adapters/drift-store.js';
import { keys } from '../../lambda/core/documents.js';
import { type RunResult, runDetection } from '../../lambda/run/detector.js';
import { CognitoStandin } from '../support/cognito-standin.js';
import { MemoryDocumentStore } from '../support/memory-document-store.js';

const CLIENTS = 80;
/**
 * Reads per second of one operation within the pool (Cognito limits each operation on one pool, not
 * the category): 80 clients need 80 DescribeUserPoolClient reads, 4 s at 20/s.
 */
const PER_POOL_RATE = 20;

describe('a pool larger than one invocation', () => {
  let standin: CognitoStandin;
  let client: CognitoIdentityProviderClient;
  let poolId: string;

  beforeAll(async () => {
    standin = await CognitoStandin.start({
      latencyMs: 0,
      userPoolReadRps: 1_000,
      clientReadRps: 1_000,
      perPoolClientReadRps: PER_POOL_RATE,
    });
    poolId = standin.addPool({
      name: 'huge-pool',
      clients: Array.from({ length: CLIENTS }, (_, i) => ({ name: `client-${i}` })),
    });
    client = new CognitoIdentityProviderClient(standin.clientConfig({ maxAttempts: 8 }));
  });

  afterAll(async () => {
    client?.destroy();
    await standin?.stop();
  });

  /** One Lambda invocation with `budgetMs` of run time, or no limit. */
  async function invoke(
    documents: MemoryDocumentStore,
    budgetMs?: number,
    runId?: string,
    sdkClient = client,
  ): Promise<RunResult> {
    return runDetection(
      {
        reader: new CognitoReader({
          client: sdkClient,
          quotaShare: 1,
          quotas: { userPoolRead: 1_000, userPoolClientRead: 1_000, perPoolClientRead: PER_POOL_RATE },
        }),
        store: new DriftStore(documents),
        notifier: { publish: async () => {} },
        logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        now: () => new Date(),
      },
      {
        accountId: '123456789012',
        region: 'us-east-1',
        reminderIntervalMs: 86_400_000,
        approveCommand: (id) => `approve ${id}`,
        // The remaining time reads the same at every check, so the pool always starts, however slow
        // the machine; the detector's own timer abandons it at half the margin before the budget
        // ends (2.5 s in). The pool's rate limit (80 reads of one operation at 20/s, one second of
        // burst) makes finishing it in under 3 s impossible, so the abort always lands part-way.
        remainingTimeMs: budgetMs === undefined ? undefined : () => budgetMs,
        safetyMarginMs: budgetMs === undefined ? 0 : 1_000,
        poolConcurrency: 2,
        maxRunAgeMs: 3_600_000,
        mode: { kind: 'sweep', alerts: 'delivered', ...(runId ? { runId } : {}) },
      },
    );
  }

  it('is finished by the next invocation, which reads only the clients not read yet', async () => {
    const documents = new MemoryDocumentStore();
    // The second invocation signs with its own key: its reads are counted by key, so a read the
    // first one abandoned that reaches the stand-in late is not counted as the second's.
    const second = new CognitoIdentityProviderClient(
      standin.clientConfig({
        maxAttempts: 8,
        credentials: { accessKeyId: 'AKIASECONDINVOCATION', secretAccessKey: 'second-secret-key' },
      }),
    );
    const describedBySecond = () =>
      standin.requests.filter(
        (r) => r.operation === 'DescribeUserPoolClient' && r.accessKeyId === 'AKIASECONDINVOCATION',
      ).length;

    const first = await invoke(documents, 3_000);
    const saved = JSON.parse(documents.objects.get(keys.run)?.body ?? '{}');
    const savedClients: number = saved.partials?.[poolId]?.clients.length ?? 0;

    expect(first.done).toBe(false);
    expect(savedClients).toBeGreaterThan(0);
    expect(savedClients).toBeLessThan(CLIENTS);

    const finishing = await invoke(documents, undefined, first.runId, second);
    second.destroy();

    expect(finishing).toMatchObject({ runId: first.runId, done: true, clientsScanned: CLIENTS });
    expect(describedBySecond()).toBe(CLIENTS - savedClients);
    const finished = JSON.parse(documents.objects.get(keys.run)?.body ?? '{}');
    expect(finished.partials?.[poolId]).toBeUndefined();
    const baseline = JSON.parse(documents.objects.get(keys.baseline(poolId))?.body ?? '{}');
    expect(Object.keys(baseline.pool.clients)).toHaveLength(CLIENTS);
  });
});
