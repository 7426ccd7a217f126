import { readFileSync } from 'node:fs';

/** Reading synthesized templates in the stack tests. */

/** The context `cdk.json` gives the app (feature flags), so tests synthesize what `cdk synth` would. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** An IAM policy statement as it appears in a template. */
export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Rebuilds a `Fn::Join` string (a state machine definition, an ARN), replacing references with `<ref>`. */
export function joinToString(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(joinToString).join(join[0]);
  return '<ref>';
}
