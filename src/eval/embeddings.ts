// Looking at a fitted model's item (or user) vectors as points in a k-dimensional space: how long they are, how
// similar random pairs and nearest neighbours are (in high dimensions random directions are nearly orthogonal:
// cosines concentrate around 0 with spread ~1/sqrt(k)), and a 2-D PCA projection to draw.
//
// All arithmetic is in f64, whatever the storage. Nothing here modifies its input.

import { DataError, OptionError } from '../errors.js';
import { type SymmetricEigenOptions, symmetricEigen, zeros } from '../linalg/index.js';
import { Random } from '../util/random.js';

/** `rows` vectors of length `k`, row-major: row r is data[r * k .. r * k + k) (e.g. ModelState.Q, items x k). */
export interface EmbeddingMatrix {
  /** Number of vectors (e.g. items), an integer >= 0. */
  rows: number;
  /** Length of each vector (the number of factors), an integer >= 0. */
  k: number;
  /** `rows * k` finite values, row-major. */
  data: Float32Array;
}

/**
 * Order statistics and moments of a list of numbers. Quartiles use linear interpolation between order statistics
 * (Hyndman & Fan type 7, numpy's and R's default): for sorted x[0..n-1], the p-quantile is at position h = (n - 1)·p,
 * x[⌊h⌋] + (h - ⌊h⌋)·(x[⌊h⌋ + 1] - x[⌊h⌋]). `std` is the population standard deviation (divides by n).
 */
export interface Summary {
  /** Number of values. */
  count: number;
  /** Smallest value. */
  min: number;
  /** First quartile (25th percentile). */
  p25: number;
  /** Median (50th percentile). */
  median: number;
  /** Third quartile (75th percentile). */
  p75: number;
  /** Largest value. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
  /** Population standard deviation (divides by n). */
  std: number;
}

/** Options of {@link cosineDistribution}. */
export interface CosineOptions {
  /**
   * Random pairs of distinct rows to sample, with replacement. Default 10000. A positive integer.
   *
   * @defaultValue 10000
   */
  pairs?: number;
  /**
   * Seed of the sampling (any 32-bit integer). Default 0.
   *
   * @defaultValue 0
   */
  seed?: number;
  /**
   * Most rows whose nearest neighbour is searched; above it, a seeded sample without replacement. Default 2000.
   * A positive integer.
   *
   * @defaultValue 2000
   */
  neighbourRows?: number;
}

/** How similar rows are: random pairs and nearest neighbours ({@link cosineDistribution}). */
export interface CosineDistribution {
  /** Cosines of `pairs` random pairs of distinct non-zero rows. */
  random: Summary;
  /** For each (sampled) non-zero row, the largest cosine to any other non-zero row. */
  nearestNeighbour: Summary;
  /** Rows of zero norm, left out of both (their cosine is undefined). */
  zeroRows: number;
}

/** Options of {@link pca2d}. */
export interface PcaOptions {
  /** Passed to symmetricEigen (Jacobi on the k x k covariance). */
  eigen?: SymmetricEigenOptions;
}

/** A 2-D principal-component projection of the rows ({@link pca2d}). */
export interface Pca2d {
  /** rows x 2, row-major: the centred rows projected on the first two principal axes. */
  points: Float64Array;
  /** Fraction of the total variance along each of the two axes (0 and 0 when every row is the same). */
  explained: [number, number];
  /** The two principal axes, 2 x k row-major (unit vectors; a zero axis when k < 2 or the variance is exhausted). */
  components: Float64Array;
  /** The mean row that was subtracted, length k. */
  mean: Float64Array;
}

/** Options of {@link embeddingReport}: those of cosineDistribution and pca2d. */
export interface EmbeddingReportOptions extends CosineOptions, PcaOptions {}

/** What {@link embeddingReport} returns. Plain data only (JSON.stringify-safe). */
export interface EmbeddingReport {
  /** Number of rows (vectors). */
  rows: number;
  /** Length of each vector. */
  k: number;
  /** Summary of the rows' Euclidean lengths. */
  norms: Summary;
  /** The cosine distributions, with the sampling settings used. */
  cosine: CosineDistribution & {
    /** Random pairs sampled. */
    pairs: number;
    /** Seed of the sampling. */
    seed: number;
  };
  /** The 2-D PCA projection. */
  pca: {
    /** Fraction of the total variance along each of the two axes. */
    explained: [number, number];
    /** Each row's position on the two axes, with its id. */
    points: Array<{
      /** The row's id (from `ids`). */
      id: string;
      /** Coordinate on the first principal axis. */
      x: number;
      /** Coordinate on the second principal axis. */
      y: number;
    }>;
  };
}

