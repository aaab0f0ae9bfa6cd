// The js twin of assembly/ials.ts: exact ALS row solves in f64, operation for operation.
import { axpy64, choleskyRows, dot64 } from './js-vector64.js';
import type { ExactRowSolve, F32, F64 } from './types.js';

export function alsExactRows(s: ExactRowSolve, Xh: F32, Yh: F32, Gh: F32, stride: number, k: number, lambdasH: F64, Ah: F64, hH: F64, bH: F64): number {
  const start = s.rows.start.array(), cols = s.rows.cols.array(), vals = s.rows.vals.array();
  const X = Xh.array(), Y = Yh.array(), G = Gh.array(), lambdas = lambdasH.array(), A = Ah.array(), h = hH.array(), b = bH.array();
  const m = (k + 1) & ~1;
  for (let row = s.first; row < s.end; row++) {
    const lambda = lambdas[row];
    for (let p = 0; p < k; p++) {
      for (let q = 0; q <= p; q++) A[p * m + q] = s.a * G[p * stride + q];
      A[p * m + p] = A[p * m + p] + lambda;
    }
    b.fill(0, 0, m);
    for (let t = start[row]; t < start[row + 1]; t++) {
      const y = cols[t] * stride;
      for (let q = 0; q < k; q++) h[q] = Y[y + q];
      const r = vals[t], w = s.w0 + s.alpha * r, target = 1 + s.alpha * r;
      for (let p = 0; p < k; p++) axpy64(A, p * m, w * h[p], h, 0, p + 1);
      axpy64(b, 0, target, h, 0, k);
    }
    if (choleskyRows(A, 0, k, m) !== 0) return row + 1;
    for (let p = 0; p < k; p++) b[p] = (b[p] - dot64(A, p * m, b, 0, p)) / A[p * m + p];
    for (let p = k - 1; p >= 0; p--) {
      const xp = b[p] / A[p * m + p];
      b[p] = xp;
      axpy64(b, 0, -xp, A, p * m, p);
    }
    for (let q = 0; q < k; q++) X[row * stride + q] = b[q];
  }
  return 0;
}
