import { describe, expect, it } from 'vitest';
import { clientReadApplies } from '../../../lambda/core/catalog.js';
import {
  APP_CLIENT_READS,
  CLIENT_SECRETS_READ,
  DESCRIBE_CLIENT_READ,
  HAS_CLIENT_SECRET,
} from '../../../lambda/surfaces/app-client-reads.js';
import { describeMobileClientResponse, describeWebClientResponse } from '../../fixtures/cognito-responses.js';

describe('the client condition a per-client read is made under (DescribeUserPoolClient fields)', () => {
  it.each([
    [{ ClientSecret: 'vq9j2kqe3b5hplf0s3vr0i2m4n6dkd1a7oq5sc0ht3ju8e2qmrp' }, true],
    [{}, false],
    [{ ClientSecret: '' }, false],
    [{ ClientSecret: undefined }, false],
  ])('a secret: %j -> %s', (client, holds) => {
    expect(HAS_CLIENT_SECRET.holds(client)).toBe(holds);
  });

  it('holds for a confidential client as the SDK returns it, not for a public one', () => {
    expect(clientReadApplies(CLIENT_SECRETS_READ, { ...describeWebClientResponse() })).toBe(true);
    expect(clientReadApplies(CLIENT_SECRETS_READ, { ...describeMobileClientResponse() })).toBe(false);
    // Every client is described.
    expect(clientReadApplies(DESCRIBE_CLIENT_READ, { ...describeMobileClientResponse() })).toBe(true);
  });

  it('declares each per-client read once, the secrets read with its condition', () => {
    expect(APP_CLIENT_READS.map((r) => [r.operation, r.readOnlyWhen?.description ?? 'always'])).toEqual([
      ['DescribeUserPoolClient', 'always'],
      ['ListUserPoolClientSecrets', 'the client has a secret'],
    ]);
  });
});
