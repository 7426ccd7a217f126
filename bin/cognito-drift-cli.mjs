#!/usr/bin/env node
// The `cognito-drift` executable (package.json "bin"): runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { runAsProgram } = await import('./cli.ts');
await runAsProgram();
