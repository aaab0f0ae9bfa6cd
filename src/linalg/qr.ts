// Thin QR by Householder reflections, for the range finder of the randomized SVD.
//
// All matrices are row-major (see dense.ts). The reflections are blocked (compact WY form,
// Schreiber & Van Loan 1989; LAPACK dgeqrt/dlarfb): the columns are factored in panels of NB, and
// the NB reflections of a panel, H_k···H_{k+NB-1} = I - V·T·Vᵀ, are applied to the rest of the
// matrix in two streaming passes over its rows instead of 2·NB, which matters for tall inputs
// (100k x 110 does not fit in cache). Each panel is factored on a transposed (column-contiguous)
// copy, so every inner loop runs over contiguous memory.

import { type Dense, LinalgError, assertFinite, zeros } from './dense.js';

/** Panel width of the blocked algorithm. */
const NB = 32;

/**
 * Thin QR of A (m x n, n <= m): A = Q·R with Q m x n (orthonormal columns) and R n x n upper
 * triangular. The reflection for column k is H = I - 2vvᵀ (‖v‖ = 1) with R[k][k] = -sign(x₀)·‖x‖
 * (sign(0) = +1), x being column k from row k down: the LINPACK/JAMA convention.
 *
 * Rank deficiency: when the part of column k from row k down is exactly zero (the column lies in
 * the span of the previous ones), no reflection is applied and R[k][k] = 0. Q is still the product
 * of the reflections applied to the first n columns of the identity, so Q always has exactly
 * orthonormal columns: such a column of Q is orthogonal to all the others (an arbitrary completion
 * of the basis, NOT a zero column). Hence QᵀQ = I always, span(Q) ⊇ span(A), and no NaN is
 * produced. A column that is dependent only up to rounding yields a unit column of Q along the
 * rounding residue; use |R[k][k]| to detect numerical rank. Throws LinalgError for n > m or
 * non-finite entries. A is not modified.
 */
export function thinQR(a: Dense): { q: Dense; r: Dense } {
  const f = factor(a);
  const n = a.cols;
  const r = zeros(n, n);
  const h = f.h.data, rd = r.data;
  for (let i = 0; i < n; i++) {
    rd[i * n + i] = f.diag[i];
    for (let j = i + 1; j < n; j++) rd[i * n + j] = h[i * n + j];
  }
  return { q: formQ(f), r };
}

/**
 * An m x n matrix Q with orthonormal columns spanning A's columns (A is m x n, n <= m): the Q of
 * thinQR(A). For rank-deficient A the surplus columns are orthonormal completions (see thinQR), so
 * QᵀQ = I always. Row-major in, row-major out; A is not modified.
 */
export function orthonormalize(a: Dense): Dense {
  return formQ(factor(a));
}

interface Factored {
  /** m x n: above the diagonal, R; on and below it, the unit Householder vectors v_k (rows k..m-1 of column k). */
  h: Dense;
  /** R's diagonal. */
  diag: Float64Array;
  /** tau_k = 2 when reflection k was applied, 0 when skipped (H_k = I - tau_k·v_k·v_kᵀ). */
  tau: Float64Array;
  /** For each panel (starting at column kb = NB·index), its b x b upper triangular T. */
  ts: Float64Array[];
}

function factor(a: Dense): Factored {
  const m = a.rows, n = a.cols;
  if (n > m) throw new LinalgError(`thin QR needs cols <= rows (got ${m} x ${n})`);
  assertFinite(a, 'QR input');
  const h: Dense = { rows: m, cols: n, data: a.data.slice() };
  const x = h.data;
  const diag = new Float64Array(n);
  const tau = new Float64Array(n);
  const ts: Float64Array[] = [];
  const panel = new Float64Array(Math.min(NB, n) * m);
  let work = new Float64Array(0);

  for (let kb = 0; kb < n; kb += NB) {
    const b = Math.min(NB, n - kb);
    const t = factorPanel(x, m, n, kb, b, panel, diag, tau);
    ts.push(t);
    const c0 = kb + b;
    if (c0 < n) {
      if (work.length < b * (n - c0)) work = new Float64Array(b * (n - c0));
      applyBlock(x, m, n, kb, b, t, true, x, n, c0, n, work);
    }
  }
  return { h, diag, tau, ts };
}

/**
 * Unblocked Householder QR of the panel x[kb.., kb..kb+b-1], done on a transposed copy so that each
 * panel column is contiguous (a tall panel is then streamed, not touched a cache line per row).
 * Writes R (above the diagonal; its diagonal to diag) and the unit Householder vectors (on and below
 * it) back into x, sets tau, and returns the panel's b x b T (see buildT).
 */
