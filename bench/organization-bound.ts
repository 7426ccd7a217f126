/**
 * The quota-bound minimum of an organization run's targets: each target's own bound (its calls per
 * category over the category's rate × share, `quotaBound`), and for an account-scoped category
 * (`scope: 'account'` in `lambda/adapters/quotas.ts`: IAM, a global service) the bound of its
 * account: the calls of all the account's Regions' targets over one rate × share, which they share.
 * The organization run divides that rate among the account's targets, so none of them finishes
 * before its account's bound.
 *
 * @module
 */
import { isAccountScoped, QUOTAS, type QuotaCategory } from '../lambda/adapters/quotas.js';
import { quotaBound } from './full-surface.js';

/** One target's calls, by operation (one count per pool, as `callsNeeded` gives them). */
export interface TargetCalls {
  accountId: string;
  calls: Record<string, number[]>;
}

/** A target's bound: its own, or its account's for an account-scoped category, whichever is longer. */
export interface TargetBound {
  seconds: number;
  binding: string;
  /** The target's own calls and seconds per category (an account-scoped one as if it were alone). */
  byCategory: Record<string, { calls: number; seconds: number }>;
}

/** Each target's bound, in the order given, and the slowest. */
export function organizationBounds(
  targets: readonly TargetCalls[],
  share: number,
): { targets: TargetBound[]; slowest: TargetBound } {
  const own = targets.map((t) => quotaBound(t.calls, share));
  // Per account and account-scoped category: the calls of all its targets, and how many targets.
  const accounts = new Map<string, { targets: number; calls: Map<QuotaCategory, number> }>();
  own.forEach((bound, i) => {
    const accountId = (targets[i] as TargetCalls).accountId;
    const account = accounts.get(accountId) ?? { targets: 0, calls: new Map() };
    account.targets += 1;
    accounts.set(accountId, account);
    for (const [name, entry] of Object.entries(bound.byCategory)) {
      const category = name as QuotaCategory;
      if (isAccountScoped(category))
        account.calls.set(category, (account.calls.get(category) ?? 0) + entry.calls);
    }
  });
  const bounds = own.map((bound, i) => {
    const accountId = (targets[i] as TargetCalls).accountId;
    const account = accounts.get(accountId);
    let { seconds, binding } = bound;
    for (const [category, calls] of account?.calls ?? []) {
      const accountSeconds = calls / (QUOTAS[category].rps * share);
      if (accountSeconds > seconds) {
        seconds = accountSeconds;
        binding = `${category} of account ${accountId} (${account?.targets} targets)`;
      }
    }
    return { seconds, binding, byCategory: bound.byCategory };
  });
  const slowest = bounds.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return { targets: bounds, slowest };
}
