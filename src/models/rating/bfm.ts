// Bayesian factorization machine fitted by Gibbs sampling (Freudenthaler, Schmidt-Thieme & Rendle
// 2011, "Bayesian factorization machines"; Rendle 2012, libFM's MCMC; priors as tohtsky/myFM):
// ŷ = w0 + w_u + w_i + <v_u, v_i>, with Gaussian priors on w0, the linear terms and the factors,
// and Normal–Gamma hyperpriors per feature group (users, items), all sampled. The prediction is
// the posterior predictive mean: the average of the per-sample predictions after burn-in. There is
// no learning rate or regularization to tune: more samples and more factors only help.
//
// One epoch is one Gibbs sweep: the noise precision, w0, the hyperparameters of each group, then
// every user's row and every item's row (assembly/bfm.ts; the rows of one side are independent
// given the other). The learning curve is the RMSE of the running posterior mean.
//
// Feature groups: user and item ids always; the bags (`bags: ['user', 'item']`: the items a user
// rated, SVD++'s implicit feedback, and the users who rated an item, its "flipped" bag); user and
// item attributes (fit's userFeatures / itemFeatures). Ids alone are Bayesian MF and run on the
// row sampler (bfm-row-sampler.ts, SIMD); any other group runs on the relation-block sampler
// (bfm-block-sampler.ts). Either serves its samples stacked as one factor model (bfm-chain.ts),
// so predict, recommend, similar items, fold-in and model files work as for SVD.
import type { Dataset } from '../../data/dataset.js';
import { groupStarts } from '../../data/group.js';
import { hardwareThreads, strideFor, wasmThreadSupport } from '../../engine/index.js';
import { MAX_POOL_THREADS } from '../../engine/thread-pool.js';
import type { Threading } from '../core/fit-loop.js';
import { DataError, OptionError } from '../../errors.js';
import { optionsObject } from '../core/arguments.js';
import type { FitScoring } from '../core/fit-loop.js';
import type { Fitted } from '../core/fitted.js';
import type { FitSession, ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, integer, nonNegative, resolveCommon, threadsOption, type CommonOptions, type ResolvedCommon } from '../core/options.js';
import { MAX_FACTORS } from '../core/state.js';
import type { EpochLoss, FitOptions, FitResult, RatingEpochReport } from '../core/types.js';
import { attributeRows, type AttributeRows } from '../ranking/hybrid-layout.js';
import { BlockSampler } from './bfm-block-sampler.js';
import { dayBlock, sideBlock, type BlockLayout } from './bfm-blocks.js';
import { longestRow, type GibbsChain } from './bfm-chain.js';
import { RowSampler } from './bfm-row-sampler.js';
import { RatingBase } from './rating-base.js';

/**
 * Options of {@link BayesianFM}. There is no learning rate or regularization: the priors are
 * sampled. `epochs` is not an option (the sweeps are `samples`); seed, engine, wasmVariant and
 * rng are as {@link CommonOptions} (rng default 'xoshiro128').
 */
