import { describe, expect, it } from 'vitest';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import type { AlertMessage, PoolReader, PoolReadResult } from '../../../lambda/core/ports.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';
import { poolSnapshot } from '../../fixtures/snapshots.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';
import { detect, HOUR, T0 } from './run-harness.js';

const POOL = 'eu-west-1_shop';
const WAF = { surface: 'webAcl', operation: 'GetWebACLForResource', reason: 'AccessDeniedException' };

function withAcl(acl: string | undefined, mfa = 'ON'): PoolSnapshot {
  const pool = poolSnapshot({ MfaConfiguration: mfa }, [], { poolId: POOL, poolName: 'shop' });
  return { ...pool, surfaces: { webAcl: acl ? { acl: { name: acl, config: { arn: acl } } } : {} } };
}

/**
 * An alerted web ACL association, then a run that cannot read the association, then one that can:
 * no "Resolved" in between, and no second alert after. (issue 17, item 7)
 */
function harness() {
  const store = new DriftStore(new MemoryDocumentStore());
  let clock = T0;
  const h = {
    next: { status: 'ok', pool: withAcl(undefined), unreadableClients: [] } as PoolReadResult,
    /** One run; the kinds of the messages it sent, and the messages. */
    async run(): Promise<{ kinds: string[]; sent: AlertMessage[] }> {
      const reader: PoolReader = {
        surfaceNames: ['webAcl'],
        listPools: async () => [{ poolId: POOL, poolName: 'shop' }],
        readPool: async () => structuredClone(h.next),
      };
      const { kinds, sent } = await detect({ reader, store, now: () => new Date(clock) });
      clock += HOUR;
      return { kinds, sent };
    },
  };
  return h;
}

describe('a surface that cannot be read keeps its alert state', () => {
  it('sends "Scan incomplete" only, never "Resolved", and does not alert the same drift again', async () => {
    const h = harness();
    const run = async () => (await h.run()).kinds;
    expect(await run()).toEqual(['baseline-created']);
    h.next = {
      status: 'ok',
      pool: withAcl('arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/evil/1'),
      unreadableClients: [],
    };
    expect(await run()).toEqual(['drift']);
    const { surfaces: _unread, ...withoutAcl } = withAcl(undefined);
    h.next = { status: 'ok', pool: withoutAcl, unreadableClients: [], unreadableSurfaces: [WAF] };
    expect(await run()).toEqual(['scan-incomplete']);
    h.next = {
      status: 'ok',
      pool: withAcl('arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/evil/1'),
      unreadableClients: [],
    };
    expect(await run()).toEqual([]);
    // Read again and found back at the baseline: now it is resolved.
    h.next = { status: 'ok', pool: withAcl(undefined), unreadableClients: [] };
    expect(await run()).toEqual(['resolved']);
  });

  it('still alerts new drift in the parts that were read, and carries the alerted part as last known', async () => {
    const h = harness();
    const evil = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/evil/1';
    expect((await h.run()).kinds).toEqual(['baseline-created']);
    h.next = { status: 'ok', pool: withAcl(evil), unreadableClients: [] };
    expect((await h.run()).kinds).toEqual(['drift']);
    // The association cannot be read, and MFA is switched off meanwhile: that is news.
    const { surfaces: _unread, ...mfaOff } = withAcl(undefined, 'OFF');
    h.next = { status: 'ok', pool: mfaOff, unreadableClients: [], unreadableSurfaces: [WAF] };
    const partial = await h.run();
    expect([...partial.kinds].sort()).toEqual(['drift', 'scan-incomplete']);
    const drift = partial.sent.find((m) => m.attributes.kind === 'drift');
    expect(drift?.body).toContain('MfaConfiguration');
    // The alerted association is still shown as it was last known, not as gone.
    expect(drift?.body).toContain('evil');
    expect(drift?.body).not.toMatch(/resolved/i);
    // Readable again, unchanged since: nothing new to say.
    h.next = { status: 'ok', pool: withAcl(evil, 'OFF'), unreadableClients: [] };
    expect((await h.run()).kinds).toEqual([]);
  });
});
