import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { toChatNotification } from '../core/chat.js';
import type { AlertMessage, Notifier } from '../core/ports.js';
import { MAX_SUBJECT_LENGTH } from '../core/render.js';

/** SNS publishes at most 262,144 bytes, message and attributes together. */
const SNS_MAX_BYTES = 262_144;

/**
 * Publishes alerts to an SNS topic (read as email), with attributes for subscription filter policies,
 * and, when there is one, the same alert as an Amazon Q Developer custom notification to the chat
 * topic, with the same attributes (so filter policies work on both).
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    readonly topicArn: string,
    readonly chatTopicArn?: string,
  ) {}

  async publish(message: AlertMessage): Promise<void> {
    if (message.subject.length > MAX_SUBJECT_LENGTH || /[^\x20-\x7e]/.test(message.subject)) {
      throw new Error(
        `Refusing an SNS subject that is not one ASCII line under 100 characters: ${message.subject}`,
      );
    }
    const attributes: Record<string, MessageAttributeValue> = {
      kind: { DataType: 'String', StringValue: message.attributes.kind },
    };
    if (message.attributes.severity) {
      attributes.severity = { DataType: 'String', StringValue: message.attributes.severity };
    }
    if (message.attributes.poolIds.length > 0) {
      attributes.pool_ids = {
        DataType: 'String.Array',
        StringValue: JSON.stringify(message.attributes.poolIds),
      };
    }
    for (const [name, values] of [
      ['account', message.attributes.accounts],
      ['region', message.attributes.regions],
    ] as const) {
      if (values && values.length > 0) {
        attributes[name] = { DataType: 'String.Array', StringValue: JSON.stringify(values) };
      }
    }
    const size =
      Buffer.byteLength(message.body) +
      Object.entries(attributes).reduce(
        (n, [k, v]) =>
          n +
          Buffer.byteLength(k) +
          Buffer.byteLength(v.DataType ?? '') +
          Buffer.byteLength(v.StringValue ?? ''),
        0,
      );
    if (size > SNS_MAX_BYTES)
      throw new Error(`Alert of ${size} bytes exceeds the SNS limit of ${SNS_MAX_BYTES} bytes`);
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: message.subject,
        Message: message.body,
        MessageAttributes: attributes,
      }),
    );
    if (this.chatTopicArn) {
      // Bounded by construction (a few findings, cut lines), far below the SNS limit.
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.chatTopicArn,
          Message: JSON.stringify(toChatNotification(message)),
          MessageAttributes: attributes,
        }),
      );
    }
  }
}
