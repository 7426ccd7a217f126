import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CognitoDriftDetector, type CognitoDriftDetectorProps } from './cognito-drift-detector.js';

/** Props of {@link CognitoDriftStack}. */
export interface CognitoDriftStackProps extends StackProps {
  /** Settings of the detector the stack deploys. */
  readonly detector: CognitoDriftDetectorProps;
}

/** A stack holding one {@link CognitoDriftDetector}, with the names an operator needs as outputs. */
export class CognitoDriftStack extends Stack {
  readonly detector: CognitoDriftDetector;

  constructor(scope: Construct, id: string, props: CognitoDriftStackProps) {
    super(scope, id, {
      description: 'Cognito drift detector: scheduled scan of user pools and app clients, alerts by email',
      ...props,
    });
    this.detector = new CognitoDriftDetector(this, 'Detector', props.detector);

    new CfnOutput(this, 'BaselineBucketName', {
      description: 'Bucket holding baselines and reports (pass it to the CLI with --bucket)',
      value: this.detector.bucket.bucketName,
    });
    new CfnOutput(this, 'DigestKeySecretArn', {
      description:
        'Secret holding the key of the stored digests (pass it to the CLI with --digest-key-secret when using --bucket)',
      value: this.detector.digestKeySecret.secretArn,
    });
    new CfnOutput(this, 'AlertTopicArn', {
      description: 'SNS topic for drift alerts and alarm notifications',
      value: this.detector.topic.topicArn,
    });
    if (this.detector.chatTopic) {
      new CfnOutput(this, 'ChatTopicArn', {
        description: 'SNS topic for the same alerts as Amazon Q Developer chat notifications',
        value: this.detector.chatTopic.topicArn,
      });
    }
    new CfnOutput(this, 'StateMachineArn', {
      description: 'State machine that runs one detection (start it by hand to scan now)',
      value: this.detector.stateMachine.stateMachineArn,
    });
    if (this.detector.organizationStateMachine && this.detector.organizationFunction?.role) {
      new CfnOutput(this, 'OrganizationStateMachineArn', {
        description:
          'State machine of the organization run, started by the schedule (start it by hand with {} to scan now)',
        value: this.detector.organizationStateMachine.stateMachineArn,
      });
      new CfnOutput(this, 'DetectorRoleArn', {
        description:
          'Role of the organization function: the member roles trust it (StackSet parameter DetectorRoleArn)',
        value: this.detector.organizationFunction.role.roleArn,
      });
    }
    if (this.detector.memberEventBus) {
      new CfnOutput(this, 'MemberEventBusArn', {
        description:
          'Bus the member accounts forward their Cognito write events to (StackSet parameter CentralEventBusArn)',
        value: this.detector.memberEventBus.eventBusArn,
      });
    }
    new CfnOutput(this, 'ApproverRoleArn', {
      description:
        'Role to assume for cognito-drift approve (the only one besides the function that may write baselines)',
      value: this.detector.approverRole.roleArn,
    });
    new CfnOutput(this, 'FunctionName', {
      description: 'Scanning function',
      value: this.detector.function.functionName,
    });
  }
}