const DEFAULT_PAIRS = 10_000;
const DEFAULT_NEIGHBOUR_ROWS = 2000;

/**
 * Euclidean length of every row, computed in f64.
 *
 * @param m - The vectors.
 * @returns One length per row.
 * @throws {@link DataError} When the matrix's shape is wrong or an entry is not finite.
 */
export function rowNorms(m: EmbeddingMatrix): Float64Array {
  checkMatrix('rowNorms', m);
  const { rows, k, data } = m;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = r * k, end = j + k; j < end; j++) s += data[j]! * data[j]!;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/**
 * Count, min, quartiles (type 7 interpolation, see Summary), max, mean and population std of `values`.
 * Throws a DataError for an empty list or a non-finite value. The input is not reordered.
 *
 * @param values - The numbers.
 * @returns Their summary.
 * @throws {@link DataError} When the list is empty or a value is not finite.
 */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) throw new DataError('summarize: no values to summarize');
  const sorted = Float64Array.from(values);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(sorted[i])) throw new DataError(`summarize: value ${i} is ${sorted[i]}, not a finite number`);
  }
  sorted.sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i]! - mean) ** 2;
  return {
    count: n,
    min: sorted[0]!,
    p25: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    max: sorted[n - 1]!,
    // Summation order can put the mean a rounding error outside [min, max] (e.g. all values equal).
    mean: Math.min(sorted[n - 1]!, Math.max(sorted[0]!, mean)),
    std: Math.sqrt(ss / n),
  };
}

/** Type-7 quantile of ascending `sorted`. */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * For each row in `queries` (default: every row), the other row with the largest cosine similarity and that cosine,
 * by brute force over all rows. Rows of zero norm are never anyone's neighbour; a zero-norm query, or a query with
 * no other non-zero row, gets index -1 and cosine NaN. Ties go to the lowest row index.
 *
 * @param m - The vectors.
 * @param queries - Row indices to find neighbours for; default every row.
 * @returns Per query, the neighbour's row index and the cosine.
 * @throws {@link DataError} When the matrix is malformed or a query is not a row index.
 */
export function nearestNeighbours(m: EmbeddingMatrix, queries?: ArrayLike<number>): {
  /** Per query: the nearest other row, or -1. */
  index: Int32Array;
  /** Per query: the cosine similarity to that row, or NaN. */
  cosine: Float64Array;
} {
  checkMatrix('nearestNeighbours', m);
  const norms = rowNorms(m);
  const q = queries ?? Int32Array.from({ length: m.rows }, (_, i) => i);
  for (let t = 0; t < q.length; t++) {
    const r = q[t]!;
    if (!Number.isInteger(r) || r < 0 || r >= m.rows) {
      throw new DataError(`nearestNeighbours: query ${t} is row ${r}, outside 0..${m.rows - 1}`);
    }
  }
  return neighboursOf(m, norms, q);
}

function neighboursOf(m: EmbeddingMatrix, norms: Float64Array, queries: ArrayLike<number>): { index: Int32Array; cosine: Float64Array } {
  const { rows, k, data } = m;
  const index = new Int32Array(queries.length).fill(-1);
  const cosine = new Float64Array(queries.length).fill(NaN);
  for (let t = 0; t < queries.length; t++) {
    const a = queries[t]!;
    const na = norms[a]!;
    if (na === 0) continue;
    const ao = a * k;
    let best = -Infinity;
    let bestIndex = -1;
    for (let b = 0; b < rows; b++) {
      const nb = norms[b]!;
      if (b === a || nb === 0) continue;
      let dot = 0;
      for (let j = 0, bo = b * k; j < k; j++) dot += data[ao + j]! * data[bo + j]!;
      const c = dot / (na * nb);
      if (c > best) {
        best = c;
        bestIndex = b;
      }
    }
    if (bestIndex >= 0) {
      index[t] = bestIndex;
      cosine[t] = clampUnit(best);
    }
  }
  return { index, cosine };
}

