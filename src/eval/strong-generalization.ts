// The strong-generalization protocol of Liang et al. 2018 (Mult-VAE), the one EASE and iALS are
// compared on (Steck 2019; Rendle et al. 2021): whole users are held out of training; each
// held-out user's interactions are split, 80 % given to the fitted model as a visitor's history
// (a stateless fold-in: the model does not grow) and 20 % scored. Users with fewer than 5
// interactions are dropped first; held-out interactions with items no training user has are
// dropped (the model cannot know them). Metrics over the held-out users:
//   Recall@k = hits@k / min(k, |held-out items|)    (Liang's normalization, not plain recall)
//   NDCG@100 with binary gains (ranking.ts's ndcgAtK)
// The candidates are every item the model knows except the visitor's history.
import { Dataset, type RawId } from '../data/dataset.js';
import { DataError, OptionError } from '../errors.js';
import { Random } from '../util/random.js';
import { topK } from '../util/top-k.js';
import { cappedRecallAtK, ndcgAtK } from './ranking.js';

/** Options of {@link strongGeneralizationSplit}. */
export interface StrongGeneralizationOptions {
  /**
   * Share of the (eligible) users held out, in (0, 1). Default 0.2 (ML-20M's 10k + 10k of 136k users are about 0.15).
   *
   * @defaultValue 0.2
   */
  heldoutUsers?: number;
  /**
   * Seed of the user permutation and of each held-out user's 80/20 split. Default 0. An integer from 0 to 2^32 - 1.
   *
   * @defaultValue 0
   */
  seed?: number;
  /**
   * Share of a held-out user's items given as history, in (0, 1). Default 0.8.
   *
   * @defaultValue 0.8
   */
  foldInShare?: number;
  /**
   * Users with fewer interactions are dropped before the split. Default 5. An integer >= 2.
   *
   * @defaultValue 5
   */
  minInteractions?: number;
}

/** A held-out user of a {@link StrongGeneralizationSplit}: the history given to the model and the items scored. */
export interface HeldOutUser {
  /** The user's raw id (not in the training data). */
  user: string;
  /** The history the model is given (raw item ids). */
  foldIn: string[];
  /** The items scored (raw item ids; all known to the training data). */
  test: string[];
}

/** What {@link strongGeneralizationSplit} returns: the training data and the held-out users. */
export interface StrongGeneralizationSplit {
  /** The training users' interactions. */
  train: Dataset;
  /**
   * The held-out users, in the seeded order they were drawn; a user whose split would leave a side
   * empty is left out.
   */
  heldOut: HeldOutUser[];
  /** The options as applied. */
  options: Required<StrongGeneralizationOptions>;
}

/** What the protocol needs of a fitted model: every item's score for a visitor's history, without adding the visitor. */
export interface HistoryScorer {
  /**
   * Every item's score for a visitor with this history, without adding the visitor to the model.
   *
   * @param history - `[item, value]` pairs (the protocol passes value 1 for each history item).
   * @returns One score per item, indexed like `itemIds`, higher is better.
   */
  scoreHistory(history: ReadonlyArray<readonly [RawId, number]>): Float32Array;
  /** The raw ids of the items the model knows, in the order of scoreHistory's scores. */
  readonly itemIds: readonly string[];
}

/** The metrics of {@link evaluateStrongGeneralization}, each a mean over the held-out users scored. */
export interface StrongGeneralizationReport {
  /** Always 'strong': not comparable with the 'full' or 'faq' protocols' figures. */
  protocol: 'strong';
  /** Held-out users scored (those left with at least one item on each side). */
  users: number;
  /** Recall@20 with Liang's normalization: hits@20 / min(20, held-out items). */
  recall20: number;
  /** Recall@50 with Liang's normalization: hits@50 / min(50, held-out items). */
  recall50: number;
  /** NDCG@100 with binary gains. */
  ndcg100: number;
  /** The split's `heldoutUsers` option: the share of users held out (not a count; `users` is the count). */
  heldoutUsers: number;
  /** The split's seed. */
  seed: number;
}

function share(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v > 0 && v < 1)) throw new OptionError(name, 'a number between 0 and 1 (exclusive)', v);
  return v;
}

/**
 * Splits interactions (use toImplicit first: every row counts as one interaction, repeats once)
 * into training users and held-out users with their history and test items.
 *
 * The strong-generalization protocol of Liang et al. 2018 (Mult-VAE), the one EASE and iALS are
 * compared on: users with fewer than `minInteractions` distinct items are dropped; a seeded share
 * of the others is held out of training entirely; each held-out user's items that some training
 * user has are shuffled and split, `foldInShare` given to the model as a visitor's history and the
 * rest scored. Score a model fitted on `train` with {@link evaluateStrongGeneralization}.
 *
 * @param data - The interactions (ratings are ignored: every row is one).
 * @param given - Shares, seed and minimum interactions.
 * @returns The training set, the held-out users and the options as applied.
 * @throws {@link OptionError} When a share is not in (0, 1), the seed is not an integer in
 *   [0, 2^32 - 1], or minInteractions is not an integer >= 2.
 * @throws {@link DataError} When the share would leave no held-out or no training user.
 *
 * @example
 * ```ts
 * import { EASE, evaluateStrongGeneralization, strongGeneralizationSplit, toImplicit } from 'latentrec';
 * import { loadRatingsFile } from 'latentrec/node';
 *
 * const { dataset } = await loadRatingsFile('ml-1m/ratings.dat');
 * const split = strongGeneralizationSplit(toImplicit(dataset, { threshold: 4 }), { heldoutUsers: 0.2, seed: 0 });
 * const model = new EASE();
 * model.fit(split.train);
 * evaluateStrongGeneralization(model, split); // { protocol: 'strong', users, recall20, recall50, ndcg100, ... }
 * ```
 */
