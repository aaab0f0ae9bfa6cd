import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The test projects. `npm test` (vitest run) runs all of them; `vitest run --project NAME` runs one.
 * Every test file belongs to exactly one project: `unit` takes every test file that no other
 * project claims, so a new file runs with the fast set unless it is named into another one.
 * test/architecture/projects.test.ts checks the split (each file in exactly one project, no
 * MovieLens outside parity and e2e, no dist/ outside e2e).
 *
 * - unit: unit and contract tests over src/ — no dist/ (no rebuild), no MovieLens.
 * - parity: every file that reads ../shared/data/ml-100k (helpers' ml100kDir), e2e aside; they skip,
 *   saying why, where it is missing. Files named *-ml100k.test.ts land here by name; the others
 *   are listed because they mix unit tests with a MovieLens describe (move those describes into a
 *   *-ml100k.test.ts file and drop the name here, and the rest of the file returns to unit).
 * - fuzz: fast-check property fuzzing with fixed seeds, and the regressions it found.
 * - e2e: the built package — dist/, the `latentrec` command, headless Chromium. Needs `npm run build`.
 */
export const testProjects = {
  parity: [
    'test/**/*-ml100k.test.ts',
    'test/baseline.test.ts',
    'test/blocked-sgd.test.ts',
    'test/curves.test.ts',
    'test/implicit.test.ts',
    'test/svdpp.test.ts',
    'test/data/load-node.test.ts',
    'test/data/ml100k-features.test.ts',
    'test/eval-ranking/protocol.test.ts',
  ],
  fuzz: [
    'test/fuzz/**/*.test.ts',
    'test/**/*-fuzz.test.ts',
  ],
  e2e: [
    'test/e2e/**/*.test.ts',
    'test/cli*.test.ts',
    'test/package*.test.ts',
  ],
} as const;

export default defineConfig({
  test: {
    // The MovieLens parity tests fit dozens of models; on a loaded 2-core machine a fit can take
    // several times its usual second.
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...Object.values(testProjects).flat()] },
      },
      ...Object.entries(testProjects).map(([name, include]) => ({ extends: true as const, test: { name, include: [...include] } })),
    ],
  },
});
