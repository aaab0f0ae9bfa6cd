// The Bayesian FM's sampler over relation blocks (assembly/bfm-blocks.ts): a user block and an
// item block whose rows hold ids, bags and attributes (bfm-blocks.ts). A sweep, in myFM's order:
// the linear terms' hyperparameters, every block's linear terms, the factors' hyperparameters,
// then for each factor f every block's features. A sweep costs O(k · (ratings + block entries)):
// a bag is paid once per user or item, not once per rating. State in f64.
import type { Dataset } from '../../data/dataset.js';
import { groupRows } from '../../data/group.js';
import { copyF64, copyU32, strideFor, type BfmBlock, type BfmGroupPrior, type F32, type F64, type FactorBlock } from '../../engine/index.js';
import type { TrainingSetup } from '../core/model.js';
import { PARAMETER_LIMIT } from '../core/state.js';
import { GibbsChain, type ChainOptions } from './bfm-chain.js';
import { byColumn, type BlockLayout } from './bfm-blocks.js';
import { dayOf, type DayTerms } from '../core/days.js';
import type { UserBag } from '../core/user-bag.js';

/** A block in engine memory, with where its groups sit among all groups. */
interface Block extends BfmBlock {
  /** The global group index of the block's local group g is groupBase + g. */
  groupBase: number;
  /** Features of each local group. */
  members: Uint32Array[];
}

export class BlockSampler extends GibbsChain {
  protected readonly round = (x: number): number => x;
  private readonly blocks: Block[];
  private readonly prior: BfmGroupPrior;
  private readonly e: F64;
  private readonly predicted: F64;
  private readonly qsum: F64;
  private readonly normals: F64;
  private readonly scratch: F64;
  /** The current sample as a factor block, rewritten when asked for (see sampleBlock). */
  private readonly sample: { P: F32; Q: F32; bu: F32; bi: F32; stride: number };
  /** The day block's extras: its day numbers, each day's share of the ratings, the average day of the current sample, and the served days. */
  private readonly day: {
    numbers: Float64Array;
    share: Float64Array;
    mean: Float64Array;
    meanBias: number;
    factors: Float32Array;
    biasSum: Float64Array;
    validationRows?: Int32Array;
  } | undefined;
  /** The user block's bag as served (for fold-in): its features' stacked factors and summed linear terms. */
  private readonly bag: { offset: number; factors: Float32Array; biasSum: Float64Array } | undefined;

  /** `layouts`: the user block, the item block, then the day block when `days` (its rows' day numbers) is given. */
  constructor(setup: TrainingSetup, o: ChainOptions, layouts: readonly BlockLayout[], validation: Dataset | undefined, days?: Float64Array) {
    super(setup, o);
    const engine = this.engine, k = this.k;
    let groupBase = 0;
    this.blocks = layouts.map((layout) => {
      const block = this.upload(layout, groupBase);
      groupBase += layout.groups.length;
      return block;
    });
    this.prior = { muW: engine.allocF64(groupBase), lambdaW: engine.allocF64(groupBase), muV: engine.allocF64(groupBase * k), lambdaV: engine.allocF64(groupBase * k) };
    this.prior.lambdaW.array().fill(1);
    this.prior.lambdaV.array().fill(1);
    this.e = engine.allocF64(this.n);
    this.predicted = engine.allocF64(this.n);
    this.qsum = engine.allocF64(this.n);
    const features = Math.max(...this.blocks.map((b) => b.featureCount));
    const rows = Math.max(...this.blocks.map((b) => b.rowCount));
    this.normals = engine.allocF64(features);
    this.scratch = engine.allocF64(8 * rows);
    const stride = strideFor(k), { userCount, itemCount } = setup.train;
    this.sample = { P: engine.allocF32(userCount * stride), Q: engine.allocF32(itemCount * stride), bu: engine.allocF32(userCount), bi: engine.allocF32(itemCount), stride };
    const bagOffset = layouts[0].bagOffset;
    this.bag = bagOffset === undefined ? undefined : {
      offset: bagOffset, factors: new Float32Array(itemCount * k * o.servingSamples), biasSum: new Float64Array(itemCount),
    };
    if (days) {
      const share = new Float64Array(days.length);
      for (const r of layouts[2].rowOf) share[r] += 1 / this.n;
      this.day = {
        numbers: days, share, mean: new Float64Array(k), meanBias: 0,
        factors: new Float32Array(days.length * k * o.servingSamples), biasSum: new Float64Array(days.length),
      };
    }
    // myFM's initialization: the factors from N(0, initStd²); the linear terms and w0 at 0.
    for (const b of this.blocks) {
      const V = b.V.array();
      for (let t = 0; t < V.length; t++) V[t] = this.random.nextNormal(0, o.initStd);
    }
    this.startValidation(validation);
    this.refreshResiduals();
  }

