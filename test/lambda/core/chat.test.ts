import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SnsNotifier } from '../../../lambda/adapters/sns-notifier.js';
import { CHAT_MAX_FINDINGS, toChatNotification } from '../../../lambda/core/chat.js';
import type { AlertMessage } from '../../../lambda/core/ports.js';
import { DetectorHarness, FakeAccount } from '../../support/fake-aws.js';

/**
 * The documented event format of Amazon Q Developer custom notifications
 * (docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html, "Event schema" and "Parameter
 * details"): version must be 1.0, source must be custom, only client-markdown is supported.
 * Strict, so a field the format does not have fails the test.
 */
const chatSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    nextSteps: z.array(z.string()).optional(),
    keywords: z.array(z.string()).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: z.string().optional(),
      summary: z.string().optional(),
      eventType: z.string().optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

/** SNS publishes at most 262,144 bytes: the chat form travels through SNS like the email. */
const SNS_MAX_BYTES = 262_144;

/** The drift alert the detector really sends when MFA is turned off and `newClients` clients appear. */
async function realDriftAlert(newClients: number): Promise<AlertMessage> {
  const aws = new FakeAccount();
  try {
    const pool = aws.addPool({ name: 'customers-prod' });
    aws.addClient(pool.poolId, { name: 'web' });
    const harness = new DetectorHarness(aws);
    await harness.run();
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    for (let i = 0; i < newClients; i++) aws.addClient(pool.poolId, { name: `debug-${i}` });
    const run = await harness.run();
    const sent = run.sent[0];
    if (!sent) throw new Error('no alert was sent');
    const attributes = sent.MessageAttributes ?? {};
    return {
      subject: sent.Subject ?? '',
      body: sent.Message ?? '',
      attributes: {
        kind: attributes.kind?.StringValue ?? '',
        severity: attributes.severity?.StringValue,
        poolIds: JSON.parse(attributes.pool_ids?.StringValue ?? '[]'),
      },
    };
  } finally {
    aws.restore();
  }
}

describe('toChatNotification', () => {
  it('turns a real drift alert into the documented custom-notification format', async () => {
    const alert = await realDriftAlert(1);

    const chat = toChatNotification(alert);

    expect(chatSchema.safeParse(chat).error).toBeUndefined();
    expect(chat.content.title).toContain('HIGH drift');
    expect(chat.content.description).toContain('*HIGH* MfaConfiguration: ON -> OFF');
    expect(chat.content.description).toContain('*HIGH* App client created: debug-0');
    expect(chat.content.nextSteps?.[0]).toMatch(
      /^`AWS_REGION=us-east-1 npm run approve -- --pool us-east-1_\w+ --bucket drift-baselines`$/,
    );
    expect(chat.content.keywords).toEqual(['drift', 'HIGH']);
    expect(chat.metadata?.relatedResources).toEqual(alert.attributes.poolIds);
  });

  it('lists at most the first findings, most severe first, and says how many more there are', async () => {
    const alert = await realDriftAlert(25);

    const chat = toChatNotification(alert);
    const bullets = (chat.content.description ?? '').split('\n').filter((l) => l.startsWith('• '));

    expect(bullets).toHaveLength(CHAT_MAX_FINDINGS + 1);
    expect(bullets[0]).toContain('*HIGH*');
    expect(bullets.at(-1)).toMatch(/^• \.\.\. and \d+ more \(see the email or the JSON report\)$/);
    expect(Buffer.byteLength(JSON.stringify(chat))).toBeLessThan(SNS_MAX_BYTES / 20);
  });

  it('keeps text from resource names literal: no code spans, links or mentions', () => {
    const chat = toChatNotification({
      subject: '[cognito-drift 123456789012/eu-west-1] HIGH drift: 1 change in 1 pool',
      body: 'intro\n  [HIGH] App client created: `x` <!channel> *bold* (id)\n',
      attributes: { kind: 'drift', severity: 'HIGH', poolIds: [] },
    });

    expect(chat.content.description).toContain('\\`x\\` \\<!channel> \\*bold\\*');
  });
});

describe('SnsNotifier with a chat topic', () => {
  const sns = mockClient(SNSClient);
  const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
  const CHAT = 'arn:aws:sns:eu-west-1:123456789012:chat';

  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  afterEach(() => {
    sns.restore();
  });

  it('sends the email text to the alert topic and the chat form to the chat topic, with the same attributes', async () => {
    const message: AlertMessage = {
      subject: '[cognito-drift 123456789012/eu-west-1] HIGH drift: 1 change in 1 pool',
      body: 'cognito-drift found 1 change.\n  [HIGH] MfaConfiguration: ON -> OFF\n',
      attributes: { kind: 'drift', severity: 'HIGH', poolIds: ['eu-west-1_Xk4Pz9QwE'] },
    };

    await new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC, CHAT).publish(message);

    const [email, chat] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(email).toMatchObject({ TopicArn: TOPIC, Message: message.body });
    expect(chat?.TopicArn).toBe(CHAT);
    expect(chatSchema.safeParse(JSON.parse(chat?.Message ?? '')).success).toBe(true);
    expect(chat?.MessageAttributes).toEqual(email?.MessageAttributes);
  });

  it('sends only the email without a chat topic', async () => {
    await new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC).publish({
      subject: 's',
      body: 'b',
      attributes: { kind: 'drift', poolIds: [] },
    });

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});
