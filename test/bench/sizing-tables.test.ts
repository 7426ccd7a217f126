import { describe, expect, it } from 'vitest';
import {
  type BenchFigures,
  renderSizingTables,
  SizingMarkerError,
  spliceSizingTables,
} from '../../bench/sizing-tables.js';

type Organization = NonNullable<BenchFigures['organization']>;

/** 400 targets of 30 s each at 50 at once: an organization run of 300 s, as `--json` writes it. */
function organizationFigures(): Organization {
  const targets = Array.from({ length: 400 }, (_, i) => ({
    target: `1111111${String(i).padStart(5, '0')}/us-east-1`,
    seconds: 30,
    invocations: 1,
    status: 'scanned',
    findings: i === 0 ? 1 : 0,
    s3: { get: 3, put: 4, list: 1, putBytes: 21_000 },
  }));
  const run = {
    seconds: 300,
    listSeconds: 1,
    aggregateSeconds: 2,
    targets,
    slowestTargetSeconds: 31,
    messages: [{ kind: 'drift', subject: 'drift' }],
    s3PerTarget: { get: 3, put: 4, list: 1, putBytes: 21_000 },
    s3Organization: { get: 4, put: 3, list: 1, putBytes: 0 },
    loopDelayMs: { p50: 10, p99: 50, max: 80 },
  };
  const figures = {
    accounts: 100,
    regions: ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1'],
    pools: 20,
    clients: 5,
    share: 0.5,
    latencyMs: 60,
    burstSeconds: 1,
    maxConcurrentTargets: 50,
    waf: true,
    timeScale: 0.2,
    targetCount: 400,
    map: 'distributed',
    surfaces: [],
    targetMinimumSeconds: 30,
    minimumSeconds: 240,
    rounds: 8,
    binding: 'UserPoolResourceRead',
    baseline: run,
    drift: run,
    ratio: 1.25,
    assumeRoleCalls: 100,
    assumeRoleCallsInDriftRun: 0,
    lookupEventsCalls: 1,
    standinThrottled: 0,
    readerThrottled: 0,
    failedReads: 0,
    callsAdmitted: {},
    callsNeeded: {},
    load: [3.5, 2.25, 1],
    cores: 2,
  };
  return figures as unknown as Organization;
}

describe('sizing tables from the bench figures', () => {
  it('states the measured run with its conditions and the load it ran at', () => {
    const tables = renderSizingTables({ organization: organizationFigures() });

    expect(tables['organization-run']).toContain(
      '| organization run (list, targets, aggregate) | 5.0 min (300.0 s) | measured |',
    );
    expect(tables['organization-run']).toContain('×1.25 of 8 × 30.0 s');
    expect(tables['organization-run']).toContain('time scaled ×0.2');
    expect(tables['organization-run']).toContain(
      'load average 3.50 2.25 1.00 on 2 cores (more runnable processes than cores',
    );
  });

  it('models other numbers of targets at once as rounds of the measured round, and says so', () => {
    const rounds = renderSizingTables({ organization: organizationFigures() })['organization-rounds'];

    // 300 s / 8 rounds = 37.5 s a round.
    expect(rounds).toContain('| 10 | 40 | 25.0 min | 10 | modelled |');
    expect(rounds).toContain('| 50 | 8 | 5.0 min | 50 | measured |');
    expect(rounds).toContain('| 400 | 1 | 37.5 s | 400 | modelled |');
  });

  it('costs the run from its measured seconds, invocations and S3 requests', () => {
    const cost = renderSizingTables({ organization: organizationFigures() })['organization-cost'] ?? '';

    // 0.5 GB × (400 × 30 s + 1 s + 2 s) = 6,001.5 GB-s at $0.0000133334.
    expect(cost).toMatch(/Lambda duration .*\| 6,002 GB-s: \$0\.08 \| measured \|/);
    // 4 transitions a target with a Distributed Map, 4 a run.
    expect(cost).toMatch(/Step Functions transitions .*\| 1,604 transitions: \$0\.04 \| modelled \|/);
    // 3 GET a target and 4 for the organization steps.
    expect(cost).toMatch(/S3 GET .*\| 1,204 requests: /);
  });

  it('projects a measured round of fewer targets to the 400-target organization, as modelled', () => {
    const subset = organizationFigures();
    subset.drift = { ...subset.drift, seconds: 40, targets: subset.drift.targets.slice(0, 50) };
    subset.targetCount = 50;
    subset.rounds = 1;

    const tables = renderSizingTables({ organization: subset });

    // One round of 40 s at 50 at once: 8 rounds for 400 targets, not measured at that size.
    expect(tables['organization-rounds']).toContain('| 50 | 8 | 5.3 min | 50 | modelled |');
    // Per-target figures × 400: the same 6,002 GB-s as 400 measured targets of 30 s.
    expect(tables['organization-cost']).toMatch(/Lambda duration .*\| 6,002 GB-s: /);
    expect(tables['organization-cost']).toContain('measured on 50 targets, × 400');
  });

  it('gives the README one line per figure, saying which is measured and which modelled', () => {
    const measured = renderSizingTables({ organization: organizationFigures() }).readme ?? '';
    const subset = organizationFigures();
    subset.drift = { ...subset.drift, seconds: 40, targets: subset.drift.targets.slice(0, 50) };
    subset.targetCount = 50;
    subset.rounds = 1;
    const modelled = renderSizingTables({ organization: subset }).readme ?? '';

    expect(measured).toContain(
      '**An organization of 400 account-regions** (20 pools × 5 clients each) at 50 at once: 5.0 min a run (measured end to end on the bench)',
    );
    // 8 rounds of the measured 40 s round.
    expect(modelled).toContain('at 50 at once: 5.3 min a run (modelled from a measured round of 50)');
    expect(measured).not.toContain('One account and region');
  });

  it('replaces only the text between a table’s markers', () => {
    const page = [
      'before',
      '<!-- sizing:scale-run:begin -->',
      'old table',
      '<!-- sizing:scale-run:end -->',
      'after',
    ].join('\n');

    const out = spliceSizingTables(page, { 'scale-run': 'new table' });

    expect(out).toBe(
      [
        'before',
        '<!-- sizing:scale-run:begin -->',
        'new table',
        '<!-- sizing:scale-run:end -->',
        'after',
      ].join('\n'),
    );
    expect(spliceSizingTables(out, { 'scale-run': 'new table' })).toBe(out);
  });

  it('names the missing markers instead of writing the table elsewhere', () => {
    expect(() => spliceSizingTables('no markers', { 'organization-cost': 'x' })).toThrow(SizingMarkerError);
    expect(() => spliceSizingTables('no markers', { 'organization-cost': 'x' })).toThrow(
      /<!-- sizing:organization-cost:begin -->/,
    );
  });
});
