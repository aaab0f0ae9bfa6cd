// SGD epoch of the LightFM-style hybrid model (Kula 2015, "Metadata embeddings for user and item
// cold-start recommendations"): a user's vector is the weighted sum of the embeddings of its
// features, r_u = sum_f w_uf e_f (same for items), and its bias the weighted sum of the feature
// biases; the score is s_ui = b_u + b_i + r_u · r_i. Losses, for a positive (u, i):
//   logistic  −ln σ(s_ui) − ln σ(−s_uj) for one sampled negative j (implicit data has no explicit
//             negatives, so one is sampled, as word2vec does)
//   bpr       −ln σ(s_ui − s_uj)
//   warp      LightFM's WARP: draw candidates until one violates s_uj > s_ui − 1 (and is not a
//             positive of u); the hinge gradient is scaled by ln⌊(n−1)/N⌋ for the N-th draw, an
//             estimate of the positive's rank; no violation within maxSampled draws: no update.
// Gradients go to every feature of u, i and j, weighted by the feature's weight; the step is
// adagrad (LightFM's default: accumulators start at 1, the step uses the accumulator before the
// gradient is added) or plain SGD. L2 regularization is added to each touched parameter's
// gradient. User biases only move under the logistic loss: in pairwise losses they cancel.
// The host samples every candidate (one seeded generator for both engines): `candidates` holds
// `slots` item ids per triple (WARP: maxSampled unverified draws; the others: one negative the
// host verified), and `warpWeights[s]` the weight for the (s+1)-th draw.
// Returns the number of triples ranked wrong (s_uj >= s_ui; WARP: a violating draw was found).
import { F32_BYTES, LANES } from "./layout";
import { axpy, dot } from "./vector";
import { isSeen } from "./sorted";
import { shuffleRatings } from "./shuffle";
import { binItem, drawNegative, drawState, xorshift32 } from "./bin-draws";

// @ts-ignore: decorator
@inline const LOSS_LOGISTIC: i32 = 0;
// @ts-ignore: decorator
@inline const LOSS_BPR: i32 = 1;
// @ts-ignore: decorator
@inline const LOSS_WARP: i32 = 2;

export function hybridEpoch(
  loss: i32, users: usize, positives: usize, first: i32, count: i32,
  candidates: usize, slots: i32, warpWeights: usize, seenStart: usize, seenItems: usize,
  uStart: usize, uCols: usize, uVals: usize, UE: usize, ub: usize, UEg: usize, ubg: usize,
  iStart: usize, iCols: usize, iVals: usize, IE: usize, ib: usize, IEg: usize, ibg: usize,
  stride: i32, lr: f32, userReg: f32, itemReg: f32, adagrad: i32, scratch: usize
): f64 {
  let wrong: f64 = 0;
  for (let t = first; t < first + count; t++) {
    const at = <usize>(t << 2);
    wrong += hybridTriple(
      loss, load<u32>(users + at), load<u32>(positives + at), candidates + <usize>((t - first) * slots) * 4, slots, warpWeights, seenStart, seenItems,
      uStart, uCols, uVals, UE, ub, UEg, ubg, iStart, iCols, iVals, IE, ib, IEg, ibg, stride, lr, userReg, itemReg, adagrad, scratch,
    );
  }
  return wrong;
}

