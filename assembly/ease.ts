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
// The three O(n³) steps go in panels of rows, each split so that the bulk of a panel's work —
// its rows against the rows above it — runs as ranges of rows on threads, and only a thin part
// (the panel against itself) on one: every element is computed as the unblocked row-by-row loop
// does, so the bits do not depend on the panel, the ranges or the thread count. Short calls also
// keep V8 from running a whole step in its baseline compiler (it swaps in optimized code at the
// next call).
import { axpy64, axpy64to4, axpy64x4, dot64, F64_BYTES, scale64 } from "./vector64";

// Columns per tile of the steps that run a range of rows against many others (lowerGramRows,
// invertLowerRows): 256 doubles, so a panel's 64 rows of a tile (128 KiB) stay in a core's L2.
// @ts-ignore: decorator
@inline const TILE: i32 = 256;

/**
 * A[i][j] += 1 for every pair of items i >= j a user has (the lower triangle of XᵀX for binary
 * X), for the rows i in first .. end: users' items are cols[start[u] .. start[u+1]), ascending
 * and without repeats. Ranges of rows run on threads, each writing its rows alone.
 */
export function easeGram(start: usize, cols: usize, users: i32, A: usize, m: i32, first: i32, end: i32): void {
  const rowBytes = <usize>m * F64_BYTES;
  for (let u: usize = 0; u < <usize>users; u++) {
    const lo = <usize>load<u32>(start + (u << 2)), hi = <usize>load<u32>(start + (u << 2), 4);
    // The first of the user's items in the range (binary search: they are ascending).
    let a = lo, b = hi;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (load<u32>(cols + (mid << 2)) < <u32>first) a = mid + 1;
      else b = mid;
    }
    for (; a < hi; a++) {
      const item = load<u32>(cols + (a << 2));
      if (item >= <u32>end) break;
      const row = A + <usize>item * rowBytes;
      for (let c = lo; c <= a; c++) {
        const at = row + (<usize>load<u32>(cols + (c << 2)) << 3);
        store<f64>(at, load<f64>(at) + 1);
      }
    }
  }
}

/**
 * Rows first .. end of the Cholesky factor L (A = LLᵀ) over A's lower triangle, row by row
 * (Cholesky–Banachiewicz), columns from .. min(i, to) of each row i, then its pivot when i < to:
 * L[i][j] = (A[i][j] − L_i·L_j over 0..j) / L[j][j], L[i][i] = √(A[i][i] − L_i·L_i over 0..i).
 * Every element is computed as choleskyRows does, only the order of rows differs: a panel of
 * rows a .. b takes columns 0 .. a (rows above a are done, so ranges of the panel's rows run on
 * threads), then columns a .. on one thread. With to <= first, rows go four at a time, each
 * L_j loaded once for the four dots. Returns 0, or 1 + the row whose pivot was not positive.
 */
export function choleskyLower(A: usize, first: i32, end: i32, m: i32, from: i32, to: i32): i32 {
  const rowBytes = <usize>m * F64_BYTES;
  let i = first;
  if (to <= first) {
    for (; i + 4 <= end; i += 4) {
      const r0 = A + <usize>i * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
      for (let j = from; j < to; j++) {
        const rj = A + <usize>j * rowBytes, c = <usize>j << 3, pivot = load<f64>(rj + c);
        if (ASC_FEATURE_SIMD) {
          const pairs = <usize>(j & ~1) * F64_BYTES;
          let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
          for (let t: usize = 0; t < pairs; t += 16) {
            const v = v128.load(rj + t);
            a0 = f64x2.add(a0, f64x2.mul(v128.load(r0 + t), v));
            a1 = f64x2.add(a1, f64x2.mul(v128.load(r1 + t), v));
            a2 = f64x2.add(a2, f64x2.mul(v128.load(r2 + t), v));
            a3 = f64x2.add(a3, f64x2.mul(v128.load(r3 + t), v));
          }
          let s0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1), s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
          let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1), s3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
          if (j & 1) {
            const x = load<f64>(rj + pairs);
            s0 += load<f64>(r0 + pairs) * x;
            s1 += load<f64>(r1 + pairs) * x;
            s2 += load<f64>(r2 + pairs) * x;
            s3 += load<f64>(r3 + pairs) * x;
          }
          store<f64>(r0 + c, (load<f64>(r0 + c) - s0) / pivot);
          store<f64>(r1 + c, (load<f64>(r1 + c) - s1) / pivot);
          store<f64>(r2 + c, (load<f64>(r2 + c) - s2) / pivot);
          store<f64>(r3 + c, (load<f64>(r3 + c) - s3) / pivot);
        } else {
          store<f64>(r0 + c, (load<f64>(r0 + c) - dot64(r0, rj, j)) / pivot);
          store<f64>(r1 + c, (load<f64>(r1 + c) - dot64(r1, rj, j)) / pivot);
          store<f64>(r2 + c, (load<f64>(r2 + c) - dot64(r2, rj, j)) / pivot);
          store<f64>(r3 + c, (load<f64>(r3 + c) - dot64(r3, rj, j)) / pivot);
        }
      }
    }
  }
  for (; i < end; i++) {
    const ri = A + <usize>i * rowBytes, hi = i < to ? i : to;
    for (let j = from; j < hi; j++) {
      const rj = A + <usize>j * rowBytes, at = ri + (<usize>j << 3);
      store<f64>(at, (load<f64>(at) - dot64(ri, rj, j)) / load<f64>(rj + (<usize>j << 3)));
    }
    if (i < to) {
      const d = load<f64>(ri + (<usize>i << 3)) - dot64(ri, ri, i);
      if (!(d > 0)) return i + 1;
      store<f64>(ri + (<usize>i << 3), Math.sqrt(d));
    }
  }
  return 0;
}

