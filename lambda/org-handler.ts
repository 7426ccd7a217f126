import { AccountClient } from '@aws-sdk/client-account';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import type { Context } from 'aws-lambda';
import { CognitoReader } from './adapters/cognito-reader.js';
import { S3DocumentStore } from './adapters/s3-document-store.js';
import { SnsNotifier } from './adapters/sns-notifier.js';
import { createAwsClients } from './aws-clients.js';
import { readLambdaConfig } from './config.js';
import { ConfigError } from './errors.js';
import { DEFAULT_MEMBER_ROLE_NAME, TargetCredentials } from './org/credentials.js';
import { runOrganizationStep } from './org/organization-run.js';
import { parseAccountSelection, parseRegionSelection, TargetSelectionError } from './org/target.js';
import { createTelemetry } from './powertools.js';

/**
 * Lambda entry of an organization deployment: the state machine calls it with `{phase: 'list'}`,
 * then once per (account, region) target from a Distributed Map (`{phase: 'scan', ...}`, again with
 * its runId until done), then with `{phase: 'aggregate', ...}`. See `org/contract.ts`. Wiring only.
 */
const { logger, metrics, coreLogger, metricsSink } = createTelemetry();
const clients = createAwsClients();
const sts = new STSClient({});
let credentials: TargetCredentials | undefined;

const MAX_SAFETY_MARGIN_MS = 90_000;

export async function handler(event: unknown, context: Context): Promise<unknown> {
  const config = readLambdaConfig(process.env);
  const env = process.env;
  let accounts: ReturnType<typeof parseAccountSelection>;
  let regions: ReturnType<typeof parseRegionSelection>;
  try {
    accounts = parseAccountSelection(env.TARGET_ACCOUNTS, env.ORGANIZATIONAL_UNITS);
    regions = parseRegionSelection(env.TARGET_REGIONS);
  } catch (error) {
    if (error instanceof TargetSelectionError)
      throw new ConfigError(`TARGET_ACCOUNTS/TARGET_REGIONS: ${error.message}`);
    throw error;
  }
  const stackRegion = await clients.cognito.config.region();
  // arn:<partition>:lambda:<region>:<account>:function:<name>
  const [, partition = 'aws', , , selfAccountId = 'unknown'] = context.invokedFunctionArn.split(':');
  // Kept across invocations of a warm container: one AssumeRole per account for the credentials' lifetime.
  credentials ??= new TargetCredentials(
    sts,
    {
      roleName: env.MEMBER_ROLE_NAME || DEFAULT_MEMBER_ROLE_NAME,
      partition,
      ...(env.EXTERNAL_ID ? { externalId: env.EXTERNAL_ID } : {}),
    },
    selfAccountId,
  );
  const reads = env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 8 };
  try {
    return await runOrganizationStep(
      event,
      {
        documents: new S3DocumentStore(clients.s3, config.bucket),
        notifier: new SnsNotifier(clients.sns, config.topicArn, config.chatTopicArn),
        credentials,
        ...(accounts.kind === 'organization' ? { organizations: new OrganizationsClient({}) } : {}),
        accountClient: (creds) => new AccountClient({ ...(creds ? { credentials: creds } : {}) }),
        reader: (target, creds) => {
          const signed = { region: target.region, ...reads, ...(creds ? { credentials: creds } : {}) };
          return new CognitoReader({
            client: new CognitoIdentityProviderClient(signed),
            identityClient: new CognitoIdentityClient(signed),
            wafClient: new WAFV2Client(signed),
            surfaces: config.surfaces,
            quotaShare: config.quotaShare,
          });
        },
        logger: coreLogger,
        metrics: metricsSink,
        now: () => new Date(),
      },
      {
        accounts,
        regions,
        selfAccountId,
        stackRegion,
        reminderIntervalMs: config.reminderIntervalMs,
        approveCommand: (poolId) => `npm run approve -- --pool ${poolId} --bucket ${config.bucket}`,
        scan: {
          reminderIntervalMs: config.reminderIntervalMs,
          remainingTimeMs: () => context.getRemainingTimeInMillis(),
          safetyMarginMs: Math.min(MAX_SAFETY_MARGIN_MS, context.getRemainingTimeInMillis() / 3),
          maxRunAgeMs: 24 * 3_600_000,
          ignore: config.ignore,
          secretPolicy: config.secretPolicy,
        },
      },
    );
  } catch (error) {
    logger.error('Organization step failed; nothing was marked as alerted', { error });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
