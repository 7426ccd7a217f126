import { describe, expect, it } from 'vitest';
import { organizationBounds } from '../../bench/organization-bound.js';

const SHARE = 0.5;
/** One target's calls: 100 client reads over 20 pools (5 each) and 52 IAM reads (13 roles). */
const target = (accountId: string) => ({
  accountId,
  calls: {
    DescribeUserPoolClient: Array(20).fill(5),
    GetRole: [13],
    ListRolePolicies: [13],
    ListAttachedRolePolicies: [13],
    GetRolePolicy: [13],
  },
});

describe('organization bench bound', () => {
  it("bounds each target by its account's IAM calls over one account rate, and its own categories", () => {
    // Alone, a target's 100 client reads take 100 / 7.5 = 13.3 s and its 52 IAM reads 52 / 5 = 10.4 s.
    const alone = organizationBounds([target('111111111111')], SHARE);
    expect(alone.slowest.seconds).toBeCloseTo(100 / 7.5, 6);
    expect(alone.slowest.binding).toBe('UserPoolClientRead');

    // Four Regions of one account share IAM: 208 calls / 5 = 41.6 s for each of them; another
    // account's single target keeps its own bound.
    const run = organizationBounds(
      [...Array(4)].map(() => target('111111111111')).concat(target('222222222222')),
      SHARE,
    );
    expect(run.targets.map((t) => Number(t.seconds.toFixed(1)))).toEqual([41.6, 41.6, 41.6, 41.6, 13.3]);
    expect(run.slowest.binding).toBe('IAM.Read of account 111111111111 (4 targets)');
    // The per-target counts stay each target's own (the calls-needed totals sum them).
    expect(run.targets[0]?.byCategory['IAM.Read']?.calls).toBe(52);
  });
});
