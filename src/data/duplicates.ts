// Duplicate (user, item) rows: found and resolved in O(n + users + items) with a stable counting
// sort of the rows by user and a per-item stamp array (no hash map, no object per rating). Working
// memory for the default 'keep': about 1 byte per rating plus 8 per user and 4 per item.
import { Dataset } from './dataset.js';

/** Passes over the rows for the counting sort once there are more than BAND_MIN_ROWS of them. */
const BANDS = 4;
const BAND_MIN_ROWS = 1 << 20;

/**
 * 'keep': duplicates stay separate ratings (Surprise's behaviour);
 * 'last': the last row's rating (and time) wins, kept at the position of the first row;
 * 'mean': the mean of the duplicates at the latest of their times, kept at the position of the first row.
 */
export type DuplicatePolicy = 'keep' | 'last' | 'mean';

/** Every {@link DuplicatePolicy}, e.g. for a command-line choice or to validate a value. */
export const DUPLICATE_POLICIES: readonly DuplicatePolicy[] = ['keep', 'last', 'mean'];

/** The rows {@link dedupeRatings} keeps, and how many duplicates it found and removed. */
export interface DedupeResult {
  /** Internal user id of each row kept. */
  readonly userIndex: Uint32Array;
  /** Internal item id of each row kept. */
  readonly itemIndex: Uint32Array;
  /** Rating of each row kept (under 'last' or 'mean', the resolved rating). */
  readonly ratings: Float32Array;
  /** The times of the rows kept, when times were given. */
  readonly times?: Float64Array;
  /** Rows that repeated an earlier (user, item) row. */
  readonly found: number;
  /** Rows dropped (0 for 'keep', `found` otherwise). */
  readonly removed: number;
}

/**
 * Applies a duplicate policy to parallel rating arrays (internal ids < userCount / itemCount).
 * Rows kept stay in their first-appearance order. With 'keep', or when there are no duplicates,
 * the input arrays are returned as they are.
 *
 * @param userIndex - Internal user id per row.
 * @param itemIndex - Internal item id per row (same length).
 * @param ratings - Rating per row (same length).
 * @param userCount - Number of users (every user id is below it).
 * @param itemCount - Number of items (every item id is below it).
 * @param policy - What to do with repeated (user, item) rows.
 * @param times - Optional time per row; resolved with the ratings (see {@link DuplicatePolicy}).
 * @param inPlace - Compact the kept rows within the given arrays (returned as views of them) rather than into new ones.
 * @returns The rows kept and the counts.
 */
export function dedupeRatings(
  userIndex: Uint32Array,
  itemIndex: Uint32Array,
  ratings: Float32Array,
  userCount: number,
  itemCount: number,
  policy: DuplicatePolicy,
  times?: Float64Array,
  /** Compact the kept rows within the given arrays (returned as views of them) rather than into new ones. */
  inPlace = false,
): DedupeResult {
  const n = ratings.length;

  // Rows by user (a counting sort), in bands of users holding about a quarter of the rows each,
  // so the row index costs 1 byte per rating rather than 4: one pass over userIndex per band.
  const start = new Uint32Array(userCount + 1);
  for (let t = 0; t < n; t++) start[userIndex[t] + 1]++;
  let most = 0;
  for (let u = 0; u < userCount; u++) {
    if (start[u + 1] > most) most = start[u + 1];
    start[u + 1] += start[u];
  }
  const budget = n <= BAND_MIN_ROWS ? n : Math.max(most, Math.ceil(n / BANDS));
  const order = new Uint32Array(budget);
  const next = new Uint32Array(userCount);

  // stamp[item] === u + 1 when user u has already rated item; first[item] is that first row.
  const stamp = new Uint32Array(itemCount);
  let found = 0;
  if (policy === 'keep') {
    // Only counted: each band holds item ids grouped by user, read in order (no random reads).
    for (let u0 = 0; u0 < userCount; ) {
      const u1 = bandEnd(start, u0, budget);
      found += countBand(userIndex, itemIndex, u0, u1, start, next, order, stamp);
      u0 = u1;
    }
    return { userIndex, itemIndex, ratings, times, found, removed: 0 };
  }

  const first = new Uint32Array(itemCount);
  const keep = new Uint8Array(n);
  const last = policy === 'last' ? ratings.slice() : undefined;
  const when = times?.slice();
  const sum = policy === 'mean' ? new Float64Array(n) : undefined;
  const count = policy === 'mean' ? new Uint32Array(n) : undefined;
  for (let u0 = 0; u0 < userCount; ) {
    const u1 = bandEnd(start, u0, budget);
    // The band holds row numbers grouped by user, each user's in their original order.
    const base = start[u0];
    for (let u = u0; u < u1; u++) next[u] = start[u] - base;
    for (let t = 0; t < n; t++) {
      const u = userIndex[t];
      if (u >= u0 && u < u1) order[next[u]++] = t;
    }
    for (let u = u0; u < u1; u++) {
      const mark = u + 1;
      for (let k = start[u] - base, end = start[u + 1] - base; k < end; k++) {
        const row = order[k];
        const item = itemIndex[row];
        if (stamp[item] !== mark) {
          stamp[item] = mark;
          first[item] = row;
          keep[row] = 1;
          if (sum && count) {
            sum[row] = ratings[row];
            count[row] = 1;
          }
        } else {
          found++;
          const f = first[item];
          if (last) last[f] = ratings[row];
          if (when) when[f] = last ? times![row] : Math.max(when[f], times![row]);
          if (sum && count) {
            sum[f] += ratings[row];
            count[f]++;
          }
        }
      }
    }
    u0 = u1;
  }

  if (found === 0) {
    return { userIndex, itemIndex, ratings, times, found, removed: 0 };
  }

  const m = n - found;
  // In place: row w <= row, so a kept row is written over one already read.
  const outU = inPlace ? userIndex : new Uint32Array(m);
  const outI = inPlace ? itemIndex : new Uint32Array(m);
  const outR = inPlace ? ratings : new Float32Array(m);
  const outT = when ? new Float64Array(m) : undefined;
  let w = 0;
  for (let row = 0; row < n; row++) {
    if (!keep[row]) continue;
    outU[w] = userIndex[row];
    outI[w] = itemIndex[row];
    outR[w] = last ? last[row] : sum && count ? sum[row] / count[row] : ratings[row];
    if (outT) outT[w] = when![row];
    w++;
  }
  return { userIndex: outU.subarray(0, m), itemIndex: outI.subarray(0, m), ratings: outR.subarray(0, m), times: outT, found, removed: found };
}

