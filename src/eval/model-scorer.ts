// A fitted model as a RankingScorer: every item's estimate for a user in one kernel call, and
// the model's own fallbacks for the pairs that cannot be scored that way (FAQ protocol).
import type { Model as FactorModel } from '../models/core/model.js';
import { evaluateRanking, evaluateRankingAsync, type AsyncRankingOptions, type RankingOptions, type RankingReport, type RankingScorer } from './ranking-protocol.js';
import type { Dataset } from '../data/dataset.js';

export function scorerOf(model: FactorModel): RankingScorer {
  return {
    scoreAll: (user) => model.scoreAll(user),
    get itemIds() {
      return model.itemIds;
    },
    hasUser: (user) => model.hasUser(user),
    fallback: (user, item) => model.predict(user, item).estimate,
  };
}

/** Ranking metrics of a fitted model on a test set (see evaluateRanking for the protocols). */
export function evaluateModelRanking(model: FactorModel, train: Dataset, test: Dataset, options: RankingOptions = {}): RankingReport {
  return evaluateRanking(scorerOf(model), train, test, options);
}

/** evaluateModelRanking with turns of the event loop between users (progress, AbortSignal). */
export function evaluateModelRankingAsync(model: FactorModel, train: Dataset, test: Dataset, options: AsyncRankingOptions = {}): Promise<RankingReport> {
  return evaluateRankingAsync(scorerOf(model), train, test, options);
}
