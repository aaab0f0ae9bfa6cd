// Weighted ALS for implicit feedback (Hu, Koren & Volinsky 2008, "Collaborative filtering for
// implicit feedback datasets"), every row solved by a few conjugate-gradient steps from its
// current value (Takács, Pilászy & Tikk 2011), the row solves in wasm. Score s_ui = p_u·q_i.
// Confidence of an interaction with value r: 1 + alpha·r; preference 1; everything else
// preference 0 with confidence 1.
import { groupRows } from '../data/group.js';
import type { SparseRows } from '../engine/index.js';
import type { ModelShape, Trainer, TrainingSetup } from './factor-model.js';
import { ImplicitModel, resolveImplicitCommon, type ImplicitCommonOptions, type ResolvedImplicitCommon } from './implicit-model.js';
import { integer, nonNegative, positive } from './options.js';

/** Also the common options (ImplicitCommonOptions): factors (default 64), epochs (15 alternations), initStd (0.01), seed, engine, rng. */
export interface AlsOptions extends ImplicitCommonOptions {
  /** Confidence slope: c = 1 + alpha·r (default 1; Hu et al. use 40 for raw counts). */
  alpha?: number;
  /** L2 regularization λ (default 0.01). */
  reg?: number;
  /** Conjugate-gradient steps per row and alternation (default 3). */
  cgSteps?: number;
}

export class ALS extends ImplicitModel {
  protected readonly stateKind = 'als' as const;
  readonly options: ResolvedImplicitCommon & { alpha: number; reg: number; cgSteps: number };
  protected readonly shape: ModelShape;

  constructor(options: AlsOptions = {}) {
    super();
    this.options = {
      ...resolveImplicitCommon(options, { factors: 64, epochs: 15, initStd: 0.01 }),
      alpha: nonNegative('alpha', options.alpha ?? 1),
      reg: positive('reg', options.reg ?? 0.01),
      cgSteps: integer('cgSteps', options.cgSteps ?? 3, 1, 1000),
    };
    this.shape = this.shapeOf(this.options);
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
