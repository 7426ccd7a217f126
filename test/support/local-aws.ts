/**
 * A local AWS for `npm run demo` and the over-the-wire integration test: one implementation, so
 * the demo shows exactly what the test checks.
 *
 * - Cognito: our stand-in (`cognito-standin.ts`) on 127.0.0.1. cognito-local is not used: it
 *   answers ListUserPoolClientSecrets with HTTP 500 `CognitoLocal#Unsupported`, which the reader
 *   retries and then reports as an unreadable client, so every scan would be incomplete.
 * - S3 + SNS (optional): fauxqs (with object versions added by `s3-versions.ts`), embedded with `buildApp` and listening on 127.0.0.1 only (its
 *   own `startFauxqs` listens on every interface). An SQS queue subscribed to the alert topic lets
 *   us read what was published. fauxqs also answers STS GetCallerIdentity (account 000000000000).
 * - STS without fauxqs: pointed at the Cognito stand-in, which rejects it at once, so the CLI
 *   falls back to AWS_ACCOUNT_ID and no request ever leaves the machine.
 *
 * Everything is reached through the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, exactly as
 * the CLI and the Lambda read them in production; nothing in the product knows it is local.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { buildApp } from 'fauxqs';
import { CognitoStandin, type SeedClient } from './cognito-standin.js';
import { allowPolicy, putRole } from './reference-seeds.js';
import { keepS3Versions } from './s3-versions.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
const FAKE_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What {@link startLocalAws} starts. */
export interface LocalAwsOptions {
  /** Also start fauxqs for S3 (a baseline bucket) and SNS (an alert topic read through SQS). */
  s3?: boolean;
  /** Added to each Cognito response, in ms. @default 5 */
  cognitoLatencyMs?: number;
  /** Dates of what the stand-in creates or changes. @default a deterministic clock (tests), see StandinOptions */
  cognitoClock?: () => Date;
}

/** One SNS message as an SQS subscriber (without raw delivery) receives it. */
export interface ReceivedAlert {
  subject: string;
  message: string;
  attributes: Record<string, string>;
}

/** The fauxqs side: a bucket, a topic and a queue subscribed to it. */
export interface LocalS3Sns {
  endpoint: string;
  bucket: string;
  topicArn: string;
  /** Takes every message that arrived on the topic's SQS subscription since the last call. */
  receiveAlerts(): Promise<ReceivedAlert[]>;
  /** The keys of the bucket's objects under a prefix. */
  listKeys(prefix: string): Promise<string[]>;
}

