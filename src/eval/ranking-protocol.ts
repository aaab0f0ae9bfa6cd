// Top-N evaluation of a scorer on a train/test split, under one of two protocols:
//
// 'full' (the honest one): every known test user ranks ALL the items the model knows except the
//   ones they rated in `train`; the relevant items are their test items rated >= `relevance`.
// 'faq' (Surprise's FAQ `precision_recall_at_k`, reproduced exactly): every test user ranks only
//   their own test items, by estimate. Its figures are much higher than 'full' ones (on ML-100k u1,
//   precision@10 0.71 vs 0.13) because the ~43 candidates per user are mostly liked: never compare
//   figures across protocols. Both label the report with `protocol`.
//
// Users and items are matched by raw id, so `train`, `test` and the scorer may number them
// differently. The definitions of each metric are in ranking.ts.
import type { Dataset } from '../data/dataset.js';
import { RowRanker } from './full-row.js';
import { DataError, LatentrecError, OptionError } from '../errors.js';
import {
  auc,
  averagePrecisionAtK,
  hitRateAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
} from './ranking.js';

/**
 * What {@link evaluateRanking} needs of a model: every item's score for a user. {@link scorerOf}
 * makes one of a fitted latentrec model; any other recommender can be evaluated by writing one.
 */
export interface RankingScorer {
  /**
   * Scores of every item the model knows for a known user (raw id), higher is better, indexed like itemIds.
   *
   * @param user - The user's raw id (one the scorer knows).
   * @returns `itemIds.length` scores; none may be NaN.
   */
  scoreAll(user: string): Float32Array;
  /** The raw ids of the items the model knows, in the order of `scoreAll`'s scores. */
  readonly itemIds: readonly string[];
  /**
   * Optional: whether the model knows a user (raw id). Without it, the users of `train` are
   * taken as the known users.
   *
   * @param user - The user's raw id.
   * @returns True when `scoreAll` can score the user.
   */
  hasUser?(user: string): boolean;
  /**
   * Optional, 'faq' only: the model's estimate for a pair `scoreAll` cannot give (unknown user or
   * item), e.g. `(u, i) => model.predict(u, i).estimate` (Surprise's fallbacks). When given, the
   * FAQ protocol keeps such test ratings, as Surprise's `test()` does (exact parity on splits with
   * cold items, e.g. 32 rows of ML-100k u1.test); without it they are ignored and counted in
   * `skipped`. The 'full' protocol ignores it.
   *
   * @param user - The user's raw id.
   * @param item - The item's raw id.
   * @returns The estimate (not NaN).
   */
  fallback?(user: string, item: string): number;
  /**
   * Optional, 'full' only: scoreAll of many users at once (row t, itemIds.length floats, for
   * users[t]), e.g. a model's userScorer on worker threads. The full protocol then scores its
   * test users in tiles of SCORE_TILE_USERS.
   *
   * @param users - Raw ids of known users.
   * @returns `users.length * itemIds.length` scores, user by user.
   */
  scoreMany?(users: readonly string[]): Float32Array;
}

/** Test users the full protocol scores in one scoreMany call, at most: 256 users x 20,000 items are 20 MB. */
export const SCORE_TILE_USERS = 256;
/** ... and no more than this many bytes of scores a tile, however large the catalogue. */
export const SCORE_TILE_BYTES = 64 << 20;

/**
 * How {@link evaluateRanking} ranks: 'full' ranks every item the model knows except the user's
 * training items (the honest figure); 'faq' ranks only the user's own test items, as Surprise's
 * FAQ recipe does (much higher figures: never compare across protocols).
 */
export type RankingProtocol = 'full' | 'faq';

/** Options of {@link evaluateRanking}. */
export interface RankingOptions {
  /**
   * List length, an integer >= 1.
   *
   * @defaultValue 10
   */
  k?: number;
  /**
   * A test rating >= this is relevant (a finite number).
   *
   * @defaultValue 4
   */
  relevance?: number;
  /**
   * The protocol: 'full' or 'faq' (see {@link RankingProtocol}).
   *
   * @defaultValue 'full'
   */
  protocol?: RankingProtocol;
}

