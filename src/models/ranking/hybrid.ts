// The LightFM-style hybrid model (Kula 2015): users and items are described by features — an
// identity feature per user or item with interactions (on by default) plus any attributes — and
// a user's (item's) vector and bias are the weighted sums of its features' embeddings and biases.
// Score s_ui = b_i + r_u·r_i (user biases cancel in every ranking). A user or item with
// attributes but no interactions gets a vector all the same: cold start. Losses: WARP (default),
// BPR, logistic with a sampled negative; adagrad steps as LightFM (or plain SGD). The epoch is
// assembly/hybrid.ts.
import type { Dataset, RawId } from '../../data/dataset.js';
import { sortedGroupValues } from '../../data/group.js';
import { binsByCount, copyU32, gridFromBins, MAX_GRID_SIDE, planEpoch, threadPart, type Engine, type F32, type FeatureSide, type HybridBlockPass, type HybridLoss, type SparseRows } from '../../engine/index.js';
import { DataError, LatentrecError, OptionError } from '../../errors.js';
import { IdMap } from '../../data/dataset.js';
import { optionsObject, rawId } from '../core/arguments.js';
import { copyFactors } from '../core/fitted.js';
import { initNormal } from '../core/init.js';
import type { FitSession, LoadOptions, ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, flag, integer, nonNegative, oneOf, positive } from '../core/options.js';
import { BLOCKED_SGD_THREADING } from '../core/blocked-threads.js';
import type { Threading } from '../core/fit-loop.js';
import { PARAMETER_LIMIT, withinLimit, withinParameterLimit, type FeatureEmbeddings, type ModelState } from '../core/state.js';
import type { CommonFitOptions, EpochReport, FitResult, PartialFitOptions } from '../core/types.js';
import { shuffleTriples } from './bpr.js';
import { itemBins, samplingGridSide, samplingOrderOptions, type SamplingOrder } from './item-bins.js';
import { attributeRows, planHybrid, planPartial, representFromAttributes, sharesFeatures, type AttributeRows, type HybridPlan, type SideLayout } from './hybrid-layout.js';
import { LatentRanking, resolveImplicitCommon, type ImplicitCommonOptions, type ResolvedImplicitCommon } from './latent-ranking.js';
import { sortedContains } from '../../util/sorted.js';

/** How the hybrid's steps are sized: 'adagrad' (per-parameter, as LightFM) or plain 'sgd'. */
export type LearningSchedule = 'adagrad' | 'sgd';

/**
 * Options of {@link Hybrid} (LightFM's, renamed). Also the common options
 * (ImplicitCommonOptions): factors (default 64), epochs (30), initStd (0.01), seed, engine, rng
 * ('xoshiro128'), wasmVariant.
 */
export interface HybridOptions extends ImplicitCommonOptions {
  /**
   * 'warp' (default), 'bpr' or 'logistic'.
   * @defaultValue 'warp'
   */
  loss?: HybridLoss;
  /**
   * Learning rate, a finite number > 0.
   * @defaultValue 0.05
   */
  lr?: number;
  /**
   * 'adagrad' (as LightFM) or 'sgd'.
   * @defaultValue 'adagrad'
   */
  learningSchedule?: LearningSchedule;
  /**
   * L2 regularization of the user feature parameters (LightFM's user_alpha), a finite number >= 0.
   * @defaultValue 0
   */
  userReg?: number;
  /**
   * L2 regularization of the item feature parameters (LightFM's item_alpha), a finite number >= 0.
   * @defaultValue 0
   */
  itemReg?: number;
  /**
   * WARP: most negatives drawn per positive while looking for a violation, an integer in
   * [1, 100,000].
   * @defaultValue 10
   */
  maxSampled?: number;
  /**
   * An identity feature for every user with interactions. Off, every user with interactions
   * needs attributes.
   * @defaultValue true
   */
  userIdentity?: boolean;
  /**
   * An identity feature for every item with interactions. Off, every item with interactions
   * needs attributes.
   * @defaultValue true
   */
  itemIdentity?: boolean;
  /**
   * Scale each user's and item's feature weights to sum to 1 (as LightFM's Dataset).
   * @defaultValue true
   */
  normalize?: boolean;
  /**
   * 'blocked' (default): LIBMF's grid as BPR's — users cut into `bins` runs of about equal
   * interactions, items with interactions into `bins` seeded random sets of equal size; an epoch
   * visits the bins² blocks in rounds of blocks that share no user and no item, each block
   * shuffled and its candidates drawn from its positive's item set, so rounds run on `threads`
   * threads. 'shuffle': all interactions shuffled every epoch, candidates from every item with
   * interactions, one thread.
   * @defaultValue 'blocked'
   */
  order?: HybridOrder;
  /**
   * Threads for order 'blocked' (the caller's included; wasm engine only): an integer 1..256, or
   * 'auto' (default) — every core from 500,000 interactions. With identity features only (no
   * feature shared by two users or two items) the model is the same bits for any count. When
   * attributes are shared, blocks on different threads update them at once (Hogwild, as LightFM's
   * threads): 'auto' then runs on one thread, to give the same model every run, and an explicit
   * count above 1 trains a model that varies between runs within the spread of its seeds.
   * A count above 1 is refused with order 'shuffle'.
   * @defaultValue 'auto' (1 with order 'shuffle')
   */
  threads?: number | 'auto';
  /**
   * Order 'blocked': bins per side, 1..256 (default: about 1 MiB of parameters a block, at least
   * 8; never bins under 64 items). Refused with order 'shuffle'.
   */
  bins?: number;
}

