/**
 * CDK app: CDK context -> validated settings -> CognitoDriftStack, checked by cdk-nag.
 *
 *   npx cdk synth -c alertEmail=ops@example.com
 *   npx cdk synth -c memberRoleTemplate=true    # only the member role stack, for a StackSet
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CognitoDriftStack } from '../lib/cognito-drift-stack.js';
import {
  checkContextKeys,
  DetectorConfigError,
  parseDetectorConfig,
  parseMemberRoleTemplate,
} from '../lib/config.js';
import { CognitoDriftMemberRoleStack } from '../lib/member-role.js';

const app = new App();
try {
  checkContextKeys(Object.keys(app.node.getAllContext()));
  const context = (key: string) => app.node.tryGetContext(key);
  const memberRole = parseMemberRoleTemplate(context);
  if (memberRole) {
    // One stack either way, so `cdk deploy` and `cdk synth` never ask which.
    new CognitoDriftMemberRoleStack(app, 'CognitoDriftMemberRole', memberRole);
  } else {
    const detector = parseDetectorConfig(context);
    new CognitoDriftStack(app, 'CognitoDrift', {
      detector,
      // Unset without credentials: an environment-agnostic stack that synthesizes offline.
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  if (!(error instanceof DetectorConfigError)) throw error;
  // A settings mistake needs its one-line message, not a stack trace.
  console.error(error.message);
  process.exitCode = 1;
}
