// Fold-in for models trained by BPR's pairwise loss: with the item factors and biases fixed, a
// new user's row is fitted by SGD on their (positive, sampled negative) pairs — the loss the model
// was trained on, where a ridge toward 1s on the positives alone ignores the negatives. Seeded by
// the model's seed and the history, so the same history always gives the same row (foldIn and
// scoreHistory agree bit for bit).
import { Random } from '../../util/random.js';
import type { FoldInSolver } from '../core/serving.js';

export interface RowSgdSettings {
  k: number;
  lr: number;
  reg: number;
  /** Passes over the user's positives (one sampled negative each). */
  passes: number;
  seed: number;
}

export function bprRowSolver(o: RowSgdSettings): FoldInSolver {
  return (m, known) => {
    const items = m.items.size, Q = m.factors.Q.array(), bi = m.factors.bi.array(), stride = m.factors.stride, k = o.k;
    const positives = [...new Set(known.map((e) => e.i))];
    // Every item in the history: no negative to compare with, so the ridge decides.
    if (positives.length >= items) return undefined;
    const history = new Set(positives);
    let h = o.seed >>> 0;
    for (const i of positives) h = Math.imul(h ^ i, 0x9e3779b1) >>> 0;
    const random = new Random(h);
    const p = new Float64Array(k), step = new Float64Array(k);
    for (let pass = 0; pass < o.passes; pass++) {
      random.shuffle(positives);
      for (const i of positives) {
        let j = random.nextInt(items);
        while (history.has(j)) j = random.nextInt(items);
        let x = bi[i] - bi[j];
        for (let f = 0; f < k; f++) {
          step[f] = Q[i * stride + f] - Q[j * stride + f];
          x += p[f] * step[f];
        }
        const g = 1 / (1 + Math.exp(x));
        for (let f = 0; f < k; f++) p[f] += o.lr * (g * step[f] - o.reg * p[f]);
      }
    }
    return { vector: p, bias: 0 };
  };
}
