// The SGD step of SVD and MF: order the ratings (shuffle every epoch, or Surprise's fixed
// user-grouped order once), then one kernel pass.
import type { Trainer, TrainingSetup } from './factor-model.js';
import type { ResolvedSgdOptions } from './options.js';
import { groupByUser, shuffleTogether } from './ordering.js';

export type SgdRates = Pick<ResolvedSgdOptions, 'lrBu' | 'lrBi' | 'lrPu' | 'lrQi' | 'regBu' | 'regBi' | 'regPu' | 'regQi' | 'order'>;

export function sgdTrainer(setup: TrainingSetup, o: SgdRates, biased: boolean): Trainer {
  const { engine, ratings, factors, random, mu, train } = setup;
  if (o.order === 'fixed') groupByUser(ratings, train.userCount);
  const rates = { mu, lrBu: o.lrBu, lrBi: o.lrBi, lrPu: o.lrPu, lrQi: o.lrQi, regBu: o.regBu, regBi: o.regBi, regPu: o.regPu, regQi: o.regQi };
  return {
    epoch() {
      if (o.order === 'shuffle') shuffleTogether(ratings, random);
      return biased ? engine.sgdEpochBiased(ratings, factors, rates) : engine.sgdEpochPlain(ratings, factors, rates);
    },
    predictionFactors: () => factors,
  };
}