/** What was left out, and why. */
export interface RankingSkipped {
  /** Distinct test users the model does not know (and, for 'faq', no `fallback`): all their test ratings are ignored. */
  unknownUsers: number;
  /** Test ratings of known users whose item the model does not know (and, for 'faq', no `fallback`): ignored. */
  unknownItemRatings: number;
  /** 'full' only: test ratings of items the same user rated in `train` (they are not candidates): ignored. */
  trainItemRatings: number;
  /** Known test users left with no test rating once the above are dropped: skipped. */
  emptyUsers: number;
  /**
   * Users with test ratings but none relevant. 'full': skipped. 'faq': kept in precision/recall
   * (where Surprise counts their recall as 0) but skipped for NDCG, MAP, hit rate, MRR and AUC.
   */
  noRelevantUsers: number;
}

/**
 * The ranking metrics of one evaluation ({@link evaluateRanking}), each a plain mean over users
 * (NaN over no user), with the counts of users and what was left out.
 */
export interface RankingReport {
  /** The list length used. */
  k: number;
  /** The protocol used: figures of different protocols are not comparable. */
  protocol: RankingProtocol;
  /** The relevance threshold used. */
  relevance: number;
  /** Users precision and recall are averaged over ('full': also every other metric but AUC). */
  users: number;
  /** Users NDCG, MAP, hit rate and MRR are averaged over: those with >= 1 relevant test item. */
  rankedUsers: number;
  /** Users AUC is averaged over: ranked users with >= 1 non-relevant candidate. */
  aucUsers: number;
  /** Distinct users in `test`. */
  testUsers: number;
  /** Precision@k ('full': relevant items in the top k / k, {@link precisionAtK}; 'faq': Surprise's n_both / n_rec). */
  precision: number;
  /** Recall@k ('full': relevant items in the top k / relevant items, {@link recallAtK}; 'faq': Surprise's n_both / n_rel). */
  recall: number;
  /** NDCG@k with binary gains ({@link ndcgAtK}). */
  ndcg: number;
  /** MAP@k: mean of the average precision at k. */
  map: number;
  /** HitRate@k: the share of users with at least one relevant item in their top k ({@link hitRateAtK}). */
  hitRate: number;
  /** Mean reciprocal rank (over the whole ranking). */
  mrr: number;
  /** Mean per-user AUC: the chance a relevant candidate outscores a non-relevant one ({@link auc}). */
  auc: number;
  /** Fraction of the model's items in at least one user's recommended list. */
  coverage: number;
  /** 'faq' with `fallback`: test ratings scored by the fallback. 0 otherwise. */
  fallbackRatings: number;
  /** What was left out, and why. */
  skipped: RankingSkipped;
}

const PROTOCOLS: readonly RankingProtocol[] = ['full', 'faq'];

