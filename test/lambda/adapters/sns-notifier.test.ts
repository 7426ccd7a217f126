import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../../lambda/adapters/sns-notifier.js';
import type { AlertMessage } from '../../../lambda/core/ports.js';
import { renderDriftDigest } from '../../../lambda/core/render.js';
import { Severity } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:cognito-drift-alerts';
const snsMock = mockClient(SNSClient);

function message(overrides: Partial<AlertMessage> = {}): AlertMessage {
  return {
    subject: '[cognito-drift 123456789012/eu-west-1] HIGH drift: 2 changes in 2 pools',
    body: 'cognito-drift found 2 changes in 2 pools in account 123456789012, region eu-west-1.',
    attributes: { kind: 'drift', severity: 'HIGH', poolIds: ['eu-west-1_Xk4Pz9QwE', 'eu-west-1_Other0001'] },
    ...overrides,
  };
}

describe('SnsNotifier', () => {
  let notifier: SnsNotifier;

  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: '5f2c4a8e-0b1d-4c3e-9f6a-7d8e9f0a1b2c' });
    notifier = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC_ARN);
  });

  it('publishes the subject and body to the topic with filterable attributes', async () => {
    await notifier.publish(message());

    expect(snsMock).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: '[cognito-drift 123456789012/eu-west-1] HIGH drift: 2 changes in 2 pools',
      Message: 'cognito-drift found 2 changes in 2 pools in account 123456789012, region eu-west-1.',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'drift' },
        severity: { DataType: 'String', StringValue: 'HIGH' },
        pool_ids: { DataType: 'String.Array', StringValue: '["eu-west-1_Xk4Pz9QwE","eu-west-1_Other0001"]' },
      },
    });
  });

  it('leaves out the severity and pool_ids attributes when there are none', async () => {
    await notifier.publish(message({ attributes: { kind: 'baseline-created', poolIds: [] } }));

    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'baseline-created' },
    });
  });

  it.each([
    ['a line break', 'HIGH drift\nin two pools'],
    ['a non-ASCII character', 'HIGH drift in Zürich'],
    ['100 characters', 'x'.repeat(100)],
  ])('refuses a subject with %s and publishes nothing', async (_what, subject) => {
    await expect(notifier.publish(message({ subject }))).rejects.toThrow(/Refusing an SNS subject/);

    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('accepts a subject of 99 ASCII characters', async () => {
    await notifier.publish(message({ subject: 'x'.repeat(99) }));

    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('refuses a message over 256 KB (body and attributes) and publishes nothing', async () => {
    const body = 'a'.repeat(262_144 - 10);

    await expect(notifier.publish(message({ body }))).rejects.toThrow(
      /exceeds the SNS limit of 262144 bytes/,
    );

    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('counts bytes, not characters, against the limit', async () => {
    const body = 'é'.repeat(140_000);

    await expect(notifier.publish(message({ body }))).rejects.toThrow(/exceeds the SNS limit/);
  });

  it('publishes a message just under the limit', async () => {
    await notifier.publish(message({ body: 'a'.repeat(250_000) }));

    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('lets a publish failure through', async () => {
    snsMock.on(PublishCommand).rejects(new Error('AuthorizationError: not allowed to publish'));

    await expect(notifier.publish(message())).rejects.toThrow('not allowed to publish');
  });

  it('accepts what the renderer produces for a long non-ASCII pool name', async () => {
    const poolName = 'Ünïcødé-プール-'.repeat(10);
    const digest = renderDriftDigest(
      {
        accountId: '123456789012',
        region: 'ap-northeast-1',
        runId: 'run-1',
        at: '2025-06-10T12:00:00.000Z',
        approveCommand: (id) => `npx cognito-drift approve --pool ${id}`,
        catalog: CATALOG,
      },
      [
        {
          poolId: 'ap-northeast-1_Jp0001',
          poolName,
          status: 'new',
          findings: [
            {
              kind: 'pool-added',
              poolId: 'ap-northeast-1_Jp0001',
              poolName,
              severity: Severity.HIGH,
              rule: 'x',
            },
          ],
        },
      ],
    );

    await notifier.publish(digest);

    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, { Subject: digest.subject });
  });
});
