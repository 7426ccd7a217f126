import type { STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../lambda/core/ports.js';
import {
  type AggregateInput,
  type ChildOutput,
  childInputSchema,
  type ListOutput,
} from '../../../lambda/org/contract.js';
import {
  type OrganizationDeps,
  type OrganizationSettings,
  runOrganizationStep,
} from '../../../lambda/org/organization-run.js';
import { HOUR } from '../../support/detector-harness.js';
import {
  DEV,
  MANAGEMENT,
  memberCredentials,
  NO_ROLE,
  PROD,
  redirectFirstClient,
  seedOrganization,
  organizationSettings as settings,
  useStandinOrganization,
} from '../../support/organization-deps.js';

const base = { accessKeyId: 'AKIAMANAGEMENT000001', secretAccessKey: 'x' };

/**
 * Runs one organization execution the way the state machine does: list, then each Map item's own
 * loop (invoke again with the previous output while `done` is false), then aggregate with the Map's
 * results. Every input is checked against the contract the definition follows.
 */
async function execute(deps: OrganizationDeps, settings: OrganizationSettings) {
  const listed = (await runOrganizationStep(
    { phase: 'list', itemsInState: true },
    deps,
    settings,
  )) as ListOutput;
  const items = listed.items ?? [];
  const results: ChildOutput[] = [];
  for (const item of items) {
    let input: unknown = item;
    for (let i = 0; i < 10; i++) {
      childInputSchema.parse(input);
      const out = (await runOrganizationStep(input, deps, settings)) as ChildOutput;
      if (out.done) {
        results.push(out);
        break;
      }
      input = out;
    }
  }
  const aggregate: AggregateInput = {
    phase: 'aggregate',
    orgRunId: listed.orgRunId,
    startedAt: listed.startedAt,
  };
  await runOrganizationStep(aggregate, deps, settings);
  return { listed: { ...listed, items }, results };
}

describe('an organization run through the handler entry points, on the stand-in', () => {
  let sent: AlertMessage[];
  let clock: number;
  let deps: OrganizationDeps;
  let driftPool = '';
  let sts: STSClient;
  const org = useStandinOrganization((standin) => {
    driftPool = seedOrganization(standin)[`${PROD}/eu-west-1`] ?? '';
    standin.organization.setRegionOptStatus(PROD, 'af-south-1', 'DISABLED');
  });

  beforeEach(() => {
    sent = [];
    clock = Date.parse('2026-12-01T10:00:00.000Z');
    const wired = org.deps({ publish: (m) => void sent.push(m), now: () => new Date(clock) });
    sts = wired.sts;
    deps = wired;
  });

  it('two accounts × two regions, drift in one target only: one digest naming that account and region', async () => {
    const s = settings(`${PROD},${DEV}`, 'us-east-1,eu-west-1');
    const first = await execute(deps, s);
    expect(first.listed.items.map((i) => `${i.target.accountId}/${i.target.region}`)).toEqual([
      `${PROD}/eu-west-1`,
      `${PROD}/us-east-1`,
      `${DEV}/eu-west-1`,
      `${DEV}/us-east-1`,
    ]);
    expect(sent.map((m) => m.attributes.kind)).toEqual(['baseline-created']);
    expect(sent[0]?.attributes.accounts).toEqual([PROD, DEV].sort());

    sent = [];
    clock += HOUR;
    redirectFirstClient(org.standin.target(PROD, 'eu-west-1'), driftPool, 'https://evil.example.net/cb');
    await execute(deps, s);

    expect(sent).toHaveLength(1);
    const digest = sent[0] as AlertMessage;
    expect(digest.attributes).toMatchObject({
      kind: 'drift',
      severity: 'HIGH',
      poolIds: [driftPool],
      accounts: [PROD],
      regions: ['eu-west-1'],
    });
    expect(digest.body).toContain(`=== Account ${PROD}, region eu-west-1`);
    expect(digest.body).not.toContain(`=== Account ${DEV}`);
    expect(digest.body).toContain('evil.example.net');
    expect(digest.subject).toMatch(/^\[cognito-drift organization\//);
  });

  it('a target whose role is missing: one deduplicated "cannot assume role" line, nothing marked removed', async () => {
    const s = settings(`${PROD},${NO_ROLE}`, 'us-east-1');
    const first = await execute(deps, s);

    expect(first.results.find((r) => r.target.accountId === NO_ROLE)?.status).toBe('unreachable');
    const notice = sent.find((m) => m.attributes.kind === 'scan-incomplete');
    expect(notice?.body).toContain(`scan incomplete: cannot assume role in ${NO_ROLE}`);
    expect(notice?.attributes.accounts).toContain(NO_ROLE);

    // The next run, same failure, within the reminder interval: not sent again.
    sent = [];
    clock += HOUR;
    await execute(deps, s);
    expect(sent.filter((m) => m.attributes.kind === 'scan-incomplete')).toEqual([]);
    // And no document was ever written for the unreachable account.
    expect((await deps.documents.list('baselines/')).some((o) => o.key.includes(NO_ROLE))).toBe(false);
  });

  it('a role that disappears after baselines exist: its pools are not reported as removed', async () => {
    const s = settings(`${DEV}`, 'us-east-1');
    await execute(deps, s);
    sent = [];
    clock += HOUR;
    org.standin.organization.setRole(DEV, null);
    // A later invocation (a fresh container): the cached credentials of the first are gone.
    deps.credentials = memberCredentials(sts);
    try {
      await execute(deps, s);
    } finally {
      org.standin.organization.setRole(DEV, 'CognitoDriftMemberRole');
    }
    expect(sent.map((m) => m.attributes.kind)).toEqual(['scan-incomplete']);
    expect(sent[0]?.body).toContain(`cannot assume role in ${DEV}`);
    expect(sent[0]?.body).not.toMatch(/Pool deleted|client deleted/i);
    expect(sent.some((m) => m.attributes.kind === 'drift')).toBe(false);
  });

  it('a region not enabled: one line, and all-enabled never lists it', async () => {
    const explicit = await execute(deps, settings(PROD, 'af-south-1'));
    expect(explicit.results[0]?.status).toBe('unreachable');
    expect(sent.find((m) => m.attributes.kind === 'scan-incomplete')?.body).toContain(
      `region af-south-1 is not enabled in account ${PROD}`,
    );

    const all = await execute(deps, settings(PROD, 'all-enabled'));
    const regions = all.listed.items.map((i) => i.target.region);
    expect(regions).toContain('eu-west-1');
    expect(regions).not.toContain('af-south-1');
  });

  it('accounts=organization lists the active accounts, and a role-less one is unreachable', async () => {
    const run = await execute(deps, settings('organization', 'us-east-1'));
    const accounts = [...new Set(run.listed.items.map((i) => i.target.accountId))];
    expect(accounts).toEqual([MANAGEMENT, PROD, DEV, NO_ROLE].sort());
    expect(run.results.filter((r) => r.status === 'unreachable').map((r) => r.target.accountId)).toEqual([
      NO_ROLE,
    ]);
  });

  it('assumes each account role once per run for all its regions (credentials cached per target)', async () => {
    const before = org.standin.organization.stats.assumeRole;
    await execute(deps, settings(`${PROD},${DEV}`, 'us-east-1,eu-west-1'));
    expect(org.standin.organization.stats.assumeRole - before).toBe(2);
  });

  it('marks drift as alerted only once the digest is published: a failed publish is sent again', async () => {
    const region = 'ap-southeast-2';
    const target = org.standin.target(DEV, region);
    const pool = target.addPool({ name: 'marks', clients: [{ name: 'web' }] });
    const s = settings(DEV, region);
    await execute(deps, s);
    redirectFirstClient(target, pool, 'https://marks.example.net/cb');

    // The aggregate's publish fails: the Map's children are done, but nobody was told.
    sent = [];
    clock += HOUR;
    const delivered = deps.notifier;
    deps.notifier = {
      publish: async () => {
        throw new Error('SNS unavailable');
      },
    };
    await expect(execute(deps, s)).rejects.toThrow('SNS unavailable');
    deps.notifier = delivered;

    // The next run sends it, and the one after does not repeat it within the reminder interval.
    clock += HOUR;
    await execute(deps, s);
    expect(sent.map((m) => m.attributes.kind)).toEqual(['drift']);
    expect(sent[0]?.body).toContain('marks.example.net');
    sent = [];
    clock += HOUR;
    await execute(deps, s);
    expect(sent).toEqual([]);
  });

  it("names the author of a target's change from that target's CloudTrail, signed for its account", async () => {
    const region = 'ca-central-1';
    const target = org.standin.target(PROD, region);
    const pool = target.addPool({ name: 'authored', clients: [{ name: 'web' }] });
    const s = settings(PROD, region);
    const asked: string[] = [];
    deps.attributor = (scanTarget, credentials) => async (requests) => {
      const identity = await credentials?.();
      asked.push(`${scanTarget.accountId}/${scanTarget.region} as ${identity?.accessKeyId}`);
      return new Map(
        requests.map((r) => [
          r.poolId,
          r.findings.map(() => ({
            kind: 'event' as const,
            event: {
              eventId: 'e-1',
              eventName: 'UpdateUserPoolClient',
              eventSource: 'cognito-idp.amazonaws.com',
              eventTime: new Date(clock).toISOString(),
              principalArn: `arn:aws:iam::${PROD}:user/mallory`,
              principalName: 'mallory',
              resources: {},
            },
          })),
        ]),
      );
    };
    await execute(deps, s);
    redirectFirstClient(target, pool, 'https://authored.example.net/cb');
    sent = [];
    clock += HOUR;
    await execute(deps, s);

    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(new RegExp(`^${PROD}/${region} as `));
    expect(asked[0]).not.toContain(base.accessKeyId);
    expect(sent[0]?.body).toContain('mallory');
  });

  it('reports a target whose outcome document is unusable as not finished, never as clean', async () => {
    const s = settings(PROD, 'us-east-1');
    const listed = (await runOrganizationStep({ phase: 'list', itemsInState: true }, deps, s)) as ListOutput;
    for (const item of listed.items ?? []) await runOrganizationStep(item, deps, s);
    await deps.documents.put(
      `runs/organization/${listed.orgRunId}/${PROD}/us-east-1.json`,
      '{"status":"scanned"',
      { unconditional: true },
    );
    sent = [];
    await runOrganizationStep(
      { phase: 'aggregate', orgRunId: listed.orgRunId, startedAt: listed.startedAt },
      deps,
      s,
    );
    expect(sent.find((m) => m.attributes.kind === 'scan-incomplete')?.body).toContain(
      `scan incomplete: ${PROD}/us-east-1: the scan failed or did not finish`,
    );
  });
});
