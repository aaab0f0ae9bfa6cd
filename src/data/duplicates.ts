// Duplicate (user, item) rows: found and resolved in O(n + users + items) with a stable counting
// sort of the rows by user and a per-item stamp array (no hash map, no object per rating).
import { Dataset } from './dataset.js';
import { groupRows } from './group.js';

/**
 * 'keep': duplicates stay separate ratings (Surprise's behaviour);
 * 'last': the last row's rating wins, kept at the position of the first row;
 * 'mean': the mean of the duplicates, kept at the position of the first row.
 */
export type DuplicatePolicy = 'keep' | 'last' | 'mean';

export const DUPLICATE_POLICIES: readonly DuplicatePolicy[] = ['keep', 'last', 'mean'];

export interface DedupeResult {
  readonly userIndex: Uint32Array;
  readonly itemIndex: Uint32Array;
  readonly ratings: Float32Array;
  /** Rows that repeated an earlier (user, item) row. */
  readonly found: number;
  /** Rows dropped (0 for 'keep', `found` otherwise). */
  readonly removed: number;
}

/**
 * Applies a duplicate policy to parallel rating arrays (internal ids < userCount / itemCount).
 * Rows kept stay in their first-appearance order. With 'keep', or when there are no duplicates,
 * the input arrays are returned as they are.
 */
export function dedupeRatings(
  userIndex: Uint32Array,
  itemIndex: Uint32Array,
  ratings: Float32Array,
  userCount: number,
  itemCount: number,
  policy: DuplicatePolicy,
): DedupeResult {
  const n = ratings.length;

  const { start, rows: order } = groupRows(userIndex, userCount);

  // stamp[item] === u + 1 when user u has already rated item; first[item] is that first row.
  const stamp = new Uint32Array(itemCount);
  const first = new Uint32Array(itemCount);
  const keep = new Uint8Array(n);
  const last = policy === 'last' ? ratings.slice() : undefined;
  const sum = policy === 'mean' ? new Float64Array(n) : undefined;
  const count = policy === 'mean' ? new Uint32Array(n) : undefined;
  let found = 0;

  for (let u = 0; u < userCount; u++) {
    const mark = u + 1;
    for (let k = start[u]; k < start[u + 1]; k++) {
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
        if (sum && count) {
          sum[f] += ratings[row];
          count[f]++;
        }
      }
    }
  }

  if (policy === 'keep' || found === 0) {
    return { userIndex, itemIndex, ratings, found, removed: 0 };
  }

  const m = n - found;
  const outU = new Uint32Array(m);
  const outI = new Uint32Array(m);
  const outR = new Float32Array(m);
  let w = 0;
  for (let row = 0; row < n; row++) {
    if (!keep[row]) continue;
    outU[w] = userIndex[row];
    outI[w] = itemIndex[row];
    outR[w] = last ? last[row] : sum && count ? sum[row] / count[row] : ratings[row];
    w++;
  }
  return { userIndex: outU, itemIndex: outI, ratings: outR, found, removed: found };
}

/** The dataset with the duplicate policy applied (same id maps and scale). */
export function resolveDuplicates(
  dataset: Dataset,
  policy: DuplicatePolicy,
): { dataset: Dataset; found: number; removed: number } {
  const r = dedupeRatings(
    dataset.userIndex,
    dataset.itemIndex,
    dataset.ratings,
    dataset.userCount,
    dataset.itemCount,
    policy,
  );
  if (r.removed === 0) return { dataset, found: r.found, removed: 0 };
  return {
    dataset: new Dataset(dataset.users, dataset.items, r.userIndex, r.itemIndex, r.ratings, dataset.scale),
    found: r.found,
    removed: r.removed,
  };
}
