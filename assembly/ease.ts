// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): B = I − P·diag(1/diag P) with
// P = (XᵀX + λI)⁻¹, computed in f64 in one n x n buffer A (row-major, rows `m` doubles apart,
// m even so every row starts on a v128): the Gram matrix's lower triangle, its Cholesky factor L,
// L⁻¹, then P = L⁻ᵀL⁻¹, each in place; then B in f32 for serving.
//
// The order of operations is the js twin's (src/engine/js-ease.ts): a dot product keeps two lane
// sums (even and odd terms) added at the end, then the odd last term; an update of a row adds its
// terms one source row after another, elementwise. Blocking by four rows reuses each loaded row
// four times without changing any element's order of additions, so its bits are the unblocked
// loop's. f64x2 multiply and add stay separate (no relaxed fused multiply-add): every build gives
// the same bits. The f64 helpers are assembly/vector64.ts's.
//
// The three O(n³) steps take a range of rows (first .. end) and are called a range at a time, in
// order: one call over the whole matrix would run to its end in V8's baseline compiler, which
// only swaps in optimized code at the next call.
import { axpy64, axpy64x4, choleskyRows, F64_BYTES, scale64 } from "./vector64";

/**
 * A[i][j] += 1 for every pair of items i >= j a user has (the lower triangle of XᵀX for binary
 * X): users' items are cols[start[u] .. start[u+1]), ascending and without repeats.
 */
export function easeGram(start: usize, cols: usize, users: i32, A: usize, m: i32): void {
  const rowBytes = <usize>m * F64_BYTES;
  for (let u: usize = 0; u < <usize>users; u++) {
    const first = <usize>load<u32>(start + (u << 2)), end = <usize>load<u32>(start + (u << 2), 4);
    for (let a = first; a < end; a++) {
      const row = A + <usize>load<u32>(cols + (a << 2)) * rowBytes;
      for (let b = first; b <= a; b++) {
        const at = row + (<usize>load<u32>(cols + (b << 2)) << 3);
        store<f64>(at, load<f64>(at) + 1);
      }
    }
  }
}

/**
 * The Cholesky factor L (A = LLᵀ) over A's lower triangle, row by row (Cholesky–Banachiewicz):
 * L[i][j] = (A[i][j] − L_i·L_j over 0..j) / L[j][j], L[i][i] = √(A[i][i] − L_i·L_i over 0..i).
 * Returns 0, or 1 + the row whose pivot was not positive (A not positive definite).
 */
export function choleskyLower(A: usize, first: i32, end: i32, m: i32): i32 {
  return choleskyRows(A, first, end, m);
}

/**
 * X = L⁻¹ in place (lower triangular), row by row: X_i = −(Σ_{k<i} L[i][k] X_k) / L[i][i] over
 * columns 0..i−1, X[i][i] = 1 / L[i][i]. tmp: one row of m doubles (row i of L while it is
 * overwritten).
 */
export function invertLower(A: usize, first: i32, end: i32, m: i32, tmp: usize): void {
  const rowBytes = <usize>m * F64_BYTES;
  for (let i = first; i < end; i++) {
    const ri = A + <usize>i * rowBytes;
    memory.copy(tmp, ri, <usize>(i + 1) * F64_BYTES);
    memory.fill(ri, 0, <usize>i * F64_BYTES);
    for (let k = 0; k < i; k++) axpy64(ri, load<f64>(tmp + (<usize>k << 3)), A + <usize>k * rowBytes, k + 1);
    const d = 1 / load<f64>(tmp + (<usize>i << 3));
    for (let j = 0; j < i; j++) store<f64>(ri + (<usize>j << 3), load<f64>(ri + (<usize>j << 3)) * -d);
    store<f64>(ri + (<usize>i << 3), d);
  }
}

