import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { DocumentStore, ListedObject, StoredObject, WriteCondition } from '../core/ports.js';
import { ConflictError, StoreUnavailableError } from '../errors.js';

/**
 * Documents in an S3 bucket. Conditional writes use S3's If-Match / If-None-Match, so two writers
 * never silently overwrite each other; the bucket is versioned, so every change has history.
 */
export class S3DocumentStore implements DocumentStore {
  readonly location: string;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {
    this.location = `s3://${bucket}`;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = (await out.Body?.transformToString('utf-8')) ?? '';
      return { body, etag: out.ETag ?? '' };
    } catch (error) {
      if (nameOf(error) === 'NoSuchKey') return undefined;
      throw this.translate(error, key);
    }
  }

  async put(key: string, body: string, condition: WriteCondition): Promise<string> {
    try {
      const out = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...('ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
          ...('ifNoneMatch' in condition ? { IfNoneMatch: condition.ifNoneMatch } : {}),
        }),
      );
      return out.ETag ?? '';
    } catch (error) {
      // If-Match on a key with no current version is 404 NoSuchKey, not 412: the object we read
      // was deleted since, which is a lost conditional write like any other.
      if ('ifMatch' in condition && nameOf(error) === 'NoSuchKey') {
        throw new ConflictError(`${this.location}/${key}`, { cause: error });
      }
      throw this.translate(error, key);
    }
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.s3.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        );
      } catch (error) {
        throw this.translate(error, prefix);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key) objects.push({ key: object.Key, etag: object.ETag ?? '' });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  private translate(error: unknown, key: string): Error {
    const name = nameOf(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (
      name === 'PreconditionFailed' ||
      name === 'ConditionalRequestConflict' ||
      status === 412 ||
      status === 409
    ) {
      return new ConflictError(`${this.location}/${key}`, { cause: error });
    }
    if (name === 'NoSuchBucket') {
      return new StoreUnavailableError(
        `Bucket ${this.bucket} does not exist (or is in another region): deploy the stack, or pass --bucket / set BASELINE_BUCKET to the stack's BaselineBucketName output.`,
        { cause: error },
      );
    }
    if (name === 'AccessDenied' || status === 403) {
      return new StoreUnavailableError(
        `Access denied to ${this.location}/${key}: check the credentials' S3 permissions.`,
        {
          cause: error,
        },
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function nameOf(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}
