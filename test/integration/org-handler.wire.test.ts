/**
 * The organization function itself (`lambda/org-handler.ts`, as deployed: its own SDK clients, from
 * the environment) run by the synthesized organization state machine, with the ASL interpreter: the
 * Cognito stand-in plays two accounts in two regions (STS AssumeRole over the wire, per-account keys)
 * and fauxqs the bucket and the topic. The Distributed Map reads its items from the bucket.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { organizationScanDefinition } from '../../lib/organization-scan.js';
import { type AslDefinition, renderDefinition, runDefinition } from '../support/asl.js';
import {
  FOREIGN_AWS_VARIABLES,
  LOCAL_ACCOUNT_ID,
  LOCAL_DIGEST_KEY_SECRET_ARN,
  type LocalAws,
  setProcessEnv,
  startLocalAws,
} from '../support/local-aws.js';

const MEMBER = '111122223333';
const NO_ROLE = '777788889999';
const REGIONS = ['us-east-1', 'eu-west-1'];

describe('the organization function, run by its state machine over the wire', () => {
  let local: LocalAws;
  let restoreEnv: () => void = () => {};
  let handler: typeof import('../../lambda/org-handler.js').handler;
  let definition: AslDefinition;
  let s3: S3Client;
  const pools = new Map<string, string>();
  const context = {
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT_ID}:function:cognito-drift-organization`,
    getRemainingTimeInMillis: () => 900_000,
  } as Context;

  beforeAll(async () => {
    local = await startLocalAws({ s3: true, cognitoLatencyMs: 0 });
    const s3sns = local.s3sns;
    if (!s3sns) throw new Error('fauxqs did not start');
    restoreEnv = setProcessEnv({
      ...Object.fromEntries(FOREIGN_AWS_VARIABLES.map((name) => [name, undefined])),
      ...local.env,
      // AssumeRole goes to the stand-in, which issues each member account its own keys.
      AWS_ENDPOINT_URL_STS: local.cognito.endpoint,
      BASELINE_BUCKET: s3sns.bucket,
      ALERT_TOPIC_ARN: s3sns.topicArn,
      DIGEST_KEY_SECRET_ARN: LOCAL_DIGEST_KEY_SECRET_ARN,
      TARGET_ACCOUNTS: `${LOCAL_ACCOUNT_ID},${MEMBER},${NO_ROLE}`,
      TARGET_REGIONS: REGIONS.join(','),
      SURFACES: 'none',
      // A forwarded member event is checked at once: no window to wait on the wall clock.
      REALTIME_DEBOUNCE_SECONDS: '0',
      AWS_MAX_ATTEMPTS: '2',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    local.cognito.organization.addAccount(MEMBER, { name: 'member' });
    local.cognito.organization.addAccount(NO_ROLE, { name: 'legacy', roleName: null });
    for (const account of [LOCAL_ACCOUNT_ID, MEMBER]) {
      for (const region of REGIONS) {
        const target = local.cognito.target(account, region);
        pools.set(
          `${account}/${region}`,
          target.addPool({
            name: `app-${region}`,
            config: { MfaConfiguration: 'ON' },
            clients: [{ name: 'web' }],
          }),
        );
      }
    }
    s3 = new S3Client({});
    definition = renderDefinition((scope, fn) =>
      organizationScanDefinition(scope, {
        fn,
        maxConcurrentTargets: 2,
        maxInvocationsPerTarget: 5,
        distributed: true,
        bucketName: s3sns.bucket,
      }),
    );
    // The function builds its clients when loaded: load it only once the endpoints are set.
    ({ handler } = await import('../../lambda/org-handler.js'));
  }, 180_000);

  afterAll(async () => {
    s3?.destroy();
    restoreEnv();
    await local?.stop();
  });

  /** Everything the function wrote to its log (stdout, stderr), for the credential canary. */
  const logged: string[] = [];
  const execute = async () => {
    const capture = (chunk: string | Uint8Array) => {
      logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf-8'));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      return await run();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  };
  const run = () =>
    runDefinition(
      definition,
      {},
      {
        invoke: (payload) => handler(payload, context),
        readItems: async (bucket, key) => {
          const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          return JSON.parse((await object.Body?.transformToString()) ?? 'null');
        },
      },
    );

  it('records every target under its account and region, then sends one digest for drift in one of them', async () => {
    const s3sns = local.s3sns!;
    await execute();

    const baselines = await s3sns.listKeys('baselines/');
    expect(baselines.sort()).toEqual(
      [...pools.entries()].map(([target, poolId]) => `baselines/${target}/${poolId}.json`).sort(),
    );
    const first = await s3sns.receiveAlerts();
    expect(first.map((a) => a.attributes.kind).sort()).toEqual(['baseline-created', 'scan-incomplete']);
    expect(first.find((a) => a.attributes.kind === 'scan-incomplete')?.message).toContain(
      `scan incomplete: cannot assume role in ${NO_ROLE}`,
    );

    const member = local.cognito.target(MEMBER, 'eu-west-1');
    const poolId = pools.get(`${MEMBER}/eu-west-1`) as string;
    member.updatePool(poolId, { config: { MfaConfiguration: 'OFF' } });
    await execute();

    const second = await s3sns.receiveAlerts();
    // The unreachable account was reported within the reminder interval: not again.
    expect(second.map((a) => a.attributes.kind)).toEqual(['drift']);
    expect(JSON.parse(second[0]?.attributes.account ?? '[]')).toEqual([MEMBER]);
    expect(JSON.parse(second[0]?.attributes.region ?? '[]')).toEqual(['eu-west-1']);
    expect(second[0]?.message).toContain(`=== Account ${MEMBER}, region eu-west-1`);
    expect(second[0]?.message).toContain('MfaConfiguration: ON -> OFF');

    // Marked as alerted once published: the next run says nothing.
    await execute();
    expect(await s3sns.receiveAlerts()).toEqual([]);

    // The member account's temporary credentials were issued and used, and never logged.
    const issued = local.cognito.organization.issuedSecrets();
    expect(issued.length).toBeGreaterThan(0);
    expect(logged.join('')).toContain('cannot assume its role');
    for (const secret of issued) expect(logged.join('')).not.toContain(secret);
  }, 180_000);

  /** A member account's CloudTrail record as the member event bus's rules hand it to the function. */
  const forwardedEvent = (account: string, region: string, userPoolId: string) => ({
    source: 'aws.cognito-idp',
    'detail-type': 'AWS API Call via CloudTrail',
    account,
    region,
    detail: {
      eventSource: 'cognito-idp.amazonaws.com',
      eventName: 'SetUserPoolMfaConfig',
      eventID: `forwarded-${account}-${region}`,
      eventTime: '2026-12-05T10:00:00Z',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/mallory`, userName: 'mallory' },
      requestParameters: { userPoolId },
    },
  });

  it("checks a member account's forwarded change at once, with its role, and ignores an unknown account", async () => {
    const s3sns = local.s3sns!;
    const member = local.cognito.target(MEMBER, 'us-east-1');
    const poolId = pools.get(`${MEMBER}/us-east-1`) as string;
    member.updatePool(poolId, { config: { MfaConfiguration: 'OFF' } });
    member.resetStats();
    local.cognito.target(MEMBER, 'eu-west-1').resetStats();

    const checked = await handler(forwardedEvent(MEMBER, 'us-east-1', poolId), context);

    expect(checked).toMatchObject({ done: true, action: 'checked' });
    const alerts = await s3sns.receiveAlerts();
    expect(alerts.map((a) => a.attributes.kind)).toEqual(['drift']);
    expect(alerts[0]?.subject).toContain(MEMBER);
    expect(alerts[0]?.message).toContain('MfaConfiguration: ON -> OFF');
    expect(alerts[0]?.message).toContain('mallory');
    // Only that pool of that target was read, signed with the member account's own keys.
    expect(member.requests.map((r) => r.poolId)).toEqual(member.requests.map(() => poolId));
    expect(member.requests.length).toBeGreaterThan(0);
    expect(local.cognito.target(MEMBER, 'eu-west-1').requests).toEqual([]);

    const ignored = await handler(
      forwardedEvent('999988887777', 'us-east-1', 'us-east-1_Unknown01'),
      context,
    );
    expect(ignored).toEqual({ done: true, runId: 'ignored', action: 'ignored' });
    expect(await s3sns.receiveAlerts()).toEqual([]);
  }, 180_000);
});
