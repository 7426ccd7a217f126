import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient, ListGroupsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CognitoReader } from '../../../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import type { ListedObject, PoolReader } from '../../../lambda/core/ports.js';
import { runDetection } from '../../../lambda/run/detector.js';
import { SURFACE_NAMES } from '../../../lambda/surfaces/selection.js';
import { TEST_DIGEST_KEY } from '../../support/digest-key.js';
import { DetectorHarness, defaultOptions, FakeAccount, REGION } from '../../support/fake-aws.js';
import { putRole, webIdentityTrust } from '../../support/reference-seeds.js';

/**
 * What a run holds does not grow with the account (issue 18 item 5): once a pool is evaluated, the
 * run keeps its outcome (hashes, counts, findings) and nothing of its read: not its snapshot, not
 * the responses its surfaces shared (its groups), not its entry of the baseline listing.
 *
 * Retention is observed, not timed: weak references to what each pool's read produced, checked
 * after a full garbage collection (Node's `--expose-gc`, turned on here as Jest's leak detector
 * does). A collection only frees what nothing references, so a reference kept anywhere fails it.
 */

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const POOLS = 6;

/** The pools' groups hand out IAM roles: the groups and IAM roles surfaces both need a pool's groups. */
function seedAccount(aws: FakeAccount): string[] {
  return Array.from({ length: POOLS }, (_, i) => {
    const roleArn = `arn:aws:iam::123456789012:role/admins-${i}`;
    putRole(aws.catalogItems, roleArn, {
      inline: {},
      trust: webIdentityTrust('cognito-identity.amazonaws.com'),
    });
    const pool = aws.addPool({
      name: `pool-${i}`,
      groups: [{ name: 'admins', roleArn }, { name: 'readers' }],
      identityProviders: [
        {
          name: 'Corp',
          type: 'OIDC',
          details: {
            client_id: `corp-${i}`,
            client_secret: `secret-${i}`,
            oidc_issuer: 'https://idp.example.com',
            authorize_scopes: 'openid',
            attributes_request_method: 'GET',
          },
        },
      ],
    });
    aws.addClient(pool.poolId, { name: `web-${i}` });
    return pool.poolId;
  });
}

describe('what a run keeps of each pool', () => {
  let aws: FakeAccount;
  let poolIds: string[];

  beforeEach(() => {
    aws = new FakeAccount();
    poolIds = seedAccount(aws);
  });

  afterEach(() => aws.restore());

  it("reads a pool's groups once for both surfaces that need them, and keeps them no longer than the pool's read", async () => {
    const reader = new CognitoReader({
      client: new CognitoIdentityProviderClient({ region: REGION }),
      iamClient: new IAMClient({ region: REGION }),
      digestKey: TEST_DIGEST_KEY,
      surfaces: ['groups', 'iamRoles'],
      quotaShare: 1,
    });
    const [poolId] = poolIds as [string];
    const groupReads = () => aws.cognito.commandCalls(ListGroupsCommand, { UserPoolId: poolId }).length;

    const first = await reader.readPool({ poolId, poolName: 'pool-0' });
    expect(first.status).toBe('ok');
    const surfaces = first.status === 'ok' ? first.pool.surfaces : undefined;
    expect(Object.keys(surfaces?.groups ?? {}).sort()).toEqual(['admins', 'readers']);
    expect(Object.keys(surfaces?.iamRoles ?? {})).toEqual(['arn:aws:iam::123456789012:role/admins-0']);
    expect(groupReads()).toBe(1);

    // The reader serves the whole run: had it kept the pool's groups, this read would not ask again.
    const again = await reader.readPool({ poolId, poolName: 'pool-0' });
    expect(again).toEqual(first);
    expect(groupReads()).toBe(2);
  });

  it('holds no evaluated pool’s snapshot or listed baseline while it reads the next pools', async () => {
    const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    await harness.run();
    // Drift in every pool: the second run's outcomes carry findings, as a redeployed account's would.
    for (const poolId of poolIds) {
      aws.updatePool(poolId, { DeletionProtection: 'INACTIVE' });
      aws.updateGroup(poolId, 'readers', { precedence: 7 });
    }

    // The reader the harness runs with: every surface, every client.
    const inner = new CognitoReader({
      client: new CognitoIdentityProviderClient({ region: REGION }),
      identityClient: new CognitoIdentityClient({ region: REGION }),
      wafClient: new WAFV2Client({ region: REGION }),
      lambdaClient: new LambdaClient({ region: REGION }),
      iamClient: new IAMClient({ region: REGION }),
      kmsClient: new KMSClient({ region: REGION }),
      digestKey: TEST_DIGEST_KEY,
      surfaces: SURFACE_NAMES,
      quotaShare: 1,
      quotas: { userPoolRead: 1e6, userPoolClientRead: 1e6, perPoolClientRead: 1e6 },
    });
    const snapshots = new Map<string, WeakRef<object>>();
    const reader: PoolReader = {
      surfaceNames: inner.surfaceNames,
      listPools: () => inner.listPools(),
      listIdentityPools: () => inner.listIdentityPools(),
      async readPool(ref, signal, resume) {
        const read = await inner.readPool(ref, signal, resume);
        if (read.status === 'ok') snapshots.set(ref.poolId, new WeakRef(read.pool));
        // A turn of the event loop: weak references made before it no longer hold their targets.
        await new Promise((resolve) => setImmediate(resolve));
        return read;
      },
    };
    const store = new DriftStore(harness.store.documents);
    const listed = new Map<string, WeakRef<ListedObject>>();
    const listBaselines = store.listBaselines.bind(store);
    store.listBaselines = async () => {
      const baselines = await listBaselines();
      for (const [poolId, object] of baselines) listed.set(poolId, new WeakRef(object));
      return baselines;
    };
    const heldAfter: { done: number; snapshots: string[]; listed: string[] }[] = [];

    const result = await runDetection(
      {
        reader,
        store,
        notifier: { publish: async () => {} },
        logger: harness.logger,
        now: harness.clock.now,
      },
      {
        ...defaultOptions(),
        poolConcurrency: 1,
        onProgress: (done) => {
          collectGarbage();
          const alive = (refs: Map<string, WeakRef<object>>) =>
            [...refs].filter(([, ref]) => ref.deref() !== undefined).map(([poolId]) => poolId);
          heldAfter.push({ done, snapshots: alive(snapshots), listed: alive(listed) });
        },
      },
    );

    // The run was complete and found what was planted, so every pool was read and evaluated.
    expect(result.done).toBe(true);
    expect(result.pools.map((p) => p.findings.length)).toEqual(poolIds.map(() => 2));
    expect(snapshots.size).toBe(POOLS);
    expect(listed.size).toBe(POOLS);
    // After each pool (read one at a time, in the run's order), nothing of the pools evaluated so
    // far is held: not their reads (each snapshot is recorded and compared, its outcome kept), not
    // their listed baselines (their versions are in their outcomes). The pools still to read keep
    // theirs, and a pool's own read is gone by the time its outcome is recorded.
    const order = [...poolIds].sort();
    expect(heldAfter).toEqual(
      order.map((_, i) => ({ done: i + 1, snapshots: [], listed: order.slice(i + 1) })),
    );
  });
});
