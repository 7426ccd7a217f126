import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';

/** Retries for Cognito reads when AWS_MAX_ATTEMPTS does not say otherwise: throttling is expected. */
const COGNITO_MAX_ATTEMPTS = 8;

export interface AwsClients {
  cognito: CognitoIdentityProviderClient;
  s3: S3Client;
  sns: SNSClient;
}

/**
 * The clients the detector calls (the Lambda bundles exactly these; the CLI adds STS itself),
 * configured only by the standard SDK chain: region, credentials, retry mode,
 * AWS_MAX_ATTEMPTS, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. No endpoint is hard-coded.
 */
export function createAwsClients(options: { region?: string; env?: NodeJS.ProcessEnv } = {}): AwsClients {
  const env = options.env ?? process.env;
  const region = options.region ? { region: options.region } : {};
  return {
    cognito: new CognitoIdentityProviderClient({
      ...region,
      ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: COGNITO_MAX_ATTEMPTS }),
    }),
    s3: new S3Client({ ...region }),
    sns: new SNSClient({ ...region }),
  };
}
