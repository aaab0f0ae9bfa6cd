// Starting values of the factors.
import type { RandomSource } from '../../util/random.js';
import type { F32 } from '../../engine/index.js';

/** Row by row, the first k entries of each row from Normal(mean, std); padding lanes stay zero. */
export function initNormal(h: F32, rows: number, k: number, stride: number, mean: number, std: number, random: RandomSource): void {
  const a = h.array();
  for (let r = 0; r < rows; r++) random.fillNormal(a, r * stride, r * stride + k, mean, std);
}
