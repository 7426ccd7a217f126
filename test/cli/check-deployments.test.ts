import { describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.js';
import { baselineDocSchema, keys } from '../../lambda/core/documents.js';
import { at, BUCKET, fakeIo, POOL_A, REGION, useCloudTrailStandin } from '../support/cli-harness.js';

/**
 * Deployments versus tampering, end to end: `check` with the Lambda's engine, CloudTrail served by
 * the stand-in over HTTP, the pool tagged by its stack as CloudFormation tags it.
 */

const S3 = ['--bucket', BUCKET, '--region', REGION];
const STACK = 'auth-prod';
const { aws, trail } = useCloudTrailStandin();

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
/** A LOW change by the severity rules (a message text): the rules alone would not make it HIGH. */
const SUBJECT = { EmailVerificationSubject: 'Your sign-in code' };

/** POOL_A, managed by stack auth-prod, baselined at T0; the clock then at T0 + 10 minutes. */
async function stackPoolBaselined(): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  aws.cognito.addPool(POOL_A, { UserPoolTags: { 'aws:cloudformation:stack-name': STACK, team: 'identity' } });
  expect(await main(['check', ...S3], fakeIo())).toBe(0);
  vi.setSystemTime(T0 + 10 * 60_000);
}

/** The stack's deployment changes the verification subject: CloudFormation's UpdateUserPool at T0 + 5 min. */
function deploySubject(): string {
  aws.account.updatePool(POOL_A, SUBJECT);
  return trail().recordDeployment({
    eventName: 'UpdateUserPool',
    time: new Date(T0 + 5 * 60_000),
    requestParameters: { userPoolId: POOL_A, emailVerificationSubject: 'Your sign-in code' },
  }).eventID;
}

/** Mallory changes the same subject from the console (UpdateUserPool at T0 + 5 min), `as` the record says. */
function consoleSubject(as: { userAgent?: string } = {}): void {
  aws.account.updatePool(POOL_A, SUBJECT);
  trail().recordWrite({
    eventName: 'UpdateUserPool',
    time: new Date(T0 + 5 * 60_000),
    user: 'mallory',
    requestParameters: { userPoolId: POOL_A },
    ...as,
  });
}

