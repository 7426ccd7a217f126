import { describe, expect, it } from 'vitest';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import type { AlertMessage, PoolReader, PoolReadResult } from '../../../lambda/core/ports.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';
import { runDetection } from '../../../lambda/run/detector.js';
import { poolSnapshot } from '../../fixtures/snapshots.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00.000Z');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const POOL = 'eu-west-1_shop';
const WAF = { surface: 'webAcl', operation: 'GetWebACLForResource', reason: 'AccessDeniedException' };

function withAcl(acl: string | undefined): PoolSnapshot {
  const pool = poolSnapshot({ MfaConfiguration: 'ON' }, [], { poolId: POOL, poolName: 'shop' });
  return { ...pool, surfaces: { webAcl: acl ? { acl: { name: acl, config: { arn: acl } } } : {} } };
}

/**
 * An alerted web ACL association, then a run that cannot read the association, then one that can:
 * no "Resolved" in between, and no second alert after. (issue 17, item 7)
 */
describe('a surface that cannot be read keeps its alert state', () => {
  it('sends "Scan incomplete" only, never "Resolved", and does not alert the same drift again', async () => {
    const store = new DriftStore(new MemoryDocumentStore());
    let clock = T0;
    let next: PoolReadResult = { status: 'ok', pool: withAcl(undefined), unreadableClients: [] };
    const reader: PoolReader = {
      surfaceNames: ['webAcl'],
      listPools: async () => [{ poolId: POOL, poolName: 'shop' }],
      readPool: async () => structuredClone(next),
    };
    const run = async () => {
      const sent: AlertMessage[] = [];
      await runDetection(
        {
          reader,
          store,
          notifier: { publish: async (m) => void sent.push(m) },
          logger: quiet,
          now: () => new Date(clock),
        },
        {
          accountId: '111122223333',
          region: 'eu-west-1',
          reminderIntervalMs: 24 * HOUR,
          approveCommand: (id) => `approve ${id}`,
          safetyMarginMs: 0,
          poolConcurrency: 1,
          maxRunAgeMs: HOUR,
        },
      );
      clock += HOUR;
      return sent.map((m) => m.attributes.kind);
    };

    expect(await run()).toEqual(['baseline-created']);
    next = {
      status: 'ok',
      pool: withAcl('arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/evil/1'),
      unreadableClients: [],
    };
    expect(await run()).toEqual(['drift']);
    const { surfaces: _unread, ...withoutAcl } = withAcl(undefined);
    next = { status: 'ok', pool: withoutAcl, unreadableClients: [], unreadableSurfaces: [WAF] };
    expect(await run()).toEqual(['scan-incomplete']);
    next = {
      status: 'ok',
      pool: withAcl('arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/evil/1'),
      unreadableClients: [],
    };
    expect(await run()).toEqual([]);
    // Read again and found back at the baseline: now it is resolved.
    next = { status: 'ok', pool: withAcl(undefined), unreadableClients: [] };
    expect(await run()).toEqual(['resolved']);
  });
});