export interface BfmOptions extends Omit<CommonOptions, 'epochs'> {
  /**
   * Latent factors k of each sample, an integer in [1, {@link MAX_FACTORS}].
   * @defaultValue 10
   */
  factors?: number;
  /**
   * Gibbs sweeps in all, burn-in included; one sweep is one epoch. An integer in [2, 1,000,000].
   * @defaultValue 200
   */
  samples?: number;
  /**
   * The first sweeps, left out of the posterior mean: an integer >= 0, below `samples`.
   * @defaultValue 10, or half the samples (rounded down) when there are fewer than 20
   */
  burnIn?: number;
  /**
   * How many of the kept samples the fitted model serves from (evenly thinned; default all of
   * them, at most 4096 / factors). Fewer make a smaller model file; the learning curve's figures
   * average every kept sample either way. An integer from 1 to that default.
   * @defaultValue the smaller of samples − burnIn and ⌊4096 / factors⌋
   */
  servingSamples?: number;
  /**
   * Standard deviation of the initial factors, a finite number >= 0.
   * @defaultValue 0.1
   */
  initStd?: number;
  /**
   * Implicit-feedback bags as feature groups (default ['user']): 'user' adds the items each user
   * rated (SVD++'s implicit feedback), 'item' the users who rated each item (the "flipped" bag).
   * From the training ratings, each scaled by 1/√(its size). `[]` is plain Bayesian MF (user and
   * item ids alone), about 2x faster than the default (4x than both bags). Fold-in uses a new user's bag (the items it rates) when the user bag is on.
   * Each bag at most once.
   * @defaultValue ['user']
   */
  bags?: readonly BfmBag[];
  /**
   * An ordered-probit output (default false): each rating is a level of the training data's
   * distinct values (2 to 20 of them), reached when a latent N(ŷ, 1) passes sampled cut points
   * (bfm-ordinal.ts). Predictions are expected ratings. A continuous scale is refused.
   * @defaultValue false
   */
  ordinal?: boolean;
  /**
   * The rating's day as a feature group (default false; myFM's "rating day", one-hot over the
   * training days): needs the ratings' times (Dataset.times, from files read with `timestamps:
   * true`). Predictions for a rating's time add its day's deviation from the average day
   * (predict's `time`, predictMany and evaluate on timed data); without a time they are the
   * average day's. 'auto': the day group when the training data has times (the accurate preset's).
   * With `true`, a fit on data without times throws a DataError.
   * @defaultValue false
   */
  time?: boolean | 'auto';
  /**
   * Threads for the row sampler (ids alone: `bags: []`, no attributes, no day): the rows of one
   * side are independent given the other, so they are drawn in ranges on every thread, to the
   * same bits as on one (the normals are drawn first, per row). 'auto' (the default): every core
   * from 50,000 ratings. The relation-block sampler runs on one thread. A count is an integer in
   * [1, 256].
   * @defaultValue 'auto'
   */
  threads?: number | 'auto';
}

/**
 * An implicit-feedback bag of the Bayesian FM ({@link BfmOptions.bags}): 'user' (the items each
 * user rated) or 'item' (the users who rated each item).
 */
export type BfmBag = 'user' | 'item';
const BAGS: readonly BfmBag[] = ['user', 'item'];

/** Options of {@link BayesianFM.fit}: a rating fit's options and the users' and items' attributes. */
export interface BfmFitOptions extends FitOptions {
  /** Attributes of the training users (data/features.ts `Features`), one hyperprior group per name prefix before ':'. */
  userFeatures?: AttributeRows;
  /** Attributes of the training items, as userFeatures. */
  itemFeatures?: AttributeRows;
}

/** Every key BfmOptions has. */
export const BFM_OPTION_KEYS = ['factors', 'samples', 'burnIn', 'servingSamples', 'initStd', 'bags', 'ordinal', 'time', 'threads', 'seed', 'engine', 'wasmVariant', 'rng'] as const satisfies readonly (keyof BfmOptions)[];

/**
 * Rank 10 at 200 sweeps, as myFM's examples, with the users' bags: plain Bayesian MF is worse than
 * SVD defaults on very sparse data such as Ciao (RMSE 0.9732 against 0.9652), the user bag much
 * better (0.9508), and it helps on MovieLens too (u1 0.9027 against 0.9076; README "The Bayesian
 * factorization machine"). The item bag helps MovieLens more (0.8913 with both) but Ciao less
 * (0.9592), and leaves fold-in weaker, so it is the accurate preset's, not a default.
 */
export const BFM_DEFAULTS = {
  /** Latent factors k of each sample. */
  factors: 10,
  /** Gibbs sweeps, burn-in included. */
  samples: 200,
  /** Sweeps left out of the posterior mean (at most half the samples). */
  burnIn: 10,
  /** Standard deviation of the initial factors. */
  initStd: 0.1,
  /** The implicit-feedback bags. */
  bags: ['user'] as readonly BfmBag[],
  /** The ordered-probit output. */
  ordinal: false,
  /** The rating's day as a feature group. */
  time: false,
  /** Threads of the row sampler. */
  threads: 'auto',
} as const;

