import {
  ArnFormat,
  Aws,
  CfnCondition,
  CfnParameter,
  CfnResource,
  DefaultStackSynthesizer,
  Fn,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { readActionsByResource } from '../lambda/core/catalog.js';
import { DEFAULTS } from '../lambda/settings.js';
import { CATALOG } from '../lambda/surfaces/index.js';
import { writeEventRules } from './realtime-path.js';

/**
 * The role name every member account holds by default; the detector assumes
 * `arn:aws:iam::<account>:role/<name>`. The `memberRoleName` setting's default, from the one schema.
 */
export const MEMBER_ROLE_NAME: string = DEFAULTS.memberRoleName;

/**
 * The read actions a scan of one (account, region) makes, exactly: the Cognito, identity-pool and
 * WAF reads of the reader, `cloudtrail:LookupEvents` (who made a change), and `account:ListRegions`
 * for `regions=all-enabled`. A test derives the
 * actions from the bundled code and compares.
 */
export const MEMBER_READ_ACTIONS: readonly string[] = [
  'account:ListRegions',
  'cloudtrail:LookupEvents',
  'cognito-idp:DescribeUserPool',
  'cognito-idp:DescribeUserPoolClient',
  'cognito-idp:ListUserPoolClientSecrets',
  'cognito-idp:ListUserPoolClients',
  'cognito-idp:ListUserPools',
  ...Object.values(readActionsByResource(CATALOG)).flat(),
].sort();

export interface CognitoDriftMemberRoleProps {
  /** The detector function's role ARN: the only principal that may assume this role (`aws:PrincipalArn`). */
  readonly detectorRoleArn: string;
  /** Required as `sts:ExternalId` when set. At least one of `externalId` and `organizationId`. */
  readonly externalId?: string;
  /** Required as `aws:PrincipalOrgID` when set (`o-...`). */
  readonly organizationId?: string;
  /** @default 'CognitoDriftMemberRole' */
  readonly roleName?: string;
}

/**
 * The read-only role the detector assumes in a member account. It trusts the detector's account,
 * but only the detector's function role (`aws:PrincipalArn`), and only with the external id or from
 * within the organization. It can do exactly the scan's reads, in every region of the account.
 */
export class CognitoDriftMemberRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CognitoDriftMemberRoleProps) {
    super(scope, id);
    if (!props.externalId && !props.organizationId) {
      throw new Error('CognitoDriftMemberRole needs externalId or organizationId (or both)');
    }
    const detectorAccount =
      Stack.of(this).splitArn(props.detectorRoleArn, ArnFormat.SLASH_RESOURCE_NAME).account ?? Aws.ACCOUNT_ID;
    const conditions: Record<string, Record<string, string>> = {
      ArnEquals: { 'aws:PrincipalArn': props.detectorRoleArn },
    };
    if (props.externalId) conditions.StringEquals = { 'sts:ExternalId': props.externalId };
    if (props.organizationId) {
      conditions.StringEquals = { ...conditions.StringEquals, 'aws:PrincipalOrgID': props.organizationId };
    }
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? MEMBER_ROLE_NAME,
      description: 'cognito-drift: read-only access to Cognito configuration, assumed by the detector only',
      assumedBy: new iam.AccountPrincipal(detectorAccount).withConditions(conditions),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CognitoDriftReads',
        actions: [...MEMBER_READ_ACTIONS],
        resources: ['*'],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Read-only actions on every Cognito pool, identity pool and web ACL of the account in every region: ' +
        'what is watched cannot be named in advance, and only the detector role may assume this role.',
    });
  }
}

export interface CognitoDriftMemberForwardingProps {
  /** The detector's member event bus (detector stack output `MemberEventBusArn`). */
  readonly centralEventBusArn: string;
}

/**
 * The member account's half of real time: rules on the account's default bus, in the region it is
 * deployed to, that forward the watched write events (the same patterns as the detector's own rules,
 * from the one table) to the detector's member event bus, with a role that may put events on that
 * bus only. The detector then checks only the pools those events name, with its member role.
 */
