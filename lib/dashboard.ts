import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  FINDINGS_BY_SEVERITY_METRICS,
  METRIC,
  METRICS_NAMESPACE,
  QUOTA_CATEGORY_DIMENSION,
  SERVICE_NAME,
} from '../lambda/core/telemetry.js';

export interface DriftDashboardProps {
  /** The scanning function (its errors are a problem worth seeing next to the run metrics). */
  readonly function: lambda.IFunction;
  /** The state machine the schedule starts (its failed executions, likewise). */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * The period each point sums or averages over.
   * @default 1 hour
   */
  readonly period?: Duration;
}

/**
 * A CloudWatch dashboard of what the function already emits (`lambda/core/telemetry.ts` names every
 * metric once): runs and their duration, pools and clients watched, findings by severity, throttles by
 * quota category, problems, and real-time checks. Nothing is emitted for it alone.
 */
export class DriftDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DriftDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.hours(1);
    const metric = (metricName: string, statistic: string, label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME },
        statistic,
        period,
        ...(label ? { label } : {}),
      });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 12, height: 6 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          graph(
            'Runs completed and their duration',
            [metric(METRIC.runsCompleted, 'Sum', 'Runs completed')],
            [
              metric(METRIC.scanDurationMs, 'Average', 'Duration (ms, average)'),
              metric(METRIC.scanDurationMs, 'Maximum', 'Duration (ms, longest)'),
            ],
          ),
          graph('Pools and app clients watched', [
            metric(METRIC.poolsScanned, 'Maximum', 'Pools'),
            metric(METRIC.clientsScanned, 'Maximum', 'App clients'),
          ]),
        ],
        [
          graph(
            'Findings by severity',
            FINDINGS_BY_SEVERITY_METRICS.map((name) =>
              metric(name, 'Sum', name.replace(METRIC.findings, '')),
            ),
          ),
          graph('Throttled requests by quota category', [
            new cloudwatch.MathExpression({
              // One line per category that was throttled: the category is a dimension, not a name.
              expression: `SEARCH('{${METRICS_NAMESPACE},${QUOTA_CATEGORY_DIMENSION},service} MetricName="${METRIC.throttles}"', 'Sum', ${period.toSeconds()})`,
              label: '',
              period,
            }),
          ]),
        ],
        [
          graph('Problems', [
            metric(METRIC.readErrors, 'Sum', 'Read and store problems'),
            metric(METRIC.sinkFailures, 'Sum', 'EventBridge / Security Hub failures'),
            props.function.metricErrors({ period, label: 'Function errors' }),
            props.stateMachine.metricFailed({ period, label: 'Runs failed' }),
          ]),
          graph('Real-time checks', [metric(METRIC.realtimeChecks, 'Sum', 'Targeted checks')]),
        ],
      ],
    });
  }
}
