/**
 * Runs a synthesized Amazon States Language definition here, where Step Functions cannot run: the
 * subset the state machines use (Task, Pass, Choice, Map in both modes, Succeed), with
 * InputPath, Parameters / ItemSelector / ResultSelector (`.$` paths, `$$.Map.Item.Value`,
 * `States.MathAdd`), ResultPath (null discards), OutputPath, Catch on `States.ALL`, a Map's
 * MaxConcurrency, and a Distributed Map's S3 JSON ItemReader. Every Task invokes `invoke` with its
 * payload, as a Lambda task with `payloadResponseOnly` does.
 *
 * It follows the ASL specification (https://states-language.net/spec.html) for these fields only,
 * and throws on anything else, so a definition that grows beyond the subset fails loudly here.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

// biome-ignore lint/suspicious/noExplicitAny: ASL documents and states are untyped JSON.
type Json = any;
export interface AslDefinition {
  StartAt: string;
  States: Record<string, Json>;
}

/** The definition a chainable renders to, with the function's ARN as a placeholder. */
export function renderDefinition(
  build: (scope: Construct, fn: lambda.IFunction) => sfn.IChainable,
): AslDefinition {
  const stack = new Stack(new App(), 'Asl');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(build(stack, fn)),
  });
  const machine = Object.values(
    Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'),
  )[0];
  const body = machine?.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1]
          .map((p) =>
            typeof p === 'string'
              ? p
              : (p as { Ref?: string }).Ref === 'AWS::Partition'
                ? 'aws'
                : 'arn:function',
          )
          .join('');
  return JSON.parse(text) as AslDefinition;
}

function readPath(path: string, input: Json, context: Json): Json {
  const [root, rest] = path.startsWith('$$') ? [context, path.slice(2)] : [input, path.slice(1)];
  let value = root;
  for (const key of rest.split('.').filter((k) => k !== '')) {
    if (value === null || typeof value !== 'object' || !(key in value))
      throw new Error(`States.Runtime: path ${path} not found`);
    value = value[key];
  }
  return value;
}

function writePath(input: Json, path: string | null | undefined, result: Json): Json {
  if (path === undefined || path === '$') return result;
  if (path === null) return input;
  const copy = structuredClone(input);
  const keys = path.slice(2).split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key];
  }
  node[keys.at(-1) as string] = result;
  return copy;
}

function template(value: Json, input: Json, context: Json): Json {
  if (typeof value !== 'object' || value === null) throw new Error(`unsupported Parameters: ${value}`);
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (!key.endsWith('.$')) {
      out[key] = typeof v === 'object' && v !== null ? template(v, input, context) : v;
      continue;
    }
    const expression = v as string;
    const add = /^States\.MathAdd\((\$[^,]*),\s*(-?\d+)\)$/.exec(expression);
    out[key.slice(0, -2)] = add
      ? readPath(add[1] as string, input, context) + Number(add[2])
      : readPath(expression, input, context);
  }
  return out;
}

function choose(state: Json, input: Json): string {
  for (const rule of state.Choices) {
    if ('IsPresent' in rule) {
      if (isPresent(rule.Variable, input) === rule.IsPresent) return rule.Next;
      continue;
    }
    const value = readPath(rule.Variable, input, {});
    if ('BooleanEquals' in rule && value === rule.BooleanEquals) return rule.Next;
    if ('NumericLessThan' in rule && typeof value === 'number' && value < rule.NumericLessThan)
      return rule.Next;
    if ('NumericGreaterThan' in rule && typeof value === 'number' && value > rule.NumericGreaterThan)
      return rule.Next;
    if (!['BooleanEquals', 'NumericLessThan', 'NumericGreaterThan'].some((k) => k in rule))
      throw new Error(`unsupported choice rule ${JSON.stringify(rule)}`);
  }
  if (!state.Default) throw new Error('States.NoChoiceMatched');
  return state.Default;
}

/** A Choice rule's `IsPresent`: whether the path exists in the input (a missing one is not an error). */
function isPresent(path: string, input: Json): boolean {
  try {
    readPath(path, input, {});
    return true;
  } catch {
    return false;
  }
}

