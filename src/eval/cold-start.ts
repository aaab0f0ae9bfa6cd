// Ranking among cold items: after coldItemsSplit, how well does a model order the items it met
// without any interaction? The catalogue is narrowed to those items (the ones the model can score)
// and the usual full-catalogue protocol runs on it: each test user's held-out items that are
// relevant, ranked against the other held-out items.
import type { Dataset } from '../data/dataset.js';
import type { Model as FactorModel } from '../models/core/model.js';
import { evaluateRanking, type RankingOptions, type RankingReport } from './ranking-protocol.js';

/** What {@link evaluateColdStart} returns. */
export interface ColdStartReport {
  /** Held-out items. */
  items: number;
  /** Held-out items the model can score (known by attributes); 0 for models without attributes. */
  scorable: number;
  /** The ranking among the scorable held-out items; undefined when fewer than two are scorable. */
  ranking?: RankingReport;
}

/**
 * Ranking among cold items: after {@link coldItemsSplit}, how well does a model order the items
 * it met without any interaction? The catalogue is narrowed to the held-out items the model can
 * score (known by their attributes, e.g. a hybrid fitted with item features) and
 * {@link evaluateRanking} runs on it: each test user's held-out items that are relevant, ranked
 * against the other held-out items.
 *
 * @param model - A model fitted on the split's `train`.
 * @param train - The training set (the split's `train`): its users are the known ones.
 * @param test - The test ratings (those of the held-out items count).
 * @param coldItems - The held-out items' raw ids (the split's `items`).
 * @param options - k, relevance and protocol, as for evaluateRanking.
 * @returns The counts, and the ranking report when at least two held-out items are scorable.
 * @throws {@link OptionError} When an option is invalid.
 * @throws {@link DataError} When the model returns a NaN score.
 */
export function evaluateColdStart(
  model: FactorModel, train: Dataset, test: Dataset, coldItems: readonly string[], options: RankingOptions = {},
): ColdStartReport {
  const known = model.itemIds;
  const index = new Map(known.map((id, t) => [id, t]));
  const scorable = coldItems.filter((id) => index.has(id));
  if (scorable.length < 2) return { items: coldItems.length, scorable: scorable.length };
  const columns = Uint32Array.from(scorable, (id) => index.get(id)!);
  const ranking = evaluateRanking(
    {
      itemIds: scorable,
      hasUser: (user) => model.hasUser(user),
      scoreAll: (user) => {
        const all = model.scoreAll(user);
        return Float32Array.from(columns, (c) => all[c]);
      },
    },
    train, test, options,
  );
  return { items: coldItems.length, scorable: scorable.length, ranking };
}
