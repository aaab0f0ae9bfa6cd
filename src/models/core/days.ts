// The Bayesian FM's day group as a served model keeps it (myFM's "rating day"): a model with days
// predicts ŷ(u, i) for the average day (the rating-weighted mean of the training days, folded into
// μ, the biases and nothing else), and for a rating made on a training day d adds that day's
// deviation from the average: b_d + (p_u + q_i)·v_d. Predictions without a time, on a day the
// training data lacks, or for a user or item the model does not know stay at the average day.

/** Seconds in a day: days are UTC days of the times' seconds since 1970 (as MovieLens writes them). */
export const SECONDS_PER_DAY = 86_400;

/** The day (a whole number) of a time in seconds. */
export function dayOf(time: number): number {
  return Math.floor(time / SECONDS_PER_DAY);
}

/**
 * The Bayesian FM's day group as a fitted model keeps it (option `time`): each training day's
 * deviation from the average day, added to predictions for a rating made on that day.
 */
export interface DayTerms {
  /** The training days, ascending (whole days since 1970; integers below 2^24 in magnitude). */
  days: Float32Array;
  /** days × factors, row-major: each day's factor vector minus the average day's. */
  factors: Float32Array;
  /** Each day's offset minus the average day's. */
  biases: Float32Array;
}

/** The row of the day of `time`, or -1 when the training data had no rating that day. */
export function dayRow(d: DayTerms, time: number): number {
  const day = dayOf(time), days = d.days;
  let lo = 0, hi = days.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] < day) lo = mid + 1;
    else if (days[mid] > day) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/**
 * The day's deviation for a known pair: b_d + (p + q)·v_d, with p and q rows of a padded factor
 * block (`stride` apart) at `pAt` and `qAt`, and k factors.
 */
export function dayDeviation(d: DayTerms, row: number, k: number, P: Float32Array, pAt: number, Q: Float32Array, qAt: number): number {
  let s = 0;
  const base = row * k, V = d.factors;
  for (let f = 0; f < k; f++) s += (P[pAt + f] + Q[qAt + f]) * V[base + f];
  return d.biases[row] + s;
}

