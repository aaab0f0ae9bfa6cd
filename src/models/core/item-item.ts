// An item–item model's serving (EASE): a user's score for item i is Σ_j B[j][i] over the user's
// distinct items j, in ascending item order, added in float32. The kernel sumRows adds whole rows
// for every item at once (recommend, scoreAll); one pair's score adds the same terms in the same
// order in JS, so predict and recommend give the same bits.
import { strideFor, type Engine, type F32 } from '../../engine/index.js';
import { topK } from '../../util/top-k.js';

/** B in engine memory: items x stride floats (stride a multiple of the SIMD lanes; padding 0). */
export interface ItemItem {
  weights: F32;
  stride: number;
}

/** The user's distinct items, ascending: the rows a score adds (repeated interactions count once, as in binary X). */
export function historyRows(items: ArrayLike<number>): Uint32Array {
  return Uint32Array.from(new Set(Array.from(items))).sort();
}

/** Every item's score for the history `rows` (historyRows), into `out` (at least `stride` floats). */
export function scoreHistory(engine: Engine, ii: ItemItem, rows: Uint32Array, out: F32): void {
  const mark = engine.mark();
  try {
    const r = engine.allocU32(Math.max(1, rows.length));
    r.array().set(rows);
    engine.sumRows(ii.weights, ii.stride, r, rows.length, out);
  } finally {
    engine.release(mark);
  }
}

/** One item's score for the history `rows`, as scoreHistory gives it. */
export function scorePairOf(ii: ItemItem, rows: Uint32Array, item: number): number {
  const B = ii.weights.array(), stride = ii.stride;
  let s = 0;
  for (const j of rows) s = Math.fround(s + B[j * stride + item]);
  return s;
}

/** B without its padding, items x items (model files). */
export function unpadItemItem(ii: ItemItem, items: number): Float32Array {
  const src = ii.weights.array(), out = new Float32Array(items * items);
  for (let r = 0; r < items; r++) out.set(src.subarray(r * ii.stride, r * ii.stride + items), r * items);
  return out;
}

/** B from a model file into engine memory, rows padded to the kernel's stride. */
export function padItemItem(weights: Float32Array, items: number, engine: Engine): ItemItem {
  const stride = strideFor(items), h = engine.allocF32(items * stride), dst = h.array();
  for (let r = 0; r < items; r++) dst.set(weights.subarray(r * items, r * items + items), r * stride);
  return { weights: h, stride };
}

/** A copy of B in another engine (a fitted model moves to a fresh, compact engine). */
export function copyItemItem(ii: ItemItem, engine: Engine): ItemItem {
  const h = engine.allocF32(ii.weights.length);
  h.array().set(ii.weights.array());
  return { weights: h, stride: ii.stride };
}

/**
 * The n items most similar to `item` by partial correlation: with P = (XᵀX + λI)⁻¹, EASE's
 * B[i][j] = −P_ij / P_jj and B[j][i] = −P_ij / P_ii, so B[i][j]·B[j][i] = P_ij² / (P_ii P_jj) and
 * −P_ij / √(P_ii P_jj) = sign(B[i][j]) √(B[i][j] B[j][i]): how strongly the two items go together
 * once every other item is accounted for, in [−1, 1] and the same from either side. `item` itself
 * is left out. Returns [row, score] pairs, best first.
 */
export function similarByPartialCorrelation(ii: ItemItem, items: number, item: number, n: number): [number, number][] {
  const B = ii.weights.array(), stride = ii.stride, scores = new Float64Array(items);
  for (let j = 0; j < items; j++) {
    const ij = B[item * stride + j], ji = B[j * stride + item], product = ij * ji;
    // The two weights share P_ij's sign; rounding can only leave a product a hair below 0.
    scores[j] = product > 0 ? Math.sign(ij) * Math.min(1, Math.sqrt(product)) : 0;
  }
  return Array.from(topK(scores, n, (j) => j !== item), (j) => [j, scores[j]]);
}
