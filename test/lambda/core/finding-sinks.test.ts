import { describe, expect, it, vi } from 'vitest';
import {
  CONTENT_HASH_FIELD,
  desiredFindings,
  importBatches,
  MAX_FINDINGS_PER_IMPORT,
  type PoolFindings,
  planImport,
} from '../../../lambda/core/asff.js';
import {
  DRIFT_DETAIL_TYPE,
  type DriftEventEntry,
  driftEvents,
  entrySize,
  eventBatches,
  MAX_ENTRIES_PER_CALL,
  MAX_EVENT_ENTRY_BYTES,
  MAX_REQUEST_ENTRY_BYTES,
  RESOLVED_DETAIL_TYPE,
} from '../../../lambda/core/drift-events.js';
import {
  type FindingSink,
  findingIdentity,
  publishFindingSinks,
  type SinkReport,
  toSinkReport,
} from '../../../lambda/core/finding-sinks.js';
import { SECRET_DIGEST_PREFIX } from '../../../lambda/core/normalize.js';
import type { PoolDrift, RunContext } from '../../../lambda/core/render.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';

const CTX: RunContext = {
  accountId: '123456789012',
  region: 'eu-west-1',
  runId: 'run-1',
  at: '2026-12-05T10:00:00.000Z',
  approveCommand: (poolId) => `cognito-drift approve --pool ${poolId}`,
  catalog: CATALOG,
};
const POOL = 'eu-west-1_AbCdEf123';

function fieldChange(path: string, before: unknown, after: unknown, severity = Severity.MEDIUM): Finding {
  return {
    kind: 'field-changed',
    poolId: POOL,
    poolName: 'customers',
    path,
    before,
    after,
    severity,
    rule: `rule.${path}`,
  } as Finding;
}

function drift(findings: Finding[], extra: Partial<PoolDrift> = {}): PoolDrift {
  return { poolId: POOL, poolName: 'customers', findings, status: 'new', ...extra };
}

function report(drifts: PoolDrift[], resolved: { poolId: string; poolName: string }[] = []): SinkReport {
  return toSinkReport(CTX, drifts, resolved);
}

describe('the sink report', () => {
  it('masks secret digests however deep, escapes names, and carries the author', () => {
    const digest = `${SECRET_DIGEST_PREFIX}abc123`;
    const sink = report([
      drift(
        [
          fieldChange(
            'ProviderDetails.client_secret',
            digest,
            `${SECRET_DIGEST_PREFIX}def456`,
            Severity.HIGH,
          ),
          {
            ...fieldChange('Nested', { a: [digest] }, { a: [] }),
            clientId: 'c1',
            clientName: 'web\u2028[HIGH] fake',
          } as Finding,
        ],
        {
          poolName: 'cust\u001b[2Jomers',
          attributions: [
            {
              kind: 'event',
              event: {
                eventId: 'e1',
                eventName: 'UpdateIdentityProvider',
                eventSource: 'cognito-idp.amazonaws.com',
                eventTime: '2026-12-05T09:55:00Z',
                principalArn: 'arn:aws:iam::123456789012:user/mallory',
                resources: {},
              },
            },
            { kind: 'unknown', reason: 'no trail' },
          ],
        },
      ),
    ]);

    const text = JSON.stringify(sink);
    expect(text).not.toContain(SECRET_DIGEST_PREFIX);
    expect(sink.drifts[0]?.poolName).toBe('cust\\x1b[2Jomers');
    expect(sink.drifts[0]?.findings[0]).toMatchObject({ before: '(secret)', after: '(secret)' });
    expect(sink.drifts[0]?.findings[0]?.summary).toBe(
      'ProviderDetails.client_secret: secret changed (value not shown)',
    );
    expect(sink.drifts[0]?.findings[1]).toMatchObject({
      before: { a: ['(secret)'] },
      clientName: 'web\\u2028[HIGH] fake',
    });
    expect(sink.drifts[0]?.findings[0]?.author).toMatchObject({
      principalArn: 'arn:aws:iam::123456789012:user/mallory',
      eventName: 'UpdateIdentityProvider',
    });
    expect(sink.drifts[0]?.findings[1]?.author?.line).toBe('author unknown (no trail)');
  });

  it('gives a finding the same identity whatever its values, and another for another path or client', () => {
    const a = fieldChange('MfaConfiguration', 'ON', 'OFF');
    expect(findingIdentity(a)).toBe(findingIdentity(fieldChange('MfaConfiguration', 'ON', 'OPTIONAL')));
    expect(findingIdentity(a)).not.toBe(findingIdentity(fieldChange('DeletionProtection', 'ON', 'OFF')));
    expect(findingIdentity(a)).not.toBe(findingIdentity({ ...a, clientId: 'c1' } as Finding));
  });
});

