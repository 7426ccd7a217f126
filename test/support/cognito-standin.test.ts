import {
  AccessDeniedException,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InternalErrorException,
  InvalidParameterException,
  ListUserPoolClientSecretsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  NotAuthorizedException,
  paginateListUserPools,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoStandin } from './cognito-standin.js';

const POOL_ID_RE = /^us-east-1_[A-Za-z0-9]{9}$/;
const CLIENT_ID_RE = /^[a-z0-9]{26}$/;

function sdk(standin: CognitoStandin): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: standin.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIATESTSTANDIN00001', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
}

async function failure(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

async function post(standin: CognitoStandin, operation: string, body: unknown): Promise<Response> {
  return fetch(standin.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
}

describe('CognitoStandin: protocol, pagination, shapes, faults', () => {
  let standin: CognitoStandin;
  let client: CognitoIdentityProviderClient;
  let bigPool: string;
  const planted: { confidential: string; public: string } = { confidential: '', public: '' };

  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
    standin.seed(129, 2);
    bigPool = standin.addPool({
      name: 'big-pool',
      clients: Array.from({ length: 75 }, (_, i) => ({ name: `client-${i}` })),
    });
    planted.confidential = standin.addClient(bigPool, {
      name: 'planted-confidential',
      secret: 'PLANTED_SECRET_VALUE_do_not_leak_0001',
      config: { CallbackURLs: ['https://planted.example.com/cb'], AllowedOAuthFlows: ['code'] },
    });
    planted.public = standin.addClient(bigPool, { name: 'planted-public' });
    client = sdk(standin);
  });

  afterAll(async () => {
    client?.destroy();
    await standin?.stop();
  });

  it('paginates ListUserPools: 130 pools at MaxResults 60 = 3 pages', async () => {
    const pages: number[] = [];
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: token }));
      pages.push(out.UserPools?.length ?? 0);
      for (const p of out.UserPools ?? []) {
        expect(p.Id).toMatch(POOL_ID_RE);
        expect(p.CreationDate).toBeInstanceOf(Date);
        expect(p.LastModifiedDate).toBeInstanceOf(Date);
        expect(p.LambdaConfig).toBeDefined();
        ids.push(p.Id ?? '');
      }
      token = out.NextToken;
      if (token) expect(token).not.toMatch(/^\d+$/);
    } while (token);
    expect(pages).toEqual([60, 60, 10]);
    expect(new Set(ids).size).toBe(130);
    expect(ids).toEqual(standin.poolIds());
  });

  it('works with the SDK paginator', async () => {
    let n = 0;
    for await (const page of paginateListUserPools({ client, pageSize: 60 }, { MaxResults: 60 })) {
      n += page.UserPools?.length ?? 0;
    }
    expect(n).toBe(130);
  });

  it('rejects MaxResults 0, 61 and missing with InvalidParameterException', async () => {
    for (const input of [{ MaxResults: 0 }, { MaxResults: 61 }, {} as { MaxResults: number }]) {
      const err = await failure(client.send(new ListUserPoolsCommand(input)));
      expect(err).toBeInstanceOf(InvalidParameterException);
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
  });

  it('rejects tampered, garbage and foreign pagination tokens', async () => {
    const first = await client.send(new ListUserPoolsCommand({ MaxResults: 10 }));
    const token = first.NextToken ?? '';
    const tampered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    for (const bad of [tampered, 'abc', '60', Buffer.from('60').toString('base64')]) {
      const err = await failure(client.send(new ListUserPoolsCommand({ MaxResults: 10, NextToken: bad })));
      expect(err).toBeInstanceOf(InvalidParameterException);
    }
    // A ListUserPools token is not valid for ListUserPoolClients.
    const err = await failure(
      client.send(new ListUserPoolClientsCommand({ UserPoolId: bigPool, NextToken: token })),
    );
    expect(err).toBeInstanceOf(InvalidParameterException);
  });

  it('paginates ListUserPoolClients (default 60, custom MaxResults, per-pool tokens)', async () => {
    const p1 = await client.send(new ListUserPoolClientsCommand({ UserPoolId: bigPool }));
    expect(p1.UserPoolClients).toHaveLength(60);
    expect(p1.NextToken).toBeDefined();
    const p2 = await client.send(
      new ListUserPoolClientsCommand({ UserPoolId: bigPool, NextToken: p1.NextToken }),
    );
    expect(p2.UserPoolClients).toHaveLength(17);
    expect(p2.NextToken).toBeUndefined();
    for (const c of [...(p1.UserPoolClients ?? []), ...(p2.UserPoolClients ?? [])]) {
      expect(c.ClientId).toMatch(CLIENT_ID_RE);
      expect(c.UserPoolId).toBe(bigPool);
      expect(c.ClientName).toBeTypeOf('string');
    }

    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(
        new ListUserPoolClientsCommand({ UserPoolId: bigPool, MaxResults: 25, NextToken: token }),
      );
      sizes.push(out.UserPoolClients?.length ?? 0);
      token = out.NextToken;
    } while (token);
    expect(sizes).toEqual([25, 25, 25, 2]);

    const other = standin.poolIds()[0] ?? '';
    const err = await failure(
      client.send(new ListUserPoolClientsCommand({ UserPoolId: other, NextToken: p1.NextToken })),
    );
    expect(err).toBeInstanceOf(InvalidParameterException);
    const err61 = await failure(
      client.send(new ListUserPoolClientsCommand({ UserPoolId: bigPool, MaxResults: 61 })),
    );
    expect(err61).toBeInstanceOf(InvalidParameterException);
    const missing = await failure(
      client.send(new ListUserPoolClientsCommand({ UserPoolId: 'us-east-1_NoSuchPool' })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('DescribeUserPool returns the full shape with Date objects', async () => {
    const id = standin.poolIds()[0] ?? '';
    const { UserPool: pool } = await client.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    expect(pool?.Id).toBe(id);
    expect(pool?.Arn).toBe(`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${id}`);
    expect(pool?.CreationDate).toBeInstanceOf(Date);
    expect(pool?.LastModifiedDate).toBeInstanceOf(Date);
    expect(pool?.Policies?.PasswordPolicy?.MinimumLength).toBeTypeOf('number');
    expect(pool?.SchemaAttributes?.map((a) => a.Name)).toEqual(expect.arrayContaining(['sub', 'email']));
    expect(pool?.MfaConfiguration).toMatch(/^(OFF|ON|OPTIONAL)$/);
    expect(pool?.DeletionProtection).toMatch(/^(ACTIVE|INACTIVE)$/);
    expect(pool?.AdminCreateUserConfig).toBeDefined();
    expect(pool?.AccountRecoverySetting?.RecoveryMechanisms?.length).toBeGreaterThan(0);
    expect(pool?.UserPoolTier).toBeDefined();
    expect(pool?.EstimatedNumberOfUsers).toBeTypeOf('number');
    expect(pool?.LambdaConfig?.PreSignUp).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:/);

    const err = await failure(
      client.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_Missing01' })),
    );
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('User pool us-east-1_Missing01 does not exist.');
    expect(err.$metadata.httpStatusCode).toBe(400);
    const bad = await failure(client.send(new DescribeUserPoolCommand({ UserPoolId: 'not a pool id' })));
    expect(bad).toBeInstanceOf(InvalidParameterException);
  });

  it('DescribeUserPoolClient returns the planted secret value and config', async () => {
    const { UserPoolClient: c } = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: bigPool, ClientId: planted.confidential }),
    );
    expect(c?.ClientSecret).toBe('PLANTED_SECRET_VALUE_do_not_leak_0001');
    expect(c?.ClientName).toBe('planted-confidential');
    expect(c?.UserPoolId).toBe(bigPool);
    expect(c?.CallbackURLs).toEqual(['https://planted.example.com/cb']);
    expect(c?.CreationDate).toBeInstanceOf(Date);
    expect(c?.LastModifiedDate).toBeInstanceOf(Date);
    expect(c?.TokenValidityUnits?.RefreshToken).toBe('days');

    const pub = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: bigPool, ClientId: planted.public }),
    );
    expect(pub.UserPoolClient?.ClientSecret).toBeUndefined();

    const err = await failure(
      client.send(
        new DescribeUserPoolClientCommand({ UserPoolId: bigPool, ClientId: 'nosuchclient0000000000000' }),
      ),
    );
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });

  it('ListUserPoolClientSecrets returns ids and dates, never values', async () => {
    const out = await client.send(
      new ListUserPoolClientSecretsCommand({ UserPoolId: bigPool, ClientId: planted.confidential }),
    );
    expect(out.ClientSecrets).toHaveLength(1);
    const s = out.ClientSecrets?.[0];
    expect(s?.ClientSecretId).toMatch(new RegExp(`^${planted.confidential}--\\d{13}$`));
    expect(s?.ClientSecretCreateDate).toBeInstanceOf(Date);
    expect(s?.ClientSecretValue).toBeUndefined();
    expect(JSON.stringify(out)).not.toContain('PLANTED_SECRET');
    expect(out.NextToken).toBeUndefined();

    const pub = await client.send(
      new ListUserPoolClientSecretsCommand({ UserPoolId: bigPool, ClientId: planted.public }),
    );
    expect(pub.ClientSecrets).toEqual([]);
  });

  it('seeds realistic data: about half the clients are confidential, some mid-rotation', async () => {
    let confidential = 0;
    let total = 0;
    let rotating = 0;
    for (const poolId of standin.poolIds().slice(0, 12)) {
      for (const clientId of standin.clientIds(poolId)) {
        total++;
        const d = standin.describeClient(poolId, clientId);
        if (typeof d.ClientSecret === 'string') {
          confidential++;
          expect(d.ClientSecret).toMatch(/^[a-z0-9]{52}$/);
          const out = await client.send(
            new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }),
          );
          if ((out.ClientSecrets?.length ?? 0) === 2) rotating++;
        }
      }
    }
    expect(confidential / total).toBeGreaterThan(0.35);
    expect(confidential / total).toBeLessThan(0.65);
    expect(rotating).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', async () => {
    const a = await CognitoStandin.start({ latencyMs: 0, seed: 42 });
    const b = await CognitoStandin.start({ latencyMs: 0, seed: 42 });
    const c = await CognitoStandin.start({ latencyMs: 0, seed: 43 });
    try {
      for (const s of [a, b, c]) s.seed(3, 3);
      expect(a.poolIds()).toEqual(b.poolIds());
      const id = a.poolIds()[1] ?? '';
      expect(a.describePool(id)).toEqual(b.describePool(id));
      const cid = a.clientIds(id)[0] ?? '';
      expect(a.describeClient(id, cid)).toEqual(b.describeClient(id, cid));
      expect(c.poolIds()).not.toEqual(a.poolIds());
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  it('speaks the raw wire protocol (epoch-second dates, error headers, unknown operations)', async () => {
    const id = standin.poolIds()[0] ?? '';
    const ok = await post(standin, 'DescribeUserPool', { UserPoolId: id });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const body = (await ok.json()) as { UserPool: { CreationDate: unknown } };
    expect(body.UserPool.CreationDate).toBeTypeOf('number');

    const unknown = await post(standin, 'AdminDeleteUser', { UserPoolId: id, Username: 'alice' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await unknown.json()).toEqual({ __type: 'UnknownOperationException' });

    const notFound = await post(standin, 'DescribeUserPool', { UserPoolId: 'us-east-1_Missing01' });
    expect(notFound.status).toBe(400);
    expect(notFound.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await notFound.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'User pool us-east-1_Missing01 does not exist.',
    });
  });

  it('injects faults as real SDK exception classes', async () => {
    const id = standin.poolIds()[2] ?? '';
    standin.failNext({ operation: 'DescribeUserPool', error: 'InternalErrorException', times: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await failure(client.send(new DescribeUserPoolCommand({ UserPoolId: id })));
      expect(err).toBeInstanceOf(InternalErrorException);
      expect(err.$metadata.httpStatusCode).toBe(500);
    }
    await expect(client.send(new DescribeUserPoolCommand({ UserPoolId: id }))).resolves.toBeDefined();

    standin.failNext({ error: 'AccessDeniedException' });
    const denied = await failure(client.send(new ListUserPoolsCommand({ MaxResults: 1 })));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.message).toContain('cognito-idp:ListUserPools');

    standin.failNext({ error: 'NotAuthorizedException' });
    expect(await failure(client.send(new ListUserPoolsCommand({ MaxResults: 1 })))).toBeInstanceOf(
      NotAuthorizedException,
    );

    const before = standin.stats;
    standin.failNext({ operation: 'ListUserPools', error: 'TooManyRequestsException' });
    const tmr = await failure(client.send(new ListUserPoolsCommand({ MaxResults: 1 })));
    expect(tmr).toBeInstanceOf(TooManyRequestsException);
    expect(tmr.$metadata.httpStatusCode).toBe(400);
    expect(standin.stats.injected).toBe(before.injected + 1);
    expect(standin.stats.throttled).toBe(before.throttled);
  });

  it('can make one pool or client fail until cleared', async () => {
    const [p0, p1] = standin.poolIds();
    const broken = standin.failAlways({ poolId: p0, error: 'ResourceNotFoundException' });
    for (let i = 0; i < 3; i++) {
      expect(await failure(client.send(new DescribeUserPoolCommand({ UserPoolId: p0 })))).toBeInstanceOf(
        ResourceNotFoundException,
      );
    }
    expect(await failure(client.send(new ListUserPoolClientsCommand({ UserPoolId: p0 })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(client.send(new DescribeUserPoolCommand({ UserPoolId: p1 }))).resolves.toBeDefined();
    expect(broken.hits).toBe(4);
    broken.clear();
    await expect(client.send(new DescribeUserPoolCommand({ UserPoolId: p0 }))).resolves.toBeDefined();

    const badClient = standin.failAlways({ clientId: planted.confidential, error: 'InternalErrorException' });
    expect(
      await failure(
        client.send(
          new DescribeUserPoolClientCommand({ UserPoolId: bigPool, ClientId: planted.confidential }),
        ),
      ),
    ).toBeInstanceOf(InternalErrorException);
    await expect(
      client.send(new DescribeUserPoolClientCommand({ UserPoolId: bigPool, ClientId: planted.public })),
    ).resolves.toBeDefined();
    expect(badClient.remaining).toBe(Number.POSITIVE_INFINITY);
    standin.clearFaults();
    await expect(
      client.send(new DescribeUserPoolClientCommand({ UserPoolId: bigPool, ClientId: planted.confidential })),
    ).resolves.toBeDefined();
  });

  it('reflects updates and removals, bumping LastModifiedDate', async () => {
    const id = standin.addPool({
      name: 'mutable-pool',
      clients: [{ name: 'c1', secret: 'first_secret_value_aaaaaaaa' }],
    });
    const cid = standin.clientIds(id)[0] ?? '';
    const before = await client.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    standin.updatePool(id, { config: { MfaConfiguration: 'ON' } });
    const after = await client.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    expect(after.UserPool?.MfaConfiguration).toBe('ON');
    expect(after.UserPool?.LastModifiedDate?.getTime()).toBeGreaterThan(
      before.UserPool?.LastModifiedDate?.getTime() ?? 0,
    );

    standin.updateClient(id, cid, { secret: null, config: { CallbackURLs: undefined } });
    const c = await client.send(new DescribeUserPoolClientCommand({ UserPoolId: id, ClientId: cid }));
    expect(c.UserPoolClient?.ClientSecret).toBeUndefined();
    const secrets = await client.send(
      new ListUserPoolClientSecretsCommand({ UserPoolId: id, ClientId: cid }),
    );
    expect(secrets.ClientSecrets).toEqual([]);

    standin.removeClient(id, cid);
    expect(
      await failure(client.send(new DescribeUserPoolClientCommand({ UserPoolId: id, ClientId: cid }))),
    ).toBeInstanceOf(ResourceNotFoundException);
    standin.removePool(id);
    expect(await failure(client.send(new DescribeUserPoolCommand({ UserPoolId: id })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('honours AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
    process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = standin.endpoint;
    try {
      const envClient = new CognitoIdentityProviderClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAENVCLIENT0000001', secretAccessKey: 'fake' },
        maxAttempts: 1,
      });
      const out = await envClient.send(new ListUserPoolsCommand({ MaxResults: 5 }));
      expect(out.UserPools).toHaveLength(5);
      envClient.destroy();
      expect(standin.requests.at(-1)?.accessKeyId).toBe('AKIAENVCLIENT0000001');
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
      else process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = previous;
    }
  });

  it('counts calls per operation', async () => {
    standin.resetStats();
    await client.send(new ListUserPoolsCommand({ MaxResults: 1 }));
    await client.send(new ListUserPoolsCommand({ MaxResults: 1 }));
    await failure(client.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_Missing01' })));
    const s = standin.stats;
    expect(s.calls).toEqual({ ListUserPools: 2, DescribeUserPool: 1 });
    expect(s.totalCalls).toBe(3);
    expect(s.errors).toEqual({ ResourceNotFoundException: 1 });
    expect(s.byCategory.UserPoolRead.calls).toBe(3);
    expect(standin.requests.map((r) => r.status)).toEqual([200, 200, 400]);
  });
});

describe('CognitoStandin: quotas and latency', () => {
  let standin: CognitoStandin;
  let client: CognitoIdentityProviderClient;
  let pools: string[];
  /** The stand-in's clock, in ms: time passes only when a test says so. */
  let nowMs = 0;
  const advance = (ms: number) => {
    nowMs += ms;
  };

  beforeAll(async () => {
    standin = await CognitoStandin.start({
      latencyMs: 5,
      userPoolReadRps: 15,
      clientReadRps: 15,
      perPoolClientReadRps: 5,
      burstSeconds: 1,
      now: () => nowMs,
    });
    pools = standin.seed(6, 4);
    client = sdk(standin);
  });

  afterAll(async () => {
    client?.destroy();
    await standin?.stop();
  });

  /** Fire n calls at once (after resetting the stats), with no time passing on the stand-in's clock. */
  async function burst(n: number, call: (i: number) => Promise<unknown>) {
    standin.resetStats();
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => call(i)));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    return { ok: n - rejected.length, rejected };
  }

  it('throttles 40 concurrent DescribeUserPool calls at 15/s with a 1 s burst', async () => {
    standin.resetQuotas();
    const { ok, rejected } = await burst(40, (i) =>
      client.send(new DescribeUserPoolCommand({ UserPoolId: pools[i % pools.length] })),
    );
    // A full bucket holds 15 tokens and no time passed: exactly 15 are admitted.
    expect(ok).toBe(15);
    expect(rejected).toHaveLength(25);
    for (const e of rejected) {
      expect(e).toBeInstanceOf(TooManyRequestsException);
      expect((e as TooManyRequestsException).$metadata.httpStatusCode).toBe(400);
    }
    const s = standin.stats;
    expect(s.throttled).toBe(25);
    expect(s.throttledByOperation.DescribeUserPool).toBe(25);
    expect(s.byCategory.UserPoolRead).toMatchObject({ calls: 40, admitted: 15, throttled: 25, peakRate: 15 });
  });

  it('shares the UserPoolRead bucket between ListUserPools and DescribeUserPool', async () => {
    standin.configure({ userPoolReadRps: 1, burstSeconds: 1 });
    try {
      await client.send(new DescribeUserPoolCommand({ UserPoolId: pools[0] }));
      expect(await failure(client.send(new ListUserPoolsCommand({ MaxResults: 1 })))).toBeInstanceOf(
        TooManyRequestsException,
      );
      // ...but not with the client-read buckets.
      await expect(
        client.send(new ListUserPoolClientsCommand({ UserPoolId: pools[0] })),
      ).resolves.toBeDefined();
    } finally {
      standin.configure({ userPoolReadRps: 15, burstSeconds: 1 });
    }
  });

  it('enforces the per-pool client-read limit (5/s) below the account limit', async () => {
    standin.resetQuotas();
    const pool = pools[0] ?? '';
    const cid = standin.clientIds(pool)[0] ?? '';
    const one = await burst(12, () =>
      client.send(new DescribeUserPoolClientCommand({ UserPoolId: pool, ClientId: cid })),
    );
    expect(one.ok).toBe(5);
    expect(one.rejected).toHaveLength(7);
    for (const e of one.rejected) expect(e).toBeInstanceOf(TooManyRequestsException);
    expect(standin.stats.byPool[pool]?.throttled).toBe(7);
    expect(standin.requests.filter((r) => r.throttledBy === 'pool')).toHaveLength(7);

    // 4 calls on each of 3 other pools: within both the per-pool and the account limit.
    standin.resetQuotas();
    const spread = await burst(12, (i) => {
      const p = pools[1 + (i % 3)] ?? '';
      return client.send(new ListUserPoolClientsCommand({ UserPoolId: p }));
    });
    expect(spread.rejected).toEqual([]);
  });

  it('enforces the account-wide client-read limit (15/s) across pools', async () => {
    standin.resetQuotas();
    const { ok, rejected } = await burst(20, (i) => {
      const p = pools[i % 5] ?? '';
      return client.send(
        new ListUserPoolClientSecretsCommand({ UserPoolId: p, ClientId: standin.clientIds(p)[0] }),
      );
    });
    // 4 calls per pool stay under the per-pool 5; the account's 15 tokens run out first.
    expect(ok).toBe(15);
    expect(rejected).toHaveLength(5);
    expect(standin.stats.byCategory.UserPoolClientRead.throttled).toBe(5);
    expect(standin.requests.filter((r) => r.throttledBy === 'account')).toHaveLength(5);
  });

  it('refills buckets continuously, by the time that passed', async () => {
    standin.configure({ userPoolReadRps: 20, burstSeconds: 0.5 }); // capacity 10
    try {
      const first = await burst(25, () => client.send(new ListUserPoolsCommand({ MaxResults: 1 })));
      expect(first.ok).toBe(10);
      advance(300); // 20/s × 0.3 s: 6 tokens
      const second = await burst(8, () => client.send(new ListUserPoolsCommand({ MaxResults: 1 })));
      expect(second.ok).toBe(6);
      advance(10_000); // refills to the capacity, never beyond
      const third = await burst(25, () => client.send(new ListUserPoolsCommand({ MaxResults: 1 })));
      expect(third.ok).toBe(10);
    } finally {
      standin.configure({ userPoolReadRps: 15, burstSeconds: 1 });
    }
  });

  it('holds served calls back by the latency, overlapping concurrent ones; throttles are immediate', async () => {
    standin.configure({ latencyMs: 80, quotas: false });
    try {
      standin.resetStats();
      await client.send(new DescribeUserPoolCommand({ UserPoolId: pools[0] }));
      expect(standin.requests.map((r) => r.delayMs)).toEqual([80]);

      standin.resetStats();
      await Promise.all(pools.map((id) => client.send(new DescribeUserPoolCommand({ UserPoolId: id }))));
      // Overlap is shown by the stand-in's own count, not by wall time.
      expect(standin.stats.peakConcurrency).toBeGreaterThan(1);
      expect(standin.requests.every((r) => r.delayMs === 80)).toBe(true);

      standin.configure({ quotas: true, userPoolReadRps: 1, burstSeconds: 1 });
      await client.send(new DescribeUserPoolCommand({ UserPoolId: pools[0] }));
      // Immediate: the throttle answers before a served call sent just after it (80 ms of latency).
      const settled: string[] = [];
      const throttled = failure(client.send(new DescribeUserPoolCommand({ UserPoolId: pools[0] }))).then(
        (e) => {
          settled.push('throttled');
          return e;
        },
      );
      const served = client
        .send(new ListUserPoolClientsCommand({ UserPoolId: pools[0], MaxResults: 1 }))
        .then(() => settled.push('served'));
      const err = await throttled;
      await served;
      expect(err).toBeInstanceOf(TooManyRequestsException);
      expect(settled).toEqual(['throttled', 'served']);

      standin.configure({ quotas: false, latencyMs: 0 });
      standin.resetStats();
      standin.failNext({ delayMs: 60 });
      await client.send(new DescribeUserPoolCommand({ UserPoolId: pools[0] }));
      await client.send(new DescribeUserPoolCommand({ UserPoolId: pools[0] }));
      expect(standin.requests.map((r) => r.delayMs)).toEqual([60, 0]);
    } finally {
      standin.configure({ latencyMs: 5, quotas: true, userPoolReadRps: 15, burstSeconds: 1 });
    }
  });
});
