// The SGD step of SVD and MF: order the ratings (LIBMF's blocks, a shuffle every epoch, or
// Surprise's fixed user-grouped order once), then one kernel pass.
import type { Trainer, TrainingSetup } from '../core/model.js';
import { rmseLoss } from './rating-base.js';
import type { ResolvedSgdOptions } from './sgd-options.js';
import { groupByUser, shuffleTogether } from './ordering.js';
import { buildGrid, gridSideFor, planEpoch } from '../../engine/index.js';

export type SgdRates = Pick<ResolvedSgdOptions, 'lrBu' | 'lrBi' | 'lrPu' | 'lrQi' | 'regBu' | 'regBi' | 'regPu' | 'regQi' | 'order' | 'bins'>;

export function sgdTrainer(setup: TrainingSetup, o: SgdRates, biased: boolean): Trainer {
  const { engine, ratings, factors, random, mu, train } = setup;
  if (o.order === 'fixed') groupByUser(ratings, train.userCount);
  const rates = { mu, lrBu: o.lrBu, lrBi: o.lrBi, lrPu: o.lrPu, lrQi: o.lrQi, regBu: o.regBu, regBi: o.regBi, regPu: o.regPu, regQi: o.regQi };
  if (o.order === 'blocked') {
    // The grid is planned once; each epoch draws a new block order and in-block shuffles.
    const side = gridSideFor(o.bins, train.userCount, train.itemCount, factors.stride);
    const grid = buildGrid(ratings, train.userCount, train.itemCount, side);
    return {
      epoch: () => rmseLoss(engine.sgdBlocks(ratings, grid, planEpoch(grid.side, random), factors, rates, biased), ratings.count),
      predictionFactors: () => factors,
    };
  }
  return {
    epoch() {
      if (o.order === 'shuffle') shuffleTogether(ratings, random);
      return rmseLoss(biased ? engine.sgdEpochBiased(ratings, factors, rates) : engine.sgdEpochPlain(ratings, factors, rates), ratings.count);
    },
    predictionFactors: () => factors,
  };
}
