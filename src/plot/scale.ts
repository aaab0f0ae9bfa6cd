// Axis arithmetic: "nice" tick values (1-2-5 steps), the data-to-pixel mapping and data extents. Pure functions.

/** An axis's ticks ({@link niceTicks}). */
export interface Ticks {
  /** Lower end of the axis: the first tick, at or below the data minimum. */
  readonly min: number;
  /** Upper end of the axis: the last tick, at or above the data maximum. */
  readonly max: number;
  /** Distance between ticks: 1, 2 or 5 times a power of ten. */
  readonly step: number;
  /** Tick values from min to max, ascending. */
  readonly values: readonly number[];
  /** The tick values formatted with exactly as many decimals as the step needs. */
  readonly labels: readonly string[];
}

/** Options of {@link niceTicks}. */
export interface TickOptions {
  /** Most intervals between ticks (values below 2 count as 2). */
  readonly maxIntervals: number;
  /** Only whole-number steps (e.g. for epochs). */
  readonly integer?: boolean;
}

const MANTISSAS = [1, 2, 5] as const;
/** Slack for floating-point noise when deciding whether a value sits on a tick (e.g. 0.07 / 0.01 = 7.000000000000001). */
const EPSILON = 1e-9;

/**
 * Ticks covering [lo, hi] with the smallest 1-2-5 step that needs at most `maxIntervals` intervals.
 * The axis is widened outward to the neighbouring ticks, so every value in [lo, hi] lies on the axis.
 * A zero-width range is widened around its value first (by 10% of it, or by 1 around 0).
 *
 * Example: niceTicks(0.68, 1.05, { maxIntervals: 8 }) has step 0.05 and ticks 0.65, 0.70, ..., 1.05.
 */
export function niceTicks(lo: number, hi: number, options: TickOptions): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`niceTicks: range must be finite (got ${lo}..${hi})`);
  if (lo > hi) [lo, hi] = [hi, lo];
  const maxIntervals = Math.max(2, Math.floor(options.maxIntervals) || 2);
  if (hi - lo <= Math.max(Math.abs(lo), Math.abs(hi)) * 1e-12) {
    const half = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - half, hi + half];
  }
  const span = hi - lo;
  if (!Number.isFinite(span)) throw new Error(`niceTicks: range ${lo}..${hi} is too wide to draw`);

  let exponent = Math.floor(Math.log10(span / maxIntervals));
  if (options.integer) exponent = Math.max(0, exponent);
  for (; ; exponent++) {
    for (const mantissa of MANTISSAS) {
      const step = tickValue(mantissa, exponent);
      const first = Math.floor(lo / step + EPSILON);
      const last = Math.ceil(hi / step - EPSILON);
      if (last - first > maxIntervals) continue;
      const decimals = Math.min(20, Math.max(0, -exponent));
      const values: number[] = [];
      for (let k = first; k <= last; k++) values.push(zeroSafe(tickValue(k * mantissa, exponent)));
      return {
        min: values[0]!,
        max: values[values.length - 1]!,
        step,
        values,
        labels: values.map((v) => zeroSafe(v).toFixed(decimals)),
      };
    }
  }
}

/** multiple * 10^exponent, computed so that e.g. 5 * 10^-2 is exactly the double nearest 0.05. */
function tickValue(multiple: number, exponent: number): number {
  return exponent < 0 ? multiple / 10 ** -exponent : multiple * 10 ** exponent;
}

function zeroSafe(v: number): number {
  return v === 0 ? 0 : v;
}

/**
 * The linear map sending domain[0] to range[0] and domain[1] to range[1] (e.g. an axis range to pixels;
 * pass the range reversed for a y axis, whose pixels grow downward).
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (!(d1 !== d0) || !Number.isFinite(d0) || !Number.isFinite(d1)) {
    throw new Error(`linearScale: domain must be two distinct finite numbers (got ${d0}..${d1})`);
  }
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/** [min, max] of the finite values, widened on each side by `padding` times the span; undefined if none is finite. */
export function extent(values: Iterable<number>, padding = 0): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return undefined;
  const pad = (hi - lo) * padding;
  return [lo - pad, hi + pad];
}
