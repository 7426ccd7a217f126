import type { UserPoolClientType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { DetectorHarness, FakeAccount } from '../support/fake-aws.js';

/**
 * A setting Cognito adds later reaches the diff with no code change: once the SDK knows the field
 * (update the pinned SDK), the reader passes it on, normalization keeps what it does not know, and
 * the diff reports it. The stubbed client here returns the field as an updated SDK would.
 */
describe('a field this code has never heard of', () => {
  it('in a pool and in a client, flows through to the findings and the alert', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool({ name: 'customers' });
    const web = aws.addClient(pool.poolId, { name: 'web' });
    await harness.run();

    aws.updatePool(pool.poolId, { FutureRiskSetting: { Mode: 'AUDIT' } } as UserPoolType);
    aws.updateClient(pool.poolId, web.clientId, { FutureClientFlag: true } as UserPoolClientType);
    const result = await harness.run();

    const findings = result.pools.flatMap((p) => p.findings);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'field-changed', path: 'FutureRiskSetting.Mode', after: 'AUDIT' }),
        expect.objectContaining({ kind: 'field-changed', path: 'FutureClientFlag', clientId: web.clientId }),
      ]),
    );
    expect(result.sent[0]?.Message).toContain('FutureRiskSetting.Mode: (not set) -> AUDIT');
  });
});