async function readItems(reader: Json, data: Json, run: AslRun): Promise<Json[]> {
  if (reader.Resource !== 'arn:aws:states:::s3:getObject' || reader.ReaderConfig?.InputType !== 'JSON')
    throw new Error(`unsupported ItemReader ${JSON.stringify(reader)}`);
  if (!run.readItems) throw new Error('the run has no readItems for an ItemReader');
  const where = template(reader.Parameters, data, {});
  const items = await run.readItems(where.Bucket, where.Key);
  if (!Array.isArray(items)) throw new Error('States.ItemReaderFailed: not a JSON array');
  return items;
}

export interface AslRun {
  /** What a Task invokes (the Lambda's payload in, its response out). */
  invoke: (payload: Json) => Promise<Json>;
  /** A Distributed Map's ItemReader: the JSON array in `s3://bucket/key`. */
  readItems?: (bucket: string, key: string) => Promise<Json[]>;
  /** Tasks started, Map items at once: what the run did, for assertions. */
  stats?: { tasks: number; mapMaxInFlight: number };
}

/** Runs `definition` on `input` and returns its output. */
export async function runDefinition(definition: AslDefinition, input: Json, run: AslRun): Promise<Json> {
  return runStates(definition, input, {}, run);
}

async function runStates(definition: AslDefinition, input: Json, context: Json, run: AslRun): Promise<Json> {
  let name = definition.StartAt;
  let data = input;
  for (;;) {
    const state = definition.States[name];
    if (!state) throw new Error(`no state ${name}`);
    let next: string | undefined = state.Next;
    switch (state.Type) {
      case 'Task': {
        const effective = state.InputPath ? readPath(state.InputPath, data, context) : data;
        const payload =
          state.Parameters === undefined ? effective : template(state.Parameters, effective, context);
        if (run.stats) run.stats.tasks += 1;
        try {
          const response = await run.invoke(payload);
          const selected = state.ResultSelector
            ? template(state.ResultSelector, response, context)
            : response;
          data = writePath(data, state.ResultPath, selected);
        } catch (error) {
          const catcher = (state.Catch ?? []).find((c: Json) => c.ErrorEquals.includes('States.ALL'));
          if (!catcher) throw error;
          data = writePath(data, catcher.ResultPath, { Error: (error as Error).name, Cause: String(error) });
          next = catcher.Next;
        }
        break;
      }
      case 'Pass':
        data = writePath(
          data,
          state.ResultPath,
          state.Parameters ? template(state.Parameters, data, context) : data,
        );
        break;
      case 'Choice':
        next = choose(state, data);
        break;
      case 'Map': {
        const items = state.ItemReader
          ? await readItems(state.ItemReader, data, run)
          : (readPath(state.ItemsPath ?? '$', data, context) as Json[]);
        const processor = state.ItemProcessor ?? state.Iterator;
        const limit = state.MaxConcurrency || items.length || 1;
        const results: Json[] = new Array(items.length);
        let cursor = 0;
        let inFlight = 0;
        const worker = async () => {
          while (cursor < items.length) {
            const index = cursor++;
            const item = { Value: items[index], Index: index };
            const itemInput = state.ItemSelector
              ? template(state.ItemSelector, data, { Map: { Item: item } })
              : item.Value;
            inFlight += 1;
            if (run.stats) run.stats.mapMaxInFlight = Math.max(run.stats.mapMaxInFlight, inFlight);
            try {
              results[index] = await runStates(processor, itemInput, { Map: { Item: item } }, run);
            } finally {
              inFlight -= 1;
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(limit, Math.max(items.length, 1)) }, worker));
        data = writePath(data, state.ResultPath, results);
        break;
      }
      case 'Succeed':
        return data;
      default:
        throw new Error(`unsupported state type ${state.Type}`);
    }
    if (state.OutputPath) data = readPath(state.OutputPath, data, context);
    if (state.End || !next) return data;
    name = next;
  }
}
