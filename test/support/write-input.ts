/**
 * Reading the input of a write call as the services do: types checked, missing members and unknown
 * resources answered with the API's errors. Shared by the rows of `account-writes.ts` and
 * `surface-writes.ts`.
 *
 * @module
 */
import { isRecord } from './account-model.js';
import { AwsError } from './cognito-surface.js';

type Json = Record<string, unknown>;

/** Pool, client and resource-server names: the pattern of the API reference. */
export const NAME_RE = /^[\w\s+=,.@-]+$/;

/** An optional string member; another type is a SerializationException. */
export function optionalString(body: Json, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AwsError('SerializationException', `Unexpected value for ${key}`);
  return v;
}

/** An optional map of strings (ProviderDetails, AttributeMapping, Roles). */
export function stringMap(body: Json, key: string): Record<string, string> | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new AwsError('SerializationException', `Unexpected value for ${key}`);
  }
  return v as Record<string, string>;
}

/** The request's members but `exclude`, as configuration. */
export function pick(body: Json, exclude: ReadonlySet<string>): Json {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => !exclude.has(k) && v !== undefined));
}

/** Throws `type` when the resource already exists. */
export function mustNotExist(exists: boolean, type: string, message: string): void {
  if (exists) throw new AwsError(type, message);
}

/** ResourceNotFoundException naming what is missing. */
export function notFound(what: string): AwsError {
  return new AwsError('ResourceNotFoundException', `${what} does not exist.`);
}
