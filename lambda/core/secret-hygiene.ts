import type { Change, PoolSnapshot } from './types.js';

const DAY_MS = 86_400_000;

/** How long a client may hold two secrets, and how old one may get (days). */
export interface SecretPolicy {
  /** A rotation (second secret added) should finish within this many days. @default 7 */
  rotationWindowDays: number;
  /** A secret older than this is reported. @default undefined: no limit */
  maxSecretAgeDays?: number;
}

/**
 * Findings about the current state of each client's secrets, by id and creation date only:
 * - "rotation not finished": more than one secret, the newest older than the rotation window;
 * - "secret older than N days", when a maximum age is set.
 * A secret with no creation date is never reported: its age is unknown.
 */
export function secretLifecycleChanges(pool: PoolSnapshot, policy: SecretPolicy, now: Date): Change[] {
  const changes: Change[] = [];
  const ageDays = (createdAt: string) => Math.floor((now.getTime() - Date.parse(createdAt)) / DAY_MS);
  for (const client of Object.values(pool.clients)) {
    const scope = {
      poolId: pool.poolId,
      poolName: pool.poolName,
      clientId: client.clientId,
      clientName: client.clientName,
    };
    const dated = Object.entries(client.secrets)
      .filter((entry): entry is [string, { createdAt: string }] => entry[1].createdAt !== null)
      .sort(([, a], [, b]) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    const newest = dated[0];
    if (
      Object.keys(client.secrets).length > 1 &&
      newest &&
      ageDays(newest[1].createdAt) > policy.rotationWindowDays
    ) {
      changes.push({
        kind: 'secret-lifecycle',
        ...scope,
        problem: 'rotation-unfinished',
        secretId: newest[0],
        createdAt: newest[1].createdAt,
        days: ageDays(newest[1].createdAt),
        limitDays: policy.rotationWindowDays,
      });
    }
    if (policy.maxSecretAgeDays === undefined) continue;
    for (const [secretId, { createdAt }] of dated) {
      const days = ageDays(createdAt);
      if (days <= policy.maxSecretAgeDays) continue;
      changes.push({
        kind: 'secret-lifecycle',
        ...scope,
        problem: 'too-old',
        secretId,
        createdAt,
        days,
        limitDays: policy.maxSecretAgeDays,
      });
    }
  }
  return changes;
}