describe('EventBridge drift events', () => {
  it('are one per alerted pool and one per resolved pool, on the pools ARNs, with the documented detail', () => {
    const entries = driftEvents(
      report(
        [
          drift([fieldChange('MfaConfiguration', 'ON', 'OFF', Severity.HIGH)]),
          drift([fieldChange('x', 1, 2, Severity.LOW)], { poolId: 'eu-west-1:1111-2222', poolName: 'ids' }),
        ],
        [{ poolId: 'eu-west-1_Gone', poolName: 'old' }],
      ),
      'aws',
    );

    expect(entries.map((e) => [e.Source, e.DetailType, e.Resources])).toEqual([
      ['cognito-drift', DRIFT_DETAIL_TYPE, [`arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL}`]],
      [
        'cognito-drift',
        DRIFT_DETAIL_TYPE,
        ['arn:aws:cognito-identity:eu-west-1:123456789012:identitypool/eu-west-1:1111-2222'],
      ],
      [
        'cognito-drift',
        RESOLVED_DETAIL_TYPE,
        ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Gone'],
      ],
    ]);
    expect(JSON.parse(entries[0]?.Detail ?? '')).toMatchObject({
      version: '1',
      account: '123456789012',
      region: 'eu-west-1',
      runId: 'run-1',
      poolId: POOL,
      status: 'new',
      highestSeverity: 'HIGH',
      findingCount: 1,
      findingsOmitted: 0,
      findings: [
        { severity: 'HIGH', kind: 'field-changed', path: 'MfaConfiguration', before: 'ON', after: 'OFF' },
      ],
      approveCommand: `cognito-drift approve --pool ${POOL}`,
    });
  });

  it('hold no raw control character in the detail, and give the escaped name back when parsed', () => {
    const [entry] = driftEvents(
      report([drift([fieldChange('Name', 'a\u0085b', 'c\u2029d')], { poolName: 'p\u0007q' })]),
      'aws',
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(entry?.Detail).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(JSON.parse(entry?.Detail ?? '')).toMatchObject({
      poolName: 'p\\x07q',
      findings: [{ before: 'a\u0085b' }],
    });
  });

  it('keep one event within its size, most severe findings first, counting the ones left out', () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      fieldChange(`Field${i}`, 'x'.repeat(50), 'y'.repeat(50), i === 2999 ? Severity.HIGH : Severity.LOW),
    );
    const [entry] = driftEvents(report([drift(many)]), 'aws');
    const detail = JSON.parse(entry?.Detail ?? '');

    expect(entrySize(entry as DriftEventEntry)).toBeLessThanOrEqual(MAX_EVENT_ENTRY_BYTES);
    expect(detail.findingCount).toBe(3000);
    expect(detail.findingsOmitted).toBe(3000 - detail.findings.length);
    expect(detail.findingsOmitted).toBeGreaterThan(0);
    expect(detail.findings[0].path).toBe('Field2999');
    // Filled up to the limit (one finding is a few hundred bytes), not cut far below it.
    expect(entrySize(entry as DriftEventEntry)).toBeGreaterThan(MAX_EVENT_ENTRY_BYTES - 1024);
  });

  it('go in calls of at most 10 entries and under 256 KB together', () => {
    const small = Array.from({ length: 25 }, () => ({
      Source: 's',
      DetailType: 'd',
      Detail: '{}',
      Resources: [],
    }));
    expect(eventBatches(small).map((b) => b.length)).toEqual([10, 10, 5]);

    const big = Array.from({ length: 5 }, () => ({
      Source: 's',
      DetailType: 'd',
      Detail: 'x'.repeat(60_000),
      Resources: [],
    }));
    const batches = eventBatches(big);
    expect(batches.map((b) => b.length)).toEqual([4, 1]);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(MAX_ENTRIES_PER_CALL);
      expect(batch.reduce((n, e) => n + entrySize(e), 0)).toBeLessThanOrEqual(MAX_REQUEST_ENTRY_BYTES);
    }
  });
});

/** The findings of the one pool of a report. */
function onePool(sink: SinkReport, partition: string): PoolFindings {
  const [pool, ...others] = desiredFindings(sink, partition);
  if (!pool || others.length > 0) throw new Error('expected one pool');
  return pool;
}