/** The hybrid's order: 'blocked' (LIBMF's grid, on threads) or 'shuffle'. See {@link HybridOptions.order}. */
export type HybridOrder = SamplingOrder;

/**
 * LightFM's loss and schedule with k=64 and 30 epochs. `bench/tune-implicit.ts --model hybrid`
 * (identity features only) prefers k=128, 60 epochs, lr 0.01 — u1 P@10 0.3862 / NDCG@10 0.4542
 * against 0.3272 / 0.3928 here — but that setting does worse with attributes (0.2735 / 0.3146
 * against 0.3121 / 0.3632 with the ML-100k attributes; cold-start AUC 0.678 against 0.720), the
 * case this model exists for; so these stay until a tuning that scores attributes and cold start.
 */
export const HYBRID_DEFAULTS = {
  /** Latent factors k. */
  factors: 64,
  /** Passes over the interactions. */
  epochs: 30,
  /** Learning rate. */
  lr: 0.05,
  /** Standard deviation of the initial embeddings. */
  initStd: 0.01,
  /** The loss. */
  loss: 'warp',
  /** How steps are sized. */
  learningSchedule: 'adagrad',
  /** L2 regularization of the user feature parameters. */
  userReg: 0,
  /** L2 regularization of the item feature parameters. */
  itemReg: 0,
  /** WARP: most negatives drawn per positive. */
  maxSampled: 10,
  /** An identity feature per user with interactions. */
  userIdentity: true,
  /** An identity feature per item with interactions. */
  itemIdentity: true,
  /** Feature weights scaled to sum to 1. */
  normalize: true,
  /** The order interactions are visited in. */
  order: 'blocked',
} as const;

/** Every key HybridOptions has. */
export const HYBRID_OPTION_KEYS = [
  'factors', 'epochs', 'initStd', 'seed', 'engine', 'wasmVariant', 'rng',
  'loss', 'lr', 'learningSchedule', 'userReg', 'itemReg', 'maxSampled', 'userIdentity', 'itemIdentity', 'normalize',
  'order', 'threads', 'bins',
] as const satisfies readonly (keyof HybridOptions)[];

/** Options of {@link Hybrid.fit}: what every fit takes (checkpoint is refused) and the attributes. */
export interface HybridFitOptions extends CommonFitOptions {
  /** Attributes of users (data/features.ts `Features`): every user listed becomes known. */
  userFeatures?: AttributeRows;
  /** Attributes of items: items listed without interactions can be recommended (cold start). */
  itemFeatures?: AttributeRows;
}

/** {@link HybridOptions} after checking, every default filled in: what `Hybrid.options` holds. */
export type ResolvedHybridOptions = ResolvedImplicitCommon & {
  /** The loss. */
  loss: HybridLoss;
  /** Learning rate. */
  lr: number;
  /** How steps are sized. */
  learningSchedule: LearningSchedule;
  /** L2 regularization of the user feature parameters. */
  userReg: number;
  /** L2 regularization of the item feature parameters. */
  itemReg: number;
  /** WARP: most negatives drawn per positive. */
  maxSampled: number;
  /** Whether users with interactions have an identity feature. */
  userIdentity: boolean;
  /** Whether items with interactions have an identity feature. */
  itemIdentity: boolean;
  /** Whether feature weights are scaled to sum to 1. */
  normalize: boolean;
  /** The order interactions are visited in. */
  order: HybridOrder;
  /** Threads asked for ('auto', or a count). */
  threads: number | 'auto';
  /** Bins per side of the blocked grid, or undefined for the default from the data. */
  bins: number | undefined;
};

/** What cold start after fitting needs: each side's attribute embeddings (k floats per row). */
interface AttributeModel {
  names: IdMap;
  E: Float32Array;
  b: Float32Array;
}

/**
 * Parameter bytes per block the default grid aims at (order 'blocked'). Measured on 2M generated
 * interactions at k = 64 with WARP (36 MiB of parameters), seconds per epoch on one / two threads,
 * two runs each: 8 bins 1.84–2.02 / 1.55–1.72, 16 bins 2.32–2.48 / 1.41–1.43, 32 bins 2.07–2.09 /
 * 1.17–1.19, 64 bins 2.01–2.35 / 1.19–1.62. Blocks of about 1 MiB (32 bins there) are as fast on
 * one thread and scale on two; BPR's 4 MiB blocks of P and Q rows (8 bins) scale 1.8x already.
 */
