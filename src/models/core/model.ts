// What every model kind is: fitted through the one fit loop (fit-loop.ts), served from its
// fitted state (ids, the items each user has seen, factors and biases in engine memory), saved as
// a ModelState. A kind supplies its options, its initialization and its per-epoch pass (a
// Trainer); its family (rating/rating-base.ts, ranking/ranking-base.ts) supplies how epochs are
// scored and predictions bounded. Loading a file of any kind is the registry's
// (FactorModel.load in models/registry.ts): this base knows no kind but its own.
import { Dataset, IdMap, type RatingScale, type RawId } from '../../data/dataset.js';
import { groupRows } from '../../data/group.js';
import { makeEngine, strideFor, type Engine, type EngineVariant, type F32, type FactorBlock, type RatingsBlock, type ThreadSupport, type U32, type WasmVariant } from '../../engine/index.js';
import { DataError, describeValue, LatentrecError, OptionError } from '../../errors.js';
import { MT19937 } from '../../util/mt19937.js';
import { Random, type RandomSource } from '../../util/random.js';
import { dataset, idList, optionsObject, rawId } from './arguments.js';
import { checkNotAborted, inEngine, runEpochs, runToEnd, runWithTurns, type FitRun, type FitScoring, type LoopControl, type ModelShape, type Stopping } from './fit-loop.js';
import { dayDeviation, dayRow, type DayTerms } from './days.js';
import type { UserBag } from './user-bag.js';
import { historyRows, scorePairOf, type ItemItem } from './item-item.js';
import { expectedRating, type OrdinalLink } from './link.js';
import { copyEngineParts, copyFactors, engineLike, fromModelState, seenIndex, seenOf, toModelState, type Fitted } from './fitted.js';
import { checkStateFor, encodeState } from './format.js';
import { checkOptionKeys, integer, oneOf } from './options.js';
import {
  bestOf, checkRecommendOptions, checkSimilarOptions, similarWithIdType, typedId, withIdType, type IdOf, type IdType, type SimilarOptions, installFoldIn, recommendFor, scoreFoldIn, scoreLength, scoreUser, scoreUsersInto, similarByWeights, similarRows, solveFoldIn,
  type FoldInOptions, type FoldInSolution, type FoldInSolver, type RecommendOptions, type Similar,
} from './serving.js';
import { withinParameterLimit, type ModelState, type ModelStateKind } from './state.js';
import type { CommonFitOptions, EpochLoss, EpochReport, FitResult, PartialFitOptions, Prediction, Recommendation, UserScorer } from './types.js';

export type { ModelShape };

/** How a saved model is brought back (FactorModel.load, fromState, restore). */
export interface LoadOptions {
  /**
   * The wasm build to serve on: 'relaxed', 'simd' or 'scalar' (default: the best this runtime
   * supports, as for fitting). Force 'simd' where the same file must answer bit for bit alike in
   * every runtime (relaxed SIMD may fuse multiply-adds); refused when the runtime cannot run it.
   * Ignored for models on the js engine. The loaded model keeps this build for fold-in and partialFit.
   */
  wasmVariant?: WasmVariant;
}

/** What a trainer gets: the engine, the training data in it, and initialized factors. */
export interface TrainingSetup {
  engine: Engine;
  train: Dataset;
  /** The training ratings copied into engine memory (in input order), on first use. */
  readonly ratings: RatingsBlock;
  factors: FactorBlock;
  /** μ inside the model (0 for models without a global mean). */
  mu: number;
  random: RandomSource;
  /**
   * partialFit: the users and items the model had before this data (rows at and above are new).
   * Absent in a fit.
   */
  partial?: { users: number; items: number };
}

/** One model's way of learning: the kernel pass per epoch and the factors it predicts with. */
export interface Trainer {
  /** One pass over the training data; its loss (see EpochLoss). */
  epoch(): EpochLoss;
  /** The block predictions use: `factors` itself, or (SVD++) P with the implicit part folded in. */
  predictionFactors(): FactorBlock;
  /**
   * When the fit ends on the trainer's own parameters (not a kept copy): the last step (the
   * Bayesian FM averages its samples). It may move μ (what unknown users and items fall back to).
   */
  finish?(): { mu: number; link?: OrdinalLink; days?: DayTerms; bag?: UserBag; itemItem?: ItemItem } | void;
  /** Whether the parameters the trainer changes are finite and within the limit (default: the factor block's). */
  bounded?(): boolean;
}

/** What a model does around the shared fit (see Model.beginFit). */
export interface FitSession<O> {
  train: Dataset;
  options: O;
  done?: () => void;
  cleanup?: () => void;
}

/** Fit options every kind takes (a family adds its own). */
const COMMON_FIT_KEYS = ['onEpoch', 'checkpoint', 'signal'] as const;

/** Users recommendAll scores at once, at most: 64 catalogues of 20,000 items are 5 MB... */
export const RECOMMEND_TILE_USERS = 64;
/** ... and never more than this many bytes of scores (wasm memory, once grown, stays). */
const RECOMMEND_TILE_BYTES = 16 << 20;

/**
 * What every model kind is and offers: fitting (fit, fitAsync, partialFit), prediction and
 * ranking (predict, predictMany, recommend, recommendAll, scoreAll), similar items and users,
 * fold-in of new users, and saving (save, toState, restore). The classes (SVD, BPR, EASE, ...)
 * extend it; {@link FactorModel} names them all and loads saved models.
 *
 * Every method and property but fit, fitAsync, restore, isFitted, options, settings and
 * factorCount needs a fitted model: before a fit, or while a fit runs, it throws a
 * {@link LatentrecError}.
 * Raw ids are strings or finite numbers (a number is looked up as its string).
 */
export abstract class Model<R extends EpochReport = EpochReport> {
  protected abstract readonly shape: ModelShape;
  /** The kind written into model files (its registry row). */
  protected abstract readonly stateKind: ModelStateKind;
  /** The resolved options (every default filled in), as saved with the model (JSON data). */
  abstract readonly options: object;
  private trained: Fitted | undefined;
  /**
   * The fit or partialFit running on this model (fitAsync spans many event-loop turns; onEpoch
   * runs inside a fit): a second one would overwrite the first's state halfway, so it is refused.
   */
  private running: 'fit' | 'partialFit' | undefined;

  /** Puts starting values into the freshly allocated factors (and biases). */
  protected abstract initialize(setup: TrainingSetup): void;
  /** Builds the per-epoch step once the factors are initialized. */
  protected abstract createTrainer(setup: TrainingSetup): Trainer;

  // --- What the family decides ---------------------------------------------------------------

  /** The fit option keys this model takes (the family's and the kind's, beyond onEpoch, checkpoint, signal). */
  protected abstract readonly fitOptionKeys: readonly string[];
  /** Whether predictions are clipped to the rating scale (rating models) or are raw scores (ranking models). */
  protected abstract readonly clipsToScale: boolean;
  /** How each epoch is reported and which figure the best epoch minimises. */
  protected abstract scoring(fitted: Fitted, train: Dataset, options: CommonFitOptions<R> & Record<string, unknown>, fit: 'fit' | 'partialFit'): FitScoring<R>;
  /** Early stopping, where the family has it (rating models, on the validation RMSE). */
  protected earlyStopping(_options: object): Stopping | undefined {
    return undefined;
  }
  /** Refuses values of partialFit data the model cannot take (a rating model: outside its scale). */
  protected checkPartialData(_data: Dataset, _m: Fitted): void {}

  // --- Fitting ---------------------------------------------------------------------------------

