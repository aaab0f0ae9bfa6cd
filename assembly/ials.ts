// Exact row solves for ALS on implicit feedback, in f64 by Cholesky: for row x (a user, the item
// factors Y fixed, or the reverse) with interactions j (value r_j),
//   (a·YᵀY + Σ_j w_j y_j y_jᵀ + λ_row I) x = Σ_j t_j y_j,   w_j = w0 + alpha·r_j,  t_j = 1 + alpha·r_j
// Rendle et al. 2021's iALS is a = α0, w0 = 1, alpha = 0 (every cell weighted α0, the observed
// ones 1 more, target 1); Hu, Koren & Volinsky's confidence form is a = 1, w0 = 0, alpha = α.
// Conjugate gradient with a few steps approaches this; here it is solved to rounding, whatever k.
//
// A row costs |row|·k²/2 for the outer products and k³/6 for the factorization. The order of
// operations is the js twin's (src/engine/js-engine.ts alsExactRows): A's lower triangle built
// elementwise (the Gram part, then the items in order), b likewise, then assembly/vector64.ts's
// Cholesky and the two triangular solves.
//
//   gram    f32[k][stride]   YᵀY, from gramian()
//   lambdas f64[rows]        λ_row of every row (frequency-scaled by the host)
//   A       f64[k][m]        scratch, m = k rounded up to even
//   h       f64[4][m]        scratch: four item rows in f64
//   b       f64[m]           scratch: the right-hand side (then the solution)
import { F32_BYTES } from "./layout";
import { axpy64, axpy64x4, choleskyRows, dot64 } from "./vector64";

export function alsExactRows(
  start: usize, cols: usize, vals: usize, first: i32, end: i32,
  X: usize, Y: usize, gram: usize, stride: i32, k: i32,
  a: f64, w0Base: f64, alpha: f64, lambdas: usize,
  A: usize, h: usize, b: usize
): i32 {
  const rowBytes = <usize>(stride * F32_BYTES), m = (k + 1) & ~1, aBytes = <usize>m << 3;
  for (let row = <usize>first; row < <usize>end; row++) {
    // A = a·G + λ I (lower triangle), b = 0.
    const lambda = load<f64>(lambdas + (row << 3));
    for (let p = 0; p < k; p++) {
      const ap = A + <usize>p * aBytes, gp = gram + <usize>p * rowBytes;
      for (let q = 0; q <= p; q++) store<f64>(ap + (<usize>q << 3), a * <f64>load<f32>(gp + (<usize>q << 2)));
      store<f64>(ap + (<usize>p << 3), load<f64>(ap + (<usize>p << 3)) + lambda);
    }
    memory.fill(b, 0, aBytes);
    const from = <usize>load<u32>(start + (row << 2)), to = <usize>load<u32>(start + (row << 2), 4);
    let t = from;
    // Four interactions at a time: A and b are loaded and stored once for four rank-one updates,
    // added in interaction order (axpy64x4), so the bits are those of one update after another.
    for (; t + 4 <= to; t += 4) {
      const h1 = h + aBytes, h2 = h1 + aBytes, h3 = h2 + aBytes;
      const w0 = toDoubles(h, Y, cols, vals, t, rowBytes, k, w0Base, alpha);
      const w1 = toDoubles(h1, Y, cols, vals, t + 1, rowBytes, k, w0Base, alpha);
      const w2 = toDoubles(h2, Y, cols, vals, t + 2, rowBytes, k, w0Base, alpha);
      const w3 = toDoubles(h3, Y, cols, vals, t + 3, rowBytes, k, w0Base, alpha);
      for (let p = 0; p < k; p++) {
        const at = <usize>p << 3;
        axpy64x4(A + <usize>p * aBytes, w0 * load<f64>(h + at), h, w1 * load<f64>(h1 + at), h1, w2 * load<f64>(h2 + at), h2, w3 * load<f64>(h3 + at), h3, p + 1);
      }
      axpy64x4(b, targetOf(vals, t, alpha), h, targetOf(vals, t + 1, alpha), h1, targetOf(vals, t + 2, alpha), h2, targetOf(vals, t + 3, alpha), h3, k);
    }
    for (; t < to; t++) {
      const y = Y + <usize>load<u32>(cols + (t << 2)) * rowBytes;
      for (let q = 0; q < k; q++) store<f64>(h + (<usize>q << 3), <f64>load<f32>(y + (<usize>q << 2)));
      const r = <f64>load<f32>(vals + (t << 2));
      const w = w0Base + alpha * r, target = 1 + alpha * r;
      for (let p = 0; p < k; p++) axpy64(A + <usize>p * aBytes, w * load<f64>(h + (<usize>p << 3)), h, p + 1);
      axpy64(b, target, h, k);
    }
    const failed = choleskyRows(A, 0, k, m);
    if (failed != 0) return <i32>row + 1;
    // L z = b (forward), then Lᵀ x = z (backward, a row of L at a time).
    for (let p = 0; p < k; p++) {
      const ap = A + <usize>p * aBytes;
      store<f64>(b + (<usize>p << 3), (load<f64>(b + (<usize>p << 3)) - dot64(ap, b, p)) / load<f64>(ap + (<usize>p << 3)));
    }
    for (let p = k - 1; p >= 0; p--) {
      const ap = A + <usize>p * aBytes;
      const xp = load<f64>(b + (<usize>p << 3)) / load<f64>(ap + (<usize>p << 3));
      store<f64>(b + (<usize>p << 3), xp);
      axpy64(b, -xp, ap, p);
    }
    const x = X + row * rowBytes;
    for (let q = 0; q < k; q++) store<f32>(x + (<usize>q << 2), <f32>load<f64>(b + (<usize>q << 3)));
  }
  return 0;
}

// Y's row of interaction t in doubles at h; its weight w0 + alpha·r_t.
// @ts-ignore: decorator
@inline
function toDoubles(h: usize, Y: usize, cols: usize, vals: usize, t: usize, rowBytes: usize, k: i32, w0: f64, alpha: f64): f64 {
  const y = Y + <usize>load<u32>(cols + (t << 2)) * rowBytes;
  for (let q = 0; q < k; q++) store<f64>(h + (<usize>q << 3), <f64>load<f32>(y + (<usize>q << 2)));
  return w0 + alpha * <f64>load<f32>(vals + (t << 2));
}

// The target 1 + alpha·r_t of interaction t.
// @ts-ignore: decorator
@inline
function targetOf(vals: usize, t: usize, alpha: f64): f64 {
  return 1 + alpha * <f64>load<f32>(vals + (t << 2));
}
