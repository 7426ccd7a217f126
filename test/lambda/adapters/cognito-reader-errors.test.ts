import { Readable } from 'node:stream';
import {
  CognitoIdentityProviderClient,
  ListUserPoolClientSecretsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CognitoReader } from '../../../lambda/adapters/cognito-reader.js';
import { errorReason } from '../../../lambda/errors.js';
import { DetectorHarness, FakeAccount, serialize } from '../../support/fake-aws.js';

/**
 * Which errors mean "gone" and which mean "unreadable", and what a reason may say. Only
 * DescribeUserPool's and DescribeUserPoolClient's not-found is a deletion; a reason never quotes
 * SDK message text, which can carry a fragment of the response.
 */

const SECRET = 'topsecretvalue0123456789';

/** Answers every Cognito call like the service, except ListUserPoolClientSecrets: a malformed body. */
function malformedSecretsClient(): CognitoIdentityProviderClient {
  const answers: Record<string, unknown> = {
    DescribeUserPool: { UserPool: { Id: 'us-east-1_Pool00001', Name: 'p', MfaConfiguration: 'ON' } },
    ListUserPoolClients: { UserPoolClients: [{ ClientId: 'client0001', ClientName: 'api' }] },
    DescribeUserPoolClient: {
      UserPoolClient: { ClientId: 'client0001', ClientName: 'api', ClientSecret: SECRET },
    },
  };
  return new CognitoIdentityProviderClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        const operation = (request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        // A truncated, unquoted body: JSON.parse's message quotes the text around the error.
        const body =
          operation === 'ListUserPoolClientSecrets'
            ? `{"ClientSecrets":[{"ClientSecretValue":${SECRET}}]}`
            : JSON.stringify(answers[operation] ?? {});
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      },
    },
  });
}

describe('reading errors', () => {
  let aws: FakeAccount;
  beforeEach(() => {
    aws = new FakeAccount();
  });
  // The fake stubs the SDK class itself; the next describe needs the real one.
  afterEach(() => aws.restore());

  it('reports a client as unreadable, not deleted, when only ListUserPoolClientSecrets says not found', async () => {
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool({ name: 'customers' });
    const client = aws.addClient(pool.poolId, { name: 'backend', confidential: true });
    await harness.run();

    aws.fail('ListUserPoolClientSecrets', { clientId: client.clientId, error: 'ResourceNotFoundException' });
    const result = await harness.run();

    const findings = result.pools.flatMap((p) => p.findings);
    expect(findings.map((f) => f.kind)).not.toContain('client-removed');
    expect(result.readProblems).toEqual([
      {
        what: `App client ${client.clientId} in pool customers (${pool.poolId})`,
        reason: 'ListUserPoolClientSecrets: ResourceNotFoundException (HTTP 400)',
      },
    ]);
  });

  it('reports a pool as unreadable, not deleted, when ListUserPoolClients says not found', async () => {
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool({ name: 'customers' });
    aws.addClient(pool.poolId, { name: 'web' });
    await harness.run();

    aws.fail('ListUserPoolClients', { poolId: pool.poolId, error: 'ResourceNotFoundException' });
    const result = await harness.run();

    expect(result.pools.flatMap((p) => p.findings).map((f) => f.kind)).not.toContain('pool-removed');
    expect(result.pools).toEqual([
      expect.objectContaining({ poolId: pool.poolId, outcome: 'unreadable', findings: [] }),
    ]);
    expect(result.sent.map((m) => m.Subject)).toEqual([expect.stringContaining('Scan incomplete')]);
  });

  it('still treats DescribeUserPoolClient not-found as a deletion', async () => {
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool({ name: 'customers' });
    const client = aws.addClient(pool.poolId, { name: 'web' });
    await harness.run();

    aws.fail('DescribeUserPoolClient', { clientId: client.clientId, error: 'ResourceNotFoundException' });
    const result = await harness.run();

    expect(result.pools.flatMap((p) => p.findings).map((f) => f.kind)).toEqual(['client-removed']);
  });
});

describe('a response the SDK cannot parse', () => {
  it('uses fixed text for a response the SDK cannot parse, never a fragment of its body', async () => {
    const reader = new CognitoReader({ client: malformedSecretsClient(), quotaShare: 1 });

    const result = await reader.readPool({ poolId: 'us-east-1_Pool00001', poolName: 'p' });

    // The canary: the parse error the SDK raised really quotes the body.
    const raw = await malformedSecretsClient()
      .send(
        new ListUserPoolClientSecretsCommand({ UserPoolId: 'us-east-1_Pool00001', ClientId: 'client0001' }),
      )
      .catch((error: unknown) => error);
    expect(String((raw as Error).message)).toContain(SECRET.slice(0, 10));
    expect(result).toEqual({
      status: 'ok',
      pool: expect.anything(),
      unreadableClients: [
        {
          clientId: 'client0001',
          reason:
            'ListUserPoolClientSecrets: UnreadableResponse (HTTP 200): the response could not be parsed (deserialization error)',
        },
      ],
      unreadableSurfaces: [],
    });
    expect(serialize(result)).not.toContain(SECRET.slice(0, 6));
  });
});

describe('errorReason', () => {
  it('keeps the error code and HTTP status of a service error, not its message', () => {
    const error = Object.assign(new Error(`User pool client ${SECRET} does not exist.`), {
      name: 'ResourceNotFoundException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });

    expect(errorReason(error)).toBe('ResourceNotFoundException (HTTP 400)');
  });

  it('does not echo an error name that is not an error code', () => {
    const error = Object.assign(new Error('x'), { name: `Bad\n${SECRET}`, $fault: 'server' });

    expect(errorReason(error)).toBe('Error');
  });

  it('names a network failure by its code only', () => {
    const error = Object.assign(new Error(`connect ECONNREFUSED ${SECRET}`), { code: 'ECONNREFUSED' });

    expect(errorReason(error)).toBe('Error: network error ECONNREFUSED');
  });
});
