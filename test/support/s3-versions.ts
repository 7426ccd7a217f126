/**
 * Object versions for the local S3 (fauxqs keeps none): every successful PutObject is kept as a
 * version, the response carries its `x-amz-version-id`, ListObjectVersions (`GET /<bucket>?versions`)
 * lists them newest first, and GetObject with `versionId` returns one. That is what a bucket with
 * versioning enabled does, as the stack's baseline bucket is, so `cognito-drift history` works against
 * `npm run standin` and the wire tests. Everything else is left to fauxqs.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { buildApp } from 'fauxqs';

type App = ReturnType<typeof buildApp>;

/** The parts of Fastify's request and reply the hooks use. */
interface HookRequest {
  url: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}
interface HookReply {
  statusCode: number;
  code(status: number): HookReply;
  header(name: string, value: string): HookReply;
  send(payload: unknown): unknown;
}

interface Version {
  versionId: string;
  body: Buffer;
  etag: string;
  lastModified: Date;
}

/** `/<bucket>/<key>` of a path-style request, or the bucket alone. */
function target(url: string): { bucket: string; key: string; query: URLSearchParams } {
  const parsed = new URL(url, 'http://local');
  const [, bucket = '', ...rest] = parsed.pathname.split('/');
  return { bucket, key: decodeURIComponent(rest.join('/')), query: parsed.searchParams };
}

function xml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/** Adds versioning to a fauxqs app (before it listens); `clock` dates the versions. */
export function keepS3Versions(app: App, clock: () => Date = () => new Date()): void {
  const versions = new Map<string, Version[]>();
  const pendingPuts = new WeakMap<object, { id: string; body: Buffer }>();

  app.addHook('preHandler', async (request: HookRequest, reply: HookReply) => {
    const { bucket, key, query } = target(request.url);
    if (!bucket) return;
    if (request.method === 'PUT' && key && !query.has('uploadId') && !request.headers['x-amz-copy-source']) {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.from(String(request.body ?? ''));
      pendingPuts.set(request, { id: `${bucket}/${key}`, body });
      return;
    }
    if (request.method === 'GET' && !key && query.has('versions')) {
      const prefix = query.get('prefix') ?? '';
      const entries = [...versions.entries()]
        .filter(([id]) => id.startsWith(`${bucket}/${prefix}`))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const items = entries.flatMap(([id, list]) =>
        [...list]
          .reverse()
          .map(
            (v, index) =>
              `<Version><Key>${xml(id.slice(bucket.length + 1))}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${index === 0}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified><ETag>${xml(v.etag)}</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`,
          ),
      );
      await reply
        .header('content-type', 'application/xml')
        .send(
          `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${items.join('')}</ListVersionsResult>`,
        );
      return reply;
    }
    const versionId = query.get('versionId');
    if (request.method === 'GET' && key && versionId) {
      const found = versions.get(`${bucket}/${key}`)?.find((v) => v.versionId === versionId);
      if (!found) {
        await reply
          .code(404)
          .header('content-type', 'application/xml')
          .send(
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchVersion</Code><Message>The specified version does not exist.</Message><Key>${xml(key)}</Key><VersionId>${xml(versionId)}</VersionId></Error>`,
          );
        return reply;
      }
      await reply
        .header('content-type', 'application/octet-stream')
        .header('etag', found.etag)
        .header('last-modified', found.lastModified.toUTCString())
        .header('x-amz-version-id', found.versionId)
        .send(found.body);
      return reply;
    }
    return;
  });

  app.addHook('onSend', async (request: HookRequest, reply: HookReply, payload: unknown) => {
    const put = pendingPuts.get(request);
    if (!put || reply.statusCode !== 200) return payload;
    const list = versions.get(put.id) ?? [];
    const version: Version = {
      versionId: randomBytes(16).toString('base64url'),
      body: put.body,
      etag: `"${createHash('md5').update(put.body).digest('hex')}"`,
      lastModified: clock(),
    };
    list.push(version);
    versions.set(put.id, list);
    reply.header('x-amz-version-id', version.versionId);
    return payload;
  });
}