function factorPanel(
  x: Float64Array, m: number, n: number, kb: number, b: number,
  p: Float64Array, diag: Float64Array, tau: Float64Array,
): Float64Array {
  const mm = m - kb;
  for (let i = 0; i < mm; i++) {
    const row = (kb + i) * n + kb;
    for (let t = 0; t < b; t++) p[t * mm + i] = x[row + t];
  }
  for (let k = 0; k < b; k++) {
    const vk = k * mm;
    if (!reflector(p, vk + k, mm - k, diag, kb + k)) continue;
    tau[kb + k] = 2;
    for (let j = k + 1; j < b; j++) {
      const pj = j * mm;
      const w2 = 2 * dot(p, vk + k, p, pj + k, mm - k);
      if (w2 === 0) continue;
      for (let i = k; i < mm; i++) p[pj + i] -= w2 * p[vk + i];
    }
  }
  for (let i = 0; i < mm; i++) {
    const row = (kb + i) * n + kb;
    for (let t = 0; t < b; t++) x[row + t] = p[t * mm + i];
  }
  return buildT(p, mm, kb, b, tau);
}

/** Q = H₀·H₁···H_{n-1}·[I_n; 0], accumulated backwards panel by panel: panel kb touches only Q[kb.., kb..]. */
function formQ(f: Factored): Dense {
  const m = f.h.rows, n = f.h.cols, hv = f.h.data;
  const q = zeros(m, n);
  const y = q.data;
  for (let i = 0; i < n; i++) y[i * n + i] = 1;
  const work = new Float64Array(Math.min(NB, n) * n);
  for (let p = f.ts.length - 1; p >= 0; p--) {
    const kb = p * NB, b = Math.min(NB, n - kb);
    applyBlock(hv, m, n, kb, b, f.ts[p], false, y, n, kb, n, work);
  }
  return q;
}

/**
 * Householder vector for the contiguous vector x[off..off+len-1], written over it with unit norm;
 * R's diagonal entry goes to diag[k]. Returns false (diag 0, vector left zero) when the vector is
 * exactly zero. Overflow or underflow in the sum of squares falls back to a scaled norm.
 */
function reflector(x: Float64Array, off: number, len: number, diag: Float64Array, k: number): boolean {
  const end = off + len;
  let ss = 0;
  for (let i = off; i < end; i++) ss += x[i] * x[i];
  let scale = 1;
  if (!(ss > 1e-280 && ss < 1e280)) {
    scale = 0;
    for (let i = off; i < end; i++) scale = Math.max(scale, Math.abs(x[i]));
    if (scale === 0) {
      diag[k] = 0;
      return false;
    }
    ss = 0;
    for (let i = off; i < end; i++) {
      const v = x[i] / scale;
      ss += v * v;
    }
  }
  const nx = Math.sqrt(ss) * scale;
  const x0 = x[off];
  const alpha = x0 >= 0 ? -nx : nx;
  diag[k] = alpha;
  // v = x - alpha·e₁, normalized: ‖v‖² = 2·nx·(nx + |x0|) >= 2·nx² > 0 (computed on the scaled
  // values, then undone by the same factor).
  const inv = 1 / scale / Math.sqrt(2 * (nx / scale) * (nx / scale + Math.abs(x0) / scale));
  x[off] = (x0 - alpha) * inv;
  for (let i = off + 1; i < end; i++) x[i] *= inv;
  return true;
}

/** Σ a[ao + i]·b[bo + i] for i < len, with four accumulators. */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    s0 += a[ao + i] * b[bo + i];
    s1 += a[ao + i + 1] * b[bo + i + 1];
    s2 += a[ao + i + 2] * b[bo + i + 2];
    s3 += a[ao + i + 3] * b[bo + i + 3];
  }
  for (; i < len; i++) s0 += a[ao + i] * b[bo + i];
  return s0 + s1 + s2 + s3;
}

/**
 * The b x b upper triangular T with H_kb···H_{kb+b-1} = I - V·T·Vᵀ (LAPACK dlarft, forward,
 * columnwise): T[j][j] = tau_j, T[0..j-1][j] = -tau_j·T[0..j-1][0..j-1]·(Vᵀv_j)[0..j-1]. V's column t
 * is row t of the transposed panel p (stride mm), nonzero from index t on.
 */
