/**
 * CDK app: CDK context -> validated settings -> CognitoDriftStack, checked by cdk-nag.
 *
 *   npx cdk synth -c alertEmail=ops@example.com
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CognitoDriftStack } from '../lib/cognito-drift-stack.js';
import { checkContextKeys, DetectorConfigError, parseDetectorConfig } from '../lib/config.js';

const app = new App();
try {
  checkContextKeys(Object.keys(app.node.getAllContext()));
  const detector = parseDetectorConfig((key) => app.node.tryGetContext(key));
  new CognitoDriftStack(app, 'CognitoDrift', {
    detector,
    // Unset without credentials: an environment-agnostic stack that synthesizes offline.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  if (!(error instanceof DetectorConfigError)) throw error;
  // A settings mistake needs its one-line message, not a stack trace.
  console.error(error.message);
  process.exitCode = 1;
}
