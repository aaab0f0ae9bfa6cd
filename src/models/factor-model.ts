// The shared machinery of the latent-factor models (SVD, MF, SVD++, baselines, PureSVD): the
// host side of the kernels. The epoch loop, learning curve, early stopping, divergence check,
// id mapping, prediction and ranking live here; each model supplies its initialization and its
// per-epoch step (a Trainer), and the kernel does one pass and returns a number.
import { Dataset, IdMap, type RatingScale, type RawId } from '../data/dataset.js';
import { createEngine, strideFor, type Engine, type EngineName, type F32, type FactorBlock, type RatingsBlock } from '../engine/index.js';
import type { WasmVariant } from '../engine/wasm-engine.js';
import { DataError, DivergenceError, LatentrecError, OptionError } from '../errors.js';
import { MT19937 } from '../util/mt19937.js';
import { Random, type RandomSource } from '../util/random.js';
import { groupRows } from '../data/group.js';
import type { EpochReport, FitOptions, FitResult, Prediction, RatingModel, Recommendation } from './types.js';
import type { RandomKind } from './options.js';
import { resolveEarlyStopping } from './early-stopping.js';

interface Trained {
  engine: Engine;
  factors: FactorBlock;
  users: IdMap;
  items: IdMap;
  /** μ inside the model: the training mean for SVD, 0 for plain MF. */
  mu: number;
  /** Mean training rating: what an impossible MF prediction falls back to. */
  trainMean: number;
  scale: RatingScale;
  /** Items each user rated in training (CSR): seenItems[seenStart[u] .. seenStart[u+1]). */
  seenStart: Uint32Array;
  seenItems: Uint32Array;
}

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
}

export abstract class FactorModel implements RatingModel {
  protected abstract readonly shape: ModelShape;
  private trained: Trained | undefined;

  /** Puts starting values into the freshly allocated factors (and biases). */
  protected abstract initialize(setup: TrainingSetup): void;
  /** Builds the per-epoch step once the factors are initialized. */
  protected abstract createTrainer(setup: TrainingSetup): Trainer;

  /**
   * Trains from scratch on `train`. Returns the learning curve; with `validation`, each epoch is
   * scored on it, and `earlyStopping` can end the fit (restoring the best epoch by default).
   */
  fit(train: Dataset, fitOptions: FitOptions = {}): FitResult {
    if (train.size === 0) throw new DataError('fit: the training set has no ratings');
    const stopping = resolveEarlyStopping(fitOptions);
    const shape = this.shape;
    const start = performance.now();
    const engine = createEngine(shape.engine, shape.wasmVariant);
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
    const trained: Trained = {
      engine, factors, users: train.users, items: train.items, mu, trainMean, scale: train.scale, seenStart, seenItems,
    };
    trained.factors = trainer.predictionFactors();
    const validation = fitOptions.validation ? this.prepareScoring(trained, fitOptions.validation) : undefined;
    const fullTrain = fitOptions.trainMetric === 'full' ? this.prepareScoring(trained, train) : undefined;

    const epochs: EpochReport[] = [];
    let best: { rmse: number; epoch: number; factors: FactorBlock } | undefined;
    for (let epoch = 1; epoch <= shape.epochs; epoch++) {
      const t0 = performance.now();
      const sse = trainer.epoch();
      const report: EpochReport = { epoch, trainRmse: Math.sqrt(sse / n), seconds: (performance.now() - t0) / 1000 };
      // Each error is taken before its own update, so the pass's loss can stay finite while the
      // updates blow up: the parameters themselves are checked too.
      if (!Number.isFinite(sse) || !parametersBounded(factors)) throw new DivergenceError(epoch, epochs);
      trained.factors = trainer.predictionFactors();
      if (fullTrain) report.trainRmse = fullTrain.score().rmse;
      if (validation) {
        const { rmse, mae } = validation.score();
        if (!Number.isFinite(rmse)) throw new DivergenceError(epoch, epochs);
        report.validationRmse = rmse;
        report.validationMae = mae;
      }
      epochs.push(report);
      fitOptions.onEpoch?.(report);
      if (stopping) {
        const rmse = report.validationRmse!;
        if (best === undefined || rmse < best.rmse - stopping.minDelta) {
          // Only the factors predictions use are kept: what restoring needs once the fit ends.
          if (stopping.restoreBest) best = { rmse, epoch, factors: copyFactors(trained.factors, createEngine('js')).factors };
          else best = { rmse, epoch, factors: trained.factors };
        } else if (epoch - best.epoch >= stopping.patience) {
          break;
        }
      }
    }
    const finalFactors = stopping?.restoreBest && best ? best.factors : trained.factors;
    // The training ratings and scoring buffers are not needed any more: keep the factors alone
    // in a fresh engine, so a fitted model holds (users + items) x k floats, not the data.
    this.trained = { ...trained, ...copyFactors(finalFactors, createEngine(shape.engine, shape.wasmVariant)) };
    return {
      epochs,
      fitSeconds: (performance.now() - start) / 1000,
      bestEpoch: stopping && best ? best.epoch : undefined,
    };
  }

  get isFitted(): boolean {
    return this.trained !== undefined;
  }

  /** The estimate for one (user, item) pair by raw ids. Unknown ids never give NaN. */
  predict(user: RawId, item: RawId): Prediction {
    const m = this.model();
    const u = m.users.get(user);
    const i = m.items.get(item);
    // Fallbacks rounded to float32 like every kernel result, so predict and predictMany agree exactly.
    const estimate = u >= 0 && i >= 0 ? this.scorePair(m, u, i) : Math.fround(clip(this.fallback(m, u, i), m.scale));
    return {
      user: String(user),
      item: String(item),
      estimate,
      userKnown: u >= 0,
      itemKnown: i >= 0,
      impossible: u < 0 || i < 0,
    };
  }

