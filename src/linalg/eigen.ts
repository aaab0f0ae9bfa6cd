// Symmetric eigendecomposition by the cyclic Jacobi method (Golub & Van Loan, §8.5).
//
// Row-major in and out (see dense.ts). Jacobi is slower than tridiagonalization + QL for large n
// but simple, robust, and accurate (small eigenvalues of a positive semi-definite matrix come out
// with good relative accuracy); for the l x l Gram matrices of the range finder (l <= ~300) it is
// fast enough.

import { type Dense, LinalgError, assertFinite, zeros } from './dense.js';

/** Convergence settings of the symmetric eigendecomposition (cyclic Jacobi), e.g. {@link PcaOptions}'s `eigen`. */
export interface SymmetricEigenOptions {
  /**
   * Stop when ‖off(A)‖_F <= tol·‖A‖_F (off = the off-diagonal part). Default 1e-12. A number >= 0.
   *
   * @defaultValue 1e-12
   */
  tol?: number;
  /**
   * Throw LinalgError if not converged after this many full cyclic sweeps. Default 100. An integer >= 0.
   *
   * @defaultValue 100
   */
  maxSweeps?: number;
}

/** An eigendecomposition S = V·diag(values)·Vᵀ ({@link symmetricEigen}). */
export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /**
   * n x n row-major; COLUMN j (elements data[i * n + j], i = 0..n-1) is the unit eigenvector for
   * values[j]. Sign convention: each column's entry of largest magnitude (the first, on ties) is
   * positive. For repeated eigenvalues any orthonormal basis of the eigenspace may be returned.
   */
  vectors: Dense;
  /** Number of full sweeps performed. */
  sweeps: number;
}

const EPS = 2 ** -52;

/**
 * Eigendecomposition S = V·diag(values)·Vᵀ of a symmetric matrix S (n x n), by cyclic Jacobi
 * rotations until the off-diagonal Frobenius norm is at most tol (default 1e-12) times ‖S‖_F.
 * S is not modified; it is read as (S + Sᵀ)/2, so only a symmetric S gives meaningful results.
 * Throws LinalgError for a non-square or non-finite S, or when maxSweeps (default 100) sweeps do
 * not reach the tolerance (cyclic Jacobi converges quadratically: ~6-12 sweeps in practice).
 */
export function symmetricEigen(s: Dense, options: SymmetricEigenOptions = {}): SymmetricEigen {
  const tol = options.tol ?? 1e-12;
  const maxSweeps = options.maxSweeps ?? 100;
  const n = s.rows;
  if (s.cols !== n) throw new LinalgError(`symmetricEigen needs a square matrix (got ${s.rows} x ${s.cols})`);
  if (!(tol >= 0)) throw new LinalgError(`symmetricEigen: tol must be >= 0 (got ${tol})`);
  if (!(Number.isInteger(maxSweeps) && maxSweeps >= 0)) {
    throw new LinalgError(`symmetricEigen: maxSweeps must be a non-negative integer (got ${maxSweeps})`);
  }
  assertFinite(s, 'symmetricEigen input');

  // a: working copy; only the UPPER triangle (i < j at a[i * n + j]) and the diagonal are kept up
  // to date, so a rotation reads and writes two entries per index r instead of four.
  // vt: ROW k is the current k-th eigenvector estimate (rotations update two contiguous rows).
  // The copy is scaled by a power of two near 1/max|S_ij| (undone exactly on the eigenvalues), so
  // that the squared norms below neither overflow nor underflow.
  const a = new Float64Array(n * n);
  const src = s.data;
  let maxEntry = 0;
  for (let i = 0; i < n * n; i++) maxEntry = Math.max(maxEntry, Math.abs(src[i]));
  const exponent = maxEntry > 0 ? Math.min(1000, Math.max(-1000, Math.round(Math.log2(maxEntry)))) : 0;
  const scale = 2 ** exponent, inv = 2 ** -exponent;
  let norm2 = 0;
  for (let i = 0; i < n; i++) {
    a[i * n + i] = src[i * n + i] * inv;
    norm2 += a[i * n + i] * a[i * n + i];
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (src[i * n + j] * inv + src[j * n + i] * inv);
      a[i * n + j] = v;
      norm2 += 2 * v * v;
    }
  }
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  const limit = tol * Math.sqrt(norm2);

  let sweeps = 0;
  for (;;) {
    let off2 = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) off2 += 2 * a[i * n + j] * a[i * n + j];
    }
    const off = Math.sqrt(off2);
    if (off <= limit) break;
    if (sweeps === maxSweeps) {
      throw new LinalgError(
        `symmetricEigen (Jacobi) did not converge in ${maxSweeps} sweeps: relative off-diagonal norm ` +
          `${(off / Math.sqrt(norm2)).toExponential(3)} > tol ${tol}; raise maxSweeps or tol`,
      );
    }
    sweeps++;
    // Row-cyclic order: (0,1), (0,2), ..., (0,n-1), (1,2), ...
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) annihilate(a, vt, n, p, q);
  }

  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => a[j * n + j] - a[i * n + i] || i - j);
  const values = new Float64Array(n);
  const vectors = zeros(n, n);
  const out = vectors.data;
  for (let j = 0; j < n; j++) {
    const k = order[j];
    values[j] = a[k * n + k] * scale;
    const row = k * n;
    let big = 0, sign = 1;
    for (let i = 0; i < n; i++) {
      const v = vt[row + i];
      if (Math.abs(v) > big) {
        big = Math.abs(v);
        sign = v < 0 ? -1 : 1;
      }
    }
    for (let i = 0; i < n; i++) out[i * n + j] = sign * vt[row + i];
  }
  return { values, vectors, sweeps };
}

