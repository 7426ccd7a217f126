import type { Context } from 'aws-lambda';
import { CloudTrailReader } from './adapters/cloudtrail-reader.js';
import { SecretDigestKey } from './adapters/digest-key-secret.js';
import { EventBridgePublisher } from './adapters/eventbridge-publisher.js';
import { S3DocumentStore } from './adapters/s3-document-store.js';
import { SecurityHubPublisher } from './adapters/securityhub-publisher.js';
import { SnsNotifier } from './adapters/sns-notifier.js';
import { createAwsClients } from './aws-clients.js';
import { readDigestKeySecretArn, readLambdaConfig } from './config.js';
import type { FindingSink } from './core/finding-sinks.js';
import { METRIC, QUOTA_CATEGORY_DIMENSION } from './core/telemetry.js';
import { migrateSingleTargetLayout } from './org/migrate.js';
import { createTelemetry } from './powertools.js';
import { type CloudTrailApiEvent, isCloudTrailApiEvent } from './realtime/api-event.js';
import { handleApiEvent } from './realtime/targeted-check.js';
import { checkTrailDaily } from './realtime/trail-check.js';
import { runPolicy } from './run/run-policy.js';
import { scanOne, targetStore } from './run/scan-service.js';
import { targetReader } from './run/target-reader.js';

/** Input from the Step Functions loop; the first invocation of a run has no runId. */
export interface DetectorEvent {
  runId?: string;
}

/** `done: false` tells the state machine to invoke again: the run continues where it stopped. */
export interface DetectorResponse {
  done: boolean;
  runId: string;
}

const { logger, metrics, coreLogger, metricsSink } = createTelemetry();
const clients = createAwsClients();
/** Read once per cold start (the first invocation), with the secret named by the environment. */
let digestKeys: SecretDigestKey | undefined;

/**
 * Lambda entry point: wiring only. The input is either the state machine's sweep request
 * (`{runId?}`) or an EventBridge "AWS API Call via CloudTrail" event, unchanged, which starts a
 * targeted check of the pools it names.
 */
export async function handler(
  event: DetectorEvent | CloudTrailApiEvent,
  context: Context,
): Promise<DetectorResponse> {
  const config = readLambdaConfig(process.env);
  const region = await clients.cognito.config.region();
  const accountId = context.invokedFunctionArn.split(':')[4] ?? 'unknown';
  digestKeys ??= new SecretDigestKey(clients.secrets, readDigestKeySecretArn(process.env));
  const reader = targetReader(clients, {
    ...config,
    digestKey: await digestKeys.get(),
    // A real-time check reads a few pools: asking WAF about each costs less than listing the account.
    accountReads: !isCloudTrailApiEvent(event),
  });
  const trail = new CloudTrailReader({
    client: clients.cloudtrail,
    quotaShare: config.quotaShare,
    now: () => new Date(),
  });
  // Every deployment keeps its documents under its account and region (`baselines/<account>/<region>/…`),
  // the layout an organization deployment shares. A bucket of an earlier release is migrated first.
  const target = { accountId, region };
  const bucket = new S3DocumentStore(clients.s3, config.bucket);
  // Once migrated (or new), this is one GET that finds the target's state document.
  await migrateSingleTargetLayout(bucket, target, coreLogger);
  // The partition (aws, aws-cn, aws-us-gov) of the function's own ARN: the ARNs the sinks name.
  const partition = context.invokedFunctionArn.split(':')[1] || 'aws';
  const sinks: FindingSink[] = [
    ...(config.events ? [new EventBridgePublisher(clients.eventbridge, partition)] : []),
    ...(config.securityHub
      ? [
          new SecurityHubPublisher(clients.securityhub, partition, () => new Date(), {
            quotaShare: config.quotaShare,
          }),
        ]
      : []),
  ];
  const deps = {
    reader,
    store: targetStore(bucket, target),
    notifier: new SnsNotifier(clients.sns, config.topicArn, config.chatTopicArn),
    logger: coreLogger,
    metrics: metricsSink,
    now: () => new Date(),
    sinks,
  };
  // Alerts are read by people who install the package: the approve hint is spelled for it.
  const policy = runPolicy(config, {
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    poolConcurrency: reader.poolConcurrency,
    approve: { installation: 'package', store: { bucket: config.bucket }, region },
  });
  try {
    if (isCloudTrailApiEvent(event)) {
      const outcome = await handleApiEvent(
        event,
        { ...deps, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
        { ...policy, ...target, debounceMs: config.realtimeDebounceSeconds * 1000 },
      );
      if (outcome.action === 'checked') metricsSink.count(METRIC.realtimeChecks, 1);
      logger.info('Real-time event handled', {
        runId: outcome.runId,
        action: outcome.action,
        requests: reader.stats.requests,
      });
      return { done: outcome.done, runId: outcome.runId };
    }
    const result = await scanOne(
      { ...deps, attribute: trail.attribute },
      {
        target,
        mode: { kind: 'sweep', alerts: 'delivered', ...(event?.runId ? { runId: event.runId } : {}) },
        policy,
      },
    );
    // Reported once, here: the detector returns them, and the CLI prints them its own way.
    for (const rule of result.unmatchedIgnoreRules)
      logger.warn('Ignore rule matched nothing: check it for a typo', { rule });
    if (result.done && config.realtime) {
      try {
        await checkTrailDaily(
          { ...deps, documents: deps.store.documents, trailStatus: () => trail.trailStatus(region) },
          { accountId, region, reminderIntervalMs: config.reminderIntervalMs },
        );
      } catch (error) {
        logger.warn('The daily trail check failed; it runs again after the next sweep', { error });
      }
    }
    logger.info('Run finished', {
      runId: result.runId,
      done: result.done,
      poolsScanned: result.poolsScanned,
      clientsScanned: result.clientsScanned,
      findings: result.pools.reduce((n, p) => n + p.findings.length, 0),
      messagesSent: result.messages.length,
      readProblems: result.readProblems.length,
      storeProblems: result.storeProblems.length,
      unmatchedIgnoreRules: result.unmatchedIgnoreRules,
      requests: reader.stats.requests,
      throttled: reader.stats.throttled,
      lookupEvents: trail.stats.requests,
    });
    return { done: result.done, runId: result.runId };
  } catch (error) {
    logger.error('Run failed; nothing was marked as alerted, the next run retries', { error });
    throw error;
  } finally {
    const throttled = {
      ...reader.stats.throttledByCategory,
      'CloudTrail.LookupEvents': trail.stats.throttled,
    };
    for (const [category, count] of Object.entries(throttled)) {
      if (count) metricsSink.count(METRIC.throttles, count, { [QUOTA_CATEGORY_DIMENSION]: category });
    }
    // One line per category the account throttled: the rate it was slowed to and held, so a quota
    // table entry that is wrong for this account shows up (and can be corrected) in the log.
    for (const [category, adaptation] of Object.entries(reader.rateAdaptations())) {
      logger.warn(
        `Quota category ${category} throttled: held at ${adaptation.heldRps.toPrecision(3)} requests/s`,
        {
          category,
          ...adaptation,
        },
      );
    }
    metrics.publishStoredMetrics();
  }
}
