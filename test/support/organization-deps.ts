import { AccountClient } from '@aws-sdk/client-account';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { AlertMessage, DocumentStore } from '../../lambda/core/ports.js';
import { TargetCredentials } from '../../lambda/org/credentials.js';
import { type OrganizationDeps, pacedReader } from '../../lambda/org/organization-run.js';
import type { CognitoStandin } from './cognito-standin.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * What the organization entry points talk to, wired as `lambda/org-handler.ts` wires them, with real
 * SDK clients against the stand-in: STS AssumeRole, Organizations, Account Management and each
 * target's Cognito over the wire. Every client made is pushed to `clients`, for the caller to destroy.
 */
export function standinOrganizationDeps(
  standin: CognitoStandin,
  options: {
    managementAccount: string;
    documents: DocumentStore;
    /** Every message the aggregate step publishes. */
    publish: (message: AlertMessage) => void;
    now: () => Date;
    clients: { destroy(): void }[];
  },
): OrganizationDeps & { sts: STSClient } {
  const config = {
    endpoint: standin.endpoint,
    credentials: { accessKeyId: 'AKIAMANAGEMENT000001', secretAccessKey: 'x' },
    maxAttempts: 1,
  };
  const kept = <T extends { destroy(): void }>(client: T): T => {
    options.clients.push(client);
    return client;
  };
  const sts = kept(new STSClient({ ...config, region: 'us-east-1' }));
  return {
    sts,
    documents: options.documents,
    notifier: { publish: async (m) => options.publish(m) },
    credentials: new TargetCredentials(
      sts,
      { roleName: 'CognitoDriftMemberRole' },
      options.managementAccount,
    ),
    organizations: kept(new OrganizationsClient({ ...config, region: 'us-east-1' })),
    accountClient: (credentials) =>
      kept(new AccountClient({ ...config, region: 'us-east-1', ...(credentials ? { credentials } : {}) })),
    reader: (target, credentials, readerOptions) =>
      pacedReader({
        ...readerOptions,
        client: kept(
          new CognitoIdentityProviderClient({
            ...config,
            region: target.region,
            ...(credentials ? { credentials } : {}),
          }),
        ),
        quotaShare: 1,
      }),
    logger: silent,
    now: options.now,
  };
}
