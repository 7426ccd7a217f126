import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoStandin } from './cognito-standin.js';

const MANAGEMENT = '123456789012';
const MEMBER = '111122223333';
const OTHER = '444455556666';
const NO_ROLE = '777788889999';
const OU = 'ou-ab12-cdefgh34';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}
const base: Creds = { accessKeyId: 'AKIAMANAGEMENT000001', secretAccessKey: 'x' };

describe('CognitoStandin: accounts and regions', () => {
  let standin: CognitoStandin;
  const clients: { destroy(): void }[] = [];
  const track = <T extends { destroy(): void }>(c: T): T => {
    clients.push(c);
    return c;
  };
  const sts = () =>
    track(new STSClient({ endpoint: standin.endpoint, region: 'us-east-1', credentials: base }));
  async function assume(account: string, externalId?: string): Promise<Creds> {
    const out = await sts().send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/CognitoDriftMemberRole`,
        RoleSessionName: 'cognito-drift',
        ExternalId: externalId,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('no credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  }
  const cognito = (region: string, credentials = base) =>
    track(
      new CognitoIdentityProviderClient({ endpoint: standin.endpoint, region, credentials, maxAttempts: 1 }),
    );

  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 0 });
    const org = standin.organization;
    org.addOrganizationalUnit(OU, { name: 'workloads' });
    org.addAccount(MEMBER, { name: 'prod', parentId: OU, regions: { 'af-south-1': 'ENABLED' } });
    org.addAccount(OTHER, { name: 'dev', externalId: 'ext-42' });
    org.addAccount(NO_ROLE, { name: 'legacy', roleName: null });
    standin.addPool({ id: 'us-east-1_Management1', name: 'mgmt' });
    standin.target(MEMBER, 'us-east-1').addPool({ id: 'us-east-1_MemberEast1', name: 'member-east' });
    standin.target(MEMBER, 'eu-west-1').addPool({ id: 'eu-west-1_MemberWest1', name: 'member-west' });
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await standin?.stop();
  });

  it('issues per-account keys with AssumeRole', async () => {
    const creds = await assume(MEMBER);
    expect(creds.accessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(creds.sessionToken).toBeTruthy();
  });

  it('keeps separate pools per (account, region): the account from the key, the region from the scope', async () => {
    const creds = await assume(MEMBER);
    const list = async (region: string, c: Creds = creds) =>
      (await cognito(region, c).send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools?.map(
        (p) => p.Id,
      );
    expect(await list('us-east-1')).toEqual(['us-east-1_MemberEast1']);
    expect(await list('eu-west-1')).toEqual(['eu-west-1_MemberWest1']);
    expect(await list('us-east-2')).toEqual([]);
    expect(await list('us-east-1', base)).toEqual(['us-east-1_Management1']);
  });

  it('denies AssumeRole when the role is missing, the external id is wrong, or the account is closed', async () => {
    const before = standin.organization.stats.assumeRoleDenied;
    await expect(assume(NO_ROLE)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(OTHER)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(assume(OTHER, 'ext-42')).resolves.toMatchObject({ accessKeyId: expect.any(String) });
    await expect(assume('999999999999')).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(standin.organization.stats.assumeRoleDenied).toBe(before + 3);
  });

  it('refuses the token in an opt-in region the account has not enabled', async () => {
    const creds = await assume(OTHER, 'ext-42');
    await expect(
      cognito('af-south-1', creds).send(new ListUserPoolsCommand({ MaxResults: 60 })),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    const member = await assume(MEMBER);
    await expect(
      cognito('af-south-1', member).send(new ListUserPoolsCommand({ MaxResults: 60 })),
    ).resolves.toMatchObject({ UserPools: [] });
  });

  it('enforces quotas per (account, region): one target throttled leaves the others untouched', async () => {
    const member = await assume(MEMBER);
    const east = standin.target(MEMBER, 'us-east-1');
    east.configure({ quotaOverrides: { UserPoolRead: { rps: 1 } } });
    const client = cognito('us-east-1', member);
    await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    await expect(client.send(new ListUserPoolsCommand({ MaxResults: 60 }))).rejects.toMatchObject({
      name: 'TooManyRequestsException',
    });
    // The same account in another region, and another account in the same region, still answer.
    await expect(
      cognito('eu-west-1', member).send(new ListUserPoolsCommand({ MaxResults: 60 })),
    ).resolves.toBeDefined();
    await expect(
      cognito('us-east-1').send(new ListUserPoolsCommand({ MaxResults: 60 })),
    ).resolves.toBeDefined();
    expect(east.stats.throttled).toBe(1);
    expect(standin.target(MEMBER, 'eu-west-1').stats.throttled).toBe(0);
    expect(standin.stats.throttled).toBe(0);
    east.configure({ quotaOverrides: {} });
  });

  it('lists the organization: accounts, an OU and its accounts', async () => {
    const orgs = track(
      new OrganizationsClient({ endpoint: standin.endpoint, region: 'us-east-1', credentials: base }),
    );
    const all = await orgs.send(new ListAccountsCommand({}));
    expect(all.Accounts?.map((a) => [a.Id, a.Status])).toEqual([
      [MANAGEMENT, 'ACTIVE'],
      [MEMBER, 'ACTIVE'],
      [OTHER, 'ACTIVE'],
      [NO_ROLE, 'ACTIVE'],
    ]);
    const ous = await orgs.send(
      new ListChildrenCommand({ ParentId: standin.organization.rootId, ChildType: 'ORGANIZATIONAL_UNIT' }),
    );
    expect(ous.Children?.map((c) => c.Id)).toEqual([OU]);
    const inOu = await orgs.send(new ListAccountsForParentCommand({ ParentId: OU }));
    expect(inOu.Accounts?.map((a) => a.Id)).toEqual([MEMBER]);
  });

  it('lists the regions an account has enabled (account:ListRegions), opt-in status filter included', async () => {
    const member = await assume(MEMBER);
    const account = track(
      new AccountClient({ endpoint: standin.endpoint, region: 'us-east-1', credentials: member }),
    );
    const enabled = await account.send(
      new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'] }),
    );
    const names = enabled.Regions?.map((r) => r.RegionName) ?? [];
    expect(names).toContain('af-south-1');
    expect(names).toContain('us-east-1');
    expect(names).not.toContain('me-south-1');
  });

  it('keeps the single-account behaviour: any other key is the default account, in any signed region', async () => {
    const pool = standin.addPool({ name: 'plain', clients: [{ name: 'c' }] });
    const [clientId] = standin.clientIds(pool);
    const out = await cognito('us-east-1').send(
      new DescribeUserPoolClientCommand({ UserPoolId: pool, ClientId: clientId }),
    );
    expect(out.UserPoolClient?.ClientName).toBe('c');
  });
});