  /**
   * Trains from scratch on `train`. Returns the learning curve. `checkpoint` keeps a copy of the
   * best epoch so far, so an aborted or diverging fit leaves the model at that epoch; `signal` (an
   * AbortSignal, checked between epochs: abort it from onEpoch, or use fitAsync for timers and UI)
   * stops the fit after the current epoch and returns what was learned, with `aborted: true`.
   * Rating models also take a validation set, early stopping and the full train metric.
   * @param train - The training data (a Dataset: the `.dataset` of a parser, or Dataset.fromTriples).
   * @param options - Callbacks, checkpoint and abort signal (each kind may take more; see its fit).
   * @returns The learning curve (one report per epoch) and how the fit ran.
   * @throws {@link DataError} when `train` is not a Dataset or has no ratings, when the fit would
   * not fit in wasm32's 4 GiB, or when the kind cannot learn from the data (e.g. BPR with one item).
   * @throws {@link OptionError} when an option is unknown to the kind or of the wrong type
   * ({@link UnknownOptionError} names what it probably meant).
   * @throws {@link DivergenceError} when the loss becomes NaN or infinite (with `checkpoint`, the
   * model keeps the best epoch so far).
   * @throws {@link LatentrecError} when a fit or partialFit is already running on this model, or
   * the signal was aborted before the first epoch.
   */
  fit(train: Dataset, options: CommonFitOptions<R> = {}): FitResult<R> {
    return runToEnd(this.fitting(train, options));
  }

  /**
   * fit(), giving the event loop a turn between epochs: an AbortSignal.timeout, a Stop button or a
   * message to a worker can then abort the fit (the model keeps what was learned).
   *
   * ```ts
   * const result = await model.fitAsync(train, { signal: AbortSignal.timeout(60_000), checkpoint: true });
   * ```
   * @param train - The training data, as for fit.
   * @param options - As for fit.
   * @returns A promise of what fit returns; it rejects with the errors fit throws.
   */
  fitAsync(train: Dataset, options: CommonFitOptions<R> = {}): Promise<FitResult<R>> {
    return runWithTurns(this.fitting(train, options));
  }