const HYBRID_BLOCK_BYTES = 1 << 20;

/** Triples per kernel call: bounds the candidate buffer to CHUNK x maxSampled ids. */
const CHUNK = 8192;

/**
 * The LightFM-style hybrid model (Kula 2015): users and items are described by features (an
 * identity feature per user or item with interactions, on by default, plus any attributes), and
 * a user's (item's) vector and bias are the weighted sums of its features' embeddings and
 * biases. Score s_ui = b_i + r_u·r_i. A user or item with attributes but no interactions gets a
 * vector all the same: cold start, at fit (users and items listed in the attributes) or later
 * (addUser, addItem). Losses WARP (default), BPR or logistic, with adagrad steps as LightFM's.
 * The checkpoint fit option is refused.
 *
 * @example
 * ```ts
 * import { Dataset, Features, Hybrid } from 'latentrec';
 *
 * const clicks = Dataset.fromTriples([
 *   ['u1', 'a', 1], ['u1', 'b', 1], ['u2', 'a', 1], ['u2', 'c', 1],
 *   ['u3', 'b', 1], ['u3', 'c', 1], ['u3', 'd', 1], ['u4', 'd', 1],
 * ]);
 * const itemFeatures = Features.fromRecords([
 *   ['a', ['drama']], ['b', ['comedy']], ['c', ['drama']], ['d', ['comedy']],
 *   ['e', ['drama', ['comedy', 0.5]]], // no interactions: known by its attributes alone
 * ]);
 * const model = new Hybrid({ factors: 8, epochs: 20 });
 * model.fit(clicks, { itemFeatures });
 * console.log(model.recommend('u1', { n: 3 })); // may include the cold item 'e'
 * model.addItem('f', ['comedy']);               // a new item after fitting
 * console.log(model.predict('u4', 'f').estimate, model.featureNames.item);
 * ```
 */
export class Hybrid extends LatentRanking {
  protected readonly stateKind = 'hybrid' as const;
  /** LightFM's fit_partial: the model's loss from the current embeddings over new interactions (see partialFit). */
  protected override readonly supportsPartialFit = true;
  /** partialFit's attribute rows, for createTrainer (set only while a partialFit runs). */
  private partialRows: { user?: AttributeRows; item?: AttributeRows } | undefined;
  /** partialFit's plan, once made (see partialPlan). */
  private partialPlanned: HybridPlan | undefined;
  /** partialFit's feature sides, for the attribute embeddings it leaves. */
  private partialSides: TrainingSides | undefined;
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: ResolvedHybridOptions;
  protected readonly shape: ModelShape;
  private plan: HybridPlan | undefined;
  /** Whether this fit's plan has a feature shared by two users or two items (see HybridOptions.threads). */
  private shared = false;
  private sides: TrainingSides | undefined;
  /** Where the last fit or partialFit left AdaGrad (see TrainingState); undefined after load. */
  private training: { user: SideTraining; item: SideTraining } | undefined;

  protected override readonly supportsCheckpoint = false;
  /** The attributes come with the fit. */
  protected override readonly fitOptionKeys: readonly string[] = ['userFeatures', 'itemFeatures'];

  /** Per side: feature rows (CSR), embeddings, biases and their adagrad state; the candidate draws. */
  protected override extraMemoryBytes(train: Dataset, stride: number): number {
    const plan = this.plan ?? (this.partialRows ? this.partialPlan(train) : undefined);
    if (!plan) return 0;
    const side = (l: SideLayout) => (l.start.length + 2 * l.cols.length) * 4 + l.featureCount * (2 * stride + 2) * 4;
    const slots = this.options.maxSampled + 1;
    // Blocked: the item bins, and scratch and draws for up to 64 threads; shuffle: the candidates.
    const order = this.options.order === 'blocked' ? (2 * plan.item.start.length + MAX_GRID_SIDE) * 4 + 64 * (4 * stride + slots) * 4 : CHUNK * slots * 4;
    return side(plan.user) + side(plan.item) + order;
  }

  /** partialFit's plan over the mapped data `train` (made once: the memory check and createTrainer both need it). */
  private partialPlan(train: Dataset): HybridPlan {
    if (this.partialPlanned?.data !== train) {
      const a = this.attributeModels();
      this.partialPlanned = planPartial(train, this.partialRows?.user, this.partialRows?.item, { user: a.user.names, item: a.item.names }, this.options.normalize);
    }
    return this.partialPlanned;
  }
  private attributes: { user: AttributeModel; item: AttributeModel } | undefined;

