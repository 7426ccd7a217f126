import { DigestKey } from '../../lambda/core/digest-key.js';

/** The digest key of the tests' readers: fixed, so digests are the same in every run. */
export const TEST_DIGEST_KEY = new DigestKey(
  'test-digest-key-0123456789abcdef-0123456789abcdef',
  'the tests',
);
