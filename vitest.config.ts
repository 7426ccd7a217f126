import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CDK synthesis and the emulator tests are CPU heavy; two cores on CI.
    maxWorkers: 2,
  },
});