  /**
   * An unfitted Hybrid.
   * @param given - The hybrid's options; unset ones take {@link HYBRID_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of Hybrid ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(given: HybridOptions = {}) {
    super();
    const options = optionsObject('Hybrid options', given);
    checkOptionKeys('Hybrid', options, HYBRID_OPTION_KEYS);
    const d = HYBRID_DEFAULTS;
    this.options = {
      ...resolveImplicitCommon(options, d),
      loss: oneOf<HybridLoss>('loss', options.loss ?? d.loss, ['warp', 'bpr', 'logistic']),
      lr: positive('lr', options.lr ?? d.lr),
      learningSchedule: oneOf<LearningSchedule>('learningSchedule', options.learningSchedule ?? d.learningSchedule, ['adagrad', 'sgd']),
      userReg: nonNegative('userReg', options.userReg ?? d.userReg),
      itemReg: nonNegative('itemReg', options.itemReg ?? d.itemReg),
      maxSampled: integer('maxSampled', options.maxSampled ?? d.maxSampled, 1, 100_000),
      userIdentity: flag('userIdentity', options.userIdentity, d.userIdentity),
      itemIdentity: flag('itemIdentity', options.itemIdentity, d.itemIdentity),
      normalize: flag('normalize', options.normalize, d.normalize),
      ...samplingOrderOptions(options, d.order),
    };
    const shape = this.shapeOf(this.options);
    this.shape = this.options.order === 'blocked' ? { ...shape, threads: this.options.threads, bins: this.options.bins, threading: this.threading() } : shape;
  }

  /**
   * Blocked SGD's threading, except that with shared features (Hogwild across threads) 'auto'
   * keeps one thread; the notes say so, and say when a fit ran Hogwild.
   */
  private threading(): Threading {
    const blocked = BLOCKED_SGD_THREADING;
    return {
      support: blocked.support,
      threadsFor: (shape, train) => (shape.threads === 'auto' && this.shared ? 1 : blocked.threadsFor(shape, train)),
      note: (shape, train, engine) => {
        const notes = [blocked.note?.(shape, train, engine)];
        if (this.shared && engine.threads > 1) {
          notes.push(`attributes shared by several users or items took updates from ${engine.threads} threads at once (Hogwild): the model varies between runs; threads: 1 or 'auto' gives the same model every run`);
        } else if (this.shared && shape.threads === 'auto' && blocked.threadsFor(shape, train) > 1) {
          notes.push(`running on 1 thread: attributes are shared by several users or items, and threads would update them at once (Hogwild), so the model would vary between runs; set threads to a count to accept that`);
        }
        return notes.filter((n) => n !== undefined).join('; ') || undefined;
      },
    };
  }

  /**
   * Trains on the interactions of `train` (values ignored: every row is an interaction) with
   * the given attributes. Users and items listed in the attributes but absent from `train` are
   * known by their attributes alone (cold start).
   * @param train - The interactions.
   * @param options - The attributes, and what every fit takes (checkpoint is refused).
   * @returns The learning curve: per epoch, the fraction of sampled pairs ranked the wrong way.
   * @throws {@link DataError} when `train` is not a Dataset or has no interactions, it has fewer
   * than two items, a user interacted with every item (losses 'bpr' and 'logistic'), or an
   * entity would have no features (identity off and no attributes).
   * @throws {@link OptionError} when a fit option is unknown or invalid (an attribute option that
   * is not a Features; checkpoint: true).
   * @throws {@link DivergenceError} when the loss or the embeddings stop being finite.
   * @throws {@link LatentrecError} when a fit is already running on this model.
   */
  override fit(train: Dataset, options: HybridFitOptions = {}): FitResult<EpochReport> {
    return super.fit(train, options);
  }

  /**
   * fit(), giving the event loop a turn between epochs (see {@link Model.fitAsync}).
   * @param train - The interactions.
   * @param options - As for fit.
   * @returns A promise of what fit returns; it rejects with the errors fit throws.
   */
  override fitAsync(train: Dataset, options: HybridFitOptions = {}): Promise<FitResult<EpochReport>> {
    return super.fitAsync(train, options);
  }

  protected override beginFit<O extends CommonFitOptions>(train: Dataset, options: O): FitSession<O> {
    const { userFeatures, itemFeatures, ...fitOptions } = options as O & HybridFitOptions;
    if (train.size === 0) throw new DataError('fit: the training set has no interactions');
    const o = this.options;
    this.plan = planHybrid(train, attributeRows('userFeatures', userFeatures), attributeRows('itemFeatures', itemFeatures), { userIdentity: o.userIdentity, itemIdentity: o.itemIdentity, normalize: o.normalize });
    this.shared = sharesFeatures(this.plan.user) || sharesFeatures(this.plan.item);
    return {
      train: this.plan.data,
      options: fitOptions as O,
      done: () => {
        this.keepTrained(this.sides!);
      },
      cleanup: () => {
        this.plan = undefined;
        this.sides = undefined;
      },
    };
  }

  protected override initialize(): void {
    // The feature embeddings are the parameters; createTrainer initializes them.
  }