  private upload(l: BlockLayout, groupBase: number): Block {
    const engine = this.engine, k = this.k;
    const u32 = (a: ArrayLike<number>) => copyU32(engine, a), f64 = (a: ArrayLike<number>) => copyF64(engine, a);
    const ratings = groupRows(l.rowOf, l.rowCount);
    const { colStart, colRows, colVals } = byColumn(l);
    const members = l.groups.map(() => [] as number[]);
    l.group.forEach((g, j) => members[g].push(j));
    return {
      rowOf: u32(l.rowOf), rowCount: l.rowCount, ratingStart: u32(ratings.start), slots: u32(ratings.rows),
      rowStart: u32(l.rowStart), rowCols: u32(l.rowCols), rowVals: f64(l.rowVals),
      featureCount: l.featureCount, colStart: u32(colStart), colRows: u32(colRows), colVals: f64(colVals),
      group: u32(Uint32Array.from(l.group, (g) => g + groupBase)),
      W: engine.allocF64(l.featureCount), V: engine.allocF64(l.featureCount * k),
      lin: engine.allocF64(l.rowCount), q: engine.allocF64(k * l.rowCount), self: engine.allocF64(l.rowCount),
      groupBase, members: members.map((m) => Uint32Array.from(m)),
    };
  }

  protected residuals(): Float64Array {
    return this.e.array();
  }

  protected predictions(): Float64Array {
    return this.predicted.array();
  }

  protected drawParameters(): void {
    const k = this.k, n = this.n;
    this.drawHyperparameters('linear');
    for (const b of this.blocks) {
      this.fillNormals(b.featureCount);
      this.engine.bfmDrawLinear(b, this.e, this.alpha, this.prior, this.normals, this.scratch);
    }
    this.drawHyperparameters('factors');
    for (let f = 0; f < k; f++) {
      this.engine.bfmGatherQ(this.blocks, f, n, this.qsum);
      for (const b of this.blocks) {
        this.fillNormals(b.featureCount);
        this.engine.bfmDrawFactor(b, k, f, this.qsum, this.e, this.alpha, this.prior, this.normals, this.scratch);
      }
    }
  }

  private fillNormals(count: number): void {
    const z = this.normals.array();
    for (let j = 0; j < count; j++) z[j] = this.random.nextNormal();
  }

  /** Every group's λ then μ: of its linear terms, or of each factor. */
  private drawHyperparameters(which: 'linear' | 'factors'): void {
    const k = this.k;
    const muW = this.prior.muW.array(), lambdaW = this.prior.lambdaW.array(), muV = this.prior.muV.array(), lambdaV = this.prior.lambdaV.array();
    for (const b of this.blocks) {
      const W = b.W.array(), V = b.V.array();
      b.members.forEach((m, local) => {
        const g = b.groupBase + local;
        if (which === 'linear') {
          [lambdaW[g], muW[g]] = this.normalGamma(m.length, (t) => W[m[t]], muW[g]);
          return;
        }
        for (let f = 0; f < k; f++) [lambdaV[g * k + f], muV[g * k + f]] = this.normalGamma(m.length, (t) => V[m[t] * k + f], muV[g * k + f]);
      });
    }
  }

  bounded(): boolean {
    if (!(Math.abs(this.w0) < PARAMETER_LIMIT)) return false;
    for (const b of this.blocks) {
      for (const h of [b.W, b.V]) for (const x of h.array()) if (!(Math.abs(x) < PARAMETER_LIMIT)) return false;
    }
    return true;
  }

