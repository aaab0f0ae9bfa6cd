// The shared machinery of the latent-factor models (SVD, MF, SVD++, baselines, PureSVD): the
// host side of the kernels. The epoch loop, learning curve, early stopping, divergence check,
// id mapping, prediction and ranking live here; each model supplies its initialization and its
// per-epoch step (a Trainer), and the kernel does one pass and returns a number.
import { Dataset, IdMap, type RatingScale, type RawId } from '../data/dataset.js';
import { createEngine, gridSideFor, hardwareThreads, strideFor, type Engine, type EngineName, type EngineVariant, type F32, type FactorBlock, type RatingsBlock } from '../engine/index.js';
import type { WasmVariant } from '../engine/wasm-engine.js';
import { DataError, describeValue, DivergenceError, LatentrecError, OptionError } from '../errors.js';
import { MT19937 } from '../util/mt19937.js';
import { Random, type RandomSource } from '../util/random.js';
import { groupRows, groupValues } from '../data/group.js';
import type { EpochReport, FitOptions, FitResult, Prediction, RatingModel, Recommendation } from './types.js';
import { checkModelState, decodeModel, encodeModel, ModelFileError } from '../io/model-file.js';
import type { ModelState, ModelStateKind } from '../io/model-state.js';
import { MAX_POOL_THREADS } from '../engine/thread-pool.js';
import { copyFactors, engineLike, fromModelState, seenOf, toModelState, type Fitted } from './fitted.js';
import { checkRecommendOptions, foldInUser, recommendFor, similarRows, type FoldInOptions, type RecommendOptions, type Similar } from './serving.js';
import { dataset, idList, optionsObject, rawId } from './arguments.js';
import { integer, oneOf, type RandomKind } from './options.js';

let restorer: ((state: ModelState, options: LoadOptions) => FactorModel) | undefined;
/** The state fromState or load is installing, already validated: restore need not check it again. */
let validatedState: ModelState | undefined;

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

/** Set once by models/presets.ts, which knows every model kind (it would be a cycle here). */
export function registerRestorer(fn: (state: ModelState, options: LoadOptions) => FactorModel): void {
  restorer = fn;
}

function nextFoldInId(m: Fitted): string {
  let n = m.users.size;
  while (m.users.has(`folded-in-${n}`)) n++;
  return `folded-in-${n}`;
}
import { resolveEarlyStopping, type ResolvedEarlyStopping } from './early-stopping.js';
import { checkMemory } from './memory-limit.js';

/** What a trainer gets: the engine, the training data in it, and initialized factors. */
export interface TrainingSetup {
  engine: Engine;
  train: Dataset;
  /** The training ratings copied into engine memory (in input order). */
  ratings: RatingsBlock;
  factors: FactorBlock;
  /** μ inside the model (0 for models without a global mean). */
  mu: number;
  random: RandomSource;
}

/** One model's way of learning: the kernel pass per epoch and the factors it predicts with. */
export interface Trainer {
  /** One pass over the training ratings; returns the pass's sum of squared errors. */
  epoch(): number;
  /** The block predictions use: `factors` itself, or (SVD++) P with the implicit part folded in. */
  predictionFactors(): FactorBlock;
}

/** See FactorModel.beginFit. */
export interface FitSession {
  train: Dataset;
  options: FitOptions;
  done?: () => void;
  cleanup?: () => void;
}

/** Model-specific knobs of the shared fit loop. */
export interface ModelShape {
  /** Latent factors k (0 for a baseline). */
  factors: number;
  /** Whether predictions include μ + b_u + b_i. */
  biased: boolean;
  epochs: number;
  engine: EngineName;
  wasmVariant: WasmVariant | undefined;
  seed: number;
  rng: RandomKind;
  /** Scores, not ratings: predictions are not clipped to a rating scale (implicit feedback). */
  unclipped?: boolean;
  /** Threads for blocked SGD (see SgdOptions.threads); models without it train on one thread. */
  threads?: number | 'auto';
  /** Blocked SGD: the grid's bins per side (default from the data); threads beyond them would idle. */
  bins?: number;
}

/** With threads 'auto', training sets this large get every core: below it, starting workers costs more than they save. */
export const AUTO_THREADS_MIN_RATINGS = 500_000;

/**
 * The thread count a fit of `train` asks its engine for: 'auto' is every core from
 * AUTO_THREADS_MIN_RATINGS ratings; never more than the grid has bins (a round has one block per
 * bin, so further threads would only idle).
 */
