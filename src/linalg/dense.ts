// A minimal dense f64 matrix for the small pieces of the randomized SVD.
//
// Storage is ROW-MAJOR: element (i, j) lives at data[i * cols + j]. Every function here and in
// qr.ts / eigen.ts / small-svd.ts takes and returns this layout. The kernels are written so that
// their inner loops run along rows (contiguous memory).

import { LatentrecError } from '../errors.js';

/** A row-major dense matrix: element (i, j) is data[i * cols + j]. */
export interface Dense {
  /** Number of rows. */
  rows: number;
  /** Number of columns. */
  cols: number;
  /** The `rows * cols` elements, row by row. */
  data: Float64Array;
}

/** A numerical routine that could not finish (non-convergence, non-finite input, bad shapes). */
export class LinalgError extends LatentrecError {}

/** A rows x cols matrix of zeros. */
export function zeros(rows: number, cols: number): Dense {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new LinalgError(`matrix shape must be non-negative integers (got ${rows} x ${cols})`);
  }
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The n x n identity. */
export function identity(n: number): Dense {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Wraps (does not copy) row-major data; checks that its length is rows * cols. */
export function fromData(rows: number, cols: number, data: Float64Array): Dense {
  if (data.length !== rows * cols) {
    throw new LinalgError(`data has length ${data.length}, expected ${rows} x ${cols} = ${rows * cols}`);
  }
  return { rows, cols, data };
}

/** Builds a matrix from an array of equally long rows (copies). */
export function fromRows(rows: ArrayLike<ArrayLike<number>>): Dense {
  const m = rows.length;
  const n = m === 0 ? 0 : rows[0].length;
  const out = zeros(m, n);
  for (let i = 0; i < m; i++) {
    const r = rows[i];
    if (r.length !== n) throw new LinalgError(`row ${i} has length ${r.length}, expected ${n}`);
    for (let j = 0; j < n; j++) out.data[i * n + j] = r[j];
  }
  return out;
}

/** Aᵀ. */
export function transpose(a: Dense): Dense {
  const { rows: m, cols: n, data: x } = a;
  const out = zeros(n, m);
  for (let i = 0; i < m; i++) scatterRow(x, i * n, n, out.data, i, m);
  return out;
}

/** y[j·m + i] = x[row + j] for j < n: row i of x written as column i of y (a small hot function). */
function scatterRow(x: Float64Array, row: number, n: number, y: Float64Array, i: number, m: number): void {
  for (let j = 0; j < n; j++) y[j * m + i] = x[row + j];
}

/** A·B (A is m x k, B is k x n). */
export function multiply(a: Dense, b: Dense): Dense {
  if (a.cols !== b.rows) throw shapeError('A·B', a, b);
  const out = zeros(a.rows, b.cols);
  combineRows(a.data, a.cols, 1, a.cols, b.data, b.cols, out.data, a.rows, false);
  return out;
}

/** Aᵀ·B (A is k x m, B is k x n; the result is m x n). Does not form Aᵀ. */
export function multiplyAtB(a: Dense, b: Dense): Dense {
  if (a.rows !== b.rows) throw shapeError('Aᵀ·B', a, b);
  const out = zeros(a.cols, b.cols);
  combineRows(a.data, 1, a.cols, a.rows, b.data, b.cols, out.data, a.cols, false);
  return out;
}

/** A·Bᵀ (A is m x k, B is n x k; the result is m x n): dot products of contiguous rows. */
export function multiplyABt(a: Dense, b: Dense): Dense {
  if (a.cols !== b.cols) throw shapeError('A·Bᵀ', a, b);
  const out = zeros(a.rows, b.rows);
  dotRows(a.data, a.rows, b.data, b.rows, a.cols, out.data, false);
  return out;
}

/** A·Aᵀ (m x m, exactly symmetric): dot products of rows. */
export function gramRows(a: Dense): Dense {
  const m = a.rows;
  const out = zeros(m, m);
  dotRows(a.data, m, a.data, m, a.cols, out.data, true);
  mirrorUpper(out.data, m);
  return out;
}

/** Aᵀ·A (n x n, exactly symmetric): a sum of outer products of rows. */
export function gramCols(a: Dense): Dense {
  const n = a.cols;
  const out = zeros(n, n);
  combineRows(a.data, 1, n, a.rows, a.data, n, out.data, n, true);
  mirrorUpper(out.data, n);
  return out;
}

/**
 * z[i][j] += Σ_p x[i·si + p·sp] · y[p·n + j] for i < m, p < k and j < n (only j >= i when `upper`):
 * row i of z accumulates rows of y, four at a time. Row-major z (m x n) and y (k x n).
 */
function combineRows(
  x: Float64Array, si: number, sp: number, k: number,
  y: Float64Array, n: number, z: Float64Array, m: number, upper: boolean,
): void {
  let p = 0;
  for (; p + 3 < k; p += 4) {
    const y0 = p * n, y1 = y0 + n, y2 = y1 + n, y3 = y2 + n;
    for (let i = 0; i < m; i++) {
      const base = i * si + p * sp;
      const c0 = x[base], c1 = x[base + sp], c2 = x[base + 2 * sp], c3 = x[base + 3 * sp];
      if (c0 === 0 && c1 === 0 && c2 === 0 && c3 === 0) continue;
      const zi = i * n;
      for (let j = upper ? i : 0; j < n; j++) {
        z[zi + j] += c0 * y[y0 + j] + c1 * y[y1 + j] + c2 * y[y2 + j] + c3 * y[y3 + j];
      }
    }
  }
  for (; p < k; p++) {
    const y0 = p * n;
    for (let i = 0; i < m; i++) {
      const c0 = x[i * si + p * sp];
      if (c0 === 0) continue;
      const zi = i * n;
      for (let j = upper ? i : 0; j < n; j++) z[zi + j] += c0 * y[y0 + j];
    }
  }
}

/**
 * z[i][j] = dot(row i of x, row j of y) for x m x k, y n x k, z m x n (only j >= i, plus a few
 * below, when `upper`). Blocks of 2 x 4 dot products share their loads. Raw kernel for this folder
 * (not re-exported from index.ts).
 */
export function dotRows(
  x: Float64Array, m: number, y: Float64Array, n: number, k: number, z: Float64Array, upper: boolean,
): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = i * k, a1 = a0 + k;
    let j = upper ? i : 0;
    for (; j + 3 < n; j += 4) dot2x4(x, a0, y, j * k, k, z, i * n + j, n);
    for (; j < n; j++) {
      const b0 = j * k;
      let s0 = 0, s1 = 0;
      for (let t = 0; t < k; t++) {
        const v = y[b0 + t];
        s0 += x[a0 + t] * v;
        s1 += x[a1 + t] * v;
      }
      z[i * n + j] = s0;
      z[(i + 1) * n + j] = s1;
    }
  }
  for (; i < m; i++) {
    const a0 = i * k;
    for (let j = upper ? i : 0; j < n; j++) {
      const b0 = j * k;
      let s0 = 0, s1 = 0;
      let t = 0;
      for (; t + 1 < k; t += 2) {
        s0 += x[a0 + t] * y[b0 + t];
        s1 += x[a0 + t + 1] * y[b0 + t + 1];
      }
      if (t < k) s0 += x[a0 + t] * y[b0 + t];
      z[i * n + j] = s0 + s1;
    }
  }
}

