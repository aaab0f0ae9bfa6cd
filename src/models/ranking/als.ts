// Weighted ALS for implicit feedback (Hu, Koren & Volinsky 2008, "Collaborative filtering for
// implicit feedback datasets"), every row solved by a few conjugate-gradient steps from its
// current value (Takács, Pilászy & Tikk 2011), the row solves in wasm. Score s_ui = p_u·q_i.
// Confidence of an interaction with value r: 1 + alpha·r; preference 1; everything else
// preference 0 with confidence 1.
import { groupStarts } from '../../data/group.js';
import type { Dataset } from '../../data/dataset.js';
import { threadPart, type Engine, type F32, type SparseRows } from '../../engine/index.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, integer, nonNegative, positive, threadsOption } from '../core/options.js';
import type { FoldInSolver } from '../core/serving.js';
import { exactRowSolver } from './exact-row.js';
import { ROW_THREADING } from './row-threads.js';
import { LatentRanking, resolveImplicitCommon, type ImplicitCommonOptions, type ThreadsOption, type ResolvedImplicitCommon } from './latent-ranking.js';

/**
 * Options of {@link ALS}. Also the common options (ImplicitCommonOptions): factors (default 64),
 * epochs (10 alternations), initStd (0.01), seed, engine, rng ('xoshiro128'), wasmVariant.
 */
export interface AlsOptions extends ImplicitCommonOptions, ThreadsOption {
  /**
   * Confidence slope: c = 1 + alpha·r (default 10; Hu et al. use 40 for raw counts). A finite
   * number >= 0.
   * @defaultValue 10
   */
  alpha?: number;
  /**
   * L2 regularization λ, a finite number > 0.
   * @defaultValue 60
   */
  reg?: number;
  /**
   * Conjugate-gradient steps per row and alternation, an integer in [1, 1000].
   * @defaultValue 3
   */
  cgSteps?: number;
}

/**
 * Chosen by `bench/tune-implicit.ts` on MovieLens 100k (ratings >= 4 as interactions; 20% of each
 * user's interactions in u1..u5.base held out; mean NDCG@10, full protocol): the cheapest setting
 * (factors x epochs) within 0.002 of the best,
 * over 534 settings in three rounds (factors 8-128, 5-20 alternations, alpha 0.5-40, reg 0.01-100)
 * and a fourth with three seeds per setting: validation NDCG@10 0.2709 (mean of three seeds; best
 * 0.2720), against 0.1831 for the earlier defaults (64 factors, 15 alternations, alpha 1, reg
 * 0.01). A strong λ matters most: every setting below reg 10 lost; good ones lie where λ ≈ 6α.
 */
export const ALS_DEFAULTS = {
  /** Latent factors k. */
  factors: 64,
  /** Alternations. */
  epochs: 10,
  /** Confidence slope. */
  alpha: 10,
  /** L2 regularization λ. */
  reg: 60,
  /** Conjugate-gradient steps per row and alternation. */
  cgSteps: 3,
  /** Standard deviation of the initial factors. */
  initStd: 0.01,
} as const;

/** Every key AlsOptions has. */
export const ALS_OPTION_KEYS = ['factors', 'epochs', 'initStd', 'seed', 'engine', 'wasmVariant', 'rng', 'threads', 'alpha', 'reg', 'cgSteps'] as const satisfies readonly (keyof AlsOptions)[];

/**
 * Weighted ALS for implicit feedback (Hu, Koren & Volinsky 2008): score s_ui = p_u·q_i; an
 * interaction with value r has preference 1 and confidence 1 + alpha·r, every other cell
 * preference 0 with confidence 1. Each alternation solves every row by a few conjugate-gradient
 * steps from its current value (Takács, Pilászy & Tikk 2011), on several threads from 100,000
 * interactions. Fold-in solves a new user's row exactly. Supports partialFit.
 *
 * @example
 * ```ts
 * import { ALS, Dataset } from 'latentrec';
 *
 * const clicks = Dataset.fromTriples([
 *   ['u1', 'a', 1], ['u1', 'b', 1], ['u2', 'a', 1], ['u2', 'c', 1],
 *   ['u3', 'b', 1], ['u3', 'c', 1], ['u3', 'd', 1], ['u4', 'd', 1],
 * ]);
 * const model = new ALS({ factors: 8, reg: 1 });
 * model.fit(clicks);
 * console.log(model.recommend('u1', { n: 2 })); // [{ id, score }, ...], scores unclipped
 * const visitor = model.foldIn([['a', 1], ['d', 1]]); // a new user, solved without refitting
 * console.log(model.recommend(visitor, { n: 2 }));
 * ```
 */
