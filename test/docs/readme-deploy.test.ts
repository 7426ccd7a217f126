/**
 * The README's "Deploy" instructions, as written: the app snippet is cut out of the README by its
 * marker, pointed at this repository's package instead of the installed one, and synthesized the way
 * the CDK CLI runs it (`CDK_OUTDIR` set, so the app synthesizes on exit); the outputs the README sends
 * the user to must be in the template. The install line and `cdk.json` are checked against what this
 * repository pins and runs.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(REPO, 'node_modules/tsx/dist/cli.mjs');

async function readme(): Promise<string> {
  return readFile(join(REPO, 'README.md'), 'utf-8');
}

/** The fenced block right after `<!-- snippet: name -->`, and its language. */
async function snippet(name: string): Promise<{ lang: string; code: string }> {
  const match = (await readme()).match(
    new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`(\\w+)\\n([\\s\\S]*?)\\n\`\`\`\\n`),
  );
  if (!match) throw new Error(`README.md has no fenced block after <!-- snippet: ${name} -->`);
  return { lang: match[1] as string, code: match[2] as string };
}

describe("the README's Deploy section", () => {
  let work: string | undefined;

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs the CDK CLI, tsx and the peers at the versions this repository pins', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf-8')) as {
      devDependencies: Record<string, string>;
    };
    const { code } = await snippet('deploy-install');

    for (const name of ['aws-cdk', 'tsx', 'aws-cdk-lib', 'constructs']) {
      expect(code, name).toContain(` ${name}@${pkg.devDependencies[name]}`);
    }
    expect(code).toMatch(/npm install -D aws-cdk@\S+ tsx@/);
  });

  it("has a cdk.json whose app runs the snippet's file", async () => {
    const { lang, code } = await snippet('deploy-cdk-json');

    expect(lang).toBe('json');
    expect(JSON.parse(code)).toEqual({ app: 'npx tsx app.ts' });
    expect(await readme()).toContain('`app.ts`, one detector');
  });

  it('synthesizes the app snippet as written, with the outputs the next steps name', async () => {
    const { lang, code } = await snippet('deploy-app');
    expect(lang).toBe('ts');
    expect(code).toContain("from 'cognito-drift';");
    // Under node_modules, so aws-cdk-lib and constructs resolve from this repository as from an app's.
    const cache = join(REPO, 'node_modules/.cache');
    await mkdir(cache, { recursive: true });
    work = await mkdtemp(join(cache, 'readme-deploy-'));
    await writeFile(
      join(work, 'app.ts'),
      code.replace("from 'cognito-drift';", `from '${join(REPO, 'lib/index.ts')}';`),
    );
    const outdir = join(work, 'cdk.out');

    await exec(process.execPath, [TSX, 'app.ts'], {
      cwd: work,
      env: { ...process.env, CDK_OUTDIR: outdir },
      maxBuffer: 16 * 1024 * 1024,
    });

    const template = JSON.parse(await readFile(join(outdir, 'CognitoDrift.template.json'), 'utf-8')) as {
      Outputs?: Record<string, unknown>;
    };
    const outputs = Object.keys(template.Outputs ?? {});
    const text = await readme();
    for (const name of [
      'BaselineBucketName',
      'AlertTopicArn',
      'StateMachineArn',
      'ApproverRoleArn',
      'FunctionName',
    ]) {
      expect(text, name).toContain(`\`${name}\``);
      expect(outputs, name).toContain(name);
    }
    expect(text).toContain('named in the `StateMachineArn` output');
  }, 180_000);
});
