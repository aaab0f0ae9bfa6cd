// Truncated SVD of the user-mean-filled rating matrix without forming it (the lecture's steps
// 1-3): with c_u the value filled into user u's missing cells, the filled matrix is
//   M = R + c·1ᵀ,   R sparse: r_ui − c_u on the observed cells, 0 elsewhere,
// so M·X = R·X + c·(1ᵀX) and Mᵀ·Y = Rᵀ·Y + 1·(cᵀY): sparse products (wasm kernels) plus a
// rank-one correction. The factorization is the randomized subspace iteration of Halko,
// Martinsson & Tropp (2011, Alg. 4.4 + 5.1). Only users x l, items x l and l x l arrays exist
// (l = k + oversampling), never users x items.
import type { Dataset } from '../../data/dataset.js';
import { groupRows } from '../../data/group.js';
import type { Engine, F32, SparseRows } from '../../engine/index.js';
import { strideFor } from '../../engine/index.js';
import { OptionError } from '../../errors.js';
import { type Dense, orthonormalize, svdOfWide, zeros } from '../../linalg/index.js';
import type { RandomSource } from '../../util/random.js';

/** Settings of the randomized SVD of {@link truncatedSvdOfFilled}. */
export interface TruncatedSvdOptions {
  /**
   * Extra random directions beyond k, an integer >= 0.
   * @defaultValue 10
   */
  oversample?: number;
  /**
   * Power (subspace) iterations, an integer >= 0: more sharpen the trailing singular values
   * (PureSVD uses 4).
   * @defaultValue 2
   */
  powerIterations?: number;
}

/** A rank-k truncated SVD, M ≈ u · diag(values) · vᵀ, as {@link truncatedSvdOfFilled} returns it. */
export interface TruncatedSvd {
  /** users x k, orthonormal columns (row-major). */
  u: Dense;
  /** k singular values, descending. */
  values: Float64Array;
  /** items x k, orthonormal columns (row-major). */
  v: Dense;
}

export const TRUNCATED_SVD_DEFAULTS = { oversample: 10, powerIterations: 2 } as const;

/** Each user's mean training rating (the global mean for a user with none). */
export function userMeans(train: Dataset): Float64Array {
  const sum = new Float64Array(train.userCount), count = new Uint32Array(train.userCount);
  for (let t = 0; t < train.size; t++) {
    sum[train.userIndex[t]] += train.ratings[t];
    count[train.userIndex[t]]++;
  }
  const mu = train.globalMean();
  return sum.map((s, u) => (count[u] > 0 ? s / count[u] : mu));
}

/**
 * Rank-k SVD of M = (the ratings minus `shift`, each user's missing cells filled with the user's
 * mean minus `shift`). k must be at most min(users, items). The randomized subspace iteration of
 * Halko, Martinsson & Tropp (2011) on M as an operator: only users x l, items x l and l x l
 * arrays exist (l = k + oversample), never the users x items matrix.
 * @param engine - The engine whose sparse kernels multiply by the ratings (from createEngine).
 * @param train - The ratings.
 * @param k - The rank, an integer in [1, min(users, items)].
 * @param random - The source of the random starting directions (e.g. `new Random(seed)`).
 * @param options - Oversampling and power iterations.
 * @param shift - Subtracted from every cell, observed or filled (SVD's init uses μ).
 * @returns U (users x k), the k singular values (descending) and V (items x k).
 * @throws {@link OptionError} when k is out of range, or an option is not an integer >= 0.
 */
export function truncatedSvdOfFilled(
  engine: Engine, train: Dataset, k: number, random: RandomSource, options: TruncatedSvdOptions = {}, shift = 0,
): TruncatedSvd {
  const m = train.userCount, n = train.itemCount;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(m, n)) {
    throw new OptionError('factors', `at most min(users, items) = min(${m}, ${n}) = ${Math.min(m, n)} for a truncated SVD (PureSVD, init 'svd'): lower factors`, k);
  }
  const oversample = options.oversample ?? TRUNCATED_SVD_DEFAULTS.oversample;
  const powerIterations = options.powerIterations ?? TRUNCATED_SVD_DEFAULTS.powerIterations;
  if (!Number.isInteger(oversample) || oversample < 0) throw new OptionError('oversample', 'an integer >= 0', oversample);
  if (!Number.isInteger(powerIterations) || powerIterations < 0) throw new OptionError('powerIterations', 'an integer >= 0', powerIterations);
  const l = Math.min(k + oversample, m, n);
  const means = userMeans(train);
  const mark = engine.mark();
  try {
    const op = new FilledMatrix(engine, train, means, shift, l);
    const omega = zeros(n, l);
    for (let t = 0; t < omega.data.length; t++) omega.data[t] = random.nextNormal();
    let q = orthonormalize(op.times(omega));
    for (let it = 0; it < powerIterations; it++) {
      q = orthonormalize(op.times(orthonormalize(op.transposeTimes(q))));
    }
    const bt = op.transposeTimes(q); // Bᵀ = Mᵀ·Q, n x l
    const small = svdOfWide(transposeOf(bt));
    const u = multiplyTruncated(q, small.u, k); // users x k = Q · U_B
    return { u, values: small.values.slice(0, k), v: firstColumns(small.v, k) };
  } finally {
    engine.release(mark);
  }
}

