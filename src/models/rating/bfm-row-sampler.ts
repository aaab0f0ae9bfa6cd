// The Bayesian FM's sampler for user and item ids alone (Bayesian MF): ŷ = w0 + w_u + w_i +
// v_u·v_i. A sweep draws the hyperparameters of each side, then every user's row and every item's
// row (assembly/bfm.ts: the rows of one side are independent given the other, packed for SIMD).
// State in f32, as the factor kernels keep it.
import type { Dataset } from '../../data/dataset.js';
import { groupRows } from '../../data/group.js';
import { strideFor, threadPart, type BfmSide, type F32, type FactorBlock, type U32 } from '../../engine/index.js';
import type { TrainingSetup } from '../core/model.js';
import { withinParameterLimit, PARAMETER_LIMIT } from '../core/state.js';
import { GibbsChain, longestRow, type ChainOptions } from './bfm-chain.js';

/** One side of the model as the sampler keeps it (rows, parameters, hyperparameters). */
interface Side extends BfmSide {
  muV: F32;
  lambdaV: F32;
  muW: number;
  lambdaW: number;
}

export class RowSampler extends GibbsChain {
  protected readonly round = Math.fround;
  private readonly stride: number;
  private readonly users: Side;
  private readonly items: Side;
  private readonly e: F32;
  private readonly ratingUsers: U32;
  private readonly ratingItems: U32;
  private readonly predicted: F32;
  private readonly normals: F32;
  private readonly h: F32;
  private readonly eb: F32;

  constructor(setup: TrainingSetup, o: ChainOptions, validation: Dataset | undefined) {
    super(setup, o);
    const { engine, train, random } = setup;
    this.stride = strideFor(this.k);
    this.users = this.side(train.userIndex, train.itemIndex, train.userCount);
    this.items = this.side(train.itemIndex, train.userIndex, train.itemCount);
    this.e = engine.allocF32(this.n);
    this.ratingUsers = setup.ratings.users;
    this.ratingItems = setup.ratings.items;
    this.predicted = engine.allocF32(this.n);
    this.normals = engine.allocF32(Math.max(train.userCount, train.itemCount) * (this.k + 1));
    const longest = Math.max(longestRow(this.users.start.array()), longestRow(this.items.start.array()));
    const longest4 = Math.ceil(longest / 4) * 4;
    // One scratch part per thread of the engine (see Engine.bfmSampleRows).
    this.h = engine.allocF32(engine.threads * threadPart(Math.max(4, this.k * longest4), 4));
    this.eb = engine.allocF32(engine.threads * threadPart(Math.max(4, longest4), 4));
    // myFM's initialization: the factors from N(0, initStd²); the linear terms and w0 at 0 (the
    // ratings are centred, so w0 starts where the data is).
    for (const side of [this.users, this.items]) {
      const V = side.V.array();
      for (let r = 0; r < side.rowCount; r++) for (let f = 0; f < this.k; f++) V[r * this.stride + f] = random.nextNormal(0, o.initStd);
    }
    this.startValidation(validation);
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

  protected residuals(): Float32Array {
    return this.e.array();
  }

  protected predictions(): Float32Array {
    return this.predicted.array();
  }

  protected drawParameters(): void {
    for (const side of [this.users, this.items]) this.drawHyperparameters(side);
    this.drawRows(this.users, this.items);
    this.drawRows(this.items, this.users);
  }

  bounded(): boolean {
    return Math.abs(this.w0) < PARAMETER_LIMIT && withinParameterLimit([this.users.W, this.users.V, this.items.W, this.items.V]);
  }

  /** The current sample as a factor block (P, Q: the factors; bu, bi: the linear terms). */
  protected sampleBlock(): FactorBlock {
    return { P: this.users.V, Q: this.items.V, bu: this.users.W, bi: this.items.W, stride: this.stride };
  }

  /** A side's λ then μ: for w, and for each factor. */
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

  /** Every row of `side` from its conditional: the standard normals drawn here, the rest in the kernel. */
  private drawRows(side: Side, other: Side): void {
    const z = this.normals.array(), count = side.rowCount * (this.k + 1);
    for (let t = 0; t < count; t++) z[t] = this.random.nextNormal();
    const prior = { muW: side.muW, lambdaW: side.lambdaW, muV: side.muV, lambdaV: side.lambdaV };
    this.engine.bfmSampleRows(side, other.V, this.stride, this.k, this.e, this.alpha, prior, this.normals, this.h, this.eb);
  }

  /** e = (y − mean) − ŷ, with ŷ = w0 + w_u + w_i + v_u·v_i from the current sample. */
  protected refreshResiduals(): void {
    this.engine.predictPairs(this.ratingUsers, this.ratingItems, this.n, this.sampleBlock(), this.w0, -Infinity, Infinity, this.predicted);
    const p = this.predicted.array(), e = this.e.array();
    for (let t = 0; t < this.n; t++) e[t] = Math.fround(this.target[t] - p[t]);
  }
}
