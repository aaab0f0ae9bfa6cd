// How SVD, MF and SVD++ start: random normal factors (Surprise), or the truncated SVD of the
// user-mean-filled rating matrix (the lecture's route).
import { OptionError } from '../errors.js';
import type { TrainingSetup } from './factor-model.js';
import { initNormal } from './init.js';
import type { ResolvedSgdOptions } from './options.js';

export function initFactors(setup: TrainingSetup, o: ResolvedSgdOptions, _biased: boolean): void {
  const { factors, train, random } = setup;
  if (o.init === 'svd') throw new OptionError('init', "'random' (SVD initialization is not built yet)", o.init);
  // P first, then Q, row by row, as Surprise draws them.
  initNormal(factors.P, train.userCount, o.factors, factors.stride, o.initMean, o.initStd, random);
  initNormal(factors.Q, train.itemCount, o.factors, factors.stride, o.initMean, o.initStd, random);
}
