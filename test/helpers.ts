// Shared test helpers (not a test file).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** MovieLens 100k lives outside the repo (its licence forbids redistribution). */
export const ml100kDir = resolve(repoRoot, '../shared/data/ml-100k');
export const hasMl100k = existsSync(resolve(ml100kDir, 'u1.base'));
/** Appended to the names of tests that need MovieLens, so a skip says why. */
export const ml100kNote = hasMl100k ? '' : ` [skipped: MovieLens 100k not found at ${ml100kDir}]`;

if (!hasMl100k) {
  console.warn(`MovieLens 100k not found at ${ml100kDir}: the tests that need it are skipped.`);
}

/** The error of class `type` that `fn` throws; any other error (a TypeError from inside) or none fails the test. */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}