describe('Security Hub findings', () => {
  const NOW = '2026-12-05T10:05:00.000Z';
  const LATER = '2026-12-06T10:05:00.000Z';
  const withAuthor = drift([fieldChange('MfaConfiguration', 'ON', 'OFF', Severity.HIGH)], {
    attributions: [
      {
        kind: 'event',
        event: {
          eventId: 'e',
          eventName: 'SetUserPoolMfaConfig',
          eventSource: 'cognito-idp.amazonaws.com',
          eventTime: '2026-12-05T09:00:00Z',
          principalArn: 'arn:aws:iam::123456789012:role/admin',
          resources: {},
        },
      },
    ],
  });

  it('name the pool as the resource, map the severity, and say who changed it', () => {
    const pool = onePool(report([withAuthor]), 'aws');
    const [finding] = pool.findings;
    const arn = `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL}`;

    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      ProductArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default',
      AwsAccountId: '123456789012',
      GeneratorId: 'cognito-drift/rule.MfaConfiguration',
      Severity: { Label: 'HIGH' },
      FindingProviderFields: { Severity: { Label: 'HIGH' } },
      Resources: [{ Type: 'Other', Id: arn, Partition: 'aws', Region: 'eu-west-1' }],
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
    });
    expect(finding?.Id).toMatch(new RegExp(`^${arn}/cognito-drift/[0-9a-f]{32}$`));
    expect(finding?.Description).toContain('MfaConfiguration: ON -> OFF');
    expect(finding?.Description).toContain('arn:aws:iam::123456789012:role/admin');
    expect(finding?.Remediation?.Recommendation?.Text).toContain(`cognito-drift approve --pool ${POOL}`);
  });

  it('are imported once: unchanged ones are left alone, changed ones keep CreatedAt, gone ones are archived', () => {
    const first = onePool(report([withAuthor]), 'aws');
    const created = planImport(first, [], NOW);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ CreatedAt: NOW, UpdatedAt: NOW, FirstObservedAt: NOW });

    // The same drift alerted again (a reminder): nothing to import.
    expect(planImport(first, created, LATER)).toEqual([]);

    // Its value changed: the same Id, updated in place.
    const changed = onePool(
      report([drift([fieldChange('MfaConfiguration', 'ON', 'OPTIONAL', Severity.HIGH)])]),
      'aws',
    );
    const updated = planImport(changed, created, LATER);
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ Id: created[0]?.Id, CreatedAt: NOW, UpdatedAt: LATER });
    expect(updated[0]?.ProductFields?.[CONTENT_HASH_FIELD]).not.toBe(
      created[0]?.ProductFields?.[CONTENT_HASH_FIELD],
    );

    // The drift was approved: the pool is resolved, its finding archived and passed.
    const resolved = onePool(report([], [{ poolId: POOL, poolName: 'customers' }]), 'aws');
    const archived = planImport(resolved, created, LATER);
    expect(archived).toEqual([
      expect.objectContaining({
        Id: created[0]?.Id,
        RecordState: 'ARCHIVED',
        Compliance: { Status: 'PASSED' },
        UpdatedAt: LATER,
        CreatedAt: NOW,
      }),
    ]);
    expect(archived[0]).not.toHaveProperty('Workflow');
  });

  it('go in calls of at most 100 findings', () => {
    const many = Array.from({ length: 250 }, (_, i) => fieldChange(`F${i}`, 1, 2));
    const pool = onePool(report([drift(many)]), 'aws');
    const batches = importBatches(planImport(pool, [], NOW));
    expect(batches.map((b) => b.length)).toEqual([MAX_FINDINGS_PER_IMPORT, MAX_FINDINGS_PER_IMPORT, 50]);
  });
});

describe('publishFindingSinks', () => {
  it('calls every sink; one that fails is logged and counted, and the next still runs', async () => {
    const warn = vi.fn();
    const count = vi.fn();
    const second = vi.fn(async () => {});
    const sinks: FindingSink[] = [
      { name: 'broken', publish: async () => Promise.reject(new Error('AccessDenied\nsecond line')) },
      { name: 'fine', publish: second },
    ];
    const logger = { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() };

    await publishFindingSinks(report([drift([fieldChange('a', 1, 2)])]), sinks, {
      logger,
      metrics: { count, durationMs: vi.fn() },
    });

    expect(second).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('A finding sink failed; the alert itself was sent', {
      sink: 'broken',
      reason: 'AccessDenied\\x0asecond line',
    });
    expect(count).toHaveBeenCalledWith('SinkFailures', 1);
  });

  it('calls no sink when nothing was alerted or resolved', async () => {
    const publish = vi.fn(async () => {});
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    await publishFindingSinks(report([]), [{ name: 's', publish }], { logger });
    expect(publish).not.toHaveBeenCalled();
  });
});