/**
 * X = L⁻¹ in place (lower triangular), row by row: X_i = −(Σ_{k<i} L[i][k] X_k) / L[i][i] over
 * columns 0..i−1, X[i][i] = 1 / L[i][i]. This call adds the terms k in from .. min(i, to) to
 * row i (columns from .. are zeroed first: they held L[i][k], kept in tmp), then, when i < to,
 * scales the row and sets its diagonal. The terms of each element are added in increasing k
 * whatever the split: a panel a .. b takes k < a on threads (those rows are done), then the rest.
 * With to <= first, rows go four at a time, each X_k loaded once for the four. tmp: four rows of
 * m doubles (row r holds L's row of the group's r-th row while it is overwritten).
 */
export function invertLower(A: usize, first: i32, end: i32, m: i32, tmp: usize, from: i32, to: i32): void {
  const rowBytes = <usize>m * F64_BYTES, lo = <usize>from << 3;
  let i = first;
  if (to <= first) {
    const span = <usize>(to - from) * F64_BYTES;
    for (; i + 4 <= end; i += 4) {
      const r0 = A + <usize>i * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
      const t0 = tmp, t1 = tmp + rowBytes, t2 = t1 + rowBytes, t3 = t2 + rowBytes;
      memory.copy(t0 + lo, r0 + lo, span); memory.fill(r0 + lo, 0, span);
      memory.copy(t1 + lo, r1 + lo, span); memory.fill(r1 + lo, 0, span);
      memory.copy(t2 + lo, r2 + lo, span); memory.fill(r2 + lo, 0, span);
      memory.copy(t3 + lo, r3 + lo, span); memory.fill(r3 + lo, 0, span);
      for (let k = from; k < to; k++) {
        const c = <usize>k << 3;
        axpy64to4(r0, load<f64>(t0 + c), r1, load<f64>(t1 + c), r2, load<f64>(t2 + c), r3, load<f64>(t3 + c), A + <usize>k * rowBytes, k + 1);
      }
    }
  }
  for (; i < end; i++) {
    const ri = A + <usize>i * rowBytes, hi = i < to ? i : to;
    if (hi > from) {
      memory.copy(tmp + lo, ri + lo, <usize>(hi - from) * F64_BYTES);
      memory.fill(ri + lo, 0, <usize>(hi - from) * F64_BYTES);
    }
    for (let k = from; k < hi; k++) axpy64(ri, load<f64>(tmp + (<usize>k << 3)), A + <usize>k * rowBytes, k + 1);
    if (i < to) {
      const d = 1 / load<f64>(ri + (<usize>i << 3));
      for (let j = 0; j < i; j++) store<f64>(ri + (<usize>j << 3), load<f64>(ri + (<usize>j << 3)) * -d);
      store<f64>(ri + (<usize>i << 3), d);
    }
  }
}

/**
 * invertLower's terms k < to for rows first .. end (all at or below `to`: the rows they read are
 * done), by column tiles: a tile's columns of row i are saved to tmp (they hold L[i][k] for k in
 * the tile) and zeroed, then every X_k with k in c0 .. to adds to them, loaded once for all the
 * range's rows — the terms of each element still in increasing k. The coefficient L[i][k] comes
 * from tmp inside the tile and from the row itself beyond it (columns not yet reached). tmp:
 * TILE doubles per row of the range.
 */
