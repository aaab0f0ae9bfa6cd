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
// Serving: the average of the per-sample dot products is itself one dot product of the samples
// stacked side by side, (1/S) Σ_s v_u^(s)·v_i^(s) = ṽ_u·ṽ_i with ṽ = [v^(1) … v^(S)] / √S, so the
// fitted model is a factor model of k·S factors whose predictions are the exact posterior mean over
// the S samples it keeps (all kept samples, thinned evenly to `servingSamples` or to what fits in
// 4096 factors), and predict, recommend, similar items, fold-in and model files work as for SVD.
import type { Dataset } from '../../data/dataset.js';
import { groupRows } from '../../data/group.js';
import { strideFor, type BfmSide, type Engine, type F32, type FactorBlock, type U32 } from '../../engine/index.js';
import { OptionError } from '../../errors.js';
import { gammaDraw } from '../../util/gamma.js';
import type { RandomSource } from '../../util/random.js';
import { optionsObject } from '../core/arguments.js';
import type { FitScoring } from '../core/fit-loop.js';
import type { Fitted } from '../core/fitted.js';
import type { FitSession, ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, integer, nonNegative, resolveCommon, type CommonOptions, type ResolvedCommon } from '../core/options.js';
import { MAX_FACTORS, PARAMETER_LIMIT, withinParameterLimit } from '../core/state.js';
import type { EpochLoss, FitOptions, RatingEpochReport } from '../core/types.js';
import { RatingBase } from './rating-base.js';

export interface BfmOptions extends Omit<CommonOptions, 'epochs'> {
  /** Latent factors k of each sample (default 10). */
  factors?: number;
  /** Gibbs sweeps in all, burn-in included (default 200); one sweep is one epoch. */
  samples?: number;
  /** The first sweeps, left out of the posterior mean (default 10, or half the samples when fewer than 20; must be below `samples`). */
  burnIn?: number;
  /**
   * How many of the kept samples the fitted model serves from (evenly thinned; default all of
   * them, at most 4096 / factors). Fewer make a smaller model file; the learning curve's figures
   * average every kept sample either way.
   */
  servingSamples?: number;
  /** Standard deviation of the initial factors (default 0.1). */
  initStd?: number;
}

/** Every key BfmOptions has. */
export const BFM_OPTION_KEYS = ['factors', 'samples', 'burnIn', 'servingSamples', 'initStd', 'seed', 'engine', 'wasmVariant', 'rng'] as const satisfies readonly (keyof BfmOptions)[];

/** myFM's: rank 10 at 200 sweeps reaches RMSE 0.893–0.895 on MovieLens 100k with user and item ids alone. */
export const BFM_DEFAULTS = { factors: 10, samples: 200, burnIn: 10, initStd: 0.1 } as const;

/**
 * The priors' constants, as libFM and myFM: the noise precision α ~ Gamma(α0/2, β0/2); w0 ~ N(0,
 * 1/REG_0); each group's precision λ ~ Gamma(α0/2, β0/2) and mean μ ~ N(μ0, 1/(γ0 λ)).
 */
const ALPHA_0 = 1, BETA_0 = 1, GAMMA_0 = 1, MU_0 = 0, REG_0 = 1;

export type ResolvedBfmOptions = ResolvedCommon & { samples: number; burnIn: number; servingSamples: number; initStd: number };

