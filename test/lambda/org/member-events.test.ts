/**
 * A member account's write event, forwarded to the member event bus: the organization function
 * checks exactly that target, with its member role, once the debounce window (a manual clock) has
 * passed, and ignores events of accounts or regions it does not scan. Over the wire, on the
 * stand-in's organization (STS AssumeRole and each target's Cognito).
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../lambda/core/ports.js';
import { CLOUDTRAIL_DETAIL_TYPE } from '../../../lambda/core/write-events.js';
import type { ChildOutput, ListOutput } from '../../../lambda/org/contract.js';
import { handleMemberEvent, whyNotChecked } from '../../../lambda/org/member-events.js';
import { type OrganizationDeps, runOrganizationStep } from '../../../lambda/org/organization-run.js';
import { parseAccountSelection, parseRegionSelection } from '../../../lambda/org/target.js';
import type { CloudTrailApiEvent } from '../../../lambda/realtime/api-event.js';
import { RecordingLogger } from '../../support/detector-harness.js';
import { ManualClock } from '../../support/manual-timer-clock.js';
import {
  DEV,
  MANAGEMENT,
  memberCredentials,
  organizationSettings,
  PROD,
  redirectFirstClient,
  useStandinOrganization,
} from '../../support/organization-deps.js';

const OUTSIDER = '999988887777';
const DEBOUNCE_MS = 60_000;
const START = Date.parse('2026-12-05T10:00:00.000Z');
const CANARY = 'CANARY-forwarded-client-secret-3e9b';

/** A CloudTrail record as EventBridge delivers it to the central bus: `account` is the member's. */
function forwarded(
  account: string,
  region: string,
  eventName: string,
  requestParameters: Record<string, unknown>,
  n = 1,
): CloudTrailApiEvent {
  return {
    version: '0',
    id: `bus-event-${n}`,
    'detail-type': CLOUDTRAIL_DETAIL_TYPE,
    source: 'aws.cognito-idp',
    account,
    region,
    time: '2026-12-05T10:00:00Z',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        arn: `arn:aws:iam::${account}:user/mallory`,
        accountId: account,
        userName: 'mallory',
      },
      eventTime: '2026-12-05T10:00:00Z',
      eventSource: 'cognito-idp.amazonaws.com',
      eventName,
      awsRegion: region,
      sourceIPAddress: '198.51.100.7',
      userAgent: 'console.amazonaws.com',
      // What CloudTrail may record of a call (an identity provider's client_secret): never kept.
      requestParameters: { ...requestParameters, providerDetails: { client_secret: CANARY } },
      responseElements: null,
      eventID: `${eventName}-${account}-${n}`,
      readOnly: false,
      eventType: 'AwsApiCall',
    },
  } as CloudTrailApiEvent;
}

