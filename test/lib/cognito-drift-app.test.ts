import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const outdirs: string[] = [];

/**
 * Runs bin/cognito-drift.ts the way the CDK CLI does: context and output directory in the environment.
 * Without `cliEnvironment`, as without credentials; with it, as the CLI does when it resolves an account
 * and region (CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION).
 */
function runApp(
  context: Record<string, unknown>,
  cliEnvironment: Record<string, string> = {},
): Promise<{ code: number; stderr: string; outdir: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'cognito-drift-app-'));
  outdirs.push(outdir);
  const { CDK_DEFAULT_ACCOUNT: _account, CDK_DEFAULT_REGION: _region, ...inherited } = process.env;
  const env = { ...inherited, ...cliEnvironment };
  return new Promise((resolve) => {
    execFile(
      join(REPO_ROOT, 'node_modules/.bin/tsx'),
      ['bin/cognito-drift.ts'],
      {
        cwd: REPO_ROOT,
        env: {
          ...env,
          CDK_OUTDIR: outdir,
          // Skip bundling and the built-in schema validation: this checks the wiring, not the bundle.
          CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
          CDK_VALIDATION: 'false',
        },
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr, outdir }),
    );
  });
}

// Each test starts tsx and synthesizes in a child process: slow on a busy machine, so a generous limit
// (this is no speed test).
const SYNTH_MS = 180_000;

