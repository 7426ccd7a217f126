import type { ClientCondition, ClientRead } from '../core/catalog.js';

/**
 * The reads the core makes per app client, each with the client state it needs (see
 * `ClientRead.readOnlyWhen`): the per-client counterpart of a kind's `readOnlyWhen` and
 * `pool-conditions.ts`.
 */

/**
 * The client has a secret: DescribeUserPoolClient returns it as `ClientSecret` ("The app client
 * secret", seeds/DescribeUserPoolClient.boto3.txt). Whether a client has one is fixed when it is
 * created, so a client without one has no secrets to list, now or later:
 * - only CreateUserPoolClient gives a client a secret (`GenerateSecret`, or its `ClientSecret`);
 *   UpdateUserPoolClient's request has neither field (SDK model, @aws-sdk/client-cognito-identity-provider
 *   3.1169.0);
 * - AddUserPoolClientSecret "creates a new client secret for an existing confidential user pool app
 *   client" (API reference, API_AddUserPoolClientSecret), and DeleteUserPoolClientSecret: "You cannot
 *   delete the last remaining secret for an app client" (API_DeleteUserPoolClientSecret): a
 *   confidential client always lists one or two secrets;
 * - "A public client ... does not have a client secret" (Developer Guide, app client types:
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html).
 * ListUserPoolClientSecrets' own page (seeds/ListUserPoolClientSecrets.api-reference.txt) does not say
 * what it answers for a public client; earlier releases asked, took an empty list or
 * InvalidParameterException alike as none, and recorded `{}`: what a client not asked records.
 * A client deleted and created again with a secret under the same name has a new ClientId, so it is
 * a new client (removed and added), read in full.
 */
export const HAS_CLIENT_SECRET: ClientCondition = {
  description: 'the client has a secret',
  fields: ['ClientSecret'],
  holds: (client) => typeof client.ClientSecret === 'string' && client.ClientSecret !== '',
};

/** DescribeUserPoolClient: every listed client. */
export const DESCRIBE_CLIENT_READ: ClientRead = { operation: 'DescribeUserPoolClient' };

/** ListUserPoolClientSecrets (ids and creation dates, never values): only a client with a secret. */
export const CLIENT_SECRETS_READ: ClientRead = {
  operation: 'ListUserPoolClientSecrets',
  readOnlyWhen: HAS_CLIENT_SECRET,
};

/** Every per-client read of the core, in the order the reader makes them. */
export const APP_CLIENT_READS: readonly ClientRead[] = [DESCRIBE_CLIENT_READ, CLIENT_SECRETS_READ];
