import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_IGNORE_RULES } from '../../../lambda/core/ignore.js';
import { approveHint, currentInstallation, installationOf } from '../../../lambda/run/approve-hint.js';
import { MAX_RUN_AGE_MS, runPolicy } from '../../../lambda/run/run-policy.js';

const REPO_MANIFEST = JSON.stringify({
  name: 'cognito-drift',
  scripts: { approve: 'tsx bin/cli.ts approve' },
});

/** A file system of package.json files, by path. */
const files = (entries: Record<string, string>) => (path: string) => entries[path];

describe('installationOf', () => {
  it('inside node_modules: the package, whatever package.json says', () => {
    const file = join('/app', 'node_modules', 'cognito-drift', 'dist', 'lambda', 'run', 'approve-hint.js');
    expect(
      installationOf(
        file,
        files({ [join('/app', 'node_modules', 'cognito-drift', 'package.json')]: REPO_MANIFEST }),
      ),
    ).toBe('package');
  });
  it("in a clone: the repository's package.json has the approve script", () => {
    const file = join('/src', 'cognito-drift', 'lambda', 'run', 'approve-hint.ts');
    expect(
      installationOf(file, files({ [join('/src', 'cognito-drift', 'package.json')]: REPO_MANIFEST })),
    ).toBe('clone');
  });
  it('under another project whose package.json has no approve script: the package', () => {
    const file = join('/src', 'app', 'vendor', 'approve-hint.js');
    expect(
      installationOf(file, files({ [join('/src', 'app', 'package.json')]: JSON.stringify({ name: 'app' }) })),
    ).toBe('package');
  });
  it('a bundle with no package.json (Lambda): the package', () => {
    expect(installationOf(join('/var', 'task', 'index.mjs'), files({}))).toBe('package');
  });
  it('these tests run in the clone', () => {
    expect(currentInstallation()).toBe('clone');
  });
});

describe('approveHint', () => {
  it.each([
    [
      'installed package, S3, with the region',
      { installation: 'package' as const, store: { bucket: 'b' }, region: 'eu-west-1' },
      'AWS_REGION=eu-west-1 npx cognito-drift approve --pool eu-west-1_x --bucket b',
    ],
    [
      'clone, S3',
      { installation: 'clone' as const, store: { bucket: 'b' } },
      'npm run approve -- --pool eu-west-1_x --bucket b',
    ],
    [
      'installed package, folder store',
      { installation: 'package' as const, store: { dir: './baselines' } },
      'npx cognito-drift approve --pool eu-west-1_x --dir ./baselines',
    ],
  ])('%s', (_name, options, expected) => {
    expect(approveHint(options)('eu-west-1_x')).toBe(expected);
  });
});

describe('runPolicy', () => {
  const settings = {
    reminderIntervalMs: 3_600_000,
    ignore: NO_IGNORE_RULES,
    secretPolicy: { rotationWindowDays: 7 },
    schedulePeriodMinutes: 60,
    deployedChanges: 'alert' as const,
  };
  const approve = { installation: 'package' as const, store: { bucket: 'b' } };
  it('gives the Lambda and the CLI the same run age and attribution window', () => {
    const lambda = runPolicy(settings, { remainingTimeMs: () => 900_000, approve });
    const cli = runPolicy(settings, { approve });
    expect(lambda.maxRunAgeMs).toBe(MAX_RUN_AGE_MS);
    expect(cli.maxRunAgeMs).toBe(MAX_RUN_AGE_MS);
    expect(cli.attributionWindowMs).toBe(lambda.attributionWindowMs);
    expect(lambda.attributionWindowMs).toBe((2 * 60 + 15) * 60_000);
  });
  it.each([
    ['a 15-minute invocation keeps 90 s back', 900_000, 90_000],
    ['a 60-second invocation keeps a third', 60_000, 20_000],
  ])('%s', (_name, remaining, margin) => {
    expect(runPolicy(settings, { remainingTimeMs: () => remaining, approve }).safetyMarginMs).toBe(margin);
  });
  it('the CLI has no time limit and keeps nothing back', () => {
    const cli = runPolicy(settings, { approve });
    expect(cli.remainingTimeMs).toBeUndefined();
    expect(cli.safetyMarginMs).toBe(0);
  });
});
