import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { FolderDocumentStore } from '../lambda/adapters/folder-document-store.js';
import { S3VersionedDocumentStore } from '../lambda/adapters/s3-versioned-document-store.js';
import { type AwsClients, createAwsClients } from '../lambda/aws-clients.js';
import { DriftStore } from '../lambda/core/drift-store.js';
import type { VersionedDocumentStore } from '../lambda/core/ports.js';
import { ConfigError } from '../lambda/errors.js';

/** Options every command shares. */
export interface StoreOptions {
  bucket?: string;
  dir?: string;
  region?: string;
}

/** The AWS clients and the store a command works on: S3 when a bucket is named, else the folder. */
export interface CommandContext {
  clients: AwsClients & { sts: STSClient };
  store: DriftStore;
  /** The same store, untyped and with its history. */
  documents: VersionedDocumentStore;
  bucket?: string;
  kind: 's3' | 'folder';
}

export const DEFAULT_BASELINE_DIR = 'baselines';

export function commandContext(options: StoreOptions, env: NodeJS.ProcessEnv): CommandContext {
  if (options.bucket !== undefined && options.dir !== undefined) {
    throw new ConfigError('Pass either --bucket (S3) or --dir (a folder), not both.');
  }
  const clients = {
    ...createAwsClients({ region: options.region, env }),
    sts: new STSClient(options.region ? { region: options.region } : {}),
  };
  const bucket = options.dir === undefined ? (options.bucket ?? env.BASELINE_BUCKET) : undefined;
  if (bucket) {
    const documents = new S3VersionedDocumentStore(clients.s3, bucket);
    return { clients, store: new DriftStore(documents), documents, bucket, kind: 's3' };
  }
  const documents = new FolderDocumentStore(options.dir ?? DEFAULT_BASELINE_DIR);
  return { clients, store: new DriftStore(documents), documents, kind: 'folder' };
}

/** The caller's ARN and account from STS, or undefined when there are no usable credentials. */
export async function callerIdentity(
  clients: CommandContext['clients'],
): Promise<{ arn: string; account: string } | { error: string }> {
  try {
    const out = await clients.sts.send(new GetCallerIdentityCommand({}));
    return { arn: out.Arn ?? 'unknown', account: out.Account ?? 'unknown' };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
