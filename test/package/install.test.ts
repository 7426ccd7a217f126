/**
 * The package as a user gets it: `npm pack`, then `npm ci --offline` of the tarball into a fresh CDK
 * app outside this repo (dependencies from the npm cache only), then the app type-checks and
 * synthesizes with `import { CognitoDriftDetector } from 'cognito-drift'`, and the installed
 * `cognito-drift` executable runs `--help`, `check` and `diff` against the Cognito stand-in.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDemoDrift,
  DEMO_ROGUE_CALLBACK,
  FOREIGN_AWS_VARIABLES,
  type LocalAws,
  seedDemoPools,
  startLocalAws,
} from '../support/local-aws.js';
import { prepareOfflineApp } from '../support/offline-install.js';

const exec = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const SETUP_MS = 400_000;

/** An environment without this test run's npm, SDK or AWS settings: what a user's shell would have. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('npm_') || name.startsWith('AWS_') || name.startsWith('VITEST')) continue;
    if ((FOREIGN_AWS_VARIABLES as readonly string[]).includes(name)) continue;
    env[name] = value;
  }
  return { ...env, NODE_ENV: '', ...extra };
}

const APP_TS = `import { App, Stack } from 'aws-cdk-lib';
import { CognitoDriftDetector, type CognitoDriftDetectorProps } from 'cognito-drift';

const props: CognitoDriftDetectorProps = { alertEmails: ['secops@example.com'], quotaShare: 0.25 };
const detector = new CognitoDriftDetector(new Stack(new App(), 'Platform'), 'CognitoDrift', props);
const share: number = detector.settings.quotaShare;
// @ts-expect-error quotaShare is a number, and the declarations say so
const typo: CognitoDriftDetectorProps = { alertEmails: ['a@example.com'], quotaShare: 'half' };
export { share, typo };
`;

const APP_MJS = `import { App, Stack } from 'aws-cdk-lib';
import { CognitoDriftDetector } from 'cognito-drift';

const app = new App({ outdir: 'cdk.out' });
new CognitoDriftDetector(new Stack(app, 'Platform'), 'CognitoDrift', { alertEmails: ['secops@example.com'] });
app.synth();
`;

describe('the packed package, installed offline into a fresh CDK app', () => {
  let work: string;
  let app: string;
  let tarball: string;
  /** Started together once the app is installed: each takes tens of seconds of aws-cdk-lib loading. */
  let typecheck: Promise<{ code: number; out: string }>;
  let synth: Promise<void>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cognito-drift-package-'));
    app = join(work, 'app');
    await mkdir(app);
    // `npm pack` runs the build (prepack); --json names the tarball.
    const packed = await exec('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: REPO,
      env: cleanEnv(),
      maxBuffer: 32 * 1024 * 1024,
    });
    const [info] = JSON.parse(packed.stdout) as { filename: string }[];
    tarball = join(work, info?.filename ?? '');
    await prepareOfflineApp(REPO, tarball, app);
    await exec('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: app,
      env: cleanEnv(),
    });
    await writeFile(join(app, 'app.ts'), APP_TS);
    await writeFile(join(app, 'app.mjs'), APP_MJS);
    typecheck = exec(
      process.execPath,
      [
        TSC,
        ...[
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
        ],
        ...['--target', 'es2022', 'app.ts'],
      ],
      { cwd: app, env: cleanEnv() },
    ).then(
      () => ({ code: 0, out: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, out: error.stdout }),
    );
    synth = exec(process.execPath, ['app.mjs'], { cwd: app, env: cleanEnv() }).then(() => undefined);
    // Awaited by their tests; a rejection before then is not "unhandled".
    typecheck.catch(() => undefined);
    synth.catch(() => undefined);
  }, SETUP_MS);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships compiled JavaScript, declarations, the prebuilt function and the CLI, and no TypeScript source', async () => {
    const listed = await exec('tar', ['tzf', tarball]);
    const files = listed.stdout.split('\n').filter(Boolean);

    expect(files).toEqual(
      expect.arrayContaining([
        'package/dist/lib/index.js',
        'package/dist/lib/index.d.ts',
        'package/dist/lambda-bundle/index.mjs',
        'package/dist/bin/cli.mjs',
        'package/bin/cognito-drift-cli.mjs',
      ]),
    );
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const pkg = JSON.parse(await readFile(join(app, 'node_modules/cognito-drift/package.json'), 'utf-8'));
    expect(pkg.dependencies).not.toHaveProperty('tsx');
  });

  it('type-checks an app that imports the construct by package name', async () => {
    expect(await typecheck).toEqual({ code: 0, out: '' });
  }, 180_000);

  it('synthesizes, with the function from the prebuilt bundle (no esbuild, no Docker)', async () => {
    await synth;

    const template = JSON.parse(await readFile(join(app, 'cdk.out/Platform.template.json'), 'utf-8'));
    const functions = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler');
    expect(functions).toHaveLength(1);
    expect(functions[0]?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    const assets = (await readdir(join(app, 'cdk.out'))).filter((f) => f.startsWith('asset.'));
    const bundles = await Promise.all(
      assets.map(async (a) => (await readdir(join(app, 'cdk.out', a))).sort()),
    );
    expect(bundles).toContainEqual(['index.mjs', 'index.mjs.map']);
  }, 180_000);

  describe('the installed cognito-drift executable', () => {
    let local: LocalAws;
    const bin = () => join(app, 'node_modules/.bin/cognito-drift');

    beforeAll(async () => {
      local = await startLocalAws();
    });

    afterAll(async () => {
      await local?.stop();
    });

    /** Runs the executable as a user would, pointed at the stand-in; the SDK warning switch is NOT set. */
    async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _set, ...env } = local.env;
      return exec(bin(), args, { cwd: app, env: cleanEnv(env) }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          stdout: e.stdout,
          stderr: e.stderr,
        }),
      );
    }

    it('prints --help with every command', async () => {
      const { code, stdout, stderr } = await run(['--help']);

      expect(code).toBe(0);
      expect(stderr).toBe('');
      for (const command of ['check', 'diff', 'approve', 'history']) expect(stdout).toContain(command);
    });

    it('records baselines with check, then shows drift with diff (exit 2), and never prints the SDK Node warning', async () => {
      const pools = seedDemoPools(local.cognito);
      const dir = join(app, 'baselines');
      await mkdir(dir);

      const first = await run(['check', '--dir', dir]);
      applyDemoDrift(local.cognito, pools);
      const diff = await run(['diff', '--dir', dir]);

      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Baseline recorded');
      expect(diff.code).toBe(2);
      expect(diff.stdout).toContain(DEMO_ROGUE_CALLBACK);
      expect(`${first.stderr}${diff.stderr}`).not.toMatch(/NodeVersionSupportWarning|require node/);
    }, 120_000);
  });
});
