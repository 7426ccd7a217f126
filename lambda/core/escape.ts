/**
 * Text from Cognito (pool and client names, tag keys, setting values) and from stored documents
 * (`approvedBy`, `reason`) is chosen by whoever can write it. Cognito's name pattern allows line
 * breaks, so a raw name could add lines to an email or a terminal ("[LOW] nothing to see"), and an
 * ESC sequence could rewrite the operator's screen. Every renderer passes such text through here.
 */

/**
 * C0 controls, DEL, C1 controls, the Unicode line and paragraph separators (line breaks in some
 * mail clients) and the bidirectional overrides (which reorder what a reader sees).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Whether `text` holds a character {@link escapeControl} would escape. */
export function hasControl(text: string): boolean {
  return new RegExp(CONTROL.source).test(text);
}

/**
 * One line, safe to print: each control character becomes a visible `\xNN` / `\uNNNN` escape.
 * Idempotent: escaped text has nothing left to escape.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** Multi-line text (a document printed for a person): each line escaped, the line breaks kept. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControl).join('\n');
}

/**
 * JSON for a person to read (`--json` on a terminal, log details): `JSON.stringify` escapes C0
 * controls but leaves C1 controls and the Unicode separators raw; those become `\u` escapes, which
 * is still the same JSON value.
 */
export function jsonForHumans(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