/** M = R + c·1ᵀ as an operator on dense blocks; the sparse part lives in engine memory. */
class FilledMatrix {
  private readonly rows: SparseRows;
  private readonly stride: number;
  private readonly itemBlock: F32;
  private readonly userBlock: F32;

  /** The filled value of each user's missing cells: the user's mean minus the shift. */
  private readonly c: Float64Array;

  constructor(
    private readonly engine: Engine,
    private readonly train: Dataset,
    means: Float64Array,
    shift: number,
    private readonly l: number,
  ) {
    this.c = means.map((mean) => mean - shift);
    // One entry per (user, item) cell: repeated rows (duplicates policy 'keep') are averaged,
    // so a cell holds a rating, not a sum of them.
    const { start, rows } = groupRows(train.userIndex, train.userCount);
    const cellStart = new Uint32Array(start.length);
    const cols: number[] = [];
    const vals: number[] = [];
    const slot = new Int32Array(train.itemCount).fill(-1);
    const counts: number[] = [];
    for (let u = 0; u < train.userCount; u++) {
      const first = cols.length;
      for (let k = start[u]; k < start[u + 1]; k++) {
        const t = rows[k], i = train.itemIndex[t];
        if (slot[i] >= first) {
          vals[slot[i]] += train.ratings[t];
          counts[slot[i]]++;
        } else {
          slot[i] = cols.length;
          cols.push(i);
          vals.push(train.ratings[t]);
          counts.push(1);
        }
      }
      cellStart[u + 1] = cols.length;
    }
    this.rows = { start: engine.allocU32(cellStart.length), cols: engine.allocU32(cols.length), vals: engine.allocF32(cols.length), rowCount: train.userCount };
    this.rows.start.array().set(cellStart);
    this.rows.cols.array().set(cols);
    const v = this.rows.vals.array();
    for (let u = 0; u < train.userCount; u++) {
      for (let k = cellStart[u]; k < cellStart[u + 1]; k++) v[k] = vals[k] / counts[k] - means[u]; // (r_ui − shift) − c_u
    }
    this.stride = strideFor(l);
    this.itemBlock = engine.allocF32(train.itemCount * this.stride);
    this.userBlock = engine.allocF32(train.userCount * this.stride);
  }

  /** M·X for X items x l: R·X + c·(1ᵀX). */
  times(x: Dense): Dense {
    const { l, stride, train } = this;
    put(this.itemBlock, x, stride);
    this.engine.sparseTimesDense(this.rows, this.itemBlock, this.userBlock, stride);
    const out = take(this.userBlock, train.userCount, l, stride);
    const colSums = new Float64Array(l);
    for (let i = 0; i < x.rows; i++) for (let j = 0; j < l; j++) colSums[j] += x.data[i * l + j];
    for (let u = 0; u < out.rows; u++) for (let j = 0; j < l; j++) out.data[u * l + j] += this.c[u] * colSums[j];
    return out;
  }

  /** Mᵀ·Y for Y users x l: Rᵀ·Y + 1·(cᵀY). */
  transposeTimes(y: Dense): Dense {
    const { l, stride, train } = this;
    put(this.userBlock, y, stride);
    this.engine.sparseTransposeTimesDense(this.rows, this.userBlock, this.itemBlock, stride);
    const out = take(this.itemBlock, train.itemCount, l, stride);
    const cty = new Float64Array(l);
    for (let u = 0; u < y.rows; u++) for (let j = 0; j < l; j++) cty[j] += this.c[u] * y.data[u * l + j];
    for (let i = 0; i < out.rows; i++) for (let j = 0; j < l; j++) out.data[i * l + j] += cty[j];
    return out;
  }
}

/** Dense (f64, rows x l) into engine rows of `stride` floats. */
function put(h: F32, a: Dense, stride: number): void {
  const dst = h.array();
  for (let r = 0; r < a.rows; r++) for (let j = 0; j < a.cols; j++) dst[r * stride + j] = a.data[r * a.cols + j];
}

function take(h: F32, rows: number, l: number, stride: number): Dense {
  const src = h.array(), out = zeros(rows, l);
  for (let r = 0; r < rows; r++) for (let j = 0; j < l; j++) out.data[r * l + j] = src[r * stride + j];
  return out;
}

function transposeOf(a: Dense): Dense {
  const out = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  return out;
}

/** (a · b) keeping the first k columns of b. */
function multiplyTruncated(a: Dense, b: Dense, k: number): Dense {
  const out = zeros(a.rows, k);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const x = a.data[i * a.cols + p];
      if (x === 0) continue;
      for (let j = 0; j < k; j++) out.data[i * k + j] += x * b.data[p * b.cols + j];
    }
  }
  return out;
}

function firstColumns(a: Dense, k: number): Dense {
  const out = zeros(a.rows, k);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < k; j++) out.data[i * k + j] = a.data[i * a.cols + j];
  return out;
}
