/**
 * `npm run standin`: a local AWS for trying the CLI without an account. Starts the project's Cognito
 * stand-in (with two demo pools) and fauxqs for S3 (versioned, so `history` works) and SNS, on
 * 127.0.0.1, and prints the environment variables to export in another shell. The stand-in accepts the
 * create/update/delete calls of the AWS CLI (`aws cognito-idp update-user-pool-client ...`), so a change
 * made there is what the next `cognito-drift check` reports; every alert published on the topic is
 * printed here as it arrives. Ctrl-C stops everything and removes its temporary files.
 *
 * Not cognito-local: it has no ListUserPoolClientSecrets, so every scan would end "incomplete".
 */
import { seedDemoPools, startLocalAws } from '../test/support/local-aws.js';
import { printAlertsAsTheyArrive } from './alert-printer.js';

// Wall-clock dates: a secret added by hand now is new, not two years old.
const local = await startLocalAws({ s3: true, cognitoClock: () => new Date() });
const pools = seedDemoPools(local.cognito);
const env: Record<string, string> = {
  ...local.env,
  ...(local.s3sns ? { BASELINE_BUCKET: local.s3sns.bucket, ALERT_TOPIC_ARN: local.s3sns.topicArn } : {}),
  // The AWS CLI v1 reads the region from AWS_DEFAULT_REGION only.
  AWS_DEFAULT_REGION: local.env.AWS_REGION ?? 'us-east-1',
};
process.stdout.write(
  [
    '# A local Cognito (2 demo pools) with S3 and SNS, on 127.0.0.1. In another shell:',
    ...Object.entries(env).map(([name, value]) => `export ${name}='${value}'`),
    'unset AWS_PROFILE AWS_SESSION_TOKEN',
    `# then: npx cognito-drift check   (pools ${pools.storefrontPoolId}, ${pools.partnerPoolId})`,
    '# change a pool as you would in AWS, e.g.:',
    `#   aws cognito-idp update-user-pool --user-pool-id ${pools.partnerPoolId} --deletion-protection INACTIVE`,
    `#   aws cognito-idp create-group --user-pool-id ${pools.storefrontPoolId} --group-name admins --role-arn arn:aws:iam::000000000000:role/admins`,
    '# (the AWS CLI reads AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER; or pass --endpoint-url)',
    '# then check again, `cognito-drift approve --pool <id>`, `cognito-drift history --pool <id>`.',
    '# Alerts published on the topic are printed below as they arrive. Ctrl-C here stops the stand-in.',
    '',
  ].join('\n'),
);
const stopAlerts = local.s3sns
  ? printAlertsAsTheyArrive(local.s3sns.receiveAlerts, (text) => process.stdout.write(`\n${text}`))
  : () => {};
const stop = () => {
  stopAlerts();
  void local.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
