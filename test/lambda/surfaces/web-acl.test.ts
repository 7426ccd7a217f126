import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  GetWebACLForResourceCommand,
  ListResourcesForWebACLCommand,
  ListWebACLsCommand,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { beforeEach, describe, expect, it } from 'vitest';
import { CognitoReader } from '../../../lambda/adapters/cognito-reader.js';
import type { SendOperation } from '../../../lambda/core/catalog.js';
import { webAclAssociations } from '../../../lambda/surfaces/web-acl.js';
import { DetectorHarness, FakeAccount, type FakePool, PREFIX, REGION } from '../../support/fake-aws.js';

/** Issue 18 item 1: web ACL associations read per ACL, once per run, not per pool. */
describe('web ACL surface: one listing per run', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pools: FakePool[];

  beforeEach(async () => {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws, {}, ['waf']);
    // Six pools: three behind "edge", two behind "strict", one without a web ACL.
    pools = ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) =>
      aws.addPool({
        name,
        ...(i < 3 ? { webAcl: { name: 'edge' } } : i < 5 ? { webAcl: { name: 'strict' } } : {}),
      }),
    );
    await harness.run();
  });

  const wafCalls = () => ({
    listWebAcls: aws.wafv2.commandCalls(ListWebACLsCommand).length,
    listResources: aws.wafv2.commandCalls(ListResourcesForWebACLCommand).length,
    perPool: aws.wafv2.commandCalls(GetWebACLForResourceCommand).length,
  });

  it('reads one page of web ACLs and one association list per ACL, whatever the number of pools', async () => {
    aws.wafv2.resetHistory();

    const run = await harness.run();

    expect(run.sent).toEqual([]);
    expect(wafCalls()).toEqual({ listWebAcls: 1, listResources: 2, perPool: 0 });
    const listed = aws.wafv2.commandCalls(ListResourcesForWebACLCommand).map((c) => c.args[0].input);
    expect(listed.every((input) => input.ResourceType === 'COGNITO_USER_POOL')).toBe(true);
    expect(aws.wafv2.commandCalls(ListWebACLsCommand)[0]?.args[0].input).toMatchObject({
      Scope: 'REGIONAL',
      Limit: 100,
    });
  });

  it('starts the listing with the first pool, before any pool reaches its web ACL', async () => {
    aws.wafv2.resetHistory();
    const seen: number[] = [];
    // While the first pool's clients are being listed, the web ACL listing is already under way.
    aws.beforeCall('ListUserPoolClients', {}, () => {
      seen.push(aws.wafv2.commandCalls(ListWebACLsCommand).length);
    });

    await harness.run();

    expect(seen).toEqual([1]);
  });

  it('answers each pool from the listing: a swap and a removal are found on the right pools only', async () => {
    const [swapped, removed] = pools;
    if (!swapped || !removed) throw new Error('pools missing');
    aws.setWebAcl(swapped.poolId, { name: 'strict' });
    aws.setWebAcl(removed.poolId, null);

    const run = await harness.run();

    const changed = run.pools.filter((p) => p.findings.length > 0).map((p) => p.poolId);
    expect(changed.sort()).toEqual([swapped.poolId, removed.poolId].sort());
    const drift = run.sent.find((m) => m.Subject?.includes('drift'));
    expect(drift?.Subject).toBe(`${PREFIX}HIGH drift: 3 changes in 2 pools`);
    expect(drift?.Message).toContain('[HIGH] Web ACL removed: edge');
    expect(drift?.Message).toMatch(
      /\[HIGH\] ARN: arn:aws:wafv2:\S+\/webacl\/edge\/\S+ -> arn:aws:wafv2:\S+\/webacl\/strict\//,
    );
  });

  it('a failed listing makes the surface unreadable for every pool, never "no web ACL"', async () => {
    aws.fail('ListResourcesForWebACL', { error: 'WAFInternalErrorException', times: 1 });
    // Really taken off: a run that took the failure for "none" would report it removed.
    for (const pool of pools.slice(0, 3)) aws.setWebAcl(pool.poolId, null);
    aws.wafv2.resetHistory();

    const run = await harness.run();

    expect(run.pools.flatMap((p) => p.findings)).toEqual([]);
    expect(run.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 6 items unreadable`]);
    expect(run.sent[0]?.Message).not.toContain('Web ACL removed');
    for (const pool of pools) expect(run.sent[0]?.Message).toContain(`(${pool.poolId})`);
    expect(run.sent[0]?.Message?.match(/ListResourcesForWebACL on pool/g)).toHaveLength(6);
    // Read once and failed once: the listing is not retried per pool.
    expect(wafCalls()).toEqual({ listWebAcls: 1, listResources: 1, perPool: 0 });

    const healed = await harness.run();

    expect(healed.sent.find((m) => m.Subject?.includes('drift'))?.Subject).toBe(
      `${PREFIX}HIGH drift: 3 changes in 3 pools`,
    );
  });
});

describe('webAclAssociations', () => {
  it('follows NextMarker, stops on an empty page, and maps each pool ARN to its ACL', async () => {
    const calls: string[] = [];
    const acl = (n: number) => ({
      Name: `acl-${n}`,
      Id: `${n}`,
      ARN: `arn:aws:wafv2:r:1:regional/webacl/acl-${n}/${n}`,
    });
    const pages: Record<string, { WebACLs: object[]; NextMarker?: string }> = {
      first: { WebACLs: [acl(1), acl(2)], NextMarker: 'm2' },
      m2: { WebACLs: [acl(3)], NextMarker: 'm3' },
      // WAF may answer a marker with the last page; the page after it is empty.
      m3: { WebACLs: [], NextMarker: 'm4' },
    };
    const send = (async ({ name }: { name: string }, input: Record<string, unknown>) => {
      calls.push(name);
      if (name === 'ListWebACLs') return pages[String(input.NextMarker ?? 'first')];
      const n = String(input.WebACLArn).split('/').pop();
      return { ResourceArns: n === '2' ? [] : [`arn:aws:cognito-idp:r:1:userpool/pool-${n}`] };
    }) as unknown as SendOperation;

    const map = await webAclAssociations.read(send);

    expect(calls).toEqual([
      'ListWebACLs',
      'ListWebACLs',
      'ListWebACLs',
      'ListResourcesForWebACL',
      'ListResourcesForWebACL',
      'ListResourcesForWebACL',
    ]);
    expect(Object.fromEntries([...map].map(([pool, a]) => [pool, a.Name]))).toEqual({
      'arn:aws:cognito-idp:r:1:userpool/pool-1': 'acl-1',
      'arn:aws:cognito-idp:r:1:userpool/pool-3': 'acl-3',
    });
  });
});

describe('a targeted check of one pool', () => {
  it('asks WAF about that pool (GetWebACLForResource) and lists nothing', async () => {
    const aws = new FakeAccount();
    const pool = aws.addPool({ name: 'one', webAcl: { name: 'edge' } });
    const reader = new CognitoReader({
      client: new CognitoIdentityProviderClient({ region: REGION }),
      wafClient: new WAFV2Client({ region: REGION }),
      surfaces: ['waf'],
      quotaShare: 1,
      accountReads: false,
    });

    const read = await reader.readPool({ poolId: pool.poolId, poolName: 'one' });

    expect(read.status === 'ok' && read.pool.surfaces?.waf?.pool?.name).toBe('edge');
    expect(aws.wafv2.commandCalls(GetWebACLForResourceCommand)).toHaveLength(1);
    expect(aws.wafv2.commandCalls(ListWebACLsCommand)).toHaveLength(0);
  });
});
