// The Bayesian FM's user bag as a served model keeps it, for fold-in: each item's bag feature
// (its factor vector stacked over the served samples, and its mean linear term). A user's vector is
// the sum of its id's and its bag's (the items it rated, each weighted 1/√n), so a new user's bag
// is known from the items it rates: fold-in solves only for the id's part (serving.ts).

/**
 * The Bayesian FM's user bag as a fitted model keeps it (bags including 'user'): each item's bag
 * feature, so fold-in can use a new user's rated items as the fit used a training user's.
 */
export interface UserBag {
  /** items × factors (the model's width), row-major, aligned with the model's items. */
  factors: Float32Array;
  /** One per item. */
  biases: Float32Array;
}

/**
 * The part of a user's vector and offset its bag gives: p = Σ_i v_i / √n over the n distinct
 * items, b = Σ_i w_i / √n plus the pairwise terms within the bag, ½(|p|² − Σ_i |v_i|² / n) (the
 * FM's interactions among the user's own features, exact for the stacked samples).
 */
export function bagPart(bag: UserBag, items: readonly number[], k: number): { p: Float64Array; b: number } {
  const distinct = [...new Set(items)];
  const n = distinct.length, p = new Float64Array(k);
  if (n === 0) return { p, b: 0 };
  const x = 1 / Math.sqrt(n);
  let b = 0, squares = 0;
  for (const i of distinct) {
    b += x * bag.biases[i];
    for (let f = 0; f < k; f++) {
      const v = bag.factors[i * k + f];
      p[f] += x * v;
      squares += x * x * v * v;
    }
  }
  let norm = 0;
  for (let f = 0; f < k; f++) norm += p[f] * p[f];
  return { p, b: b + 0.5 * (norm - squares) };
}
