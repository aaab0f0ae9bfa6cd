// BPR (Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009) for implicit feedback: score
// s_ui = b_i + p_u·q_i, trained by SGD on (user, positive, sampled negative) triples to rank each
// user's items above the rest. Negatives are drawn uniformly from the catalogue by the host's
// seeded generator and, by default, verified (redrawn while the user interacted with them).
import { sortedGroupValues } from '../../data/group.js';
import type { Dataset } from '../../data/dataset.js';
import { sortedContains } from '../../util/sorted.js';
import type { U32 } from '../../engine/index.js';
import { DataError } from '../../errors.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, flag, nonNegative, positive } from '../core/options.js';
import { binsByCount, gridFromBins, MAX_GRID_SIDE, planEpoch, type BprSampler } from '../../engine/index.js';
import { itemBins, samplingGridSide, samplingOrderOptions, type SamplingOrder } from './item-bins.js';
import { BLOCKED_SGD_THREADING } from '../core/blocked-threads.js';
import type { FoldInSolver } from '../core/serving.js';
import { bprRowSolver } from './row-sgd.js';
import { LatentRanking, resolveImplicitCommon, type ImplicitCommonOptions, type ResolvedImplicitCommon } from './latent-ranking.js';

/**
 * Options of {@link BPR}. Also the common options (ImplicitCommonOptions): factors (default 64),
 * epochs (200), initStd (0.1), seed, engine, rng ('xoshiro128'), wasmVariant.
 */
export interface BprOptions extends ImplicitCommonOptions {
  /**
   * Learning rate, a finite number > 0.
   * @defaultValue 0.03
   */
  lr?: number;
  /**
   * L2 regularization of the factors, a finite number >= 0.
   * @defaultValue 0.015
   */
  reg?: number;
  /**
   * L2 regularization of the item biases, a finite number >= 0.
   * @defaultValue 0
   */
  regBias?: number;
  /**
   * Redraw a negative the user interacted with.
   * @defaultValue true
   */
  verifyNegatives?: boolean;
  /**
   * 'blocked' (default): LIBMF's grid — users cut into `bins` runs of about equal interactions,
   * items into `bins` seeded random sets of equal size; an epoch visits the bins² blocks in rounds
   * of blocks that share no user and no item, each block shuffled and its negatives drawn from
   * its positive's item set, so rounds run on `threads` threads to the same bits. 'shuffle': all
   * interactions shuffled every epoch, negatives from the whole catalogue, one thread.
   * @defaultValue 'blocked'
   */
  order?: BprOrder;
  /**
   * Threads for order 'blocked' (the caller's included; wasm engine only): an integer 1..256, or
   * 'auto' (default) — every core from 500,000 interactions. The model is the same bits for any
   * count; where threads cannot run, the fit runs on one and FitResult.notes says why. A count
   * above 1 is refused with order 'shuffle'.
   * @defaultValue 'auto' (1 with order 'shuffle')
   */
  threads?: number | 'auto';
  /**
   * Order 'blocked': bins per side, 1..256 (default as SVD's: about 4 MiB of factor rows a block,
   * at least 8; never bins under 64 items). Refused with order 'shuffle'.
   */
  bins?: number;
}

/** BPR's order: 'blocked' (LIBMF's grid, on threads) or 'shuffle'. See {@link BprOptions.order}. */
export type BprOrder = SamplingOrder;

/**
 * Chosen by `bench/tune-implicit.ts` on MovieLens 100k (ratings >= 4 as interactions; 20% of each
 * user's interactions in u1..u5.base held out; mean NDCG@10, full protocol): the cheapest
 * setting within 0.002 of the best, among settings of at most 200 epochs (a default has to stay
 * cheap on large data): validation NDCG@10 0.2468, against 0.1964 for the earlier defaults (64
 * factors, 30 epochs, lr 0.05, reg 0.001). More epochs keep helping a little on ML-100k: 800
 * epochs at lr 0.01 reach 0.2527.
 */
