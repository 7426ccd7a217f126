import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoReader } from '../../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../../lambda/adapters/drift-store.js';
import type { QuotaCategory } from '../../lambda/adapters/quotas.js';
import { runDetection } from '../../lambda/run/detector.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import { CognitoStandin } from '../support/cognito-standin.js';
import { TEST_DIGEST_KEY } from '../support/digest-key.js';
import { defaultOptions, RecordingLogger } from '../support/fake-aws.js';
import { MemoryDocumentStore } from '../support/memory-document-store.js';

/** Rates high enough that neither side paces or throttles noticeably. */
const FAST = 5_000;
const CATEGORIES: QuotaCategory[] = [
  'UserPoolRead',
  'UserPoolClientRead',
  'UserPoolResourceRead',
  'IdentityPool.ListIdentityPools',
  'IdentityPool.DescribeIdentityPool',
  'IdentityPool.GetIdentityPoolRoles',
  'WAFv2.GetWebACLForResource',
];

describe('a full-surface scan over the wire', () => {
  let standin: CognitoStandin;

  beforeAll(async () => {
    standin = await CognitoStandin.start({
      latencyMs: 5,
      quotaOverrides: Object.fromEntries(
        CATEGORIES.map((c) => [c, { rps: FAST, perPoolPerOperationRps: FAST }]),
      ),
    });
    standin.seedFullSurface({ pools: 10, clientsPerPool: 3, identityPools: 2 });
  });
  afterAll(async () => standin?.stop());

  it('reads many pools at once with no MaxListenersExceededWarning on the run’s shared abort signal', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const reader = new CognitoReader({
        client: new CognitoIdentityProviderClient(standin.clientConfig()),
        digestKey: TEST_DIGEST_KEY,
        identityClient: new CognitoIdentityClient(standin.identityClientConfig()),
        wafClient: new WAFV2Client(standin.wafClientConfig()),
        surfaces: SURFACE_NAMES,
        quotaShare: 1,
        quotas: { userPoolRead: FAST, userPoolClientRead: FAST, perPoolClientRead: FAST },
        categoryRps: Object.fromEntries(CATEGORIES.map((c) => [c, FAST])),
      });
      const result = await runDetection(
        {
          reader,
          store: new DriftStore(new MemoryDocumentStore()),
          notifier: { publish: async () => {} },
          logger: new RecordingLogger(),
          now: () => new Date(),
        },
        { ...defaultOptions(), poolConcurrency: 8 },
      );
      await new Promise((resolve) => setImmediate(resolve));

      expect(result.readProblems).toEqual([]);
      expect(result.poolsScanned).toBe(12);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