/**
 * Top-N metrics of `scorer` (fitted on `train`) on `test`. Every average is a plain mean over
 * users; an average over no user is NaN. Test users are visited in their order in `test`.
 *
 * protocol 'full' — for each test user the model knows:
 * - candidates = every item the model knows, except the user's items in `train`;
 * - relevant = the user's test items the model knows, not in `train`, with a test rating >=
 *   relevance (an item rated twice in `test` is relevant if either rating is);
 * - users with no relevant item are skipped; the others (`users`) get every metric;
 * - ranking = candidates by score, highest first, ties by the model's item index (lower first);
 * - precision/recall/NDCG/MAP/hit rate at k and MRR over that ranking; AUC over the candidates
 *   (relevant vs the rest), averaged over users having both; coverage = distinct items of the
 *   users' top-k lists / number of items the model knows.
 *
 * protocol 'faq' — Surprise's FAQ `precision_recall_at_k(predictions, k, threshold=relevance)`
 * applied to the predictions of every test rating:
 * - per test user, the candidates are the user's test ratings (each row separately, duplicates
 *   included, as Surprise does), estimated as est = clip(score, train.scale): the scorer's score
 *   is an unclipped estimate, and Surprise's `est` is clipped. Ratings whose user or item the
 *   model does not know use `scorer.fallback` if given, else are ignored (a deviation from
 *   Surprise, which predicts them with its fallbacks; counted in `skipped`);
 * - they are sorted by est, highest first; ties keep the order of `test` (Python's stable sort);
 * - n_rel = #ratings with true >= relevance (all of the user's, not only the top k);
 *   n_rec = #ratings among the top k with est >= relevance ("recommended");
 *   n_both = #ratings among the top k with true >= relevance and est >= relevance;
 *   precision = n_both / n_rec (0 if n_rec = 0), recall = n_both / n_rel (0 if n_rel = 0);
 * - precision and recall are averaged over every test user with >= 1 rating (`users`), those
 *   without relevant ratings included (ML-100k u1: 459 users);
 * - NDCG (binary: gain 1 when true >= relevance), MAP, hit rate and MRR are computed on the same
 *   est ranking and averaged over the users with >= 1 relevant rating (`rankedUsers`; u1: 456);
 *   AUC compares the est of relevant vs non-relevant ratings (clipped ties count ½), averaged over
 *   users having both;
 * - coverage = distinct known items "recommended" (top k with est >= relevance) to some user /
 *   number of items the model knows.
 *
 * @param scorer - The fitted model's scores ({@link scorerOf} for a latentrec model).
 * @param train - The data the model was fitted on: each user's training items are excluded
 *   ('full'), its users are the known ones when the scorer has no `hasUser`, and its scale clips
 *   the estimates ('faq').
 * @param test - The held-out ratings.
 * @param options - k, the relevance threshold and the protocol.
 * @returns The metrics, the user counts and what was skipped.
 * @throws {@link OptionError} When k is not an integer >= 1, relevance is not finite, or the
 *   protocol is neither 'full' nor 'faq'.
 * @throws {@link DataError} When a score is NaN, or scoreAll / scoreMany return the wrong number of scores.
 *
 * @example
 * ```ts
 * import { SVD, evaluateRanking, holdoutSplit, scorerOf } from 'latentrec';
 *
 * const { train, test } = holdoutSplit(dataset, { testRatio: 0.2, seed: 0 });
 * const model = new SVD();
 * model.fit(train);
 * const report = evaluateRanking(scorerOf(model), train, test, { k: 10, relevance: 4, protocol: 'full' });
 * console.log(report.precision, report.recall, report.ndcg, report.users);
 * ```
 */
export function evaluateRanking(
  scorer: RankingScorer,
  train: Dataset,
  test: Dataset,
  options: RankingOptions = {},
): RankingReport {
  const steps = rankingSteps(scorer, train, test, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Options of evaluateRankingAsync: evaluateRanking's, plus a stop signal and progress. */
export interface AsyncRankingOptions extends RankingOptions {
  /** Stops the evaluation between users: the promise rejects with a LatentrecError saying how far it got. */
  signal?: AbortSignal;
  /** Called now and then with the test users visited so far and their total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * evaluateRanking, giving the event loop a turn every few tens of milliseconds: a progress bar
 * moves, and a Ctrl-C handler or an AbortSignal can stop it. Same report, same order of work.
 */
export async function evaluateRankingAsync(
  scorer: RankingScorer,
  train: Dataset,
  test: Dataset,
  options: AsyncRankingOptions = {},
): Promise<RankingReport> {
  const { signal, onProgress, ...rest } = options;
  const steps = rankingSteps(scorer, train, test, rest);
  let turn = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - turn < TURN_MS) continue;
    onProgress?.(step.value, test.userCount);
    await nextTurn();
    turn = performance.now();
    if (signal?.aborted) throw new LatentrecError(`evaluateRanking: stopped after ${step.value} of ${test.userCount} test users (aborted)`);
  }
}

/** How long the async evaluation runs between two turns of the event loop. */
const TURN_MS = 50;

function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** The evaluation as steps: each yields the number of test users visited so far. */
function* rankingSteps(scorer: RankingScorer, train: Dataset, test: Dataset, options: RankingOptions): Generator<number, RankingReport> {
  const k = options.k ?? 10;
  const relevance = options.relevance ?? 4;
  const protocol = options.protocol ?? 'full';
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw new OptionError('k', 'an integer >= 1', k);
  if (typeof relevance !== 'number' || !Number.isFinite(relevance)) {
    throw new OptionError('relevance', 'a finite number', relevance);
  }
  if (!PROTOCOLS.includes(protocol)) throw new OptionError('protocol', "'full' or 'faq'", protocol);

  const itemCount = scorer.itemIds.length;
  const modelItem = new Map<string, number>();
  scorer.itemIds.forEach((raw, m) => {
    if (!modelItem.has(raw)) modelItem.set(raw, m);
  });
  const ctx: Context = {
    scorer,
    train,
    test,
    k,
    relevance,
    itemCount,
    modelItem,
    testItemToModel: mapItems(test, modelItem),
    testRows: groupRows(test.userIndex, test.userCount),
    knows: (user) => (scorer.hasUser ? scorer.hasUser(user) : train.users.has(user)),
    scoresOf: (user) => {
      const scores = scorer.scoreAll(user);
      if (scores.length !== itemCount) {
        throw new DataError(
          `evaluateRanking: scoreAll(${JSON.stringify(user)}) returned ${scores.length} scores for ${itemCount} items`,
        );
      }
      return scores;
    },
  };
  return protocol === 'full' ? yield* evaluateFull(ctx) : yield* evaluateFaq(ctx);
}

interface Context {
  scorer: RankingScorer;
  train: Dataset;
  test: Dataset;
  k: number;
  relevance: number;
  itemCount: number;
  /** Model item index of each raw item id (its first position in itemIds). */
  modelItem: ReadonlyMap<string, number>;
  /** Model item index of every test item (internal id), -1 when unknown. */
  testItemToModel: Int32Array;
  testRows: Grouped;
  knows(user: string): boolean;
  scoresOf(user: string): Float32Array;
}

/** Rows of each user, in dataset order: rows[offsets[u] .. offsets[u + 1]). */
interface Grouped {
  offsets: Uint32Array;
  rows: Uint32Array;
}

function groupRows(userIndex: Uint32Array, userCount: number): Grouped {
  const offsets = new Uint32Array(userCount + 1);
  for (let t = 0; t < userIndex.length; t++) offsets[userIndex[t] + 1]++;
  for (let u = 0; u < userCount; u++) offsets[u + 1] += offsets[u];
  const next = offsets.slice(0, userCount);
  const rows = new Uint32Array(userIndex.length);
  for (let t = 0; t < userIndex.length; t++) rows[next[userIndex[t]]++] = t;
  return { offsets, rows };
}

function mapItems(data: Dataset, modelItem: ReadonlyMap<string, number>): Int32Array {
  const out = new Int32Array(data.itemCount);
  for (let i = 0; i < data.itemCount; i++) out[i] = modelItem.get(data.items.raw[i]) ?? -1;
  return out;
}

class Accumulator {
  private sum = 0;
  count = 0;
  add(value: number): void {
    if (Number.isNaN(value)) return;
    this.sum += value;
    this.count++;
  }
  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }
}

