// Weighted ALS for implicit feedback (Hu, Koren & Volinsky 2008, "Collaborative filtering for
// implicit feedback datasets"), every row solved by a few conjugate-gradient steps from its
// current value (Takács, Pilászy & Tikk 2011), the row solves in wasm. Score s_ui = p_u·q_i.
// Confidence of an interaction with value r: 1 + alpha·r; preference 1; everything else
// preference 0 with confidence 1.
import { groupRows } from '../data/group.js';
import type { EngineName, SparseRows } from '../engine/index.js';
import { FactorModel, type ModelShape, type Trainer, type TrainingSetup } from './factor-model.js';
import { initNormal } from './init.js';
import { integer, nonNegative, oneOf, positive, type RandomKind } from './options.js';

export interface AlsOptions {
  /** Latent factors k (default 64). */
  factors?: number;
  /** Alternations (one pass over users, then items; default 15). */
  epochs?: number;
  /** Confidence slope: c = 1 + alpha·r (default 1; Hu et al. use 40 for raw counts). */
  alpha?: number;
  /** L2 regularization λ (default 0.01). */
  reg?: number;
  /** Conjugate-gradient steps per row and alternation (default 3). */
  cgSteps?: number;
  /** Standard deviation of the initial factors (default 0.01). */
  initStd?: number;
  seed?: number;
  engine?: EngineName;
  rng?: RandomKind;
}

export class ALS extends FactorModel {
  protected readonly stateKind = 'als' as const;
  readonly options: Required<AlsOptions>;
  protected readonly shape: ModelShape;

  constructor(options: AlsOptions = {}) {
    super();
    this.options = {
      factors: integer('factors', options.factors ?? 64, 1, 4096),
      epochs: integer('epochs', options.epochs ?? 15, 1, 1_000_000),
      alpha: nonNegative('alpha', options.alpha ?? 1),
      reg: positive('reg', options.reg ?? 0.01),
      cgSteps: integer('cgSteps', options.cgSteps ?? 3, 1, 1000),
      initStd: nonNegative('initStd', options.initStd ?? 0.01),
      seed: integer('seed', options.seed ?? 0, 0, 0xffffffff),
      engine: oneOf<EngineName>('engine', options.engine ?? 'wasm', ['wasm', 'js']),
      rng: oneOf<RandomKind>('rng', options.rng ?? 'xoshiro128', ['xoshiro128', 'mt19937']),
    };
    const o = this.options;
    this.shape = { factors: o.factors, biased: false, epochs: o.epochs, engine: o.engine, wasmVariant: undefined, seed: o.seed, rng: o.rng, unclipped: true };
  }

  protected initialize(setup: TrainingSetup): void {
    const { factors, train, random } = setup;
    initNormal(factors.P, train.userCount, this.options.factors, factors.stride, 0, this.options.initStd, random);
    initNormal(factors.Q, train.itemCount, this.options.factors, factors.stride, 0, this.options.initStd, random);
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const { engine, train, factors } = setup;
    const o = this.options, stride = factors.stride, k = o.factors;
    const byUser = csr(setup, train.userIndex, train.itemIndex, train.userCount);
    const byItem = csr(setup, train.itemIndex, train.userIndex, train.itemCount);
    const gram = engine.allocF32(k * stride);
    const r = engine.allocF32(stride), p = engine.allocF32(stride), ap = engine.allocF32(stride);
    return {
      epoch() {
        gram.array().fill(0);
        engine.gramian(factors.Q, train.itemCount, stride, k, gram);
        let residual = engine.alsSolveRows(byUser, factors.P, factors.Q, gram, stride, k, o.alpha, o.reg, o.cgSteps, r, p, ap);
        gram.array().fill(0);
        engine.gramian(factors.P, train.userCount, stride, k, gram);
        residual += engine.alsSolveRows(byItem, factors.Q, factors.P, gram, stride, k, o.alpha, o.reg, o.cgSteps, r, p, ap);
        // The learning curve's train figure for ALS: sqrt(sum of squared CG residuals / n).
        return residual;
      },
      predictionFactors: () => factors,
    };
  }
}

/** Interactions grouped by `rows` (users or items) in engine memory. */
function csr({ engine, train }: TrainingSetup, rows: Uint32Array, cols: Uint32Array, rowCount: number): SparseRows {
  const { start, rows: order } = groupRows(rows, rowCount);
  const a: SparseRows = { start: engine.allocU32(start.length), cols: engine.allocU32(order.length), vals: engine.allocF32(order.length), rowCount };
  a.start.array().set(start);
  const c = a.cols.array(), v = a.vals.array();
  for (let t = 0; t < order.length; t++) {
    c[t] = cols[order[t]];
    v[t] = train.ratings[order[t]];
  }
  return a;
}
