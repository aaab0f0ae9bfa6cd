// The ordered-probit output of the Bayesian FM (Albert & Chib 1993; as tohtsky/myFM): a rating of
// level c is a latent z ~ N(ŷ, 1) that fell between the cut points γ_(c−1) and γ_c. Each sweep the
// cut points are drawn given ŷ with z integrated out, by Metropolis–Hastings with a multivariate t
// proposal around the mode of their conditional (found by Newton's method), then every z given the
// cut points; the factor sampler then fits ŷ to z with the noise precision fixed at 1.
//
// The cut points' conditional is a sum over ratings of log-probabilities of intervals, evaluated
// several times a step. The ratings' ŷ of each level are first spread over a grid BIN apart (each
// ŷ between its two nearest grid points, in proportion: linear binning), so a pass costs the
// number of occupied grid points, not of ratings: about 8,000 instead of 80,000 on MovieLens
// 100k, a few hundred thousand instead of 100 million on Netflix. The log-probability is smooth in
// ŷ (its second derivative is within [−1, 0]), so the binned sum is within BIN²/8 = 2e-6 nats per
// rating of the exact one.
//
// The cut points are parametrized as myFM does, α_0 = γ_0 and α_m = log(γ_m − γ_(m−1)), so any α is
// an increasing γ, with a N(0, 1/REG) prior on each α.
import { DataError } from '../../errors.js';
import { cholesky, LinalgError, solveSpd } from '../../linalg/index.js';
import { gammaDraw } from '../../util/gamma.js';
import { intervalLog, truncatedNormal } from '../../util/normal.js';
import { MAX_LEVELS } from '../core/link.js';
import type { RandomSource } from '../../util/random.js';

/** The prior precision of each α (myFM's reg_0) and the t proposal's degrees of freedom (myFM's nu_oprobit). */
const REG = 1, NU = 5;
/** The grid step of the binned ŷ (see the top of the file). */
const BIN = 1 / 256;

/** The ratings' ŷ, binned: entry e stands for weight[e] ratings of level[e] at ŷ = value[e]. */
interface Binned {
  level: Uint8Array;
  value: Float64Array;
  weight: Float64Array;
}
/** The distinct rating values, ascending, and each rating's level among them. */
export function ratingLevels(ratings: Float32Array, source: string): { levels: number[]; levelOf: Uint8Array } {
  const distinct = [...new Set(ratings)].sort((x, y) => x - y);
  if (distinct.length < 2 || distinct.length > MAX_LEVELS) {
    throw new DataError(
      `${source}: the ordinal output (option ordinal, --ordinal) needs ratings on a discrete scale of 2 to ${MAX_LEVELS} ` +
        `values; the training ratings take ${distinct.length} distinct value${distinct.length === 1 ? '' : 's'}` +
        (distinct.length > MAX_LEVELS ? ` (from ${shown(distinct[0])} to ${shown(distinct[distinct.length - 1])}): use the Gaussian output` : ''),
    );
  }
  const index = new Map(distinct.map((v, c) => [v, c]));
  return { levels: distinct, levelOf: Uint8Array.from(ratings, (r) => index.get(r)!) };
}

/** A float32 rating as it was written (3.95, not 3.950000047683716). */
function shown(x: number): number {
  return Number(x.toPrecision(7));
}

export class CutpointSampler {
  /** The current α (see the top of the file), and γ from it. */
  private readonly alpha: Float64Array;
  readonly gamma: Float64Array;
  accepted = 0;
  private readonly d: number;
  /** intervalLog's output: [log P, d/da, d/db]. */
  private readonly term = new Float64Array(3);

  constructor(
    private readonly levelOf: Uint8Array,
    levels: number,
    private readonly random: RandomSource,
  ) {
    this.d = levels - 1;
    this.alpha = new Float64Array(this.d);
    this.gamma = new Float64Array(this.d);
    toGamma(this.alpha, this.gamma);
  }

  /** Starts at the mode of the cut points' conditional given ŷ (myFM's start). */
  start(scores: ArrayLike<number>): void {
    const yhat = this.bin(scores);
    this.alpha.set(this.mode(yhat, this.alpha).alpha);
    toGamma(this.alpha, this.gamma);
  }

