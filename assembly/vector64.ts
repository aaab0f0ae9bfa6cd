// f64 helpers of the kernels that work in doubles (EASE's inverse, exact ALS row solves). A dot
// product keeps two lane sums (even and odd terms) added at the end, then the odd last term; an
// update is elementwise. f64x2 multiply and add stay separate (no relaxed fused multiply-add), so
// every build gives the js twin's bits (src/engine/js-vector64.ts).

// @ts-ignore: decorator
@inline export const F64_BYTES: usize = 8;

// @ts-ignore: decorator
@inline export function dot64(a: usize, b: usize, count: i32): f64 {
  let s: f64;
  const pairs = <usize>(count & ~1) * F64_BYTES;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0);
    for (let t: usize = 0; t < pairs; t += 16) acc = f64x2.add(acc, f64x2.mul(v128.load(a + t), v128.load(b + t)));
    s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0;
    for (let t: usize = 0; t < pairs; t += 16) {
      s0 += load<f64>(a + t) * load<f64>(b + t);
      s1 += load<f64>(a + t, 8) * load<f64>(b + t, 8);
    }
    s = s0 + s1;
  }
  if (count & 1) s += load<f64>(a + pairs) * load<f64>(b + pairs);
  return s;
}

// y[0 .. count) += c x[0 .. count)
// @ts-ignore: decorator
@inline export function axpy64(y: usize, c: f64, x: usize, count: i32): void {
  const pairs = <usize>(count & ~1) * F64_BYTES;
  if (ASC_FEATURE_SIMD) {
    const vc = f64x2.splat(c);
    for (let t: usize = 0; t < pairs; t += 16) v128.store(y + t, f64x2.add(v128.load(y + t), f64x2.mul(vc, v128.load(x + t))));
  } else {
    for (let t: usize = 0; t < pairs; t += 8) store<f64>(y + t, load<f64>(y + t) + c * load<f64>(x + t));
  }
  if (count & 1) store<f64>(y + pairs, load<f64>(y + pairs) + c * load<f64>(x + pairs));
}

// y[0 .. count) = ((((y + c0 x0) + c1 x1) + c2 x2) + c3 x3), elementwise: four axpy64 in one pass.
// @ts-ignore: decorator
@inline export function axpy64x4(y: usize, c0: f64, x0: usize, c1: f64, x1: usize, c2: f64, x2: usize, c3: f64, x3: usize, count: i32): void {
  const pairs = <usize>(count & ~1) * F64_BYTES;
  if (ASC_FEATURE_SIMD) {
    const v0 = f64x2.splat(c0), v1 = f64x2.splat(c1), v2 = f64x2.splat(c2), v3 = f64x2.splat(c3);
    for (let t: usize = 0; t < pairs; t += 16) {
      let s = f64x2.add(v128.load(y + t), f64x2.mul(v0, v128.load(x0 + t)));
      s = f64x2.add(s, f64x2.mul(v1, v128.load(x1 + t)));
      s = f64x2.add(s, f64x2.mul(v2, v128.load(x2 + t)));
      v128.store(y + t, f64x2.add(s, f64x2.mul(v3, v128.load(x3 + t))));
    }
  } else {
    for (let t: usize = 0; t < pairs; t += 8) {
      store<f64>(y + t, (((load<f64>(y + t) + c0 * load<f64>(x0 + t)) + c1 * load<f64>(x1 + t)) + c2 * load<f64>(x2 + t)) + c3 * load<f64>(x3 + t));
    }
  }
  if (count & 1) {
    const t = pairs;
    store<f64>(y + t, (((load<f64>(y + t) + c0 * load<f64>(x0 + t)) + c1 * load<f64>(x1 + t)) + c2 * load<f64>(x2 + t)) + c3 * load<f64>(x3 + t));
  }
}

// y_r[0 .. count) += c_r x[0 .. count) for four rows y_r: four axpy64 sharing each load of x.
// @ts-ignore: decorator
@inline export function axpy64to4(y0: usize, c0: f64, y1: usize, c1: f64, y2: usize, c2: f64, y3: usize, c3: f64, x: usize, count: i32): void {
  const pairs = <usize>(count & ~1) * F64_BYTES;
  if (ASC_FEATURE_SIMD) {
    const v0 = f64x2.splat(c0), v1 = f64x2.splat(c1), v2 = f64x2.splat(c2), v3 = f64x2.splat(c3);
    for (let t: usize = 0; t < pairs; t += 16) {
      const v = v128.load(x + t);
      v128.store(y0 + t, f64x2.add(v128.load(y0 + t), f64x2.mul(v0, v)));
      v128.store(y1 + t, f64x2.add(v128.load(y1 + t), f64x2.mul(v1, v)));
      v128.store(y2 + t, f64x2.add(v128.load(y2 + t), f64x2.mul(v2, v)));
      v128.store(y3 + t, f64x2.add(v128.load(y3 + t), f64x2.mul(v3, v)));
    }
  } else {
    for (let t: usize = 0; t < pairs; t += 8) {
      const v = load<f64>(x + t);
      store<f64>(y0 + t, load<f64>(y0 + t) + c0 * v);
      store<f64>(y1 + t, load<f64>(y1 + t) + c1 * v);
      store<f64>(y2 + t, load<f64>(y2 + t) + c2 * v);
      store<f64>(y3 + t, load<f64>(y3 + t) + c3 * v);
    }
  }
  if (count & 1) {
    const v = load<f64>(x + pairs);
    store<f64>(y0 + pairs, load<f64>(y0 + pairs) + c0 * v);
    store<f64>(y1 + pairs, load<f64>(y1 + pairs) + c1 * v);
    store<f64>(y2 + pairs, load<f64>(y2 + pairs) + c2 * v);
    store<f64>(y3 + pairs, load<f64>(y3 + pairs) + c3 * v);
  }
}

// y[0 .. count) = c x[0 .. count)
// @ts-ignore: decorator
@inline export function scale64(y: usize, c: f64, x: usize, count: i32): void {
  for (let t: usize = 0; t < <usize>count; t++) store<f64>(y + (t << 3), c * load<f64>(x + (t << 3)));
}

/**
 * Rows first .. end of the Cholesky factor L (A = LLᵀ) over the lower triangle of A (rows m
 * doubles apart), in place, the rows above done (Cholesky–Banachiewicz):
 * L[i][j] = (A[i][j] − L_i·L_j over 0..j) / L[j][j], L[i][i] = √(A[i][i] − L_i·L_i over 0..i).
 * Returns 0, or 1 + the row whose pivot was not positive (A not positive definite).
 */
// @ts-ignore: decorator
@inline export function choleskyRows(A: usize, first: i32, end: i32, m: i32): i32 {
  const rowBytes = <usize>m * F64_BYTES;
  for (let i = first; i < end; i++) {
    const ri = A + <usize>i * rowBytes;
    for (let j = 0; j < i; j++) {
      const rj = A + <usize>j * rowBytes, at = ri + (<usize>j << 3);
      store<f64>(at, (load<f64>(at) - dot64(ri, rj, j)) / load<f64>(rj + (<usize>j << 3)));
    }
    const d = load<f64>(ri + (<usize>i << 3)) - dot64(ri, ri, i);
    if (!(d > 0)) return i + 1;
    store<f64>(ri + (<usize>i << 3), Math.sqrt(d));
  }
  return 0;
}
