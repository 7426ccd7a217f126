import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { CognitoDriftError } from '../errors.js';

/** Shortest key accepted: 32 characters (the stack's secret has 64, a local key file 64 hex digits). */
export const MIN_DIGEST_KEY_LENGTH = 32;

/** A value had to be digested, but no key was given (or the key given is unusable). */
export class DigestKeyError extends CognitoDriftError {}

/**
 * The key of every stored digest (an IdP's client secret, the hosted UI's CSS, SAML metadata): an
 * HMAC-SHA-256 key that never sits in the bucket or the baselines folder, so reading the stored
 * documents does not allow guessing a secret offline. The stack keeps it in a Secrets Manager secret
 * only its scan functions may read; the CLI reads that secret, or a local key file for a folder store.
 * The key itself is never printed: it has no enumerable field, and JSON and `inspect` show a marker.
 */
export class DigestKey {
  readonly #key: Buffer;

  /** @param text the key as stored (the secret's string, a key file's line); `source` names where for errors. */
  constructor(text: string, source: string) {
    const trimmed = text.trim();
    if (trimmed.length < MIN_DIGEST_KEY_LENGTH)
      throw new DigestKeyError(
        `The digest key in ${source} is too short (${trimmed.length} characters, at least ${MIN_DIGEST_KEY_LENGTH}): restore the generated key.`,
      );
    this.#key = Buffer.from(trimmed, 'utf8');
  }

  /** HMAC-SHA-256 of `text`, hex. */
  hmac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('hex');
  }

  toJSON(): string {
    return '[digest key]';
  }

  [inspect.custom](): string {
    return '[digest key]';
  }
}

const scope = new AsyncLocalStorage<DigestKey>();

/**
 * Runs `read` with `key` as the key of every digest `normalizeResource` makes inside it (however deep
 * in awaits). Surfaces stay declarations that never see the key: the reader that runs them holds it.
 */
export function withDigestKey<T>(key: DigestKey | undefined, read: () => T): T {
  return key ? scope.run(key, read) : read();
}

/** The key of the read in progress; throws when the read was started without one. */
export function currentDigestKey(): DigestKey {
  const key = scope.getStore();
  if (!key)
    throw new DigestKeyError(
      'No digest key for this read: the reader was built without one (the stack passes DIGEST_KEY_SECRET_ARN; the CLI reads --digest-key-secret or the folder key file).',
    );
  return key;
}
