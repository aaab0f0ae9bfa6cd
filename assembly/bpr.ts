// SGD epoch for Bayesian Personalized Ranking (Rendle et al. 2009, "BPR: Bayesian personalized
// ranking from implicit feedback"): for each (user u, positive i, sampled negative j),
// x = b_i − b_j + p_u·(q_i − q_j), and gradient ascent on ln σ(x) − reg·‖θ‖²:
//   g = σ(−x) = 1 / (1 + e^x)
//   p_u += lr (g (q_i − q_j) − reg p_u);  q_i += lr (g p_u − reg q_i);  q_j += lr (−g p_u − reg q_j)
//   b_i += lr (g − reg b_i);              b_j += lr (−g − reg b_j)        (all from old values)
// The host samples the negatives (seeded, one generator for both engines) into `negatives`.
// Returns the pass's number of triples already ranked right (x > 0), for a training AUC.
import { F32_BYTES, LANES } from "./layout";
import { dotDiff } from "./vector";
import { shuffleRatings } from "./shuffle";
import { drawNegative, drawState } from "./bin-draws";

export function sgdEpochBpr(
  users: usize, positives: usize, negatives: usize, count: i32,
  P: usize, Q: usize, bi: usize, stride: i32, lr: f32, reg: f32, regBias: f32
): f64 {
  const rowBytes = <usize>(stride * F32_BYTES);
  let correct: f64 = 0;
  for (let t = 0; t < count; t++) {
    const at = <usize>(t << 2);
    const pu = P + <usize>load<u32>(users + at) * rowBytes;
    const i = <usize>load<u32>(positives + at);
    const j = <usize>load<u32>(negatives + at);
    const qi = Q + i * rowBytes;
    const qj = Q + j * rowBytes;
    const bip = bi + (i << 2), bjp = bi + (j << 2);
    const bI = load<f32>(bip), bJ = load<f32>(bjp);
    const x: f32 = bI - bJ + dotDiff(pu, qi, qj, stride);
    if (x > 0) correct += 1;
    const g: f32 = 1 / (1 + Mathf.exp(x));
    store<f32>(bip, bI + lr * (g - regBias * bI));
    store<f32>(bjp, bJ + lr * (-g - regBias * bJ));
    updateBpr(pu, qi, qj, stride, g, lr, reg);
  }
  return correct;
}

// @ts-ignore: decorator
@inline
function updateBpr(p: usize, qi: usize, qj: usize, stride: i32, g: f32, lr: f32, reg: f32): void {
  if (ASC_FEATURE_SIMD) {
    const vg = f32x4.splat(g), vlr = f32x4.splat(lr), vreg = f32x4.splat(reg);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      const vp = v128.load(p + off), vi = v128.load(qi + off), vj = v128.load(qj + off);
      v128.store(p + off, f32x4.add(vp, f32x4.mul(vlr, f32x4.sub(f32x4.mul(vg, f32x4.sub(vi, vj)), f32x4.mul(vreg, vp)))));
      v128.store(qi + off, f32x4.add(vi, f32x4.mul(vlr, f32x4.sub(f32x4.mul(vg, vp), f32x4.mul(vreg, vi)))));
      v128.store(qj + off, f32x4.add(vj, f32x4.mul(vlr, f32x4.sub(f32x4.neg(f32x4.mul(vg, vp)), f32x4.mul(vreg, vj)))));
    }
  } else {
    const n = <usize>(stride * F32_BYTES);
    for (let off: usize = 0; off < n; off += F32_BYTES) {
      const vp = load<f32>(p + off), vi = load<f32>(qi + off), vj = load<f32>(qj + off);
      store<f32>(p + off, vp + lr * (g * (vi - vj) - reg * vp));
      store<f32>(qi + off, vi + lr * (g * vp - reg * vi));
      store<f32>(qj + off, vj + lr * (-(g * vp) - reg * vj));
    }
  }
}

// One block of BPR's blocked order (LIBMF's grid over users and items): the block's triples
// first .. end are shuffled in place with `seed` (as shuffleRatings), each gets a negative drawn
// uniformly from its positive's item bin — binItems[binStart[b] .. binStart[b + 1]) for
// b = itemBin[i], redrawn while the user has it when `verify` (seenStart/seenItems: each user's
// items, sorted; assembly/bin-draws.ts drawNegative), then one BPR
// pass over the block. Blocks of a round share no user and no item bin, so they run on any
// threads to the same bits. Returns the triples already ranked right.
export function bprBlock(
  users: usize, items: usize, values: usize, negatives: usize, first: i32, end: i32, seed: u32,
  binItems: usize, binStart: usize, itemBin: usize, seenStart: usize, seenItems: usize, verify: i32,
  P: usize, Q: usize, bi: usize, stride: i32, lr: f32, reg: f32, regBias: f32
): f64 {
  const at = <usize>first << 2, count = end - first;
  shuffleRatings(users + at, items + at, values + at, count, seed);
  let x = drawState(seed);
  for (let t = <usize>first; t < <usize>end; t++) {
    const u = load<u32>(users + (t << 2));
    const b = <usize>load<u32>(itemBin + (<usize>load<u32>(items + (t << 2)) << 2));
    const lo = load<u32>(binStart + (b << 2)), size = load<u32>(binStart + (b << 2), 4) - lo;
    x = drawNegative(x, binItems, lo, size, verify != 0, seenStart, seenItems, u, negatives + (t << 2));
  }
  return sgdEpochBpr(users + at, items + at, negatives + at, count, P, Q, bi, stride, lr, reg, regBias);
}
