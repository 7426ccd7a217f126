/**
 * Trying cognito-drift by hand on `npm run standin`: a change made through the stand-in with the
 * calls the AWS CLI makes (real SDK clients, the real wire protocol) is reported by `cognito-drift
 * check`, alerted on the topic, approved, and then listed by `history` from the local bucket's
 * object versions.
 */

import {
  AddUserPoolClientSecretCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientSecretsCommand,
  ListUserPoolClientsCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';
import {
  type DemoPools,
  FOREIGN_AWS_VARIABLES,
  LOCAL_DIGEST_KEY_SECRET_ARN,
  type LocalAws,
  seedDemoPools,
  setProcessEnv,
  startLocalAws,
} from '../support/local-aws.js';
import { allowPolicy, putRole } from '../support/reference-seeds.js';

const ROGUE = 'https://evil.example.net/callback';
/** The CLI in-process, watching every surface (the harness's default watches pools and clients only). */
const cognitoDrift = (args: string[]) => runCli(args, { ...process.env, SURFACES: 'all' });

describe('changes made through the stand-in, with S3 and SNS', () => {
  let local: LocalAws;
  let restoreEnv: () => void = () => {};
  let pools: DemoPools;
  let cognito: CognitoIdentityProviderClient;
  let store: string[];

  beforeAll(async () => {
    local = await startLocalAws({ s3: true });
    const s3sns = local.s3sns;
    if (!s3sns) throw new Error('fauxqs did not start');
    restoreEnv = setProcessEnv({
      ...Object.fromEntries(FOREIGN_AWS_VARIABLES.map((name) => [name, undefined])),
      ...local.env,
    });
    pools = seedDemoPools(local.cognito);
    // The bucket's digests are keyed with the stack's secret, which the stand-in serves.
    store = [
      '--bucket',
      s3sns.bucket,
      '--topic',
      s3sns.topicArn,
      '--digest-key-secret',
      LOCAL_DIGEST_KEY_SECRET_ARN,
    ];
    // Configured only by the environment, as the AWS CLI and the SDK find the stand-in.
    cognito = new CognitoIdentityProviderClient({ maxAttempts: 1 });
  });

  afterAll(async () => {
    cognito?.destroy();
    restoreEnv();
    await local?.stop();
  });

  it('reports an update made over the wire as drift, approves it, and lists both baselines in history', async () => {
    const s3sns = local.s3sns!;
    const first = await cognitoDrift(['check', ...store]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Baseline recorded');
    await s3sns.receiveAlerts();

    // What `aws cognito-idp update-user-pool-client` sends: the whole client, one callback more.
    const { UserPoolClient: web } = await cognito.send(
      new DescribeUserPoolClientCommand({
        UserPoolId: pools.storefrontPoolId,
        ClientId: pools.storefrontWebClientId,
      }),
    );
    await cognito.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: pools.storefrontPoolId,
        ClientId: pools.storefrontWebClientId,
        ClientName: web?.ClientName,
        ExplicitAuthFlows: web?.ExplicitAuthFlows,
        SupportedIdentityProviders: web?.SupportedIdentityProviders,
        CallbackURLs: [...(web?.CallbackURLs ?? []), ROGUE],
        LogoutURLs: web?.LogoutURLs,
        AllowedOAuthFlows: web?.AllowedOAuthFlows,
        AllowedOAuthScopes: web?.AllowedOAuthScopes,
        AllowedOAuthFlowsUserPoolClient: web?.AllowedOAuthFlowsUserPoolClient,
        RefreshTokenValidity: web?.RefreshTokenValidity,
        AccessTokenValidity: web?.AccessTokenValidity,
        IdTokenValidity: web?.IdTokenValidity,
        TokenValidityUnits: web?.TokenValidityUnits,
        PreventUserExistenceErrors: web?.PreventUserExistenceErrors,
        EnableTokenRevocation: web?.EnableTokenRevocation,
        EnablePropagateAdditionalUserContextData: web?.EnablePropagateAdditionalUserContextData,
        AuthSessionValidity: web?.AuthSessionValidity,
      }),
    );
    // A secret rotation started over the wire: the new value comes back in plain text, here and to
    // DescribeUserPoolClient; cognito-drift must show the rotation and never the value.
    const { UserPoolClients = [] } = await cognito.send(
      new ListUserPoolClientsCommand({ UserPoolId: pools.storefrontPoolId }),
    );
    const backend = UserPoolClients.find((c) => c.ClientName === 'storefront-orders-service');
    const { ClientSecretDescriptor } = await cognito.send(
      new AddUserPoolClientSecretCommand({ UserPoolId: pools.storefrontPoolId, ClientId: backend?.ClientId }),
    );
    const newSecret = ClientSecretDescriptor?.ClientSecretValue ?? '';
    expect(newSecret).toMatch(/^[a-z0-9]{52}$/);
    // ...and finished: the old secret deleted.
    const { ClientSecrets = [] } = await cognito.send(
      new ListUserPoolClientSecretsCommand({
        UserPoolId: pools.storefrontPoolId,
        ClientId: backend?.ClientId,
      }),
    );
    const old = ClientSecrets.find((c) => c.ClientSecretId !== ClientSecretDescriptor?.ClientSecretId);
    await cognito.send(
      new DeleteUserPoolClientSecretCommand({
        UserPoolId: pools.storefrontPoolId,
        ClientId: backend?.ClientId,
        ClientSecretId: old?.ClientSecretId,
      }),
    );
    // A group handing out an admin role (the role exists: the IAM roles surface reads it).
    putRole(local.cognito.catalogItems, 'arn:aws:iam::000000000000:role/break-glass', {
      inline: allowPolicy('*', '*'),
    });
    await cognito.send(
      new CreateGroupCommand({
        UserPoolId: pools.storefrontPoolId,
        GroupName: 'break-glass-admins',
        RoleArn: 'arn:aws:iam::000000000000:role/break-glass',
      }),
    );
    await cognito.send(
      new SetUserPoolMfaConfigCommand({ UserPoolId: pools.storefrontPoolId, MfaConfiguration: 'OFF' }),
    );

    const drift = await cognitoDrift(['check', ...store]);
    expect(drift.stderr).toBe('');
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(`CallbackURLs: added ${ROGUE}`);
    expect(drift.stdout).toContain('break-glass-admins');
    expect(drift.stdout).toContain('MfaConfiguration: ON -> OFF');
    expect(drift.stdout).toContain(ClientSecretDescriptor?.ClientSecretId ?? 'no secret id');
    const alerts = await s3sns.receiveAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toContain(`CallbackURLs: added ${ROGUE}`);
    // The canary: the value is in no output, alert or stored object.
    expect(drift.stdout + drift.stderr).not.toContain(newSecret);
    expect(JSON.stringify(alerts)).not.toContain(newSecret);
    const s3 = new S3Client({});
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: s3sns.bucket }));
    expect(Contents.length).toBeGreaterThan(0);
    for (const object of Contents) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: s3sns.bucket, Key: object.Key }))
      ).Body?.transformToString();
      expect(body).not.toContain(newSecret);
    }
    s3.destroy();

    const approve = await cognitoDrift([
      'approve',
      '--pool',
      pools.storefrontPoolId,
      '--yes',
      '--reason',
      'CHG-42',
      '--bucket',
      s3sns.bucket,
    ]);
    expect(approve.stderr).toBe('');
    expect(approve.code).toBe(0);
    const quiet = await cognitoDrift([
      'diff',
      '--bucket',
      s3sns.bucket,
      '--digest-key-secret',
      LOCAL_DIGEST_KEY_SECRET_ARN,
    ]);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);

    const history = await cognitoDrift([
      'history',
      '--pool',
      pools.storefrontPoolId,
      '--bucket',
      s3sns.bucket,
    ]);
    expect(history.stderr).toBe('');
    expect(history.code).toBe(0);
    const blocks = history.stdout.trim().split(/\n\n/);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('CHG-42');
    expect(blocks[0]).toContain(`CallbackURLs: added ${ROGUE}`);
    expect(blocks[1]).toContain('first baseline of this pool');
  });
});
