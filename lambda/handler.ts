import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { CognitoReader } from './adapters/cognito-reader.js';
import { S3DocumentStore } from './adapters/s3-document-store.js';
import { SnsNotifier } from './adapters/sns-notifier.js';
import { createAwsClients } from './aws-clients.js';
import { readLambdaConfig } from './config.js';
import { runDetection } from './core/detector.js';
import { DriftStore } from './core/drift-store.js';
import type { Logger as CoreLogger, MetricsSink } from './core/ports.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './core/telemetry.js';

/** Input from the Step Functions loop; the first invocation of a run has no runId. */
export interface DetectorEvent {
  runId?: string;
}

/** `done: false` tells the state machine to invoke again: the run continues where it stopped. */
export interface DetectorResponse {
  done: boolean;
  runId: string;
}

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
const clients = createAwsClients();
const coreLogger: CoreLogger = {
  debug: (message, extra = {}) => logger.debug(message, extra),
  info: (message, extra = {}) => logger.info(message, extra),
  warn: (message, extra = {}) => logger.warn(message, extra),
  error: (message, extra = {}) => logger.error(message, extra),
};
const metricsSink: MetricsSink = {
  count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
  durationMs: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
};

/** The most time an invocation keeps back to finish; a third of a shorter invocation. */
const MAX_SAFETY_MARGIN_MS = 90_000;

/** Lambda entry point: wiring only. */
export async function handler(event: DetectorEvent, context: Context): Promise<DetectorResponse> {
  const config = readLambdaConfig(process.env);
  const region = await clients.cognito.config.region();
  const accountId = context.invokedFunctionArn.split(':')[4] ?? 'unknown';
  const reader = new CognitoReader({ client: clients.cognito, quotaShare: config.quotaShare });
  // Time kept back to finish (send, write state). A fixed 90 s would leave a function with a short
  // timeout no time to scan at all, every invocation returning done: false until the loop gives up.
  const safetyMarginMs = Math.min(MAX_SAFETY_MARGIN_MS, context.getRemainingTimeInMillis() / 3);
  try {
    const result = await runDetection(
      {
        reader,
        store: new DriftStore(new S3DocumentStore(clients.s3, config.bucket)),
        notifier: new SnsNotifier(clients.sns, config.topicArn, config.chatTopicArn),
        logger: coreLogger,
        metrics: metricsSink,
        now: () => new Date(),
      },
      {
        accountId,
        region,
        reminderIntervalMs: config.reminderIntervalMs,
        approveCommand: (poolId) =>
          `AWS_REGION=${region} npm run approve -- --pool ${poolId} --bucket ${config.bucket}`,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
        safetyMarginMs,
        poolConcurrency: reader.poolConcurrency,
        // Longer than any run the state machine allows (50 invocations of 15 minutes), so a long scan
        // is never abandoned; a run left idle by a dead execution is taken up long before this.
        maxRunAgeMs: 24 * 3_600_000,
        runId: event?.runId,
        ignore: config.ignore,
      },
    );
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
    });
    return { done: result.done, runId: result.runId };
  } catch (error) {
    logger.error('Run failed; nothing was marked as alerted, the next run retries', { error });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
