// Shared helpers for the linalg tests (not a test file). ml-matrix is the trusted reference: the
// checks below compute their products with it, not with src/linalg.
import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { expect } from 'vitest';
import type { Dense } from '../../src/linalg/index.js';
import { normals } from '../prng.js';

export { mulberry32, normals } from '../prng.js';

export function randomDense(rows: number, cols: number, seed: number): Dense {
  const g = normals(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = g();
  return { rows, cols, data };
}

export function toMl(a: Dense): Matrix {
  return Matrix.from1DArray(a.rows, a.cols, Array.from(a.data));
}

export function fromMl(m: Matrix): Dense {
  return { rows: m.rows, cols: m.columns, data: Float64Array.from(m.to1DArray()) };
}

export function maxAbs(m: Matrix): number {
  let r = 0;
  for (const row of m.to2DArray()) for (const v of row) r = Math.max(r, Math.abs(v));
  return r;
}

export function maxAbsDiff(a: Matrix, b: Matrix): number {
  expect([a.rows, a.columns]).toEqual([b.rows, b.columns]);
  return maxAbs(Matrix.sub(a, b));
}

/** max |QᵀQ - I| over the given columns of Q (all by default). */
export function orthonormalityError(q: Dense, cols?: number[]): number {
  let m = toMl(q);
  if (cols) m = m.subMatrixColumn(cols);
  return maxAbsDiff(m.transpose().mmul(m), Matrix.eye(m.columns));
}

/** Spectral norm, from ml-matrix's SVD. */
export function norm2(m: Matrix): number {
  return new SingularValueDecomposition(m, { autoTranspose: true, computeLeftSingularVectors: false, computeRightSingularVectors: false }).norm2;
}

/** A random m x n matrix with orthonormal columns (n <= m), from ml-matrix's QR. */
export function randomOrthonormal(m: number, n: number, seed: number): Matrix {
  return new QrDecomposition(toMl(randomDense(m, n, seed))).orthogonalMatrix.subMatrix(0, m - 1, 0, n - 1);
}

/** Absolute value of the cosine between columns. */
export function columnCosine(a: Matrix, i: number, b: Matrix, j: number): number {
  const x = a.getColumnVector(i), y = b.getColumnVector(j);
  return Math.abs(x.transpose().mmul(y).get(0, 0)) / (x.norm('frobenius') * y.norm('frobenius'));
}