describe('bin/cognito-drift.ts', () => {
  afterAll(() => {
    for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  });

  it(
    'synthesizes an environment-agnostic CognitoDrift stack from context',
    async () => {
      const { code, stderr, outdir } = await runApp({
        alertEmail: 'a@example.com,b@example.com',
        quotaShare: '0.3',
      });

      expect(stderr).not.toMatch(/Error/);
      expect(code).toBe(0);
      const template = JSON.parse(readFileSync(join(outdir, 'CognitoDrift.template.json'), 'utf8'));
      const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
      expect(types.filter((type) => type === 'AWS::SNS::Subscription')).toHaveLength(2);
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
      expect(manifest.artifacts.CognitoDrift.environment).toBe('aws://unknown-account/unknown-region');
    },
    SYNTH_MS,
  );

  it(
    'synthesizes the organization detector from -c accounts=organization -c regions=all-enabled',
    async () => {
      const { code, stderr, outdir } = await runApp({
        alertEmail: 'a@example.com',
        accounts: 'organization',
        regions: 'all-enabled',
        organizationId: 'o-abc123defg',
      });

      expect(stderr).not.toMatch(/Error/);
      expect(code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
      // Still one stack: `cdk deploy` needs no stack name.
      expect(
        Object.values(manifest.artifacts as Record<string, { type: string }>).filter(
          (artifact) => artifact.type === 'aws:cloudformation:stack',
        ),
      ).toHaveLength(1);
      const template = JSON.parse(readFileSync(join(outdir, 'CognitoDrift.template.json'), 'utf8'));
      expect(Object.keys(template.Outputs)).toEqual(
        expect.arrayContaining([
          'OrganizationStateMachineArn',
          'DetectorRoleArn',
          'MemberEventBusArn',
          'StateMachineArn',
        ]),
      );
    },
    SYNTH_MS,
  );

  it(
    'synthesizes only the member role stack with -c memberRoleTemplate=true, no alertEmail needed',
    async () => {
      const { code, stderr, outdir } = await runApp({
        memberRoleTemplate: 'true',
        memberRoleName: 'DriftReader',
      });

      expect(stderr).not.toMatch(/Error/);
      expect(code).toBe(0);
      expect(existsSync(join(outdir, 'CognitoDrift.template.json'))).toBe(false);
      const template = JSON.parse(readFileSync(join(outdir, 'CognitoDriftMemberRole.template.json'), 'utf8'));
      const roles = Object.values(
        template.Resources as Record<string, { Type: string; Properties: { RoleName?: string } }>,
      ).filter((r) => r.Type === 'AWS::IAM::Role');
      // The member role by its name, and the forwarding role EventBridge assumes (a generated name).
      expect(roles.map((r) => r.Properties.RoleName ?? '(generated)').sort()).toEqual([
        '(generated)',
        'DriftReader',
      ]);
      expect(Object.keys(template.Parameters).sort()).toEqual([
        'CentralEventBusArn',
        'DetectorRoleArn',
        'MemberRoleRegion',
        'OrganizationId',
      ]);
    },
    SYNTH_MS,
  );

  // Every synth command the README shows, as the CDK CLI runs it without and with a resolved
  // environment: cdk-nag's findings name concrete values when the stack has them.
  const README_COMMANDS: Record<string, Record<string, string>> = {
    'single target': { alertEmail: 'a@example.com' },
    organization: {
      alertEmail: 'a@example.com',
      accounts: 'organization',
      regions: 'all-enabled',
      organizationId: 'o-abc123defg',
    },
    'organization in OUs': {
      alertEmail: 'a@example.com',
      accounts: 'organization',
      organizationId: 'o-abc123defg',
      regions: 'all-enabled',
      organizationalUnits: 'ou-ab12-cdefgh34',
    },
    'account list': {
      alertEmail: 'a@example.com',
      accounts: '111122223333,444455556666',
      organizationId: 'o-abc123defg',
    },
    'region list': { alertEmail: 'a@example.com', regions: 'eu-west-1,us-east-1' },
    'member role template': { memberRoleTemplate: 'true' },
  };
  const ENVIRONMENTS: Record<string, Record<string, string>> = {
    'no environment': {},
    'a concrete account and region': { CDK_DEFAULT_ACCOUNT: '999988887777', CDK_DEFAULT_REGION: 'eu-west-1' },
  };
  const combinations = Object.entries(README_COMMANDS).flatMap(([command, context]) =>
    Object.entries(ENVIRONMENTS).map(([environment, variables]) => ({
      command,
      context,
      environment,
      variables,
    })),
  );
  it.each(combinations)(
    'synthesizes the README command $command with $environment, cdk-nag clean',
    async ({ context, variables }) => {
      const { code, stderr, outdir } = await runApp(context, variables);

      expect(stderr).not.toMatch(/Error|wildcard permissions/);
      expect(code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
      const stacks = Object.values(
        manifest.artifacts as Record<string, { type: string; environment: string }>,
      ).filter((artifact) => artifact.type === 'aws:cloudformation:stack');
      expect(stacks).toHaveLength(1);
      if (variables.CDK_DEFAULT_REGION && !context.memberRoleTemplate)
        expect(stacks[0]?.environment).toBe('aws://999988887777/eu-west-1');
    },
    SYNTH_MS,
  );

  it(
    'reports an invalid setting in one line and exits 1 without a stack',
    async () => {
      const { code, stderr, outdir } = await runApp({ alertEmail: 'bob@' });

      expect(code).toBe(1);
      expect(stderr.trim()).toBe('Invalid context "alertEmail": "bob@" is not an email address');
      expect(existsSync(join(outdir, 'CognitoDrift.template.json'))).toBe(false);
    },
    SYNTH_MS,
  );

  it(
    'stops at a misspelled setting with "did you mean", leaving CDK\'s own keys alone',
    async () => {
      const { code, stderr, outdir } = await runApp({
        alertEmail: 'a@example.com',
        scheduel: 'rate(2 hours)',
        '@aws-cdk/core:checkSecretUsage': true,
        'acknowledged-issue-numbers': [12345],
      });

      expect(code).toBe(1);
      expect(stderr.trim()).toBe('Unknown setting context "scheduel": did you mean schedule?');
      expect(existsSync(join(outdir, 'CognitoDrift.template.json'))).toBe(false);
    },
    SYNTH_MS,
  );
});
