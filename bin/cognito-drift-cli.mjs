#!/usr/bin/env node
// The `cognito-drift` executable (package.json "bin"). The AWS SDK's Node-version notice is for
// whoever pins SDK versions (we do), not for an operator: silence it before any client is made.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let cli;
try {
  // The installed package: the CLI built by `npm run build`.
  cli = await import('../dist/bin/cli.mjs');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin/cli.mjs'))
    throw error;
  // A clone that was not built: run the TypeScript through tsx (a development dependency).
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('./cli.ts');
}
await cli.runAsProgram();
