import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** Below this many possible targets an inline Map does; from it on, a Distributed Map (child executions). */
export const DISTRIBUTED_MAP_THRESHOLD = 40;

export interface OrganizationScanDefinitionProps {
  /** The function with the organization entry point (`lambda/org-handler.ts`). */
  readonly fn: lambda.IFunction;
  /** Targets scanned at once. @default 10 */
  readonly maxConcurrentTargets?: number;
  /** Invocations of one target's scan before its run is given up (its own resumable loop). */
  readonly maxInvocationsPerTarget: number;
  /** Use a Distributed Map (true) or an inline Map (false, few targets known at synth). */
  readonly distributed: boolean;
  /**
   * The bucket's name, where the list step leaves the Map's items (`runs/organization/<id>/items.json`)
   * for a Distributed Map's ItemReader. The state machine's role needs `s3:GetObject` on
   * `runs/organization/*` ({@link ORGANIZATION_RUN_PREFIX}); the definition adds no grant itself.
   */
  readonly bucketName: string;
}

/** Where an organization run keeps its items and each target's outcome (`lambda/org/scan-target.ts`). */
export const ORGANIZATION_RUN_PREFIX = 'runs/organization/';

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * The organization run: List (targets) → Map over targets, each item looping its own Scan
 * invocation until `done` (as the single-target loop does) → Aggregate (one digest). A target's
 * failure is isolated: the item catches it and the Map goes on; the aggregate step reports a target
 * that left no outcome as failed.
 *
 * The state stays small whatever the number of targets: a Distributed Map reads its items from S3
 * (ItemReader), every target writes its outcome to S3, and the Map keeps no results (its result is
 * discarded), so neither the items nor the results meet the 256 KiB payload limit. An inline Map
 * (few targets, known at synth) takes the items from the state. Inputs and outputs follow
 * `lambda/org/contract.ts`.
 */
export function organizationScanDefinition(
  scope: Construct,
  props: OrganizationScanDefinitionProps,
): sfn.IChainable {
  // The payload is either a fixed object (with `.$` paths) or, for the scan, the item's `input` as a
  // whole, through InputPath: `TaskInput.fromJsonPathAt` with `payloadResponseOnly` renders
  // `"Parameters": "$.input"`, a string Step Functions rejects (Parameters must be an object).
  const invoke = (
    id: string,
    payload: sfn.TaskInput | { inputPath: string },
    resultPath: string,
    resultSelector?: Record<string, unknown>,
  ) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: props.fn,
      ...('inputPath' in payload ? { inputPath: payload.inputPath } : { payload }),
      payloadResponseOnly: true,
      resultPath,
      ...(resultSelector ? { resultSelector } : {}),
    });
    task.addRetry({
      errors: LAMBDA_SERVICE_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
    });
    return task;
  };

  const list = invoke(
    'ListTargets',
    sfn.TaskInput.fromObject({ phase: 'list', itemsInState: !props.distributed }),
    '$.listing',
    {
      'orgRunId.$': '$.orgRunId',
      'startedAt.$': '$.startedAt',
      'itemsKey.$': '$.itemsKey',
      'targets.$': '$.targets',
      bucket: props.bucketName,
      ...(props.distributed ? {} : { 'items.$': '$.items' }),
    },
  );

  // One item: invoke, then again with the previous output while not done, at most N times. How
  // it ended is in the target's outcome document; the item itself returns nothing.
  const scan = invoke('ScanTarget', { inputPath: '$.input' }, '$.output');
  const targetFailed = new sfn.Pass(scope, 'TargetFailed', {
    comment: 'The scan failed: it left no outcome, and the aggregate step reports the target as failed',
    parameters: {},
  });
  scan.addCatch(targetFailed, { errors: ['States.ALL'], resultPath: '$.error' });
  const again = new sfn.Pass(scope, 'ScanAgain', {
    parameters: { 'input.$': '$.output', 'count.$': 'States.MathAdd($.count, 1)' },
  });
  const tooMany = new sfn.Pass(scope, 'TargetTooLong', {
    comment: `More than ${props.maxInvocationsPerTarget} invocations: no outcome, reported as not finished`,
    parameters: {},
  });
  const itemDone = new sfn.Pass(scope, 'TargetDone', { parameters: {} });
  const itemProcessor = scan.next(
    new sfn.Choice(scope, 'TargetScanned')
      .when(sfn.Condition.booleanEquals('$.output.done', true), itemDone)
      .when(sfn.Condition.numberLessThan('$.count', props.maxInvocationsPerTarget), again.next(scan))
      .otherwise(tooMany),
  );

  const mapProps = {
    itemSelector: { 'input.$': '$$.Map.Item.Value', count: 1 },
    maxConcurrency: props.maxConcurrentTargets ?? 10,
    resultPath: sfn.JsonPath.DISCARD,
  };
  const map = props.distributed
    ? new sfn.DistributedMap(scope, 'ScanTargets', {
        ...mapProps,
        itemReader: new sfn.S3JsonItemReader({
          bucketNamePath: sfn.JsonPath.stringAt('$.listing.bucket'),
          key: sfn.JsonPath.stringAt('$.listing.itemsKey'),
        }),
        mapExecutionType: sfn.StateMachineType.STANDARD,
      })
    : new sfn.Map(scope, 'ScanTargets', { ...mapProps, itemsPath: '$.listing.items' });
  map.itemProcessor(itemProcessor);

  const aggregate = invoke(
    'Aggregate',
    sfn.TaskInput.fromObject({
      phase: 'aggregate',
      'orgRunId.$': '$.listing.orgRunId',
      'startedAt.$': '$.listing.startedAt',
    }),
    '$.aggregate',
  );
  return list.next(map).next(aggregate).next(new sfn.Succeed(scope, 'OrganizationRunComplete'));
}