export const BPR_DEFAULTS = {
  /** Latent factors k. */
  factors: 64,
  /** SGD passes over the interactions. */
  epochs: 200,
  /** Learning rate. */
  lr: 0.03,
  /** L2 regularization of the factors. */
  reg: 0.015,
  /** L2 regularization of the item biases. */
  regBias: 0,
  /** Standard deviation of the initial factors. */
  initStd: 0.1,
  /** Redraw negatives the user interacted with. */
  verifyNegatives: true,
  /** Seed of the random generator. */
  seed: 0,
  /** The order interactions are visited in. */
  order: 'blocked' as BprOrder,
} as const;

/** Every key BprOptions has. */
export const BPR_OPTION_KEYS = ['factors', 'epochs', 'initStd', 'seed', 'engine', 'wasmVariant', 'rng', 'lr', 'reg', 'regBias', 'verifyNegatives', 'order', 'threads', 'bins'] as const satisfies readonly (keyof BprOptions)[];

/**
 * BPR (Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009) for implicit feedback: score
 * s_ui = b_i + p_u·q_i, trained by SGD on (user, positive, sampled negative) triples to rank each
 * user's items above the rest. Negatives are drawn uniformly by the seeded generator and, by
 * default, redrawn while the user interacted with them. Needs at least two items, and no user
 * who interacted with every item. Supports partialFit.
 *
 * @example
 * ```ts
 * import { BPR, Dataset } from 'latentrec';
 *
 * const clicks = Dataset.fromTriples([
 *   ['u1', 'a', 1], ['u1', 'b', 1], ['u2', 'a', 1], ['u2', 'c', 1],
 *   ['u3', 'b', 1], ['u3', 'c', 1], ['u3', 'd', 1], ['u4', 'd', 1],
 * ]);
 * const model = new BPR({ factors: 8, epochs: 50, lr: 0.05 });
 * const { epochs } = model.fit(clicks);
 * console.log(epochs.at(-1)?.loss.value); // the fraction of sampled pairs ranked the wrong way
 * console.log(model.recommend('u4', { n: 2 }));
 * ```
 */
export class BPR extends LatentRanking {
  protected readonly stateKind = 'bpr' as const;
  /**
   * LightFM's fit_partial: SGD from the current factors over the new interactions only, negatives
   * drawn from the whole catalogue (verified against the new interactions, as LightFM's are).
   */
  protected override readonly supportsPartialFit = true;
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: ResolvedImplicitCommon & {
    /** Learning rate. */
    lr: number;
    /** L2 regularization of the factors. */
    reg: number;
    /** L2 regularization of the item biases. */
    regBias: number;
    /** Whether negatives the user interacted with are redrawn. */
    verifyNegatives: boolean;
    /** The order interactions are visited in. */
    order: BprOrder;
    /** Threads asked for ('auto', or a count). */
    threads: number | 'auto';
    /** Bins per side of the blocked grid, or undefined for the default from the data. */
    bins: number | undefined;
  };
  protected readonly shape: ModelShape;

  /** A sampled negative per interaction; blocked: each user's items and the item bins too. */
  protected override extraMemoryBytes(train: Dataset): number {
    return train.size * (this.options.order === 'blocked' ? 8 : 4) + (train.userCount + 2 * train.itemCount + MAX_GRID_SIDE + 2) * 4;
  }

