import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeUserPoolCommand, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetWebACLForResourceCommand, ListWebACLsCommand } from '@aws-sdk/client-wafv2';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { targetKey } from '../../lambda/core/documents.js';
import type { DetectorEvent, DetectorResponse } from '../../lambda/handler.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import { TEST_DIGEST_KEY_SECRET_ARN, TEST_DIGEST_KEY_TEXT } from '../support/digest-key.js';
import { BUCKET, DetectorHarness, FakeAccount, TOPIC_ARN } from '../support/fake-aws.js';

/** Where the handler keeps a document: under its account and region (`123456789012/us-east-1`). */
const at = (key: string) => targetKey({ accountId: '123456789012', region: 'us-east-1' }, key);

const PLANTED = 'SUPER-SECRET-VALUE-1234567890';
const ENV = {
  BASELINE_BUCKET: BUCKET,
  ALERT_TOPIC_ARN: TOPIC_ARN,
  DIGEST_KEY_SECRET_ARN: TEST_DIGEST_KEY_SECRET_ARN,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
  REALTIME_DEBOUNCE_SECONDS: '0',
};
const cloudtrail = mockClient(CloudTrailClient);

type Handler = (
  event: DetectorEvent | Record<string, unknown>,
  context: Context,
) => Promise<DetectorResponse>;