export class BayesianFM extends RatingBase {
  protected readonly stateKind = 'bfm' as const;
  readonly options: ResolvedBfmOptions;
  protected readonly shape: ModelShape;
  /** A validation set is scored on the running posterior mean by the sampler itself. */
  protected override readonly fitOptionKeys: readonly string[] = ['validation'];
  /** The fitted state is built from the samples at the end: there is no epoch to go back to. */
  protected override readonly supportsCheckpoint = false;
  /** The fit in progress (its validation set, its sampler). */
  private session: { validation?: Dataset; sampler?: GibbsSampler } | undefined;

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
    this.options = { ...common, samples, burnIn, servingSamples, initStd: nonNegative('initStd', options.initStd ?? d.initStd) };
    // The fitted model's factors are the served samples side by side (see the top of this file).
    this.shape = {
      factors: common.factors * servingSamples, biased: true, epochs: samples, engine: common.engine,
      wasmVariant: common.wasmVariant, seed: common.seed, rng: common.rng,
    };
  }

  /** The sampler's arrays beside the ratings and the served factors. */
  protected override extraMemoryBytes(train: Dataset): number {
    const stride = strideFor(this.options.factors);
    const rows = train.userCount + train.itemCount;
    return (rows * (stride + 1) + 2 * rows + 4 * train.size + (rows + 2) * (this.options.factors + 1) + 4 * stride) * 4 + train.size * 8;
  }

  protected override beginFit<O extends FitOptions>(train: Dataset, options: O): FitSession<O> {
    this.session = { validation: options.validation };
    return { train, options, cleanup: () => (this.session = undefined) };
  }

  protected initialize(): void {
    // The sampler initializes its own parameters; the served factors are written as samples come.
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const sampler = new GibbsSampler(setup, this.options, this.session?.validation);
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

/** One side of the model as the sampler keeps it (rows, parameters, hyperparameters). */
interface Side extends BfmSide {
  muV: F32;
  lambdaV: F32;
  muW: number;
  lambdaW: number;
}

/** The Gibbs sampler of one fit: its parameters and caches in engine memory, the running means. */
class GibbsSampler implements Trainer {
  private readonly engine: Engine;
  private readonly k: number;
  private readonly stride: number;
  private readonly n: number;
  private readonly random: RandomSource;
  private readonly users: Side;
  private readonly items: Side;
  /** Centred ratings (y − the training mean) and the residuals e = y − ŷ, in the data's order. */
  private readonly target: Float32Array;
  private readonly e: F32;
  private readonly ratingUsers: U32;
  private readonly ratingItems: U32;
  private readonly predicted: F32;
  private readonly normals: F32;
  private readonly h: F32;
  private readonly eb: F32;
  private w0 = 0;
  private alpha = 1;
  private sweeps = 0;
  /** Post-burn-in sweeps, and those written into the served factors. */
  private kept = 0;
  private served = 0;
  /** Running sums of the per-sample predictions (training data; validation set). */
  private readonly trainSum: Float64Array;
  private readonly validation: { data: Dataset; users: U32; items: U32; count: number; rows: Uint32Array; out: F32; sum: Float64Array; fallback: Float64Array; userOf: Int32Array; itemOf: Int32Array } | undefined;
  /** Sums of the linear terms over the served samples (their means become the biases). */
  private readonly sumWu: Float64Array;
  private readonly sumWi: Float64Array;
  private sumW0 = 0;

  constructor(
    private readonly setup: TrainingSetup,
    private readonly o: ResolvedBfmOptions,
    validation: Dataset | undefined,
  ) {
    const { engine, train, random } = setup;
    this.engine = engine;
    this.random = random;
    this.k = o.factors;
    this.stride = strideFor(this.k);
    this.n = train.size;
    this.users = this.side(train.userIndex, train.itemIndex, train.userCount);
    this.items = this.side(train.itemIndex, train.userIndex, train.itemCount);
    this.target = Float32Array.from(train.ratings, (r) => r - setup.mu);
    this.e = engine.allocF32(this.n);
    this.ratingUsers = setup.ratings.users;
    this.ratingItems = setup.ratings.items;
    this.predicted = engine.allocF32(this.n);
    this.normals = engine.allocF32(Math.max(train.userCount, train.itemCount) * (this.k + 1));
    const longest = Math.max(longestRow(this.users.start.array()), longestRow(this.items.start.array()));
    const longest4 = Math.ceil(longest / 4) * 4;
    this.h = engine.allocF32(Math.max(1, this.k * longest4));
    this.eb = engine.allocF32(Math.max(4, longest4));
    this.trainSum = new Float64Array(this.n);
    this.sumWu = new Float64Array(train.userCount);
    this.sumWi = new Float64Array(train.itemCount);
    // myFM's initialization: the factors from N(0, initStd²); the linear terms and w0 at 0 (the
    // ratings are centred, so w0 starts where the data is).
    for (const side of [this.users, this.items]) {
      const V = side.V.array();
      for (let r = 0; r < side.rowCount; r++) for (let f = 0; f < this.k; f++) V[r * this.stride + f] = random.nextNormal(0, o.initStd);
    }
    this.validation = validation ? this.prepareValidation(train, validation) : undefined;
    this.refreshResiduals();
  }

  /** A side's rows (CSR by `rows`, each rating's other side in `cols`, its index in `slots`). */
  private side(rowOf: Uint32Array, colOf: Uint32Array, rowCount: number): Side {
    const engine = this.engine;
    const { start, rows } = groupRows(rowOf, rowCount);
    const s: Side = {
      start: engine.allocU32(start.length), cols: engine.allocU32(rows.length), slots: engine.allocU32(rows.length), rowCount,
      W: engine.allocF32(rowCount), V: engine.allocF32(rowCount * strideFor(this.k)),
      muV: engine.allocF32(this.k), lambdaV: engine.allocF32(this.k), muW: 0, lambdaW: 1,
    };
    s.start.array().set(start);
    s.slots.array().set(rows);
    const cols = s.cols.array();
    for (let t = 0; t < rows.length; t++) cols[t] = colOf[rows[t]];
    s.lambdaV.array().fill(1);
    return s;
  }

  /** One Gibbs sweep (see the top of the file); its loss is the running posterior mean's training RMSE. */
  epoch(): EpochLoss {
    this.drawNoisePrecision();
    this.drawGlobalBias();
    for (const side of [this.users, this.items]) this.drawHyperparameters(side);
    this.drawRows(this.users, this.items);
    this.drawRows(this.items, this.users);
    // Recomputed from the parameters after every sweep (as myFM): no drift from the updates.
    this.refreshResiduals();
    this.sweeps++;
    const afterBurnIn = this.sweeps > this.o.burnIn;
    if (afterBurnIn) {
      this.kept++;
      this.accumulate();
    }
    return { value: this.trainRmse(afterBurnIn), kind: 'rmse' };
  }

  /** The sample's parameters (the served factors are copies of samples that passed this check). */
  bounded(): boolean {
    return Math.abs(this.w0) < PARAMETER_LIMIT && withinParameterLimit([this.users.W, this.users.V, this.items.W, this.items.V]);
  }

  /** The served factors: samples written so far (scaled when the fit ends, see finish). */
  predictionFactors(): FactorBlock {
    return this.setup.factors;
  }

  /**
   * The fit ended (all sweeps, or aborted): the served samples are scaled by 1/√S and the biases
   * are the means of the linear terms, w0 folded into the items' (so an unknown user still gets
   * w0 + w_i). A fit stopped during burn-in serves its last sample.
   */
  finish(): void {
    if (this.served === 0) this.storeSample(0);
    const S = this.served;
    const scale = 1 / Math.sqrt(S);
    const f = this.setup.factors;
    for (const M of [f.P.array(), f.Q.array()]) for (let t = 0; t < M.length; t++) M[t] = M[t] * scale;
    const bu = f.bu.array(), bi = f.bi.array(), w0 = this.sumW0 / S;
    for (let u = 0; u < bu.length; u++) bu[u] = this.sumWu[u] / S;
    for (let i = 0; i < bi.length; i++) bi[i] = this.sumWi[i] / S + w0;
  }

  /** The running posterior mean on the validation set (clipped to the scale), once samples are kept. */
  validationScores(): { rmse: number; mae: number } | undefined {
    const v = this.validation;
    if (!v) return undefined;
    const { lo, hi } = this.setup.train.scale;
    const count = Math.max(1, this.kept);
    let se = 0, ae = 0;
    for (let t = 0; t < v.data.size; t++) {
      const mean = this.setup.mu + v.sum[t] / count;
      const err = v.data.ratings[t] - Math.min(hi, Math.max(lo, mean));
      se += err * err;
      ae += Math.abs(err);
    }
    return { rmse: Math.sqrt(se / v.data.size), mae: ae / v.data.size };
  }

  // --- The conditional draws ------------------------------------------------------------------

  /** α | e ~ Gamma((α0 + n)/2, (β0 + Σ e²)/2). */
  private drawNoisePrecision(): void {
    const e = this.e.array();
    let sse = 0;
    for (let t = 0; t < this.n; t++) sse += e[t] * e[t];
    this.alpha = gammaDraw(this.random, (ALPHA_0 + this.n) / 2, (BETA_0 + sse) / 2);
  }

  /** w0 | rest ~ N(α Σ (e + w0) / (α n + REG_0), 1 / (α n + REG_0)); the residuals follow. */
  private drawGlobalBias(): void {
    const e = this.e.array();
    let sum = 0;
    for (let t = 0; t < this.n; t++) sum += e[t];
    const precision = this.alpha * this.n + REG_0;
    const mean = (this.alpha * (sum + this.n * this.w0)) / precision;
    const w0 = Math.fround(mean + this.random.nextNormal() / Math.sqrt(precision));
    const d = Math.fround(this.w0 - w0);
    for (let t = 0; t < this.n; t++) e[t] = Math.fround(e[t] + d);
    this.w0 = w0;
  }

  /** A group's λ given its current μ, then μ given the new λ: for w, and for each factor. */
  private drawHyperparameters(side: Side): void {
    const n = side.rowCount, W = side.W.array(), V = side.V.array(), stride = this.stride;
    [side.lambdaW, side.muW] = this.normalGamma(n, (t) => W[t], side.muW);
    const muV = side.muV.array(), lambdaV = side.lambdaV.array();
    for (let f = 0; f < this.k; f++) {
      const [lambda, mu] = this.normalGamma(n, (t) => V[t * stride + f], muV[f]);
      lambdaV[f] = lambda;
      muV[f] = mu;
    }
  }

  /**
   * λ ~ Gamma((α0 + n)/2, (β0 + Σ (θ − μ)²)/2) with the current μ, then
   * μ ~ N((γ0 μ0 + Σ θ)/(γ0 + n), 1/(λ (γ0 + n))). Returned in f32, as the kernels read them.
   */
  private normalGamma(n: number, value: (t: number) => number, mu: number): [number, number] {
    let sum = 0, squares = 0;
    for (let t = 0; t < n; t++) {
      const x = value(t);
      sum += x;
      squares += (x - mu) * (x - mu);
    }
    const lambda = Math.fround(gammaDraw(this.random, (ALPHA_0 + n) / 2, (BETA_0 + squares) / 2));
    const count = GAMMA_0 + n;
    const mean = (GAMMA_0 * MU_0 + sum) / count;
    return [lambda, Math.fround(mean + this.random.nextNormal() / Math.sqrt(lambda * count))];
  }

  /** Every row of `side` from its conditional: the standard normals drawn here, the rest in the kernel. */
  private drawRows(side: Side, other: Side): void {
    const z = this.normals.array(), count = side.rowCount * (this.k + 1);
    for (let t = 0; t < count; t++) z[t] = this.random.nextNormal();
    const prior = { muW: side.muW, lambdaW: side.lambdaW, muV: side.muV, lambdaV: side.lambdaV };
    this.engine.bfmSampleRows(side, other.V, this.stride, this.k, this.e, this.alpha, prior, this.normals, this.h, this.eb);
  }

  // --- Residuals, running means and the served samples -----------------------------------------

  /** e = (y − mean) − ŷ, with ŷ = w0 + w_u + w_i + v_u·v_i from the current sample. */
  private refreshResiduals(): void {
    this.engine.predictPairs(this.ratingUsers, this.ratingItems, this.n, this.currentBlock(), this.w0, -Infinity, Infinity, this.predicted);
    const p = this.predicted.array(), e = this.e.array();
    for (let t = 0; t < this.n; t++) e[t] = Math.fround(this.target[t] - p[t]);
  }

  /** The current sample as a factor block (P, Q: the factors; bu, bi: the linear terms). */
  private currentBlock(): FactorBlock {
    return { P: this.users.V, Q: this.items.V, bu: this.users.W, bi: this.items.W, stride: this.stride };
  }

  /** Adds the current sample to the running means, and to the served factors when it is one of them. */
  private accumulate(): void {
    const p = this.predicted.array();
    for (let t = 0; t < this.n; t++) this.trainSum[t] += p[t];
    const v = this.validation;
    if (v) {
      this.engine.predictPairs(v.users, v.items, v.count, this.currentBlock(), this.w0, -Infinity, Infinity, v.out);
      const out = v.out.array(), Wu = this.users.W.array(), Wi = this.items.W.array();
      for (let t = 0; t < v.count; t++) v.sum[v.rows[t]] += out[t];
      // Pairs with an unknown user or item: the known linear terms and w0.
      for (let t = 0; t < v.data.size; t++) {
        const u = v.userOf[v.data.userIndex[t]], i = v.itemOf[v.data.itemIndex[t]];
        if (u >= 0 && i >= 0) continue;
        v.sum[t] += this.w0 + (u >= 0 ? Wu[u] : 0) + (i >= 0 ? Wi[i] : 0);
      }
    }
    // Evenly spaced among the kept sweeps: sample j of `served` is kept sweep floor(j·kept/served).
    const total = this.o.samples - this.o.burnIn, slot = this.served;
    if (slot < this.o.servingSamples && Math.floor((slot * total) / this.o.servingSamples) === this.kept - 1) this.storeSample(slot);
  }

  /** Writes the current sample into slot `slot` of the served factors (unscaled; see finish). */
  private storeSample(slot: number): void {
    const f = this.setup.factors, k = this.k, stride = this.stride, wide = f.stride;
    for (const [side, M, sum] of [[this.users, f.P.array(), this.sumWu], [this.items, f.Q.array(), this.sumWi]] as const) {
      const V = side.V.array(), W = side.W.array();
      for (let r = 0; r < side.rowCount; r++) {
        for (let c = 0; c < k; c++) M[r * wide + slot * k + c] = V[r * stride + c];
        sum[r] += W[r];
      }
    }
    this.sumW0 += this.w0;
    this.served++;
  }

  /** The training RMSE of the running posterior mean (during burn-in: of the current sample). */
  private trainRmse(afterBurnIn: boolean): number {
    const { lo, hi } = this.setup.train.scale;
    const ratings = this.setup.train.ratings, p = this.predicted.array(), mu = this.setup.mu;
    let se = 0;
    for (let t = 0; t < this.n; t++) {
      const mean = mu + (afterBurnIn ? this.trainSum[t] / this.kept : p[t]);
      const err = ratings[t] - Math.min(hi, Math.max(lo, mean));
      se += err * err;
    }
    return Math.sqrt(se / this.n);
  }

  /** The validation pairs the model can score in one kernel call, and the map for the others. */
  private prepareValidation(train: Dataset, data: Dataset) {
    const userOf = Int32Array.from(data.users.raw, (id) => train.users.get(id));
    const itemOf = Int32Array.from(data.items.raw, (id) => train.items.get(id));
    const rows: number[] = [];
    for (let t = 0; t < data.size; t++) if (userOf[data.userIndex[t]] >= 0 && itemOf[data.itemIndex[t]] >= 0) rows.push(t);
    const users = this.engine.allocU32(rows.length), items = this.engine.allocU32(rows.length);
    const us = users.array(), is = items.array();
    rows.forEach((t, j) => {
      us[j] = userOf[data.userIndex[t]];
      is[j] = itemOf[data.itemIndex[t]];
    });
    return {
      data, users, items, count: rows.length, rows: Uint32Array.from(rows), out: this.engine.allocF32(rows.length),
      sum: new Float64Array(data.size), fallback: new Float64Array(0), userOf, itemOf,
    };
  }
}

function longestRow(start: Uint32Array): number {
  let most = 0;
  for (let r = 0; r + 1 < start.length; r++) most = Math.max(most, start[r + 1] - start[r]);
  return most;
}