/**
 * The distribution of cosine similarity between rows, two ways:
 * - `random`: `pairs` (default 10000) pairs drawn with replacement; each pair is two distinct non-zero rows, the first
 *   uniform, the second uniform among the others (so every unordered pair is equally likely).
 * - `nearestNeighbour`: for every non-zero row (or, when there are more than `neighbourRows` (default 2000), a seeded
 *   sample of that many, without replacement), the cosine to its most similar other non-zero row, exact by brute force
 *   over all rows (cost: sampled rows x rows x k).
 * Rows of zero norm have no direction and are skipped by both (counted in `zeroRows`). Sampling uses the project's seeded generator (util/random)
 * seeded with `seed` (default 0): the same matrix and options give the same result.
 * Throws a DataError when fewer than two rows have a non-zero norm, an OptionError for a bad option.
 *
 * @param m - The vectors.
 * @param options - Pairs, seed and rows searched.
 * @returns Summaries of the random-pair and nearest-neighbour cosines, and the zero rows.
 * @throws {@link DataError} When the matrix is malformed or fewer than two rows are non-zero.
 * @throws {@link OptionError} When pairs or neighbourRows is not a positive integer or the seed is not an integer.
 */
export function cosineDistribution(m: EmbeddingMatrix, options: CosineOptions = {}): CosineDistribution {
  checkMatrix('cosineDistribution', m);
  const pairs = options.pairs ?? DEFAULT_PAIRS;
  const seed = options.seed ?? 0;
  const neighbourRows = options.neighbourRows ?? DEFAULT_NEIGHBOUR_ROWS;
  if (!Number.isInteger(pairs) || pairs < 1) throw new OptionError('pairs', 'a positive integer', pairs);
  if (!Number.isInteger(seed)) throw new OptionError('seed', 'an integer', seed);
  if (!Number.isInteger(neighbourRows) || neighbourRows < 1) throw new OptionError('neighbourRows', 'a positive integer', neighbourRows);

  const { k, data } = m;
  const norms = rowNorms(m);
  const live: number[] = [];
  for (let r = 0; r < m.rows; r++) if (norms[r]! > 0) live.push(r);
  const n = live.length;
  if (n < 2) {
    throw new DataError(
      `cosineDistribution: needs at least two rows of non-zero norm (got ${n} of ${m.rows} rows); zero rows have no direction`,
    );
  }

  const random = new Random(seed);
  const below = (limit: number): number => random.nextInt(limit);
  const randomCos = new Float64Array(pairs);
  for (let p = 0; p < pairs; p++) {
    const i = below(n);
    let j = below(n - 1);
    if (j >= i) j++;
    const a = live[i]! * k, b = live[j]! * k;
    let dot = 0;
    for (let t = 0; t < k; t++) dot += data[a + t]! * data[b + t]!;
    randomCos[p] = clampUnit(dot / (norms[live[i]!]! * norms[live[j]!]!));
  }

  let queries = live;
  if (n > neighbourRows) {
    // Partial Fisher-Yates: the first neighbourRows entries become a uniform sample without replacement.
    const pool = live.slice();
    for (let t = 0; t < neighbourRows; t++) {
      const s = t + below(n - t);
      [pool[t], pool[s]] = [pool[s]!, pool[t]!];
    }
    queries = pool.slice(0, neighbourRows).sort((x, y) => x - y);
  }
  const nn = neighboursOf(m, norms, queries);

  return { random: summarize(randomCos), nearestNeighbour: summarize(nn.cosine), zeroRows: m.rows - n };
}

/**
 * Principal components of the rows, for a 2-D picture: subtract the mean row, form the k x k covariance (f64, divided
 * by rows - 1), take its eigendecomposition (symmetricEigen) and project every row on the two leading eigenvectors.
 * `explained[c]` is eigenvalue c over the trace (the total variance). Sign convention: each axis's entry of largest
 * magnitude (the first, on ties) is positive, so the output is deterministic. All rows take part, zero rows included.
 * When k < 2 the second axis is zero; when all rows are equal everything is 0.
 * Throws a DataError for an empty matrix or a non-finite entry.
 *
 * @param m - The vectors.
 * @param options - Settings of the eigendecomposition.
 * @returns The projected points, the explained variance, the axes and the mean.
 * @throws {@link DataError} When the matrix is malformed or has no rows or no columns.
 * @throws LinalgError (a {@link LatentrecError}) When `options.eigen` is invalid or the
 *   eigendecomposition does not converge within its sweeps.
 */