describe('a member account change reaches the central targeted check', () => {
  let sent: AlertMessage[];
  let clock: ManualClock;
  let logger: RecordingLogger;
  let deps: OrganizationDeps & { sleep: (ms: number) => Promise<void> };
  let sts: STSClient;
  /** Resolves when an invocation starts waiting the debounce window (it owns the batch). */
  let waiting: Promise<number>;
  let pool = '';
  let otherPool = '';

  const settings = { ...organizationSettings(`${PROD},${DEV}`, 'eu-west-1'), debounceMs: DEBOUNCE_MS };

  const org = useStandinOrganization((standin) => {
    standin.organization.addAccount(PROD, { name: 'prod' });
    standin.organization.addAccount(DEV, { name: 'dev' });
    pool = standin.target(PROD, 'eu-west-1').addPool({ name: 'prod-app', clients: [{ name: 'web' }] });
    otherPool = standin.target(PROD, 'eu-west-1').addPool({ name: 'prod-admin', clients: [{ name: 'cli' }] });
    standin.target(DEV, 'eu-west-1').addPool({ name: 'dev-app', clients: [{ name: 'web' }] });
  });

  beforeEach(async () => {
    sent = [];
    clock = new ManualClock();
    logger = new RecordingLogger();
    const wired = org.deps({ publish: (m) => void sent.push(m), now: () => new Date(START + clock.now()) });
    sts = wired.sts;
    let started: (ms: number) => void = () => undefined;
    waiting = new Promise((resolve) => {
      started = resolve;
    });
    deps = {
      ...wired,
      logger,
      sleep: (ms) => {
        started(ms);
        return clock.sleep(ms);
      },
    };
    // The organization run lists the targets and records their baselines.
    const listed = (await runOrganizationStep(
      { phase: 'list', itemsInState: true },
      deps,
      settings,
    )) as ListOutput;
    for (const item of listed.items ?? []) {
      const out = (await runOrganizationStep(item, deps, settings)) as ChildOutput;
      expect(out.done).toBe(true);
    }
    await runOrganizationStep(
      { phase: 'aggregate', orgRunId: listed.orgRunId, startedAt: listed.startedAt },
      deps,
      settings,
    );
    sent = [];
    // A fresh container: no cached credentials, so each AssumeRole the check makes is counted.
    deps.credentials = memberCredentials(sts);
    org.standin.resetStats();
    org.standin.target(PROD, 'eu-west-1').resetStats();
    org.standin.target(DEV, 'eu-west-1').resetStats();
  });

  it('checks exactly the named target with its member role, once the debounce window has passed', async () => {
    const prod = org.standin.target(PROD, 'eu-west-1');
    const clientId = redirectFirstClient(prod, pool, 'https://evil.example.net/cb');
    const assumedBefore = org.standin.organization.stats.assumeRole;

    const owner = handleMemberEvent(
      forwarded(PROD, 'eu-west-1', 'UpdateUserPoolClient', { userPoolId: pool, clientId }, 1),
      deps,
      settings,
    );
    // The first event opened the batch: it waits the window, on the manual clock.
    expect(await waiting).toBe(DEBOUNCE_MS);
    await clock.runUntil(10_000);
    // A second call of the same burst, 10 s later: it joins the batch and reads nothing.
    const joined = await handleMemberEvent(
      forwarded(PROD, 'eu-west-1', 'UpdateUserPoolClient', { userPoolId: pool, clientId }, 2),
      deps,
      settings,
    );
    expect(joined.action).toBe('joined');
    expect(org.standin.organization.stats.assumeRole).toBe(assumedBefore);
    expect(prod.requests).toEqual([]);

    await clock.runUntil(DEBOUNCE_MS);
    const outcome = await owner;

    expect(outcome.action).toBe('checked');
    expect(outcome.result?.pools.map((p) => p.poolId)).toEqual([pool]);
    // One AssumeRole of the member role, and only that target's named pool and client read.
    expect(org.standin.organization.stats.assumeRole - assumedBefore).toBe(1);
    const operations = prod.requests.map((r) =>
      `${r.operation} ${r.poolId ?? ''} ${r.clientId ?? ''}`.trim(),
    );
    expect(operations).toContain(`DescribeUserPool ${pool}`);
    expect(operations).toContain(`DescribeUserPoolClient ${pool} ${clientId}`);
    expect(operations.some((o) => o.startsWith('ListUserPools'))).toBe(false);
    expect(prod.requests.some((r) => r.poolId === otherPool)).toBe(false);
    expect(org.standin.target(DEV, 'eu-west-1').requests).toEqual([]);
    expect(org.standin.requests).toEqual([]);
    // Alerted at once, naming the member account, the change and the event's author.
    expect(sent).toHaveLength(1);
    expect(sent[0]?.attributes).toMatchObject({ kind: 'drift', poolIds: [pool] });
    expect(sent[0]?.subject).toContain(PROD);
    expect(sent[0]?.body).toContain('evil.example.net');
    expect(sent[0]?.body).toContain('mallory');
    // The secret the forwarded record carried reached no log line, message or stored document.
    expect(JSON.stringify(forwarded(PROD, 'eu-west-1', 'UpdateUserPoolClient', {}))).toContain(CANARY);
    expect(logger.text()).not.toContain(CANARY);
    expect(JSON.stringify(sent)).not.toContain(CANARY);
    const checked: string[] = [];
    for (const prefix of ['realtime/', 'realtime-events/', 'state/', 'baselines/', 'snapshots/']) {
      for (const { key } of await deps.documents.list(prefix)) {
        expect((await deps.documents.get(key))?.body, key).not.toContain(CANARY);
        checked.push(key);
      }
    }
    // The queued events themselves were among them.
    expect(checked.filter((key) => key.startsWith(`realtime-events/${PROD}/eu-west-1/`))).toHaveLength(2);
  });

  it.each([
    [
      'an account outside the target list',
      OUTSIDER,
      'eu-west-1',
      `account ${OUTSIDER} is not one of the accounts scanned`,
    ],
    ['a region not scanned', PROD, 'ap-south-1', 'region ap-south-1 is not one of the regions scanned'],
    ["the deployment's own account and region", MANAGEMENT, 'us-east-1', 'its own rules start the check'],
  ])(
    'ignores an event from %s with a log line, reading and writing nothing',
    async (_what, account, region, reason) => {
      const assumedBefore = org.standin.organization.stats.assumeRole;
      const before = await deps.documents.list('realtime/');

      // Through the organization function's one entry, as the member event bus's rules invoke it.
      const outcome = await runOrganizationStep(
        forwarded(account, region, 'UpdateUserPool', { userPoolId: `${region}_AbCdEf123` }),
        deps,
        settings,
      );

      expect(outcome).toEqual({ done: true, runId: 'ignored', action: 'ignored' });
      const line = logger.lines.find((l) => l.message.startsWith('Forwarded event ignored'));
      expect(line?.level).toBe('info');
      expect(line?.message).toContain(reason);
      expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
      expect(org.standin.organization.stats.assumeRole).toBe(assumedBefore);
      expect(org.standin.target(PROD, 'eu-west-1').requests).toEqual([]);
      expect(await deps.documents.list('realtime/')).toEqual(before);
      expect(sent).toEqual([]);
    },
  );
});

