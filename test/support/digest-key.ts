import { DigestKey } from '../../lambda/core/digest-key.js';

/** The digest key of the tests: fixed, so digests are the same in every run. */
export const TEST_DIGEST_KEY_TEXT = 'test-digest-key-0123456789abcdef-0123456789abcdef';
export const TEST_DIGEST_KEY = new DigestKey(TEST_DIGEST_KEY_TEXT, 'the tests');
/** The stack's digest key secret in the tests' account: FakeAccount answers GetSecretValue for it. */
export const TEST_DIGEST_KEY_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:CognitoDriftDigestKey-AbCdEf';
