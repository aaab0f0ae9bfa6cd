// SVD of a small-by-wide (or tall-by-small) matrix through the eigendecomposition of its small
// Gram matrix: the last step of the randomized SVD (Halko, Martinsson & Tropp 2011, Alg. 5.1),
// where B = Qᵀ·A is l x n with l (rank + oversampling) <= ~300 and n up to ~100k.
//
// Row-major in and out (see dense.ts).
//
// Accuracy trade-off: forming B·Bᵀ squares the condition number. Eigenvalues of B·Bᵀ carry an
// absolute error of about ε·σ₁² (ε = 2.2e-16), so a singular value σ_k has an absolute error of
// about ε·σ₁²/σ_k, a relative error of about ε·(σ₁/σ_k)²: ~1e-12 at σ_k = 1e-2·σ₁, ~1e-10 at
// 1e-3·σ₁, ~1e-8 at 1e-4·σ₁, and singular values below ~√ε·σ₁ ≈ 1.5e-8·σ₁ are indistinguishable
// from zero (they come out as noise of that size, or as 0 when the eigenvalue is clamped). Likewise
// the columns of V = Bᵀ·U·Σ⁻¹ are orthonormal only to about ε·σ₁²/(σ_j·σ_k): exactly what the
// range finder needs for the leading k singular triplets it keeps, not for the trailing
// (oversampling) ones. U (the eigenvectors) is orthonormal to working precision. The
// reconstruction U·Σ·Vᵀ = U·Uᵀ·B (minus the zeroed columns) is accurate to ~ε·‖B‖ regardless.
// In return the route costs one l x l eigenproblem plus two passes over B (≈ 1.5·l²·n multiply-adds),
// with no n-sized factorization. (Entries beyond ~1e150 would overflow the Gram matrix, which is
// then reported as a non-finite LinalgError.)

import { type Dense, dotRows, gramCols, gramRows, multiply, transpose, zeros } from './dense.js';
import { type SymmetricEigenOptions, symmetricEigen } from './eigen.js';

/** Options of svdOfWide and svdOfTall: the eigensolver's, plus the cutoff of near-zero singular values. */
export interface SmallSvdOptions extends SymmetricEigenOptions {
  /**
   * Singular values at or below zeroTol·σ₁ get a ZERO column in the derived factor (V for
   * svdOfWide, U for svdOfTall) instead of a division by ~0. Default 1e-12. Their singular values
   * are still reported as computed (sqrt of the eigenvalue clamped at 0). Note that with the
   * default, a singular value at the √ε noise floor (exactly rank-deficient B: σ ≈ 1e-8·σ₁) is above
   * the cutoff; its derived column is then finite but neither unit nor orthogonal (typically of
   * norm ~1e-8). Pass zeroTol ≈ 1e-7 to zero such columns instead.
   */
  zeroTol?: number;
}

/** A thin SVD: singular values with their left and right vectors. */
export interface SmallSvd {
  /** Singular values, descending, length = the small dimension. */
  values: Float64Array;
  /** Left singular vectors as COLUMNS (row-major storage). */
  u: Dense;
  /** Right singular vectors as COLUMNS (row-major storage). */
  v: Dense;
}

/**
 * SVD of a wide matrix B (l x n, l small): B ≈ U·diag(values)·Vᵀ with
 *   values: length l, descending, σ_k = sqrt(max(λ_k, 0)) from the eigenvalues λ of B·Bᵀ;
 *   u: l x l, the eigenvectors of B·Bᵀ (orthonormal; sign: largest-magnitude entry positive);
 *   v: n x l, V = Bᵀ·U·Σ⁻¹, with a zero column where σ_k <= zeroTol·σ₁.
 * See the file header for the accuracy trade-off. Throws LinalgError for non-finite input or if
 * the eigensolver does not converge.
 */
export function svdOfWide(b: Dense, options: SmallSvdOptions = {}): SmallSvd {
  const eig = symmetricEigen(gramRows(b), options);
  const { values, scaled } = singular(eig.values, eig.vectors, options.zeroTol ?? 1e-12);
  return { values, u: eig.vectors, v: rightFactor(b, transpose(scaled)) };
}

/**
 * SVD of a tall matrix A (m x l, l small), the same route on Aᵀ·A: A ≈ U·diag(values)·Vᵀ with
 *   values: length l, descending; v: l x l, the eigenvectors of Aᵀ·A;
 *   u: m x l, U = A·V·Σ⁻¹, with a zero column where σ_k <= zeroTol·σ₁.
 */
export function svdOfTall(a: Dense, options: SmallSvdOptions = {}): SmallSvd {
  const eig = symmetricEigen(gramCols(a), options);
  const { values, scaled } = singular(eig.values, eig.vectors, options.zeroTol ?? 1e-12);
  return { values, u: multiply(a, scaled), v: eig.vectors };
}

/** Columns of B transposed per chunk: bounds the scratch memory for very wide B. */
const CHUNK = 256;

/**
 * V = Bᵀ·W (n x l) for B l x n, given Wᵀ (l x l), as dot products of contiguous rows: rows of Bᵀ
 * (transposed a chunk of columns of B at a time) with rows of Wᵀ.
 */
function rightFactor(b: Dense, wt: Dense): Dense {
  const l = b.rows, n = b.cols, x = b.data;
  const v = zeros(n, l);
  const chunk = new Float64Array(Math.min(CHUNK, n) * l);
  for (let j0 = 0; j0 < n; j0 += CHUNK) {
    const c = Math.min(CHUNK, n - j0);
    for (let i = 0; i < l; i++) {
      const row = i * n + j0;
      for (let jj = 0; jj < c; jj++) chunk[jj * l + i] = x[row + jj];
    }
    dotRows(chunk, c, wt.data, l, l, v.data.subarray(j0 * l, (j0 + c) * l), false);
  }
  return v;
}

/** Singular values from Gram eigenvalues, and the eigenvectors with column k scaled by 1/σ_k (or 0). */
function singular(lambda: Float64Array, vectors: Dense, zeroTol: number): { values: Float64Array; scaled: Dense } {
  const l = lambda.length;
  const values = new Float64Array(l);
  for (let k = 0; k < l; k++) values[k] = Math.sqrt(Math.max(lambda[k], 0));
  const cutoff = zeroTol * (l > 0 ? values[0] : 0);
  const inv = new Float64Array(l);
  for (let k = 0; k < l; k++) inv[k] = values[k] > cutoff && values[k] > 0 ? 1 / values[k] : 0;
  const scaled: Dense = { rows: l, cols: l, data: vectors.data.slice() };
  const d = scaled.data;
  for (let i = 0; i < l; i++) for (let k = 0; k < l; k++) d[i * l + k] *= inv[k];
  return { values, scaled };
}