describe("whyNotChecked: which forwarded targets are the organization's", () => {
  const base = { selfAccountId: MANAGEMENT, stackRegion: 'us-east-1' };
  const organization = {
    ...base,
    accounts: parseAccountSelection('organization'),
    regions: parseRegionSelection('all-enabled'),
  };
  const listed = {
    formatVersion: 1 as const,
    kind: 'organization-targets' as const,
    orgRunId: 'run-1',
    listedAt: '2026-12-05T09:00:00.000Z',
    accounts: { [PROD]: ['eu-west-1', 'us-east-1'], [MANAGEMENT]: ['eu-west-1', 'us-east-1'] },
  };

  it.each([
    [{ accountId: PROD, region: 'eu-west-1' }, undefined],
    [{ accountId: MANAGEMENT, region: 'eu-west-1' }, undefined],
    [
      { accountId: DEV, region: 'eu-west-1' },
      `account ${DEV} was not a target of the last organization run (run-1)`,
    ],
    [
      { accountId: PROD, region: 'ap-south-1' },
      `region ap-south-1 of account ${PROD} was not a target of the last organization run (run-1)`,
    ],
  ])('accounts=organization, regions=all-enabled: %o → %s', (target, reason) => {
    expect(whyNotChecked(target, organization, listed)).toBe(reason);
  });

  it('checks nothing before the first organization run has listed the targets', () => {
    expect(whyNotChecked({ accountId: PROD, region: 'eu-west-1' }, organization, undefined)).toMatch(
      /^no organization run has listed the targets yet/,
    );
  });

  it('with accounts=self: only its own other regions', () => {
    const own = { ...base, accounts: parseAccountSelection('self'), regions: parseRegionSelection('stack') };
    expect(whyNotChecked({ accountId: PROD, region: 'us-east-1' }, own, listed)).toBe(
      `account ${PROD} is not scanned (accounts: self)`,
    );
    expect(whyNotChecked({ accountId: MANAGEMENT, region: 'eu-west-1' }, own, listed)).toBe(
      'region eu-west-1 is not scanned (regions: stack, us-east-1)',
    );
  });
});
