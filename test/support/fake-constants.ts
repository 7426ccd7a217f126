/** The in-memory account's identity: its account, region, bucket, topic and operator. */
export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
export const BUCKET = 'drift-baselines';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:cognito-drift-alerts`;
/** Who STS GetCallerIdentity says the caller is (the operator who approves). */
export const CALLER_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/operator/alice`;
/** How every alert subject from this account starts. */
export const PREFIX = `[cognito-drift ${ACCOUNT_ID}/${REGION}] `;
