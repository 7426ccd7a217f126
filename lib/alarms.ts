import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/core/telemetry.js';
import type { DetectorSettings } from './config.js';

/** What the detector's alarms watch, and where they notify. */
export interface DetectorAlarmsProps {
  readonly settings: DetectorSettings;
  /** The single-target function. */
  readonly function: lambda.IFunction;
  /** The single-target state machine (in organization mode, the real-time path's). */
  readonly stateMachine: sfn.IStateMachine;
  /** What the schedule starts: the organization state machine in organization mode, else {@link stateMachine}. */
  readonly scheduled: sfn.IStateMachine;
  readonly organizationFunction?: lambda.IFunction;
  /** Every alarm notifies this topic. */
  readonly topic: sns.ITopic;
}

/** The detector's alarms (see {@link createDetectorAlarms}). */
export interface DetectorAlarms {
  readonly functionErrorsAlarm: cloudwatch.Alarm;
  readonly runsFailedAlarm: cloudwatch.Alarm;
  readonly runsTimedOutAlarm: cloudwatch.Alarm;
  readonly missedRunsAlarm: cloudwatch.Alarm;
  readonly organizationFunctionErrorsAlarm?: cloudwatch.Alarm;
  readonly realtimeRunsFailedAlarm?: cloudwatch.Alarm;
}

/**
 * Alarms for function errors, failed and timed-out runs, and missed runs (a dead man's switch on the
 * runs-completed metric); in organization mode also the organization function's errors and, with
 * `realtime`, failed real-time checks. Each notifies the alert topic.
 */
export function createDetectorAlarms(scope: Construct, props: DetectorAlarmsProps): DetectorAlarms {
  const { settings, scheduled } = props;
  const notify = new SnsAction(props.topic);
  /** An alarm that fires when `metric` (a Sum over 5 minutes) reaches 1. */
  const onAny = (id: string, alarmDescription: string, metric: cloudwatch.IMetric) =>
    new cloudwatch.Alarm(scope, id, {
      alarmDescription,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  const sumOverFiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
  const functionErrorsAlarm = onAny(
    'FunctionErrorsAlarm',
    'The Cognito drift detector function failed. Its log group has the error.',
    props.function.metricErrors(sumOverFiveMinutes),
  );
  const runsFailedAlarm = onAny(
    'RunsFailedAlarm',
    'A Cognito drift detection run (state machine execution) failed.',
    scheduled.metricFailed(sumOverFiveMinutes),
  );
  const runsTimedOutAlarm = onAny(
    'RunsTimedOutAlarm',
    'A Cognito drift detection run (state machine execution) timed out.',
    scheduled.metricTimedOut(sumOverFiveMinutes),
  );
  let organizationFunctionErrorsAlarm: cloudwatch.Alarm | undefined;
  let realtimeRunsFailedAlarm: cloudwatch.Alarm | undefined;
  if (props.organizationFunction) {
    organizationFunctionErrorsAlarm = onAny(
      'OrganizationFunctionErrorsAlarm',
      'The Cognito drift organization function failed (a target whose scan failed is reported as ' +
        'unreachable in the digest). Its log group has the error.',
      props.organizationFunction.metricErrors(sumOverFiveMinutes),
    );
    if (settings.realtime) {
      realtimeRunsFailedAlarm = onAny(
        'RealtimeRunsFailedAlarm',
        'A real-time Cognito drift check (execution of the single-target state machine) failed.',
        props.stateMachine.metricFailed(sumOverFiveMinutes),
      );
    }
  }
  // Dead man's switch: no metric at all (nothing ran, or runs never finish) must alarm too.
  const missedRunsAlarm = new cloudwatch.Alarm(scope, 'MissedRunsAlarm', {
    alarmDescription:
      `No Cognito drift detection run completed in two schedule periods (2 x ${settings.schedulePeriodMinutes} min). ` +
      'Drift is not being watched: check the schedule rule, the state machine and the function.',
    metric: new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: METRIC.runsCompleted,
      dimensionsMap: { service: SERVICE_NAME },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(settings.schedulePeriodMinutes),
    }),
    threshold: 1,
    evaluationPeriods: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  for (const alarm of [
    functionErrorsAlarm,
    runsFailedAlarm,
    runsTimedOutAlarm,
    missedRunsAlarm,
    ...(organizationFunctionErrorsAlarm ? [organizationFunctionErrorsAlarm] : []),
    ...(realtimeRunsFailedAlarm ? [realtimeRunsFailedAlarm] : []),
  ]) {
    alarm.addAlarmAction(notify);
  }
  return {
    functionErrorsAlarm,
    runsFailedAlarm,
    runsTimedOutAlarm,
    missedRunsAlarm,
    ...(organizationFunctionErrorsAlarm ? { organizationFunctionErrorsAlarm } : {}),
    ...(realtimeRunsFailedAlarm ? { realtimeRunsFailedAlarm } : {}),
  };
}
