import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // beforeAll hooks build models and run small batches; on a loaded 2-core machine 10 s is not enough.
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