  /**
   * Continues training on new interactions: LightFM's fit_partial. Every user and item gets an
   * identity feature, whose embedding starts where the entity's current vector (and an item's
   * bias) minus its attributes' part puts it; the attributes' embeddings carry over; new users
   * and items start from the fit's random init. Then `epochs` passes of the model's loss run over
   * the new interactions, negatives drawn from every item. Attribute embeddings move, so every
   * user or item that has an updated attribute changes with them.
   *
   * A model fitted with attributes needs the rows again, as LightFM's `fit_partial` takes the
   * feature matrices: the model does not keep them. A user or item with no row given is
   * represented by its identity alone from here on (its vector unchanged at the start).
   * AdaGrad goes on where the last fit or partialFit of this model left it, as in LightFM: the
   * accumulators of the features it trained (and the users' biases, which only the logistic loss
   * moves) carry over; new users and items, and features of a model loaded from a file (files do
   * not hold them), start afresh.
   * @param data - The new interactions.
   * @param options - `epochs` (default the model's), `userFeatures` / `itemFeatures` (the
   * attribute rows, with the names the model was fitted with), and what every fit takes.
   * @returns The learning curve of these epochs.
   * @throws {@link LatentrecError} when the model was fitted without identity features (a
   * vector made of attributes alone has no part of its own to warm-start), is not fitted, or a
   * fit runs on it.
   * @throws {@link DataError} when the data is not a Dataset or is empty, a user in it interacted
   * with every item, or a feature row names an attribute the model was not fitted with or an
   * entity neither the model nor the data knows.
   * @throws {@link OptionError} when an option is unknown or out of range, or the model has
   * attributes on a side and its rows are not given.
   */
  override partialFit(data: Dataset, options: PartialFitOptions<EpochReport> & Pick<HybridFitOptions, 'userFeatures' | 'itemFeatures'> = {}): FitResult<EpochReport> {
    const { userFeatures, itemFeatures, ...rest } = optionsObject<PartialFitOptions<EpochReport> & HybridFitOptions>('partialFit options', options);
    const a = this.attributeModels();
    if (!this.options.userIdentity || !this.options.itemIdentity) {
      throw new LatentrecError(
        'Hybrid does not support partialFit for a model fitted without identity features: its vectors are made of attributes ' +
          'alone, with no part of their own to start from; fit it again on all the data',
      );
    }
    const rows = { user: attributeRows('userFeatures', userFeatures), item: attributeRows('itemFeatures', itemFeatures) };
    for (const side of ['user', 'item'] as const) {
      if (a[side].names.size > 0 && !rows[side]) {
        throw new OptionError(`${side}Features`, `the ${side}s' attribute rows, as in fit: the model was fitted with ${side} attributes and does not keep the rows`, undefined);
      }
    }
    const shared = this.shared;
    this.partialRows = rows;
    // Attributes are shared by several users or items: one thread unless a count was asked for.
    this.shared = a.user.names.size > 0 || a.item.names.size > 0;
    try {
      const result = super.partialFit(data, rest);
      if (this.partialSides) this.keepTrained(this.partialSides);
      return result;
    } finally {
      this.partialRows = undefined;
      this.partialPlanned = undefined;
      this.partialSides = undefined;
      this.shared = shared;
    }
  }

