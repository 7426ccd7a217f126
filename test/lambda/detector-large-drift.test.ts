import { describe, expect, it } from 'vitest';
import { MAX_POOL_ID_ATTRIBUTES, messageAttributes } from '../../lambda/adapters/sns-notifier.js';
import { keys } from '../../lambda/core/documents.js';
import { MAX_ATTRIBUTE_BYTES, MAX_BODY_BYTES, SNS_MAX_MESSAGE_BYTES } from '../../lambda/core/render.js';
import { DetectorHarness, FakeAccount } from '../support/fake-aws.js';

/** SNS counts the message and every attribute's name, type and value against 262,144 bytes. */
function publishedBytes(input: {
  Message?: string;
  MessageAttributes?: Record<string, { DataType?: string; StringValue?: string }>;
}): number {
  return (
    Buffer.byteLength(input.Message ?? '') +
    Object.entries(input.MessageAttributes ?? {}).reduce(
      (n, [name, v]) =>
        n +
        Buffer.byteLength(name) +
        Buffer.byteLength(v.DataType ?? '') +
        Buffer.byteLength(v.StringValue ?? ''),
      0,
    )
  );
}

describe('a drift too large for one message', () => {
  it('publishes drift in 2,000 pools within the SNS limit, attributes included', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { poolConcurrency: 16 });
    const pools = Array.from({ length: 2_000 }, (_, i) => aws.addPool({ name: `tenant-${i}` }));
    await harness.run();

    for (const pool of pools) aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    const result = await harness.run();

    const digest = result.sent.find((m) => m.MessageAttributes?.kind?.StringValue === 'drift');
    expect(digest).toBeDefined();
    expect(publishedBytes(digest ?? {})).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    const ids = JSON.parse(digest?.MessageAttributes?.pool_ids?.StringValue ?? '[]') as string[];
    const sorted = pools.map((p) => p.poolId).sort();
    expect(ids).toEqual(sorted.slice(0, MAX_POOL_ID_ATTRIBUTES));
    expect(digest?.MessageAttributes?.pool_ids_more).toEqual({ DataType: 'Number', StringValue: '1950' });
    expect(digest?.Message).toContain('message truncated');
    // The message is cut; the stored report is not: every pool, with its finding (issue 18: a run
    // holds each pool's findings and nothing more, and none is dropped on the way to the report).
    const stored = await harness.store.documents.get(keys.report(result.runId));
    const report = JSON.parse(stored?.body ?? '{}') as {
      poolsScanned: number;
      pools: { poolId: string; findings: { kind: string; path?: string }[] }[];
    };
    expect(report.poolsScanned).toBe(2_000);
    expect(report.pools.map((p) => p.poolId).sort()).toEqual(sorted);
    for (const pool of report.pools)
      expect(pool.findings).toEqual([
        expect.objectContaining({ kind: 'field-changed', path: 'MfaConfiguration' }),
      ]);

    // The next run (a reminder is not due) does not fail either: nothing is stuck.
    const next = await harness.run();
    expect(next.done).toBe(true);
  }, 120_000);

  it('lists the accounts of an organization digest for filter policies, within the attribute budget', () => {
    const accounts = Array.from({ length: 400 }, (_, i) => String(100000000000 + i));
    const regions = ['ap-southeast-2', 'eu-west-1', 'us-east-1'];
    const attributes = messageAttributes({
      subject: 's',
      body: 'b',
      attributes: { kind: 'drift', severity: 'HIGH', poolIds: [], accounts, regions },
    });
    const listed = JSON.parse(attributes.account?.StringValue ?? '[]') as string[];
    expect(listed).toEqual(accounts.slice(0, listed.length));
    expect(listed.length).toBeGreaterThan(100);
    expect(attributes.account_more).toEqual({ DataType: 'Number', StringValue: String(400 - listed.length) });
    expect(JSON.parse(attributes.region?.StringValue ?? '[]')).toEqual(regions);
    expect(attributes.region_more).toBeUndefined();
    const bytes = Object.entries(attributes).reduce(
      (n, [k, v]) => n + k.length + (v.DataType?.length ?? 0) + (v.StringValue?.length ?? 0),
      0,
    );
    expect(bytes).toBeLessThanOrEqual(MAX_ATTRIBUTE_BYTES);
  });

  it('keeps every pool id when there are few', () => {
    const attributes = messageAttributes({
      subject: 's',
      body: 'b',
      attributes: { kind: 'drift', severity: 'HIGH', poolIds: ['us-east-1_A', 'us-east-1_B'] },
    });

    expect(attributes.pool_ids?.StringValue).toBe('["us-east-1_A","us-east-1_B"]');
    expect(attributes).not.toHaveProperty('pool_ids_more');
  });

  it('leaves the attributes their budget next to the largest body', () => {
    expect(MAX_BODY_BYTES + MAX_ATTRIBUTE_BYTES).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
  });
});
