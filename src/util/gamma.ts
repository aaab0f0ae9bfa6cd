// Gamma draws for the Gibbs samplers' precisions, from the project's seeded generator (so a seed
// gives the same draws on every engine): Marsaglia & Tsang (2000), "A simple method for generating
// gamma variables"; shape < 1 by the boost Gamma(a) = Gamma(a + 1) · U^(1/a).
import type { RandomSource } from './random.js';

/** A draw from Gamma(shape, rate) (mean shape / rate); shape and rate > 0. */
export function gammaDraw(random: RandomSource, shape: number, rate: number): number {
  if (shape < 1) {
    const boost = Math.pow(uniformOpen(random), 1 / shape);
    return gammaDraw(random, shape + 1, rate) * boost;
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = random.nextNormal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = uniformOpen(random);
    // The squeeze accepts most draws without a logarithm.
    if (u < 1 - 0.0331 * x * x * x * x) return (d * v) / rate;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

/** Uniform on (0, 1): a zero would make the logarithm and the power above infinite. */
function uniformOpen(random: RandomSource): number {
  for (;;) {
    const u = random.nextFloat();
    if (u > 0) return u;
  }
}
