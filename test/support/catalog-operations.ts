/**
 * Serves any catalog operation (`lambda/surfaces/`) from stored raw API items, so a new resource
 * kind needs no edit to the fakes: its module declares its operations' request keys and paging, and
 * this layer answers them.
 *
 * - A list operation (one with `paging`) answers the items stored under its request keys, in the
 *   order they were stored, `pageSize` at a time (the declared maximum when the request names none;
 *   a larger one is InvalidParameterException), with a MAC-protected `NextToken`.
 * - Any other operation answers the response stored under its request keys, or
 *   ResourceNotFoundException when none is.
 *
 * Items are wire JSON (dates as epoch seconds), as the services send them; the fakes turn them
 * into what the SDK hands to callers.
 *
 * @module
 */

import type { AnyReadOperation, CatalogService, ExampleItem } from '../../lambda/core/catalog.js';
import { catalogOperations } from '../../lambda/core/catalog.js';
import { CATALOG } from '../../lambda/surfaces/index.js';
import { AwsError, makeToken, page, pageSize, readToken, SURFACE_OPERATIONS } from './cognito-surface.js';

type Json = Record<string, unknown>;

/** Every catalog operation, by name. */
export const CATALOG_OPERATIONS: ReadonlyMap<string, AnyReadOperation> = new Map(
  catalogOperations(CATALOG).map((op) => [op.name, op]),
);

/**
 * Every kind's example items for one pool (`examples` in its surface module): with no clients, the
 * pool's own items, which the account model gives every pool it creates; with the pool's clients, a
 * populated account, as the bench seeds it.
 */
export function catalogExamples(poolId: string, clientIds: readonly string[]): ExampleItem[] {
  return CATALOG.entries.flatMap((entry) => [...(entry.examples?.({ poolId, clientIds }) ?? [])]);
}

/** The service of a catalog operation, or undefined for an operation outside the catalog. */
export function serviceOf(operation: string): CatalogService | undefined {
  return CATALOG_OPERATIONS.get(operation)?.service;
}

/** The stored items and answers of catalog operations, keyed by operation and request keys. */
export class CatalogOperations {
  private readonly lists = new Map<string, { seq: number; item: Json }[]>();
  private readonly answers = new Map<string, Json>();
  private seq = 0;

  constructor(private readonly tokenKey: string) {}

  /**
   * Whether `operation` is a catalog operation this layer answers: every one the hand-written
   * surface model (`cognito-surface.ts`) does not.
   */
  serves(operation: string): boolean {
    return CATALOG_OPERATIONS.has(operation) && !(operation in SURFACE_OPERATIONS);
  }

  /**
   * Stores one item of a list operation (appended), or the whole answer of any other operation
   * (replacing the one before). `keys` holds the operation's declared request keys.
   */
  put(operation: string, keys: Record<string, string>, value: Json): void {
    const op = this.operation(operation);
    const key = storageKey(op, keys);
    if (op.paging) {
      const items = this.lists.get(key) ?? [];
      items.push({ seq: ++this.seq, item: structuredClone(value) });
      this.lists.set(key, items);
    } else this.answers.set(key, structuredClone(value));
  }

  /** Removes the answer stored under `keys`, or the list items under `keys` that `match` picks (all without one). */
  remove(operation: string, keys: Record<string, string>, match: (item: Json) => boolean = () => true): void {
    const op = this.operation(operation);
    const key = storageKey(op, keys);
    if (!op.paging) {
      this.answers.delete(key);
      return;
    }
    this.lists.set(
      key,
      (this.lists.get(key) ?? []).filter((entry) => !match(entry.item)),
    );
  }

  /** Forgets everything stored under a request-key value (a deleted pool's or client's items). */
  forget(field: string, value: string): void {
    const marker = `${JSON.stringify(field)}:${JSON.stringify(value)}`;
    for (const map of [this.lists, this.answers] as Map<string, unknown>[])
      for (const key of [...map.keys()]) if (key.includes(marker)) map.delete(key);
  }

  /** The wire answer of one request, or throws {@link AwsError} as the service would. */
  answer(operation: string, body: Json): Json {
    const op = this.operation(operation);
    const keys: Record<string, string> = {};
    for (const field of op.keys) {
      const value = body[field];
      if (typeof value !== 'string' || value === '')
        throw new AwsError(
          'InvalidParameterException',
          `1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`,
        );
      keys[field] = value;
    }
    const key = storageKey(op, keys);
    if (!op.paging) {
      const stored = this.answers.get(key);
      if (!stored) throw new AwsError('ResourceNotFoundException', `${operation}: no such resource.`);
      return structuredClone(stored);
    }
    const { items: field, pageSize: sizeField, maxPageSize } = op.paging;
    const size = pageSize(body, sizeField, lowerFirst(sizeField), {
      min: 1,
      max: maxPageSize,
      fallback: maxPageSize,
    });
    const scope = JSON.stringify(keys);
    // IAM's lists take and give `Marker`, with `IsTruncated` while there is more.
    const marker = op.paging.marker === true;
    const tokenBody = marker ? { ...body, NextToken: body.Marker } : body;
    const after = readToken(this.tokenKey, tokenBody, operation, scope);
    const p = page(this.lists.get(key) ?? [], after, size);
    const out: Json = { [field]: p.slice.map((entry) => structuredClone(entry.item)) };
    const token = p.more ? makeToken(this.tokenKey, operation, scope, p.lastSeq) : undefined;
    if (marker) {
      out.IsTruncated = p.more;
      if (token) out.Marker = token;
    } else if (token) out.NextToken = token;
    return out;
  }

  private operation(name: string): AnyReadOperation {
    const op = CATALOG_OPERATIONS.get(name);
    if (!op) throw new Error(`${name} is not a catalog operation`);
    return op;
  }
}

/**
 * An answer as the service puts it on the wire: blobs (asset bytes, stored as the SDK hands them
 * back, a Uint8Array) become base64 strings, which the SDK's deserializer turns back into bytes.
 */
export function toWireJson(value: unknown): unknown {
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toWireJson);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWireJson(v)]));
  return value;
}

function storageKey(op: AnyReadOperation, keys: Record<string, string>): string {
  const named = op.keys.map((field) => {
    const value = keys[field];
    if (value === undefined)
      throw new Error(`${op.name} is keyed by ${op.keys.join(', ')}: ${field} missing`);
    return `${JSON.stringify(field)}:${JSON.stringify(value)}`;
  });
  return `${op.name}|${named.join('|')}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
