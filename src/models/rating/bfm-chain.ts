// What the Bayesian FM's two Gibbs samplers share (bfm-row-sampler.ts for user and item ids
// alone, bfm-block-sampler.ts for relation blocks): the noise precision, the global bias and the
// Normal–Gamma hyperparameters, the running posterior means on the training data and the
// validation set, and the served samples.
//
// Serving: the average of the per-sample dot products is itself one dot product of the samples
// stacked side by side, (1/S) Σ_s p_u^(s)·q_i^(s) = p̃_u·q̃_i with p̃ = [p^(1) … p^(S)] / √S, so the
// fitted model is a factor model of k·S factors whose predictions are the exact posterior mean
// over the S samples it keeps. Each sampler gives its current sample as such a factor block
// (`sampleBlock`): user and item vectors, and per-user and per-item offsets.
import type { Dataset } from '../../data/dataset.js';
import type { Engine, F32, FactorBlock, U32 } from '../../engine/index.js';
import { gammaDraw } from '../../util/gamma.js';
import type { RandomSource } from '../../util/random.js';
import type { Trainer, TrainingSetup } from '../core/model.js';
import type { EpochLoss } from '../core/types.js';
import type { DayTerms } from '../core/days.js';
import type { UserBag } from '../core/user-bag.js';
import { expectedRatingTable, type OrdinalLink } from '../core/link.js';
import { CutpointSampler, ratingLevels } from './bfm-ordinal.js';

/**
 * The priors' constants, as libFM and myFM: the noise precision α ~ Gamma(α0/2, β0/2); w0 ~ N(0,
 * 1/REG_0); each group's precision λ ~ Gamma(α0/2, β0/2) and mean μ ~ N(μ0, 1/(γ0 λ)).
 */
export const ALPHA_0 = 1, BETA_0 = 1, GAMMA_0 = 1, MU_0 = 0, REG_0 = 1;

/** What a chain needs of the model's options. */
export interface ChainOptions {
  factors: number;
  samples: number;
  burnIn: number;
  servingSamples: number;
  initStd: number;
  /** An ordered-probit output (bfm-ordinal.ts) instead of a Gaussian one. */
  ordinal: boolean;
}

/** The ordinal output's state: the cut points' sampler, and running sums for the served link. */
interface Ordinal {
  levels: number[];
  cutpoints: CutpointSampler;
  /** Σ γ over the kept samples. */
  gammaSum: Float64Array;
  /** Σ ŷ² per training rating over the kept samples (the posterior spread of ŷ). */
  squares: Float64Array;
}

type Residuals = Float32Array | Float64Array;

interface ValidationPairs {
  data: Dataset;
  users: U32;
  items: U32;
  count: number;
  rows: Uint32Array;
  out: F32;
  sum: Float64Array;
  userOf: Int32Array;
  itemOf: Int32Array;
}

export abstract class GibbsChain implements Trainer {
  protected readonly engine: Engine;
  protected readonly random: RandomSource;
  protected readonly k: number;
  protected readonly n: number;
  /** What ŷ is fitted to, in the data's order: y − the training mean, or the latent z of the ordinal output. */
  protected readonly target: Float32Array;
  /** What ŷ is measured from: the training mean (Gaussian output) or 0 (the ordinal output's latent scale). */
  private readonly offset: number;
  private readonly ordinal: Ordinal | undefined;
  protected w0 = 0;
  protected alpha = 1;
  private sweeps = 0;
  /** Post-burn-in sweeps, and those written into the served factors. */
  private kept = 0;
  private served = 0;
  /** Running sums of the per-sample predictions (training data; validation set). */
  private readonly trainSum: Float64Array;
  private validation: ValidationPairs | undefined;
  /** Sums of the per-user and per-item offsets over the served samples (their means become the biases). */
  private readonly sumBu: Float64Array;
  private readonly sumBi: Float64Array;
  private sumW0 = 0;

  constructor(
    protected readonly setup: TrainingSetup,
    protected readonly o: ChainOptions,
  ) {
    this.engine = setup.engine;
    this.random = setup.random;
    this.k = o.factors;
    this.n = setup.train.size;
    if (o.ordinal) {
      const { levels, levelOf } = ratingLevels(setup.train.ratings, 'fit');
      const d = levels.length - 1;
      this.ordinal = { levels, cutpoints: new CutpointSampler(levelOf, levels.length, setup.random), gammaSum: new Float64Array(d), squares: new Float64Array(this.n) };
    }
    this.offset = o.ordinal ? 0 : setup.mu;
    this.target = Float32Array.from(setup.train.ratings, (r) => r - this.offset);
    this.trainSum = new Float64Array(this.n);
    this.sumBu = new Float64Array(setup.train.userCount);
    this.sumBi = new Float64Array(setup.train.itemCount);
  }

