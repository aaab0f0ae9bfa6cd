// The js twin of assembly/hybrid.ts (read its header for the model and losses): the same loops in
// the same order of operations, rounded to float32 after every operation.
import { sortedContains } from '../util/sorted.js';
import { BinDraws } from './js-bin-draws.js';
import { dot } from './js-vector.js';
import type { BlockGrid, BlockSchedule } from './block-grid.js';
import type { FeatureSide, HybridBlockPass, HybridPass, RatingsBlock } from './types.js';

const f = Math.fround;

interface Side {
  start: Uint32Array;
  cols: Uint32Array;
  vals: Float32Array;
  E: Float32Array;
  b: Float32Array;
  gE: Float32Array;
  gb: Float32Array;
}

function arraysOf(s: FeatureSide): Side {
  return {
    start: s.features.start.array(), cols: s.features.cols.array(), vals: s.features.vals.array(),
    E: s.E.array(), b: s.b.array(), gE: s.gE.array(), gb: s.gb.array(),
  };
}

export function hybridEpoch(p: HybridPass, userSide: FeatureSide, itemSide: FeatureSide, stride: number): number {
  const step = tripleStep(p, userSide, itemSide, stride, p.scratch.array());
  const users = p.users.array(), positives = p.positives.array(), candidates = p.candidates.array();
  let wrong = 0;
  for (let t = p.first; t < p.first + p.count; t++) wrong += step(users[t], positives[t], candidates, (t - p.first) * p.slots);
  return wrong;
}

/**
 * The blocked order's epoch (assembly/hybrid.ts hybridBlock, one block after another): `shuffle`
 * is the engine's shuffle of a block's ratings with a seed.
 */
export function hybridBlocks(
  r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, p: HybridBlockPass, userSide: FeatureSide, itemSide: FeatureSide, stride: number,
  shuffle: (first: number, count: number, seed: number) => void,
): number {
  const step = tripleStep(p, userSide, itemSide, stride, p.scratch.array());
  const users = r.users.array(), items = r.items.array(), draws = p.draws.array();
  const binItems = p.binItems.array(), binStart = p.binStart.array(), itemBin = p.itemBin.array();
  const seenStart = p.seenStart.array(), seenItems = p.seenItems.array();
  const warp = p.loss === 'warp';
  let wrong = 0;
  for (let e = 0; e < plan.blocks.length; e++) {
    const b = plan.blocks[e], first = grid.start[b], end = grid.start[b + 1], seed = plan.seeds[e];
    shuffle(first, end - first, seed);
    const drawn = new BinDraws(seed);
    for (let t = first; t < end; t++) {
      const u = users[t], i = items[t], bin = itemBin[i], lo = binStart[bin], size = binStart[bin + 1] - lo;
      if (warp) {
        for (let s = 0; s < p.slots; s++) draws[s] = drawn.item(binItems, lo, size);
      } else {
        draws[0] = drawn.negative(binItems, lo, size, true, seenStart, seenItems, u);
      }
      wrong += step(u, i, draws, 0);
    }
  }
  return wrong;
}

type PassSettings = Pick<HybridPass, 'loss' | 'slots' | 'warpWeights' | 'seenStart' | 'seenItems' | 'lr' | 'userReg' | 'itemReg' | 'adagrad'>;