export class CognitoDriftMemberForwarding extends Construct {
  /** Assumed by EventBridge to put the events on the central bus: `events:PutEvents` on that bus only. */
  readonly role: iam.Role;
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: CognitoDriftMemberForwardingProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      // Only for this account's rules (confused deputy): EventBridge names the rule's account.
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      }),
      description: "cognito-drift: forwards Cognito write events to the detector's event bus",
    });
    // A bus in another account (or region) is a target only with a role of the sending account;
    // the target grants it events:PutEvents on exactly that bus.
    const target = new eventTargets.EventBus(
      events.EventBus.fromEventBusArn(this, 'CentralBus', props.centralEventBusArn),
      { role: this.role },
    );
    this.rules = writeEventRules().map(
      (rule) =>
        new events.Rule(this, `Forward${rule.name}`, {
          description: `Forwards to the cognito-drift detector's bus when ${rule.description}`,
          eventPattern: rule.eventPattern,
          targets: [target],
        }),
    );
  }
}

/**
 * A stack made for a service-managed StackSet deployed to an OU: the member role, with the detector
 * role ARN and the external id (or organization id) as parameters, and the forwarding of the
 * account's write events to the detector's bus. Deployed to every scanned region: the rules are
 * regional, the role global (created in `MemberRoleRegion` only). See docs/organization.md, the setup.
 */
export interface CognitoDriftMemberRoleStackProps extends StackProps {
  /** The role's name: the detector's `memberRoleName`. @default 'CognitoDriftMemberRole' */
  readonly roleName?: string;
}

export class CognitoDriftMemberRoleStack extends Stack {
  constructor(scope: Construct, id: string, props: CognitoDriftMemberRoleStackProps = {}) {
    super(scope, id, {
      // Member accounts are not CDK-bootstrapped: no bootstrap-version rule (the stack has no assets).
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      ...props,
      description: 'cognito-drift member role (deploy with a StackSet to an OU)',
    });
    const detectorRoleArn = new CfnParameter(this, 'DetectorRoleArn', {
      type: 'String',
      description: 'The cognito-drift organization function role ARN (detector stack output DetectorRoleArn)',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
    });
    const organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      description: 'Your organization id (o-...): the detector must call from inside it',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
    });
    const centralEventBusArn = new CfnParameter(this, 'CentralEventBusArn', {
      type: 'String',
      default: '',
      description:
        'The detector stack output MemberEventBusArn: Cognito write events are forwarded there (empty: not forwarded)',
      allowedPattern: '^$|^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/.+$',
    });
    const roleRegion = new CfnParameter(this, 'MemberRoleRegion', {
      type: 'String',
      default: '',
      description:
        'The one region whose stack creates the member role (IAM is global); empty: every region (deploy to one region only)',
      allowedPattern: '^$|^[a-z]{2}(-[a-z]+)+-\\d{1,2}$',
    });
    const createRole = new CfnCondition(this, 'CreateMemberRole', {
      expression: Fn.conditionOr(
        Fn.conditionEquals(roleRegion.valueAsString, ''),
        Fn.conditionEquals(roleRegion.valueAsString, Aws.REGION),
      ),
    });
    const forward = new CfnCondition(this, 'ForwardEvents', {
      expression: Fn.conditionNot(Fn.conditionEquals(centralEventBusArn.valueAsString, '')),
    });
    const role = new CognitoDriftMemberRole(this, 'MemberRole', {
      detectorRoleArn: detectorRoleArn.valueAsString,
      organizationId: organizationId.valueAsString,
      ...(props.roleName ? { roleName: props.roleName } : {}),
    });
    onlyIf(role, createRole);
    onlyIf(
      new CognitoDriftMemberForwarding(this, 'Forwarding', {
        centralEventBusArn: centralEventBusArn.valueAsString,
      }),
      forward,
    );
  }
}

/** Every CloudFormation resource under `scope` is created only when `condition` holds. */
function onlyIf(scope: IConstruct, condition: CfnCondition): void {
  for (const child of scope.node.findAll()) {
    if (child instanceof CfnResource) child.cfnOptions.condition = condition;
  }
}
