// SVD++ (Koren 2008, "Factorization meets the neighborhood"), as Surprise's SVDpp:
// r^ = μ + b_u + b_i + q_i·(p_u + |I_u|^-1/2 Σ_{j∈I_u} y_j), with Surprise's defaults
// (k = 20, lr 0.007, reg 0.02). The kernel (assembly/svdpp.ts) does Surprise's exact updates in
// O(k) per rating instead of O(|I_u| k): z and the y_j updates are tracked in closed form and
// applied once per user. Ratings are visited user by user (what that needs): 'fixed' is
// Surprise's order; 'shuffle' shuffles the users and each user's ratings every epoch, and can run
// on threads, ranges of users at once (Hogwild: see SvdppOptions.threads).
import { hardwareThreads, threadPart, wasmThreadSupport, type F32, type UserGroups } from '../../engine/index.js';
import { MAX_POOL_THREADS } from '../../engine/thread-pool.js';
import { AUTO_THREADS_MIN_RATINGS } from '../core/blocked-threads.js';
import type { Threading } from '../core/fit-loop.js';
import { groupRows } from '../../data/group.js';
import type { Dataset } from '../../data/dataset.js';
import { optionsObject } from '../core/arguments.js';
import { initNormal } from '../core/init.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys } from '../core/options.js';
import { initFactors } from './init-factors.js';
import { RatingBase, rmseLoss } from './rating-base.js';
import { resolveSgdOptions, SVDPP_DEFAULTS, SVDPP_OPTION_KEYS, type ResolvedSgdOptions, type SvdppOptions } from './sgd-options.js';

/**
 * SVD++ (Koren 2008), as Surprise's SVDpp: r̂ = μ + b_u + b_i + q_i·(p_u + |I_u|^−½ Σ_{j∈I_u} y_j),
 * SVD with the user's implicit feedback (which items they rated), in O(k) per rating. Surprise's
 * defaults: k = 20, lr 0.007, reg 0.02, order 'shuffle'. Often a little more accurate than SVD,
 * and slower; the 'recommended' preset.
 *
 * @example
 * ```ts
 * import { SVDpp, generateRatings, holdoutSplit } from 'latentrec';
 *
 * const data = generateRatings({ users: 300, items: 200, ratings: 12_000 }); // synthetic, 1..5
 * const { train, test } = holdoutSplit(data, { testRatio: 0.2, seed: 0 });
 * const model = new SVDpp({ epochs: 40 });
 * // Scored on `test` after every epoch; stops 3 epochs after the best and keeps the best.
 * const result = model.fit(train, { validation: test, earlyStopping: true });
 * console.log(result.bestEpoch, result.epochs.at(-1)?.validationRmse);
 * console.log(model.predict(train.users.raw[0], train.items.raw[0]).estimate);
 * ```
 */
export class SVDpp extends RatingBase {
  protected readonly stateKind = 'svdpp' as const;
  protected override readonly partialFitRefusal = "its implicit term sums over each user's whole history, which the model does not keep; fit it again on all the data";
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: ResolvedSgdOptions;
  protected readonly shape: ModelShape;

  /** The implicit factors y_j, the effective user factors and the ratings grouped by user. */
  protected override extraMemoryBytes(train: Dataset, stride: number): number {
    return (train.itemCount + train.userCount) * stride * 4 + train.userCount * 8 + train.size * 8;
  }