/** One running mean per reported metric; each protocol decides which users feed which. */
class MetricSums {
  readonly precision = new Accumulator();
  readonly recall = new Accumulator();
  readonly ndcg = new Accumulator();
  readonly map = new Accumulator();
  readonly hitRate = new Accumulator();
  readonly mrr = new Accumulator();
  readonly aucs = new Accumulator();

  means() {
    return {
      precision: this.precision.mean,
      recall: this.recall.mean,
      ndcg: this.ndcg.mean,
      map: this.map.mean,
      hitRate: this.hitRate.mean,
      mrr: this.mrr.mean,
      auc: this.aucs.mean,
    };
  }
}

function emptySkipped(): RankingSkipped {
  return { unknownUsers: 0, unknownItemRatings: 0, trainItemRatings: 0, emptyUsers: 0, noRelevantUsers: 0 };
}

function checkScore(user: string, item: string, score: number): void {
  if (Number.isNaN(score)) {
    throw new DataError(`evaluateRanking: the score of user ${JSON.stringify(user)}, item ${JSON.stringify(item)} is NaN`);
  }
}

/**
 * The full protocol's scores by tiles: asked for test user u, scores u and the next test users
 * that may need scores (known, with a relevant test rating of a known item) up to
 * SCORE_TILE_USERS of them (fewer when their scores would pass SCORE_TILE_BYTES), in one
 * scoreMany call. Users are asked for in increasing order.
 */
class ScoreTiles {
  private rows: Float32Array = new Float32Array(0);
  private readonly rowOf = new Map<number, number>();

  constructor(private readonly ctx: Context, private readonly scoreMany: (users: readonly string[]) => Float32Array) {}

