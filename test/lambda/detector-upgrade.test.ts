import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BaselineDoc, StateDoc } from '../../lambda/core/documents.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import {
  ACCOUNT_ID,
  DetectorHarness,
  FakeAccount,
  type FakePool,
  HOUR,
  PREFIX,
} from '../support/fake-aws.js';
import { putRole } from '../support/reference-seeds.js';

/** Documents written by release 0.1.0 (before surfaces existed); see the folder's README. */
const FIXTURE = fileURLToPath(new URL('../fixtures/release-0.1.0/', import.meta.url));
const CUSTOMERS = 'us-east-1_P00000001';
const STAFF = 'us-east-1_P00000002';
const ALICE = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/operator/alice`;

function fixtureFiles(dir = FIXTURE): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return fixtureFiles(path);
    return name.endsWith('.json') ? [relative(FIXTURE, path)] : [];
  });
}

describe('upgrading from release 0.1.0: its stored documents, the first run that watches surfaces', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let customers: FakePool;
  let identityPoolId: string;

  beforeEach(() => {
    aws = new FakeAccount();
    // The roles its groups hand out exist (the IAM roles surface reads them).
    for (const name of ['admin', 'other'])
      putRole(aws.catalogItems, `arn:aws:iam::${ACCOUNT_ID}:role/${name}`);
    // The same account release 0.1.0 scanned (same ids, dates, settings), which always had the
    // surfaces that release could not see.
    customers = aws.addPool({
      name: 'customers',
      identityProviders: [{ name: 'Okta', type: 'OIDC' }],
      groups: [{ name: 'admins', roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/admin` }],
      webAcl: { name: 'cognito-protection' },
      customDomain: 'login.example.com',
      logDelivery: [{ LogLevel: 'ERROR', EventSource: 'userNotification' }],
      riskConfiguration: { RiskExceptionConfiguration: { SkippedIPRangeList: ['10.0.0.0/8'] } },
    });
    aws.addClient(customers.poolId, { name: 'web' });
    aws.addClient(customers.poolId, { name: 'backend', confidential: true, secretValue: 'backend-secret' });
    const staff = aws.addPool({ name: 'staff' });
    aws.addClient(staff.poolId, { name: 'intranet' });
    aws.updatePool(customers.poolId, { UserPoolTags: { team: 'identity', costCenter: '42' } });
    aws.updatePool(staff.poolId, { MfaConfiguration: 'OPTIONAL' });
    identityPoolId = aws.addIdentityPool({ name: 'mobile-identities', allowUnauthenticated: true });
    expect([customers.poolId, staff.poolId]).toEqual([CUSTOMERS, STAFF]);

    for (const key of fixtureFiles()) aws.bucket.write(key, readFileSync(join(FIXTURE, key), 'utf-8'));
    harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    // Release 0.1.0's last run was at 09:00; this is the next hourly run after the upgrade.
    harness.clock.advance(4 * HOUR);
  });

  it('the fixture is what release 0.1.0 wrote: baselines without surfaces, a state without "watching"', () => {
    const state = aws.bucket.readJson<StateDoc>('state/detector-state.json');
    const approved = aws.bucket.readJson<BaselineDoc>(`baselines/${CUSTOMERS}.json`);

    expect(fixtureFiles().sort()).toEqual(
      expect.arrayContaining([
        `baselines/${CUSTOMERS}.json`,
        `baselines/${STAFF}.json`,
        `snapshots/${CUSTOMERS}.json`,
        'state/detector-state.json',
      ]),
    );
    expect(state.watching).toBeUndefined();
    expect(state.pools[STAFF]?.drift?.lastAlertedAt).toBe('2026-01-05T09:00:00.000Z');
    expect(approved.approvedBy).toBe(ALICE);
    expect(approved.pool?.surfaces).toBeUndefined();
  });

  it('records the new surfaces as baseline, sends one short "now also watching" notice and no drift', async () => {
    const before = aws.bucket.readJson<BaselineDoc>(`baselines/${CUSTOMERS}.json`);

    const result = await harness.run();

    expect(result.storeProblems).toEqual([]);
    expect(result.readProblems).toEqual([]);
    expect(result.sent.map((m) => m.Subject)).toEqual([
      `${PREFIX}Now also watching ${SURFACE_NAMES.length} more surfaces`,
    ]);
    const notice = result.sent[0]?.Message ?? '';
    expect(notice).toContain('now also watches ');
    for (const label of [
      'identity providers',
      'groups',
      'web ACL',
      'domains',
      'log export',
      'identity pools',
    ])
      expect(notice).toContain(label);
    expect(notice).toContain('1 identity pool recorded as baseline.');
    expect(notice.split('\n').length).toBeLessThan(10);
    // No finding about anything the old release did not watch.
    const customersFindings = result.pools.find((p) => p.poolId === CUSTOMERS)?.findings;
    expect(customersFindings).toEqual([]);
    expect(result.pools.find((p) => p.poolId === identityPoolId)?.findings).toEqual([]);

    const after = aws.bucket.readJson<BaselineDoc>(`baselines/${CUSTOMERS}.json`);
    expect({ by: after.approvedBy, at: after.approvedAt, reason: after.reason }).toEqual({
      by: before.approvedBy,
      at: before.approvedAt,
      reason: before.reason,
    });
    expect({ ...after.pool, surfaces: undefined }).toEqual({ ...before.pool, surfaces: undefined });
    expect(Object.keys(after.pool?.surfaces ?? {}).sort()).toEqual(
      SURFACE_NAMES.filter((s) => s !== 'identityPools').sort(),
    );
    expect(Object.keys(after.pool?.surfaces?.identityProviders ?? {})).toEqual(['Okta']);
    const identityBaseline = aws.bucket.readJson<BaselineDoc>(`baselines/${identityPoolId}.json`);
    expect(identityBaseline.pool?.config.AllowUnauthenticatedIdentities).toBe(true);
  });

  it('keeps the drift that was pending, without re-sending it, and is quiet on the run after', async () => {
    const upgraded = await harness.run();
    const next = await harness.run();

    expect(
      upgraded.pools.find((p) => p.poolId === STAFF)?.findings.map((f) => ('path' in f ? f.path : f.kind)),
    ).toEqual(['MfaConfiguration']);
    // The alert mark follows the new hashes: approving the pending drift needs no --force.
    const state = aws.bucket.readJson<StateDoc>('state/detector-state.json');
    const snapshot = aws.bucket.readJson<{ hash: string }>(`snapshots/${STAFF}.json`);
    expect(state.pools[STAFF]?.drift?.snapshotHash).toBe(snapshot.hash);
    expect(state.pools[STAFF]?.drift?.firstAlertedAt).toBe('2026-01-05T09:00:00.000Z');
    expect(state.watching).toEqual(SURFACE_NAMES);
    expect(upgraded.sent.map((m) => m.MessageAttributes?.kind?.StringValue)).toEqual(['now-watching']);
    expect(next.sent).toEqual([]);
    const staffBaseline = aws.bucket.readJson<BaselineDoc>(`baselines/${STAFF}.json`);
    expect(staffBaseline.pool?.config.MfaConfiguration).toBe('ON');
    expect(staffBaseline.approvedBy).toBe('cognito-drift (first run)');
  });

  it('alerts a change to a newly watched surface on a later run, against the recorded baseline', async () => {
    await harness.run();
    aws.updateGroup(customers.poolId, 'admins', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/other` });

    const result = await harness.run();

    // The group's RoleArn, and the IAM roles surface's role swap (one removed, one added).
    expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 3 changes in 1 pool`]);
    expect(result.sent[0]?.Message).toContain('[HIGH] RoleArn: ');
  });
});