  /**
   * The current sample as a factor model: a user's vector is its block row's q (the sum of its
   * features' factors) and its offset lin + self (its linear terms and the pairwise terms within
   * the row); the same for items. Exactly ŷ = w0 + bu + bi + P_u·Q_i (in f32).
   */
  protected sampleBlock(): FactorBlock {
    const s = this.sample, k = this.k, day = this.day;
    // With days: the average day (rating-weighted) joins each user's and item's offset through its
    // vector, and its own offset joins the users' (so it ends in μ): ŷ(u, i) is the average day's.
    if (day) {
      const b = this.blocks[2], R = b.rowCount, q = b.q.array(), lin = b.lin.array();
      day.mean.fill(0);
      day.meanBias = 0;
      for (let r = 0; r < R; r++) {
        const w = day.share[r];
        for (let f = 0; f < k; f++) day.mean[f] += w * q[f * R + r];
        day.meanBias += w * lin[r];
      }
    }
    for (const [b, M, offset, side] of [[this.blocks[0], s.P, s.bu, 0], [this.blocks[1], s.Q, s.bi, 1]] as const) {
      const R = b.rowCount, q = b.q.array(), lin = b.lin.array(), self = b.self.array(), m = M.array(), o = offset.array();
      for (let r = 0; r < R; r++) {
        let extra = 0;
        for (let f = 0; f < k; f++) {
          const v = q[f * R + r];
          m[r * s.stride + f] = v;
          if (day) extra += v * day.mean[f];
        }
        o[r] = lin[r] + self[r] + extra + (day && side === 0 ? day.meanBias : 0);
      }
    }
    return s;
  }

  /** Each day's deviation from the average day, into slot `slot` of the served days. */
  protected override storeExtra(slot: number): void {
    const bag = this.bag;
    if (bag) {
      const V = this.blocks[0].V.array(), W = this.blocks[0].W.array(), k = this.k, wide = k * this.o.servingSamples;
      for (let i = 0; i < bag.biasSum.length; i++) {
        const j = bag.offset + i;
        for (let f = 0; f < k; f++) bag.factors[i * wide + slot * k + f] = V[j * k + f];
        bag.biasSum[i] += W[j];
      }
    }
    const day = this.day;
    if (!day) return;
    const b = this.blocks[2], R = b.rowCount, q = b.q.array(), lin = b.lin.array(), k = this.k, wide = k * this.o.servingSamples;
    for (let r = 0; r < R; r++) {
      for (let f = 0; f < k; f++) day.factors[r * wide + slot * k + f] = q[f * R + r] - day.mean[f];
      day.biasSum[r] += lin[r] - day.meanBias;
    }
  }

  /** The user bag as served: its stacked factors scaled as the served factors are (1/√S), and its mean linear terms. */
  protected override servedBag(served: number): UserBag | undefined {
    const bag = this.bag;
    if (!bag) return undefined;
    const scale = 1 / Math.sqrt(served);
    return { factors: Float32Array.from(bag.factors, (x) => x * scale), biases: Float32Array.from(bag.biasSum, (x) => x / served) };
  }

  /** The served days: their stacked deviations scaled as the served factors are (1/√S), and their mean offsets. */
  protected override servedDays(served: number): DayTerms | undefined {
    const day = this.day;
    if (!day) return undefined;
    // As wide as the served factors (k per serving sample; the slots of samples not drawn stay 0).
    const scale = 1 / Math.sqrt(served);
    const factors = Float32Array.from(day.factors, (x) => x * scale);
    return { days: Float32Array.from(day.numbers), factors, biases: Float32Array.from(day.biasSum, (x) => x / served) };
  }

  /** The validation ratings of training days get their day's deviation from the current sample. */
  protected override addValidationExtra(data: Dataset, rows: Uint32Array, users: Uint32Array, items: Uint32Array, sum: Float64Array): void {
    const day = this.day;
    if (!day || !data.times) return;
    if (!day.validationRows) {
      const rowOfDay = new Map<number, number>();
      day.numbers.forEach((d, r) => rowOfDay.set(d, r));
      day.validationRows = Int32Array.from(data.times, (t) => rowOfDay.get(dayOf(t)) ?? -1);
    }
    const b = this.blocks[2], R = b.rowCount, q = b.q.array(), lin = b.lin.array(), k = this.k, s = this.sample;
    const P = s.P.array(), Q = s.Q.array(), stride = s.stride;
    for (let j = 0; j < rows.length; j++) {
      const r = day.validationRows[rows[j]];
      if (r < 0) continue;
      let dev = lin[r] - day.meanBias;
      for (let f = 0; f < k; f++) dev += (P[users[j] * stride + f] + Q[items[j] * stride + f]) * (q[f * R + r] - day.mean[f]);
      sum[rows[j]] += dev;
    }
  }

  /** ŷ from the blocks' row sums (recomputed from the parameters), and e = (y − mean) − ŷ. */
  protected refreshResiduals(): void {
    for (const b of this.blocks) this.engine.bfmRowSums(b, this.k);
    this.engine.bfmPredict(this.blocks, this.k, this.n, this.w0, this.predicted);
    const p = this.predicted.array(), e = this.e.array();
    for (let t = 0; t < this.n; t++) e[t] = this.target[t] - p[t];
  }
}
