import { AccountClient } from '@aws-sdk/client-account';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import type { Context } from 'aws-lambda';
import { CloudTrailReader } from './adapters/cloudtrail-reader.js';
import { SecretDigestKey } from './adapters/digest-key-secret.js';
import { S3DocumentStore } from './adapters/s3-document-store.js';
import { SnsNotifier } from './adapters/sns-notifier.js';
import { createAwsClients } from './aws-clients.js';
import { readDigestKeySecretArn, readLambdaConfig } from './config.js';
import { TargetCredentials } from './org/credentials.js';
import { KeptClients } from './org/kept-clients.js';
import { runOrganizationStep } from './org/organization-run.js';
import { TargetDocumentStore } from './org/target-document-store.js';
import { createTelemetry } from './powertools.js';
import { checkTrailDaily } from './realtime/trail-check.js';
import { runPolicy } from './run/run-policy.js';
import { targetReader } from './run/target-reader.js';
import { envName, readEnvSetting, readTargetSettings } from './settings.js';

/**
 * Lambda entry of an organization deployment: the state machine calls it with `{phase: 'list'}`,
 * then once per (account, region) target from a Distributed Map (`{phase: 'scan', ...}`, again with
 * its runId until done), then with `{phase: 'aggregate', ...}`. See `org/contract.ts`. The member
 * event bus's rules call it with a member account's write event (`org/member-events.ts`). Wiring only.
 */
const { logger, metrics, coreLogger, metricsSink } = createTelemetry();
const clients = createAwsClients();
const sts = new STSClient({});
let credentials: TargetCredentials | undefined;
/** The digest key's secret, read once per cold start. */
let digestKeys: SecretDigestKey | undefined;

/** The targets' SDK clients, kept for the container's life. */
const kept = new KeptClients();

function isAggregate(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { phase?: unknown }).phase === 'aggregate';
}

export async function handler(event: unknown, context: Context): Promise<unknown> {
  const config = readLambdaConfig(process.env);
  const env = process.env;
  const { accounts, regions } = readTargetSettings(
    {
      accounts: readEnvSetting(env, 'accounts'),
      regions: readEnvSetting(env, 'regions'),
      organizationalUnits: readEnvSetting(env, 'organizationalUnits'),
    },
    envName,
  );
  const externalId = readEnvSetting(env, 'externalId');
  const stackRegion = await clients.cognito.config.region();
  // arn:<partition>:lambda:<region>:<account>:function:<name>: the member role ARNs use the same partition.
  const [, partition = 'aws', , , selfAccountId = 'unknown'] = context.invokedFunctionArn.split(':');
  // Kept across invocations of a warm container: one AssumeRole per account for the credentials' lifetime.
  credentials ??= new TargetCredentials(
    sts,
    {
      roleName: readEnvSetting(env, 'memberRoleName'),
      partition,
      ...(externalId ? { externalId } : {}),
    },
    selfAccountId,
  );
  const reads = env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 8 };
  // One key for every target: the digests in this stack's bucket are keyed with this stack's secret.
  digestKeys ??= new SecretDigestKey(clients.secrets, readDigestKeySecretArn(process.env));
  const digestKey = await digestKeys.get();
  // Alerts are read by people who install the package: the approve hint is spelled for it.
  const {
    approveCommand,
    poolConcurrency: _perReader,
    ...scan
  } = runPolicy(config, {
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    approve: { installation: 'package', store: { bucket: config.bucket } },
  });
  try {
    const documents = new S3DocumentStore(clients.s3, config.bucket);
    const notifier = new SnsNotifier(clients.sns, config.topicArn, config.chatTopicArn);
    const result = await runOrganizationStep(
      event,
      {
        documents,
        notifier,
        credentials,
        ...(accounts.kind === 'organization' ? { organizations: new OrganizationsClient({}) } : {}),
        accountClient: (creds) =>
          kept.reuse(
            `account ${kept.providerId(creds)}`,
            creds,
            () => new AccountClient({ ...(creds ? { credentials: creds } : {}) }),
          ),
        // Who made a target's changes: that account's CloudTrail in that region (the member role
        // may look events up), paced like the home account's.
        attributor: (target, creds) =>
          new CloudTrailReader({
            client: kept.reuse(
              `cloudtrail ${target.accountId}/${target.region}`,
              creds,
              () => new CloudTrailClient({ region: target.region, ...(creds ? { credentials: creds } : {}) }),
            ),
            quotaShare: config.quotaShare,
            now: () => new Date(),
          }).attribute,
        reader: (target, creds, options) => {
          const signed = { region: target.region, ...reads, ...(creds ? { credentials: creds } : {}) };
          const name = `${target.accountId}/${target.region}`;
          // A new reader (its own pacer) per invocation, on the target's clients kept for the container.
          return targetReader(
            {
              cognito: kept.reuse(
                `cognito-idp ${name}`,
                creds,
                () => new CognitoIdentityProviderClient(signed),
              ),
              identity: kept.reuse(
                `cognito-identity ${name}`,
                creds,
                () => new CognitoIdentityClient(signed),
              ),
              wafv2: kept.reuse(`wafv2 ${name}`, creds, () => new WAFV2Client(signed)),
              lambda: kept.reuse(`lambda ${name}`, creds, () => new LambdaClient(signed)),
              iam: kept.reuse(`iam ${name}`, creds, () => new IAMClient(signed)),
              kms: kept.reuse(`kms ${name}`, creds, () => new KMSClient(signed)),
            },
            { ...config, digestKey, ...options },
          );
        },
        logger: coreLogger,
        metrics: metricsSink,
        now: () => new Date(),
        // A member account's forwarded event: the invocation that opens a batch waits the window.
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      {
        accounts,
        regions,
        selfAccountId,
        stackRegion,
        reminderIntervalMs: config.reminderIntervalMs,
        approveCommand,
        scan,
        debounceMs: config.realtimeDebounceSeconds * 1000,
      },
    );
    if (config.realtime && isAggregate(event)) {
      // The sweeps are the organization's: the daily "is a trail feeding the real-time path?" check
      // of the deployment's own account and region runs after them (the real-time rules are there).
      const self = { accountId: selfAccountId, region: stackRegion };
      const trail = new CloudTrailReader({
        client: clients.cloudtrail,
        quotaShare: config.quotaShare,
        now: () => new Date(),
      });
      try {
        await checkTrailDaily(
          {
            documents: new TargetDocumentStore(documents, self),
            trailStatus: () => trail.trailStatus(stackRegion),
            notifier,
            logger: coreLogger,
            now: () => new Date(),
          },
          { ...self, reminderIntervalMs: config.reminderIntervalMs },
        );
      } catch (error) {
        logger.warn('The daily trail check failed; it runs again after the next run', { error });
      }
    }
    return result;
  } catch (error) {
    logger.error('Organization step failed; nothing was marked as alerted', { error });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
