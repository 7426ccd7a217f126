import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import {
  DescribeUserPoolClientCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudTrailReader } from '../../../lambda/adapters/cloudtrail-reader.js';
import type { DriftStore } from '../../../lambda/adapters/drift-store.js';
import { SnsNotifier } from '../../../lambda/adapters/sns-notifier.js';
import { handleApiEvent } from '../../../lambda/realtime/targeted-check.js';
import { checkTrailDaily } from '../../../lambda/realtime/trail-check.js';
import { runDetection } from '../../../lambda/run/detector.js';
import {
  apiCallEvent,
  defaultOptions,
  FakeAccount,
  fakeAccountDeps,
  fakeAccountStore,
  HOUR,
  ManualClock,
  PREFIX,
  REGION,
  RecordingLogger,
  TOPIC_ARN,
  unpacedReader,
} from '../../support/fake-aws.js';

const CANARY = 'CANARY-client-secret-in-requestParameters-91c2';

/** A CloudTrail record as CloudTrail writes it, made by `user`. */
function record(eventName: string, time: Date, requestParameters: Record<string, unknown>, user = 'mallory') {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::123456789012:user/${user}`,
      accountId: '123456789012',
      userName: user,
    },
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'cognito-idp.amazonaws.com',
    eventName,
    awsRegion: REGION,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'console.amazonaws.com',
    requestParameters,
    responseElements: null,
    eventID: `${eventName}-${time.getTime()}-${user}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
  };
}

