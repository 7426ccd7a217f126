import type { AlertMessage } from './ports.js';

/**
 * A custom notification for Amazon Q Developer in chat applications (formerly AWS Chatbot), in the
 * documented event format (docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html):
 * `version` must be "1.0", `source` must be "custom", and `client-markdown` is the only `textType`.
 */
export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id?: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata?: {
    threadId?: string;
    summary?: string;
    eventType?: string;
    relatedResources?: string[];
    additionalContext?: Record<string, string>;
  };
}

/** How many findings a chat message lists; the full list is in the email and the report. */
export const CHAT_MAX_FINDINGS = 10;
/** A finding or command longer than this is cut: a chat line, not a dump. */
const MAX_LINE = 300;

const FINDING = /^\s*\[(HIGH|MEDIUM|LOW)\] (.*)$/;
const SEVERITY_ICON: Record<string, string> = {
  HIGH: ':red_circle:',
  MEDIUM: ':large_orange_circle:',
  LOW: ':white_circle:',
};

/** Chat markdown would format text from resource names: keep it literal (no code spans, links, mentions). */
function literal(text: string): string {
  const clean = text.replace(/[`*_~<]/g, (c) => `\\${c}`);
  return clean.length > MAX_LINE ? `${clean.slice(0, MAX_LINE - 3)}...` : clean;
}

/**
 * The chat form of an alert: the subject (which leads with the severity) as the title, the alert's
 * first line and up to {@link CHAT_MAX_FINDINGS} findings, most severe first as the email orders them,
 * and the approve commands as next steps. Derived from the rendered alert, so chat and email never
 * disagree; `render.ts` is the one place that words a finding.
 */
export function toChatNotification(message: AlertMessage, maxFindings = CHAT_MAX_FINDINGS): ChatNotification {
  const lines = message.body.split('\n');
  const intro = lines.find((line) => line.trim() !== '') ?? message.subject;
  const findings = lines.flatMap((line) => {
    const match = FINDING.exec(line);
    return match ? [`${SEVERITY_ICON[match[1] ?? ''] ?? ''} *${match[1]}* ${literal(match[2] ?? '')}`] : [];
  });
  const approveAt = lines.findIndex((line) => line.trim() === 'To approve after review:');
  const commands: string[] = [];
  for (let i = approveAt + 1; approveAt >= 0 && i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '' || line.startsWith('==') || line.endsWith(':')) break;
    commands.push(`\`${line.replace(/`/g, "'").slice(0, MAX_LINE)}\``);
  }
  const shown = findings.slice(0, maxFindings);
  const more = findings.length - shown.length;
  const description = [
    literal(intro),
    ...(shown.length > 0 ? ['', ...shown.map((f) => `• ${f}`)] : []),
    ...(more > 0 ? [`• ... and ${more} more (see the email or the JSON report)`] : []),
  ].join('\n');
  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: literal(message.subject),
      description,
      ...(commands.length > 0 ? { nextSteps: commands.slice(0, maxFindings) } : {}),
      keywords: [
        message.attributes.kind,
        ...(message.attributes.severity ? [message.attributes.severity] : []),
      ],
    },
    metadata: {
      summary: literal(message.subject),
      eventType: message.attributes.kind,
      relatedResources: message.attributes.poolIds.slice(0, maxFindings),
    },
  };
}