export function invertLowerRows(A: usize, first: i32, end: i32, m: i32, tmp: usize, to: i32): void {
  const rowBytes = <usize>m * F64_BYTES, tileBytes = <usize>TILE * F64_BYTES, rows = end - first;
  for (let c0 = 0; c0 < to; c0 += TILE) {
    const c1 = c0 + TILE < to ? c0 + TILE : to, off = <usize>c0 << 3, span = <usize>(c1 - c0) * F64_BYTES;
    for (let r = 0; r < rows; r++) {
      const ri = A + <usize>(first + r) * rowBytes + off;
      memory.copy(tmp + <usize>r * tileBytes, ri, span);
      memory.fill(ri, 0, span);
    }
    for (let k = c0; k < to; k++) {
      const x = A + <usize>k * rowBytes + off, count = (k + 1 < c1 ? k + 1 : c1) - c0;
      const inTile = k < c1, at = inTile ? <usize>(k - c0) << 3 : <usize>k << 3;
      let r = 0;
      for (; r + 4 <= rows; r += 4) {
        const y0 = A + <usize>(first + r) * rowBytes, y1 = y0 + rowBytes, y2 = y1 + rowBytes, y3 = y2 + rowBytes;
        const t0 = tmp + <usize>r * tileBytes, t1 = t0 + tileBytes, t2 = t1 + tileBytes, t3 = t2 + tileBytes;
        const c0v = load<f64>((inTile ? t0 : y0) + at), c1v = load<f64>((inTile ? t1 : y1) + at);
        const c2v = load<f64>((inTile ? t2 : y2) + at), c3v = load<f64>((inTile ? t3 : y3) + at);
        axpy64to4(y0 + off, c0v, y1 + off, c1v, y2 + off, c2v, y3 + off, c3v, x, count);
      }
      for (; r < rows; r++) {
        const y = A + <usize>(first + r) * rowBytes, t = tmp + <usize>r * tileBytes;
        axpy64(y + off, load<f64>((inTile ? t : y) + at), x, count);
      }
    }
  }
}

/**
 * P = XᵀX in place for lower-triangular X (LAPACK's lauum): P[i][j] = Σ_{k>=i} X[k][i] X[k][j],
 * the terms added in increasing k. Step k adds X[k][i]·X_k[0..i] to every row i < k and sets
 * row k to X[k][k]·X_k[0..k]. The steps go in panels a .. b, whose rows of X are first copied to
 * W (row k − a at W + (k − a)·m doubles): this call adds the panel's steps to rows first .. end,
 * all below a — ranges of them run on threads —, four steps at a time (each row loaded once for
 * four, the terms still added in increasing k); lowerGramPanel then does the panel's own rows.
 */
export function lowerGramRows(A: usize, first: i32, end: i32, m: i32, W: usize, a: i32, b: i32): void {
  const rowBytes = <usize>m * F64_BYTES;
  // Columns in tiles of TILE: the panel's rows of W over a tile stay in the core's cache for
  // every row of the range (a whole row of W per output row would stream from memory each time).
  for (let c0 = 0; c0 < end; c0 += TILE) {
    const off = <usize>c0 << 3;
    for (let i = first > c0 ? first : c0; i < end; i++) {
      const ri = A + <usize>i * rowBytes + off, c = <usize>i << 3;
      const count = (i + 1 < c0 + TILE ? i + 1 : c0 + TILE) - c0;
      let k = a;
      for (; k + 4 <= b; k += 4) {
        const w0 = W + <usize>(k - a) * rowBytes, w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
        axpy64x4(ri, load<f64>(w0 + c), w0 + off, load<f64>(w1 + c), w1 + off, load<f64>(w2 + c), w2 + off, load<f64>(w3 + c), w3 + off, count);
      }
      for (; k < b; k++) {
        const w = W + <usize>(k - a) * rowBytes;
        axpy64(ri, load<f64>(w + c), w + off, count);
      }
    }
  }
}

/** Steps a .. b of lowerGram on the panel's own rows a .. b, from the copies of X's rows in W. */
export function lowerGramPanel(A: usize, a: i32, b: i32, m: i32, W: usize): void {
  const rowBytes = <usize>m * F64_BYTES;
  for (let k = a; k < b; k++) {
    const w = W + <usize>(k - a) * rowBytes;
    for (let i = a; i < k; i++) axpy64(A + <usize>i * rowBytes, load<f64>(w + (<usize>i << 3)), w, i + 1);
    scale64(A + <usize>k * rowBytes, load<f64>(w + (<usize>k << 3)), w, k + 1);
  }
}

/**
 * Rows first .. end of B (f32, rows `s` floats apart) from P's lower triangle in A (n items):
 * B[j][i] = −P[j][i] / P[i][i] for i ≠ j, B[j][j] = 0. Row j of B is what seen item j adds to
 * every item's score.
 */
export function easeWeights(A: usize, n: i32, m: i32, B: usize, s: i32, first: i32, end: i32): void {
  const rowBytes = <usize>m * F64_BYTES, outBytes = <usize>s << 2;
  for (let j = first; j < end; j++) {
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