export function strongGeneralizationSplit(data: Dataset, given: StrongGeneralizationOptions = {}): StrongGeneralizationSplit {
  const options: Required<StrongGeneralizationOptions> = {
    heldoutUsers: share('heldoutUsers', given.heldoutUsers, 0.2),
    seed: given.seed ?? 0,
    foldInShare: share('foldInShare', given.foldInShare, 0.8),
    minInteractions: given.minInteractions ?? 5,
  };
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) throw new OptionError('seed', 'an integer from 0 to 2^32 − 1', options.seed);
  if (!Number.isInteger(options.minInteractions) || options.minInteractions < 2) throw new OptionError('minInteractions', 'an integer >= 2', options.minInteractions);
  // Each user's distinct items, in first-seen order.
  const itemsOf: Set<number>[] = Array.from({ length: data.userCount }, () => new Set<number>());
  for (let t = 0; t < data.size; t++) itemsOf[data.userIndex[t]].add(data.itemIndex[t]);
  const eligible = itemsOf.flatMap((s, u) => (s.size >= options.minInteractions ? [u] : []));
  const heldCount = Math.round(options.heldoutUsers * eligible.length);
  if (heldCount < 1 || heldCount >= eligible.length) {
    throw new DataError(
      `strong generalization: ${eligible.length} users have at least ${options.minInteractions} interactions; holding out a share of ` +
        `${options.heldoutUsers} of them leaves ${heldCount} held-out and ${eligible.length - heldCount} training users (each side needs at least one)`,
    );
  }
  const random = new Random(options.seed);
  const order = random.permutation(eligible.length);
  const held = new Set<number>(Array.from(order.subarray(0, heldCount), (t) => eligible[t]));
  const trainUsers = eligible.filter((u) => !held.has(u));
  const triples: [string, string, number][] = [];
  const trainItems = new Set<number>();
  for (const u of trainUsers) {
    for (const i of itemsOf[u]) {
      triples.push([data.users.raw[u], data.items.raw[i], 1]);
      trainItems.add(i);
    }
  }
  const train = Dataset.fromTriples(triples);
  const heldOut: HeldOutUser[] = [];
  // In the permutation's order, so the split of each user does not depend on the others' sizes.
  for (const t of order.subarray(0, heldCount)) {
    const u = eligible[t];
    const items = [...itemsOf[u]].filter((i) => trainItems.has(i));
    const testCount = Math.floor((1 - options.foldInShare) * items.length + 1e-9);
    random.shuffle(items);
    if (testCount < 1 || testCount >= items.length) continue;
    heldOut.push({
      user: data.users.raw[u],
      test: items.slice(0, testCount).map((i) => data.items.raw[i]),
      foldIn: items.slice(testCount).map((i) => data.items.raw[i]),
    });
  }
  return { train, heldOut, options };
}

/**
 * Scores each held-out user's history with `model` (fitted on split.train) and averages the metrics.
 * The candidates are every item the model knows except the user's history; held-out items the
 * model does not know are dropped, and a user left with none is not counted.
 *
 * @param model - A model fitted on `split.train` (any latentrec model has scoreHistory).
 * @param split - The split from {@link strongGeneralizationSplit}.
 * @param options - `onProgress`: called every 64 users with the number visited.
 * @returns Recall@20, Recall@50 and NDCG@100 over the users scored.
 * @throws {@link DataError} When no held-out user has a test item the model knows.
 */
export function evaluateStrongGeneralization(
  model: HistoryScorer,
  split: StrongGeneralizationSplit,
  options: {
    /** Called every 64 held-out users with the number visited so far. */
    onProgress?: (usersDone: number) => void;
  } = {},
): StrongGeneralizationReport {
  const index = new Map(model.itemIds.map((id, i) => [id, i]));
  let r20 = 0, r50 = 0, ndcg = 0, users = 0, done = 0;
  for (const h of split.heldOut) {
    if (++done % 64 === 0) options.onProgress?.(done);
    const scores = model.scoreHistory(h.foldIn.map((i) => [i, 1] as const));
    const history = new Set(h.foldIn.map((i) => index.get(i) ?? -1));
    const relevant = new Set(h.test.map((i) => index.get(i) ?? -1));
    relevant.delete(-1);
    if (relevant.size === 0) continue;
    const ranked = topK(scores, 100, (i) => !history.has(i));
    r20 += cappedRecallAtK(ranked, relevant, 20);
    r50 += cappedRecallAtK(ranked, relevant, 50);
    ndcg += ndcgAtK(ranked, relevant, 100);
    users++;
  }
  if (users === 0) throw new DataError('strong generalization: no held-out user has a test item the model knows');
  return { protocol: 'strong', users, recall20: r20 / users, recall50: r50 / users, ndcg100: ndcg / users, heldoutUsers: split.options.heldoutUsers, seed: split.options.seed };
}