/** The end of the band of users from u0: as many users as fit `budget` rows, at least one. */
function bandEnd(start: Uint32Array, u0: number, budget: number): number {
  const userCount = start.length - 1;
  let u1 = u0 + 1;
  while (u1 < userCount && start[u1 + 1] - start[u0] <= budget) u1++;
  return u1;
}

/** Repeated (user, item) rows of users u0..u1-1, from their item ids grouped by user into `items`. */
function countBand(
  userIndex: Uint32Array,
  itemIndex: Uint32Array,
  u0: number,
  u1: number,
  start: Uint32Array,
  next: Uint32Array,
  items: Uint32Array,
  stamp: Uint32Array,
): number {
  const n = userIndex.length;
  const base = start[u0];
  for (let u = u0; u < u1; u++) next[u] = start[u] - base;
  for (let t = 0; t < n; t++) {
    const u = userIndex[t];
    if (u >= u0 && u < u1) items[next[u]++] = itemIndex[t];
  }
  let found = 0;
  for (let u = u0; u < u1; u++) {
    const mark = u + 1;
    for (let k = start[u] - base, end = start[u + 1] - base; k < end; k++) {
      const item = items[k];
      if (stamp[item] === mark) found++;
      else stamp[item] = mark;
    }
  }
  return found;
}

/**
 * The dataset with the duplicate policy applied (same id maps and scale), e.g. for a dataset
 * built with {@link Dataset.fromTriples}; the parsers apply their `duplicates` option themselves.
 *
 * @param dataset - The ratings.
 * @param policy - What to do with repeated (user, item) rows.
 * @returns The resulting dataset (the same object when nothing was removed) and the counts.
 */
export function resolveDuplicates(
  dataset: Dataset,
  policy: DuplicatePolicy,
): {
  /** The dataset with the policy applied; `dataset` itself when no row was removed. */
  dataset: Dataset;
  /** Rows that repeated an earlier (user, item) row. */
  found: number;
  /** Rows dropped (0 for 'keep', `found` otherwise). */
  removed: number;
} {
  const r = dedupeRatings(
    dataset.userIndex,
    dataset.itemIndex,
    dataset.ratings,
    dataset.userCount,
    dataset.itemCount,
    policy,
    dataset.times,
  );
  if (r.removed === 0) return { dataset, found: r.found, removed: 0 };
  return {
    dataset: new Dataset(dataset.users, dataset.items, r.userIndex, r.itemIndex, r.ratings, dataset.scale, r.times),
    found: r.found,
    removed: r.removed,
  };
}