/** {@link BfmOptions} after checking, every default filled in: what `BayesianFM.options` holds. */
export type ResolvedBfmOptions = ResolvedCommon & {
  /** Gibbs sweeps, burn-in included (also `epochs`). */
  samples: number;
  /** Sweeps left out of the posterior mean. */
  burnIn: number;
  /** Kept samples the fitted model serves from. */
  servingSamples: number;
  /** Standard deviation of the initial factors. */
  initStd: number;
  /** The implicit-feedback bags, in the order 'user', 'item'. */
  bags: BfmBag[];
  /** Whether the output is ordered probit. */
  ordinal: boolean;
  /** The day group: on, off, or 'auto' (on when the training data has times). */
  time: boolean | 'auto';
  /** Threads of the row sampler. */
  threads: number | 'auto';
};

/**
 * Bayesian factorization machine fitted by Gibbs sampling (Freudenthaler, Schmidt-Thieme & Rendle
 * 2011; libFM's MCMC, priors as myFM): ŷ = w0 + w_u + w_i + ⟨v_u, v_i⟩, Gaussian priors with
 * Normal–Gamma hyperpriors per feature group, all sampled. The prediction is the posterior
 * predictive mean, the average over the samples after burn-in. Nothing to tune: more samples and
 * more factors only help. Feature groups beyond the ids: the bags (option `bags`), user and item
 * attributes (fit's `userFeatures` / `itemFeatures`), the rating's day (option `time`). The
 * samples are served as one stacked factor model, so predict, recommend, similar items, fold-in
 * and model files work as for SVD. The 'accurate' preset. The checkpoint fit option is refused.
 *
 * @example
 * ```ts
 * import { BayesianFM, generateRatings, holdoutSplit, evaluate } from 'latentrec';
 *
 * const data = generateRatings({ users: 300, items: 200, ratings: 12_000 });
 * const { train, test } = holdoutSplit(data, { testRatio: 0.2, seed: 0 });
 * const model = new BayesianFM({ factors: 8, samples: 100, bags: [] }); // [] : ids alone, the fastest
 * model.fit(train, { validation: test, onEpoch: (r) => console.log(r.epoch, r.validationRmse) });
 * console.log(evaluate(model, test).rmse);
 * ```
 */
export class BayesianFM extends RatingBase {
  protected readonly stateKind = 'bfm' as const;
  protected override readonly partialFitRefusal = 'the prediction averages Gibbs samples drawn from all the data; a chain continued on new ratings alone would sample another posterior; fit it again on all the data';
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: ResolvedBfmOptions;
  protected readonly shape: ModelShape;
  /** A validation set is scored on the running posterior mean by the sampler itself. */
  protected override readonly fitOptionKeys: readonly string[] = ['validation', 'userFeatures', 'itemFeatures'];
  /** The fitted state is built from the samples at the end: there is no epoch to go back to. */
  protected override readonly supportsCheckpoint = false;
  /** The fit in progress (its validation set, its sampler). */
  private session: { validation?: Dataset; blocks?: BlockLayout[]; days?: Float64Array; sampler?: GibbsChain } | undefined;

  /**
   * An unfitted BayesianFM.
   * @param given - The sampler's options; unset ones take {@link BFM_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type (e.g.
   * burnIn not below samples), or is not an option of BayesianFM ({@link UnknownOptionError},
   * naming the option it probably meant).
   */
  constructor(given: BfmOptions = {}) {
    super();
    const options = optionsObject('BayesianFM options', given);
    checkOptionKeys('BayesianFM', options, BFM_OPTION_KEYS);
    const d = BFM_DEFAULTS;
    const samples = integer('samples', options.samples ?? d.samples, 2, 1_000_000);
    const burnIn = integer('burnIn', options.burnIn ?? Math.min(d.burnIn, Math.floor(samples / 2)), 0, 999_999);
    if (burnIn >= samples) throw new OptionError('burnIn', `below samples (${samples}): the posterior mean needs at least one sample after burn-in`, burnIn);
    const common = resolveCommon({ ...options, epochs: samples }, { factors: d.factors, epochs: samples, rng: 'xoshiro128' });
    const most = Math.max(1, Math.floor(MAX_FACTORS / common.factors));
    const servingSamples = options.servingSamples === undefined
      ? Math.min(samples - burnIn, most)
      : integer('servingSamples', options.servingSamples, 1, Math.min(samples - burnIn, most));
    this.options = { ...common, samples, burnIn, servingSamples, initStd: nonNegative('initStd', options.initStd ?? d.initStd), bags: bagsOption(options.bags ?? d.bags), ordinal: flag('ordinal', options.ordinal ?? d.ordinal), time: timeOption(options.time ?? d.time), threads: threadsOption(options.threads ?? d.threads) };
    // The fitted model's factors are the served samples side by side (see the top of this file).
    this.shape = {
      factors: common.factors * servingSamples, biased: true, epochs: samples, engine: common.engine,
      wasmVariant: common.wasmVariant, seed: common.seed, rng: common.rng, threading: bfmThreading(() => this.options),
    };
  }

