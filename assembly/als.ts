// Weighted ALS for implicit feedback (Hu, Koren & Volinsky 2008), each row solved by a few steps
// of conjugate gradient warm-started from its current value (Takács, Pilászy & Tikk 2011):
// for row x (a user, with Y the item factors fixed, or the reverse) with interactions j,
// confidence c_j = 1 + alpha·r_j and preference 1:
//   (YᵀY + Σ_j (c_j − 1) y_j y_jᵀ + λI) x = Σ_j c_j y_j
// YᵀY is precomputed by the host (gram, k x k, rows of `stride` floats). r, p and Ap are scratch
// rows of `stride` floats (one set per thread: rows first .. end of a call are the caller's own).
// Returns the sum over rows of the final squared residual norms.
//
// Dots are taken four at a time (dots4: four accumulation chains, each summed as dot() sums it),
// so the results are the same bits as one dot after another, in about half the time.
import { F32_BYTES } from "./layout";
import { axpy, axpy4, dot, dots4, scale } from "./vector";

export function alsSolveRows(
  start: usize, cols: usize, vals: usize, first: i32, end: i32,
  X: usize, Y: usize, gram: usize, stride: i32, k: i32,
  alpha: f32, lambda: f32, steps: i32, r: usize, p: usize, ap: usize
): f64 {
  const rowBytes = <usize>(stride * F32_BYTES);
  let residual: f64 = 0;
  for (let row = <usize>first; row < <usize>end; row++) {
    const x = X + row * rowBytes;
    const from = load<u32>(start + (row << 2));
    const to = load<u32>(start + (row << 2), 4);
    // r = b − A x, with b = Σ c_j y_j and A x = YᵀY x + λx + Σ (c_j − 1)(y_j·x) y_j
    times(ap, x, gram, stride, k, rowBytes);
    axpy(ap, lambda, x, stride);
    memory.fill(r, 0, rowBytes);
    interactions(r, x, from, to, cols, vals, Y, rowBytes, stride, alpha, true);
    axpy(r, -1, ap, stride);
    memory.copy(p, r, rowBytes);
    let rsOld: f32 = dot(r, r, stride);
    for (let it = 0; it < steps; it++) {
      if (rsOld < 1e-20) break;
      // ap = A p
      times(ap, p, gram, stride, k, rowBytes);
      axpy(ap, lambda, p, stride);
      interactions(ap, p, from, to, cols, vals, Y, rowBytes, stride, alpha, false);
      const a: f32 = rsOld / dot(p, ap, stride);
      axpy(x, a, p, stride);
      axpy(r, -a, ap, stride);
      const rsNew: f32 = dot(r, r, stride);
      scale(p, rsNew / rsOld, stride);
      axpy(p, 1, r, stride);
      rsOld = rsNew;
    }
    residual += <f64>rsOld;
  }
  return residual;
}

// out += Σ_j w_j y_j over interactions from .. to, with w_j = c_j − (c_j − 1)(y_j·v) for the
// right-hand side (rhs) or (c_j − 1)(y_j·v) for a product A v. The updates of out go in order;
// the dots do not depend on out, so four are taken before their four updates.
// @ts-ignore: decorator
@inline
function interactions(
  out: usize, v: usize, from: u32, to: u32, cols: usize, vals: usize, Y: usize, rowBytes: usize, stride: i32, alpha: f32, rhs: bool
): void {
  let t = from;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= to; t += 4) {
      const at = <usize>t << 2;
      const y0 = Y + <usize>load<u32>(cols + at) * rowBytes;
      const y1 = Y + <usize>load<u32>(cols + at, 4) * rowBytes;
      const y2 = Y + <usize>load<u32>(cols + at, 8) * rowBytes;
      const y3 = Y + <usize>load<u32>(cols + at, 12) * rowBytes;
      const d = dots4(v, y0, y1, y2, y3, stride);
      const c = f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(alpha), v128.load(vals + at)));
      const cm1 = f32x4.sub(c, f32x4.splat(1));
      // rhs: c − (c − 1)·d; a product: (c − 1)·d — lane by lane as weight() computes it.
      const w = rhs ? f32x4.sub(c, f32x4.mul(cm1, d)) : f32x4.mul(cm1, d);
      axpy4(out, w, y0, y1, y2, y3, stride);
    }
  }
  for (; t < to; t++) {
    const at = <usize>t << 2;
    const y = Y + <usize>load<u32>(cols + at) * rowBytes;
    axpy(out, weight(load<f32>(vals + at), dot(y, v, stride), alpha, rhs), y, stride);
  }
}

// @ts-ignore: decorator
@inline
function weight(value: f32, d: f32, alpha: f32, rhs: bool): f32 {
  const c: f32 = 1 + alpha * value;
  return rhs ? c - (c - 1) * d : (c - 1) * d;
}

// out = G v for the k x k gram matrix G (rows of `stride` floats), four rows at a time; padding
// lanes of out stay 0.
// @ts-ignore: decorator
@inline
function times(out: usize, v: usize, gram: usize, stride: i32, k: i32, rowBytes: usize): void {
  memory.fill(out, 0, rowBytes);
  let f = 0;
  if (ASC_FEATURE_SIMD) {
    for (; f + 4 <= k; f += 4) {
      const g = gram + <usize>f * rowBytes;
      v128.store(out + (<usize>f << 2), dots4(v, g, g + rowBytes, g + 2 * rowBytes, g + 3 * rowBytes, stride));
    }
  }
  for (; f < k; f++) {
    store<f32>(out + (<usize>f << 2), dot(gram + <usize>f * rowBytes, v, stride));
  }
}

// Rows first .. end of gram = Yᵀ Y over `rows` rows of Y (k x k, rows of `stride` floats; the host
// zeroes it first). Each gram row sums over Y's rows in order, so any split into ranges of gram
// rows (one per thread) gives the same bits.
export function gramian(Y: usize, rows: i32, stride: i32, k: i32, gram: usize, first: i32, end: i32): void {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let r: usize = 0; r < <usize>rows; r++) {
    const y = Y + r * rowBytes;
    for (let f = first; f < end; f++) axpy(gram + <usize>f * rowBytes, load<f32>(y + (<usize>f << 2)), y, stride);
  }
}
