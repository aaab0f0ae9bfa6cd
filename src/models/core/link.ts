// An output link: what turns a factor model's score (a latent value) into the served estimate.
// Most kinds have none (the estimate is the score, clipped to the rating scale). The Bayesian FM's
// ordered-probit output has one: the score is the mean of a latent N(ŷ, spread²), and a rating is
// the level whose cut-point interval the latent falls in, so the estimate is the expected level.
import { normalCdf } from '../../util/normal.js';

/**
 * The Bayesian FM's ordered-probit output (option `ordinal`): turns a score (the mean of a latent
 * normal) into the served estimate, the expected rating level.
 */
export interface OrdinalLink {
  /** The rating levels, ascending (2 to MAX_LEVELS of them). */
  levels: number[];
  /** levels.length − 1 increasing cut points on the latent scale. */
  cutpoints: number[];
  /** The latent's standard deviation around the score (>= 1: the noise, widened by the posterior's spread). */
  spread: number;
}

/** The most levels an ordinal output has: more is a continuous scale. */
export const MAX_LEVELS = 20;

/** E[rating | score] = level_0 + Σ_m (level_(m+1) − level_m) · Φ((score − γ_m) / spread): increasing in the score. */
export function expectedRating(link: OrdinalLink, score: number): number {
  const { levels, cutpoints, spread } = link;
  let r = levels[0];
  for (let m = 0; m < cutpoints.length; m++) r += (levels[m + 1] - levels[m]) * normalCdf((score - cutpoints[m]) / spread);
  return r;
}

/**
 * Where a rating sits on the latent scale, for fold-in's regression: a level stands for the middle
 * of its cut-point interval (the lowest and highest levels one spread beyond the outer cut
 * points), and a value between levels for the straight line between theirs.
 */
export function latentOf(link: OrdinalLink, rating: number): number {
  const { levels, cutpoints: g, spread } = link;
  const last = levels.length - 1;
  const point = (c: number): number => (c === 0 ? g[0] - spread : c === last ? g[last - 1] + spread : 0.5 * (g[c - 1] + g[c]));
  if (rating <= levels[0]) return point(0);
  for (let c = 1; c <= last; c++) {
    if (rating <= levels[c]) {
      const w = (rating - levels[c - 1]) / (levels[c] - levels[c - 1]);
      return point(c - 1) + w * (point(c) - point(c - 1));
    }
  }
  return point(last);
}

/**
 * expectedRating as a table, for scoring every training rating each sweep (the learning curve):
 * cubic Hermite interpolation with exact slopes between 4096 points over the cut points ± 8 spreads,
 * within 1e-9 of expectedRating, in a few nanoseconds instead of one cdf per cut point.
 */
export function expectedRatingTable(link: OrdinalLink): (score: number) => number {
  const { levels, cutpoints, spread } = link;
  const points = 4096;
  const lo = cutpoints[0] - 8 * spread, hi = cutpoints[cutpoints.length - 1] + 8 * spread;
  const step = (hi - lo) / (points - 1);
  const f = new Float64Array(points), s = new Float64Array(points);
  for (let p = 0; p < points; p++) {
    const x = lo + p * step;
    f[p] = expectedRating(link, x);
    let slope = 0;
    for (let m = 0; m < cutpoints.length; m++) {
      const z = (x - cutpoints[m]) / spread;
      slope += ((levels[m + 1] - levels[m]) * Math.exp(-0.5 * z * z)) / (2.5066282746310002 * spread);
    }
    s[p] = slope * step;
  }
  const bottom = levels[0], top = levels[levels.length - 1];
  return (score) => {
    if (!(score > lo)) return score <= lo ? bottom : NaN;
    if (!(score < hi)) return top;
    const x = (score - lo) / step, p = Math.min(points - 2, Math.floor(x)), u = x - p;
    const f0 = f[p], s0 = s[p], f1 = f[p + 1], s1 = s[p + 1];
    return f0 + u * (s0 + u * (3 * (f1 - f0) - 2 * s0 - s1 + u * (2 * (f0 - f1) + s0 + s1)));
  };
}
