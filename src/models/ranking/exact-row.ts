// The exact fold-in of the ALS family (ALS, IALS): a new user's row solves its training equation
// against the fixed item factors, in f64 by Cholesky,
//   (a·YᵀY + Σ_j (w0 + alpha·r_j) y_j y_jᵀ + λ I) x = Σ_j (1 + alpha·r_j) y_j
// (assembly/ials.ts's equation: Hu–Koren–Volinsky with a = 1, w0 = 0; iALS with a = α0, w0 = 1,
// alpha = 0). YᵀY is computed once per fitted state (keyed by its item factors' handle).
import { solveSpd, zeros } from '../../linalg/index.js';
import type { FoldInSolver } from '../core/serving.js';

export interface ExactRowForm {
  k: number;
  a: number;
  w0: number;
  alpha: number;
  /** λ for a row of `count` interactions among `items` items. */
  lambda: (count: number, items: number) => number;
  /** Count a repeated item once (binary data: iALS), or every entry (ALS's values). */
  distinct: boolean;
}

const grams = new WeakMap<object, Float64Array>();

export function exactRowSolver(form: ExactRowForm): FoldInSolver {
  const k = form.k;
  return (m, known) => {
    const Q = m.factors.Q.array(), stride = m.factors.stride;
    let gram = grams.get(m.factors.Q);
    if (!gram || gram.length !== k * k) {
      gram = new Float64Array(k * k);
      for (let i = 0; i < m.items.size; i++) {
        for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) gram[p * k + q] += Q[i * stride + p] * Q[i * stride + q];
      }
      grams.set(m.factors.Q, gram);
    }
    const entries = form.distinct ? [...new Map(known.map((e) => [e.i, e])).values()] : known;
    const a = zeros(k, k), b = new Float64Array(k);
    for (let t = 0; t < k * k; t++) a.data[t] = form.a * gram[t];
    const lambda = form.lambda(entries.length, m.items.size);
    for (let p = 0; p < k; p++) a.data[p * k + p] += lambda;
    for (const { i, r } of entries) {
      const w = form.w0 + form.alpha * r, t = 1 + form.alpha * r;
      for (let p = 0; p < k; p++) {
        const yp = Q[i * stride + p];
        b[p] += t * yp;
        for (let q = 0; q < k; q++) a.data[p * k + q] += w * yp * Q[i * stride + q];
      }
    }
    return { vector: solveSpd(a, b), bias: 0 };
  };
}