export function threadsFor(shape: ModelShape, train: Dataset): number {
  if (shape.threads === undefined || shape.threads === 1 || shape.engine === 'js') return 1;
  const wanted = shape.threads === 'auto' ? (train.size >= AUTO_THREADS_MIN_RATINGS ? Math.min(hardwareThreads(), MAX_POOL_THREADS) : 1) : shape.threads;
  return Math.min(wanted, gridSideFor(shape.bins, train.userCount, train.itemCount, strideFor(shape.factors)));
}

export abstract class FactorModel implements RatingModel {
  protected abstract readonly shape: ModelShape;
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

  /**
   * Trains from scratch on `train`. Returns the learning curve; with `validation`, each epoch is
   * scored on it, and `earlyStopping` can end the fit (restoring the best epoch by default).
   * `checkpoint` keeps a copy of the best epoch so far, so an aborted or diverging fit leaves the
   * model at that epoch; `signal` (an AbortSignal, checked between epochs: abort it from onEpoch,
   * or use fitAsync for timers and UI) stops the fit after the current epoch and returns what was
   * learned, with `aborted: true`.
   */
  fit(train: Dataset, fitOptions: FitOptions = {}): FitResult {
    const steps = this.fitting(train, fitOptions);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * fit(), giving the event loop a turn between epochs: an AbortSignal.timeout, a Stop button or a
   * message to a worker can then abort the fit (the model keeps what was learned).
   *
   *   const result = await model.fitAsync(train, { signal: AbortSignal.timeout(60_000), checkpoint: true });
   */
  async fitAsync(train: Dataset, fitOptions: FitOptions = {}): Promise<FitResult> {
    const steps = this.fitting(train, fitOptions);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await nextTurn();
    }
  }

