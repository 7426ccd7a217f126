import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DigestKey, DigestKeyError } from '../core/digest-key.js';

/** The one call used, so tests can pass a fake. */
export type SecretsReader = Pick<SecretsManagerClient, 'send'>;

/**
 * The digest key kept in a Secrets Manager secret (the stack creates it: a generated string, never in
 * the template). Read once and kept for the life of the process (a Lambda's cold start, a CLI run);
 * a read that failed is tried again by the next call rather than kept.
 */
export class SecretDigestKey {
  private loaded: Promise<DigestKey> | undefined;

  constructor(
    private readonly client: SecretsReader,
    private readonly secretId: string,
  ) {}

  get(): Promise<DigestKey> {
    this.loaded ??= this.read().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }

  private async read(): Promise<DigestKey> {
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (error) {
      // The error's name and message only: neither holds the secret's value.
      const name = (error as { name?: string }).name ?? 'Error';
      throw new DigestKeyError(
        `The digest key secret ${this.secretId} could not be read (${name}): it is created by the stack; the detector function needs secretsmanager:GetSecretValue on it, the CLI the same for its caller.`,
        { cause: error },
      );
    }
    if (!text)
      throw new DigestKeyError(
        `The digest key secret ${this.secretId} has no string value: restore its generated value.`,
      );
    return new DigestKey(text, `secret ${this.secretId}`);
  }
}
