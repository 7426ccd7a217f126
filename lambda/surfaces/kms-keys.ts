import {
  DescribeKeyCommand,
  type DescribeKeyCommandInput,
  type DescribeKeyCommandOutput,
  GetKeyPolicyCommand,
  type GetKeyPolicyCommandInput,
  type GetKeyPolicyCommandOutput,
} from '@aws-sdk/client-kms';
import type { AccountRead, SendOperation } from '../core/catalog.js';
import { normalizeResource } from '../core/normalize.js';
import { normalizePolicy } from '../core/policy-document.js';
import { notReadable, notReadableReason } from '../core/references.js';
import type { JsonObject, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { fieldRule, policyRule } from './reference-rules.js';
import { operation, type Surface } from './surface.js';

/** The surface's key in snapshots and in `SURFACES`. */
export const KMS_KEYS = 'kmsKeys';

const DESCRIBE_KEY = operation<DescribeKeyCommandInput, DescribeKeyCommandOutput>({
  name: 'DescribeKey',
  service: 'kms',
  command: DescribeKeyCommand,
  quota: 'KMS.DescribeKey',
  keys: ['KeyId'],
  iamResource: 'key',
  calls: { per: 'reference' },
});
const GET_KEY_POLICY = operation<GetKeyPolicyCommandInput, GetKeyPolicyCommandOutput>({
  name: 'GetKeyPolicy',
  service: 'kms',
  command: GetKeyPolicyCommand,
  quota: 'KMS.GetKeyPolicy',
  keys: ['KeyId'],
  iamResource: 'key',
  calls: { per: 'reference' },
});

type KeyState = { config: JsonObject } | { notReadable: string };

/** One key: its state and its key policy (the only policy name KMS has: `default`), once per run. */
function keyRead(keyId: string): AccountRead<KeyState> {
  return {
    name: `KMS key ${keyId}`,
    async read(send: SendOperation): Promise<KeyState> {
      let described: DescribeKeyCommandOutput;
      let policy: GetKeyPolicyCommandOutput;
      try {
        described = await send(DESCRIBE_KEY, { KeyId: keyId });
        policy = await send(GET_KEY_POLICY, { KeyId: keyId, PolicyName: 'default' });
      } catch (error) {
        const reason = notReadableReason(error);
        if (reason) return { notReadable: reason };
        throw error;
      }
      const key = described.KeyMetadata;
      const config = normalizeResource(
        {
          Enabled: key?.Enabled,
          KeyState: key?.KeyState,
          KeyManager: key?.KeyManager,
          KeySpec: key?.KeySpec,
          KeyUsage: key?.KeyUsage,
          Origin: key?.Origin,
          DeletionDate: key?.DeletionDate,
          KeyPolicy: policy.Policy ? normalizePolicy(policy.Policy) : undefined,
        },
        { salt: keyId },
      );
      return { config };
    },
  };
}

/**
 * The KMS key the pool's custom SMS and email senders decrypt codes with (`LambdaConfig.KMSKeyID`):
 * whether it is enabled, its state, and its key policy (who may decrypt the codes).
 */
export const kmsKeysSurface: Surface = {
  name: KMS_KEYS,
  label: 'KMS key',
  plural: 'KMS keys',
  operations: [DESCRIBE_KEY, GET_KEY_POLICY],
  async read({ pool, send, sharedRead }): Promise<SurfaceSnapshot> {
    const keyId = pool.LambdaConfig?.KMSKeyID;
    if (!keyId) return {};
    const name = `${keyId.split('/').pop() ?? keyId} (custom senders)`;
    const read = keyRead(keyId);
    const state = await (sharedRead ? sharedRead(read) : read.read(send));
    return {
      [keyId]: 'notReadable' in state ? notReadable(name, state.notReadable) : { name, config: state.config },
    };
  },
  // KMS writes are not Cognito's: a scheduled sweep finds them (see docs/surfaces.md).
  writeEvents: [],
  rules: [
    policyRule({
      surface: KMS_KEYS,
      name: 'sender-key-policy-widened',
      description:
        "The custom senders' key policy allows more (who may decrypt the codes): HIGH; other changes MEDIUM",
      policies: ['KeyPolicy'],
    }),
    fieldRule({
      surface: KMS_KEYS,
      name: 'sender-key-disabled',
      description:
        "The custom senders' key was disabled or scheduled for deletion: codes can no longer be sent",
      paths: ['Enabled', 'KeyState', 'DeletionDate'],
      severity: Severity.MEDIUM,
    }),
  ],
};