/** A running local AWS. {@link LocalAws.stop} undoes everything {@link startLocalAws} did. */
export interface LocalAws {
  cognito: CognitoStandin;
  s3sns?: LocalS3Sns;
  /** A fresh temporary folder (deleted by `stop`), e.g. for the baseline folder store. */
  workDir: string;
  /** The variables that point the SDK at the emulators, with fake credentials and region. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the emulators on ephemeral ports of 127.0.0.1. On failure, stops what had started. */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const workDir = await mkdtemp(join(tmpdir(), 'cognito-drift-local-'));
    stops.push(() => rm(workDir, { recursive: true, force: true }));
    const cognito = await CognitoStandin.start({
      latencyMs: options.cognitoLatencyMs ?? 5,
      ...(options.cognitoClock ? { clock: options.cognitoClock } : {}),
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
    });
    stops.push(() => cognito.stop());
    cognito.putSecret(LOCAL_DIGEST_KEY_SECRET_ARN, randomBytes(32).toString('hex'));
    const s3sns = options.s3 ? await startS3Sns(stops) : undefined;
    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_ACCOUNT_ID: LOCAL_ACCOUNT_ID,
      // The SDK's notice that releases after January 2027 need Node 22 (we pin the SDK): not demo output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // No shared config or credentials file of the user's may redirect or re-credential a call.
      AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      // One stand-in serves identity pools and WAF too (routed by X-Amz-Target).
      AWS_ENDPOINT_URL_COGNITO_IDENTITY: cognito.endpoint,
      AWS_ENDPOINT_URL_WAFV2: cognito.endpoint,
      // And what pools point to: Lambda (REST-JSON), IAM (query) and KMS, by path, form and target.
      AWS_ENDPOINT_URL_LAMBDA: cognito.endpoint,
      AWS_ENDPOINT_URL_IAM: cognito.endpoint,
      AWS_ENDPOINT_URL_KMS: cognito.endpoint,
      AWS_ENDPOINT_URL_STS: s3sns?.endpoint ?? cognito.endpoint,
      // The digest key's secret, served by the same stand-in (DIGEST_KEY_SECRET_ARN names it).
      AWS_ENDPOINT_URL_SECRETS_MANAGER: cognito.endpoint,
      ...(s3sns ? { AWS_ENDPOINT_URL_S3: s3sns.endpoint, AWS_ENDPOINT_URL_SNS: s3sns.endpoint } : {}),
    };
    return { cognito, s3sns, workDir, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startS3Sns(stops: (() => Promise<void>)[]): Promise<LocalS3Sns> {
  // Our own SDK clients below must not print the SDK's Node-version notice either.
  const restoreEnv = setProcessEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  stops.push(async () => restoreEnv());
  const app = buildApp({ logger: false, defaultRegion: LOCAL_REGION });
  // The stack's bucket is versioned and `history` lists the versions; fauxqs keeps none by itself.
  keepS3Versions(app);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  stops.push(() => app.close());
  const endpoint = new URL(address).origin;
  const client = { endpoint, region: LOCAL_REGION, credentials: FAKE_CREDENTIALS };
  const bucket = 'cognito-drift-baselines';
  const s3 = new S3Client({ ...client, forcePathStyle: true });
  stops.push(async () => s3.destroy());
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const queueUrl = (await sqs<{ QueueUrl: string }>(endpoint, 'CreateQueue', { QueueName: 'alert-inbox' }))
    .QueueUrl;
  const sns = new SNSClient(client);
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'cognito-drift-alerts' }))).TopicArn ?? '';
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:alert-inbox`,
    }),
  );
  sns.destroy();

  const receiveAlerts = async (): Promise<ReceivedAlert[]> => {
    const alerts: ReceivedAlert[] = [];
    for (;;) {
      const { Messages = [] } = await sqs<{ Messages?: { Body: string; ReceiptHandle: string }[] }>(
        endpoint,
        'ReceiveMessage',
        { QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 },
      );
      if (Messages.length === 0) return alerts;
      for (const received of Messages) {
        alerts.push(parseEnvelope(received.Body));
        await sqs(endpoint, 'DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: received.ReceiptHandle });
      }
    }
  };
  const listKeys = async (prefix: string): Promise<string[]> => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  };
  return { endpoint, bucket, topicArn, receiveAlerts, listKeys };
}

/** The SNS-to-SQS envelope: Subject, Message and MessageAttributes as an email would carry them. */
function parseEnvelope(body: string): ReceivedAlert {
  const envelope = JSON.parse(body) as {
    Subject?: string | null;
    Message?: string;
    MessageAttributes?: Record<string, { Value?: string }>;
  };
  return {
    subject: envelope.Subject ?? '',
    message: envelope.Message ?? '',
    attributes: Object.fromEntries(
      Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value ?? '']),
    ),
  };
}

/** One SQS call over its JSON protocol (the project has no SQS client; the emulator needs no signature). */
async function sqs<T = unknown>(endpoint: string, action: string, input: object): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`SQS ${action} failed (HTTP ${response.status}): ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/**
 * Sets variables on `process.env` (the SDK reads endpoints, region and credentials from there)
 * and returns a function that puts back exactly what was there before.
 */
export function setProcessEnv(env: Record<string, string | undefined>): () => void {
  const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** Variables of the caller's environment that would send SDK calls elsewhere; cleared while local. */
export const FOREIGN_AWS_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SNS',
  'AWS_DEFAULT_REGION',
  'SURFACES',
  'BASELINE_BUCKET',
  'ALERT_TOPIC_ARN',
  'DIGEST_KEY_SECRET_ARN',
  'IGNORE_RULES',
] as const;

