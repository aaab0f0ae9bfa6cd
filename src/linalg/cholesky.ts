// Solve a small symmetric positive-definite system A·x = b by Cholesky (A = L·Lᵀ), for the
// ridge solves of fold-in ((k+1) x (k+1)). Row-major A, not modified.
import { type Dense, LinalgError } from './dense.js';

/** x with A·x = b for a symmetric positive-definite A, by Cholesky; throws LinalgError for bad shapes or a matrix that is not positive definite. */
export function solveSpd(a: Dense, b: Float64Array): Float64Array {
  const n = a.rows;
  if (a.cols !== n || b.length !== n) throw new LinalgError(`solveSpd: need an n x n matrix and n values (got ${a.rows} x ${a.cols}, ${b.length})`);
  const l = cholesky(a.data, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/**
 * The lower-triangular L with A = L·Lᵀ (row-major n x n; A's upper triangle is not read). Throws
 * a LinalgError when A is not positive definite.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new LinalgError('solveSpd: the matrix is not positive definite (raise the regularization)');
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return l;
}
