/**
 * What an EventBridge rule target with an input transformer receives, computed here as EventBridge
 * does (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html):
 * each `InputPathsMap` variable is read from the event by its JSON path (dot notation), and each
 * `<variable>` of the `InputTemplate` is replaced by the value as JSON, `null` when the event lacks the
 * path. Only the unquoted form (a placeholder as a JSON value, as CDK's `RuleTargetInput.fromObject`
 * renders it) is supported; anything else throws, so a template that grows beyond it fails loudly.
 */

// biome-ignore lint/suspicious/noExplicitAny: events and templates are untyped JSON.
type Json = any;

export interface InputTransformer {
  InputPathsMap: Record<string, string>;
  InputTemplate: string;
}

export function applyInputTransformer(transformer: InputTransformer, event: Json): Json {
  const values = new Map<string, Json>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap)) {
    if (!path.startsWith('$.')) throw new Error(`unsupported path ${path}`);
    let value: Json = event;
    for (const key of path.slice(2).split('.')) {
      value = value !== null && typeof value === 'object' && key in value ? value[key] : undefined;
    }
    values.set(name, value);
  }
  const text = transformer.InputTemplate.replace(/"?<([^<>"]+)>"?/g, (match, name: string) => {
    if (match.startsWith('"') || match.endsWith('"')) throw new Error(`quoted placeholder ${match}`);
    if (!values.has(name)) throw new Error(`no variable ${name} in InputPathsMap`);
    const value = values.get(name);
    return value === undefined ? 'null' : JSON.stringify(value);
  });
  return JSON.parse(text);
}
