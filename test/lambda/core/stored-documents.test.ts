import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import type { Attribution } from '../../../lambda/core/attribution.js';
import { deploymentApproval, deploymentOf, labelDrift } from '../../../lambda/core/deployments.js';
import { baselineDocSchema, keys } from '../../../lambda/core/documents.js';
import type { Finding } from '../../../lambda/core/types.js';
import { MalformedDocumentError } from '../../../lambda/errors.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';

/**
 * Documents as an earlier build wrote them (test/fixtures/documents-v1, captured from a real run of
 * the detector before the changes of issue 11) still read, and a document whose hash does not match
 * its own content is refused with its key named.
 */

const POOL = 'us-east-1_P00000001';
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/documents-v1/${name}`, import.meta.url), 'utf-8');

function storeWith(key: string, body: string): DriftStore {
  const documents = new MemoryDocumentStore();
  documents.plant(key, body);
  return new DriftStore(documents);
}

describe('documents written by an earlier build', () => {
  it('reads the baseline, with its hash verified', async () => {
    const baseline = await storeWith(keys.baseline(POOL), fixture('baseline.json')).getBaseline(POOL);

    expect(baseline?.doc.pool?.poolName).toBe('customers');
    expect(baseline?.doc.approvedBy).toBe('cognito-drift (first run)');
  });

  it('reads the snapshot, with its hash verified', async () => {
    const snapshot = await storeWith(keys.snapshot(POOL), fixture('snapshot.json')).getSnapshot(POOL);

    expect(snapshot?.doc.pool?.config.MfaConfiguration).toBe('OFF');
  });

  it('reads the state with its alert marks', async () => {
    const state = await storeWith(keys.state, fixture('state.json')).getState();

    expect(state?.doc.pools[POOL]?.drift?.lastAlertedAt).toBe('2026-01-05T07:00:00.000Z');
  });

  it('reads a run in progress that has no lease', async () => {
    const run = await storeWith(keys.run, fixture('run-in-progress.json')).getRun();

    expect(run?.doc.status).toBe('scanning');
    expect(Object.keys(run?.doc.outcomes ?? {})).toEqual([POOL]);
  });
});

describe('documents and deployments (issue 19)', () => {
  it("leaves the changes of an earlier build's run in progress unlabelled: it recorded no pool stack", async () => {
    const run = await storeWith(keys.run, fixture('run-in-progress.json')).getRun();
    const outcome = run?.doc.outcomes[POOL];
    if (outcome?.status !== 'scanned') throw new Error('expected a scanned outcome');
    const drift = {
      poolId: POOL,
      poolName: outcome.poolName,
      findings: outcome.findings as Finding[],
      status: 'new' as const,
    };
    const cloudFormation: Attribution = {
      kind: 'event',
      event: {
        eventId: 'ev-1',
        eventName: 'SetUserPoolMfaConfig',
        eventSource: 'cognito-idp.amazonaws.com',
        eventTime: '2026-01-05T06:30:00Z',
        principalArn: 'arn:aws:sts::1:assumed-role/cfn/AWSCloudFormation',
        invokedBy: 'cloudformation.amazonaws.com',
        resources: { userPoolId: POOL },
      },
    };

    expect(outcome.stack).toBeUndefined();
    const labelled = labelDrift({ ...drift, attributions: [cloudFormation] }, outcome.stack);
    expect(labelled.findings[0]?.origin).toBeUndefined();
    // So nothing of it can be recorded as a deployment.
    expect(deploymentOf(labelled)).toBeUndefined();
  });

  it("writes a deployment's baseline with the fields of the format earlier builds read, and no other", () => {
    const earlier = Object.keys(JSON.parse(fixture('baseline.json')) as object).sort();
    const approval = deploymentApproval(
      {
        kind: 'deployed',
        stack: 'auth-prod',
        eventId: 'ev-1',
        eventName: 'UpdateUserPool',
        eventTime: '2026-01-05T06:30:00Z',
        principalArn: 'arn:aws:sts::1:assumed-role/cfn/AWSCloudFormation',
      },
      1,
    );
    const doc = {
      formatVersion: 1,
      kind: 'baseline',
      poolId: POOL,
      approvedAt: '2026-01-05T07:00:00.000Z',
      ...approval,
      snapshotHash: null,
      pool: null,
    };

    expect(Object.keys(doc).sort()).toEqual(earlier);
    expect(baselineDocSchema.parse(doc).approvedBy).toBe(
      'CloudFormation stack auth-prod (CloudTrail event ev-1)',
    );
  });
});

describe('a stored hash that does not match its document', () => {
  it('refuses a baseline whose snapshotHash was edited, naming the object', async () => {
    const edited = fixture('baseline.json').replace(/"snapshotHash": "[0-9a-f]+"/, '"snapshotHash": "0000"');
    const store = storeWith(keys.baseline(POOL), edited);

    const error = await store.getBaseline(POOL).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MalformedDocumentError);
    expect((error as MalformedDocumentError).key).toBe(keys.baseline(POOL));
    expect((error as Error).message).toContain('snapshotHash does not match the pool it describes');
  });

  it('refuses a baseline whose pool was edited by hand with the hash left alone', async () => {
    const edited = fixture('baseline.json').replace('"MfaConfiguration": "ON"', '"MfaConfiguration": "OFF"');
    expect(edited).not.toBe(fixture('baseline.json'));

    await expect(storeWith(keys.baseline(POOL), edited).getBaseline(POOL)).rejects.toThrow(
      /snapshotHash does not match/,
    );
  });

  it('refuses a snapshot whose pool was edited by hand', async () => {
    const edited = fixture('snapshot.json').replace('"MfaConfiguration": "OFF"', '"MfaConfiguration": "ON"');
    expect(edited).not.toBe(fixture('snapshot.json'));

    await expect(storeWith(keys.snapshot(POOL), edited).getSnapshot(POOL)).rejects.toThrow(
      /hash does not match/,
    );
  });
});

describe('a run document with posture findings', () => {
  const withPosture = (finding: Record<string, unknown>) => {
    const doc = JSON.parse(fixture('run-in-progress.json'));
    const outcome = Object.values(doc.outcomes)[0] as Record<string, unknown>;
    outcome.posture = [finding];
    outcome.postureCounts = { 'Cognito.6': { open: 0, accepted: 1 } };
    return JSON.stringify(doc);
  };
  const finding = {
    control: 'Cognito.6',
    alsoKnownAs: ['cognito_user_pool_deletion_protection_enabled'],
    source: 'Security Hub',
    title: 'Cognito user pools should have deletion protection enabled',
    severity: 'MEDIUM',
    poolId: POOL,
    poolName: 'customers',
    resource: POOL,
    detail: 'deletion protection is off (DeletionProtection INACTIVE)',
    accepted: 'sandbox',
  };

  it('reads them back', async () => {
    const run = await storeWith(keys.run, withPosture(finding)).getRun();

    const outcome = run?.doc.outcomes[POOL];
    expect(outcome?.status === 'scanned' ? outcome.posture : undefined).toEqual([finding]);
    expect(outcome?.status === 'scanned' ? outcome.postureCounts : undefined).toEqual({
      'Cognito.6': { open: 0, accepted: 1 },
    });
  });

  it('refuses a finding without its control, naming the object', async () => {
    const { control: _dropped, ...broken } = finding;

    await expect(storeWith(keys.run, withPosture(broken)).getRun()).rejects.toThrow(MalformedDocumentError);
  });
});