export class ALS extends LatentRanking {
  protected readonly stateKind = 'als' as const;
  /** Warm-started alternations over the rows the new data touches (see partialTrainer). */
  protected override readonly supportsPartialFit = true;
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: ResolvedImplicitCommon & {
    /** Confidence slope. */
    alpha: number;
    /** L2 regularization λ. */
    reg: number;
    /** Conjugate-gradient steps per row and alternation. */
    cgSteps: number;
  };
  protected readonly shape: ModelShape;

  /** The interactions twice (by user and by item, CSR) and the k x k Gram matrix. */
  protected override extraMemoryBytes(train: Dataset, stride: number): number {
    return 2 * train.size * 8 + (train.userCount + train.itemCount + 2) * 4 + stride * stride * 4;
  }

  protected override divergenceHint(): string {
    return 'raise the regularization (reg) or lower alpha';
  }

  /**
   * An unfitted ALS.
   * @param given - The ALS options; unset ones take {@link ALS_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of ALS ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(given: AlsOptions = {}) {
    super();
    const options = optionsObject('ALS options', given);
    checkOptionKeys('ALS', options, ALS_OPTION_KEYS);
    const d = ALS_DEFAULTS;
    this.options = {
      ...resolveImplicitCommon(options, d),
      threads: threadsOption(options.threads ?? 'auto'),
      alpha: nonNegative('alpha', options.alpha ?? d.alpha),
      reg: positive('reg', options.reg ?? d.reg),
      cgSteps: integer('cgSteps', options.cgSteps ?? d.cgSteps, 1, 1000),
    };
    this.shape = this.shapeOf(this.options, ROW_THREADING);
  }

  /**
   * A new user's row exactly (in f64, by Cholesky): (YᵀY + Σ_j (c_j − 1) y_j y_jᵀ + λI) x = Σ_j c_j y_j
   * with c_j = 1 + alpha·r_j, the equation each alternation's CG steps approach.
   */
  protected override foldInSolver(): FoldInSolver {
    const { factors: k, alpha, reg } = this.options;
    return exactRowSolver({ k, a: 1, w0: 0, alpha, lambda: () => reg, distinct: false });
  }



  protected createTrainer(setup: TrainingSetup): Trainer {
    if (setup.partial) return partialTrainer(setup, this.options, setup.partial);
    const { engine, train, factors } = setup;
    const o = this.options, stride = factors.stride, k = o.factors;
    const byUser = interactionRows(setup, train.userIndex, train.itemIndex, train.userCount);
    const byItem = interactionRows(setup, train.itemIndex, train.userIndex, train.itemCount);
    const gram = engine.allocF32(k * stride);
    // The CG scratch rows, one set per thread, each on its own cache lines.
    const scratch = engine.threads * threadPart(stride, 4);
    const r = engine.allocF32(scratch), p = engine.allocF32(scratch), ap = engine.allocF32(scratch);
    return {
      epoch() {
        gram.array().fill(0);
        engine.gramian(factors.Q, train.itemCount, stride, k, gram);
        let residual = engine.alsSolveRows(byUser, factors.P, factors.Q, gram, stride, k, o.alpha, o.reg, o.cgSteps, r, p, ap);
        gram.array().fill(0);
        engine.gramian(factors.P, train.userCount, stride, k, gram);
        residual += engine.alsSolveRows(byItem, factors.Q, factors.P, gram, stride, k, o.alpha, o.reg, o.cgSteps, r, p, ap);
        // The root mean square, per interaction, of the CG residuals of both half-steps.
        return { value: Math.sqrt(residual / train.size), kind: 'cg-residual' };
      },
      predictionFactors: () => factors,
    };
  }
}

/**
 * Interactions grouped by `rows` (users or items) in engine memory (ALS and IALS), each row's in
 * input order: a counting sort that scatters columns and values straight into place.
 */
export function interactionRows({ engine, train }: TrainingSetup, rows: Uint32Array, cols: Uint32Array, rowCount: number): SparseRows {
  return interactionRowsOf(engine, rows, cols, train.ratings, rowCount);
}

/** Interactions (row, col, value) grouped by row in engine memory, rows 0..rowCount−1. */
function interactionRowsOf(engine: Engine, rows: Uint32Array, cols: Uint32Array, values: Float32Array, rowCount: number): SparseRows {
  const n = rows.length;
  const a: SparseRows = { start: engine.allocU32(rowCount + 1), cols: engine.allocU32(n), vals: engine.allocF32(n), rowCount };
  const start = a.start.array();
  start.set(groupStarts(rows, rowCount));
  const next = start.slice(0, rowCount);
  const c = a.cols.array(), v = a.vals.array();
  for (let t = 0; t < n; t++) {
    const at = next[rows[t]]++;
    c[at] = cols[t];
    v[at] = values[t];
  }
  return a;
}

