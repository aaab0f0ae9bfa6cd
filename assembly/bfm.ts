// Bayesian factorization machine by Gibbs sampling (Freudenthaler, Schmidt-Thieme & Rendle 2011;
// Rendle 2012, libFM's MCMC): one side's rows (every user, or every item) drawn from their
// conditional posteriors given everything else. Each rating belongs to one row of a side, so the
// rows of a side are independent given the other side: they can be drawn in any order, on any
// thread, with the same result.
//
// For row r with ratings t (the other side's row c_t) and residuals e_t = y_t − ŷ_t, its linear
// term w and factors v_f are drawn one after the other (systematic-scan Gibbs), each from
//   precision P = alpha Σ h_t² + lambda,  mean m = (alpha Σ (e_t + θ h_t) h_t + lambda mu) / P,
//   θ' = m + z / sqrt(P)       (z: the host's standard normal for this coordinate)
// with h_t = 1 for w and h_t = Vo[c_t, f] for v_f; the residuals follow each draw,
// e_t += (θ − θ') h_t. A row without ratings is drawn from its prior.
//
// The row's residuals and the other side's factors are packed first, column f of the factors
// contiguous (h: k runs of n4 floats, n4 = n rounded up to LANES, zero-padded), so every sum over
// the row's ratings is a lane-parallel dot product in vector.ts's order of operations.
//
// A call draws rows rowFirst .. rowEnd − 1: threads draw disjoint ranges (each with its own h and
// eb), and the result is the same bits for any split.
//
//   normals  f32[rows][k + 1]    z for w, then for v_0 .. v_(k-1), row after row
//   h        f32[k][n4]          scratch: Vo[c_t, f] for the row being drawn
//   eb       f32[n4]             scratch: the row's residuals
import { F32_BYTES, LANES } from "./layout";
import { axpy, dot } from "./vector";

export function bfmSampleRows(
  start: usize, cols: usize, slots: usize, rowFirst: i32, rowEnd: i32,
  W: usize, V: usize, Vo: usize, stride: i32, k: i32,
  e: usize, alpha: f64, muW: f64, lambdaW: f64, muV: usize, lambdaV: usize,
  normals: usize, h: usize, eb: usize
): void {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let row = <usize>rowFirst; row < <usize>rowEnd; row++) {
    const first = load<u32>(start + (row << 2));
    const n = <i32>(load<u32>(start + (row << 2), 4) - first);
    const n4 = (n + LANES - 1) & ~(LANES - 1);
    const z = normals + row * <usize>((k + 1) * F32_BYTES);
    const v = V + row * rowBytes;
    // Pack: the row's residuals, and column f of the other side's factors for its ratings.
    for (let t = 0; t < n4; t++) {
      const at = <usize>t << 2;
      if (t < n) {
        const slot = <usize>load<u32>(slots + ((<usize>first + <usize>t) << 2));
        const o = Vo + <usize>load<u32>(cols + ((<usize>first + <usize>t) << 2)) * rowBytes;
        store<f32>(eb + at, load<f32>(e + (slot << 2)));
        for (let f = 0; f < k; f++) store<f32>(h + <usize>(f * n4 * F32_BYTES) + at, load<f32>(o + (<usize>f << 2)));
      } else {
        store<f32>(eb + at, 0);
        for (let f = 0; f < k; f++) store<f32>(h + <usize>(f * n4 * F32_BYTES) + at, 0);
      }
    }
    // The linear term: h_t = 1.
    const w = load<f32>(W + (row << 2));
    let sumE: f32 = 0;
    for (let t = 0; t < n; t++) sumE += load<f32>(eb + (<usize>t << 2));
    const pw: f64 = alpha * <f64>n + lambdaW;
    const mw: f64 = (alpha * (<f64>sumE + <f64>n * <f64>w) + lambdaW * muW) / pw;
    const w2 = <f32>(mw + <f64>load<f32>(z) / Math.sqrt(pw));
    const dw: f32 = w - w2;
    for (let t = 0; t < n; t++) store<f32>(eb + (<usize>t << 2), load<f32>(eb + (<usize>t << 2)) + dw);
    store<f32>(W + (row << 2), w2);
    // The factors, one coordinate at a time.
    for (let f = 0; f < k; f++) {
      const hf = h + <usize>(f * n4 * F32_BYTES);
      const vf = load<f32>(v + (<usize>f << 2));
      const s2 = dot(hf, hf, n4);
      const se = dot(eb, hf, n4);
      const lambda = <f64>load<f32>(lambdaV + (<usize>f << 2));
      const p: f64 = alpha * <f64>s2 + lambda;
      const m: f64 = (alpha * (<f64>se + <f64>vf * <f64>s2) + lambda * <f64>load<f32>(muV + (<usize>f << 2))) / p;
      const v2 = <f32>(m + <f64>load<f32>(z + (<usize>(f + 1) << 2)) / Math.sqrt(p));
      axpy(eb, vf - v2, hf, n4);
      store<f32>(v + (<usize>f << 2), v2);
    }
    // Unpack the residuals.
    for (let t = 0; t < n; t++) {
      const slot = <usize>load<u32>(slots + ((<usize>first + <usize>t) << 2));
      store<f32>(e + (slot << 2), load<f32>(eb + (<usize>t << 2)));
    }
  }
}
