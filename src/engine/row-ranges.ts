// How a pass over the rows of a sparse matrix (ALS row solves, Gibbs rows) is cut into kernel calls: ranges
// of consecutive rows of about equal work, so threads that take ranges from a shared counter
// finish together even when ids are numbered by popularity (the first item rows can hold a large
// share of the interactions), and short enough that V8 runs all but the first call in optimized
// code (a call over every row would run to its end in the baseline compiler). The cut depends on
// the data alone, never on the thread count: both engines add per-range sums in this grouping.

/** Rows first .. end, their work (for the worker pool's stall bound), and optionally a seed for the call. */
export type RowRange = [first: number, end: number, work: number, extra?: number];

/** Ranges a pass is cut into (at least; rows per range are capped too): enough to balance 8 threads or more. */
export const RANGES_PER_PASS = 64;

/**
 * Ranges over rows from .. to of a CSR matrix (`start`), each holding about 1/RANGES_PER_PASS of
 * the work and at most `maxRows` rows; a row's work is its nonzeros plus `rowWork` (what a row
 * costs beyond them, in nonzeros).
 */
export function workRanges(start: Uint32Array, from: number, to: number, rowWork: number, maxRows: number): RowRange[] {
  const total = start[to] - start[from] + rowWork * (to - from);
  const target = total / RANGES_PER_PASS, ranges: RowRange[] = [];
  let first = from;
  while (first < to) {
    let end = first + 1;
    const limit = Math.min(to, first + maxRows);
    while (end < limit && start[end] - start[first] + rowWork * (end - first) < target) end++;
    ranges.push([first, end, start[end] - start[first] + rowWork * (end - first)]);
    first = end;
  }
  return ranges;
}

/** Rows of one alsSolveRows call at most; a row costs about k/2 nonzeros beyond its own (the Gram products). */
export const CG_ROWS_PER_CALL = 512;
/** Rows of one alsExactRows call at most; a row costs about k/3 nonzeros beyond its own (the factorization). */
export const EXACT_ROWS_PER_CALL = 256;

/** Users of one sgdEpochSvdpp call at most; a user costs about one rating beyond its own (z_u and the y update). */
export const SVDPP_USERS_PER_CALL = 1024;

/**
 * Ranges over positions 0 .. order.length of a visiting order (SVD++'s users in epoch order),
 * cut as workRanges cuts rows, a position's work being its row's nonzeros in `start` plus one.
 */
export function orderRanges(order: Uint32Array, start: Uint32Array, maxRows: number): RowRange[] {
  const cumulative = new Uint32Array(order.length + 1);
  for (let k = 0; k < order.length; k++) cumulative[k + 1] = cumulative[k] + start[order[k] + 1] - start[order[k]];
  return workRanges(cumulative, 0, order.length, 1, maxRows);
}