  /** Call once the subclass's parameters exist: scores `validation` on the running mean. */
  protected startValidation(validation: Dataset | undefined): void {
    this.validation = validation ? this.prepareValidation(this.setup.train, validation) : undefined;
  }

  /** The residuals e = (y − mean) − ŷ, in the data's order (f32 or f64, as the sampler keeps them). */
  protected abstract residuals(): Residuals;
  /** How the sampler stores a number it keeps (Math.fround for f32 state). */
  protected abstract readonly round: (x: number) => number;
  /** Every parameter but α and w0 drawn once from its conditional. */
  protected abstract drawParameters(): void;
  /** Recomputes ŷ of every rating from the parameters, and the residuals from it. */
  protected abstract refreshResiduals(): void;
  /** ŷ of every rating for the current sample (after refreshResiduals). */
  protected abstract predictions(): ArrayLike<number>;
  /** The current sample as a factor block: k factors per user and item, and their offsets. */
  protected abstract sampleBlock(): FactorBlock;
  abstract bounded(): boolean;

  /** One Gibbs sweep; its loss is the running posterior mean's training RMSE. */
  epoch(): EpochLoss {
    // The ordinal output starts at the cut points' mode for the first ŷ, and latents drawn from them.
    if (this.ordinal && this.sweeps === 0) {
      this.ordinal.cutpoints.start(this.predictions());
      this.drawLatents();
    }
    this.drawNoisePrecision();
    this.drawGlobalBias();
    this.drawParameters();
    // Recomputed from the parameters after every sweep (as myFM): no drift from the updates.
    this.refreshResiduals();
    if (this.ordinal) {
      this.ordinal.cutpoints.step(this.predictions());
      this.drawLatents();
    }
    this.sweeps++;
    const afterBurnIn = this.sweeps > this.o.burnIn;
    if (afterBurnIn) {
      this.kept++;
      this.accumulate();
    }
    return { value: this.trainRmse(afterBurnIn), kind: 'rmse' };
  }

  /** New latents z given ŷ and the cut points, and the residuals e = z − ŷ. */
  private drawLatents(): void {
    const p = this.predictions(), e = this.residuals(), z = this.target, round = this.round;
    this.ordinal!.cutpoints.drawLatents(p, z);
    for (let t = 0; t < this.n; t++) e[t] = round(z[t] - p[t]);
  }

  /**
   * The ordinal output's served link: the mean cut points over the kept samples, and the spread
   * √(1 + v̄) with v̄ the mean posterior variance of ŷ over the training ratings (the per-sample
   * probabilities averaged as if ŷ were normal around its mean: Φ((ŷ̄ − γ)/√(1 + v))).
   */
  link(): OrdinalLink | undefined {
    const o = this.ordinal;
    if (!o) return undefined;
    const kept = this.kept;
    if (kept === 0) return { levels: o.levels, cutpoints: [...o.cutpoints.gamma], spread: 1 };
    let variance = 0;
    for (let t = 0; t < this.n; t++) {
      const mean = this.trainSum[t] / kept;
      variance += Math.max(0, o.squares[t] / kept - mean * mean);
    }
    return { levels: o.levels, cutpoints: Array.from(o.gammaSum, (g) => g / kept), spread: Math.sqrt(1 + variance / this.n) };
  }

  /** The served estimate of a latent mean: through the link's table, or clipped to the rating scale (Gaussian output). */
  private estimator(): (latent: number) => number {
    const link = this.link();
    if (link) return expectedRatingTable(link);
    const { lo, hi } = this.setup.train.scale, offset = this.offset;
    return (latent) => Math.min(hi, Math.max(lo, offset + latent));
  }

  /** The served factors: samples written so far (scaled when the fit ends, see finish). */
  predictionFactors(): FactorBlock {
    return this.setup.factors;
  }