  /**
   * What a finished fit or partialFit leaves beside P and Q: the attribute embeddings (user
   * biases left out as in the predictions: the logistic loss moves them, no ranking depends on
   * them) and the training state partialFit resumes from (with those user biases).
   */
  private keepTrained({ user, item, plan }: TrainingSides): void {
    const k = this.options.factors;
    this.attributes = { user: attributeModel(user, plan.user, k, false), item: attributeModel(item, plan.item, k, true) };
    this.training = { user: sideTraining(user, plan.user, k, true), item: sideTraining(item, plan.item, k, false) };
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const { engine, train, ratings, factors, random } = setup;
    const plan = setup.partial ? this.partialPlan(train) : this.plan;
    if (!plan) throw new LatentrecError('Hybrid: createTrainer outside fit');
    const o = this.options, stride = factors.stride, k = o.factors;
    const warm = plan.item.active;
    if (warm < 2) throw new DataError('Hybrid: needs interactions with at least two items to sample negatives');
    const user = featureSide(engine, plan.user, k, stride, o.initStd, random);
    const item = featureSide(engine, plan.item, k, stride, o.initStd, random);
    if (setup.partial) {
      const a = this.attributeModels();
      warmStart(user, plan.user, a.user, factors.P, undefined, stride, k);
      warmStart(item, plan.item, a.item, factors.Q, factors.bi, stride, k);
      if (this.training) {
        resumeTraining(user, plan.user, this.training.user, stride, k);
        resumeTraining(item, plan.item, this.training.item, stride, k);
      }
      this.partialSides = { user, item, plan };
    } else {
      this.sides = { user, item, plan };
    }

    const { start, values: itemsOf } = sortedGroupValues(train.userIndex, train.userCount, train.itemIndex, train.itemCount);
    const verify = o.loss !== 'warp';
    if (verify) {
      for (let u = 0; u < plan.user.active; u++) {
        // Distinct items (a repeated (user, item) row is one interaction): each user's are sorted.
        let distinct = 0;
        for (let t = start[u]; t < start[u + 1]; t++) if (t === start[u] || itemsOf[t] !== itemsOf[t - 1]) distinct++;
        if (distinct >= warm) {
          throw new DataError(`Hybrid: user ${JSON.stringify(train.users.raw[u])} interacted with every item; no negative exists`);
        }
      }
    }
    const seenStart = copyU32(engine, start), seenItems = copyU32(engine, itemsOf);
    const slots = o.loss === 'warp' ? o.maxSampled : 1;
    const warpWeights = engine.allocF32(slots);
    // LightFM's rank estimate: a violation on the N-th draw means about (n − 1)/N items rank above.
    // Blocked: the draws come from the positive's bin, a random sample of the items with
    // interactions; a violation on the N-th means about (bin − 1)/N of the bin rank above, so
    // about (n − 1)/N of the whole — the same weights.
    warpWeights.array().set(Array.from({ length: slots }, (_, s) => Math.log(Math.max(1, Math.floor((warm - 1) / (s + 1))))));
    const n = ratings.count;
    const done = (wrong: number) => ({ value: withinParameterLimit([user.E, user.b, item.E, item.b]) ? wrong / n : Infinity, kind: 'misranked' as const });
    const prediction = () => {
      engine.sparseTimesDense(user.features, user.E, factors.P, stride);
      engine.sparseTimesDense(item.features, item.E, factors.Q, stride);
      // User biases move only under the logistic loss and never change a ranking; like BPR's,
      // the model's predictions are b_i + r_u·r_i.
      biasSums(item, factors.bi.array());
      return factors;
    };
    if (o.order === 'blocked') {
      // A user's or item's parameters: its identity embedding and bias, and their accumulators.
      const perBlock = { rowBytes: (stride + 1) * 4 * (o.learningSchedule === 'adagrad' ? 2 : 1), blockBytes: HYBRID_BLOCK_BYTES };
      const side = samplingGridSide(o.bins, train.userCount, warm, stride, perBlock);
      const bins = itemBins(engine, warm, train.itemCount, side, random);
      const grid = gridFromBins(ratings, binsByCount(ratings.users.array(), n, train.userCount, side), bins.itemBin.array(), side);
      const threads = engine.threads;
      const pass: HybridBlockPass = {
        loss: o.loss, slots, warpWeights, seenStart, seenItems, ...bins, lr: o.lr, userReg: o.userReg, itemReg: o.itemReg, adagrad: o.learningSchedule === 'adagrad',
        scratch: engine.allocF32(threads * threadPart(4 * stride, 4)), draws: engine.allocU32(threads * threadPart(slots, 4)),
      };
      return {
        // Embeddings beyond the bound mean divergence: an infinite figure stops the fit loop.
        epoch: () => done(engine.hybridBlocks(ratings, grid, planEpoch(side, random), pass, user, item, stride)),
        predictionFactors: prediction,
      };
    }
    const candidates = engine.allocU32(CHUNK * slots);
    const scratch = engine.allocF32(4 * stride);
    const users = ratings.users.array(), positives = ratings.items.array();
    return {
      epoch: () => {
        shuffleTriples(users, positives, random);
        let wrong = 0;
        for (let first = 0; first < n; first += CHUNK) {
          const count = Math.min(CHUNK, n - first);
          const c = candidates.array();
          for (let t = 0; t < count; t++) {
            if (!verify) {
              for (let s = 0; s < slots; s++) c[t * slots + s] = random.nextInt(warm);
              continue;
            }
            const u = users[first + t];
            let j: number;
            do j = random.nextInt(warm);
            while (sortedContains(itemsOf, start[u], start[u + 1], j));
            c[t] = j;
          }
          wrong += engine.hybridEpoch(
            {
              loss: o.loss, users: ratings.users, positives: ratings.items, first, count, candidates, slots, warpWeights,
              seenStart, seenItems, lr: o.lr, userReg: o.userReg, itemReg: o.itemReg, adagrad: o.learningSchedule === 'adagrad', scratch,
            },
            user, item, stride,
          );
        }
        return done(wrong);
      },
      predictionFactors: prediction,
    };
  }

  /**
   * Adds a user known only by attributes (names the model was trained with; weights default 1),
   * so predict and recommend work for them. Returns the user's raw id.
   * @param user - The new user's raw id.
   * @param features - Attribute names (weight 1) or [name, weight] pairs.
   * @returns The user's raw id, as a string.
   * @throws {@link DataError} when the user is already known, the features are malformed, a name
   * is unknown or given twice, a weight is not finite, no feature is given, every weight is 0
   * (with normalize), or the weights give a vector beyond the parameter bound.
   * @throws {@link LatentrecError} when the model is not fitted, or a fit is running on it.
   */
  addUser(user: RawId, features: Iterable<string | readonly [string, number]>): string {
    return this.addEntity('user', user, features);
  }

  /**
   * Adds an item known only by attributes (names the model was trained with; weights default
   * 1), so it can be scored and recommended.
   * @param item - The new item's raw id.
   * @param features - Attribute names (weight 1) or [name, weight] pairs.
   * @returns The item's raw id, as a string.
   * @throws {@link DataError} as addUser.
   * @throws {@link LatentrecError} when the model is not fitted, or a fit is running on it.
   */
  addItem(item: RawId, features: Iterable<string | readonly [string, number]>): string {
    return this.addEntity('item', item, features);
  }