describe('attribution and the real-time path, end to end on the fake account', () => {
  let aws: FakeAccount;
  const cloudtrail = mockClient(CloudTrailClient);
  let trail: ReturnType<typeof record>[];
  let clock: ManualClock;
  let logger: RecordingLogger;
  let store: DriftStore;

  beforeEach(() => {
    aws = new FakeAccount();
    cloudtrail.reset();
    trail = [];
    cloudtrail.on(LookupEventsCommand).callsFake(lookupFromTrail);
    clock = new ManualClock();
    logger = new RecordingLogger();
    store = fakeAccountStore();
  });
  afterEach(() => aws.restore());

  /** LookupEvents over `trail`: by event name (the records name no resource, as CloudTrail does not promise). */
  function lookupFromTrail(input: LookupEventsCommandInput) {
    return {
      Events: trail
        .filter((r) => r.eventName === input.LookupAttributes?.[0]?.AttributeValue)
        .map((r) => ({ EventId: r.eventID, EventName: r.eventName, CloudTrailEvent: JSON.stringify(r) })),
    };
  }

  function deps() {
    return fakeAccountDeps({ store, logger, clock });
  }

  /** The deps of a run that watches identity pools too. */
  function identityDeps() {
    return {
      ...deps(),
      reader: unpacedReader({
        identityClient: new CognitoIdentityClient({ region: REGION }),
        surfaces: ['identityPools'],
        categoryRps: {
          'IdentityPool.ListIdentityPools': 1e6,
          'IdentityPool.DescribeIdentityPool': 1e6,
          'IdentityPool.GetIdentityPoolRoles': 1e6,
        },
      }),
    };
  }

  /** Attribution from the mocked CloudTrail, on the test's clock. */
  function cloudTrail() {
    return new CloudTrailReader({
      client: new CloudTrailClient({ region: REGION }),
      quotaShare: 1,
      lookupRps: 1e6,
      now: clock.now,
    });
  }

  /** The real-time check of one Cognito identity (`aws.cognito-identity`) API event, debounce not waited. */
  function identityEvent(detail: ReturnType<typeof record>) {
    return handleApiEvent(
      { ...apiCallEvent(detail), source: 'aws.cognito-identity' },
      { ...identityDeps(), sleep: async () => undefined },
      { ...defaultOptions(), debounceMs: 60_000 },
    );
  }

  async function sweep() {
    const before = aws.published.length;
    const result = await runDetection({ ...deps(), attribute: cloudTrail().attribute }, defaultOptions());
    return { result, sent: aws.published.slice(before) };
  }

  /** A pool with a baseline, and its client `web`. */
  async function watchedPool() {
    const pool = aws.addPool({ name: 'customers' });
    const web = aws.addClient(pool.poolId, { name: 'web' });
    aws.addClient(pool.poolId, { name: 'admin' });
    await sweep();
    clock.advance(HOUR);
    return { poolId: pool.poolId, clientId: web.clientId };
  }

  it('names the author of sweep drift, and carries the event id in the JSON report', async () => {
    const { poolId, clientId } = await watchedPool();
    aws.updateClient(poolId, clientId, { RefreshTokenValidity: 365 });
    trail.push(
      record('UpdateUserPoolClient', new Date(clock.now().getTime() - 19 * 60_000), {
        userPoolId: poolId,
        clientId,
      }),
    );

    const { result, sent } = await sweep();

    const digest = sent.find((m) => m.Subject?.includes('drift'));
    const at = new Date(clock.now().getTime() - 19 * 60_000).toISOString().slice(0, 16);
    expect(digest?.Message).toContain(
      `    by arn:aws:iam::123456789012:user/mallory (UpdateUserPoolClient, ${at}Z, 198.51.100.7, console)`,
    );
    const report = aws.bucket.readJson<{ attributions: Record<string, { eventId: string }[]> }>(
      `reports/${result.runId}.json`,
    );
    expect(report.attributions[poolId]?.[0]?.eventId).toBe(trail[0]?.eventID);
  });

  it('names every writer after the baseline, the earliest first, and none whose write the baseline holds', async () => {
    const { poolId, clientId } = await watchedPool();
    const ago = (minutes: number) => new Date(clock.now().getTime() - minutes * 60_000);
    // Written before the baseline was recorded (an hour ago): approved with it.
    trail.push(record('UpdateUserPoolClient', ago(70), { userPoolId: poolId, clientId }, 'old-admin'));
    // Issue 17 (3): one role adds a callback URL; 35 minutes later another updates the same client.
    aws.updateClient(poolId, clientId, { CallbackURLs: ['https://evil.example.net/cb'] });
    trail.push(record('UpdateUserPoolClient', ago(45), { userPoolId: poolId, clientId }, 'ci-role'));
    trail.push(record('UpdateUserPoolClient', ago(10), { userPoolId: poolId, clientId }, 'ops-role'));

    const { sent } = await sweep();

    const digest = sent.find((m) => m.Subject?.includes('drift'))?.Message ?? '';
    const minute = (m: number) => `${ago(m).toISOString().slice(0, 16)}Z`;
    expect(digest).toContain(
      `    by arn:aws:iam::123456789012:user/ci-role (UpdateUserPoolClient, ${minute(45)}, 198.51.100.7, console); also written by arn:aws:iam::123456789012:user/ops-role (UpdateUserPoolClient, ${minute(10)})`,
    );
    expect(digest).not.toContain('old-admin');
  });

  it('still alerts, on time, with "author unknown" when the lookup is denied', async () => {
    const { poolId } = await watchedPool();
    aws.updatePool(poolId, { MfaConfiguration: 'OFF' });
    cloudtrail
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    const { sent } = await sweep();

    expect(sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(sent[0]?.Message).toContain(
      '    author unknown (CloudTrail lookup failed: AccessDeniedException)',
    );
  });

  it('turns a real-time event into one alert naming its author, reads only that pool, and the next sweep is silent', async () => {
    const { poolId, clientId } = await watchedPool();
    const other = aws.addPool({ name: 'staff' });
    aws.updateClient(poolId, clientId, { CallbackURLs: ['https://evil.example.net/cb'] });
    aws.updatePool(other.poolId, { MfaConfiguration: 'OFF' }); // not named by the event
    aws.cognito.resetHistory();
    const before = aws.published.length;

    const input = apiCallEvent(
      record('UpdateUserPoolClient', clock.now(), { userPoolId: poolId, clientId, clientSecret: CANARY }),
    );
    expect(JSON.stringify(input)).toContain(CANARY);

    const outcome = await handleApiEvent(
      input,
      { ...deps(), sleep: async () => undefined },
      { ...defaultOptions(), debounceMs: 60_000 },
    );

    const sent = aws.published.slice(before);
    expect(outcome.action).toBe('checked');
    expect(sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(sent[0]?.Message).toContain('by arn:aws:iam::123456789012:user/mallory (UpdateUserPoolClient,');
    expect(sent[0]?.Message).not.toContain(other.poolId);
    expect(aws.cognito.commandCalls(ListUserPoolsCommand)).toHaveLength(0);
    // Only the client the event named is read again; the other comes from the latest snapshot.
    expect(
      aws.cognito.commandCalls(DescribeUserPoolClientCommand).map((c) => c.args[0].input.ClientId),
    ).toEqual([clientId]);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(0);
    // The canary was in the event; it is in no stored object, message or log line.
    for (const { body } of aws.bucket.allBodies()) expect(body).not.toContain(CANARY);
    for (const message of aws.published) expect(JSON.stringify(message)).not.toContain(CANARY);
    expect(logger.text()).not.toContain(CANARY);

    clock.advance(HOUR);
    const next = await sweep();
    // The staff pool's drift is new to the sweep; the customers pool's was already sent.
    expect(next.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(next.sent[0]?.Message).toContain(other.poolId);
    expect(next.sent[0]?.Message).not.toContain(`(${poolId})`);
  });

  it('keeps the real-time promise: the next sweep looks up the author it could not name and sends it once', async () => {
    const { poolId, clientId } = await watchedPool();
    // A change no real-time event reported (made before the check), then the one that starts it.
    aws.updatePool(poolId, { MfaConfiguration: 'OFF' });
    trail.push(
      record(
        'SetUserPoolMfaConfig',
        new Date(clock.now().getTime() - 5 * 60_000),
        { userPoolId: poolId },
        'eve',
      ),
    );
    aws.updateClient(poolId, clientId, { CallbackURLs: ['https://evil.example.net/cb'] });
    const before = aws.published.length;

    await handleApiEvent(
      apiCallEvent(record('UpdateUserPoolClient', clock.now(), { userPoolId: poolId, clientId })),
      { ...deps(), sleep: async () => undefined },
      { ...defaultOptions(), debounceMs: 60_000 },
    );
    const alertedAt = clock.now().toISOString();

    const alert = aws.published.slice(before);
    expect(alert).toHaveLength(1);
    expect(alert[0]?.Message).toContain(
      'author unknown (not made by the calls that started this check; the next sweep looks it up in CloudTrail)',
    );
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(0);

    // A sweep before CloudTrail has had time to deliver leaves it pending.
    clock.advance(5 * 60_000);
    expect((await sweep()).sent).toEqual([]);
    // So does one whose lookup finds no author (here: denied); the next tries again.
    cloudtrail
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    clock.advance(HOUR);
    expect((await sweep()).sent).toEqual([]);
    cloudtrail.on(LookupEventsCommand).callsFake(lookupFromTrail);
    clock.advance(HOUR);
    const followUp = await sweep();

    expect(followUp.sent.map((m) => m.Subject)).toEqual([
      `${PREFIX}Author of the change alerted at ${alertedAt}`,
    ]);
    expect(followUp.sent[0]?.Message).toContain(`== Pool customers (${poolId}), alerted at ${alertedAt}`);
    expect(followUp.sent[0]?.Message).toContain(
      'by arn:aws:iam::123456789012:user/eve (SetUserPoolMfaConfig,',
    );
    expect(followUp.sent[0]?.MessageAttributes?.kind?.StringValue).toBe('author-follow-up');
    expect(cloudtrail.commandCalls(LookupEventsCommand).length).toBeGreaterThan(0);

    // Sent once: the sweep after is silent and looks nothing up.
    cloudtrail.resetHistory();
    clock.advance(HOUR);
    expect((await sweep()).sent).toEqual([]);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(0);
  });

  it('attributes identity-pool drift in a sweep: a created identity pool to CreateIdentityPool, a change to its event', async () => {
    const mobile = aws.addIdentityPool({ name: 'mobile', allowUnauthenticated: false });
    await runDetection({ ...identityDeps(), attribute: cloudTrail().attribute }, defaultOptions());
    clock.advance(HOUR);
    aws.updateIdentityPool(mobile, { allowUnauthenticated: true });
    const guest = aws.addIdentityPool({ name: 'guest', allowUnauthenticated: true });
    const identityRecord = (
      eventName: string,
      minutesAgo: number,
      fields: Partial<ReturnType<typeof record>>,
      user: string,
    ) => ({
      ...record(eventName, new Date(clock.now().getTime() - minutesAgo * 60_000), {}, user),
      eventSource: 'cognito-identity.amazonaws.com',
      ...fields,
    });
    trail.push(
      identityRecord('UpdateIdentityPool', 20, { requestParameters: { identityPoolId: mobile } }, 'mallory'),
      identityRecord(
        'CreateIdentityPool',
        15,
        {
          requestParameters: { identityPoolName: 'guest' },
          responseElements: { identityPoolId: guest, identityPoolName: 'guest' },
        } as unknown as Partial<ReturnType<typeof record>>,
        'eve',
      ),
    );
    const before = aws.published.length;

    await runDetection({ ...identityDeps(), attribute: cloudTrail().attribute }, defaultOptions());

    const digest = aws.published.slice(before).find((m) => m.Subject?.includes('drift'))?.Message ?? '';
    expect(digest).toContain('by arn:aws:iam::123456789012:user/mallory (UpdateIdentityPool,');
    expect(digest).toContain('by arn:aws:iam::123456789012:user/eve (CreateIdentityPool,');
    expect(digest).not.toContain('author unknown');
  });

  it('checks an identity pool named by an UpdateIdentityPool event, naming its author', async () => {
    const identityPoolId = aws.addIdentityPool({ name: 'mobile', allowUnauthenticated: false });
    await runDetection(identityDeps(), defaultOptions());
    clock.advance(HOUR);
    aws.updateIdentityPool(identityPoolId, { allowUnauthenticated: true });
    aws.cognito.resetHistory();
    const before = aws.published.length;

    const detail = {
      ...record('UpdateIdentityPool', clock.now(), { identityPoolId, allowUnauthenticatedIdentities: true }),
      eventSource: 'cognito-identity.amazonaws.com',
    };
    const outcome = await identityEvent(detail);

    const sent = aws.published.slice(before);
    expect(outcome.action).toBe('checked');
    expect(sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(sent[0]?.Message).toContain('[HIGH] AllowUnauthenticatedIdentities: false -> true');
    expect(sent[0]?.Message).toContain('by arn:aws:iam::123456789012:user/mallory (UpdateIdentityPool,');
    expect(aws.cognito.commandCalls(ListUserPoolsCommand)).toHaveLength(0);
  });
  it('checks an identity pool created (CreateIdentityPool, id from the response), naming its author', async () => {
    aws.addIdentityPool({ name: 'mobile', allowUnauthenticated: false });
    await runDetection(identityDeps(), defaultOptions());
    clock.advance(HOUR);
    const guest = aws.addIdentityPool({ name: 'guest', allowUnauthenticated: true });
    const before = aws.published.length;
    const detail = {
      ...record('CreateIdentityPool', clock.now(), { identityPoolName: 'guest' }, 'eve'),
      responseElements: { identityPoolId: guest, identityPoolName: 'guest' },
      eventSource: 'cognito-identity.amazonaws.com',
    };

    const outcome = await identityEvent(detail as unknown as ReturnType<typeof record>);

    const sent = aws.published.slice(before);
    expect(outcome.action).toBe('checked');
    expect(sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(sent[0]?.Message).toContain(`[HIGH] Pool created: guest (${guest})`);
    expect(sent[0]?.Message).toContain('by arn:aws:iam::123456789012:user/eve (CreateIdentityPool,');
  });

  it('checks the identity pool a CreateIdentityPool (id in the response) or DeleteIdentityPool event names', async () => {
    const kept = aws.addIdentityPool({ name: 'kept', allowUnauthenticated: false });
    await runDetection(identityDeps(), defaultOptions());
    aws.cognito.resetHistory();
    const event = async (eventName: string, fields: Record<string, unknown>) => {
      clock.advance(HOUR);
      const before = aws.published.length;
      const detail = {
        ...record(eventName, clock.now(), {}),
        ...fields,
        eventSource: 'cognito-identity.amazonaws.com',
      };
      const outcome = await identityEvent(detail);
      return { outcome, sent: aws.published.slice(before) };
    };

    // Created with guest access: the new pool's id is only in responseElements.
    const created = aws.addIdentityPool({ name: 'backdoor', allowUnauthenticated: true });
    const create = await event('CreateIdentityPool', {
      requestParameters: { identityPoolName: 'backdoor', allowUnauthenticatedIdentities: true },
      responseElements: { identityPoolId: created, identityPoolName: 'backdoor' },
    });
    expect(create.outcome.action).toBe('checked');
    expect(create.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(create.sent[0]?.Message).toContain(`(${created})`);
    expect(create.sent[0]?.Message).toContain(
      'by arn:aws:iam::123456789012:user/mallory (CreateIdentityPool,',
    );

    // Deleted: the id is in requestParameters; only that identity pool is checked.
    aws.removeIdentityPool(kept);
    const remove = await event('DeleteIdentityPool', { requestParameters: { identityPoolId: kept } });
    expect(remove.outcome.action).toBe('checked');
    expect(remove.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(remove.sent[0]?.Message).toContain(`(${kept})`);
    expect(remove.sent[0]?.Message).toContain('DeleteIdentityPool');
    expect(remove.sent[0]?.Message).not.toContain(`(${created})`);
    expect(aws.cognito.commandCalls(ListUserPoolsCommand)).toHaveLength(0);
  });

  it('debounces a burst of five events in one pool into one check and one alert', async () => {
    const { poolId, clientId } = await watchedPool();
    aws.updateClient(poolId, clientId, {
      RefreshTokenValidity: 365,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
    });
    let releaseOwner: () => void = () => undefined;
    const ownerWaits = new Promise<void>((resolve) => {
      releaseOwner = resolve;
    });
    const before = aws.published.length;
    const events = Array.from({ length: 5 }, (_, i) =>
      apiCallEvent(
        record('UpdateUserPoolClient', new Date(clock.now().getTime() + i * 1000), {
          userPoolId: poolId,
          clientId,
        }),
      ),
    );
    const realtime = { ...defaultOptions(), debounceMs: 60_000 };
    let slept = 0;

    const owner = handleApiEvent(
      events[0]!,
      {
        ...deps(),
        sleep: async (ms) => {
          slept = ms;
          await ownerWaits;
        },
      },
      realtime,
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const joined = [];
    for (const event of events.slice(1))
      joined.push(await handleApiEvent(event, { ...deps(), sleep: async () => undefined }, realtime));
    releaseOwner();
    const checked = await owner;

    expect(slept).toBe(60_000);
    expect(joined.map((j) => j.action)).toEqual(['joined', 'joined', 'joined', 'joined']);
    expect(checked.action).toBe('checked');
    expect(aws.published.slice(before)).toHaveLength(1);
  });

  it('sends the "real-time detection inactive" notice when no trail logs, once per reminder interval', async () => {
    const trailDeps = {
      documents: store.documents,
      trailStatus: async () => ({ status: 'inactive' as const }),
      notifier: new SnsNotifier(new SNSClient({ region: REGION }), TOPIC_ARN),
      logger,
      now: clock.now,
    };
    const options = { accountId: '123456789012', region: REGION, reminderIntervalMs: 48 * HOUR };

    expect(await checkTrailDaily(trailDeps, options)).toBe('inactive');
    clock.advance(HOUR);
    expect(await checkTrailDaily(trailDeps, options)).toBe('not-due');
    clock.advance(24 * HOUR);
    expect(await checkTrailDaily(trailDeps, options)).toBe('inactive');
    clock.advance(24 * HOUR);
    expect(await checkTrailDaily(trailDeps, options)).toBe('inactive');

    expect(aws.published.map((m) => m.Message?.split('\n')[0])).toEqual([
      `real-time detection inactive: no trail logs management events in ${REGION}`,
      `real-time detection inactive: no trail logs management events in ${REGION}`,
    ]);
  });
});