/** The 2 x 4 block z[z0 + {0, n}][0..3] of dotRows: rows a0, a0 + k of x against rows b0 + {0..3}·k of y. */
function dot2x4(x: Float64Array, a0: number, y: Float64Array, b0: number, k: number, z: Float64Array, z0: number, n: number): void {
  const a1 = a0 + k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  for (let t = 0; t < k; t++) {
    const u0 = x[a0 + t], u1 = x[a1 + t];
    const v0 = y[b0 + t], v1 = y[b1 + t], v2 = y[b2 + t], v3 = y[b3 + t];
    s00 += u0 * v0; s01 += u0 * v1; s02 += u0 * v2; s03 += u0 * v3;
    s10 += u1 * v0; s11 += u1 * v1; s12 += u1 * v2; s13 += u1 * v3;
  }
  const z1 = z0 + n;
  z[z0] = s00; z[z0 + 1] = s01; z[z0 + 2] = s02; z[z0 + 3] = s03;
  z[z1] = s10; z[z1 + 1] = s11; z[z1 + 2] = s12; z[z1 + 3] = s13;
}

/** Copies the upper triangle of the n x n row-major z onto its lower triangle. */
function mirrorUpper(z: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) z[j * n + i] = z[i * n + j];
}

/** Throws LinalgError if any entry is NaN or infinite; `what` names the argument. */
export function assertFinite(a: Dense, what: string): void {
  const x = a.data;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      const r = Math.floor(i / a.cols), c = i - r * a.cols;
      throw new LinalgError(`${what} has a non-finite entry at (${r}, ${c}): ${x[i]}`);
    }
  }
}

function shapeError(op: string, a: Dense, b: Dense): LinalgError {
  return new LinalgError(`${op}: shapes ${a.rows} x ${a.cols} and ${b.rows} x ${b.cols} do not conform`);
}
