import {
  GetFunctionConfigurationCommand,
  type GetFunctionConfigurationCommandInput,
  type GetFunctionConfigurationCommandOutput,
  GetPolicyCommand,
  type GetPolicyCommandInput,
  type GetPolicyCommandOutput,
} from '@aws-sdk/client-lambda';
import type { AccountRead, SendOperation } from '../core/catalog.js';
import { normalizeResource } from '../core/normalize.js';
import { normalizePolicy } from '../core/policy-document.js';
import { notReadable, notReadableReason } from '../core/references.js';
import type { JsonObject, ResourceSnapshot, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { fieldRule, policyRule } from './reference-rules.js';
import { operation, type Surface } from './surface.js';

/** The surface's key in snapshots and in `SURFACES`. */
export const LAMBDA_TRIGGERS = 'lambdaTriggers';

const GET_FUNCTION_CONFIGURATION = operation<
  GetFunctionConfigurationCommandInput,
  GetFunctionConfigurationCommandOutput
>({
  name: 'GetFunctionConfiguration',
  service: 'lambda',
  command: GetFunctionConfigurationCommand,
  quota: 'Lambda.ControlPlane',
  keys: ['FunctionName'],
  iamResource: 'function',
  calls: { per: 'reference' },
});

const GET_FUNCTION_POLICY = operation<GetPolicyCommandInput, GetPolicyCommandOutput>({
  name: 'GetPolicy',
  service: 'lambda',
  command: GetPolicyCommand,
  quota: 'Lambda.GetPolicy',
  keys: ['FunctionName'],
  iamResource: 'function',
  calls: { per: 'reference' },
});

/**
 * Every Lambda ARN the pool's `LambdaConfig` names, with the triggers (`PreTokenGeneration`,
 * `CustomSMSSender`, ...) that use it: the plain trigger fields, and the `LambdaArn` of the nested
 * ones (pre token generation with its version, the custom senders, and any added later).
 */
export function triggerArns(lambdaConfig: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (arn: string, trigger: string) => out.set(arn, [...(out.get(arn) ?? []), trigger]);
  if (lambdaConfig === null || typeof lambdaConfig !== 'object') return out;
  for (const [trigger, value] of Object.entries(lambdaConfig)) {
    if (typeof value === 'string' && /^arn:[\w-]+:lambda:/.test(value)) add(value, trigger);
    else if (value !== null && typeof value === 'object') {
      const arn = (value as { LambdaArn?: unknown }).LambdaArn;
      if (typeof arn === 'string' && arn !== '') add(arn, trigger);
    }
  }
  // PreTokenGeneration and PreTokenGenerationConfig name the same function: one trigger name each.
  for (const [arn, triggers] of out) out.set(arn, [...new Set(triggers)].sort());
  return out;
}

/** `my-function` or `my-function:live` (qualified by a version or alias) from a function ARN. */
function functionLabel(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 ? `${parts[6]}:${parts[7]}` : (parts[6] ?? arn);
}

/** What is watched of a function: its code, runtime and who it runs as, and who may invoke it. */
type FunctionState = { config: JsonObject } | { notReadable: string };

/**
 * One function (as the pool names it, qualified or not): GetFunctionConfiguration and GetPolicy,
 * made once per run however many pools use it. Environment variable values are kept as keyed
 * digests (salted with the ARN), never in clear; their names are kept.
 */
function functionRead(arn: string): AccountRead<FunctionState> {
  return {
    name: `Lambda function ${arn}`,
    async read(send: SendOperation): Promise<FunctionState> {
      let fn: GetFunctionConfigurationCommandOutput;
      try {
        fn = await send(GET_FUNCTION_CONFIGURATION, { FunctionName: arn });
      } catch (error) {
        const reason = notReadableReason(error);
        if (reason) return { notReadable: reason };
        throw error;
      }
      let policy: string | undefined;
      try {
        policy = (await send(GET_FUNCTION_POLICY, { FunctionName: arn })).Policy;
      } catch (error) {
        // A function without a resource policy answers not-found: nobody else may invoke it.
        if ((notReadableReason(error) ?? '') !== 'ResourceNotFoundException') throw error;
      }
      const variables = fn.Environment?.Variables ?? {};
      const config = normalizeResource(
        {
          CodeSha256: fn.CodeSha256,
          Runtime: fn.Runtime,
          Handler: fn.Handler,
          Role: fn.Role,
          Version: fn.Version,
          PackageType: fn.PackageType,
          Architectures: fn.Architectures,
          Layers: fn.Layers?.map((l) => l.Arn),
          KMSKeyArn: fn.KMSKeyArn,
          ...(Object.keys(variables).length > 0 ? { Environment: { Variables: variables } } : {}),
          ...(policy ? { ResourcePolicy: normalizePolicy(policy) } : {}),
        },
        {
          secrets: Object.keys(variables).map((name) => `Environment.Variables.${name}`),
          salt: arn,
        },
      );
      return { config };
    },
  };
}

/**
 * The Lambda functions the pool's triggers run (every ARN of `LambdaConfig`): code hash, runtime,
 * handler, execution role, layers, environment (names in clear, values as keyed digests) and
 * resource policy. Keyed by the ARN as the pool names it; a function this account cannot read is
 * reported once as such (`core/references.ts`), never as drift.
 */
export const lambdaTriggersSurface: Surface = {
  name: LAMBDA_TRIGGERS,
  label: 'Lambda trigger',
  plural: 'Lambda triggers',
  operations: [GET_FUNCTION_CONFIGURATION, GET_FUNCTION_POLICY],
  async read({ pool, send, sharedRead }): Promise<SurfaceSnapshot> {
    const out: SurfaceSnapshot = {};
    for (const [arn, triggers] of triggerArns(pool.LambdaConfig)) {
      const name = `${functionLabel(arn)} (${triggers.join(', ')})`;
      const state = await (sharedRead ?? ((r) => r.read(send)))(functionRead(arn));
      out[arn] =
        'notReadable' in state
          ? notReadable(name, state.notReadable)
          : ({ name, ...state } as ResourceSnapshot);
    }
    return out;
  },
  // Lambda writes are not Cognito's: a scheduled sweep finds them (see docs/surfaces.md).
  writeEvents: [],
  rules: [
    fieldRule({
      surface: LAMBDA_TRIGGERS,
      name: 'trigger-code-changed',
      description: "A trigger function's code (CodeSha256), layers or handler changed: other code now runs",
      paths: ['CodeSha256', 'Layers', 'Handler', 'PackageType'],
      severity: Severity.HIGH,
    }),
    policyRule({
      surface: LAMBDA_TRIGGERS,
      name: 'trigger-invoke-policy-widened',
      description:
        "A trigger function's resource policy allows more callers (widened is HIGH, other changes MEDIUM)",
      policies: ['ResourcePolicy'],
    }),
    fieldRule({
      surface: LAMBDA_TRIGGERS,
      name: 'trigger-runtime-role-or-environment-changed',
      description: "A trigger function's runtime, execution role, environment variables or key changed",
      paths: ['Runtime', 'Role', 'Environment', 'KMSKeyArn', 'Architectures', 'Version'],
      severity: Severity.MEDIUM,
    }),
  ],
};
