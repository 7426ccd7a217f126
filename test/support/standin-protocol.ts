/**
 * The stand-in's side of the wire protocol: which operations it routes to which service, the quota
 * category of each read, and the errors it answers with (HTTP status per service, realistic messages).
 *
 * @module
 */
import {
  OPERATION_QUOTA,
  QUOTAS,
  type QuotaCategory as QuotaCategoryName,
} from '../../lambda/adapters/quotas.js';
import { CATALOG_OPERATIONS } from './catalog-operations.js';
import {
  AwsError,
  SURFACE_OPERATIONS,
  type SurfaceOperation,
  type SurfaceService,
} from './cognito-surface.js';

/** The operations the stand-in implements (all services). Anything else gets `UnknownOperationException`. */
export type CognitoOperation =
  | 'ListUserPools'
  | 'DescribeUserPool'
  | 'ListUserPoolClients'
  | 'DescribeUserPoolClient'
  | 'ListUserPoolClientSecrets'
  | SurfaceOperation;

/** Quota categories enforced by the stand-in: those of `lambda/adapters/quotas.ts`. */
export type QuotaCategory = QuotaCategoryName;

const POOL_CLIENT_OPERATIONS = [
  'ListUserPools',
  'DescribeUserPool',
  'ListUserPoolClients',
  'DescribeUserPoolClient',
  'ListUserPoolClientSecrets',
] as const;

/** Which service (X-Amz-Target prefix) each operation belongs to. */
const SERVICE_OF: Readonly<Record<CognitoOperation, SurfaceService>> = {
  ...Object.fromEntries(POOL_CLIENT_OPERATIONS.map((op) => [op, 'cognito-idp' as const])),
  ...Object.fromEntries([...CATALOG_OPERATIONS.values()].map((op) => [op.name, op.service])),
  ...SURFACE_OPERATIONS,
} as Record<CognitoOperation, SurfaceService>;

export const TARGET_PREFIX: Readonly<Record<SurfaceService, string>> = {
  'cognito-idp': 'AWSCognitoIdentityProviderService.',
  'cognito-identity': 'AWSCognitoIdentityService.',
  wafv2: 'AWSWAF_20190729.',
  kms: 'TrentService.',
  // Lambda (REST-JSON) and IAM (query) name no target: `standin-wire.ts` routes them by path and form.
  lambda: 'lambda:rest-json',
  iam: 'iam:query',
};

/** Operation → quota category, from the one table in `lambda/adapters/quotas.ts`. */
export const OPERATION_CATEGORY: Readonly<Record<CognitoOperation, QuotaCategory>> = Object.fromEntries(
  (Object.keys(SERVICE_OF) as CognitoOperation[]).map((op) => {
    const category = OPERATION_QUOTA[op];
    if (category === undefined) throw new Error(`quotas.ts has no category for ${op}`);
    return [op, category];
  }),
) as Record<CognitoOperation, QuotaCategory>;

export const ALL_CATEGORIES = Object.keys(QUOTAS) as QuotaCategory[];

/** Error types the stand-in can return (or inject), with the HTTP status Cognito uses for each. */
export const ERROR_STATUS = {
  InternalErrorException: 500,
  InternalServerException: 500,
  AccessDeniedException: 400,
  NotAuthorizedException: 400,
  ResourceNotFoundException: 400,
  TooManyRequestsException: 400,
  InvalidParameterException: 400,
  LimitExceededException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  ThrottlingException: 400,
  WAFNonexistentItemException: 400,
  WAFInvalidParameterException: 400,
  WAFInternalErrorException: 500,
  WAFUnavailableEntityException: 400,
  GroupExistsException: 400,
  DuplicateProviderException: 400,
  AccessDenied: 403,
  NoSuchEntity: 404,
  NotFoundException: 400,
  Throttling: 400,
} as const;

/** Lambda's REST API answers with the HTTP status of each error. */
const LAMBDA_STATUS: Partial<Record<StandinErrorType, number>> = {
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429,
};

/** cognito-identity uses other HTTP statuses than cognito-idp for the same error names. */
const IDENTITY_STATUS: Partial<Record<StandinErrorType, number>> = {
  NotAuthorizedException: 403,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429,
};

/** The error a quota rejection sends, per service (WAF answers the generic throttling error). */
export const THROTTLE_ERROR: Readonly<Record<SurfaceService, StandinErrorType>> = {
  'cognito-idp': 'TooManyRequestsException',
  'cognito-identity': 'TooManyRequestsException',
  wafv2: 'ThrottlingException',
  lambda: 'TooManyRequestsException',
  iam: 'Throttling',
  kms: 'ThrottlingException',
};

export function errorStatus(service: SurfaceService, type: StandinErrorType): number {
  const own = service === 'cognito-identity' ? IDENTITY_STATUS : service === 'lambda' ? LAMBDA_STATUS : {};
  return own[type] ?? ERROR_STATUS[type];
}

/** Name of an error the stand-in can send. */
export type StandinErrorType = keyof typeof ERROR_STATUS;

/** An error the stand-in answers with. */
export class ServiceError extends AwsError {
  declare readonly type: StandinErrorType;
}

/** Any error a handler threw, as the error the stand-in answers (an unknown one is an internal error). */
export function asServiceError(e: unknown): ServiceError {
  if (e instanceof AwsError && e.type in ERROR_STATUS) return new ServiceError(e.type, e.message);
  return new ServiceError('InternalErrorException', String(e));
}

/** The message AWS sends with an injected error of this type. */
export function defaultMessage(
  type: StandinErrorType,
  op: string,
  poolId: string | undefined,
  region: string,
  account: string,
  service: SurfaceService = 'cognito-idp',
): string {
  switch (type) {
    case 'TooManyRequestsException':
    case 'ThrottlingException':
      return 'Rate exceeded';
    case 'AccessDeniedException': {
      const resource =
        service === 'cognito-identity'
          ? `arn:aws:cognito-identity:${region}:${account}:identitypool/${poolId ?? '*'}`
          : `arn:aws:cognito-idp:${region}:${account}:userpool/${poolId ?? '*'}`;
      return `User: arn:aws:iam::${account}:user/cognito-drift is not authorized to perform: ${service}:${op} on resource: ${resource} because no identity-based policy allows the ${service}:${op} action`;
    }
    case 'NotAuthorizedException':
      return 'The security token included in the request is invalid.';
    case 'ResourceNotFoundException':
      return poolId ? `User pool ${poolId} does not exist.` : 'Resource not found.';
    case 'InternalErrorException':
    case 'InternalServerException':
      return 'Internal server error.';
    case 'LimitExceededException':
      return 'Limit exceeded.';
    case 'InvalidParameterException':
      return 'Invalid parameter.';
    default:
      return type;
  }
}
