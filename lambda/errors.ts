/**
 * Typed errors. Each names the thing that is wrong and, where there is one, the fix; each keeps the
 * underlying error as `cause`. None ever carries a client secret value: nothing that holds one is
 * passed to them.
 */
export class CognitoDriftError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting (environment variable, CLI flag, context value) is missing or invalid. */
export class ConfigError extends CognitoDriftError {}

/** A stored document does not parse, has an unknown format version, or belongs to another pool. */
export class MalformedDocumentError extends CognitoDriftError {
  constructor(
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown; etag?: string },
  ) {
    super(`Stored document ${key} is unusable: ${reason}. Fix or restore an earlier version of it.`, options);
    this.etag = options?.etag;
  }

  /** The version tag of the unusable object, so a writer that owns it can replace it conditionally. */
  readonly etag: string | undefined;
}

/** A conditional write lost: someone else changed the object since it was read. */
export class ConflictError extends CognitoDriftError {
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${key} changed underneath you (conditional write failed): re-run to see the current state.`,
      options,
    );
  }
}

/** The baseline store (bucket or folder) does not exist or cannot be reached. */
export class StoreUnavailableError extends CognitoDriftError {}

/** An operator asked for something that cannot be done as asked (unknown pool, nothing to approve...). */
export class UsageError extends CognitoDriftError {}

/** Describes an unknown thrown value in one line, without dumping the object. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { name?: string }).name;
    return code && code !== 'Error' && !error.message.startsWith(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

/** An error code as AWS services send them; anything else is not echoed. */
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_.]{0,79}$/;

/**
 * Why an AWS call failed, in words safe to store, send and log: the error code and HTTP status,
 * plus a fixed explanation. Never the SDK's message text, which can quote the response: a malformed
 * response's parse error holds a fragment of the body, and that body can hold a client secret.
 */
export function errorReason(error: unknown): string {
  const fields = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
    $response?: unknown;
    $metadata?: { httpStatusCode?: number };
    message?: unknown;
  };
  const status = fields.$metadata?.httpStatusCode;
  const http = typeof status === 'number' && Number.isInteger(status) ? ` (HTTP ${status})` : '';
  const message = typeof fields.message === 'string' ? fields.message : '';
  if (
    fields.$fault === undefined &&
    (fields.$response !== undefined || message.includes('Deserialization error'))
  ) {
    return `UnreadableResponse${http}: the response could not be parsed (deserialization error)`;
  }
  const name = typeof fields.name === 'string' && ERROR_CODE.test(fields.name) ? fields.name : 'Error';
  const code = typeof fields.code === 'string' && ERROR_CODE.test(fields.code) ? fields.code : undefined;
  if (fields.$fault !== undefined) return `${name}${http}`;
  if (name === 'AbortError' || name === 'TimeoutError')
    return `${name}${http}: the request timed out or was aborted`;
  if (code) return `${name}${http}: network error ${code}`;
  return `${name}${http}: the request failed`;
}

/** A finding sink (EventBridge, Security Hub) did not take everything it was given. */
export class FindingSinkError extends CognitoDriftError {}
