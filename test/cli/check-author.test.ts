import { describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.js';
import { ACCOUNT, BUCKET, fakeIo, POOL_A, REGION, useCloudTrailStandin } from '../support/cli-harness.js';

const S3 = ['--bucket', BUCKET, '--region', REGION];
const { aws, trail } = useCloudTrailStandin();

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

/** The baseline recorded at T0, then MFA switched off; the clock (Date only) set to T0 + 10 minutes. */
async function baselineThenMfaOff(): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  aws.cognito.addPool(POOL_A);
  expect(await main(['check', ...S3], fakeIo())).toBe(0);
  aws.account.updatePool(POOL_A, { MfaConfiguration: 'OFF' });
  vi.setSystemTime(T0 + 10 * 60_000);
}

describe('cognito-drift check names the author of a change', () => {
  it('from CloudTrail, when it has the event', async () => {
    await baselineThenMfaOff();
    trail().recordWrite({
      eventName: 'SetUserPoolMfaConfig',
      // After the baseline was recorded (a write before it made none of the drift).
      time: new Date(T0 + 5 * 60_000),
      user: 'mallory',
      requestParameters: { userPoolId: POOL_A, mfaConfiguration: 'OFF' },
    });
    const io = fakeIo();

    const code = await main(['check', ...S3], io);

    expect(code).toBe(2);
    expect(io.out()).toContain(`by arn:aws:iam::${ACCOUNT}:user/mallory (SetUserPoolMfaConfig`);
    expect(trail().calls.LookupEvents ?? 0).toBeGreaterThan(0);
  });

  it('says "author unknown (why)" when CloudTrail cannot be read', async () => {
    await baselineThenMfaOff();
    trail().failNext({ operation: 'LookupEvents', error: 'AccessDeniedException', times: 20 });
    const io = fakeIo();

    const code = await main(['check', ...S3], io);

    expect(code).toBe(2);
    expect(io.out()).toContain('author unknown (CloudTrail lookup failed: AccessDeniedException');
  });
});