  /** One Metropolis–Hastings step for the cut points given ŷ (z integrated out). */
  step(scores: ArrayLike<number>): void {
    const d = this.d, yhat = this.bin(scores);
    // The mode search starts at the current α, so its first pass is the current α's log density.
    const { alpha: centre, precision, start: here } = this.mode(yhat, this.alpha);
    // A t draw: x = centre + L⁻ᵀ z / √(χ²_ν / ν), where precision = L Lᵀ.
    let L: Float64Array;
    try {
      L = cholesky(precision, d);
    } catch (err) {
      if (err instanceof LinalgError) return; // no proposal where the conditional is not log-concave: keep γ
      throw err;
    }
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) z[i] = this.random.nextNormal();
    for (let i = d - 1; i >= 0; i--) {
      let s = z[i];
      for (let j = i + 1; j < d; j++) s -= L[j * d + i] * z[j];
      z[i] = s / L[i * d + i];
    }
    const scale = 1 / Math.sqrt(gammaDraw(this.random, NU / 2, NU / 2));
    const candidate = Float64Array.from(centre, (c, i) => c + z[i] * scale);
    const logRatio =
      this.logPosterior(yhat, candidate) - here -
      logT(precision, centre, candidate, d) + logT(precision, centre, this.alpha, d);
    if (this.random.nextFloat() < Math.exp(logRatio)) {
      this.alpha.set(candidate);
      toGamma(this.alpha, this.gamma);
      this.accepted++;
    }
  }

  /** Each latent z_t ~ N(ŷ_t, 1) truncated to its level's interval, written into `z`. */
  drawLatents(yhat: ArrayLike<number>, z: Float32Array | Float64Array): void {
    const g = this.gamma, top = this.d;
    for (let t = 0; t < z.length; t++) {
      const c = this.levelOf[t], y = yhat[t];
      const lo = c === 0 ? -Infinity : g[c - 1] - y, hi = c === top ? Infinity : g[c] - y;
      z[t] = y + truncatedNormal(this.random, lo, hi);
    }
  }

  /** The ratings' ŷ by level, linearly binned (see the top of the file). */
  private bin(yhat: ArrayLike<number>): Binned {
    const n = yhat.length, levels = this.d + 1;
    let lo = Infinity, hi = -Infinity;
    for (let t = 0; t < n; t++) {
      lo = Math.min(lo, yhat[t]);
      hi = Math.max(hi, yhat[t]);
    }
    const points = Math.floor((hi - lo) / BIN) + 2;
    if (!(points * levels < n)) {
      // A grid as long as the data gains nothing: every rating is its own entry.
      return { level: this.levelOf, value: Float64Array.from(yhat), weight: new Float64Array(n).fill(1) };
    }
    const grid = new Float64Array(points * levels);
    for (let t = 0; t < n; t++) {
      const x = (yhat[t] - lo) / BIN, p = Math.floor(x), w = x - p, at = this.levelOf[t] * points + p;
      grid[at] += 1 - w;
      grid[at + 1] += w;
    }
    let count = 0;
    for (const w of grid) if (w > 0) count++;
    const out: Binned = { level: new Uint8Array(count), value: new Float64Array(count), weight: new Float64Array(count) };
    for (let at = 0, e = 0; at < grid.length; at++) {
      if (!(grid[at] > 0)) continue;
      const c = Math.floor(at / points);
      out.level[e] = c;
      out.value[e] = lo + (at - c * points) * BIN;
      out.weight[e++] = grid[at];
    }
    return out;
  }

  /** log p(α | ŷ) up to a constant: Σ_t log P(level_t | ŷ_t, γ(α)) − REG/2 |α|². */
  private logPosterior(yhat: Binned, alpha: Float64Array): number {
    const gamma = new Float64Array(this.d);
    toGamma(alpha, gamma);
    let ll = 0;
    const term = this.term, top = this.d, { level, value, weight } = yhat;
    for (let e = 0; e < value.length; e++) {
      const c = level[e], y = value[e];
      intervalLog(c === 0 ? -Infinity : gamma[c - 1] - y, c === top ? Infinity : gamma[c] - y, term);
      ll += weight[e] * term[0];
    }
    for (const a of alpha) ll -= 0.5 * REG * a * a;
    return Number.isNaN(ll) ? -Infinity : ll;
  }

  /**
   * The mode of log p(α | ŷ) by Newton's method with step halving, from `from`, and the negated
   * Hessian there (the t proposal's precision).
   */
  private mode(yhat: Binned, from: Float64Array): { alpha: Float64Array; precision: Float64Array; start: number } {
    let alpha = Float64Array.from(from);
    let current = this.derivatives(yhat, alpha);
    const start = current.value;
    for (let iteration = 0; iteration < 50; iteration++) {
      const step = newtonStep(current.precision, current.gradient, this.d);
      // Newton's decrement: what the step would gain on the quadratic model. Below a millionth of a
      // nat the mode is found (further steps only meet rounding, and each costs a pass over the data).
      let decrement = 0;
      for (let j = 0; j < this.d; j++) decrement += step[j] * current.gradient[j];
      if (!(decrement > 1e-6)) break;
      let size = 1, moved = false;
      for (let halving = 0; halving < 20 && !moved; halving++, size /= 2) {
        const next = Float64Array.from(alpha, (a, i) => a + size * step[i]);
        const at = this.derivatives(yhat, next);
        if (at.value >= current.value) {
          alpha = next;
          current = at;
          moved = true;
        }
      }
      if (!moved) break;
    }
    return { alpha, precision: current.precision, start };
  }

  /** log p(α | ŷ), its gradient and its negated Hessian in α. */
  private derivatives(yhat: Binned, alpha: Float64Array): { value: number; gradient: Float64Array; precision: Float64Array } {
    const d = this.d;
    const gamma = new Float64Array(d);
    toGamma(alpha, gamma);
    // In γ first: each rating touches the cut points below and above its level.
    const gg = new Float64Array(d), hg = new Float64Array(d * d), term = this.term;
    let value = 0;
    const { level, value: values, weight } = yhat;
    for (let e = 0; e < values.length; e++) {
      const c = level[e], y = values[e], w = weight[e];
      const a = c === 0 ? -Infinity : gamma[c - 1] - y, b = c === d ? Infinity : gamma[c] - y;
      intervalLog(a, b, term);
      const da = term[1], db = term[2];
      value += w * term[0];
      if (c > 0) {
        gg[c - 1] += w * da;
        hg[(c - 1) * d + c - 1] += w * (a * -da - da * da); // a φ(a)/P − (φ(a)/P)²
      }
      if (c < d) {
        gg[c] += w * db;
        hg[c * d + c] += w * (-b * db - db * db);
      }
      if (c > 0 && c < d) {
        const cross = w * -da * db; // φ(a)φ(b)/P²
        hg[(c - 1) * d + c] += cross;
        hg[c * d + c - 1] += cross;
      }
    }
    // To α: dγ_m/dα_0 = 1, dγ_m/dα_j = e^(α_j) for 1 ≤ j ≤ m; d²γ_m/dα_j² = e^(α_j) for those j.
    const J = new Float64Array(d * d); // J[j][m] = dγ_m/dα_j
    for (let m = 0; m < d; m++) {
      J[m] = 1;
      for (let j = 1; j <= m; j++) J[j * d + m] = Math.exp(alpha[j]);
    }
    const gradient = new Float64Array(d), precision = new Float64Array(d * d);
    for (let j = 0; j < d; j++) {
      for (let m = 0; m < d; m++) gradient[j] += J[j * d + m] * gg[m];
      for (let l = 0; l < d; l++) {
        let s = 0;
        for (let m = 0; m < d; m++) for (let p = 0; p < d; p++) s += J[j * d + m] * hg[m * d + p] * J[l * d + p];
        precision[j * d + l] = -s;
      }
    }
    for (let j = 1; j < d; j++) {
      let s = 0;
      for (let m = j; m < d; m++) s += gg[m];
      precision[j * d + j] -= s * Math.exp(alpha[j]);
    }
    for (let j = 0; j < d; j++) {
      value -= 0.5 * REG * alpha[j] * alpha[j];
      gradient[j] -= REG * alpha[j];
      precision[j * d + j] += REG;
    }
    return { value, gradient, precision };
  }
}

function toGamma(alpha: Float64Array, gamma: Float64Array): void {
  gamma[0] = alpha[0];
  for (let m = 1; m < alpha.length; m++) gamma[m] = gamma[m - 1] + Math.exp(alpha[m]);
}

/** Newton's step A⁻¹g; the gradient itself where A is not positive definite (far from the mode). */
function newtonStep(A: Float64Array, g: Float64Array, d: number): Float64Array {
  try {
    return solveSpd({ rows: d, cols: d, data: A }, g);
  } catch (err) {
    if (err instanceof LinalgError) return g;
    throw err;
  }
}

/** log of the t proposal's density at x, up to a constant: −(ν + d)/2 · log(1 + (x−c)ᵀA(x−c)/ν). */
function logT(A: Float64Array, centre: Float64Array, x: Float64Array, d: number): number {
  let q = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q += (x[i] - centre[i]) * A[i * d + j] * (x[j] - centre[j]);
  return (-(NU + d) / 2) * Math.log(1 + q / NU);
}