  /**
   * Samples the posterior of the model on `train`; the fitted model serves the posterior mean.
   * With `userFeatures` / `itemFeatures` the attributes of the training users and items are
   * feature groups too (ids the training data does not have are ignored).
   * @param train - The training ratings (with `time: true`, with their times).
   * @param options - A rating fit's options (checkpoint is refused) and the attributes.
   * @returns The learning curve: per sweep, the running posterior mean's RMSE (and validation scores).
   * @throws {@link DataError} when `train` is not a Dataset or has no ratings, or option `time`
   * is true and `train` has no times.
   * @throws {@link OptionError} when a fit option is unknown or invalid (e.g. checkpoint: true).
   * @throws {@link DivergenceError} when the sampler leaves the range a model can hold.
   * @throws {@link LatentrecError} when a fit is already running on this model.
   */
  override fit(train: Dataset, options: BfmFitOptions = {}): FitResult<RatingEpochReport> {
    return super.fit(train, options);
  }

  /**
   * fit(), giving the event loop a turn between sweeps (see {@link Model.fitAsync}).
   * @param train - The training ratings.
   * @param options - As for fit.
   * @returns A promise of what fit returns; it rejects with the errors fit throws.
   */
  override fitAsync(train: Dataset, options: BfmFitOptions = {}): Promise<FitResult<RatingEpochReport>> {
    return super.fitAsync(train, options);
  }

  /** The sampler's arrays beside the ratings and the served factors. */
  protected override extraMemoryBytes(train: Dataset): number {
    const k = this.options.factors, stride = strideFor(k), n = train.size;
    const rows = train.userCount + train.itemCount;
    const validation = 12 * (this.session?.validation?.size ?? 0); // users, items, scores
    const blocks = this.session?.blocks;
    if (!blocks) {
      // Per side: start, cols and slots, W, V and the hyperparameters (f32); e and ŷ; the normals;
      // the packed rows (k + 1 runs of the longest row).
      const longest = Math.max(longestRow(groupStarts(train.userIndex, train.userCount)), longestRow(groupStarts(train.itemIndex, train.itemCount)));
      return 4 * (rows * (stride + 2) + 2 + 4 * n + 4 * k + 2 * n + rows * (k + 1) + (k + 1) * (Math.ceil(longest / 4) * 4 + 4)) + validation;
    }
    // Per block: rowOf and slots, the CSR and CSC entries, the row and feature arrays; then e, ŷ
    // and qsum, the normals, the row caches, the priors and the sample block.
    let bytes = 24 * n + validation + 4 * rows * (stride + 1);
    let groups = 0, features = 0, blockRows = 0;
    for (const b of blocks) {
      const entries = b.rowCols.length, R = b.rowCount, F = b.featureCount;
      bytes += 8 * n + 24 * entries + 4 * (2 * (R + 1) + F + 1 + F) + 8 * (F * (k + 1) + R * (k + 2));
      groups += b.groups.length;
      features = Math.max(features, F);
      blockRows = Math.max(blockRows, R);
    }
    // The served days and user bag: their stacked vectors and offsets.
    const days = this.session?.days?.length ?? 0, bagItems = this.options.bags.includes('user') ? train.itemCount : 0;
    return bytes + 8 * features + 64 * blockRows + 16 * groups * (k + 1) + (days + bagItems) * (4 * k * this.options.servingSamples + 16);
  }

