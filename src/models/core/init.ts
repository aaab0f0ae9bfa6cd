// Starting values of the factors.
import type { RandomSource } from '../../util/random.js';
import type { F32 } from '../../engine/index.js';

/**
 * Row by row, the first k entries of rows `from` .. `rows`−1 from Normal(mean, std); padding lanes
 * stay zero. `from` is for the rows partialFit adds to a fitted model.
 */
export function initNormal(h: F32, rows: number, k: number, stride: number, mean: number, std: number, random: RandomSource, from = 0): void {
  const a = h.array();
  for (let r = from; r < rows; r++) random.fillNormal(a, r * stride, r * stride + k, mean, std);
}
