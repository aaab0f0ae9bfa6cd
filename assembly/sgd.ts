// SGD epoch kernels for explicit ratings (Funk; Koren, Bell & Volinsky 2009; Surprise's
// matrix_factorization.pyx). One call = one pass over `count` ratings in memory order;
// returns the pass's sum of squared errors (each error taken before its update).
import { F32_BYTES } from "./layout";
import { dot, updatePair } from "./vector";

// Ratings this far ahead have their factor rows touched (one load per 64-byte line) before their
// turn: wasm has no prefetch instruction, and a plain load lets the CPU fetch the rows of later
// updates while this one computes. Results do not depend on it (the loaded values are unused).
const AHEAD: i32 = 6;
// Where the touched values go. The optimizer drops this global anyway; the loads stay because a
// wasm load may trap (out of bounds), so it is never dead code.
let touched: u32 = 0;

// @ts-ignore: decorator
@inline
function touchRows(users: usize, items: usize, t: i32, count: i32, P: usize, Q: usize, rowBytes: usize): u32 {
  let sink: u32 = 0;
  if (t + AHEAD < count) {
    const at = <usize>((t + AHEAD) << 2);
    const p = P + <usize>load<u32>(users + at) * rowBytes;
    const q = Q + <usize>load<u32>(items + at) * rowBytes;
    for (let o: usize = 0; o < rowBytes; o += 64) sink ^= load<u32>(p + o) ^ load<u32>(q + o);
  }
  return sink;
}

// Biased MF ("SVD on top of baseline"): r^ = mu + bu + bi + q_i . p_u
export function sgdEpochBiased(
  users: usize, items: usize, values: usize, count: i32,
  P: usize, Q: usize, bu: usize, bi: usize, stride: i32,
  mu: f32, lrBu: f32, lrBi: f32, lrPu: f32, lrQi: f32,
  regBu: f32, regBi: f32, regPu: f32, regQi: f32
): f64 {
  const rowBytes = <usize>(stride * F32_BYTES);
  let sse: f64 = 0;
  let sink: u32 = 0;
  for (let t = 0; t < count; t++) {
    sink ^= touchRows(users, items, t, count, P, Q, rowBytes);
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
  touched = sink;
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
  let sink: u32 = 0;
  for (let t = 0; t < count; t++) {
    sink ^= touchRows(users, items, t, count, P, Q, rowBytes);
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
  touched = sink;
  return sse;
}
