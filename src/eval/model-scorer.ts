// A fitted model as a RankingScorer: every item's estimate for a user in one kernel call, many
// users' at once on worker threads for the full protocol, and the model's own fallbacks for the
// pairs that cannot be scored that way (FAQ protocol).
import type { Model as FactorModel } from '../models/core/model.js';
import type { UserScorer } from '../models/core/types.js';
import { hardwareThreads, strideFor, wasmThreadSupport } from '../engine/index.js';
import { MAX_POOL_THREADS } from '../engine/thread-pool.js';
import { integer } from '../models/core/options.js';
import { evaluateRanking, evaluateRankingAsync, type AsyncRankingOptions, type RankingOptions, type RankingReport, type RankingScorer } from './ranking-protocol.js';
import type { Dataset } from '../data/dataset.js';

/**
 * A fitted model as a {@link RankingScorer} for {@link evaluateRanking}: `scoreAll`, `itemIds`
 * and `hasUser` from the model, and its `predict` as the FAQ protocol's fallback.
 * {@link evaluateModelRanking} does this (with threads) for you.
 *
 * @param model - A fitted model.
 * @param many - Optional: the model's `userScorer`, which the full protocol then uses to score many test users at once.
 * @returns The scorer; it reads the model as it is when called.
 */
export function scorerOf(model: FactorModel, many?: UserScorer): RankingScorer {
  return {
    scoreAll: (user) => model.scoreAll(user),
    get itemIds() {
      return model.itemIds;
    },
    hasUser: (user) => model.hasUser(user),
    fallback: (user, item) => model.predict(user, item).estimate,
    ...(many && { scoreMany: (users: readonly string[]) => many.score(users) }),
  };
}

/** Options of {@link evaluateModelRanking}: those of evaluateRanking, plus threads. */
export interface ModelRankingOptions extends RankingOptions {
  /**
   * Threads that score the full protocol's test users (1..256, or 'auto', the default: every
   * core once test users x items x factors reach AUTO_SCORING_WORK, else 1). Any count gives the
   * same report.
   *
   * @defaultValue 'auto'
   */
  threads?: number | 'auto';
}

/** With threads 'auto', scoring this many multiply-adds takes every core (below, starting workers costs more than they save). */
export const AUTO_SCORING_WORK = 1e9;

/**
 * Ranking metrics of a fitted model on a test set (see evaluateRanking for the protocols).
 * The full protocol's test users are scored many at a time, on worker threads when `threads`
 * allows; the report is the same for any thread count.
 *
 * @param model - A model fitted on `train`.
 * @param train - Its training set: the items each user is not recommended again ('full').
 * @param test - The held-out ratings; users and items are matched by raw id.
 * @param options - k, relevance, protocol and threads.
 * @returns The metrics, the user counts and what was skipped.
 * @throws {@link OptionError} When an option is invalid (threads: an integer in [1, 256] or 'auto').
 * @throws {@link DataError} When the model returns a NaN score.
 *
 * @example
 * ```ts
 * import { SVD, evaluateModelRanking, holdoutSplit } from 'latentrec';
 *
 * const { train, test } = holdoutSplit(dataset, { testRatio: 0.2, seed: 0 });
 * const model = new SVD();
 * model.fit(train);
 * const report = evaluateModelRanking(model, train, test, { k: 10, protocol: 'full' });
 * report.precision; report.ndcg; report.users;
 * ```
 */
export function evaluateModelRanking(model: FactorModel, train: Dataset, test: Dataset, options: ModelRankingOptions = {}): RankingReport {
  const { threads, ...rest } = options;
  const many = userScorerFor(model, test, threads, rest.protocol);
  try {
    return evaluateRanking(scorerOf(model, many), train, test, rest);
  } finally {
    many?.dispose();
  }
}

/** evaluateModelRanking with turns of the event loop between users (progress, AbortSignal). */
export async function evaluateModelRankingAsync(model: FactorModel, train: Dataset, test: Dataset, options: AsyncRankingOptions & ModelRankingOptions = {}): Promise<RankingReport> {
  const { threads, ...rest } = options;
  const many = userScorerFor(model, test, threads, rest.protocol);
  try {
    return await evaluateRankingAsync(scorerOf(model, many), train, test, rest);
  } finally {
    many?.dispose();
  }
}

/** The tiled scorer the full protocol uses (none for 'faq', nor for a model without one). */
function userScorerFor(model: FactorModel, test: Dataset, given: number | 'auto' | undefined, protocol: string | undefined): UserScorer | undefined {
  const threads = given === undefined || given === 'auto' ? undefined : integer('threads', given, 1, MAX_POOL_THREADS);
  if (protocol !== undefined && protocol !== 'full') return undefined;
  const work = test.userCount * model.itemIds.length * strideFor(model.settings.factors ?? 1);
  const count = threads ?? (work >= AUTO_SCORING_WORK ? Math.min(hardwareThreads(), MAX_POOL_THREADS) : 1);
  return model.userScorer(count, wasmThreadSupport);
}