// One block of the hybrid's blocked order (LIBMF's grid, as assembly/bpr.ts bprBlock): the
// block's triples first .. end are shuffled in place with `seed`, then for each triple the
// candidates are drawn from its positive's item bin — binItems[binStart[b] .. binStart[b + 1])
// for b = itemBin[i] — as blocked BPR's (assembly/bin-draws.ts) into `draws` (WARP: `slots` draws,
// all of them whether or not used, so the stream does not depend on the scores; the others: one
// verified negative, as BPR's), and the triple's step runs
// as in hybridEpoch. Blocks of a round share no user and no item bin: when every feature belongs
// to one user or one item (identity features only), they run on any threads to the same bits.
// Returns the triples ranked wrong.
export function hybridBlock(
  loss: i32, users: usize, items: usize, values: usize, first: i32, end: i32, seed: u32,
  slots: i32, warpWeights: usize, seenStart: usize, seenItems: usize, binItems: usize, binStart: usize, itemBin: usize,
  uStart: usize, uCols: usize, uVals: usize, UE: usize, ub: usize, UEg: usize, ubg: usize,
  iStart: usize, iCols: usize, iVals: usize, IE: usize, ib: usize, IEg: usize, ibg: usize,
  stride: i32, lr: f32, userReg: f32, itemReg: f32, adagrad: i32, scratch: usize, draws: usize
): f64 {
  shuffleRatings(users + (<usize>first << 2), items + (<usize>first << 2), values + (<usize>first << 2), end - first, seed);
  let x = drawState(seed);
  let wrong: f64 = 0;
  for (let t = <usize>first; t < <usize>end; t++) {
    const u = load<u32>(users + (t << 2)), i = load<u32>(items + (t << 2));
    const b = <usize>load<u32>(itemBin + (<usize>i << 2));
    const lo = load<u32>(binStart + (b << 2)), size = load<u32>(binStart + (b << 2), 4) - lo;
    if (loss == LOSS_WARP) {
      for (let s = 0; s < slots; s++) {
        x = xorshift32(x);
        store<u32>(draws + (<usize>s << 2), binItem(binItems, lo, size, x));
      }
    } else {
      x = drawNegative(x, binItems, lo, size, true, seenStart, seenItems, u, draws);
    }
    wrong += hybridTriple(
      loss, u, i, draws, slots, warpWeights, seenStart, seenItems,
      uStart, uCols, uVals, UE, ub, UEg, ubg, iStart, iCols, iVals, IE, ib, IEg, ibg, stride, lr, userReg, itemReg, adagrad, scratch,
    );
  }
  return wrong;
}

// One triple (u, i) with its candidates at `slot`: 1 if ranked wrong, else 0.
// @ts-ignore: decorator
@inline
function hybridTriple(
  loss: i32, u: u32, i: u32, slot: usize, slots: i32, warpWeights: usize, seenStart: usize, seenItems: usize,
  uStart: usize, uCols: usize, uVals: usize, UE: usize, ub: usize, UEg: usize, ubg: usize,
  iStart: usize, iCols: usize, iVals: usize, IE: usize, ib: usize, IEg: usize, ibg: usize,
  stride: i32, lr: f32, userReg: f32, itemReg: f32, adagrad: i32, scratch: usize
): f64 {
  const rowBytes = <usize>(stride * F32_BYTES);
  const ru = scratch, ri = scratch + rowBytes, rj = scratch + 2 * rowBytes, gu = scratch + 3 * rowBytes;
  let wrong: f64 = 0;
  const bu = represent(uStart, uCols, uVals, UE, ub, u, ru, stride);
  const bi = represent(iStart, iCols, iVals, IE, ib, i, ri, stride);
  const sPos: f32 = bu + bi + dot(ru, ri, stride);
  let j: i32 = -1;
  let dPos: f32 = 0, dNeg: f32 = 0;
  if (loss == LOSS_WARP) {
    for (let s = 0; s < slots; s++) {
      const c = load<u32>(slot + (<usize>s << 2));
      const bj = represent(iStart, iCols, iVals, IE, ib, c, rj, stride);
      const sNeg: f32 = bu + bj + dot(ru, rj, stride);
      if (sNeg > sPos - 1) {
        if (isSeen(seenStart, seenItems, u, c)) continue;
        const weight = load<f32>(warpWeights + (<usize>s << 2));
        dPos = -weight;
        dNeg = weight;
        j = <i32>c;
        wrong = 1;
        break;
      }
    }
    if (j < 0) return 0;
  } else {
    j = <i32>load<u32>(slot);
    const bj = represent(iStart, iCols, iVals, IE, ib, j, rj, stride);
    const sNeg: f32 = bu + bj + dot(ru, rj, stride);
    if (sNeg >= sPos) wrong = 1;
    if (loss == LOSS_BPR) {
      const g: f32 = 1 / (1 + Mathf.exp(sPos - sNeg));
      dPos = -g;
      dNeg = g;
    } else {
      dPos = -1 / (1 + Mathf.exp(sPos));
      dNeg = 1 / (1 + Mathf.exp(-sNeg));
    }
  }
  // The user's gradient from the old item vectors, before any parameter moves.
  combine(gu, dPos, ri, dNeg, rj, stride);
  const userBiasGrad: f32 = loss == LOSS_LOGISTIC ? dPos + dNeg : 0;
  descend(iStart, iCols, iVals, IE, ib, IEg, ibg, i, ru, dPos, dPos, 1, stride, lr, itemReg, adagrad);
  descend(iStart, iCols, iVals, IE, ib, IEg, ibg, j, ru, dNeg, dNeg, 1, stride, lr, itemReg, adagrad);
  descend(uStart, uCols, uVals, UE, ub, UEg, ubg, u, gu, 1, userBiasGrad, loss == LOSS_LOGISTIC ? 1 : 0, stride, lr, userReg, adagrad);
  return wrong;
}

