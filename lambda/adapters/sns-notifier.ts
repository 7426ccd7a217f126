import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { toChatNotification } from '../core/chat.js';
import type { AlertMessage, Notifier } from '../core/ports.js';
import { MAX_ATTRIBUTE_BYTES, MAX_SUBJECT_LENGTH, SNS_MAX_MESSAGE_BYTES } from '../core/render.js';

/** SNS publishes at most 262,144 bytes, message and attributes together. */
const SNS_MAX_BYTES = SNS_MAX_MESSAGE_BYTES;
/** At most this many pool ids go into `pool_ids`; `pool_ids_more` counts the rest. */
export const MAX_POOL_ID_ATTRIBUTES = 50;

/**
 * The message attributes of an alert. `pool_ids` is capped (a drift in 2,000 pools would otherwise
 * push the message past the SNS limit, and every later run would fail to publish): the first
 * {@link MAX_POOL_ID_ATTRIBUTES} ids, and `pool_ids_more` with how many were left out.
 */
export function messageAttributes(message: AlertMessage): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    kind: { DataType: 'String', StringValue: message.attributes.kind },
  };
  if (message.attributes.severity) {
    attributes.severity = { DataType: 'String', StringValue: message.attributes.severity };
  }
  // Each list bounded in count and bytes, so the attributes always fit the budget the renderer
  // leaves for them; `<name>_more` says how many were left out. Pool ids get half the budget; the
  // accounts (12 digits each) and regions of organization digests, for per-team filter policies,
  // a quarter each: about 130 accounts and every region.
  for (const [name, values, limit, bytes] of [
    ['pool_ids', message.attributes.poolIds, MAX_POOL_ID_ATTRIBUTES, MAX_ATTRIBUTE_BYTES / 2],
    ['account', message.attributes.accounts, Number.POSITIVE_INFINITY, MAX_ATTRIBUTE_BYTES / 4],
    ['region', message.attributes.regions, Number.POSITIVE_INFINITY, MAX_ATTRIBUTE_BYTES / 4],
  ] as const) {
    if (!values || values.length === 0) continue;
    const kept: string[] = [];
    for (const value of values.slice(0, limit)) {
      if (Buffer.byteLength(JSON.stringify([...kept, value])) > bytes) break;
      kept.push(value);
    }
    attributes[name] = { DataType: 'String.Array', StringValue: JSON.stringify(kept) };
    if (kept.length < values.length) {
      attributes[`${name}_more`] = { DataType: 'Number', StringValue: String(values.length - kept.length) };
    }
  }
  return attributes;
}

/** Bytes SNS counts for attributes: each name, data type and value. */
export function attributeBytes(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce(
    (n, [k, v]) =>
      n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType ?? '') + Buffer.byteLength(v.StringValue ?? ''),
    0,
  );
}

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
    const attributes = messageAttributes(message);
    const size = Buffer.byteLength(message.body) + attributeBytes(attributes);
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