export function pca2d(m: EmbeddingMatrix, options: PcaOptions = {}): Pca2d {
  checkMatrix('pca2d', m);
  const { rows, k, data } = m;
  if (rows === 0 || k === 0) throw new DataError(`pca2d: nothing to project (${rows} rows x ${k} dimensions)`);

  const mean = new Float64Array(k);
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) mean[j] += data[r * k + j]!;
  for (let j = 0; j < k; j++) mean[j] /= rows;

  // Upper triangle, accumulated row by row, then mirrored.
  const cov = zeros(k, k);
  const c = cov.data;
  const centred = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) centred[j] = data[r * k + j]! - mean[j]!;
    for (let a = 0; a < k; a++) {
      const va = centred[a]!;
      if (va === 0) continue;
      for (let b = a; b < k; b++) c[a * k + b] += va * centred[b]!;
    }
  }
  const denominator = Math.max(1, rows - 1);
  let trace = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      c[a * k + b] /= denominator;
      c[b * k + a] = c[a * k + b]!;
    }
    trace += c[a * k + a]!;
  }

  const components = new Float64Array(2 * k);
  const explained: [number, number] = [0, 0];
  if (trace > 0) {
    const eig = symmetricEigen(cov, options.eigen);
    for (let comp = 0; comp < Math.min(2, k); comp++) {
      const value = Math.max(0, eig.values[comp]!);
      if (value === 0) continue; // no variance left along this axis: leave it zero
      explained[comp] = Math.min(1, value / trace);
      let big = 0, sign = 1;
      for (let j = 0; j < k; j++) {
        const v = eig.vectors.data[j * k + comp]!;
        if (Math.abs(v) > big) {
          big = Math.abs(v);
          sign = v < 0 ? -1 : 1;
        }
      }
      for (let j = 0; j < k; j++) components[comp * k + j] = sign * eig.vectors.data[j * k + comp]!;
    }
  }

  const points = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    let x = 0, y = 0;
    for (let j = 0; j < k; j++) {
      const v = data[r * k + j]! - mean[j]!;
      x += v * components[j]!;
      y += v * components[k + j]!;
    }
    points[2 * r] = x;
    points[2 * r + 1] = y;
  }
  return { points, explained, components, mean };
}

/**
 * Everything above in one JSON-serializable object: norm summary, cosine distributions and the PCA projection with
 * each row's id (ids[r] names row r). The PCA axes and mean are left out (call pca2d for them).
 * Throws a DataError when ids.length differs from m.rows, plus whatever the parts throw.
 *
 * @param m - The vectors, e.g. a model's item factors.
 * @param ids - One id per row, e.g. the model's itemIds.
 * @param options - Those of cosineDistribution and pca2d.
 * @returns The report.
 * @throws {@link DataError} When `ids` does not have one id per row, or as the parts do.
 * @throws {@link OptionError} For a bad sampling option.
 */
export function embeddingReport(m: EmbeddingMatrix, ids: readonly string[], options: EmbeddingReportOptions = {}): EmbeddingReport {
  checkMatrix('embeddingReport', m);
  if (!Array.isArray(ids) || ids.length !== m.rows) {
    throw new DataError(`embeddingReport: ${Array.isArray(ids) ? ids.length : 'no'} ids for ${m.rows} rows; give one id per row`);
  }
  const cosine = cosineDistribution(m, options);
  const pca = pca2d(m, options);
  const points = ids.map((id, r) => ({ id: String(id), x: pca.points[2 * r]!, y: pca.points[2 * r + 1]! }));
  return {
    rows: m.rows,
    k: m.k,
    norms: summarize(rowNorms(m)),
    cosine: { ...cosine, pairs: options.pairs ?? DEFAULT_PAIRS, seed: options.seed ?? 0 },
    pca: { explained: [pca.explained[0], pca.explained[1]], points },
  };
}

/** Shape and finiteness; a DataError naming the first problem. */
function checkMatrix(caller: string, m: EmbeddingMatrix): void {
  if (m == null || typeof m !== 'object') throw new DataError(`${caller}: expected { rows, k, data }, got ${String(m)}`);
  const { rows, k, data } = m;
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(k) || k < 0) {
    throw new DataError(`${caller}: rows and k must be non-negative integers (got ${rows} x ${k})`);
  }
  if (data == null || typeof data.length !== 'number' || data.length !== rows * k) {
    throw new DataError(`${caller}: data has length ${data?.length}, expected rows x k = ${rows} x ${k} = ${rows * k}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new DataError(`${caller}: entry (${Math.floor(i / k)}, ${i % k}) is ${data[i]}, not a finite number`);
    }
  }
}

function clampUnit(c: number): number {
  return c > 1 ? 1 : c < -1 ? -1 : c;
}
