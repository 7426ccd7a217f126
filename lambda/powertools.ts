import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger as CoreLogger, MetricsSink } from './core/ports.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './core/telemetry.js';

/** The Powertools Logger and Metrics of a Lambda entry point, and the narrow ports the core logs through. */
export function createTelemetry() {
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const coreLogger: CoreLogger = {
    debug: (message, extra = {}) => logger.debug(message, extra),
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
  };
  const metricsSink: MetricsSink = {
    count: (name, value, dimensions) => {
      if (!dimensions) return metrics.addMetric(name, MetricUnit.Count, value);
      // A metric with its own dimensions (a quota category) goes out on its own, with the service's.
      const single = metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
      single.addMetric(name, MetricUnit.Count, value);
    },
    durationMs: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
  };
  return { logger, metrics, coreLogger, metricsSink };
}