function buildT(p: Float64Array, mm: number, kb: number, b: number, tau: Float64Array): Float64Array {
  const t = new Float64Array(b * b);
  const g = new Float64Array(b);
  for (let j = 0; j < b; j++) {
    const tj = tau[kb + j];
    t[j * b + j] = tj;
    if (tj === 0) continue;
    for (let r = 0; r < j; r++) g[r] = dot(p, r * mm + j, p, j * mm + j, mm - j);
    for (let s = 0; s < j; s++) {
      let sum = 0;
      for (let r = s; r < j; r++) sum += t[s * b + r] * g[r];
      t[s * b + j] = -tj * sum;
    }
  }
  return t;
}

/**
 * Y ← (I - V·T·Vᵀ)·Y, or (I - V·Tᵀ·Vᵀ)·Y when `transposed`, on rows kb..m-1 and columns c0..c1-1
 * of the row-major y (row stride ys). V's column t is column kb+t of the row-major x (stride n),
 * from row kb+t down. work holds at least b·(c1-c0) numbers.
 */
function applyBlock(
  x: Float64Array, m: number, n: number, kb: number, b: number, t: Float64Array, transposed: boolean,
  y: Float64Array, ys: number, c0: number, c1: number, work: Float64Array,
): void {
  const len = c1 - c0;
  if (len <= 0) return;
  const w = work;
  w.fill(0, 0, b * len);
  // W = Vᵀ·Y (b x len), a row of Y at a time.
  for (let i = kb; i < m; i++) {
    const tmax = Math.min(b, i - kb + 1);
    const vr = i * n + kb, yr = i * ys + c0;
    let s = 0;
    for (; s + 3 < tmax; s += 4) {
      const v0 = x[vr + s], v1 = x[vr + s + 1], v2 = x[vr + s + 2], v3 = x[vr + s + 3];
      const w0 = s * len, w1 = w0 + len, w2 = w1 + len, w3 = w2 + len;
      for (let j = 0; j < len; j++) {
        const yj = y[yr + j];
        w[w0 + j] += v0 * yj;
        w[w1 + j] += v1 * yj;
        w[w2 + j] += v2 * yj;
        w[w3 + j] += v3 * yj;
      }
    }
    for (; s < tmax; s++) {
      const v0 = x[vr + s];
      if (v0 === 0) continue;
      const w0 = s * len;
      for (let j = 0; j < len; j++) w[w0 + j] += v0 * y[yr + j];
    }
  }
  // W ← T·W (upper: row s from rows r >= s, so ascending s) or Tᵀ·W (rows r <= s, descending s).
  if (!transposed) {
    for (let s = 0; s < b; s++) {
      const ws = s * len;
      const d = t[s * b + s];
      for (let j = 0; j < len; j++) w[ws + j] *= d;
      for (let r = s + 1; r < b; r++) {
        const c = t[s * b + r];
        if (c === 0) continue;
        const wr = r * len;
        for (let j = 0; j < len; j++) w[ws + j] += c * w[wr + j];
      }
    }
  } else {
    for (let s = b - 1; s >= 0; s--) {
      const ws = s * len;
      const d = t[s * b + s];
      for (let j = 0; j < len; j++) w[ws + j] *= d;
      for (let r = 0; r < s; r++) {
        const c = t[r * b + s];
        if (c === 0) continue;
        const wr = r * len;
        for (let j = 0; j < len; j++) w[ws + j] += c * w[wr + j];
      }
    }
  }
  // Y ← Y - V·W, a row of Y at a time.
  for (let i = kb; i < m; i++) {
    const tmax = Math.min(b, i - kb + 1);
    const vr = i * n + kb, yr = i * ys + c0;
    let s = 0;
    for (; s + 3 < tmax; s += 4) {
      const v0 = x[vr + s], v1 = x[vr + s + 1], v2 = x[vr + s + 2], v3 = x[vr + s + 3];
      const w0 = s * len, w1 = w0 + len, w2 = w1 + len, w3 = w2 + len;
      for (let j = 0; j < len; j++) {
        y[yr + j] -= v0 * w[w0 + j] + v1 * w[w1 + j] + v2 * w[w2 + j] + v3 * w[w3 + j];
      }
    }
    for (; s < tmax; s++) {
      const v0 = x[vr + s];
      if (v0 === 0) continue;
      const w0 = s * len;
      for (let j = 0; j < len; j++) y[yr + j] -= v0 * w[w0 + j];
    }
  }
}