function lambdaContext(remainingMs: () => number = () => 900_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'x',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:x',
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/x',
    logStreamName: 'stream',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('handler', () => {
  let handler: Handler;
  let aws: FakeAccount;
  let output: string[];

  beforeAll(async () => {
    Object.assign(process.env, ENV);
    // The module creates its SDK clients when it loads: stub the client classes first.
    aws = new FakeAccount();
    ({ handler } = await import('../../lambda/handler.js'));
  });

  beforeEach(() => {
    Object.assign(process.env, ENV);
    aws = new FakeAccount();
    cloudtrail.reset();
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    output = [];
    const capture = (chunk: string | Uint8Array) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf-8'));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs a detection and returns whether it is done, with the run id', async () => {
    const pool = aws.addPool({ name: 'customers' });
    aws.addClient(pool.poolId, { name: 'web' });
    aws.addClient(pool.poolId, { name: 'admin' });
    const other = aws.addPool({ name: 'staff' });

    const response = await handler({}, lambdaContext());

    expect(response).toEqual({ done: true, runId: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(Object.keys(response).sort()).toEqual(['done', 'runId']);
    expect(aws.published.map((m) => m.Subject)).toEqual([
      '[cognito-drift 123456789012/us-east-1] Baseline recorded: watching 2 pools, 2 clients',
    ]);
    expect(aws.bucket.keys('baselines/')).toEqual([
      at(`baselines/${pool.poolId}.json`),
      at(`baselines/${other.poolId}.json`),
    ]);
    expect(output.join('')).toContain('Run finished');
  });

  it('names the account from the function ARN and the approve command with region and bucket', async () => {
    const pool = aws.addPool({ name: 'customers' });
    await handler({}, lambdaContext());
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });

    await handler({}, lambdaContext());

    const digest = aws.published.at(-1);
    // MFA off shows in the pool's settings; its MFA configuration, of no effect in a pool with MFA off
    // and password-only sign-in, is then not read (docs/surfaces.md, "Reads that cannot change a finding").
    expect(digest?.Subject).toBe('[cognito-drift 123456789012/us-east-1] HIGH drift: 1 change in 1 pool');
    expect(digest?.Message).toContain(
      `AWS_REGION=us-east-1 npx cognito-drift approve --pool ${pool.poolId} --bucket ${BUCKET}`,
    );
  });

  it('returns done: false when the invocation runs out of time, and the next one finishes the run', async () => {
    for (let i = 0; i < 3; i++) aws.addPool();
    const described = () => aws.cognito.commandCalls(DescribeUserPoolCommand).length;

    // Time runs short as soon as the first pool is being read.
    const cut = await handler(
      {},
      lambdaContext(() => (described() >= 1 ? 30_000 : 900_000)),
    );
    const finished = await handler({ runId: cut.runId }, lambdaContext());

    expect(cut.done).toBe(false);
    expect(described()).toBe(3); // one pool, then the other two: none read twice
    expect(aws.bucket.readJson<{ status: string }>(at('runs/current.json')).status).toBe('complete');
    expect(finished).toEqual({ done: true, runId: cut.runId });
    expect(aws.published).toHaveLength(1);
  });

  it("migrates an earlier release's flat layout on its first run: nothing re-baselined or re-alerted", async () => {
    // Documents as an earlier release wrote them: `baselines/<poolId>.json`, no account or region.
    const pool = aws.addPool({ name: 'customers' });
    aws.addClient(pool.poolId, { name: 'web' });
    const earlier = new DetectorHarness(
      aws,
      { accountId: '123456789012', region: 'us-east-1' },
      SURFACE_NAMES,
    );
    await earlier.run();
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    const alerted = await earlier.run();
    expect(alerted.messages.map((m) => m.attributes.kind)).toEqual(['drift']);
    const flat = aws.bucket.keys('baselines/');
    expect(flat).toEqual([`baselines/${pool.poolId}.json`]);
    const published = aws.published.length;

    // The next hourly run, an hour after the earlier release's last.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(earlier.clock.now().getTime() + 3_600_000);
    const response = await handler({}, lambdaContext()).finally(() => vi.useRealTimers());

    expect(response.done).toBe(true);
    // The same drift, already alerted by the earlier release: not sent again, no "Baseline recorded".
    expect(aws.published.slice(published)).toEqual([]);
    expect(aws.bucket.read(at(`baselines/${pool.poolId}.json`))).toBe(aws.bucket.read(flat[0] as string));
    // The old key stays, with its versions (the approval history).
    expect(aws.bucket.keys('baselines/').sort()).toEqual(
      [...flat, at(`baselines/${pool.poolId}.json`)].sort(),
    );
  });

  it('makes progress with a short function timeout', async () => {
    for (let i = 0; i < 3; i++) aws.addPool();

    const response = await handler(
      {},
      lambdaContext(() => 60_000),
    );

    expect(response.done).toBe(true);
    expect(aws.bucket.keys('baselines/')).toHaveLength(3);
  });

  it('warns once per ignore rule that matched nothing, with the rule', async () => {
    aws.addPool({ name: 'customers' });
    process.env.IGNORE_RULES = JSON.stringify({ fields: ['pool.UserPoolTagz.**'] });
    try {
      await handler({}, lambdaContext());
    } finally {
      delete process.env.IGNORE_RULES;
    }

    const warnings = output
      .join('')
      .split('\n')
      .filter((line) => line.includes('Ignore rule matched nothing'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('fields: pool.UserPoolTagz.**');
  });

  it('rejects naming the variable when BASELINE_BUCKET is not set', async () => {
    delete process.env.BASELINE_BUCKET;

    await expect(handler({}, lambdaContext())).rejects.toThrow(/BASELINE_BUCKET/);
  });

  describe('the digest key', () => {
    /** The handler as on a cold start: a fresh module, nothing read yet. */
    async function coldHandler(): Promise<Handler> {
      vi.resetModules();
      return (await import('../../lambda/handler.js')).handler;
    }

    it('is read once per cold start, through GetSecretValue on DIGEST_KEY_SECRET_ARN', async () => {
      const cold = await coldHandler();
      aws.addPool();

      await cold({}, lambdaContext());
      await cold({}, lambdaContext());

      const calls = aws.secrets.commandCalls(GetSecretValueCommand);
      expect(calls.map((call) => call.args[0].input)).toEqual([{ SecretId: TEST_DIGEST_KEY_SECRET_ARN }]);
    });

    it('rejects naming the variable when DIGEST_KEY_SECRET_ARN is not set', async () => {
      const cold = await coldHandler();
      delete process.env.DIGEST_KEY_SECRET_ARN;

      await expect(cold({}, lambdaContext())).rejects.toThrow(/DIGEST_KEY_SECRET_ARN/);
    });

    it('rejects naming the secret, not its value, when it cannot be read, and reads it again next time', async () => {
      const cold = await coldHandler();
      aws.secrets
        .on(GetSecretValueCommand)
        .rejectsOnce(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }))
        .resolves({ ARN: TEST_DIGEST_KEY_SECRET_ARN, SecretString: TEST_DIGEST_KEY_TEXT });

      const error = (await cold({}, lambdaContext()).catch((e: unknown) => e)) as Error;

      expect(error).toMatchObject({ name: 'DigestKeyError' });
      expect(error.message).toContain(
        `The digest key secret ${TEST_DIGEST_KEY_SECRET_ARN} could not be read (AccessDeniedException)`,
      );
      await expect(cold({}, lambdaContext())).resolves.toMatchObject({ done: true });
      expect(aws.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
      expect(output.join('')).not.toContain(TEST_DIGEST_KEY_TEXT);
    });
  });

  it('rejects and logs the error when the alert cannot be published, so the run is retried', async () => {
    aws.addPool();
    aws.fail('Publish', { error: 'AuthorizationError' });

    await expect(handler({}, lambdaContext())).rejects.toMatchObject({ name: 'AuthorizationError' });

    expect(output.join('')).toContain('Run failed');
    expect(aws.bucket.read(at('state/detector-state.json'))).toBeUndefined();
    expect(aws.bucket.keys('baselines/')).toHaveLength(1);
  });

  it('writes no client secret value to its log', async () => {
    const pool = aws.addPool();
    const client = aws.addClient(pool.poolId, { secretValue: PLANTED });
    await handler({}, lambdaContext());
    aws.addSecret(pool.poolId, client.clientId, `${PLANTED}-rotated`);
    aws.fail('ListUserPoolClientSecrets', { error: 'InternalErrorException', times: 1 });
    await handler({}, lambdaContext());
    aws.fail('Publish', { error: 'InternalError' });
    aws.updateClient(pool.poolId, client.clientId, { RefreshTokenValidity: 3650 });
    await expect(handler({}, lambdaContext())).rejects.toThrow();

    const log = output.join('');
    expect(log).toContain('Run failed');
    expect(log).not.toContain(PLANTED);
    for (const { body } of aws.bucket.allBodies()) expect(body).not.toContain(PLANTED);
  });

  it('accepts the EventBridge event unchanged: checks the pool it names, without ListUserPools', async () => {
    const pool = aws.addPool({ name: 'customers', webAcl: { name: 'edge' } });
    aws.addPool({ name: 'partners', webAcl: { name: 'edge' } });
    await handler({}, lambdaContext());
    // The sweep read the web ACLs once for both pools, never pool by pool.
    expect(aws.wafv2.commandCalls(ListWebACLsCommand)).toHaveLength(1);
    expect(aws.wafv2.commandCalls(GetWebACLForResourceCommand)).toHaveLength(0);
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    aws.cognito.resetHistory();
    aws.wafv2.resetHistory();
    const event = {
      version: '0',
      id: 'e0c1',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.cognito-idp',
      account: '123456789012',
      time: '2026-12-02T10:41:07Z',
      region: 'us-east-1',
      resources: [],
      detail: {
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory', userName: 'mallory' },
        eventTime: '2026-12-02T10:41:07Z',
        eventSource: 'cognito-idp.amazonaws.com',
        eventName: 'SetUserPoolMfaConfig',
        sourceIPAddress: '198.51.100.7',
        userAgent: 'console.amazonaws.com',
        requestParameters: { userPoolId: pool.poolId, mfaConfiguration: 'OFF' },
        eventID: 'f00d0000-1111-2222-3333-444455556666',
      },
    };

    const response = await handler(event, lambdaContext());

    expect(Object.keys(response).sort()).toEqual(['done', 'runId']);
    expect(response.done).toBe(true);
    expect(aws.cognito.commandCalls(ListUserPoolsCommand)).toHaveLength(0);
    // One pool checked: WAF is asked about that pool, the account is not listed.
    expect(aws.wafv2.commandCalls(GetWebACLForResourceCommand)).toHaveLength(1);
    expect(aws.wafv2.commandCalls(ListWebACLsCommand)).toHaveLength(0);
    expect(aws.published.at(-1)?.Message).toContain(
      'by arn:aws:iam::123456789012:user/mallory (SetUserPoolMfaConfig, 2026-12-02T10:41Z, 198.51.100.7, console)',
    );
  });
});
