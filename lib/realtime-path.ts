import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CLOUDTRAIL_DETAIL_TYPE, eventBridgeSource, writeEventTable } from '../lambda/core/write-events.js';
import { realtimeEventPaths } from '../lambda/realtime/api-event.js';
import { CATALOG } from '../lambda/surfaces/index.js';

/** The write events that start a real-time check: the one table, from the catalog. */
const WRITE_EVENTS = writeEventTable(CATALOG).events;

/** One rule of the real-time path: its id suffix, description and pattern. */
export interface WriteEventRule {
  /** `CognitoWrites` or `WebAclAssociations`. */
  readonly name: string;
  readonly description: string;
  readonly eventPattern: events.EventPattern;
}

/**
 * The patterns of the real-time path, from the one table of watched write events: Cognito's, and web
 * ACL associations of user pools. Failed calls (with an `errorCode`) changed nothing and are left
 * out. The same patterns start a check in the deployment's own account and forward a member
 * account's events to the central bus (`lib/member-role.ts`).
 */
export function writeEventRules(): WriteEventRule[] {
  const cognito = WRITE_EVENTS.filter((e) => e.eventSource !== 'wafv2.amazonaws.com');
  const waf = WRITE_EVENTS.filter((e) => e.eventSource === 'wafv2.amazonaws.com');
  return [
    {
      name: 'CognitoWrites',
      description: 'a watched Cognito write is recorded by CloudTrail',
      eventPattern: {
        source: [...new Set(cognito.map((e) => eventBridgeSource(e.eventSource)))],
        detailType: [CLOUDTRAIL_DETAIL_TYPE],
        detail: {
          eventSource: [...new Set(cognito.map((e) => e.eventSource))],
          eventName: cognito.map((e) => e.eventName),
          errorCode: events.Match.doesNotExist(),
        },
      },
    },
    {
      name: 'WebAclAssociations',
      description: 'a web ACL is associated with or removed from a user pool',
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
    },
  ];
}

/**
 * The rules of the real-time path on the default bus of the deployment's own account and region.
 * The target receives only the fields a check reads (an input transformer: event id, name, time,
 * principal, resource ids); the rest of the record, `requestParameters` included, never reaches the
 * state machine.
 */
export function createRealtimeRules(scope: Construct, stateMachine: sfn.IStateMachine): events.Rule[] {
  const target = new eventTargets.SfnStateMachine(stateMachine, { input: realtimeTargetInput() });
  return writeEventRules().map(
    (rule) =>
      new events.Rule(scope, `Realtime${rule.name}`, {
        description: `Starts a targeted Cognito drift check when ${rule.description}`,
        eventPattern: rule.eventPattern,
        targets: [target],
      }),
  );
}

/** Props of {@link createMemberEventRules}. */
export interface MemberEventRulesProps {
  /** The organization function: it checks the named target with that account's member role. */
  readonly fn: lambda.IFunction;
  /**
   * Only accounts of this organization may put events on the bus (`aws:PrincipalOrgID`). Unset with
   * `accounts=self`: the deployment's own account forwards from its other regions, and a bus accepts
   * its own account's events without a resource policy.
   */
  readonly organizationId?: string;
}

/**
 * The central side of the member accounts' real time: a bus the member stacks forward their write
 * events to (only from the organization), and the same rules on it, invoking the organization
 * function with the event's named fields plus its `account` and `region`, which name the target.
 */
export function createMemberEventRules(
  scope: Construct,
  props: MemberEventRulesProps,
): { bus: events.EventBus; rules: events.Rule[] } {
  const bus = new events.EventBus(scope, 'MemberEventBus', {
    description: 'cognito-drift: Cognito write events forwarded by the member accounts',
  });
  if (props.organizationId) {
    bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationMembersForward',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }),
    );
  }
  const target = new eventTargets.LambdaFunction(props.fn, {
    event: realtimeTargetInput({ origin: true }),
  });
  const rules = writeEventRules().map(
    (rule) =>
      new events.Rule(scope, `Member${rule.name}`, {
        description: `Starts a targeted Cognito drift check of a member account when ${rule.description}`,
        eventBus: bus,
        eventPattern: rule.eventPattern,
        targets: [target],
      }),
  );
  return { bus, rules };
}

/**
 * What a real-time rule hands its target: the event's source and detail type, and of its detail
 * only {@link realtimeEventPaths}, each at its own path, so the function reads it as it would the
 * whole event. With `origin`, also the event's `account` and `region`: the target a forwarded event
 * is about.
 */
function realtimeTargetInput({ origin = false } = {}): events.RuleTargetInput {
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
    ...(origin ? { account: events.EventField.account, region: events.EventField.region } : {}),
    detail,
  });
}
