import { describe, expect, it } from 'vitest';
import { listingFailureOf } from '../../../lambda/run/listing-failure.js';

function sdkError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('message text is never read'), { name, $fault: 'client', ...extra });
}

describe('listingFailureOf', () => {
  it.each([
    ['an opt-in region not enabled', sdkError('UnrecognizedClientException'), 'refused'],
    ['an invalid token', sdkError('InvalidClientTokenId'), 'refused'],
    ['an expired token', sdkError('ExpiredTokenException'), 'refused'],
    [
      'no endpoint in that region (DNS)',
      Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }),
      'not-offered',
    ],
    [
      'no endpoint, wrapped',
      new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'EAI_AGAIN' }) }),
      'not-offered',
    ],
    ['throttling', sdkError('TooManyRequestsException'), 'failed'],
    ['access denied', sdkError('AccessDeniedException'), 'failed'],
  ])('%s: %s', (_name, error, kind) => {
    expect(listingFailureOf(error).kind).toBe(kind);
  });

  it('is decided by the error, not its text: a message naming a refusal is not one', () => {
    const error = sdkError('InternalErrorException', { message: 'UnrecognizedClientException ENOTFOUND' });
    expect(listingFailureOf(error)).toEqual({ kind: 'failed', reason: 'InternalErrorException' });
  });
});
