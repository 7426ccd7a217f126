import { errorReason } from '../errors.js';

/**
 * Why ListUserPools failed, as a discriminant read from the error itself (its name and network
 * code), never from rendered text: `refused`, the target refuses these credentials (an opt-in region
 * not enabled, a token not valid there); `not-offered`, the endpoint does not exist (Cognito is not
 * offered in that region); `failed`, anything else (an incomplete scan).
 */
export type ListingFailureKind = 'refused' | 'not-offered' | 'failed';

export interface ListingFailure {
  kind: ListingFailureKind;
  /** The error's code, never a response body: what the "scan incomplete" notice says. */
  reason: string;
}

/** Error names that mean the target cannot be reached at all with these credentials. */
const REFUSED = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'AuthFailure',
  'OptInRequired',
]);

/** DNS failures: the regional endpoint does not exist. */
const NO_ENDPOINT = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/** The failure of a listing, from its error (and the errors it wraps). */
export function listingFailureOf(error: unknown): ListingFailure {
  return { kind: listingFailureKind(error), reason: errorReason(error) };
}

function listingFailureKind(error: unknown): ListingFailureKind {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    const { name, code, cause } = e as { name?: unknown; code?: unknown; cause?: unknown };
    if (typeof code === 'string' && NO_ENDPOINT.has(code)) return 'not-offered';
    if (typeof name === 'string' && REFUSED.has(name)) return 'refused';
    e = cause;
  }
  return 'failed';
}