  /**
   * The attribute names the model knows (what addUser / addItem accept).
   * @throws {@link LatentrecError} when the model is not fitted.
   */
  get featureNames(): {
    /** The user attributes' names. */
    user: readonly string[];
    /** The item attributes' names. */
    item: readonly string[];
  } {
    const a = this.attributeModels();
    return { user: a.user.names.raw, item: a.item.names.raw };
  }

  /**
   * Everything the model is, as plain data, with the attribute embeddings (`features`) so that
   * addUser and addItem work after loading.
   * @returns A copy of the fitted state.
   * @throws {@link LatentrecError} when the model is not fitted.
   */
  override toState(): ModelState {
    const a = this.attributeModels();
    const embeddings = (m: AttributeModel): FeatureEmbeddings => ({ names: [...m.names.raw], factors: m.E.slice(), biases: m.b.slice() });
    return { ...super.toState(), features: { user: embeddings(a.user), item: embeddings(a.item) } };
  }

  override restore(state: ModelState, options: LoadOptions = {}): this {
    // super.restore checks the state first (a hybrid state without features is refused there).
    super.restore(state, options);
    const model = (e: FeatureEmbeddings): AttributeModel => ({ names: IdMap.from(e.names), E: e.factors.slice(), b: e.biases.slice() });
    this.attributes = { user: model(state.features!.user), item: model(state.features!.item) };
    this.training = undefined;
    return this;
  }

  protected override unknownUser(where: string, user: RawId): DataError {
    return new DataError(
      `${where}: user ${JSON.stringify(String(user))} has neither interactions nor features in this model: ` +
        `add it with model.addUser(id, features) or fold in its interactions (model.foldIn)`,
    );
  }

  protected override impossibleReason(user: string | undefined, item: string | undefined): string {
    const parts: string[] = [];
    if (user !== undefined) parts.push(`user ${JSON.stringify(user)} has neither interactions nor features (add it with addUser(id, features))`);
    if (item !== undefined) parts.push(`item ${JSON.stringify(item)} has neither interactions nor features (add it with addItem(id, features))`);
    return `${parts.join('; ')}; the estimate is the global mean, not a score`;
  }

  private attributeModels(): { user: AttributeModel; item: AttributeModel } {
    if (!this.attributes) throw new LatentrecError('Hybrid: call fit() before using the model');
    return this.attributes;
  }

  private addEntity(who: 'user' | 'item', raw: RawId, features: Iterable<string | readonly [string, number]>): string {
    const method = who === 'user' ? 'addUser' : 'addItem';
    this.assertIdle(method);
    const id = String(rawId(method, who, raw));
    const m = this.fittedState();
    const ids = who === 'user' ? m.users : m.items;
    const where = `${method}(${JSON.stringify(id)})`;
    if (ids.has(id)) throw new DataError(`${where}: the ${who} is already known to the model`);
    const a = this.attributeModels()[who];
    const { vector, bias } = representFromAttributes(features, a.names, a.E, a.b, this.options.factors, this.options.normalize, where);
    // Weights are only bounded by float32 (normalize: false keeps them as given): a vector beyond
    // the parameter limit could overflow predictions, and the model could not be saved.
    if (!withinLimit(vector) || !withinLimit([bias])) {
      throw new DataError(`${where}: the feature weights give a vector beyond ±${PARAMETER_LIMIT.toExponential()}; use weights of ordinary size (or normalize: true)`);
    }
    const index = ids.size;
    const block = who === 'user' ? m.factors.bu : m.factors.bi;
    let next = m;
    if (index >= block.length) {
      const grow = Math.max(8, 2 * block.length);
      const engine = copyFactors(m.factors, m.engine, who === 'user' ? grow : undefined, who === 'item' ? grow : undefined);
      next = { ...m, ...engine };
    }
    ids.intern(id);
    const stride = next.factors.stride;
    (who === 'user' ? next.factors.P : next.factors.Q).array().set(vector, index * stride);
    if (who === 'item') next.factors.bi.array()[index] = bias;
    next.norms = undefined;
    this.replaceFitted(next);
    return id;
  }
}

/**
 * partialFit's starting embeddings: the attributes' from the model, and each identity's what
 * makes the entity's vector (and an item's bias) what it is now, given its row's weights: the
 * identity is each row's first feature, so e_id = (x − Σ w_a e_a) / w_id. Users' biases start at
 * 0: they never reach a score, and the model does not keep them.
 */
