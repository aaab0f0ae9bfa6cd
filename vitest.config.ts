import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The MovieLens parity tests fit dozens of models; on a loaded 2-core machine a fit can take
    // several times its usual second.
    testTimeout: 30_000,
  },
});
