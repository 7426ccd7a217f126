import { describe, expect, it } from 'vitest';
import { CategoryBuckets } from '../../../lambda/adapters/category-buckets.js';
import { QUOTAS, type QuotaCategory } from '../../../lambda/adapters/quotas.js';

const RPS = Object.fromEntries(Object.entries(QUOTAS).map(([c, q]) => [c, q.rps])) as Record<
  QuotaCategory,
  number
>;

describe('CategoryBuckets', () => {
  it('limits each operation on one pool, as Cognito documents, not the whole category', () => {
    const buckets = new CategoryBuckets(RPS, {}, 0.5);

    const [describeAccount, describePool] = buckets.for('DescribeUserPoolClientCommand', 'pool-a');
    const [secretsAccount, secretsPool] = buckets.for('ListUserPoolClientSecretsCommand', 'pool-a');
    const [, describeAgain] = buckets.for('DescribeUserPoolClient', 'pool-a');
    const [, describeOther] = buckets.for('DescribeUserPoolClient', 'pool-b');

    // One account bucket for the category, at its share of 15/s.
    expect(describeAccount).toBe(secretsAccount);
    expect(describeAccount?.ratePerSecond).toBe(7.5);
    // Per pool: one bucket per operation (with or without the SDK's "Command" suffix), at 5/s × 0.5.
    expect(describePool).not.toBe(secretsPool);
    expect(describePool).toBe(describeAgain);
    expect(describePool).not.toBe(describeOther);
    expect(describePool?.ratePerSecond).toBe(2.5);
  });

  it('has no per-pool bucket for a category without a per-pool quota, or a request naming no pool', () => {
    const buckets = new CategoryBuckets(RPS, {}, 1);

    expect(buckets.for('DescribeUserPool', 'pool-a')).toHaveLength(1);
    expect(buckets.for('GetUICustomization', undefined)).toHaveLength(1);
    expect(buckets.for('GetUICustomization', 'pool-a')).toHaveLength(2);
  });

  it('drops every per-pool bucket of a pool once it is read, and only that pool’s', () => {
    const buckets = new CategoryBuckets(RPS, {}, 1);
    const [, uiA] = buckets.for('GetUICustomization', 'pool-a');
    const [, brandingA] = buckets.for('DescribeManagedLoginBrandingByClient', 'pool-a');
    const [, uiB] = buckets.for('GetUICustomization', 'pool-b');

    buckets.forget('pool-a');

    expect(buckets.for('GetUICustomization', 'pool-a')[1]).not.toBe(uiA);
    expect(buckets.for('DescribeManagedLoginBrandingByClient', 'pool-a')[1]).not.toBe(brandingA);
    expect(buckets.for('GetUICustomization', 'pool-b')[1]).toBe(uiB);
  });
});
