// SGD epoch for SVD++ (Koren 2008, "Factorization meets the neighborhood"; Surprise's SVDpp):
// r^ = mu + bu + bi + q_i . (p_u + |I_u|^-1/2 sum_{j in I_u} y_j).
//
// Surprise recomputes z = |I_u|^-1/2 sum y_j for every rating and updates every y_j of the user
// for every rating: O(|I_u|^2 k) per user. The same arithmetic in O(k) per rating: with
// a = lrYj*regYj and the update y_j <- y_j (1 - a) + lrYj e q_i / sqrt|I_u| applied to all j,
//   z   <- z (1 - a) + lrYj e q_i                      (exactly the new |I_u|^-1/2 sum y_j)
//   acc <- acc (1 - a) + lrYj e q_i / sqrt|I_u|        (what every y_j gained, decayed)
// and once the user's ratings are done, y_j <- y_j (1 - a)^n + acc for each j in I_u.
//
// Ratings are grouped by user: rows start[u] .. start[u+1] of items/values are user u's, and
// I_u is their items. A call visits the users userOrder[first .. end); a pass is several calls
// (ranges of the order), which threads may run at once: then q_i, b_i and y_j of items that users
// on two threads share take concurrent updates (Hogwild). z and acc are two scratch rows of
// `stride` floats (one pair per thread).
import { F32_BYTES, LANES } from "./layout";
import { dotSum, scale, scaleAdd } from "./vector";

export function sgdEpochSvdpp(
  userOrder: usize, first: i32, end: i32, start: usize, items: usize, values: usize,
  P: usize, Q: usize, Y: usize, bu: usize, bi: usize, stride: i32, z: usize, acc: usize,
  mu: f32, lrBu: f32, lrBi: f32, lrPu: f32, lrQi: f32, lrYj: f32,
  regBu: f32, regBi: f32, regPu: f32, regQi: f32, regYj: f32
): f64 {
  const rowBytes = <usize>(stride * F32_BYTES);
  const decay: f32 = 1 - lrYj * regYj;
  let sse: f64 = 0;
  for (let k = first; k < end; k++) {
    const u = <usize>load<u32>(userOrder + (<usize>k << 2));
    const lo = load<u32>(start + (u << 2));
    const hi = load<u32>(start + (u << 2), 4);
    if (hi == lo) continue;
    const invSqrt: f32 = 1 / Mathf.sqrt(<f32>(hi - lo));
    implicitSum(z, Y, items, lo, hi, stride, rowBytes);
    scale(z, invSqrt, stride);
    memory.fill(acc, 0, rowBytes);
    const pu = P + u * rowBytes;
    const bup = bu + (u << 2);
    let total: f32 = 1;
    for (let t = lo; t < hi; t++) {
      const at = <usize>t << 2;
      const i = <usize>load<u32>(items + at);
      const qi = Q + i * rowBytes;
      const bip = bi + (i << 2);
      const bU = load<f32>(bup);
      const bI = load<f32>(bip);
      const e: f32 = load<f32>(values + at) - (mu + bU + bI + dotSum(qi, pu, z, stride));
      sse += <f64>e * <f64>e;
      store<f32>(bup, bU + lrBu * (e - regBu * bU));
      store<f32>(bip, bI + lrBi * (e - regBi * bI));
      updateSvdpp(pu, qi, z, acc, stride, e, invSqrt, decay, lrPu, regPu, lrQi, regQi, lrYj);
      total *= decay;
    }
    for (let t = lo; t < hi; t++) {
      const j = <usize>load<u32>(items + (<usize>t << 2));
      scaleAdd(Y + j * rowBytes, total, acc, stride);
    }
  }
  return sse;
}

// out_u = p_u + |I_u|^-1/2 sum_{j in I_u} y_j for every user (the vector SVD++ predicts with).
export function implicitUserFactors(
  userCount: i32, start: usize, items: usize, P: usize, Y: usize, stride: i32, out: usize
): void {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let u: usize = 0; u < <usize>userCount; u++) {
    const first = load<u32>(start + (u << 2));
    const end = load<u32>(start + (u << 2), 4);
    const o = out + u * rowBytes;
    implicitSum(o, Y, items, first, end, stride, rowBytes);
    if (end > first) scale(o, 1 / Mathf.sqrt(<f32>(end - first)), stride);
    scaleAdd(o, 1, P + u * rowBytes, stride);
  }
}

// @ts-ignore: decorator
@inline
function implicitSum(out: usize, Y: usize, items: usize, first: u32, end: u32, stride: i32, rowBytes: usize): void {
  memory.fill(out, 0, rowBytes);
  for (let t = first; t < end; t++) {
    scaleAdd(out, 1, Y + <usize>load<u32>(items + (<usize>t << 2)) * rowBytes, stride);
  }
}

// One rating's factor updates, all from the old values:
//   p += lrPu (e q - regPu p);  q += lrQi (e (p + z) - regQi q)
//   z  = z decay + lrYj e q;     acc = acc decay + lrYj e q invSqrt
// @ts-ignore: decorator
@inline
function updateSvdpp(
  p: usize, q: usize, z: usize, acc: usize, stride: i32, e: f32, invSqrt: f32, decay: f32,
  lrP: f32, regP: f32, lrQ: f32, regQ: f32, lrY: f32
): void {
  const g: f32 = lrY * e;
  const gs: f32 = g * invSqrt;
  if (ASC_FEATURE_SIMD) {
    const ve = f32x4.splat(e), vd = f32x4.splat(decay), vg = f32x4.splat(g), vgs = f32x4.splat(gs);
    const vlp = f32x4.splat(lrP), vrp = f32x4.splat(regP), vlq = f32x4.splat(lrQ), vrq = f32x4.splat(regQ);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      const vp = v128.load(p + off), vq = v128.load(q + off), vz = v128.load(z + off), va = v128.load(acc + off);
      v128.store(p + off, f32x4.add(vp, f32x4.mul(vlp, f32x4.sub(f32x4.mul(ve, vq), f32x4.mul(vrp, vp)))));
      v128.store(q + off, f32x4.add(vq, f32x4.mul(vlq, f32x4.sub(f32x4.mul(ve, f32x4.add(vp, vz)), f32x4.mul(vrq, vq)))));
      v128.store(z + off, f32x4.add(f32x4.mul(vz, vd), f32x4.mul(vg, vq)));
      v128.store(acc + off, f32x4.add(f32x4.mul(va, vd), f32x4.mul(vgs, vq)));
    }
  } else {
    const n = <usize>(stride * F32_BYTES);
    for (let off: usize = 0; off < n; off += F32_BYTES) {
      const vp = load<f32>(p + off), vq = load<f32>(q + off), vz = load<f32>(z + off), va = load<f32>(acc + off);
      store<f32>(p + off, vp + lrP * (e * vq - regP * vp));
      store<f32>(q + off, vq + lrQ * (e * (vp + vz) - regQ * vq));
      store<f32>(z + off, vz * decay + g * vq);
      store<f32>(acc + off, va * decay + gs * vq);
    }
  }
}
