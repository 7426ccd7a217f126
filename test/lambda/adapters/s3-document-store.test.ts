import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { S3DocumentStore } from '../../../lambda/adapters/s3-document-store.js';
import { ConflictError, StoreUnavailableError } from '../../../lambda/errors.js';
import { BUCKET, FakeAccount, serviceError as fakeServiceError } from '../../support/fake-aws.js';

const KEY = 'baselines/eu-west-1_Xk4Pz9QwE.json';

function serviceError(name: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });
}

describe('S3DocumentStore', () => {
  let store: S3DocumentStore;
  let aws: FakeAccount;
  let s3Mock: FakeAccount['s3'];

  beforeEach(() => {
    aws = new FakeAccount();
    s3Mock = aws.s3;
    store = new S3DocumentStore(new S3Client({ region: 'eu-west-1' }), BUCKET);
  });

  afterEach(() => {
    aws.restore();
  });

  it('is located at s3://<bucket>', () => {
    expect(store.location).toBe(`s3://${BUCKET}`);
  });

  it('writes JSON with If-None-Match * for a create-only write', async () => {
    await store.put(KEY, '{}', { ifNoneMatch: '*' });

    expect(s3Mock).toHaveReceivedCommandExactlyOnceWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: KEY,
      Body: '{}',
      ContentType: 'application/json',
      IfNoneMatch: '*',
    });
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input.IfMatch).toBeUndefined();
  });

  it('writes with If-Match for a replace-this-version write', async () => {
    const etag = await store.put(KEY, '{"v":1}', { unconditional: true });

    await store.put(KEY, '{"v":2}', { ifMatch: etag });

    expect(s3Mock).toHaveReceivedNthCommandWith(PutObjectCommand, 2, { Key: KEY, IfMatch: etag });
    expect(s3Mock.commandCalls(PutObjectCommand)[1]?.args[0].input.IfNoneMatch).toBeUndefined();
  });

  it('sends no condition header for an unconditional write', async () => {
    await store.put(KEY, '{}', { unconditional: true });

    const input = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input?.IfMatch).toBeUndefined();
    expect(input?.IfNoneMatch).toBeUndefined();
  });

  it('turns 412 PreconditionFailed into a ConflictError naming s3://bucket/key, keeping the cause', async () => {
    const cause = fakeServiceError('PutObject', 'PreconditionFailed');
    s3Mock.on(PutObjectCommand).rejects(cause);

    const error = await store.put(KEY, '{}', { ifMatch: '"abc"' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toContain(`s3://${BUCKET}/${KEY}`);
    expect((error as ConflictError).cause).toBe(cause);
  });

  it('turns 409 ConditionalRequestConflict (a concurrent conditional write) into a ConflictError', async () => {
    s3Mock.on(PutObjectCommand).rejects(serviceError('ConditionalRequestConflict', 409));

    await expect(store.put(KEY, '{}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('turns AccessDenied into a StoreUnavailableError naming the object', async () => {
    s3Mock.on(GetObjectCommand).rejects(serviceError('AccessDenied', 403));

    const error = await store.get(KEY).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(`s3://${BUCKET}/${KEY}`);
  });

  it('tells how to fix a missing bucket', async () => {
    const typo = new S3DocumentStore(new S3Client({ region: 'eu-west-1' }), 'drift-baselines-typo');

    await expect(typo.list('baselines/')).rejects.toThrow(
      /Bucket drift-baselines-typo does not exist .*deploy the stack, or pass --bucket/,
    );
  });

  it('passes any other error through unchanged', async () => {
    const throttled = serviceError('SlowDown', 503);
    s3Mock.on(GetObjectCommand).rejects(throttled);

    await expect(store.get(KEY)).rejects.toBe(throttled);
  });

  it('follows NextContinuationToken until the listing is complete', async () => {
    for (let i = 0; i < 2500; i++)
      await store.put(`baselines/p${String(i).padStart(4, '0')}.json`, '{}', { unconditional: true });

    const listed = await store.list('baselines/');

    expect(listed).toHaveLength(2500);
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 3);
    expect(s3Mock.commandCalls(ListObjectsV2Command)[0]?.args[0].input.ContinuationToken).toBeUndefined();
    const tokens = s3Mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.ContinuationToken);
    expect(new Set(tokens).size).toBe(3);
  });

  it('stops when a page is not truncated even if it carries a token', async () => {
    s3Mock.on(ListObjectsV2Command).resolves({
      IsTruncated: false,
      NextContinuationToken: 'should-not-be-followed',
      Contents: [{ Key: KEY, ETag: '"e1"' }],
    });

    const listed = await store.list('baselines/');

    expect(listed).toEqual([{ key: KEY, etag: '"e1"' }]);
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 1);
  });
});
