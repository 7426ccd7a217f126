import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DocumentVersion, VersionedDocumentStore } from '../core/ports.js';
import { StoreUnavailableError } from '../errors.js';
import { S3DocumentStore } from './s3-document-store.js';

/**
 * The S3 store with its history: the bucket is versioned, so every write is a version. Used by the
 * CLI's `history`; the Lambda uses the plain {@link S3DocumentStore} and has no permission to list
 * versions.
 */
export class S3VersionedDocumentStore extends S3DocumentStore implements VersionedDocumentStore {
  constructor(
    private readonly client: S3Client,
    bucket: string,
  ) {
    super(client, bucket);
  }

  async versions(key: string): Promise<DocumentVersion[]> {
    const versions: DocumentVersion[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await this.client
        .send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: key,
            KeyMarker: keyMarker,
            VersionIdMarker: versionMarker,
          }),
        )
        .catch((error: unknown) => {
          throw this.explain(error, key);
        });
      // S3 lists the versions of a key newest first.
      for (const v of page.Versions ?? []) {
        if (v.Key !== key || !v.VersionId) continue;
        const versionId = v.VersionId;
        versions.push({
          version: versionId,
          storedAt: v.LastModified?.toISOString() ?? '',
          load: async () => {
            const out = await this.client.send(
              new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }),
            );
            return (await out.Body?.transformToString('utf-8')) ?? '';
          },
        });
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return versions;
  }

  /** The S3 errors an operator can fix, as a message that names the bucket and the fix. */
  private explain(error: unknown, key: string): unknown {
    const name = (error as { name?: string } | undefined)?.name;
    if (name === 'NoSuchBucket') {
      return new StoreUnavailableError(
        `Bucket ${this.bucket} does not exist (or is in another region): pass --bucket / set BASELINE_BUCKET to the stack's BaselineBucketName output.`,
        { cause: error },
      );
    }
    if (name === 'AccessDenied') {
      return new StoreUnavailableError(
        `Access denied listing the versions of s3://${this.bucket}/${key}: history needs s3:ListBucketVersions and s3:GetObjectVersion.`,
        { cause: error },
      );
    }
    return error;
  }
}