/** One triple's step (assembly/hybrid.ts hybridTriple): 1 if ranked wrong, else 0. */
function tripleStep(p: PassSettings, userSide: FeatureSide, itemSide: FeatureSide, stride: number, scratch: Float32Array) {
  const U = arraysOf(userSide), I = arraysOf(itemSide);
  const warpWeights = p.warpWeights.array(), seenStart = p.seenStart.array(), seenItems = p.seenItems.array();
  const ru = 0, ri = stride, rj = 2 * stride, gu = 3 * stride;
  const lr = f(p.lr), userReg = f(p.userReg), itemReg = f(p.itemReg);
  const logistic = p.loss === 'logistic';
  return (u: number, i: number, candidates: Uint32Array, slot: number): number => {
    let wrong = 0;
    const bu = represent(U, u, scratch, ru, stride);
    const bi = represent(I, i, scratch, ri, stride);
    const sPos = f(f(bu + bi) + dot(scratch, ru, scratch, ri, stride));
    let j = -1;
    let dPos = 0, dNeg = 0;
    if (p.loss === 'warp') {
      for (let s = 0; s < p.slots; s++) {
        const c = candidates[slot + s];
        const bj = represent(I, c, scratch, rj, stride);
        const sNeg = f(f(bu + bj) + dot(scratch, ru, scratch, rj, stride));
        if (sNeg > f(sPos - 1)) {
          if (sortedContains(seenItems, seenStart[u], seenStart[u + 1], c)) continue;
          const weight = warpWeights[s];
          dPos = -weight;
          dNeg = weight;
          j = c;
          wrong = 1;
          break;
        }
      }
      if (j < 0) return 0;
    } else {
      j = candidates[slot];
      const bj = represent(I, j, scratch, rj, stride);
      const sNeg = f(f(bu + bj) + dot(scratch, ru, scratch, rj, stride));
      if (sNeg >= sPos) wrong = 1;
      if (p.loss === 'bpr') {
        const g = f(1 / f(1 + f(Math.exp(f(sPos - sNeg)))));
        dPos = -g;
        dNeg = g;
      } else {
        dPos = -f(1 / f(1 + f(Math.exp(sPos))));
        dNeg = f(1 / f(1 + f(Math.exp(-sNeg))));
      }
    }
    for (let k = 0; k < stride; k++) scratch[gu + k] = f(f(dPos * scratch[ri + k]) + f(dNeg * scratch[rj + k]));
    const userBiasGrad = logistic ? f(dPos + dNeg) : 0;
    descend(I, i, scratch, ru, dPos, dPos, true, stride, lr, itemReg, p.adagrad);
    descend(I, j, scratch, ru, dNeg, dNeg, true, stride, lr, itemReg, p.adagrad);
    descend(U, u, scratch, gu, 1, userBiasGrad, logistic, stride, lr, userReg, p.adagrad);
    return wrong;
  };
}

/** out[o..] = sum_t w_t E[col_t] in feature order; returns sum_t w_t b[col_t]. */
function represent(s: Side, row: number, out: Float32Array, o: number, stride: number): number {
  out.fill(0, o, o + stride);
  let bias = 0;
  for (let t = s.start[row]; t < s.start[row + 1]; t++) {
    const w = s.vals[t], e = s.cols[t] * stride;
    for (let k = 0; k < stride; k++) out[o + k] = f(out[o + k] + f(w * s.E[e + k]));
    bias = f(bias + f(w * s.b[s.cols[t]]));
  }
  return bias;
}

function descend(
  s: Side, row: number, vec: Float32Array, v: number, scale: number, biasGrad: number, updateBias: boolean,
  stride: number, lr: number, reg: number, adagrad: boolean,
): void {
  for (let t = s.start[row]; t < s.start[row + 1]; t++) {
    const w = s.vals[t], col = s.cols[t], e = col * stride;
    const a = f(w * scale);
    for (let k = 0; k < stride; k++) {
      const x = s.E[e + k];
      const g = f(f(a * vec[v + k]) + f(reg * x));
      if (adagrad) {
        const acc = s.gE[e + k];
        s.E[e + k] = f(x - f(f(lr / f(Math.sqrt(acc))) * g));
        s.gE[e + k] = f(acc + f(g * g));
      } else {
        s.E[e + k] = f(x - f(lr * g));
      }
    }
    if (updateBias) {
      const x = s.b[col];
      const g = f(f(w * biasGrad) + f(reg * x));
      if (adagrad) {
        const acc = s.gb[col];
        s.b[col] = f(x - f(f(lr / f(Math.sqrt(acc))) * g));
        s.gb[col] = f(acc + f(g * g));
      } else {
        s.b[col] = f(x - f(lr * g));
      }
    }
  }
}