/** The stack's digest key secret in the local account: the stand-in serves it with a random value. */
export const LOCAL_DIGEST_KEY_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:CognitoDriftDigestKey-Local1';

/** The demo's two pools, as the scenario refers to them. */
export interface DemoPools {
  storefrontPoolId: string;
  storefrontWebClientId: string;
  partnerPoolId: string;
}

/** Where the storefront's users sign in; the drift adds a callback on another domain. */
export const DEMO_ROGUE_CALLBACK = 'https://login.shop-deals.example.net/oauth/callback';

/** Creates two realistic pools with three app clients (one confidential, with a secret). */
export function seedDemoPools(cognito: CognitoStandin): DemoPools {
  // Fields not given here take the stand-in's defaults, which are those of a new Cognito pool/client.
  const web: SeedClient = {
    name: 'storefront-web',
    config: {
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: ['https://shop.example.com/auth/callback'],
      LogoutURLs: ['https://shop.example.com/signed-out'],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      AllowedOAuthFlowsUserPoolClient: true,
    },
  };
  const backend: SeedClient = {
    name: 'storefront-orders-service',
    secret: 'demo0secret0value0never0printed0by0cognito0drift00',
    config: {
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['https://api.shop.example.com/orders.read'],
      AllowedOAuthFlowsUserPoolClient: true,
      AccessTokenValidity: 15,
    },
  };
  // The SMS role the storefront pool acts as exists in the account (the IAM roles surface reads it).
  const smsRole = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/service-role/storefront-prod-cognito-sms`;
  putRole(cognito.catalogItems, smsRole, {
    trust: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'cognito-idp.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'storefront-prod-external' } },
        },
      ],
    },
    inline: allowPolicy('sns:Publish', '*'),
  });
  const storefrontPoolId = cognito.addPool({
    name: 'storefront-prod-users',
    config: {
      MfaConfiguration: 'ON',
      SmsAuthenticationMessage: 'Your storefront sign-in code is {####}.',
      SmsConfiguration: {
        SnsCallerArn: smsRole,
        ExternalId: 'storefront-prod-external',
        SnsRegion: LOCAL_REGION,
      },
      DeletionProtection: 'ACTIVE',
      UserPoolTags: { environment: 'prod', application: 'storefront' },
    },
    clients: [web, backend],
  });
  const partnerPoolId = cognito.addPool({
    name: 'partner-portal-prod-users',
    config: { DeletionProtection: 'ACTIVE', UserPoolTags: { environment: 'prod', application: 'partners' } },
    clients: [
      {
        name: 'partner-portal-web',
        config: {
          SupportedIdentityProviders: ['COGNITO'],
          CallbackURLs: ['https://partners.example.com/callback'],
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid', 'email'],
          AllowedOAuthFlowsUserPoolClient: true,
        },
      },
    ],
  });
  const storefrontWebClientId =
    cognito
      .clientIds(storefrontPoolId)
      .find((id) => cognito.describeClient(storefrontPoolId, id).ClientName === web.name) ?? '';
  return { storefrontPoolId, storefrontWebClientId, partnerPoolId };
}

/**
 * Drift as it happens in real accounts, all in the storefront pool: a callback URL on another
 * domain, a refresh token that lives a year instead of 30 days, MFA switched off, and a new client.
 */
export function applyDemoDrift(cognito: CognitoStandin, pools: DemoPools): void {
  const web = cognito.describeClient(pools.storefrontPoolId, pools.storefrontWebClientId);
  cognito.updateClient(pools.storefrontPoolId, pools.storefrontWebClientId, {
    config: {
      CallbackURLs: [...(web.CallbackURLs as string[]), DEMO_ROGUE_CALLBACK],
      RefreshTokenValidity: 365,
    },
  });
  cognito.updatePool(pools.storefrontPoolId, { config: { MfaConfiguration: 'OFF' } });
  cognito.addClient(pools.storefrontPoolId, {
    name: 'storefront-debug-console',
    config: {
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
    },
  });
}