  /**
   * An unfitted BPR.
   * @param given - The BPR options; unset ones take {@link BPR_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of BPR ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(given: BprOptions = {}) {
    super();
    const options = optionsObject('BPR options', given);
    checkOptionKeys('BPR', options, BPR_OPTION_KEYS);
    const d = BPR_DEFAULTS;
    this.options = {
      ...resolveImplicitCommon(options, d),
      lr: positive('lr', options.lr ?? d.lr),
      reg: nonNegative('reg', options.reg ?? d.reg),
      regBias: nonNegative('regBias', options.regBias ?? d.regBias),
      verifyNegatives: flag('verifyNegatives', options.verifyNegatives, d.verifyNegatives),
      ...samplingOrderOptions(options, d.order),
    };
    const shape = this.shapeOf(this.options);
    this.shape = this.options.order === 'blocked' ? { ...shape, threads: this.options.threads, bins: this.options.bins, threading: BLOCKED_SGD_THREADING } : shape;
  }

  /** A new user's row by SGD on BPR's own loss against the fixed items (ranking/row-sgd.ts): 100 passes at the model's lr and reg. */
  protected override foldInSolver(): FoldInSolver {
    const o = this.options;
    return bprRowSolver({ k: o.factors, lr: o.lr, reg: o.reg, passes: 100, seed: o.seed });
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const { engine, train, ratings, factors, random } = setup;
    if (train.itemCount < 2) throw new DataError('BPR: needs at least two items to sample negatives');
    const o = this.options;
    const n = ratings.count;
    const negatives: U32 = engine.allocU32(n);
    // Each user's items, sorted, for verified sampling by binary search.
    const { start, values: itemsOf } = sortedGroupValues(train.userIndex, train.userCount, train.itemIndex, train.itemCount);
    const users = ratings.users.array(), positives = ratings.items.array();
    for (let u = 0; u < train.userCount; u++) {
      // Distinct items (a repeated (user, item) row is one interaction): each user's are sorted.
      let distinct = 0;
      for (let t = start[u]; t < start[u + 1]; t++) if (t === start[u] || itemsOf[t] !== itemsOf[t - 1]) distinct++;
      if (distinct >= train.itemCount) throw new DataError(`BPR: user ${JSON.stringify(train.users.raw[u])} interacted with every item; no negative exists`);
    }
    if (o.order === 'blocked') return blockedTrainer(setup, o, start, itemsOf, negatives);
    return {
      epoch() {
        // A fresh seeded order and fresh negatives every epoch (both engines see the same).
        shuffleTriples(users, positives, random);
        const neg = negatives.array();
        for (let t = 0; t < n; t++) {
          const u = users[t];
          let j: number;
          do j = random.nextInt(train.itemCount);
          while (o.verifyNegatives && sortedContains(itemsOf, start[u], start[u + 1], j));
          neg[t] = j;
        }
        const correct = engine.sgdEpochBpr(ratings.users, ratings.items, negatives, n, factors, o.lr, o.reg, o.regBias);
        // The fraction of sampled triples still ranked wrong (1 − training AUC on the samples).
        return { value: (n - correct) / n, kind: 'misranked' };
      },
      predictionFactors: () => factors,
    };
  }
}

/**
 * order 'blocked': LIBMF's grid with item bins of equal size over a seeded random order of the
 * items (item-bins.ts), users in runs of about equal interactions.
 */
function blockedTrainer(setup: TrainingSetup, o: BPR['options'], seenStart: Uint32Array, seenItems: Uint32Array, negatives: U32): Trainer {
  const { engine, train, ratings, factors, random } = setup;
  const n = ratings.count, items = train.itemCount;
  const side = samplingGridSide(o.bins, train.userCount, items, factors.stride);
  const bins = itemBins(engine, items, items, side, random);
  const grid = gridFromBins(ratings, binsByCount(ratings.users.array(), n, train.userCount, side), bins.itemBin.array(), side);
  const sampler: BprSampler = { ...bins, seenStart: engine.allocU32(seenStart.length), seenItems: engine.allocU32(seenItems.length), verify: o.verifyNegatives };
  sampler.seenStart.array().set(seenStart);
  sampler.seenItems.array().set(seenItems);
  return {
    epoch() {
      const correct = engine.bprBlocks(ratings, grid, planEpoch(side, random), negatives, sampler, factors, o.lr, o.reg, o.regBias);
      return { value: (n - correct) / n, kind: 'misranked' };
    },
    predictionFactors: () => factors,
  };
}

export function shuffleTriples(users: Uint32Array, items: Uint32Array, random: { nextInt(n: number): number }): void {
  for (let t = users.length - 1; t > 0; t--) {
    const j = random.nextInt(t + 1);
    const u = users[t], i = items[t];
    users[t] = users[j];
    items[t] = items[j];
    users[j] = u;
    items[j] = i;
  }
}
