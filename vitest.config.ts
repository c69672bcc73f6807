import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'out/**'],
    // Some tests spawn processes or open real ledgers on disk.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