  scoresOf(u: number): Float32Array {
    const { itemCount, test } = this.ctx;
    let row = this.rowOf.get(u);
    if (row === undefined) {
      this.rowOf.clear();
      const users: string[] = [];
      const tileUsers = Math.max(1, Math.min(SCORE_TILE_USERS, Math.floor(SCORE_TILE_BYTES / (4 * Math.max(1, itemCount)))));
      for (let v = u; v < test.userCount && users.length < tileUsers; v++) {
        if (v === u || this.mayNeedScores(v)) {
          this.rowOf.set(v, users.length);
          users.push(test.users.raw[v]);
        }
      }
      this.rows = this.scoreMany(users);
      if (this.rows.length !== users.length * itemCount) {
        throw new DataError(`evaluateRanking: scoreMany of ${users.length} users returned ${this.rows.length} scores for ${users.length} x ${itemCount}`);
      }
      row = 0;
    }
    return this.rows.subarray(row * itemCount, (row + 1) * itemCount);
  }

  private mayNeedScores(v: number): boolean {
    const { test, relevance, testItemToModel, testRows } = this.ctx;
    if (!this.ctx.knows(test.users.raw[v])) return false;
    for (let t = testRows.offsets[v]; t < testRows.offsets[v + 1]; t++) {
      const row = testRows.rows[t];
      if (test.ratings[row] >= relevance && testItemToModel[test.itemIndex[row]] >= 0) return true;
    }
    return false;
  }
}

function* evaluateFull(ctx: Context): Generator<number, RankingReport> {
  const { scorer, train, test, k, relevance, itemCount } = ctx;
  const { offsets, rows } = ctx.testRows;
  const skipped = emptySkipped();
  const trainItemToModel = mapItems(train, ctx.modelItem);
  const trainRows = groupRows(train.userIndex, train.userCount);
  const ranker = new RowRanker(itemCount, k);
  const excluded = ranker.excluded();
  try {
    const covered = new Uint8Array(itemCount);
    let coveredCount = 0;
    const sums = new MetricSums();
    const { precision, recall, ndcg, map, hitRate, mrr, aucs } = sums;
    let testUsers = 0;
    const tiles = scorer.scoreMany ? new ScoreTiles(ctx, scorer.scoreMany.bind(scorer)) : undefined;

    for (let u = 0; u < test.userCount; u++) {
      if ((u & 15) === 15) yield u;
      const start = offsets[u];
      const end = offsets[u + 1];
      if (start === end) continue;
      testUsers++;
      const user = test.users.raw[u];
      if (!ctx.knows(user)) {
        skipped.unknownUsers++;
        continue;
      }
      // Mark the user's training items; unmarked again before the next user.
      const tu = train.users.get(user);
      const marked: number[] = [];
      if (tu >= 0) {
        for (let t = trainRows.offsets[tu]; t < trainRows.offsets[tu + 1]; t++) {
          const m = trainItemToModel[train.itemIndex[trainRows.rows[t]]];
          if (m >= 0 && excluded[m] === 0) {
            excluded[m] = 1;
            marked.push(m);
          }
        }
      }
      const relevant = new Set<number>();
      let usable = 0;
      for (let t = start; t < end; t++) {
        const row = rows[t];
        const m = ctx.testItemToModel[test.itemIndex[row]];
        if (m < 0) skipped.unknownItemRatings++;
        else if (excluded[m] === 1) skipped.trainItemRatings++;
        else {
          usable++;
          if (test.ratings[row] >= relevance) relevant.add(m);
        }
      }
      if (usable === 0 || relevant.size === 0) {
        if (usable === 0) skipped.emptyUsers++;
        else skipped.noRelevantUsers++;
        for (const m of marked) excluded[m] = 0;
        continue;
      }

      ranker.load(tiles ? tiles.scoresOf(u) : ctx.scoresOf(user));
      const nan = ranker.firstNaN();
      if (nan >= 0) checkScore(user, scorer.itemIds[nan], NaN);
      // Only the top k and the first relevant item's place are needed, not the whole order: the
      // ranking metrics read the first k places, MRR one count, AUC no order at all.
      const top = ranker.top(k, itemCount - marked.length);
      const { place, auc } = ranker.ranks([...relevant], marked);
      precision.add(precisionAtK(top, relevant, k));
      recall.add(recallAtK(top, relevant, k));
      ndcg.add(ndcgAtK(top, relevant, k));
      map.add(averagePrecisionAtK(top, relevant, k));
      hitRate.add(hitRateAtK(top, relevant, k));
      mrr.add(1 / place);
      aucs.add(auc);
      for (const m of marked) excluded[m] = 0;
      for (let i = 0; i < top.length; i++) {
        if (covered[top[i]] === 0) {
          covered[top[i]] = 1;
          coveredCount++;
        }
      }
    }

    return {
      k,
      protocol: 'full',
      relevance,
      users: precision.count,
      rankedUsers: precision.count,
      aucUsers: aucs.count,
      testUsers,
      ...sums.means(),
      coverage: itemCount === 0 ? NaN : coveredCount / itemCount,
      fallbackRatings: 0,
      skipped,
    };
  } finally {
    ranker.dispose();
  }
}