/**
 * partialFit of ALS, as implicit's partial_fit_users / partial_fit_items: the data holds the
 * whole history of each user in it, and the items it brings for the first time. Each alternation
 * solves those users' rows against every item (the Gramian of all of Q), then the new items' rows
 * against every user, from the rows' current values (CG is warm-started). Items the model had
 * keep their factors: their other interactions are not in the data, and solving them from these
 * rows alone would forget them; users not in the data keep theirs for the same reason.
 */
function partialTrainer(setup: TrainingSetup, o: ALS['options'], before: { users: number; items: number }): Trainer {
  const { engine, train, factors } = setup;
  const stride = factors.stride, k = o.factors;
  const { users: userSide, items: itemSide } = partialSides(setup, before);
  const gram = engine.allocF32(k * stride);
  const scratch = engine.threads * threadPart(stride, 4);
  const r = engine.allocF32(scratch), p = engine.allocF32(scratch), ap = engine.allocF32(scratch);
  const half = (side: CompactSide, X: F32, Y: F32, otherRows: number): number => {
    if (side.rows.length === 0) return 0;
    gram.array().fill(0);
    engine.gramian(Y, otherRows, stride, k, gram);
    return solveInPlace(side, X, stride, (x) => engine.alsSolveRows(side.a, x, Y, gram, stride, k, o.alpha, o.reg, o.cgSteps, r, p, ap));
  };
  return {
    epoch() {
      let residual = half(userSide, factors.P, factors.Q, train.itemCount);
      residual += half(itemSide, factors.Q, factors.P, train.userCount);
      return { value: Math.sqrt(residual / train.size), kind: 'cg-residual' };
    },
    predictionFactors: () => factors,
  };
}

/**
 * The rows partialFit solves in the ALS family: every user in the data, and the items the data
 * brings for the first time (rows at and above `before.items`).
 */
export function partialSides(setup: TrainingSetup, before: { users: number; items: number }): { users: CompactSide; items: CompactSide } {
  const { train } = setup;
  return {
    users: compactRows(setup, distinctRows(train.userIndex, 0), train.userIndex, train.itemIndex, train.userCount),
    items: compactRows(setup, distinctRows(train.itemIndex, before.items), train.itemIndex, train.userIndex, train.itemCount),
  };
}

/** Runs `solve` on the side's rows gathered from X into its block, then puts them back; returns what it returned. */
export function solveInPlace<T>(side: CompactSide, X: F32, stride: number, solve: (x: F32) => T): T {
  gatherRows(X, side.rows, side.x, stride);
  const result = solve(side.x);
  scatterRows(side.x, side.rows, X, stride);
  return result;
}

/** The rows to solve (sorted), their interactions renumbered 0..n−1, and a block for their factor rows. */
export interface CompactSide {
  rows: Uint32Array;
  a: SparseRows;
  x: F32;
}

/** The distinct values of `index` at or above `from`, sorted. */
function distinctRows(index: Uint32Array, from: number): Uint32Array {
  const seen = new Set<number>();
  for (const v of index) if (v >= from) seen.add(v);
  return Uint32Array.from(seen).sort();
}

function compactRows(setup: TrainingSetup, rows: Uint32Array, rowOf: Uint32Array, colOf: Uint32Array, rowCount: number): CompactSide {
  const position = new Int32Array(rowCount).fill(-1);
  rows.forEach((row, at) => (position[row] = at));
  const keep: number[] = [];
  for (let t = 0; t < rowOf.length; t++) if (position[rowOf[t]] >= 0) keep.push(t);
  const compactRowOf = Uint32Array.from(keep, (t) => position[rowOf[t]]);
  const compactColOf = Uint32Array.from(keep, (t) => colOf[t]);
  const values = Float32Array.from(keep, (t) => setup.train.ratings[t]);
  const a = interactionRowsOf(setup.engine, compactRowOf, compactColOf, values, rows.length);
  return { rows, a, x: setup.engine.allocF32(Math.max(1, rows.length) * setup.factors.stride) };
}

function gatherRows(from: F32, rows: Uint32Array, to: F32, stride: number): void {
  const src = from.array(), dst = to.array();
  rows.forEach((row, at) => dst.set(src.subarray(row * stride, (row + 1) * stride), at * stride));
}

function scatterRows(from: F32, rows: Uint32Array, to: F32, stride: number): void {
  const src = from.array(), dst = to.array();
  rows.forEach((row, at) => dst.set(src.subarray(at * stride, (at + 1) * stride), row * stride));
}