  /**
   * Estimates for many (user, item) pairs, in order, clipped to the rating scale and scored in
   * one kernel call: a Dataset (its ratings ignored) or an array of [user, item] raw-id pairs.
   * Unknown ids get the same fallbacks as `predict`.
   */
  predictMany(pairs: Dataset | ReadonlyArray<readonly [RawId, RawId]>): Float32Array {
    const m = this.model();
    const data = pairs instanceof Dataset ? pairs : Dataset.fromTriples(pairs.map(([u, i]) => [u, i, 0] as const), m.scale);
    const mark = m.engine.mark();
    try {
      return this.prepareScoring(m, data).predict().slice();
    } finally {
      m.engine.release(mark);
    }
  }

  /**
   * The n items with the highest scores for a known user (by default excluding the items the
   * user rated in training), best first. Scores are unclipped estimates.
   */
  recommend(user: RawId, { n = 10, excludeSeen = true }: { n?: number; excludeSeen?: boolean } = {}): Recommendation[] {
    if (!Number.isInteger(n) || n < 0) throw new OptionError('n', 'an integer >= 0', n);
    const m = this.model();
    const u = m.users.get(user);
    if (u < 0) throw new DataError(`recommend: unknown user ${JSON.stringify(String(user))}`);
    const itemCount = m.items.size;
    const mark = m.engine.mark();
    let scores: Float32Array;
    try {
      const out = m.engine.allocF32(itemCount);
      const base = this.shape.biased ? m.mu + m.factors.bu.array()[u] : 0;
      m.engine.scoreItems(u, m.factors, itemCount, base, out);
      scores = out.array().slice();
    } finally {
      m.engine.release(mark);
    }
    if (excludeSeen) {
      for (let t = m.seenStart[u]; t < m.seenStart[u + 1]; t++) scores[m.seenItems[t]] = -Infinity;
    }
    const order = Array.from({ length: itemCount }, (_, i) => i).filter((i) => scores[i] !== -Infinity);
    order.sort((a, b) => scores[b] - scores[a] || a - b);
    return order.slice(0, n).map((i) => ({ item: m.items.raw[i], score: scores[i] }));
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
    const m = this.model();
    const u = m.users.get(user);
    return u < 0 ? undefined : m.factors.P.array().slice(u * m.factors.stride, u * m.factors.stride + this.shape.factors);
  }

  /** A copy of the item's factor vector (length k), or undefined for an unknown item. */
  itemFactors(item: RawId): Float32Array | undefined {
    const m = this.model();
    const i = m.items.get(item);
    return i < 0 ? undefined : m.factors.Q.array().slice(i * m.factors.stride, i * m.factors.stride + this.shape.factors);
  }

  userBias(user: RawId): number | undefined {
    const m = this.model();
    const u = m.users.get(user);
    return u < 0 ? undefined : m.factors.bu.array()[u];
  }

  itemBias(item: RawId): number | undefined {
    const m = this.model();
    const i = m.items.get(item);
    return i < 0 ? undefined : m.factors.bi.array()[i];
  }

  /** Raw ids of the users and items the model knows, in internal-id order. */
  get userIds(): readonly string[] {
    return this.model().users.raw;
  }
  get itemIds(): readonly string[] {
    return this.model().items.raw;
  }

  private model(): Trained {
    if (!this.trained) throw new LatentrecError(`${this.constructor.name}: call fit() before using the model`);
    return this.trained;
  }

  /** One known pair through the same kernel as predictMany, so both give the same number. */
  private scorePair(m: Trained, u: number, i: number): number {
    const mark = m.engine.mark();
    try {
      const users = m.engine.allocU32(1), items = m.engine.allocU32(1), out = m.engine.allocF32(1);
      users.array()[0] = u;
      items.array()[0] = i;
      m.engine.predictPairs(users, items, 1, m.factors, m.mu, m.scale.lo, m.scale.hi, out);
      return out.array()[0];
    } finally {
      m.engine.release(mark);
    }
  }

  /** Surprise's fallbacks: SVD keeps the known baseline parts; MF falls back to the global mean. */
  private fallback(m: Trained, u: number, i: number): number {
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
  private prepareScoring(m: Trained, data: Dataset) {
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
        if (u < 0 || i < 0) estimates[t] = clip(this.fallback(m, u, i), m.scale);
      }
      m.engine.predictPairs(users, items, known, m.factors, m.mu, m.scale.lo, m.scale.hi, out);
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
 * No converging fit on any rating scale has parameters near 1e15, and below that bound no
 * prediction can overflow float32 (|p·q| <= k·1e30 < 3.4e38 for k <= MAX_FACTORS): so anything
 * at or beyond it (or NaN) is divergence, caught before it turns into NaN predictions.
 */
const PARAMETER_LIMIT = 1e15;

function parametersBounded(f: FactorBlock): boolean {
  for (const h of [f.P, f.Q, f.bu, f.bi]) {
    const a = h.array();
    for (let t = 0; t < a.length; t++) if (!(Math.abs(a[t]) < PARAMETER_LIMIT)) return false;
  }
  return true;
}

function copyFactors(f: FactorBlock, engine: Engine): { engine: Engine; factors: FactorBlock } {
  const copy = (h: F32): F32 => {
    const c = engine.allocF32(h.length);
    c.array().set(h.array());
    return c;
  };
  return { engine, factors: { P: copy(f.P), Q: copy(f.Q), bu: copy(f.bu), bi: copy(f.bi), stride: f.stride } };
}

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
  const { start, rows } = groupRows(train.userIndex, train.userCount);
  return { seenStart: start, seenItems: rows.map((row) => train.itemIndex[row]) };
}