  /**
   * The fit ended (all sweeps, or aborted): the served samples are scaled by 1/√S and the biases
   * are the means of the offsets. μ takes w0 and the mean user and item offsets, the biases the
   * rest, so a user or item the model does not know falls back to an average one (the posterior
   * mean of a pair with an unknown item is μ + b_u + its item's offset, whose mean is the
   * best guess). A fit stopped during burn-in serves its last sample.
   */
  finish(): { mu: number; link?: OrdinalLink; days?: DayTerms; bag?: UserBag } {
    const link = this.link();
    if (this.served === 0) this.storeSample(0);
    const S = this.served;
    const scale = 1 / Math.sqrt(S);
    const f = this.setup.factors;
    for (const M of [f.P.array(), f.Q.array()]) for (let t = 0; t < M.length; t++) M[t] = M[t] * scale;
    let mu = this.offset + this.sumW0 / S;
    for (const [out, sum] of [[f.bu.array(), this.sumBu], [f.bi.array(), this.sumBi]] as const) {
      let mean = 0;
      for (let r = 0; r < sum.length; r++) mean += sum[r] / S;
      mean /= Math.max(1, sum.length);
      for (let r = 0; r < sum.length; r++) out[r] = sum[r] / S - mean;
      mu += mean;
    }
    const days = this.servedDays(S), bag = this.servedBag(S);
    return { mu, ...(link ? { link } : {}), ...(days ? { days } : {}), ...(bag ? { bag } : {}) };
  }

  /** The running posterior mean on the validation set (clipped to the scale), once samples are kept. */
  validationScores(): { rmse: number; mae: number } | undefined {
    const v = this.validation;
    if (!v) return undefined;
    const count = Math.max(1, this.kept), estimate = this.estimator();
    let se = 0, ae = 0;
    for (let t = 0; t < v.data.size; t++) {
      const err = v.data.ratings[t] - estimate(v.sum[t] / count);
      se += err * err;
      ae += Math.abs(err);
    }
    return { rmse: Math.sqrt(se / v.data.size), mae: ae / v.data.size };
  }

  // --- What a sampler with more than users and items adds (the day block) ---------------------------

  /** Writes what the current sample adds to the served model into slot `slot` (unscaled). */
  protected storeExtra(_slot: number): void {}
  /** What the served samples add to the model, once `served` samples are stored. */
  protected servedDays(_served: number): DayTerms | undefined {
    return undefined;
  }
  /** The user bag the served model keeps for fold-in, once `served` samples are stored. */
  protected servedBag(_served: number): UserBag | undefined {
    return undefined;
  }
  /**
   * Adds to `sum` what the current sample adds to the validation set's known pairs beyond the
   * sample block (pair j is row rows[j] of `data`, user users[j], item items[j]).
   */
  protected addValidationExtra(_data: Dataset, _rows: Uint32Array, _users: Uint32Array, _items: Uint32Array, _sum: Float64Array): void {}

  // --- The draws every sampler makes ------------------------------------------------------------

  /** α | e ~ Gamma((α0 + n)/2, (β0 + Σ e²)/2). */
  private drawNoisePrecision(): void {
    if (this.ordinal) return; // the latent's noise is fixed at 1: the cut points carry the scale
    const e = this.residuals();
    let sse = 0;
    for (let t = 0; t < this.n; t++) sse += e[t] * e[t];
    this.alpha = gammaDraw(this.random, (ALPHA_0 + this.n) / 2, (BETA_0 + sse) / 2);
  }

  /** w0 | rest ~ N(α Σ (e + w0) / (α n + REG_0), 1 / (α n + REG_0)); the residuals follow. */
  private drawGlobalBias(): void {
    const e = this.residuals(), round = this.round;
    let sum = 0;
    for (let t = 0; t < this.n; t++) sum += e[t];
    const precision = this.alpha * this.n + REG_0;
    const mean = (this.alpha * (sum + this.n * this.w0)) / precision;
    const w0 = round(mean + this.random.nextNormal() / Math.sqrt(precision));
    const d = round(this.w0 - w0);
    for (let t = 0; t < this.n; t++) e[t] = round(e[t] + d);
    this.w0 = w0;
  }