// out = sum_t vals[t] E[cols[t]] over the row's features (axpy in feature order); returns the
// row's bias sum_t vals[t] b[cols[t]] in the same order.
// @ts-ignore: decorator
@inline
function represent(start: usize, cols: usize, vals: usize, E: usize, b: usize, row: u32, out: usize, stride: i32): f32 {
  const rowBytes = <usize>(stride * F32_BYTES);
  memory.fill(out, 0, rowBytes);
  let bias: f32 = 0;
  const end = load<u32>(start + (<usize>row << 2), 4);
  for (let t = load<u32>(start + (<usize>row << 2)); t < end; t++) {
    const at = <usize>t << 2;
    const w = load<f32>(vals + at);
    const col = <usize>load<u32>(cols + at);
    axpy(out, w, E + col * rowBytes, stride);
    bias += w * load<f32>(b + (col << 2));
  }
  return bias;
}

// out = a x + c y
// @ts-ignore: decorator
@inline
function combine(out: usize, a: f32, x: usize, c: f32, y: usize, stride: i32): void {
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a), vc = f32x4.splat(c);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      v128.store(out + off, f32x4.add(f32x4.mul(va, v128.load(x + off)), f32x4.mul(vc, v128.load(y + off))));
    }
  } else {
    const n = <usize>(stride * F32_BYTES);
    for (let off: usize = 0; off < n; off += F32_BYTES) {
      store<f32>(out + off, a * load<f32>(x + off) + c * load<f32>(y + off));
    }
  }
}

// One descent step for every feature of `row`: the embedding's gradient is w·scale·vec (plus
// reg·e), the bias's w·biasGrad (plus reg·b) when updateBias is set.
// @ts-ignore: decorator
@inline
function descend(
  start: usize, cols: usize, vals: usize, E: usize, b: usize, Eg: usize, bg: usize, row: u32,
  vec: usize, scale: f32, biasGrad: f32, updateBias: i32, stride: i32, lr: f32, reg: f32, adagrad: i32
): void {
  const rowBytes = <usize>(stride * F32_BYTES);
  const end = load<u32>(start + (<usize>row << 2), 4);
  for (let t = load<u32>(start + (<usize>row << 2)); t < end; t++) {
    const at = <usize>t << 2;
    const w = load<f32>(vals + at);
    const col = <usize>load<u32>(cols + at);
    step(E + col * rowBytes, Eg + col * rowBytes, vec, w * scale, stride, lr, reg, adagrad);
    if (updateBias) {
      const bp = b + (col << 2), gp = bg + (col << 2);
      const x = load<f32>(bp);
      const g: f32 = w * biasGrad + reg * x;
      if (adagrad) {
        const acc = load<f32>(gp);
        store<f32>(bp, x - (lr / Mathf.sqrt(acc)) * g);
        store<f32>(gp, acc + g * g);
      } else {
        store<f32>(bp, x - lr * g);
      }
    }
  }
}

// e -= rate · (a·vec + reg·e) lane by lane; adagrad: rate = lr / sqrt(acc), then acc += grad².
// Padding lanes stay 0: vec and e are 0 there and the accumulators start at 1.
// @ts-ignore: decorator
@inline
function step(e: usize, acc: usize, vec: usize, a: f32, stride: i32, lr: f32, reg: f32, adagrad: i32): void {
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a), vreg = f32x4.splat(reg), vlr = f32x4.splat(lr);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      const ve = v128.load(e + off);
      const g = f32x4.add(f32x4.mul(va, v128.load(vec + off)), f32x4.mul(vreg, ve));
      if (adagrad) {
        const vacc = v128.load(acc + off);
        v128.store(e + off, f32x4.sub(ve, f32x4.mul(f32x4.div(vlr, f32x4.sqrt(vacc)), g)));
        v128.store(acc + off, f32x4.add(vacc, f32x4.mul(g, g)));
      } else {
        v128.store(e + off, f32x4.sub(ve, f32x4.mul(vlr, g)));
      }
    }
  } else {
    const n = <usize>(stride * F32_BYTES);
    for (let off: usize = 0; off < n; off += F32_BYTES) {
      const x = load<f32>(e + off);
      const g: f32 = a * load<f32>(vec + off) + reg * x;
      if (adagrad) {
        const s = load<f32>(acc + off);
        store<f32>(e + off, x - (lr / Mathf.sqrt(s)) * g);
        store<f32>(acc + off, s + g * g);
      } else {
        store<f32>(e + off, x - lr * g);
      }
    }
  }
}