function* evaluateFaq(ctx: Context): Generator<number, RankingReport> {
  const { scorer, train, test, k, relevance, itemCount } = ctx;
  const { offsets, rows } = ctx.testRows;
  const { lo, hi } = train.scale;
  const clip = (x: number): number => (x < lo ? lo : x > hi ? hi : x);
  const fallback = scorer.fallback?.bind(scorer);
  const skipped = emptySkipped();
  const covered = new Uint8Array(itemCount);
  let coveredCount = 0;
  let fallbackRatings = 0;
  const sums = new MetricSums();
  const { precision, recall, ndcg, map, hitRate, mrr, aucs } = sums;
  let testUsers = 0;

  for (let u = 0; u < test.userCount; u++) {
    if ((u & 15) === 15) yield u;
    const start = offsets[u];
    const end = offsets[u + 1];
    if (start === end) continue;
    testUsers++;
    const user = test.users.raw[u];
    const known = ctx.knows(user);
    if (!known && !fallback) {
      skipped.unknownUsers++;
      continue;
    }
    // The user's usable test ratings, in test order: clipped estimate, true rating, model item
    // index (-1 if the model does not know the item).
    const est: number[] = [];
    const truth: number[] = [];
    const items: number[] = [];
    let scores: Float32Array | undefined;
    for (let t = start; t < end; t++) {
      const row = rows[t];
      const m = ctx.testItemToModel[test.itemIndex[row]];
      let e: number;
      if (known && m >= 0) {
        scores ??= ctx.scoresOf(user);
        e = scores[m];
      } else if (fallback) {
        e = fallback(user, test.items.raw[test.itemIndex[row]]);
        fallbackRatings++;
      } else {
        skipped.unknownItemRatings++;
        continue;
      }
      checkScore(user, test.items.raw[test.itemIndex[row]], e);
      est.push(clip(e));
      truth.push(test.ratings[row]);
      items.push(m);
    }
    const n = est.length;
    if (n === 0) {
      skipped.emptyUsers++;
      continue;
    }
    // Positions 0..n-1 sorted by est, highest first; ties keep test order (stable, like Python's).
    const ranked = Array.from({ length: n }, (_, j) => j).sort((a, b) => est[b] - est[a] || a - b);
    const relevant = new Set<number>();
    for (let j = 0; j < n; j++) if (truth[j] >= relevance) relevant.add(j);
    const top = Math.min(k, n);
    let nRec = 0;
    let nBoth = 0;
    for (let i = 0; i < top; i++) {
      const j = ranked[i];
      if (est[j] >= relevance) {
        nRec++;
        if (truth[j] >= relevance) nBoth++;
        const m = items[j];
        if (m >= 0 && covered[m] === 0) {
          covered[m] = 1;
          coveredCount++;
        }
      }
    }
    precision.add(nRec === 0 ? 0 : nBoth / nRec);
    recall.add(relevant.size === 0 ? 0 : nBoth / relevant.size);
    if (relevant.size === 0) {
      skipped.noRelevantUsers++;
      continue;
    }
    ndcg.add(ndcgAtK(ranked, relevant, k));
    map.add(averagePrecisionAtK(ranked, relevant, k));
    hitRate.add(hitRateAtK(ranked, relevant, k));
    mrr.add(reciprocalRank(ranked, relevant));
    aucs.add(auc(est, ranked, relevant));
  }

  return {
    k,
    protocol: 'faq',
    relevance,
    users: precision.count,
    rankedUsers: ndcg.count,
    aucUsers: aucs.count,
    testUsers,
    ...sums.means(),
    coverage: itemCount === 0 ? NaN : coveredCount / itemCount,
    fallbackRatings,
    skipped,
  };
}