  /** The fit, one epoch per step: fit() runs it straight through, fitAsync() yields between epochs. */
  private *fitting(given: Dataset, givenOptions: CommonFitOptions<R>): Generator<void, FitResult<R>> {
    this.assertIdle('fit');
    const train = dataset('fit', 'the training set', given);
    const options = this.checkFitOptions('fit', givenOptions);
    if (train.size === 0) throw new DataError('fit: the training set has no ratings');
    this.running = 'fit';
    try {
      const session = this.beginFit(train, options);
      try {
        const result = yield* this.fitFrom(session.train, session.options);
        session.done?.();
        return result;
      } finally {
        session.cleanup?.();
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Refuses to start what would change the model while a fit or partialFit runs on it. */
  protected assertIdle(where: string): void {
    if (this.running === undefined) return;
    throw new LatentrecError(
      `${where}: a ${this.running} is already running on this model; wait for it to finish ` +
        '(await fitAsync, or abort it with its signal) or use another model instance',
    );
  }

  /**
   * What a model does around the shared fit: the data and options it really trains on, a step
   * once the fit succeeded and one whatever happens (the hybrid plans its feature matrices here).
   */
  protected beginFit<O extends CommonFitOptions<R>>(train: Dataset, options: O): FitSession<O> {
    return { train, options };
  }

  /**
   * Bytes of engine memory this model needs beyond the ratings (12 per rating) and the factor
   * rows (P, Q and biases): SVD++'s implicit factors, ALS's transposed matrix, ... For the check
   * against wasm32's 4 GiB before anything is allocated.
   */
  protected extraMemoryBytes(_train: Dataset, _stride: number): number {
    return 0;
  }

  private *fitFrom(train: Dataset, options: CommonFitOptions<R> & Record<string, unknown>): Generator<void, FitResult<R>> {
    const stopping = this.earlyStopping(options);
    checkNotAborted('fit', options.signal);
    const start = performance.now();
    const { value, threads, notes } = yield* inEngine(
      { model: this.constructor.name, train, shape: this.shape, extraMemoryBytes: (stride) => this.extraMemoryBytes(train, stride) },
      (engine) => this.trainIn(engine, train, options, stopping),
    );
    return { ...value, fitSeconds: (performance.now() - start) / 1000, threads, notes };
  }

  private *trainIn(engine: Engine, train: Dataset, options: CommonFitOptions<R> & Record<string, unknown>, stopping: Stopping | undefined) {
    // The model is empty while the fit runs until its first epoch is in; a fit that fails before
    // then (refused by the kind's checks, diverging at once) gives the earlier model back.
    const previous = this.trained;
    try {
      return yield* this.trainFresh(engine, train, options, stopping);
    } catch (err) {
      this.trained ??= previous;
      throw err;
    }
  }

  private *trainFresh(engine: Engine, train: Dataset, options: CommonFitOptions<R> & Record<string, unknown>, stopping: Stopping | undefined) {
    const shape = this.shape;
    const stride = strideFor(shape.factors);
    const factors: FactorBlock = {
      P: engine.allocF32(train.userCount * stride),
      Q: engine.allocF32(train.itemCount * stride),
      bu: engine.allocF32(train.userCount),
      bi: engine.allocF32(train.itemCount),
      stride,
    };
    const trainMean = train.globalMean();
    const mu = shape.biased ? trainMean : 0;
    // Built first: a trainer may reorder rows loaded in place (see setup.ratings).
    const { start: seenStart, values: seenItems } = seenIndex(train);
    // The ratings are copied into the engine when a trainer first asks (SGD does; ALS, iALS and
    // EASE build their own rows and never do) — unless they were loaded into its memory.
    let ratings: RatingsBlock | undefined;
    const setup: TrainingSetup = {
      engine, train, factors, mu, random: randomOf(shape, shape.seed),
      get ratings() {
        return (ratings ??= engine.rowsInMemory?.(train.userIndex, train.itemIndex, train.ratings) ?? copyRatings(engine, train.userIndex, train.itemIndex, train.ratings));
      },
    };
    this.trained = undefined;
    this.initialize(setup);
    const trainer = this.createTrainer(setup);
    const fitted: Fitted = {
      engine, factors, users: IdMap.from(train.users.raw), items: IdMap.from(train.items.raw), mu, trainMean, scale: properScale(train.scale),
      seenStart, seenItems, extraSeen: new Map(),
    };
    fitted.factors = trainer.predictionFactors();
    const run = this.runOf(fitted, factors, trainer, shape.epochs, (result) => {
      // The training ratings and scoring buffers are not needed any more: keep the factors alone
      // in a fresh engine, so a fitted model holds (users + items) x k floats, not the data.
      this.trained = { ...fitted, ...result };
    });
    return yield* runEpochs(run, this.scoring(fitted, train, options, 'fit'), this.loopControl(options, stopping));
  }

  /** The loop's view of a fit: `install` receives the final factors in a fresh, compact engine. */
  private runOf(fitted: Fitted, factors: FactorBlock, trainer: Trainer, epochs: number, install: (result: { engine: Engine; factors: FactorBlock; itemItem?: ItemItem }) => void): FitRun {
    return {
      epochs,
      epoch: () => trainer.epoch(),
      refresh: () => {
        fitted.factors = trainer.predictionFactors();
      },
      bounded: () => trainer.bounded?.() ?? withinParameterLimit([factors.P, factors.Q, factors.bu, factors.bi]),
      keep: () => copyFactors(fitted.factors, makeEngine('js')).factors,
      finish: (kept) => {
        if (!kept) {
          const done = trainer.finish?.();
          if (done) {
            fitted.mu = done.mu;
            if (done.link) fitted.link = done.link;
            if (done.days) fitted.days = done.days;
            if (done.bag) fitted.bag = done.bag;
            if (done.itemItem) fitted.itemItem = done.itemItem;
          }
          fitted.factors = trainer.predictionFactors();
        }
        install(copyEngineParts(kept ?? fitted.factors, fitted.itemItem, engineLike(fitted.engine)));
      },
    };
  }

  private loopControl(options: CommonFitOptions<R>, stopping: Stopping | undefined): LoopControl<R> {
    return {
      onEpoch: options.onEpoch,
      checkpoint: options.checkpoint === true,
      signal: options.signal,
      stopping,
      divergenceHint: this.divergenceHint(),
      supportsCheckpoint: this.supportsCheckpoint,
    };
  }

  /** Whether fit's checkpoint option applies (not to the hybrid, whose parameters are feature embeddings). */
  protected readonly supportsCheckpoint: boolean = true;

  /** What to change when a fit diverges (the learning rate, for SGD models). */
  protected divergenceHint(): string {
    return 'lower the learning rate (lrAll / --lr) or raise the regularization';
  }

  /**
   * Continues training on `data` alone, from the current parameters (warm start; LightFM's
   * fit_partial): users and items the model has not seen are added with the usual random init,
   * μ stays, and `epochs` passes (default the model's) run over these ratings only, through the
   * same loop as fit (checkpoint, signal, divergence). A failing partialFit leaves the model as
   * it was. Supported by SVD, MF, BPR, ALS, IALS and the Hybrid; other kinds throw, saying why (see
   * {@link KindCapabilities.partialFit}).
   * @param given - The new ratings (rating models: within the model's rating scale).
   * @param givenOptions - `epochs`, and what every fit takes (rating models: also `validation`).
   * @returns The learning curve of these epochs.
   * @throws {@link LatentrecError} when the kind does not support partialFit, the model is not
   * fitted, or a fit is running on it.
   * @throws {@link DataError} when the data is not a Dataset, has no ratings, or has a rating
   * outside the model's rating scale.
   * @throws {@link OptionError} when an option is unknown or out of range.
   * @throws {@link DivergenceError} when the loss becomes NaN or infinite.
   */
  partialFit(given: Dataset, givenOptions: PartialFitOptions<R> = {}): FitResult<R> {
    if (!this.supportsPartialFit) throw new LatentrecError(`${this.constructor.name} does not support partialFit: ${this.partialFitRefusal} (SVD, MF, BPR, ALS, IALS and the Hybrid continue training)`);
    this.assertIdle('partialFit');
    const m = this.model();
    const data = dataset('partialFit', 'the data', given);
    if (data.size === 0) throw new DataError('partialFit: the data has no ratings');
    const options = this.checkFitOptions('partialFit', givenOptions, ['epochs']);
    const epochs = integer('epochs', (options.epochs as number | undefined) ?? this.shape.epochs, 1, 1_000_000);
    this.checkPartialData(data, m);
    checkNotAborted('partialFit', options.signal);
    this.running = 'partialFit';
    try {
      const start = performance.now();
      const { value, threads, notes } = runToEnd(this.partialFitting(m, data, options, epochs));
      return { ...value, fitSeconds: (performance.now() - start) / 1000, threads, notes };
    } finally {
      this.running = undefined;
    }
  }

  /** partialFit on checked arguments: every change goes to copies, installed only when the fit ends. */
  private *partialFitting(m: Fitted, data: Dataset, options: CommonFitOptions<R> & Record<string, unknown>, epochs: number) {
    const users = IdMap.from(m.users.raw), items = IdMap.from(m.items.raw);
    const oldUsers = users.size, oldItems = items.size;
    const userIndex = Uint32Array.from(data.userIndex, (u) => users.intern(data.users.raw[u]));
    const itemIndex = Uint32Array.from(data.itemIndex, (i) => items.intern(data.items.raw[i]));
    const mapped = new Dataset(users, items, userIndex, itemIndex, data.ratings, m.scale);
    const request = {
      model: this.constructor.name, train: mapped, shape: this.shape,
      extraMemoryBytes: (stride: number) => this.extraMemoryBytes(mapped, stride),
      engine: () => engineLike(m.engine),
    };
    return yield* inEngine(request, (engine) => {
      const { factors } = copyFactors(m.factors, engine, users.size, items.size);
      const random = randomOf(this.shape, this.shape.seed + 1);
      this.initializeRows(factors, oldUsers, users.size, oldItems, items.size, random);
      const ratings = copyRatings(engine, userIndex, itemIndex, data.ratings);
      const trainer = this.createTrainer({ engine, train: mapped, ratings, factors, mu: m.mu, random, partial: { users: oldUsers, items: oldItems } });
      // What users have rated now includes these ratings (recommend() leaves them out).
      const extraSeen = new Map(m.extraSeen);
      const grouped = groupRows(userIndex, users.size);
      for (let u = 0; u < users.size; u++) {
        if (grouped.start[u] === grouped.start[u + 1]) continue;
        const before = u < oldUsers ? seenOf(m, u) : new Uint32Array(0);
        const added = Array.from(grouped.rows.subarray(grouped.start[u], grouped.start[u + 1]), (t) => itemIndex[t]);
        extraSeen.set(u, Uint32Array.from(new Set([...before, ...added])));
      }
      const next: Fitted = { ...m, engine, factors, users, items, extraSeen, norms: undefined };
      const run = this.runOf(next, factors, trainer, epochs, (result) => {
        this.trained = { ...next, ...result };
      });
      return runEpochs(run, this.scoring(next, mapped, options, 'partialFit'), this.loopControl(options, undefined));
    });
  }

  /** Starting values for the rows partialFit adds (users and items the model had not seen). */
  protected initializeRows(_factors: FactorBlock, _fromUser: number, _toUser: number, _fromItem: number, _toItem: number, _random: RandomSource): void {}

  /** Whether partialFit applies (models whose trainer is plain SGD over ratings). */
  protected readonly supportsPartialFit: boolean = false;

  /** Why partialFit has no meaning for this kind, for its refusal. */
  protected readonly partialFitRefusal: string = 'its fit has no warm start; fit it again on all the data';

  /**
   * Fit options checked before any work: null means the defaults, as for JavaScript callers of the
   * parsers; a key this model does not take, or a value of the wrong kind, is an OptionError naming
   * it rather than a TypeError later (or an option silently ignored).
   */
  private checkFitOptions(where: 'fit' | 'partialFit', given: object | null | undefined, extra: readonly string[] = []): CommonFitOptions<R> & Record<string, unknown> {
    const o: Record<string, unknown> = { ...optionsObject<object>(`${where} options`, given) };
    for (const key of Object.keys(o)) if (o[key] === null) delete o[key];
    const known = where === 'partialFit' ? [...COMMON_FIT_KEYS, ...extra, ...this.fitOptionKeys.filter((k) => k === 'validation')] : [...COMMON_FIT_KEYS, ...this.fitOptionKeys];
    checkOptionKeys(`${this.constructor.name}.${where}`, o, known);
    if (o.validation !== undefined) o.validation = dataset(where, 'the validation set', o.validation);
    if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') throw new OptionError('onEpoch', 'a function (report) => void', o.onEpoch);
    if (o.trainMetric !== undefined) oneOf('trainMetric', o.trainMetric as 'pass', ['pass', 'full']);
    if (o.checkpoint !== undefined && typeof o.checkpoint !== 'boolean') throw new OptionError('checkpoint', 'true or false', o.checkpoint);
    if (o.checkpoint === true && !this.supportsCheckpoint) {
      throw new OptionError('checkpoint', `off for ${this.constructor.name} (its parameters are feature embeddings, which a checkpoint of user and item vectors does not keep); an aborted fit keeps its last epoch`, true);
    }
    if (o.earlyStopping !== undefined && typeof o.earlyStopping !== 'boolean' && (typeof o.earlyStopping !== 'object' || Array.isArray(o.earlyStopping))) {
      throw new OptionError('earlyStopping', 'true, false or an object { patience, minDelta, restoreBest }', o.earlyStopping);
    }
    if (o.signal !== undefined && typeof (o.signal as { aborted?: unknown } | null)?.aborted !== 'boolean') throw new OptionError('signal', 'an AbortSignal', o.signal);
    return o as CommonFitOptions<R> & Record<string, unknown>;
  }

  /** Whether the model has been fitted (or restored from a saved state) and can serve. */
  get isFitted(): boolean {
    return this.trained !== undefined;
  }

  // --- Predicting and ranking ------------------------------------------------------------------

  /**
   * The estimate for one (user, item) pair by raw ids. Unknown ids never give NaN. `time` (seconds
   * since 1970, as the training data's times) matters only to a Bayesian FM with the day group:
   * a rating on a training day gets that day's deviation; other models ignore it.
   * @param user - The user's raw id.
   * @param item - The item's raw id.
   * @param time - Optional: the rating's time in seconds since 1970.
   * @returns The estimate (rating models: clipped to the rating scale), with whether each id was
   * known and, when not, the fallback used.
   * @throws {@link DataError} when `user` or `item` is not an id.
   * @throws {@link OptionError} when `time` is given but not a finite number.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  predict(user: RawId, item: RawId, time?: number): Prediction {
    rawId('predict', 'user', user);
    rawId('predict', 'item', item);
    if (time !== undefined && !(typeof time === 'number' && Number.isFinite(time))) throw new OptionError('time', 'a finite number of seconds since 1970', time);
    const m = this.model();
    const u = m.users.get(user);
    const i = m.items.get(item);
    // Fallbacks rounded to float32 like every kernel result, so predict and predictMany agree exactly.
    const estimate = u >= 0 && i >= 0 ? this.scorePair(m, u, i, time) : Math.fround(this.served(m, this.fallback(m, u, i)));
    const prediction: Prediction = {
      user: String(user),
      item: String(item),
      estimate,
      userKnown: u >= 0,
      itemKnown: i >= 0,
      impossible: u < 0 || i < 0,
    };
    if (prediction.impossible) prediction.reason = this.impossibleReason(u < 0 ? String(user) : undefined, i < 0 ? String(item) : undefined);
    return prediction;
  }

  /** The error for a user the model does not know, saying how to add one. */
  protected unknownUser(where: string, user: RawId): DataError {
    return new DataError(`${where}: unknown user ${JSON.stringify(String(user))}; fold the user in first (model.foldIn(ratings))`);
  }

  /** Why a prediction was impossible (an unknown user and/or item), and what it fell back to. */
  protected impossibleReason(user: string | undefined, item: string | undefined): string {
    const unknown = [user !== undefined ? `user ${JSON.stringify(user)}` : '', item !== undefined ? `item ${JSON.stringify(item)}` : '']
      .filter(Boolean).join(' and ');
    const fallback = this.shape.biased ? 'the known baseline parts (μ and the known biases)' : 'the global mean';
    return `${unknown} ${user !== undefined && item !== undefined ? 'are' : 'is'} unknown to the model; the estimate is ${fallback}`;
  }

  /**
   * Estimates for many (user, item) pairs, in order, scored in one kernel call (rating models:
   * clipped to the rating scale): a Dataset (its ratings ignored; its times, when it has them, as
   * predict's `time`) or an array of [user, item] or [user, item, time] raw-id pairs. Unknown ids
   * get the same fallbacks as `predict`.
   * @param pairs - The pairs to score.
   * @returns One estimate per pair, in order.
   * @throws {@link DataError} when `pairs` is neither a Dataset nor an array of pairs, or a pair
   * is malformed.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  predictMany(pairs: Dataset | ReadonlyArray<readonly [RawId, RawId] | readonly [RawId, RawId, number]>): Float32Array {
    const m = this.model();
    if (typeof pairs !== 'object' || pairs === null) throw new DataError(`predictMany: pairs must be a Dataset or an array of [user, item] pairs, got ${describeValue(pairs)}`);
    const data = Array.isArray(pairs) ? Dataset.fromTriples(Array.from(pairs, pairOfIds), m.scale) : dataset('predictMany', 'pairs', pairs);
    const mark = m.engine.mark();
    try {
      return this.prepareScoring(m, data).predict().slice();
    } finally {
      m.engine.release(mark);
    }
  }

  /**
   * The n items with the highest scores for a known user, best first, without sorting the
   * catalogue: by default leaving out what the user rated; `exclude` and `candidates` (raw item
   * ids) narrow it further. Scores are unclipped estimates. Exactly n when that many candidates
   * exist.
   * @param user - A known user's raw id (trained, folded in or added).
   * @param options - How many items and which may be returned.
   * @returns The items, best first, as `{ id, score }`.
   * @throws {@link DataError} when the user is unknown to the model (fold them in first).
   * @throws {@link OptionError} when an option is unknown or invalid (e.g. `n` not an integer >= 0).
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  recommend<T extends IdType = 'string'>(user: RawId, options: RecommendOptions<T> = {}): Recommendation<IdOf<T>>[] {
    rawId('recommend', 'user', user);
    const checked = checkRecommendOptions('recommend', options);
    const m = this.model();
    const u = m.users.get(user);
    if (u < 0) throw this.unknownUser('recommend', user);
    return withIdType('recommend', recommendFor(m, u, this.shape.biased, checked), checked.idType as T);
  }

  /**
   * The unclipped estimate of every item for a known user, in item-id order (itemIds): the raw
   * material of ranking metrics. One kernel call.
   * @param user - A known user's raw id.
   * @returns One score per item, aligned with {@link Model.itemIds | itemIds}.
   * @throws {@link DataError} when the user is unknown to the model.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  scoreAll(user: RawId): Float32Array {
    rawId('scoreAll', 'user', user);
    const m = this.model();
    const u = m.users.get(user);
    if (u < 0) throw this.unknownUser('scoreAll', user);
    return servedScores(m, (out) => scoreUser(m, u, this.shape.biased, out));
  }

  /**
   * Scores of many known users at once, for evaluation over the whole catalogue: the model's
   * factors copied into an engine of `threads` worker threads (`support` starts them, e.g.
   * wasmThreadSupport), which scores tiles of users on every thread. Row t of what `score`
   * returns (itemIds.length floats) holds scoreAll(users[t])'s bits, in the scorer's memory until
   * its next call (copy what must outlive it). Undefined for a model that
   * scores from item–item weights (EASE). dispose() frees the engine; the model is not touched.
   * @param threads - Threads for the scorer's engine (the caller's included); default 1.
   * @param support - What starts the worker threads (needed for more than one).
   * @returns The scorer, or undefined for an item–item model.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  userScorer(threads = 1, support?: ThreadSupport): UserScorer | undefined {
    const m = this.model();
    if (m.itemItem) return undefined;
    const engine = makeEngine(m.engine.name, m.engine.variant === 'js' ? undefined : m.engine.variant, { threads, threadSupport: support });
    const { factors } = copyFactors(m.factors, engine);
    const itemCount = m.items.size, biased = this.shape.biased, userCount = m.users.size;
    // Kept from call to call (scratch handed out again would be zeroed first: 20 MB a tile).
    let capacity = 0, ids: U32 | undefined, bases: F32 | undefined, out: F32 | undefined;
    return {
      threads: engine.threads,
      score: (users) => {
        const n = users.length;
        if (!ids || !bases || !out || n > capacity) {
          capacity = Math.max(n, 1);
          ids = engine.allocU32(capacity);
          bases = engine.allocF32(capacity);
          out = engine.allocF32(capacity * itemCount);
        }
        const us = users.map((user) => {
          rawId('userScorer', 'each of users', user);
          const u = m.users.get(user);
          if (u < 0) throw this.unknownUser('userScorer', user);
          if (u >= userCount) {
            throw new LatentrecError(`userScorer: user ${describeValue(user)} was added (foldIn) after this scorer copied the factors; make a new scorer`);
          }
          return u;
        });
        scoreUsersInto(engine, factors, m.mu, biased, us, ids, bases, itemCount, out);
        const rows = out.array().subarray(0, n * itemCount);
        if (m.link) for (let x = 0; x < rows.length; x++) rows[x] = expectedRating(m.link, rows[x]);
        return rows;
      },
      dispose: () => engine.dispose(),
    };
  }

  /**
   * Whether the model knows this user (trained, folded in or added).
   * @param user - The user's raw id.
   * @returns True when recommend and scoreAll accept the user.
   * @throws {@link DataError} when `user` is not an id.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  hasUser(user: RawId): boolean {
    rawId('hasUser', 'user', user);
    return this.model().users.has(user);
  }

  /**
   * recommend() for many users (default: every known user), the same lists: scored in tiles of
   * RECOMMEND_TILE_USERS users (each block of items read once for the tile, not once per user),
   * so memory stays at that many catalogues of scores, never users x items. An unknown user
   * throws at its turn, after the users before it.
   * @param options - recommend's options, and `users`: the raw ids to serve (an array or a Set).
   * @returns A generator of `{ user, items }`, one per user in order.
   * @throws {@link OptionError} when an option is unknown or invalid (checked at the call, not at
   * the first `next()`).
   * @throws {@link DataError} when the generator reaches a user the model does not know.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  recommendAll<T extends IdType = 'string'>(options: RecommendOptions<T> & { users?: Iterable<RawId> } = {}): Generator<{
    /** The user's raw id: a string, or a number with `idType: 'number'`. */
    user: IdOf<T>;
    /** The user's recommendations, best first (as recommend returns them). */
    items: Recommendation<IdOf<T>>[];
  }> {
    // Checked now, not at the first next(): a generator body would defer the errors.
    const checked = checkRecommendOptions('recommendAll', options, ['users']);
    const m = this.model();
    const users = idList('users', options?.users) ?? [...m.users.raw];
    const entries = this.recommendEach(m, users, checked);
    return checked.idType === 'string' ? (entries as Generator<{ user: IdOf<T>; items: Recommendation<IdOf<T>>[] }>) : typedEntries(entries, checked.idType as T);
  }

  private *recommendEach(m: Fitted, users: Iterable<RawId>, options: ReturnType<typeof checkRecommendOptions>): Generator<{ user: string; items: Recommendation[] }> {
    const known = (user: RawId): number => {
      rawId('recommendAll', 'each of users', user);
      const u = m.users.get(user);
      if (u < 0) throw this.unknownUser('recommendAll', user);
      return u;
    };
    if (m.itemItem) {
      // EASE scores from each user's items: one user at a time.
      for (const user of users) yield { user: String(user), items: recommendFor(m, known(user), this.shape.biased, options) };
      return;
    }
    const itemCount = m.items.size, biased = this.shape.biased;
    const tileUsers = Math.max(1, Math.min(RECOMMEND_TILE_USERS, Math.floor(RECOMMEND_TILE_BYTES / (4 * Math.max(1, itemCount)))));
    const iterator = users[Symbol.iterator]();
    for (;;) {
      const tile: { user: RawId; u: number }[] = [];
      let failure: unknown;
      while (tile.length < tileUsers) {
        const next = iterator.next();
        if (next.done) break;
        try {
          tile.push({ user: next.value, u: known(next.value) });
        } catch (error) {
          failure = error;
          break;
        }
      }
      // Scored into scratch, copied out before the first yield: the caller may use the model between yields.
      const mark = m.engine.mark();
      let rows: Float32Array;
      try {
        const ids = m.engine.allocU32(Math.max(1, tile.length)), bases = m.engine.allocF32(Math.max(1, tile.length));
        const out = m.engine.allocF32(Math.max(1, tile.length * itemCount));
        scoreUsersInto(m.engine, m.factors, m.mu, biased, tile.map((x) => x.u), ids, bases, itemCount, out);
        rows = out.array().slice(0, tile.length * itemCount);
      } finally {
        m.engine.release(mark);
      }
      for (let t = 0; t < tile.length; t++) {
        const { user, u } = tile[t];
        yield { user: String(user), items: bestOf(m, rows.subarray(t * itemCount, (t + 1) * itemCount), seenOf(m, u), options) };
      }
      if (failure !== undefined) throw failure;
      if (tile.length < tileUsers) return;
    }
  }

  /**
   * The n items whose factor vectors are closest by cosine to the item's (itself excluded; every
   * other item when fewer than n); EASE's, by partial correlation from its item–item weights (in
   * [−1, 1], the same from either side). A model without either (Baseline, Popular) refuses.
   * @param item - A known item's raw id.
   * @param options - `n`: how many items, an integer >= 0 (default 10).
   * @returns The items, most similar first, as `{ id, score }`.
   * @throws {@link DataError} when the item is unknown to the model.
   * @throws {@link OptionError} when `n` is not an integer >= 0, or another option is given.
   * @throws {@link LatentrecError} when the model has no factor vectors (Baseline, Popular), or
   * is not fitted.
   */
  similarItems<T extends IdType = 'string'>(item: RawId, options: SimilarOptions<T> = {}): Similar<IdOf<T>>[] {
    rawId('similarItems', 'item', item);
    const { n, idType } = checkSimilarOptions('similarItems', options);
    const m = this.model();
    if (!m.itemItem) this.assertFactors('similarItems');
    const i = m.items.get(item);
    if (i < 0) throw new DataError(`similarItems: unknown item ${JSON.stringify(String(item))}`);
    // An item–item model (EASE) has no factor vectors: its weights give partial correlations.
    return similarWithIdType('similarItems', m.itemItem ? similarByWeights(m, m.itemItem, i, n) : similarRows(m, 'Q', i, n), idType as T);
  }

  /**
   * The n users whose factor vectors are closest by cosine to the user's (itself excluded; every
   * other user when fewer than n).
   * @param user - A known user's raw id.
   * @param options - `n`: how many users, an integer >= 0 (default 10).
   * @returns The users, most similar first, as `{ id, score }`.
   * @throws {@link DataError} when the user is unknown to the model.
   * @throws {@link OptionError} when `n` is not an integer >= 0, or another option is given.
   * @throws {@link LatentrecError} when the model has no user vectors (Baseline, Popular, EASE),
   * or is not fitted.
   */
  similarUsers<T extends IdType = 'string'>(user: RawId, options: SimilarOptions<T> = {}): Similar<IdOf<T>>[] {
    rawId('similarUsers', 'user', user);
    const { n, idType } = checkSimilarOptions('similarUsers', options);
    const m = this.model();
    if (m.itemItem) throw new LatentrecError(`similarUsers: ${this.constructor.name} has no user vectors to compare (it scores by item–item weights; similarItems works)`);
    this.assertFactors('similarUsers');
    const u = m.users.get(user);
    if (u < 0) throw new DataError(`similarUsers: unknown user ${JSON.stringify(String(user))}`);
    return similarWithIdType('similarUsers', similarRows(m, 'P', u, n), idType as T);
  }

  /** Similarity is between factor vectors: a model without them (Baseline, Popular) has none to compare. */
  private assertFactors(where: string): void {
    if (this.shape.factors === 0) {
      throw new LatentrecError(`${where}: ${this.constructor.name} has no factor vectors to compare (it scores by biases or counts); use a factor model (SVD, BPR, ALS, ...)`);
    }
  }

  /**
   * Adds a user the model has never seen from a handful of (item, rating) pairs, so
   * predict/recommend work for them at once: by a ridge solve against the fixed item factors
   * (ALS: its exact weighted least squares; EASE: the items alone are the user). Returns the
   * user's raw id. Items the model does not know are ignored. Ratings must lie within the model's
   * rating scale (ranking models: finite values within ±1e6, FOLD_IN_VALUE_LIMIT); fold-ins
   * whose solved factors would not be finite and within ±1e15 are refused, so the model stays
   * saveable. A refused fold-in leaves the model as it was. To score a visitor without adding
   * them, use scoreHistory / recommendFromHistory.
   * @param ratings - The new user's (item raw id, rating) pairs.
   * @param options - The new user's id and the ridge penalty.
   * @returns The user's raw id (options.user, or a fresh "folded-in-N").
   * @throws {@link DataError} when the ratings are malformed, a value is out of range, none of the
   * items is known, or the solved factors would leave the parameter bound.
   * @throws {@link OptionError} when an option is unknown or `regularization` is not a finite number >= 0.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  foldIn(ratings: ReadonlyArray<readonly [RawId, number]>, options: FoldInOptions = {}): string {
    this.assertIdle('foldIn');
    const o = optionsObject<FoldInOptions>('foldIn options', options);
    checkOptionKeys('foldIn', o, ['user', 'regularization']);
    const m = this.model();
    const user = o.user != null ? String(rawId('foldIn', 'options.user', o.user)) : nextFoldInId(m);
    const sol = this.solveVisitor(m, 'foldIn', ratings, o.regularization, user);
    this.trained = installFoldIn(m, user, sol, this.shape.factors).fitted;
    return user;
  }

  /**
   * Every item's unclipped score (in itemIds order, as scoreAll) for a visitor with these
   * (item, value) interactions, solved as foldIn solves a new user but not added to the model:
   * the model does not grow, however many visitors it scores. The scores are the bits scoreAll
   * gives for the same user after foldIn. Options: `regularization` (foldIn's).
   * @param history - The visitor's (item raw id, value) pairs.
   * @param options - `regularization`, as for foldIn.
   * @returns One score per item, aligned with {@link Model.itemIds | itemIds}.
   * @throws {@link DataError} and {@link OptionError} as foldIn.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  scoreHistory(history: ReadonlyArray<readonly [RawId, number]>, options: Pick<FoldInOptions, 'regularization'> = {}): Float32Array {
    const o = optionsObject<FoldInOptions>('scoreHistory options', options);
    checkOptionKeys('scoreHistory', o, ['regularization']);
    const m = this.model();
    const sol = this.solveVisitor(m, 'scoreHistory', history, o.regularization, 'the visitor');
    return servedScores(m, (out) => scoreFoldIn(m, sol, this.shape.factors, this.shape.biased, out));
  }

  /**
   * recommend() for a visitor given by their (item, value) interactions, without adding them to
   * the model (see scoreHistory): by default leaving out the history's items.
   * @param history - The visitor's (item raw id, value) pairs.
   * @param options - recommend's options, and `regularization` as for foldIn.
   * @returns The items, best first, as `{ id, score }`.
   * @throws {@link DataError} and {@link OptionError} as foldIn and recommend.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  recommendFromHistory<T extends IdType = 'string'>(history: ReadonlyArray<readonly [RawId, number]>, options: RecommendOptions<T> & Pick<FoldInOptions, 'regularization'> = {}): Recommendation<IdOf<T>>[] {
    const { regularization, ...rest } = optionsObject<RecommendOptions<T> & Pick<FoldInOptions, 'regularization'>>('recommendFromHistory options', options);
    const checked = checkRecommendOptions('recommendFromHistory', rest);
    const m = this.model();
    const sol = this.solveVisitor(m, 'recommendFromHistory', history, regularization, 'the visitor');
    const mark = m.engine.mark();
    try {
      const out = m.engine.allocF32(scoreLength(m));
      scoreFoldIn(m, sol, this.shape.factors, this.shape.biased, out);
      return withIdType('recommendFromHistory', bestOf(m, out.array(), sol.known.map((e) => e.i), checked), checked.idType as T);
    } finally {
      m.engine.release(mark);
    }
  }

  private solveVisitor(m: Fitted, where: string, ratings: unknown, regularization: number | undefined, user: string): FoldInSolution {
    return solveFoldIn(m, ratings, this.shape.factors, this.shape.biased, regularization ?? this.foldInRegularization(), user,
      this.clipsToScale ? m.scale : undefined, where, this.foldInSolver());
  }

  /** A kind's exact solve of a new user's row (ALS), or undefined for the ridge. */
  protected foldInSolver(): FoldInSolver | undefined {
    return undefined;
  }

  /**
   * The per-rating ridge penalty fold-in uses by default: 0.1, chosen on MovieLens 100k folds u2
   * and u3 (recall@10 of folded-in users against the same users trained in; u1 is the reported
   * check, see test/parity-ml100k.test.ts).
   */
  protected foldInRegularization(): number {
    return 0.1;
  }

  // --- State -----------------------------------------------------------------------------------

  /**
   * Everything the model is, as plain data: what save() encodes and
   * {@link FactorModel.fromState} rebuilds a model from.
   * @returns A copy of the fitted state (later changes to the model do not touch it).
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  toState(): ModelState {
    const options: Record<string, unknown> = { ...this.options };
    // Files say 'wasm' for the default 'auto', as every file before it did: earlier releases read
    // them, and loading serves on 'auto' either way (restore).
    if (options.engine === 'auto') options.engine = 'wasm';
    return toModelState(this.model(), this.stateKind, options, this.shape.factors, this.shape.biased);
  }

  /**
   * The model as a versioned binary file; load it with {@link FactorModel.load} (Node: saveFile
   * and loadFile write and read files).
   * @returns The file's bytes.
   * @throws {@link ModelFileError} when the state cannot be encoded (a value the format refuses).
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  save(): Uint8Array {
    return encodeState(this.toState(), [this.stateKind]);
  }

  /**
   * Installs a saved state into this (unfitted) model, on the wasm build `options.wasmVariant`
   * (default: the best this runtime supports; a wasmVariant in the state's options was a fitting
   * setting and is not applied). The state gets the checks of saving and loading (sizes, finite
   * values within ±1e15, the seen lists): one that could not be saved is refused with
   * ModelFileError naming the field, and so is a state of another kind, k or bias.
   * @param state - A state from toState (of this kind, k and bias).
   * @param options - The wasm build to serve on.
   * @returns This model, now fitted.
   * @throws {@link DataError} when the state is of another kind, another k or another bias
   * setting than this model.
   * @throws {@link ModelFileError} when the state fails the checks of a model file.
   * @throws {@link OptionError} when an option is unknown or invalid.
   * @throws {@link LatentrecError} when a fit is running on this model.
   */
  restore(state: ModelState, options: LoadOptions = {}): this {
    const name = this.constructor.name;
    if (typeof state === 'object' && state !== null && typeof state.kind === 'string' && state.kind !== this.stateKind) {
      throw new DataError(`restore: the state is of kind ${JSON.stringify(state.kind)}, this ${name} of kind ${JSON.stringify(this.stateKind)} (FactorModel.fromState picks the kind)`);
    }
    this.assertIdle('restore');
    checkStateFor(`${name}.restore`, state, [this.stateKind]);
    const o = optionsObject<LoadOptions>('restore options', options);
    checkOptionKeys('restore options', o, ['wasmVariant']);
    if (state.factors !== this.shape.factors) {
      throw new DataError(`restore: the state has k=${state.factors}, this ${name} k=${this.shape.factors}`);
    }
    if (state.biased !== this.shape.biased) {
      throw new DataError(`restore: the state has biased=${state.biased}, but a ${name} is ${this.shape.biased ? '' : 'not '}biased`);
    }
    // The saved engine was a fitting choice: a model trained on wasm serves on js where a page's
    // policy refuses WebAssembly (restore's wasmVariant still insists on a build).
    this.trained = fromModelState(state, this.shape.engine === 'js' ? 'js' : 'auto', o.wasmVariant);
    return this;
  }

  /**
   * The build this fitted model computes on: 'relaxed', 'simd' or 'scalar' (wasm), or 'js'.
   * Fold-in, partialFit and scoring stay on it; load with `{ wasmVariant }` to pick another.
   */
  get engineVariant(): EngineVariant {
    return this.model().engine.variant;
  }

  /**
   * Number of latent factors of the fitted model: k (0 for Baseline, Popular and EASE; the
   * Bayesian FM: k × servingSamples, its served samples side by side). Known before fitting.
   */
  get factorCount(): number {
    return this.shape.factors;
  }

  /** The settings every model kind shares (k, epochs, engine, seed, ...). */
  get settings(): Readonly<Omit<ModelShape, 'threading'>> {
    const { threading: _threading, ...settings } = this.shape;
    return settings;
  }

  /** Mean of the training ratings (μ of SVD; plain MF uses it only for impossible predictions). */
  get globalMean(): number {
    return this.model().trainMean;
  }

  /**
   * A copy of the user's factor vector (length {@link Model.factorCount | factorCount}), or
   * undefined for an unknown user.
   * @param user - The user's raw id.
   * @throws {@link DataError} when `user` is not an id.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  userFactors(user: RawId): Float32Array | undefined {
    rawId('userFactors', 'user', user);
    const m = this.model();
    const u = m.users.get(user);
    return u < 0 ? undefined : m.factors.P.array().slice(u * m.factors.stride, u * m.factors.stride + this.shape.factors);
  }

  /**
   * A copy of the item's factor vector (length {@link Model.factorCount | factorCount}), or
   * undefined for an unknown item.
   * @param item - The item's raw id.
   * @throws {@link DataError} when `item` is not an id.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  itemFactors(item: RawId): Float32Array | undefined {
    rawId('itemFactors', 'item', item);
    const m = this.model();
    const i = m.items.get(item);
    return i < 0 ? undefined : m.factors.Q.array().slice(i * m.factors.stride, i * m.factors.stride + this.shape.factors);
  }

  /**
   * The user's bias b_u (always 0 for models without μ + b_u + b_i), or undefined for an unknown user.
   * @param user - The user's raw id.
   * @throws {@link DataError} when `user` is not an id.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  userBias(user: RawId): number | undefined {
    rawId('userBias', 'user', user);
    const m = this.model();
    const u = m.users.get(user);
    return u < 0 ? undefined : m.factors.bu.array()[u];
  }

  /**
   * The item's bias b_i (BPR and Hybrid: the learned item bias; Popular: the item's interaction
   * count), or undefined for an unknown item.
   * @param item - The item's raw id.
   * @throws {@link DataError} when `item` is not an id.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  itemBias(item: RawId): number | undefined {
    rawId('itemBias', 'item', item);
    const m = this.model();
    const i = m.items.get(item);
    return i < 0 ? undefined : m.factors.bi.array()[i];
  }

  /**
   * How many of the model's users have each item among their rated (training or folded-in)
   * items, in itemIds order: the popularity order a page shows items to rate in.
   * @returns One count per item, aligned with {@link Model.itemIds | itemIds}.
   * @throws {@link LatentrecError} when the model is not fitted (or a fit is running on it).
   */
  itemCounts(): Uint32Array {
    const m = this.model();
    const counts = new Uint32Array(m.items.size);
    // A user with repeated (user, item) rows counts once: `lastUser` marks who counted it last.
    const lastUser = new Int32Array(m.items.size).fill(-1);
    for (let u = 0; u < m.users.size; u++) {
      for (const i of seenOf(m, u)) {
        if (lastUser[i] !== u) counts[i]++;
        lastUser[i] = u;
      }
    }
    return counts;
  }

  /** Raw ids of the users the model knows (trained, folded in or added), in internal-id order. */
  get userIds(): readonly string[] {
    return this.model().users.raw;
  }
  /** Raw ids of the items the model knows, in internal-id order: the order of scoreAll's scores. */
  get itemIds(): readonly string[] {
    return this.model().items.raw;
  }

  /** The fitted state, for subclasses that extend serving (the hybrid's cold start). */
  protected fittedState(): Fitted {
    return this.model();
  }

  /** Installs a changed fitted state (a user or item added after training). */
  protected replaceFitted(m: Fitted): void {
    this.trained = m;
  }

  private model(): Fitted {
    if (!this.trained) {
      // A fit empties the model until its first epoch is done (a refit starts from scratch).
      if (this.running === 'fit') throw new LatentrecError(`${this.constructor.name}: a fit is running on this model; use the model once it has finished`);
      throw new LatentrecError(`${this.constructor.name}: call fit() before using the model`);
    }
    return this.trained;
  }

  /** One known pair through the same kernel as predictMany, so both give the same number. */
  private scorePair(m: Fitted, u: number, i: number, time?: number): number {
    if (m.itemItem) return scorePairOf(m.itemItem, historyRows(seenOf(m, u)), i);
    const mark = m.engine.mark();
    try {
      const users = m.engine.allocU32(1), items = m.engine.allocU32(1), out = m.engine.allocF32(1);
      users.array()[0] = u;
      items.array()[0] = i;
      const { lo, hi } = this.kernelBounds(m);
      m.engine.predictPairs(users, items, 1, m.factors, m.mu, lo, hi, out);
      if (!m.link && !m.days) return out.array()[0];
      const row = m.days && time !== undefined ? dayRow(m.days, time) : -1;
      const stride = m.factors.stride;
      const score = out.array()[0] + (row >= 0 ? dayDeviation(m.days!, row, this.shape.factors, m.factors.P.array(), u * stride, m.factors.Q.array(), i * stride) : 0);
      return Math.fround(this.served(m, score));
    } finally {
      m.engine.release(mark);
    }
  }

  /** Where estimates are clipped: the rating scale, or nowhere for ranking models (implicit feedback). */
  private bounds(m: Fitted): RatingScale {
    return this.clipsToScale ? m.scale : UNBOUNDED;
  }

  /** Where the kernel clips scores: nowhere when a link or a day's deviation comes after it (served() then clips). */
  private kernelBounds(m: Fitted): RatingScale {
    return m.link || m.days ? UNBOUNDED : this.bounds(m);
  }

  /** The estimate for a score: through the link, or clipped. */
  private served(m: Fitted, score: number): number {
    return m.link ? expectedRating(m.link, score) : clip(score, this.bounds(m));
  }

  /** Surprise's fallbacks: SVD keeps the known baseline parts; MF falls back to the global mean. */
  private fallback(m: Fitted, u: number, i: number): number {
    if (!this.shape.biased) return m.trainMean;
    let estimate = m.mu;
    if (u >= 0) estimate += m.factors.bu.array()[u];
    if (i >= 0) estimate += m.factors.bi.array()[i];
    return estimate;
  }

  /**
   * Maps a dataset's ids onto the model's once, so it can be scored repeatedly (every epoch for
   * a validation set) by one kernel call over the known pairs plus JS for the fallbacks.
   */
  protected prepareScoring(m: Fitted, data: Dataset): { predict(): Float32Array; score(): { rmse: number; mae: number } } {
    const userMap = remap(data.users, m.users);
    const itemMap = remap(data.items, m.items);
    const n = data.size;
    let known = 0;
    for (let t = 0; t < n; t++) if (userMap[data.userIndex[t]] >= 0 && itemMap[data.itemIndex[t]] >= 0) known++;
    const users = m.engine.allocU32(known);
    const items = m.engine.allocU32(known);
    const out = m.engine.allocF32(known);
    const knownRow = new Uint32Array(known);
    const us = users.array(), is = items.array();
    for (let t = 0, k = 0; t < n; t++) {
      const u = userMap[data.userIndex[t]], i = itemMap[data.itemIndex[t]];
      if (u >= 0 && i >= 0) {
        us[k] = u;
        is[k] = i;
        knownRow[k++] = t;
      }
    }
    const estimates = new Float32Array(n);
    // A timed dataset scored by a model with days: each known pair's day row (-1: not a training day).
    const times = data.times, days = m.days;
    const dayRows = times && days ? Int32Array.from(knownRow, (t) => dayRow(days, times[t])) : undefined;
    const predict = (): Float32Array => {
      for (let t = 0; t < n; t++) {
        const u = userMap[data.userIndex[t]], i = itemMap[data.itemIndex[t]];
        if (u < 0 || i < 0) estimates[t] = this.served(m, this.fallback(m, u, i));
      }
      if (m.itemItem) {
        const ii = m.itemItem, pu = users.array(), pi = items.array(), rows = new Map<number, Uint32Array>();
        for (let k = 0; k < known; k++) {
          let r = rows.get(pu[k]);
          if (!r) rows.set(pu[k], (r = historyRows(seenOf(m, pu[k]))));
          estimates[knownRow[k]] = scorePairOf(ii, r, pi[k]);
        }
        return estimates;
      }
      const { lo, hi } = this.kernelBounds(m);
      m.engine.predictPairs(users, items, known, m.factors, m.mu, lo, hi, out);
      const o = out.array();
      if (!m.link && !m.days) {
        for (let k = 0; k < known; k++) estimates[knownRow[k]] = o[k];
        return estimates;
      }
      // Fresh views: the engine's memory may have grown since the pairs were written.
      const P = m.factors.P.array(), Q = m.factors.Q.array(), stride = m.factors.stride, kk = this.shape.factors;
      const pu = users.array(), pi = items.array();
      for (let k = 0; k < known; k++) {
        const row = dayRows ? dayRows[k] : -1;
        const score = o[k] + (row >= 0 ? dayDeviation(m.days!, row, kk, P, pu[k] * stride, Q, pi[k] * stride) : 0);
        estimates[knownRow[k]] = this.served(m, score);
      }
      return estimates;
    };
    const score = () => {
      const est = predict();
      let se = 0, ae = 0;
      for (let t = 0; t < n; t++) {
        const e = data.ratings[t] - est[t];
        se += e * e;
        ae += Math.abs(e);
      }
      return { rmse: Math.sqrt(se / n), mae: ae / n };
    };
    return { predict, score };
  }
}

/**
 * Every item's score as scoreAll serves it (through the link, if any), from `fill` writing the raw
 * scores into a scratch buffer of scoreLength(m) floats.
 */
function servedScores(m: Fitted, fill: (out: F32) => void): Float32Array {
  const mark = m.engine.mark();
  try {
    const out = m.engine.allocF32(scoreLength(m));
    fill(out);
    const scores = out.array().slice(0, m.items.size);
    if (m.link) for (let i = 0; i < scores.length; i++) scores[i] = expectedRating(m.link, scores[i]);
    return scores;
  } finally {
    m.engine.release(mark);
  }
}

/** The seeded generator of a fit (partialFit draws from seed + 1). */
function randomOf(shape: ModelShape, seed: number): RandomSource {
  return shape.rng === 'mt19937' ? new MT19937(seed) : new Random(seed);
}

function copyRatings(engine: Engine, users: Uint32Array, items: Uint32Array, values: Float32Array): RatingsBlock {
  const n = users.length;
  const ratings: RatingsBlock = { users: engine.allocU32(n), items: engine.allocU32(n), values: engine.allocF32(n), count: n };
  ratings.users.array().set(users);
  ratings.items.array().set(items);
  ratings.values.array().set(values);
  return ratings;
}

function nextFoldInId(m: Fitted): string {
  let n = m.users.size;
  while (m.users.has(`folded-in-${n}`)) n++;
  return `folded-in-${n}`;
}

/** recommendAll's entries with the user's and the items' ids as `idType` asks. */
function* typedEntries<T extends IdType>(entries: Generator<{ user: string; items: Recommendation[] }>, idType: T): Generator<{ user: IdOf<T>; items: Recommendation<IdOf<T>>[] }> {
  for (const e of entries) yield { user: typedId('recommendAll', e.user, idType), items: withIdType('recommendAll', e.items, idType) };
}

/** One [user, item] or [user, item, time] entry of predictMany, with a placeholder rating. */
function pairOfIds(pair: unknown, at: number): readonly [RawId, RawId, number] | readonly [RawId, RawId, number, number] {
  if (!Array.isArray(pair)) throw new DataError(`predictMany: pairs[${at}] must be a [user, item] pair, got ${describeValue(pair)}`);
  const ids = [rawId(`predictMany: pairs[${at}]`, 'the user', pair[0]), rawId(`predictMany: pairs[${at}]`, 'the item', pair[1]), 0] as const;
  if (pair.length < 3) return ids;
  const time: unknown = pair[2];
  if (typeof time !== 'number' || !Number.isFinite(time)) throw new DataError(`predictMany: pairs[${at}][2], the time, must be a finite number of seconds since 1970, got ${describeValue(time)}`);
  return [...ids, time];
}

/**
 * A training set whose values are all equal (interactions given as 1s) has no range: widen it to
 * include 0 so estimates and model files have a scale with lo < hi.
 */
function properScale(scale: RatingScale): RatingScale {
  if (scale.lo < scale.hi) return scale;
  const lo = Math.min(scale.lo, 0);
  return { lo, hi: Math.max(scale.hi, lo + 1) };
}

const UNBOUNDED: RatingScale = { lo: -Infinity, hi: Infinity };

function clip(x: number, scale: RatingScale): number {
  return Math.min(scale.hi, Math.max(scale.lo, x));
}

/** For each id of `from`, the id in `to` or -1. */
function remap(from: IdMap, to: IdMap): Int32Array {
  const map = new Int32Array(from.size);
  for (let id = 0; id < from.size; id++) map[id] = to.get(from.raw[id]);
  return map;
}
