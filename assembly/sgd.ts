// SGD epoch kernels for explicit ratings (Funk; Koren, Bell & Volinsky 2009; Surprise's
// matrix_factorization.pyx). One call = one pass over `count` ratings in memory order;
// returns the pass's sum of squared errors (each error taken before its update).
import { F32_BYTES } from "./layout";
import { dot, updatePair } from "./vector";

// Biased MF ("SVD on top of baseline"): r^ = mu + bu + bi + q_i . p_u
export function sgdEpochBiased(
  users: usize, items: usize, values: usize, count: i32,
  P: usize, Q: usize, bu: usize, bi: usize, stride: i32,
  mu: f32, lrBu: f32, lrBi: f32, lrPu: f32, lrQi: f32,
  regBu: f32, regBi: f32, regPu: f32, regQi: f32
): f64 {
  const rowBytes = <usize>(stride * F32_BYTES);
  let sse: f64 = 0;
  for (let t = 0; t < count; t++) {
    const at = <usize>(t << 2);
    const u = <usize>load<u32>(users + at);
    const i = <usize>load<u32>(items + at);
    const r = load<f32>(values + at);
    const pu = P + u * rowBytes;
    const qi = Q + i * rowBytes;
    const bup = bu + (u << 2);
    const bip = bi + (i << 2);
    const bU = load<f32>(bup);
    const bI = load<f32>(bip);
    const e: f32 = r - (mu + bU + bI + dot(pu, qi, stride));
    sse += <f64>e * <f64>e;
    store<f32>(bup, bU + lrBu * (e - regBu * bU));
    store<f32>(bip, bI + lrBi * (e - regBi * bI));
    updatePair(pu, qi, stride, e, lrPu, regPu, lrQi, regQi);
  }
  return sse;
}

// Plain MF: r^ = p_u . q_i
export function sgdEpochPlain(
  users: usize, items: usize, values: usize, count: i32,
  P: usize, Q: usize, stride: i32,
  lrPu: f32, lrQi: f32, regPu: f32, regQi: f32
): f64 {
  const rowBytes = <usize>(stride * F32_BYTES);
  let sse: f64 = 0;
  for (let t = 0; t < count; t++) {
    const at = <usize>(t << 2);
    const u = <usize>load<u32>(users + at);
    const i = <usize>load<u32>(items + at);
    const r = load<f32>(values + at);
    const pu = P + u * rowBytes;
    const qi = Q + i * rowBytes;
    const e: f32 = r - dot(pu, qi, stride);
    sse += <f64>e * <f64>e;
    updatePair(pu, qi, stride, e, lrPu, regPu, lrQi, regQi);
  }
  return sse;
}
