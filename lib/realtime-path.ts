import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CLOUDTRAIL_DETAIL_TYPE, eventBridgeSource, writeEventTable } from '../lambda/core/write-events.js';
import { realtimeEventPaths } from '../lambda/realtime/api-event.js';
import { CATALOG } from '../lambda/surfaces/index.js';

/** The write events that start a real-time check: the one table, from the catalog. */
const WRITE_EVENTS = writeEventTable(CATALOG).events;

/**
 * The rules of the real-time path, from the one table of watched write events: Cognito's, and web
 * ACL associations of user pools. Failed calls (with an `errorCode`) changed nothing and are left out.
 * The target receives only the fields a check reads (an input transformer: event id, name, time,
 * principal, resource ids); the rest of the record, `requestParameters` included, never reaches the
 * state machine.
 */
export function createRealtimeRules(scope: Construct, stateMachine: sfn.IStateMachine): events.Rule[] {
  const target = new eventTargets.SfnStateMachine(stateMachine, { input: realtimeTargetInput() });
  const cognito = WRITE_EVENTS.filter((e) => e.eventSource !== 'wafv2.amazonaws.com');
  const waf = WRITE_EVENTS.filter((e) => e.eventSource === 'wafv2.amazonaws.com');
  return [
    new events.Rule(scope, 'RealtimeCognitoWrites', {
      description:
        'Starts a targeted Cognito drift check when a watched Cognito write is recorded by CloudTrail',
      eventPattern: {
        source: [...new Set(cognito.map((e) => eventBridgeSource(e.eventSource)))],
        detailType: [CLOUDTRAIL_DETAIL_TYPE],
        detail: {
          eventSource: [...new Set(cognito.map((e) => e.eventSource))],
          eventName: cognito.map((e) => e.eventName),
          errorCode: events.Match.doesNotExist(),
        },
      },
      targets: [target],
    }),
    new events.Rule(scope, 'RealtimeWebAclAssociations', {
      description:
        'Starts a targeted Cognito drift check when a web ACL is associated with or removed from a user pool',
      eventPattern: {
        source: ['aws.wafv2'],
        detailType: [CLOUDTRAIL_DETAIL_TYPE],
        detail: {
          eventSource: ['wafv2.amazonaws.com'],
          eventName: waf.map((e) => e.eventName),
          requestParameters: { resourceArn: events.Match.prefix(`arn:${Aws.PARTITION}:cognito-idp:`) },
          errorCode: events.Match.doesNotExist(),
        },
      },
      targets: [target],
    }),
  ];
}

/**
 * What a real-time rule hands the state machine: the event's source and detail type, and of its
 * detail only {@link realtimeEventPaths}, each at its own path, so the function reads it as it would
 * the whole event.
 */
function realtimeTargetInput(): events.RuleTargetInput {
  const detail: Record<string, unknown> = {};
  for (const path of realtimeEventPaths()) {
    const keys = path.split('.');
    let node = detail;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1] as string] = events.EventField.fromPath(`$.detail.${path}`);
  }
  return events.RuleTargetInput.fromObject({
    source: events.EventField.source,
    'detail-type': events.EventField.detailType,
    detail,
  });
}
