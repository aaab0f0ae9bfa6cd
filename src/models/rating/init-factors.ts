// How SVD, MF and SVD++ start: random normal factors (Surprise), or the lecture's route — the
// rank-k truncated SVD of the user-mean-filled rating matrix, split as P = s·U·sqrt(Σ),
// Q = s·V·sqrt(Σ) (s = initScale), so P·Qᵀ starts at s² times the best rank-k approximation of
// the filled matrix. For biased models the matrix is taken minus μ (biases start at 0; μ is
// part of the model). SGD then refines on the known ratings.
import type { TrainingSetup } from '../core/model.js';
import { initNormal } from '../core/init.js';
import type { ResolvedSgdOptions } from './sgd-options.js';
import { truncatedSvdOfFilled, type TruncatedSvd } from './truncated-svd.js';

export function initFactors(setup: TrainingSetup, o: Pick<ResolvedSgdOptions, 'init' | 'factors' | 'initSvd' | 'initScale' | 'initMean' | 'initStd'>, biased: boolean): void {
  const { factors, train, random } = setup;
  if (o.init === 'svd') {
    const svd = truncatedSvdOfFilled(setup.engine, train, o.factors, random, o.initSvd, biased ? setup.mu : 0);
    writeSplit(svd, factors.P.array(), factors.Q.array(), factors.stride, 0.5, o.initScale);
    return;
  }
  // P first, then Q, row by row, as Surprise draws them.
  initNormal(factors.P, train.userCount, o.factors, factors.stride, o.initMean, o.initStd, random);
  initNormal(factors.Q, train.itemCount, o.factors, factors.stride, o.initMean, o.initStd, random);
}

/** P = scale·U·Σ^power, Q = scale·V·Σ^(1 − power), into rows of `stride` floats. */
export function writeSplit(svd: TruncatedSvd, P: Float32Array, Q: Float32Array, stride: number, power: number, scale = 1): void {
  const k = svd.values.length;
  const left = Array.from(svd.values, (s) => scale * Math.pow(s, power));
  const right = Array.from(svd.values, (s) => scale * Math.pow(s, 1 - power));
  for (let u = 0; u < svd.u.rows; u++) for (let f = 0; f < k; f++) P[u * stride + f] = svd.u.data[u * k + f] * left[f];
  for (let i = 0; i < svd.v.rows; i++) for (let f = 0; f < k; f++) Q[i * stride + f] = svd.v.data[i * k + f] * right[f];
}