  /**
   * An unfitted SVDpp.
   * @param given - The SVD++ options; unset ones take {@link SVDPP_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of SVDpp ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(given: SvdppOptions = {}) {
    super();
    const options = optionsObject('SVDpp options', given);
    checkOptionKeys('SVDpp', options, SVDPP_OPTION_KEYS);
    this.options = resolveSgdOptions(options, SVDPP_DEFAULTS, ['shuffle', 'fixed'], ['shuffle']);
    this.shape = { ...this.options, biased: true, threading: SVDPP_THREADING };
  }

  protected initialize(setup: TrainingSetup): void {
    initFactors(setup, this.options, true);
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const { engine, train, factors, random, mu } = setup;
    const o = this.options;
    const stride = factors.stride;
    // y is drawn after p and q, as Surprise does.
    const Y = engine.allocF32(train.itemCount * stride);
    initNormal(Y, train.itemCount, o.factors, stride, o.initMean, o.initStd, random);

    const groups = userGroups(setup);
    const z: F32 = engine.allocF32(engine.threads * threadPart(stride, 4));
    const acc: F32 = engine.allocF32(engine.threads * threadPart(stride, 4));
    const effective = { ...factors, P: engine.allocF32(train.userCount * stride) };
    const rates = {
      mu, lrBu: o.lrBu, lrBi: o.lrBi, lrPu: o.lrPu, lrQi: o.lrQi, lrYj: o.lrYj,
      regBu: o.regBu, regBi: o.regBi, regPu: o.regPu, regQi: o.regQi, regYj: o.regYj,
    };
    return {
      epoch() {
        if (o.order === 'shuffle') shuffleGroups(groups, random);
        return rmseLoss(engine.sgdEpochSvdpp(groups, factors, Y, z, acc, rates), train.size);
      },
      predictionFactors() {
        engine.implicitUserFactors(train.userCount, groups.start, groups.items, factors.P, Y, stride, effective.P);
        return effective;
      },
    };
  }
}

/**
 * SVD++'s threads: only an explicit count runs on several (Hogwild: users on different threads
 * update the items they share at once, so the model varies between runs); 'auto' keeps one, and
 * says so where blocked SGD's rule would have given more.
 */
const SVDPP_THREADING: Threading = {
  support: wasmThreadSupport,
  threadsFor: (shape) => (typeof shape.threads === 'number' && shape.engine !== 'js' ? shape.threads : 1),
  note(shape, train, engine) {
    if (engine.threads > 1) {
      return `users on ${engine.threads} threads updated the items they share at once (Hogwild): the model varies between runs, within the accuracy of one thread's; threads: 1 or 'auto' gives the same model every run`;
    }
    const cores = Math.min(hardwareThreads(), MAX_POOL_THREADS);
    if (shape.threads === 'auto' && shape.engine !== 'js' && train.size >= AUTO_THREADS_MIN_RATINGS && cores > 1) {
      return `running on 1 thread: SVD++ on threads updates shared items at once (Hogwild), so the model would vary between runs; set threads to a count (this machine has ${cores} cores) to accept that`;
    }
    return undefined;
  },
};

/** The training ratings grouped by user in engine memory, users in order of first appearance. */
function userGroups({ engine, train }: TrainingSetup): UserGroups {
  const { start, rows } = groupRows(train.userIndex, train.userCount);
  const g: UserGroups = {
    order: engine.allocU32(train.userCount),
    count: train.userCount,
    start: engine.allocU32(start.length),
    items: engine.allocU32(rows.length),
    values: engine.allocF32(rows.length),
  };
  g.start.array().set(start);
  const order = g.order.array(), items = g.items.array(), values = g.values.array();
  for (let u = 0; u < train.userCount; u++) order[u] = u;
  for (let t = 0; t < rows.length; t++) {
    items[t] = train.itemIndex[rows[t]];
    values[t] = train.ratings[rows[t]];
  }
  return g;
}

/** Shuffles the user order, then each user's ratings in place (the groups stay contiguous). */
function shuffleGroups(g: UserGroups, random: { nextInt(n: number): number }): void {
  const order = g.order.array(), start = g.start.array(), items = g.items.array(), values = g.values.array();
  for (let k = g.count - 1; k > 0; k--) {
    const j = random.nextInt(k + 1);
    const tmp = order[k];
    order[k] = order[j];
    order[j] = tmp;
  }
  for (let u = 0; u < g.count; u++) {
    const first = start[u];
    for (let t = start[u + 1] - 1; t > first; t--) {
      const j = first + random.nextInt(t - first + 1);
      const i = items[t], v = values[t];
      items[t] = items[j];
      values[t] = values[j];
      items[j] = i;
      values[j] = v;
    }
  }
}