describe('check tells CloudFormation deployments from tampering', () => {
  it("labels a change a CloudFormation deployment made with the pool's stack, and alerts it by default", async () => {
    await stackPoolBaselined();
    const eventId = deploySubject();
    const io = fakeIo();

    const code = await main(['check', ...S3], io);

    expect(code).toBe(2);
    expect(io.out()).toContain(`deployed by stack ${STACK} (CloudTrail event ${eventId})`);
    expect(io.out()).toMatch(
      /by arn:aws:sts::\d+:assumed-role\/cdk-[\w-]+\/AWSCloudFormation .*\(UpdateUserPool/,
    );
    expect(io.out()).toContain('[LOW] EmailVerificationSubject');
    expect(io.out()).not.toContain('changed outside its stack');
  });

  it('with deployedChanges=approve records the new baseline without an alert, approved by the stack and the event, shown in history', async () => {
    await stackPoolBaselined();
    const eventId = deploySubject();
    const baselineKey = at(keys.baseline(POOL_A));
    const before = aws.s3.versions(baselineKey).length;
    const io = fakeIo();

    const code = await main(['check', ...S3, '--deployed-changes', 'approve'], io);

    expect(code).toBe(0);
    expect(io.out()).not.toContain('drift:');
    expect(io.out()).toContain(`deployed by stack ${STACK} (CloudTrail event ${eventId})`);
    expect(aws.s3.versions(baselineKey)).toHaveLength(before + 1);
    // The stored baseline is of the one format every release reads: approvedBy is its plain string.
    const stored = baselineDocSchema.parse(JSON.parse(aws.s3.body(baselineKey) ?? ''));
    expect(stored.approvedBy).toBe(`CloudFormation stack ${STACK} (CloudTrail event ${eventId})`);
    expect(stored.pool?.config.EmailVerificationSubject).toBe(SUBJECT.EmailVerificationSubject);
    // Nothing left to alert: the deployed state is the baseline.
    expect(await main(['check', ...S3], fakeIo())).toBe(0);

    const history = fakeIo();
    expect(await main(['history', '--pool', POOL_A, ...S3], history)).toBe(0);
    expect(history.out()).toContain(`by CloudFormation stack ${STACK} (CloudTrail event ${eventId})`);
    expect(history.out()).toContain('deployed by CloudFormation stack auth-prod (UpdateUserPool');
  });

  it('alerts a console change to the same pool as "changed outside its stack" at HIGH, and never approves it', async () => {
    await stackPoolBaselined();
    consoleSubject();
    const baselineKey = at(keys.baseline(POOL_A));
    const before = aws.s3.body(baselineKey);
    const io = fakeIo();

    const code = await main(['check', ...S3, '--deployed-changes', 'approve'], io);

    expect(code).toBe(2);
    expect(io.out()).toContain(`changed outside its stack ${STACK}`);
    expect(io.out()).toContain('HIGH drift: 1 change in 1 pool');
    expect(io.out()).toContain('[HIGH] EmailVerificationSubject');
    expect(aws.s3.body(baselineKey)).toBe(before);
  });

  it('puts the label in the markdown for a pull request, beside the author', async () => {
    await stackPoolBaselined();
    consoleSubject();
    const io = fakeIo();

    expect(await main(['check', ...S3, '--format', 'markdown'], io)).toBe(2);
    expect(io.out()).toMatch(
      new RegExp(
        `\\| \\*\\*HIGH\\*\\* \\| Pool \\| .*EmailVerificationSubject.* \\| by arn:aws:iam::\\d+:user/mallory .*, changed outside its stack ${STACK} \\|`,
      ),
    );
  });

  it("does not take a CloudFormation user agent for a deployment: only CloudTrail's invokedBy says so", async () => {
    await stackPoolBaselined();
    // A caller can send any user agent; invokedBy and the source address are AWS's.
    consoleSubject({ userAgent: 'cloudformation.amazonaws.com' });
    const io = fakeIo();

    expect(await main(['check', ...S3, '--deployed-changes', 'approve'], io)).toBe(2);
    expect(io.out()).toContain(`changed outside its stack ${STACK}`);
  });

  it('with deployedChanges=notify sends a short LOW notice instead of the drift alert', async () => {
    await stackPoolBaselined();
    const eventId = deploySubject();
    const io = fakeIo();

    const code = await main(['check', ...S3, '--deployed-changes', 'notify'], io);

    expect(code).toBe(2);
    expect(io.out()).toContain('LOW: 1 change in 1 pool deployed by CloudFormation');
    expect(io.out()).toContain(
      `pool-aaaa1 (${POOL_A}): 1 change deployed by stack ${STACK} (UpdateUserPool at 2026-12-01T10:05:00Z, CloudTrail event ${eventId})`,
    );
    expect(io.out()).not.toMatch(/(HIGH|MEDIUM|LOW) drift:/);
  });

  it('never approves when the author is unknown (CloudTrail unreadable): the change is alerted as usual', async () => {
    await stackPoolBaselined();
    deploySubject();
    trail().failNext({ operation: 'LookupEvents', error: 'AccessDeniedException', times: 50 });
    const baselineKey = at(keys.baseline(POOL_A));
    const before = aws.s3.body(baselineKey);
    const io = fakeIo();

    const code = await main(['check', ...S3, '--deployed-changes', 'approve'], io);

    expect(code).toBe(2);
    expect(io.out()).toContain('author unknown (CloudTrail lookup failed: AccessDeniedException');
    expect(io.out()).toMatch(/drift: 1 change in 1 pool/);
    expect(aws.s3.body(baselineKey)).toBe(before);
  });

  it('rejects a deployedChanges value it does not know, naming the flag and the choices', async () => {
    const io = fakeIo();

    const code = await main(['check', ...S3, '--deployed-changes', 'yes'], io);

    expect(code).toBe(1);
    expect(io.err()).toContain('--deployed-changes must be one of alert, notify, approve, got "yes"');
  });
});
