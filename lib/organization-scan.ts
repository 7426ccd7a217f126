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
}

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * The organization run: List (targets) → Map over targets, each item looping its own Scan
 * invocation until `done` (as the single-target loop does) → Aggregate (one digest). A target's
 * failure is isolated: the item catches it and reports the target as failed; the Map tolerates it.
 * Inputs and outputs follow `lambda/org/contract.ts`.
 */
export function organizationScanDefinition(
  scope: Construct,
  props: OrganizationScanDefinitionProps,
): sfn.IChainable {
  // The payload is either a fixed object (with `.$` paths) or, for the scan, the item's `input` as a
  // whole, through InputPath: `TaskInput.fromJsonPathAt` with `payloadResponseOnly` renders
  // `"Parameters": "$.input"`, a string Step Functions rejects (Parameters must be an object).
  const invoke = (id: string, payload: sfn.TaskInput | { inputPath: string }, resultPath: string) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: props.fn,
      ...('inputPath' in payload ? { inputPath: payload.inputPath } : { payload }),
      payloadResponseOnly: true,
      resultPath,
    });
    task.addRetry({
      errors: LAMBDA_SERVICE_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
    });
    return task;
  };

  const list = invoke('ListTargets', sfn.TaskInput.fromObject({ phase: 'list' }), '$.listing');

  // One item: invoke, then again with the previous output while not done, at most N times.
  const scan = invoke('ScanTarget', { inputPath: '$.input' }, '$.output');
  const targetFailed = new sfn.Pass(scope, 'TargetFailed', {
    parameters: {
      phase: 'scan',
      'orgRunId.$': '$.input.orgRunId',
      'target.$': '$.input.target',
      done: true,
      status: 'unreachable',
      reason: 'the scan failed (see the function errors alarm)',
      findings: 0,
    },
  });
  scan.addCatch(targetFailed, { errors: ['States.ALL'], resultPath: '$.error' });
  const again = new sfn.Pass(scope, 'ScanAgain', {
    parameters: { 'input.$': '$.output', 'count.$': 'States.MathAdd($.count, 1)' },
  });
  const tooMany = new sfn.Pass(scope, 'TargetTooLong', {
    parameters: {
      phase: 'scan',
      'orgRunId.$': '$.input.orgRunId',
      'target.$': '$.input.target',
      done: true,
      status: 'unreachable',
      reason: `the scan needed more than ${props.maxInvocationsPerTarget} invocations`,
      findings: 0,
    },
  });
  const itemDone = new sfn.Pass(scope, 'TargetDone', { outputPath: '$.output' });
  const itemProcessor = scan.next(
    new sfn.Choice(scope, 'TargetScanned')
      .when(sfn.Condition.booleanEquals('$.output.done', true), itemDone)
      .when(sfn.Condition.numberLessThan('$.count', props.maxInvocationsPerTarget), again.next(scan))
      .otherwise(tooMany),
  );

  const mapProps = {
    itemsPath: '$.listing.items',
    itemSelector: { 'input.$': '$$.Map.Item.Value', count: 1 },
    maxConcurrency: props.maxConcurrentTargets ?? 10,
    resultPath: '$.results',
  };
  const map = props.distributed
    ? new sfn.DistributedMap(scope, 'ScanTargets', {
        ...mapProps,
        mapExecutionType: sfn.StateMachineType.STANDARD,
      })
    : new sfn.Map(scope, 'ScanTargets', mapProps);
  map.itemProcessor(itemProcessor);

  const aggregate = invoke(
    'Aggregate',
    sfn.TaskInput.fromObject({
      phase: 'aggregate',
      'orgRunId.$': '$.listing.orgRunId',
      'startedAt.$': '$.listing.startedAt',
      'unreachable.$': '$.listing.unreachable',
      'results.$': '$.results',
    }),
    '$.aggregate',
  );
  return list.next(map).next(aggregate).next(new sfn.Succeed(scope, 'OrganizationRunComplete'));
}
