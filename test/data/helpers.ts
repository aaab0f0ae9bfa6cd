// Shared test helpers for test/data (not a test file itself).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** MovieLens 100k, outside the repo (never copied into it). */
export const ml100kDir = resolve(repoRoot, '../shared/data/ml-100k');
export const hasMl100k = existsSync(resolve(ml100kDir, 'u.data'));
export const ml100kReason = hasMl100k ? '' : ` (skipped: MovieLens 100k not found at ${ml100kDir})`;

/** Rows as [rawUser, rawItem, rating] in dataset order. */
export function triples(ds: Dataset): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  for (let t = 0; t < ds.size; t++) {
    out.push([ds.users.raw[ds.userIndex[t]], ds.items.raw[ds.itemIndex[t]], ds.ratings[t]]);
  }
  return out;
}

export function expectSameDataset(a: Dataset, b: Dataset): void {
  expect(a.users.raw).toEqual(b.users.raw);
  expect(a.items.raw).toEqual(b.items.raw);
  expect(Array.from(a.userIndex)).toEqual(Array.from(b.userIndex));
  expect(Array.from(a.itemIndex)).toEqual(Array.from(b.itemIndex));
  expect(Array.from(a.ratings)).toEqual(Array.from(b.ratings));
  expect(a.scale).toEqual(b.scale);
}

/** Calls fn and returns the error it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error to be thrown');
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