  /** The fit, one epoch per step: fit() runs it straight through, fitAsync() yields between epochs. */
  protected *fitting(given: Dataset, givenOptions: FitOptions): Generator<void, FitResult> {
    this.assertIdle('fit');
    const train = dataset('fit', 'the training set', given);
    const options = checkFitOptions('fit', givenOptions);
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
  protected beginFit(train: Dataset, options: FitOptions): FitSession {
    return { train, options };
  }

  private *fitFrom(train: Dataset, fitOptions: FitOptions): Generator<void, FitResult> {
    const stopping = resolveEarlyStopping(fitOptions);
    if (fitOptions.signal?.aborted) throw new LatentrecError('fit: the signal was aborted before the first epoch; nothing was trained');
    const shape = this.shape;
    checkMemory(this.constructor.name, train, shape, (stride) => this.extraMemoryBytes(train, stride));
    const start = performance.now();
    const engine = createEngine(shape.engine, shape.wasmVariant, { threads: threadsFor(shape, train) });
    try {
      return yield* this.fitOn(engine, train, fitOptions, stopping, start);
    } finally {
      engine.dispose();
    }
  }

  /**
   * Bytes of engine memory this model needs beyond the ratings (12 per rating) and the factor
   * rows (P, Q and biases): SVD++'s implicit factors, ALS's transposed matrix, ... For the check
   * against wasm32's 4 GiB before anything is allocated.
   */
  protected extraMemoryBytes(_train: Dataset, _stride: number): number {
    return 0;
  }

  private *fitOn(engine: Engine, train: Dataset, fitOptions: FitOptions, stopping: ResolvedEarlyStopping | undefined, start: number): Generator<void, FitResult> {
    const shape = this.shape;
    const n = train.size;
    const stride = strideFor(shape.factors);
    const ratings: RatingsBlock = { users: engine.allocU32(n), items: engine.allocU32(n), values: engine.allocF32(n), count: n };
    ratings.users.array().set(train.userIndex);
    ratings.items.array().set(train.itemIndex);
    ratings.values.array().set(train.ratings);
    const factors: FactorBlock = {
      P: engine.allocF32(train.userCount * stride),
      Q: engine.allocF32(train.itemCount * stride),
      bu: engine.allocF32(train.userCount),
      bi: engine.allocF32(train.itemCount),
      stride,
    };
    const random: RandomSource = shape.rng === 'mt19937' ? new MT19937(shape.seed) : new Random(shape.seed);
    const trainMean = train.globalMean();
    const mu = shape.biased ? trainMean : 0;
    const setup: TrainingSetup = { engine, train, ratings, factors, mu, random };
    this.trained = undefined;
    this.initialize(setup);
    const trainer = this.createTrainer(setup);

    const { seenStart, seenItems } = seenByUser(train);
    const trained: Fitted = {
      engine, factors, users: IdMap.from(train.users.raw), items: IdMap.from(train.items.raw), mu, trainMean, scale: properScale(train.scale),
      seenStart, seenItems, extraSeen: new Map(),
    };
    trained.factors = trainer.predictionFactors();
    const validation = fitOptions.validation ? this.prepareScoring(trained, fitOptions.validation) : undefined;
    const fullTrain = fitOptions.trainMetric === 'full' ? this.prepareScoring(trained, train) : undefined;

    const epochs: EpochReport[] = [];
    // The best epoch so far: early stopping's (by validation RMSE), or the checkpoint's (by
    // validation RMSE, else the pass's train RMSE). A copy when it must outlive later epochs.
    let best: { rmse: number; epoch: number; factors: FactorBlock } | undefined;
    const keepCopies = (stopping?.restoreBest ?? false) || fitOptions.checkpoint === true;
    const finish = (factorsToKeep: FactorBlock) => {
      // The training ratings and scoring buffers are not needed any more: keep the factors alone
      // in a fresh engine, so a fitted model holds (users + items) x k floats, not the data.
      this.trained = { ...trained, ...copyFactors(factorsToKeep, engineLike(engine)) };
    };
    const diverged = (epoch: number): DivergenceError => {
      if (fitOptions.checkpoint && best) finish(best.factors);
      return new DivergenceError(epoch, epochs, this.divergenceHint(), fitOptions.checkpoint && best ? best.epoch : undefined, this.supportsCheckpoint);
    };
    let aborted = false;
    for (let epoch = 1; epoch <= shape.epochs; epoch++) {
      if (epoch > 1) {
        yield;
        if (fitOptions.signal?.aborted) {
          aborted = true;
          break;
        }
      }
      const t0 = performance.now();
      const sse = trainer.epoch();
      const report: EpochReport = { epoch, trainRmse: Math.sqrt(sse / n), seconds: (performance.now() - t0) / 1000 };
      // Each error is taken before its own update, so the pass's loss can stay finite while the
      // updates blow up: the parameters themselves are checked too.
      if (!Number.isFinite(sse) || !parametersBounded(factors)) throw diverged(epoch);
      trained.factors = trainer.predictionFactors();
      if (fullTrain) report.trainRmse = fullTrain.score().rmse;
      if (validation) {
        const { rmse, mae } = validation.score();
        if (!Number.isFinite(rmse)) throw diverged(epoch);
        report.validationRmse = rmse;
        report.validationMae = mae;
      }
      epochs.push(report);
      fitOptions.onEpoch?.(report);
      const rmse = report.validationRmse ?? report.trainRmse;
      if (best === undefined || rmse < best.rmse - (stopping?.minDelta ?? 0)) {
        // Only the factors predictions use are kept: what restoring needs once the fit ends.
        best = { rmse, epoch, factors: keepCopies ? copyFactors(trained.factors, createEngine('js')).factors : trained.factors };
      } else if (stopping && epoch - best.epoch >= stopping.patience) {
        break;
      }
    }
    if (shape.epochs === 0 && !shape.unclipped) {
      // A model without gradient descent (PureSVD) still gets one point on its curve: epoch 0.
      const report: EpochReport = { epoch: 0, trainRmse: (fullTrain ?? this.prepareScoring(trained, train)).score().rmse, seconds: 0 };
      if (validation) Object.assign(report, ((r) => ({ validationRmse: r.rmse, validationMae: r.mae }))(validation.score()));
      epochs.push(report);
      fitOptions.onEpoch?.(report);
    }
    const restore = best !== undefined && ((stopping?.restoreBest ?? false) || (aborted && fitOptions.checkpoint === true));
    finish(restore ? best!.factors : trained.factors);
    return {
      epochs,
      fitSeconds: (performance.now() - start) / 1000,
      bestEpoch: (stopping || fitOptions.checkpoint) && best ? best.epoch : undefined,
      threads: engine.threads,
      notes: fitNotes(shape, engine, train),
      ...(aborted ? { aborted: true, keptEpoch: restore ? best!.epoch : epochs.at(-1)!.epoch } : {}),
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
   * μ stays, and `epochs` passes (default the model's) run over these ratings only. Supported by
   * SVD and MF.
   */
  partialFit(given: Dataset, givenOptions: { epochs?: number; validation?: Dataset; onEpoch?: (report: EpochReport) => void } = {}): FitResult {
    if (!this.supportsPartialFit) throw new LatentrecError(`${this.constructor.name} does not support partialFit (SVD and MF do)`);
    this.assertIdle('partialFit');
    const m = this.model();
    const data = dataset('partialFit', 'the data', given);
    if (data.size === 0) throw new DataError('partialFit: the data has no ratings');
    const options = checkFitOptions('partialFit', givenOptions);
    const epochCount = integer('epochs', options.epochs ?? this.shape.epochs, 1, 1_000_000);
    // Values outside the scale would train the model towards estimates it then clips (and large
    // ones make SGD diverge): the rating scale is the model's, fixed by its training set. The
    // ratings are float32: so are the bounds they are compared with (1e20 is stored above 1e20).
    const lo = Math.fround(m.scale.lo), hi = Math.fround(m.scale.hi);
    for (let t = 0; t < data.size; t++) {
      const r = data.ratings[t];
      if (r >= lo && r <= hi) continue;
      throw new DataError(
        `partialFit: the rating at row ${t} (user ${JSON.stringify(data.users.raw[data.userIndex[t]])}, item ${JSON.stringify(data.items.raw[data.itemIndex[t]])}) ` +
          `is ${r}, outside the model's rating scale [${m.scale.lo}, ${m.scale.hi}]`,
      );
    }
    this.running = 'partialFit';
    try {
      return this.partialFitOn(m, data, options, epochCount);
    } finally {
      this.running = undefined;
    }
  }

  /** partialFit on checked arguments: every change goes to copies, installed only when all epochs succeeded. */
  private partialFitOn(m: Fitted, data: Dataset, options: Pick<FitOptions, 'validation' | 'onEpoch'>, epochCount: number): FitResult {
    const start = performance.now();
    const users = IdMap.from(m.users.raw), items = IdMap.from(m.items.raw);
    const oldUsers = users.size, oldItems = items.size;
    const userIndex = Uint32Array.from(data.userIndex, (u) => users.intern(data.users.raw[u]));
    const itemIndex = Uint32Array.from(data.itemIndex, (i) => items.intern(data.items.raw[i]));
    const mapped = new Dataset(users, items, userIndex, itemIndex, data.ratings, m.scale);
    const { engine, factors } = copyFactors(m.factors, engineLike(m.engine), users.size, items.size);
    const random: RandomSource = this.shape.rng === 'mt19937' ? new MT19937(this.shape.seed + 1) : new Random(this.shape.seed + 1);
    const init = (this as unknown as { options?: { initMean?: number; initStd?: number } }).options ?? {};
    const k = this.shape.factors, stride = factors.stride;
    const P = factors.P.array(), Q = factors.Q.array();
    for (let u = oldUsers; u < users.size; u++) for (let f = 0; f < k; f++) P[u * stride + f] = random.nextNormal(init.initMean ?? 0, init.initStd ?? 0.1);
    for (let i = oldItems; i < items.size; i++) for (let f = 0; f < k; f++) Q[i * stride + f] = random.nextNormal(init.initMean ?? 0, init.initStd ?? 0.1);
    const n = data.size;
    const ratings: RatingsBlock = { users: engine.allocU32(n), items: engine.allocU32(n), values: engine.allocF32(n), count: n };
    ratings.users.array().set(userIndex);
    ratings.items.array().set(itemIndex);
    ratings.values.array().set(data.ratings);
    const trainer = this.createTrainer({ engine, train: mapped, ratings, factors, mu: m.mu, random });
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
    const validation = options.validation ? this.prepareScoring(next, options.validation) : undefined;
    const epochs: EpochReport[] = [];
    for (let epoch = 1; epoch <= epochCount; epoch++) {
      const t0 = performance.now();
      const sse = trainer.epoch();
      if (!Number.isFinite(sse) || !parametersBounded(factors)) throw new DivergenceError(epoch, epochs, this.divergenceHint());
      const report: EpochReport = { epoch, trainRmse: Math.sqrt(sse / n), seconds: (performance.now() - t0) / 1000 };
      if (validation) Object.assign(report, ((r) => ({ validationRmse: r.rmse, validationMae: r.mae }))(validation.score()));
      epochs.push(report);
      options.onEpoch?.(report);
    }
    this.trained = { ...next, ...copyFactors(factors, engineLike(engine)) };
    return { epochs, fitSeconds: (performance.now() - start) / 1000 };
  }

  /** Whether partialFit applies (models whose trainer is plain SGD over ratings). */
  protected readonly supportsPartialFit: boolean = false;

  get isFitted(): boolean {
    return this.trained !== undefined;
  }

  /** The estimate for one (user, item) pair by raw ids. Unknown ids never give NaN. */
  predict(user: RawId, item: RawId): Prediction {
    rawId('predict', 'user', user);
    rawId('predict', 'item', item);
    const m = this.model();
    const u = m.users.get(user);
    const i = m.items.get(item);
    // Fallbacks rounded to float32 like every kernel result, so predict and predictMany agree exactly.
    const estimate = u >= 0 && i >= 0 ? this.scorePair(m, u, i) : Math.fround(clip(this.fallback(m, u, i), this.bounds(m)));
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
   * Estimates for many (user, item) pairs, in order, clipped to the rating scale and scored in
   * one kernel call: a Dataset (its ratings ignored) or an array of [user, item] raw-id pairs.
   * Unknown ids get the same fallbacks as `predict`.
   */
  predictMany(pairs: Dataset | ReadonlyArray<readonly [RawId, RawId]>): Float32Array {
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
   */
  recommend(user: RawId, options: RecommendOptions = {}): Recommendation[] {
    rawId('recommend', 'user', user);
    const checked = checkRecommendOptions('recommend', options);
    const m = this.model();
    const u = m.users.get(user);
    if (u < 0) throw this.unknownUser('recommend', user);
    return recommendFor(m, u, this.shape.biased, checked);
  }

  /**
   * The unclipped estimate of every item for a known user, in item-id order (itemIds): the raw
   * material of ranking metrics. One kernel call.
   */
  scoreAll(user: RawId): Float32Array {
    rawId('scoreAll', 'user', user);
    const m = this.model();
    const u = m.users.get(user);
    if (u < 0) throw this.unknownUser('scoreAll', user);
    const mark = m.engine.mark();
    try {
      const out = m.engine.allocF32(m.items.size);
      m.engine.scoreItems(u, m.factors, m.items.size, this.shape.biased ? m.mu + m.factors.bu.array()[u] : 0, out);
      return out.array().slice();
    } finally {
      m.engine.release(mark);
    }
  }

  /** Whether the model knows this user (trained or folded in). */
  hasUser(user: RawId): boolean {
    rawId('hasUser', 'user', user);
    return this.model().users.has(user);
  }

  /**
   * recommend() for many users (default: every known user), one at a time through one scratch
   * buffer: memory stays at one catalogue of scores, never users x items.
   */
  recommendAll(options: RecommendOptions & { users?: Iterable<RawId> } = {}): Generator<{ user: string; items: Recommendation[] }> {
    // Checked now, not at the first next(): a generator body would defer the errors.
    const checked = checkRecommendOptions('recommendAll', options);
    const m = this.model();
    const users = idList('users', options?.users) ?? [...m.users.raw];
    return this.recommendEach(m, users, checked);
  }

  private *recommendEach(m: Fitted, users: Iterable<RawId>, options: ReturnType<typeof checkRecommendOptions>): Generator<{ user: string; items: Recommendation[] }> {
    for (const user of users) {
      rawId('recommendAll', 'each of users', user);
      const u = m.users.get(user);
      if (u < 0) throw this.unknownUser('recommendAll', user);
      yield { user: String(user), items: recommendFor(m, u, this.shape.biased, options) };
    }
  }

  /** The n items whose factor vectors are closest by cosine to the item's (itself excluded; every other item when fewer than n). */
  similarItems(item: RawId, options: { n?: number } = {}): Similar[] {
    rawId('similarItems', 'item', item);
    const n = optionsObject('similarItems options', options).n ?? 10;
    const m = this.model();
    const i = m.items.get(item);
    if (i < 0) throw new DataError(`similarItems: unknown item ${JSON.stringify(String(item))}`);
    return similarRows(m, 'Q', i, n);
  }

  /** The n users whose factor vectors are closest by cosine to the user's (itself excluded; every other user when fewer than n). */
  similarUsers(user: RawId, options: { n?: number } = {}): Similar[] {
    rawId('similarUsers', 'user', user);
    const n = optionsObject('similarUsers options', options).n ?? 10;
    const m = this.model();
    const u = m.users.get(user);
    if (u < 0) throw new DataError(`similarUsers: unknown user ${JSON.stringify(String(user))}`);
    return similarRows(m, 'P', u, n);
  }

  /**
   * Adds a user the model has never seen from a handful of (item, rating) pairs, by a ridge
   * solve against the fixed item factors, so predict/recommend work for them at once. Returns the
   * user's raw id. Items the model does not know are ignored. Ratings must lie within the model's
   * rating scale (ranking models: finite values within ±1e6, FOLD_IN_VALUE_LIMIT); fold-ins
   * whose solved factors would not be finite and within ±1e15 are refused, so the model stays
   * saveable. A refused fold-in leaves the model as it was.
   */
  foldIn(ratings: ReadonlyArray<readonly [RawId, number]>, options: FoldInOptions = {}): string {
    this.assertIdle('foldIn');
    const o = optionsObject<FoldInOptions>('foldIn options', options);
    const m = this.model();
    const user = o.user != null ? String(rawId('foldIn', 'options.user', o.user)) : nextFoldInId(m);
    const regularization = o.regularization ?? this.foldInRegularization();
    const { fitted } = foldInUser(m, ratings, this.shape.factors, this.shape.biased, regularization, user, this.shape.unclipped ? undefined : m.scale);
    this.trained = fitted;
    return user;
  }

  /**
   * The per-rating ridge penalty fold-in uses by default: 0.1, chosen on MovieLens 100k folds u2
   * and u3 (recall@10 of folded-in users against the same users trained in; u1 is the reported
   * check, see test/parity-ml100k.test.ts).
   */
  protected foldInRegularization(): number {
    return 0.1;
  }

  /** Everything the model is, as plain data (see io/model-state.ts). */
  toState(): ModelState {
    return toModelState(this.model(), this.stateKind, { ...((this as unknown as { options?: object }).options ?? {}) }, this.shape.factors, this.shape.biased);
  }

  /** The model as a versioned binary file (see io/model-file.ts); load with FactorModel.load. */
  save(): Uint8Array {
    return encodeModel(this.toState());
  }

  /**
   * Installs a saved state into this (unfitted) model, on the wasm build `options.wasmVariant`
   * (default: the best this runtime supports; a wasmVariant in the state's options was a fitting
   * setting and is not applied).
   */
  restore(state: ModelState, options: LoadOptions = {}): this {
    this.assertIdle('restore');
    const o = optionsObject<LoadOptions>('restore options', options);
    // The checks of saving and loading: a state that could not be saved or loaded (wrong sizes,
    // NaN or parameters beyond 1e15) is never installed. It throws ModelFileError, as for a file.
    if (validatedState === undefined || state !== validatedState) checkState(`${this.constructor.name}.restore`, state);
    const name = this.constructor.name;
    if (state.kind !== this.stateKind) {
      throw new DataError(`restore: the state is of kind ${JSON.stringify(state.kind)}, this ${name} of kind ${JSON.stringify(this.stateKind)} (FactorModel.fromState picks the kind)`);
    }
    if (state.factors !== this.shape.factors) {
      throw new DataError(`restore: the state has k=${state.factors}, this ${name} k=${this.shape.factors}`);
    }
    if (state.biased !== this.shape.biased) {
      throw new DataError(`restore: the state has biased=${state.biased}, but a ${name} is ${this.shape.biased ? '' : 'not '}biased`);
    }
    this.trained = fromModelState(state, this.shape.engine, o.wasmVariant);
    return this;
  }

  /**
   * A model from bytes written by save() (Node: loadModelFromFile).
   *
   *   FactorModel.load(bytes)                          // on the best build this runtime has
   *   FactorModel.load(bytes, { wasmVariant: 'simd' }) // the same bits in Node and every browser
   */
  static load(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): FactorModel {
    // decodeModel validates the state it returns, as fromState would.
    return installValidated(decodeModel(bytes), options);
  }

  /**
   * A model of the state's kind, with the state installed (from a file, or imported factors).
   * The state gets the checks of saving and loading (kinds, sizes, finite values within ±1e15, the
   * seen lists): one that could not be saved is refused with ModelFileError naming the field.
   */
  static fromState(state: ModelState, options: LoadOptions = {}): FactorModel {
    checkState('FactorModel.fromState', state);
    return installValidated(state, options);
  }

  /** The kind written into model files. */
  protected abstract readonly stateKind: ModelStateKind;

  /**
   * The build this fitted model computes on: 'relaxed', 'simd' or 'scalar' (wasm), or 'js'.
   * Fold-in, partialFit and scoring stay on it; load with `{ wasmVariant }` to pick another.
   */
  get engineVariant(): EngineVariant {
    return this.model().engine.variant;
  }

  /** Number of latent factors k. */
  get factorCount(): number {
    return this.shape.factors;
  }

  /** The settings every model kind shares (k, epochs, engine, seed, ...). */
  get settings(): Readonly<ModelShape> {
    return this.shape;
  }

  /** Mean of the training ratings (μ of SVD; plain MF uses it only for impossible predictions). */
  get globalMean(): number {
    return this.model().trainMean;
  }

  /** A copy of the user's factor vector (length k), or undefined for an unknown user. */
  userFactors(user: RawId): Float32Array | undefined {
    rawId('userFactors', 'user', user);
    const m = this.model();
    const u = m.users.get(user);
    return u < 0 ? undefined : m.factors.P.array().slice(u * m.factors.stride, u * m.factors.stride + this.shape.factors);
  }

  /** A copy of the item's factor vector (length k), or undefined for an unknown item. */
  itemFactors(item: RawId): Float32Array | undefined {
    rawId('itemFactors', 'item', item);
    const m = this.model();
    const i = m.items.get(item);
    return i < 0 ? undefined : m.factors.Q.array().slice(i * m.factors.stride, i * m.factors.stride + this.shape.factors);
  }

  userBias(user: RawId): number | undefined {
    rawId('userBias', 'user', user);
    const m = this.model();
    const u = m.users.get(user);
    return u < 0 ? undefined : m.factors.bu.array()[u];
  }

  itemBias(item: RawId): number | undefined {
    rawId('itemBias', 'item', item);
    const m = this.model();
    const i = m.items.get(item);
    return i < 0 ? undefined : m.factors.bi.array()[i];
  }

  /**
   * How many of the model's users have each item among their rated (training or folded-in)
   * items, in itemIds order: the popularity order a page shows items to rate in.
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

  /** Raw ids of the users and items the model knows, in internal-id order. */
  get userIds(): readonly string[] {
    return this.model().users.raw;
  }
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
  private scorePair(m: Fitted, u: number, i: number): number {
    const mark = m.engine.mark();
    try {
      const users = m.engine.allocU32(1), items = m.engine.allocU32(1), out = m.engine.allocF32(1);
      users.array()[0] = u;
      items.array()[0] = i;
      m.engine.predictPairs(users, items, 1, m.factors, m.mu, this.bounds(m).lo, this.bounds(m).hi, out);
      return out.array()[0];
    } finally {
      m.engine.release(mark);
    }
  }

  /** Where estimates are clipped: the rating scale, or nowhere for ranking models (implicit feedback). */
  private bounds(m: Fitted): RatingScale {
    return this.shape.unclipped ? UNBOUNDED : m.scale;
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
  private prepareScoring(m: Fitted, data: Dataset) {
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
    const predict = (): Float32Array => {
      for (let t = 0; t < n; t++) {
        const u = userMap[data.userIndex[t]], i = itemMap[data.itemIndex[t]];
        if (u < 0 || i < 0) estimates[t] = clip(this.fallback(m, u, i), this.bounds(m));
      }
      m.engine.predictPairs(users, items, known, m.factors, m.mu, this.bounds(m).lo, this.bounds(m).hi, out);
      const o = out.array();
      for (let k = 0; k < known; k++) estimates[knownRow[k]] = o[k];
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
 * checkModelState, the message saying which call refused the state. It stays a ModelFileError
 * (with its `problem`): the class and classification save and load give the same state.
 */
function checkState(where: string, state: ModelState): void {
  try {
    checkModelState(state);
  } catch (err) {
    if (err instanceof ModelFileError) throw new ModelFileError(err.problem, `${where}: ${err.reason}`, undefined, { cause: err });
    throw err;
  }
}

/** A validated state into a model of its kind (restore does not check it again). */
function installValidated(state: ModelState, options: LoadOptions | null | undefined): FactorModel {
  if (!restorer) throw new LatentrecError('FactorModel.fromState: import latentrec (its index registers the model kinds)');
  validatedState = state;
  try {
    return restorer(state, optionsObject('fromState options', options));
  } finally {
    validatedState = undefined;
  }
}

/** One [user, item] pair of predictMany, as a triple with a placeholder rating. */
function pairOfIds(pair: unknown, at: number): readonly [RawId, RawId, number] {
  if (!Array.isArray(pair)) throw new DataError(`predictMany: pairs[${at}] must be a [user, item] pair, got ${describeValue(pair)}`);
  return [rawId(`predictMany: pairs[${at}]`, 'the user', pair[0]), rawId(`predictMany: pairs[${at}]`, 'the item', pair[1]), 0];
}

/**
 * Fit options checked before any work: null means the defaults, as for JavaScript callers of the
 * parsers; a value of the wrong kind is an OptionError naming it rather than a TypeError later.
 */
function checkFitOptions<T extends FitOptions & { epochs?: number }>(where: string, given: T | null | undefined): T {
  const o = { ...optionsObject<T>(`${where} options`, given) };
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === null) delete o[key];
  if (o.validation !== undefined) o.validation = dataset(where, 'the validation set', o.validation);
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function') throw new OptionError('onEpoch', 'a function (report) => void', o.onEpoch);
  if (o.trainMetric !== undefined) oneOf('trainMetric', o.trainMetric, ['pass', 'full']);
  if (o.checkpoint !== undefined && typeof o.checkpoint !== 'boolean') throw new OptionError('checkpoint', 'true or false', o.checkpoint);
  if (o.earlyStopping !== undefined && typeof o.earlyStopping !== 'boolean' && (typeof o.earlyStopping !== 'object' || Array.isArray(o.earlyStopping))) {
    throw new OptionError('earlyStopping', 'true, false or an object { patience, minDelta, restoreBest }', o.earlyStopping);
  }
  if (o.signal !== undefined && typeof (o.signal as { aborted?: unknown } | null)?.aborted !== 'boolean') throw new OptionError('signal', 'an AbortSignal', o.signal);
  return o;
}

/** A turn of the event loop (setImmediate in Node; a zero-delay timer elsewhere). */
function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** What the user should know about how the fit ran: fewer threads than asked for, and why. */
function fitNotes(shape: ModelShape, engine: Engine, train: Dataset): string[] {
  const notes: string[] = [];
  if (engine.threadsNote) notes.push(engine.threadsNote);
  const side = gridSideFor(shape.bins, train.userCount, train.itemCount, strideFor(shape.factors));
  if (shape.engine === 'wasm' && typeof shape.threads === 'number' && shape.threads > side && !engine.threadsNote) {
    notes.push(`running on ${side} threads instead of ${shape.threads}: the grid has ${side} bins per side, and a round runs one block per bin (raise bins to use more)`);
  }
  if (shape.engine === 'js' && typeof shape.threads === 'number' && shape.threads > 1) {
    notes.push(`running on 1 thread instead of ${shape.threads}: the js engine has no worker threads (use engine 'wasm')`);
  }
  return notes;
}

/**
 * No converging fit on any rating scale has parameters near 1e15, and below that bound no
 * prediction can overflow float32 (|p·q| <= k·1e30 < 3.4e38 for k <= MAX_FACTORS): so anything
 * at or beyond it (or NaN) is divergence, caught before it turns into NaN predictions.
 */
const PARAMETER_LIMIT = 1e15;

function parametersBounded(f: FactorBlock): boolean {
  return withinParameterLimit([f.P, f.Q, f.bu, f.bi]);
}

/** Whether every value is finite and below PARAMETER_LIMIT (a trainer's own parameters: the hybrid's embeddings). */
export function withinParameterLimit(handles: readonly F32[]): boolean {
  for (const h of handles) {
    const a = h.array();
    for (let t = 0; t < a.length; t++) if (!(Math.abs(a[t]) < PARAMETER_LIMIT)) return false;
  }
  return true;
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

function seenByUser(train: Dataset): { seenStart: Uint32Array; seenItems: Uint32Array } {
  const { start, values } = groupValues(train.userIndex, train.userCount, train.itemIndex);
  return { seenStart: start, seenItems: values };
}
