/**
 * `npm run standin`: a local AWS for trying the CLI without an account. Starts the project's Cognito
 * stand-in (with two demo pools) and fauxqs for S3 and SNS, on 127.0.0.1, and prints the environment
 * variables to export in another shell. Ctrl-C stops everything and removes its temporary files.
 *
 * Not cognito-local: it has no ListUserPoolClientSecrets, so every scan would end "incomplete".
 */
import { seedDemoPools, startLocalAws } from '../test/support/local-aws.js';

const local = await startLocalAws({ s3: true });
const pools = seedDemoPools(local.cognito);
const env: Record<string, string> = {
  ...local.env,
  ...(local.s3sns ? { BASELINE_BUCKET: local.s3sns.bucket, ALERT_TOPIC_ARN: local.s3sns.topicArn } : {}),
};
process.stdout.write(
  [
    '# A local Cognito (2 demo pools) with S3 and SNS, on 127.0.0.1. In another shell:',
    ...Object.entries(env).map(([name, value]) => `export ${name}='${value}'`),
    'unset AWS_PROFILE AWS_SESSION_TOKEN',
    `# then: npx cognito-drift check   (pools ${pools.storefrontPoolId}, ${pools.partnerPoolId})`,
    '# Ctrl-C here stops the stand-in.',
    '',
  ].join('\n'),
);
const stop = () => {
  void local.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
