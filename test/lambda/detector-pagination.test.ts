import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { BaselineDoc } from '../../lambda/core/documents.js';
import { DetectorHarness, FakeAccount, REGION } from '../support/fake-aws.js';

describe('pagination', () => {
  it('scans all 130 pools and all 130 clients of a pool, every page asked for at most 60', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { poolConcurrency: 8 });
    const pools = Array.from({ length: 130 }, (_, i) => aws.addPool({ name: `pool-${i}` }));
    const big = pools[77] as (typeof pools)[number];
    for (let i = 0; i < 130; i++) aws.addClient(big.poolId, { name: `app-${i}` });
    aws.addClient((pools[0] as (typeof pools)[number]).poolId);

    const result = await harness.run();

    expect(result.done).toBe(true);
    expect(result.poolsScanned).toBe(130);
    expect(result.clientsScanned).toBe(131);
    const listPools = aws.cognito.commandCalls(ListUserPoolsCommand).map((c) => c.args[0].input);
    expect(listPools).toHaveLength(3);
    for (const input of listPools) expect(input.MaxResults).toBeLessThanOrEqual(60);
    expect(aws.cognito).toHaveReceivedCommandTimes(DescribeUserPoolCommand, 130);
    const bigPages = aws.cognito
      .commandCalls(ListUserPoolClientsCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.UserPoolId === big.poolId);
    expect(bigPages).toHaveLength(3);
    for (const input of bigPages) expect(input.MaxResults ?? 60).toBeLessThanOrEqual(60);
    expect(aws.cognito).toHaveReceivedCommandTimes(DescribeUserPoolClientCommand, 131);
    const baseline = aws.bucket.readJson<BaselineDoc>(`baselines/${big.poolId}.json`);
    expect(Object.keys(baseline.pool?.clients ?? {})).toHaveLength(130);
    expect(aws.bucket.keys('baselines/')).toHaveLength(130);
    expect(aws.published[0]?.Subject).toContain('watching 130 pools, 131 clients');
  });

  it('reads every page of the baseline listing, so no pool with a baseline looks new', async () => {
    const aws = new FakeAccount();
    aws.listPageSize = 50;
    const harness = new DetectorHarness(aws, { poolConcurrency: 8 });
    for (let i = 0; i < 130; i++) aws.addPool();
    await harness.run();
    aws.s3.resetHistory();

    const result = await harness.run();

    expect(aws.s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 3);
    expect(result.sent).toEqual([]);
    expect(result.pools.flatMap((p) => p.findings)).toEqual([]);
  });

  describe('the fake account', () => {
    it('refuses the page sizes Cognito refuses, so the tests above prove the reader asks right', async () => {
      const aws = new FakeAccount();
      const client = new CognitoIdentityProviderClient({ region: REGION });
      const pool = aws.addPool();

      await expect(client.send(new ListUserPoolsCommand({ MaxResults: 61 }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
      await expect(
        client.send(new ListUserPoolsCommand({} as unknown as { MaxResults: number })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
      await expect(
        client.send(new ListUserPoolClientsCommand({ UserPoolId: pool.poolId, MaxResults: 61 })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
      await expect(
        client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: 'forged' })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    });
  });
});
