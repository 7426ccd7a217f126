import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';

/** Retries for Cognito reads when AWS_MAX_ATTEMPTS does not say otherwise: throttling is expected. */
const COGNITO_MAX_ATTEMPTS = 8;

export interface AwsClients {
  cognito: CognitoIdentityProviderClient;
  /** Identity pools (Cognito federated identities). */
  identity: CognitoIdentityClient;
  /** For the web ACL associated with each pool. */
  wafv2: WAFV2Client;
  /** What the pools point to: Lambda triggers, IAM roles (IAM is global), KMS keys. */
  lambda: LambdaClient;
  iam: IAMClient;
  kms: KMSClient;
  s3: S3Client;
  sns: SNSClient;
  cloudtrail: CloudTrailClient;
  /** The digest key's secret (`DIGEST_KEY_SECRET_ARN`, the CLI's `--digest-key-secret`). */
  secrets: SecretsManagerClient;
  /** The finding sinks: drift events on the default bus, Security Hub findings. */
  eventbridge: EventBridgeClient;
  securityhub: SecurityHubClient;
}

/**
 * The clients the detector calls (the Lambda bundles exactly these; the CLI adds STS itself),
 * configured only by the standard SDK chain: region, credentials, retry mode,
 * AWS_MAX_ATTEMPTS, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. No endpoint is hard-coded.
 */
export function createAwsClients(options: { region?: string; env?: NodeJS.ProcessEnv } = {}): AwsClients {
  const env = options.env ?? process.env;
  const region = options.region ? { region: options.region } : {};
  const reads = { ...region, ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: COGNITO_MAX_ATTEMPTS }) };
  return {
    cognito: new CognitoIdentityProviderClient(reads),
    identity: new CognitoIdentityClient(reads),
    wafv2: new WAFV2Client(reads),
    lambda: new LambdaClient(reads),
    iam: new IAMClient(reads),
    kms: new KMSClient(reads),
    s3: new S3Client({ ...region }),
    sns: new SNSClient({ ...region }),
    cloudtrail: new CloudTrailClient({ ...region }),
    secrets: new SecretsManagerClient({ ...region }),
    eventbridge: new EventBridgeClient({ ...region }),
    securityhub: new SecurityHubClient({ ...region }),
  };
}