/**
 * P = XᵀX in place for lower-triangular X (LAPACK's lauum): P[i][j] = Σ_{k>=i} X[k][i] X[k][j],
 * the terms added in increasing k. Step k copies row k of X to tmp, adds tmp[i]·tmp[0..i] to every
 * row i < k and sets row k to tmp[k]·tmp[0..k]. Blocked: four steps share one pass over the rows
 * above them. tmp: four rows of m doubles.
 */
export function lowerGram(A: usize, first: i32, end: i32, m: i32, tmp: usize): void {
  const rowBytes = <usize>m * F64_BYTES;
  let k = first;
  for (; k + 4 <= end; k += 4) {
    for (let r = 0; r < 4; r++) memory.copy(tmp + <usize>r * rowBytes, A + <usize>(k + r) * rowBytes, <usize>(k + r + 1) * F64_BYTES);
    const t0 = tmp, t1 = tmp + rowBytes, t2 = tmp + 2 * rowBytes, t3 = tmp + 3 * rowBytes;
    for (let i = 0; i < k; i++) {
      const c = <usize>i << 3;
      axpy64x4(A + <usize>i * rowBytes, load<f64>(t0 + c), t0, load<f64>(t1 + c), t1, load<f64>(t2 + c), t2, load<f64>(t3 + c), t3, i + 1);
    }
    // The block's own rows, step by step as the unblocked loop: step k + s sets row k + s and adds to rows k .. k + s − 1.
    for (let s = 0; s < 4; s++) {
      const t = tmp + <usize>s * rowBytes;
      for (let i = k; i < k + s; i++) axpy64(A + <usize>i * rowBytes, load<f64>(t + (<usize>i << 3)), t, i + 1);
      scale64(A + <usize>(k + s) * rowBytes, load<f64>(t + (<usize>(k + s) << 3)), t, k + s + 1);
    }
  }
  for (; k < end; k++) {
    memory.copy(tmp, A + <usize>k * rowBytes, <usize>(k + 1) * F64_BYTES);
    for (let i = 0; i < k; i++) axpy64(A + <usize>i * rowBytes, load<f64>(tmp + (<usize>i << 3)), tmp, i + 1);
    scale64(A + <usize>k * rowBytes, load<f64>(tmp + (<usize>k << 3)), tmp, k + 1);
  }
}

/**
 * B (f32, rows `s` floats apart) from P's lower triangle in A: B[j][i] = −P[j][i] / P[i][i] for
 * i ≠ j, B[j][j] = 0. Row j of B is what seen item j adds to every item's score.
 */
export function easeWeights(A: usize, n: i32, m: i32, B: usize, s: i32): void {
  const rowBytes = <usize>m * F64_BYTES, outBytes = <usize>s << 2;
  for (let j = 0; j < n; j++) {
    const rj = A + <usize>j * rowBytes, bj = B + <usize>j * outBytes;
    for (let i = 0; i < n; i++) {
      const p = i <= j ? load<f64>(rj + (<usize>i << 3)) : load<f64>(A + <usize>i * rowBytes + (<usize>j << 3));
      const d = load<f64>(A + <usize>i * rowBytes + (<usize>i << 3));
      store<f32>(bj + (<usize>i << 2), i == j ? 0 : <f32>(-p / d));
    }
  }
}

/** out[0 .. s) = Σ_t B[rows[t]], the rows added in list order (an item–item model's scores for a history). */
export function sumRows(B: usize, s: i32, rows: usize, count: i32, out: usize): void {
  const rowBytes = <usize>s << 2;
  memory.fill(out, 0, rowBytes);
  for (let t: usize = 0; t < <usize>count; t++) {
    const r = B + <usize>load<u32>(rows + (t << 2)) * rowBytes;
    if (ASC_FEATURE_SIMD) {
      for (let f: usize = 0; f < rowBytes; f += 16) v128.store(out + f, f32x4.add(v128.load(out + f), v128.load(r + f)));
    } else {
      for (let f: usize = 0; f < rowBytes; f += 4) store<f32>(out + f, load<f32>(out + f) + load<f32>(r + f));
    }
  }
}