  protected override beginFit<O extends FitOptions>(train: Dataset, options: O): FitSession<O> {
    const given = options as O & BfmFitOptions;
    const users = attributeRows('userFeatures', given.userFeatures), items = attributeRows('itemFeatures', given.itemFeatures);
    const bags = this.options.bags;
    if (this.options.time === true && !train.times) {
      throw new DataError(
        "fit: option time (--time, the rating's day) needs the ratings' times, and the training data has none: " +
          'load it with timestamps: true (the CLI does with --time) from a file with a time column, or give Dataset.fromTriples a fourth element',
      );
    }
    // Ids alone run on the row sampler; any other group on relation blocks.
    const day = this.options.time === true || (this.options.time === 'auto' && train.times) ? dayBlock(train) : undefined;
    const relational = bags.length > 0 || users !== undefined || items !== undefined || day !== undefined;
    const blocks: BlockLayout[] | undefined = relational
      ? [
        sideBlock(train, 'user', { bag: bags.includes('user'), attributes: users }),
        sideBlock(train, 'item', { bag: bags.includes('item'), attributes: items }),
        ...(day ? [day.layout] : []),
      ]
      : undefined;
    this.session = { validation: options.validation, blocks, days: day?.days };
    return { train, options, cleanup: () => (this.session = undefined) };
  }

  protected initialize(): void {
    // The sampler initializes its own parameters; the served factors are written as samples come.
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const s = this.session, o = this.options;
    const sampler = s?.blocks ? new BlockSampler(setup, o, s.blocks, s.validation, s.days) : new RowSampler(setup, o, s?.validation);
    if (this.session) this.session.sampler = sampler;
    return sampler;
  }

  /** The learning curve: the running posterior mean's RMSE on the training data and the validation set. */
  protected override scoring(fitted: Fitted, train: Dataset, options: FitOptions): FitScoring<RatingEpochReport> {
    const base = super.scoring(fitted, train, { ...options, validation: undefined });
    return {
      ...base,
      report: (epoch: number, loss: EpochLoss, seconds: number) => {
        const report: RatingEpochReport = { epoch, loss, trainRmse: loss.value, seconds };
        const scores = this.session?.sampler?.validationScores();
        if (scores) {
          report.validationRmse = scores.rmse;
          report.validationMae = scores.mae;
        }
        return report;
      },
    };
  }

  protected override divergenceHint(): string {
    return 'the sampler left the range a model can hold: check the ratings for extreme values, or lower factors';
  }
}

/** With threads 'auto', training sets this large draw their rows on every core: below it, starting workers costs more than they save. */
export const BFM_AUTO_THREADS_MIN_RATINGS = 50_000;

/** Threads for a fit: only the row sampler (ids alone) runs on several; never the js engine. */
function bfmThreading(options: () => ResolvedBfmOptions): Threading {
  return {
    support: wasmThreadSupport,
    threadsFor: (shape, train) => {
      const o = options();
      if (shape.engine === 'js' || o.bags.length > 0 || o.time === true || (o.time === 'auto' && train.times)) return 1;
      const wanted = o.threads === 'auto' ? (train.size >= BFM_AUTO_THREADS_MIN_RATINGS ? hardwareThreads() : 1) : o.threads;
      return Math.min(wanted, MAX_POOL_THREADS);
    },
  };
}

function timeOption(value: unknown): boolean | 'auto' {
  if (typeof value !== 'boolean' && value !== 'auto') throw new OptionError('time', "true, false or 'auto'", value);
  return value;
}

function flag(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new OptionError(option, 'true or false', value);
  return value;
}

function bagsOption(value: unknown): BfmBag[] {
  const wanted = `a list of ${BAGS.map((b) => `'${b}'`).join(', ')} (each at most once; [] for ids alone, on the command line none)`;
  if (!Array.isArray(value)) throw new OptionError('bags', wanted, value);
  const bags: BfmBag[] = [];
  for (const b of value) {
    if (!BAGS.includes(b as BfmBag) || bags.includes(b as BfmBag)) throw new OptionError('bags', wanted, value);
    bags.push(b as BfmBag);
  }
  return BAGS.filter((b) => bags.includes(b));
}