  /**
   * A group's λ ~ Gamma((α0 + n)/2, (β0 + Σ (θ − μ)²)/2) with the current μ, then
   * μ ~ N((γ0 μ0 + Σ θ)/(γ0 + n), 1/(λ (γ0 + n))), over the n values `value(0 .. n)`.
   */
  protected normalGamma(n: number, value: (t: number) => number, mu: number): [lambda: number, mu: number] {
    let sum = 0, squares = 0;
    for (let t = 0; t < n; t++) {
      const x = value(t);
      sum += x;
      squares += (x - mu) * (x - mu);
    }
    const lambda = this.round(gammaDraw(this.random, (ALPHA_0 + n) / 2, (BETA_0 + squares) / 2));
    const count = GAMMA_0 + n;
    const mean = (GAMMA_0 * MU_0 + sum) / count;
    return [lambda, this.round(mean + this.random.nextNormal() / Math.sqrt(lambda * count))];
  }

  // --- Running means and the served samples ----------------------------------------------------

  /** Adds the current sample to the running means, and to the served factors when it is one of them. */
  private accumulate(): void {
    const p = this.predictions();
    for (let t = 0; t < this.n; t++) this.trainSum[t] += p[t];
    const o = this.ordinal;
    if (o) {
      for (let t = 0; t < this.n; t++) o.squares[t] += p[t] * p[t];
      o.cutpoints.gamma.forEach((g, m) => (o.gammaSum[m] += g));
    }
    const v = this.validation;
    if (v) {
      const block = this.sampleBlock();
      this.engine.predictPairs(v.users, v.items, v.count, block, this.w0, -Infinity, Infinity, v.out);
      const out = v.out.array(), bu = block.bu.array(), bi = block.bi.array();
      for (let t = 0; t < v.count; t++) v.sum[v.rows[t]] += out[t];
      this.addValidationExtra(v.data, v.rows, v.users.array(), v.items.array(), v.sum);
      // Pairs with an unknown user or item: w0, the known offsets and the other side's mean offset (see finish).
      const meanBu = mean(bu, this.setup.train.userCount), meanBi = mean(bi, this.setup.train.itemCount);
      for (let t = 0; t < v.data.size; t++) {
        const u = v.userOf[v.data.userIndex[t]], i = v.itemOf[v.data.itemIndex[t]];
        if (u >= 0 && i >= 0) continue;
        v.sum[t] += this.w0 + (u >= 0 ? bu[u] : meanBu) + (i >= 0 ? bi[i] : meanBi);
      }
    }
    // Evenly spaced among the kept sweeps: sample j of `served` is kept sweep floor(j·kept/served).
    const total = this.o.samples - this.o.burnIn, slot = this.served;
    if (slot < this.o.servingSamples && Math.floor((slot * total) / this.o.servingSamples) === this.kept - 1) this.storeSample(slot);
  }

  /** Writes the current sample into slot `slot` of the served factors (unscaled; see finish). */
  private storeSample(slot: number): void {
    const f = this.setup.factors, k = this.k, wide = f.stride;
    const block = this.sampleBlock(), stride = block.stride;
    for (const [V, B, M, sum] of [[block.P.array(), block.bu.array(), f.P.array(), this.sumBu], [block.Q.array(), block.bi.array(), f.Q.array(), this.sumBi]] as const) {
      for (let r = 0; r < sum.length; r++) {
        for (let c = 0; c < k; c++) M[r * wide + slot * k + c] = V[r * stride + c];
        sum[r] += B[r];
      }
    }
    this.storeExtra(slot);
    this.sumW0 += this.w0;
    this.served++;
  }

  /** The training RMSE of the running posterior mean (during burn-in: of the current sample). */
  private trainRmse(afterBurnIn: boolean): number {
    const ratings = this.setup.train.ratings, p = this.predictions(), estimate = this.estimator();
    let se = 0;
    for (let t = 0; t < this.n; t++) {
      const err = ratings[t] - estimate(afterBurnIn ? this.trainSum[t] / this.kept : p[t]);
      se += err * err;
    }
    return Math.sqrt(se / this.n);
  }

  /** The validation pairs the model can score in one kernel call, and the map for the others. */
  private prepareValidation(train: Dataset, data: Dataset): ValidationPairs {
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
    return { data, users, items, count: rows.length, rows: Uint32Array.from(rows), out: this.engine.allocF32(rows.length), sum: new Float64Array(data.size), userOf, itemOf };
  }
}

function mean(values: Float32Array, count: number): number {
  let sum = 0;
  for (let r = 0; r < count; r++) sum += values[r];
  return sum / Math.max(1, count);
}

/** The longest row of a CSR start array. */
export function longestRow(start: Uint32Array): number {
  let most = 0;
  for (let r = 0; r + 1 < start.length; r++) most = Math.max(most, start[r + 1] - start[r]);
  return most;
}