function warmStart(side: FeatureSide, l: SideLayout, attributes: AttributeModel, X: F32, biases: F32 | undefined, stride: number, k: number): void {
  const E = side.E.array(), b = side.b.array(), x = X.array(), xb = biases?.array();
  for (let c = 0; c < l.attributes.size; c++) {
    E.set(attributes.E.subarray(c * k, c * k + k), (l.identityCount + c) * stride);
    b[l.identityCount + c] = attributes.b[c];
  }
  for (let e = 0; e < l.identityCount; e++) {
    const first = l.start[e], end = l.start[e + 1], w = l.vals[first];
    for (let f = 0; f < k; f++) {
      let s = x[e * stride + f];
      for (let t = first + 1; t < end; t++) s -= l.vals[t] * E[l.cols[t] * stride + f];
      E[e * stride + f] = s / w;
    }
    let sb = xb ? xb[e] : 0;
    if (xb) for (let t = first + 1; t < end; t++) sb -= l.vals[t] * b[l.cols[t]];
    b[e] = xb ? sb / w : 0;
  }
}

/** A fit's (or partialFit's) feature sides in the engine, with the plan that laid them out. */
interface TrainingSides {
  user: FeatureSide;
  item: FeatureSide;
  plan: HybridPlan;
}

/**
 * What training leaves of one side beyond the model, so that partialFit goes on as LightFM's
 * fit_partial does rather than with the large first steps of fresh accumulators: AdaGrad's
 * accumulators of every feature, identities first (identity e is the model's entity e), then
 * attributes, packed k to a row; and, for users, the features' biases (items' are in the model).
 */
interface SideTraining {
  identityCount: number;
  attributeCount: number;
  gE: Float32Array;
  gb: Float32Array;
  b?: Float32Array;
}

function sideTraining(side: FeatureSide, l: SideLayout, k: number, withBiases: boolean): SideTraining {
  const stride = side.E.length / Math.max(1, l.featureCount);
  const gE = new Float32Array(l.featureCount * k), src = side.gE.array();
  for (let r = 0; r < l.featureCount; r++) gE.set(src.subarray(r * stride, r * stride + k), r * k);
  return {
    identityCount: l.identityCount, attributeCount: l.attributes.size, gE, gb: side.gb.array().slice(0, l.featureCount),
    ...(withBiases ? { b: side.b.array().slice(0, l.featureCount) } : {}),
  };
}

/**
 * The kept state put back into partialFit's side: identity e where the model had it when the
 * state was taken (users added since, and new ones, keep fresh accumulators), attributes by
 * their index (partialFit takes no new attribute). User biases replace warmStart's zeros.
 */
function resumeTraining(side: FeatureSide, l: SideLayout, kept: SideTraining, stride: number, k: number): void {
  const gE = side.gE.array(), gb = side.gb.array(), b = side.b.array();
  const copy = (from: number, to: number) => {
    gE.set(kept.gE.subarray(from * k, from * k + k), to * stride);
    gb[to] = kept.gb[from];
    if (kept.b) b[to] = kept.b[from];
  };
  for (let e = 0; e < Math.min(kept.identityCount, l.identityCount); e++) copy(e, e);
  for (let c = 0; c < Math.min(kept.attributeCount, l.attributes.size); c++) copy(kept.identityCount + c, l.identityCount + c);
}

function featureSide(engine: Engine, l: SideLayout, k: number, stride: number, initStd: number, random: TrainingSetup['random']): FeatureSide {
  const features: SparseRows = { start: copyU32(engine, l.start), cols: copyU32(engine, l.cols), vals: engine.allocF32(l.vals.length), rowCount: l.start.length - 1 };
  features.vals.array().set(l.vals);
  const E = engine.allocF32(l.featureCount * stride);
  initNormal(E, l.featureCount, k, stride, 0, initStd, random);
  const gE = engine.allocF32(l.featureCount * stride), gb = engine.allocF32(l.featureCount);
  gE.array().fill(1);
  gb.array().fill(1);
  return { features, E, b: engine.allocF32(l.featureCount), gE, gb };
}

/** out[r] = Σ w b over row r's features, in the kernels' order and float32 rounding. */
function biasSums(side: FeatureSide, out: Float32Array): void {
  const start = side.features.start.array(), cols = side.features.cols.array(), vals = side.features.vals.array(), b = side.b.array();
  const f = Math.fround;
  for (let r = 0; r < side.features.rowCount; r++) {
    let s = 0;
    for (let t = start[r]; t < start[r + 1]; t++) s = f(s + f(vals[t] * b[cols[t]]));
    out[r] = s;
  }
}

/** The attribute rows of a trained side (identity rows dropped: they are inside P and Q). */
function attributeModel(side: FeatureSide, l: SideLayout, k: number, withBiases: boolean): AttributeModel {
  const stride = side.E.length / Math.max(1, l.featureCount);
  const E = new Float32Array(l.attributes.size * k), b = new Float32Array(l.attributes.size);
  const src = side.E.array(), bias = side.b.array();
  for (let c = 0; c < l.attributes.size; c++) {
    const r = l.identityCount + c;
    E.set(src.subarray(r * stride, r * stride + k), c * k);
    b[c] = withBiases ? bias[r] : 0;
  }
  return { names: IdMap.from(l.attributes.raw), E, b };
}
