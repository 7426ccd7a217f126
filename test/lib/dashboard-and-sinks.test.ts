import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS_BY_SEVERITY_METRICS, METRIC } from '../../lambda/core/telemetry.js';
import type { CognitoDriftDetectorProps } from '../../lib/cognito-drift-detector.js';
import { CognitoDriftStack } from '../../lib/cognito-drift-stack.js';
import { asArray, cdkJsonContext, joinToString, type PolicyStatement } from '../support/cdk-template.js';
import { bundleMetafile, iamActionsCalledFrom } from '../support/code-actions.js';

/** Synthesizes the stack without bundling the function: the wiring, not the code. */
function synth(detector: Partial<CognitoDriftDetectorProps> = {}) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new CognitoDriftStack(app, 'CognitoDrift', {
    detector: { alertEmails: ['ops@example.com'], ...detector },
  });
  return { stack, template: Template.fromStack(stack) };
}

type Synth = ReturnType<typeof synth>;

/** The function role's statements, with references as `<ref>`. */
function functionStatements({ stack, template }: Synth): PolicyStatement[] {
  const role = stack.getLogicalId(stack.detector.function.role?.node.defaultChild as CfnElement);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${role}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
}

function grantOf(s: Synth, action: string) {
  return functionStatements(s).find((statement) => asArray(statement.Action).includes(action)) as
    | (PolicyStatement & { Condition?: unknown })
    | undefined;
}

function environment({ stack, template }: Synth): Record<string, string> {
  const fn =
    template.toJSON().Resources[stack.getLogicalId(stack.detector.function.node.defaultChild as CfnElement)];
  return fn.Properties.Environment.Variables;
}

/**
 * The metric names the bundled handler code emits, read from its sources: each `count(METRIC.x` /
 * `durationMs(METRIC.x` call, and the per-severity names when `findingsMetric(` is counted.
 */
async function emittedMetricNames(): Promise<Set<string>> {
  const metafile = await bundleMetafile('lambda/handler.ts');
  const names = new Set<string>();
  for (const file of Object.keys(metafile.inputs)) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\.(?:count|durationMs)\(\s*METRIC\.(\w+)/g)) {
      names.add(METRIC[match[1] as keyof typeof METRIC]);
    }
    if (/\.count\(\s*findingsMetric\(/.test(source))
      for (const name of FINDINGS_BY_SEVERITY_METRICS) names.add(name);
  }
  return names;
}

describe('the dashboard', () => {
  let s: Synth;
  let body: string;
  beforeAll(() => {
    s = synth();
    const dashboards = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    body = joinToString(dashboards[0]?.Properties.DashboardBody);
  });

  it('shows only metrics the function code emits', async () => {
    const emitted = await emittedMetricNames();
    const shown = new Set([
      ...[...body.matchAll(/\["CognitoDrift","(\w+)"/g)].map((m) => m[1] as string),
      ...[...body.matchAll(/MetricName=\\"(\w+)\\"/g)].map((m) => m[1] as string),
    ]);

    expect(shown.size).toBeGreaterThanOrEqual(10);
    expect([...shown].filter((name) => !emitted.has(name))).toEqual([]);
  });

  it('has runs, duration, pools, findings by severity, throttles by quota, problems and real-time checks', () => {
    for (const name of [
      METRIC.runsCompleted,
      METRIC.scanDurationMs,
      METRIC.poolsScanned,
      ...FINDINGS_BY_SEVERITY_METRICS,
      METRIC.readErrors,
      METRIC.sinkFailures,
      METRIC.realtimeChecks,
    ]) {
      expect(body).toContain(`"CognitoDrift","${name}"`);
    }
    // Throttles per quota category: one line per category value, found by SEARCH on the dimension.
    expect(body).toContain(`{CognitoDrift,QuotaCategory,service} MetricName=\\"${METRIC.throttles}\\"`);
    expect(body).toContain('"AWS/Lambda","Errors"');
    expect(body).toContain('"AWS/States","ExecutionsFailed"');
  });
});

describe('finding sink grants and settings', () => {
  it('by default puts events on the default bus, of its own source only, and leaves Security Hub alone', () => {
    const s = synth();
    const put = grantOf(s, 'events:PutEvents');

    expect(joinToString(put?.Resource)).toBe('arn:<ref>:events:<ref>:<ref>:event-bus/default');
    expect(put?.Condition).toEqual({ StringEquals: { 'events:source': 'cognito-drift' } });
    expect(
      functionStatements(s)
        .flatMap((st) => asArray(st.Action))
        .filter((a) => a.startsWith('securityhub:')),
    ).toEqual([]);
    expect(environment(s)).toMatchObject({ DRIFT_EVENTS_ENABLED: 'true', SECURITY_HUB_ENABLED: 'false' });
  });

  it('with securityHub imports to its default product and reads its hub; events off grants no PutEvents', () => {
    const s = synth({ securityHub: true, events: false });

    expect(joinToString(grantOf(s, 'securityhub:BatchImportFindings')?.Resource)).toBe(
      'arn:<ref>:securityhub:<ref>:<ref>:product/<ref>/default',
    );
    expect(joinToString(grantOf(s, 'securityhub:GetFindings')?.Resource)).toBe(
      'arn:<ref>:securityhub:<ref>:<ref>:hub/default',
    );
    expect(grantOf(s, 'events:PutEvents')).toBeUndefined();
    expect(environment(s)).toMatchObject({ DRIFT_EVENTS_ENABLED: 'false', SECURITY_HUB_ENABLED: 'true' });
  });

  it('grants, with securityHub, exactly the sink actions the bundled code calls', async () => {
    const called = [...(await iamActionsCalledFrom('lambda/handler.ts'))].filter((a) =>
      /^(events|securityhub):/.test(a),
    );
    const s = synth({ securityHub: true });
    const granted = functionStatements(s)
      .flatMap((st) => asArray(st.Action))
      .filter((a) => /^(events|securityhub):/.test(a));

    expect(granted.sort()).toEqual(called.sort());
  });
});