/**
 * One Jacobi rotation in the (p, q) plane that zeroes a_pq (Golub & Van Loan, Alg. 8.5.1), applied to
 * the upper triangle of a and to rows p and q of vt. An a_pq negligible at working precision
 * relative to the diagonal is just set to zero (keeps the sweeps finite and preserves relative
 * accuracy, Demmel & Veselić 1992).
 */
function annihilate(a: Float64Array, vt: Float64Array, n: number, p: number, q: number): void {
  const rp = p * n, rq = q * n;
  const apq = a[rp + q];
  if (apq === 0) return;
  const app = a[rp + p], aqq = a[rq + q];
  if (Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app * aqq))) {
    a[rp + q] = 0;
    return;
  }
  const theta = (aqq - app) / (2 * apq);
  const at = Math.abs(theta);
  const t = at > 1e150 ? 0.5 / theta : (theta >= 0 ? 1 : -1) / (at + Math.sqrt(1 + theta * theta));
  const c = 1 / Math.sqrt(1 + t * t);
  const sn = t * c;
  a[rp + p] = app - t * apq;
  a[rq + q] = aqq + t * apq;
  a[rp + q] = 0;
  rotate(a, vt, n, p, q, c, sn);
}

/**
 * (x, y) = (a_rp, a_rq) -> (c·x - s·y, s·x + c·y) for r != p, q, addressed in the upper triangle of
 * a; and the same rotation of rows p and q of vt.
 */
function rotate(a: Float64Array, vt: Float64Array, n: number, p: number, q: number, c: number, sn: number): void {
  const rp = p * n, rq = q * n;
  for (let r = 0; r < p; r++) {
    const ip = r * n + p, iq = r * n + q;
    const x = a[ip], y = a[iq];
    a[ip] = c * x - sn * y;
    a[iq] = sn * x + c * y;
  }
  for (let r = p + 1; r < q; r++) {
    const ip = rp + r, iq = r * n + q;
    const x = a[ip], y = a[iq];
    a[ip] = c * x - sn * y;
    a[iq] = sn * x + c * y;
  }
  for (let r = q + 1; r < n; r++) {
    const ip = rp + r, iq = rq + r;
    const x = a[ip], y = a[iq];
    a[ip] = c * x - sn * y;
    a[iq] = sn * x + c * y;
  }
  for (let r = 0; r < n; r++) {
    const vp = vt[rp + r], vq = vt[rq + r];
    vt[rp + r] = c * vp - sn * vq;
    vt[rq + r] = sn * vp + c * vq;
  }
}
