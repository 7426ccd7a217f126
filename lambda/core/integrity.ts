import { contentHash } from './canonical.js';
import type { PoolSnapshot } from './types.js';

/**
 * Why a stored hash does not describe the pool stored next to it, or undefined when it does.
 *
 * A baseline's `snapshotHash` decides whether a pool has drifted. Trusted as written, one edited
 * line (or a hand edit of `pool` that leaves the hash alone) would approve anything, so it is
 * recomputed from the document on every read.
 */
export function hashMismatch(
  field: 'snapshotHash' | 'hash',
  stored: string | null,
  pool: PoolSnapshot | null,
): string | undefined {
  const expected = pool === null ? null : contentHash(pool);
  if (stored === expected) return undefined;
  return `${field} does not match the pool it describes (the document was edited after it was written): approve the pool again: that replaces it with the state the detector last recorded`;
}
