// iALS as Rendle et al. 2021 formulate it ("Revisiting the Performance of iALS on Item
// Recommendation Benchmarks"; iALS++, arXiv 2110.14044): with users W and items H,
//   L = Σ_{(u,i)∈S} (⟨w_u,h_i⟩ − 1)² + α0 Σ_u Σ_i ⟨w_u,h_i⟩²
//       + λ [Σ_u (|I_u| + α0·|I|)^ν ‖w_u‖² + Σ_i (|U_i| + α0·|U|)^ν ‖h_i‖²]
// minimized by alternating exact row solves (assembly/ials.ts, f64 Cholesky, any d):
//   (α0 HᵀH + Σ_{i∈I_u} h_i h_iᵀ + λ_u I) w_u = Σ_{i∈I_u} h_i.
// Interactions are binary (values are not used). Init N(0, (initStd)²) with initStd 0.1/√d.
//
// How it maps onto Hu, Koren & Volinsky's confidence form (ALS, c = 1 + α·r, λ): for binary data
// HKV's row equation is (HᵀH + α Σ h hᵀ + λI) x = (1 + α) Σ h. Dividing iALS's by α0 gives the
// same matrix with α = 1/α0 and λ_HKV = λ_u/α0, and HKV's solution is (1 + α0) times iALS's
// (test/ials.test.ts checks it): the same item ranking for that row. HKV has one λ for every
// row; iALS's ν > 0 scales it with the row's frequency, which HKV cannot express.
import type { Dataset } from '../../data/dataset.js';
import { threadPart } from '../../engine/index.js';
import { LatentrecError } from '../../errors.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, nonNegative, positive, threadsOption } from '../core/options.js';
import type { FoldInSolver } from '../core/serving.js';
import { exactRowSolver } from './exact-row.js';
import { ROW_THREADING } from './row-threads.js';
import { interactionRows, partialSides, solveInPlace, type CompactSide } from './als.js';
import { LatentRanking, resolveImplicitCommon, type ImplicitCommonOptions, type ThreadsOption, type ResolvedImplicitCommon } from './latent-ranking.js';

/**
 * Options of {@link IALS}. Also the common options (ImplicitCommonOptions): factors d (default
 * 64), epochs (16), initStd (default 0.1/√d), seed, engine, rng ('xoshiro128'), wasmVariant.
 */
export interface IalsOptions extends ImplicitCommonOptions, ThreadsOption {
  /**
   * λ, scaled per row by (its interactions + α0 · the other side's count)^ν. A finite number > 0.
   * @defaultValue 0.01
   */
  reg?: number;
  /**
   * α0: the weight of every cell (observed or not) in the squared-score term. A finite number >= 0.
   * @defaultValue 0.5
   */
  alpha0?: number;
  /**
   * ν: the exponent of the frequency scaling of λ (0: plain λ; 1: Rendle et al.'s ML-20M choice).
   * A finite number >= 0.
   * @defaultValue 1
   */
  nu?: number;
}

/**
 * Chosen by `npx tsx bench/tune-strong.ts --model ials` on MovieLens 100k under the
 * strong-generalization protocol, on validation users carved out of the training users of splits
 * 0..2 (never the test users): factors 32/64, α0 0.03–1, λ 0.001–0.03, ν = 1, 16 epochs (Rendle
 * et al.'s count). The cheapest setting within 0.002 of the best validation NDCG@100 was the best
 * itself, 0.4388 (EASE's tuned λ = 200: 0.4285 on the same validation users).
 */
export const IALS_DEFAULTS = {
  /** Latent factors d. */
  factors: 64,
  /** Alternations. */
  epochs: 16,
  /** λ before the frequency scaling. */
  reg: 0.01,
  /** The weight of every cell. */
  alpha0: 0.5,
  /** The exponent of the frequency scaling of λ. */
  nu: 1,
} as const;

/** Every key IalsOptions has. */
export const IALS_OPTION_KEYS = ['factors', 'epochs', 'initStd', 'seed', 'engine', 'wasmVariant', 'rng', 'threads', 'reg', 'alpha0', 'nu'] as const satisfies readonly (keyof IalsOptions)[];

/**
 * iALS as Rendle et al. 2021 formulate it ("Revisiting the Performance of iALS on Item
 * Recommendation Benchmarks"): the squared error of every observed cell against 1, plus α0 times
 * every cell's squared score, plus a λ scaled per row by its frequency (exponent ν); minimized by
 * alternating exact row solves (f64 Cholesky) on several threads from 100,000 interactions.
 * Interactions are binary (their values are not used). Fold-in solves a new user's row exactly
 * by the training equation.
 *
 * @example
 * ```ts
 * import { Dataset, IALS } from 'latentrec';
 *
 * const clicks = Dataset.fromTriples([
 *   ['u1', 'a', 1], ['u1', 'b', 1], ['u2', 'a', 1], ['u2', 'c', 1],
 *   ['u3', 'b', 1], ['u3', 'c', 1], ['u3', 'd', 1], ['u4', 'd', 1],
 * ]);
 * const model = new IALS({ factors: 8, epochs: 8 });
 * const { epochs } = model.fit(clicks);
 * console.log(epochs.at(-1)?.loss); // { value, kind: 'objective' }
 * // Score a visitor from their history without adding them to the model:
 * console.log(model.recommendFromHistory([['a', 1], ['b', 1]], { n: 2 }));
 * ```
 */
export class IALS extends LatentRanking {
  protected readonly stateKind = 'ials' as const;
  /** As ALS's: the rows the new data touches, each re-solved exactly (see ALS). */
  protected override readonly supportsPartialFit = true;
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: ResolvedImplicitCommon & {
    /** λ before the frequency scaling. */
    reg: number;
    /** The weight of every cell. */
    alpha0: number;
    /** The exponent of the frequency scaling of λ. */
    nu: number;
  };
  protected readonly shape: ModelShape;

  /**
   * An unfitted IALS.
   * @param given - The iALS options; unset ones take {@link IALS_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of IALS ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(given: IalsOptions = {}) {
    super();
    const options = optionsObject('IALS options', given);
    checkOptionKeys('IALS', options, IALS_OPTION_KEYS);
    const d = IALS_DEFAULTS;
    const factors = resolveImplicitCommon({ ...options, initStd: 0 }, { ...d, initStd: 0 }).factors;
    this.options = {
      ...resolveImplicitCommon(options, { ...d, initStd: 0.1 / Math.sqrt(factors) }),
      threads: threadsOption(options.threads ?? 'auto'),
      reg: positive('reg', options.reg ?? d.reg),
      alpha0: nonNegative('alpha0', options.alpha0 ?? d.alpha0),
      nu: nonNegative('nu', options.nu ?? d.nu),
    };
    this.shape = this.shapeOf(this.options, ROW_THREADING);
  }

  /** The interactions twice (CSR), the Gram matrix, the per-row λ and the f64 scratch of a row solve. */
  protected override extraMemoryBytes(train: Dataset, stride: number): number {
    return 2 * train.size * 8 + (train.userCount + train.itemCount) * 12 + stride * stride * 12 + stride * 40;
  }

  protected override divergenceHint(): string {
    return 'raise the regularization (reg)';
  }

  /** λ_row = λ (count + α0 · others)^ν for every row. */
  private lambdas(counts: Uint32Array, others: number): Float64Array {
    const { reg, alpha0, nu } = this.options;
    return Float64Array.from(counts, (n) => reg * Math.pow(n + alpha0 * others, nu));
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const { engine, train, factors } = setup;
    const o = this.options, stride = factors.stride, k = o.factors, m = (k + 1) & ~1;
    const byUser = interactionRows(setup, train.userIndex, train.itemIndex, train.userCount);
    const byItem = interactionRows(setup, train.itemIndex, train.userIndex, train.itemCount);
    const counts = (rows: typeof byUser) => {
      const s = rows.start.array();
      return Uint32Array.from({ length: rows.rowCount }, (_, r) => s[r + 1] - s[r]);
    };
    const lambdaU = engine.allocF64(train.userCount), lambdaI = engine.allocF64(train.itemCount);
    lambdaU.array().set(this.lambdas(counts(byUser), train.itemCount));
    lambdaI.array().set(this.lambdas(counts(byItem), train.userCount));
    const gram = engine.allocF32(k * stride), gramOther = engine.allocF32(k * stride);
    // The row solve's scratch, one part per thread.
    const threads = engine.threads;
    const A = engine.allocF64(threads * threadPart(k * m, 8)), h = engine.allocF64(threads * threadPart(4 * m, 8)), b = engine.allocF64(threads * threadPart(m, 8));
    const half = (rows: typeof byUser, X: typeof factors.P, Y: typeof factors.Q, others: number, lambdas: typeof lambdaU) => {
      gram.array().fill(0);
      engine.gramian(Y, others, stride, k, gram);
      const failed = engine.alsExactRows({ rows, first: 0, end: rows.rowCount, a: o.alpha0, w0: 1, alpha: 0 }, X, Y, gram, stride, k, lambdas, A, h, b);
      if (failed !== 0) throw new LatentrecError(`IALS: a row's system is not positive definite in floating point (row ${failed - 1}); raise reg`);
    };
    const objective = (): number => {
      // Σ_all ŷ² = Σ_pq (WᵀW)_pq (HᵀH)_pq; gram holds WᵀW after the item half-step.
      gramOther.array().fill(0);
      engine.gramian(factors.Q, train.itemCount, stride, k, gramOther);
      const G = gram.array(), H = gramOther.array();
      let all = 0;
      for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) all += G[p * stride + q] * H[p * stride + q];
      const P = factors.P.array(), Q = factors.Q.array();
      let observed = 0;
      for (let t = 0; t < train.size; t++) {
        const u = train.userIndex[t] * stride, i = train.itemIndex[t] * stride;
        let s = 0;
        for (let f = 0; f < k; f++) s += P[u + f] * Q[i + f];
        observed += (s - 1) * (s - 1);
      }
      let penalty = 0;
      for (const [X, lambdas, rows] of [[P, lambdaU.array(), train.userCount], [Q, lambdaI.array(), train.itemCount]] as const) {
        for (let r = 0; r < rows; r++) {
          let norm = 0;
          for (let f = 0; f < k; f++) norm += X[r * stride + f] * X[r * stride + f];
          penalty += lambdas[r] * norm;
        }
      }
      return (observed + o.alpha0 * all + penalty) / train.size;
    };
    if (setup.partial) {
      // partialFit: as ALS's (als.ts partialTrainer), the data's users and its new items only,
      // each solved exactly from its rows in the data against every row of the other side.
      const sides = partialSides(setup, setup.partial);
      const lambdasOf = (side: CompactSide, others: number) => {
        const l = engine.allocF64(Math.max(1, side.a.rowCount));
        l.array().set(this.lambdas(counts(side.a), others));
        return l;
      };
      const userLambdas = lambdasOf(sides.users, train.itemCount), itemLambdas = lambdasOf(sides.items, train.userCount);
      const solveSide = (side: CompactSide, X: typeof factors.P, Y: typeof factors.Q, others: number, lambdas: typeof lambdaU) => {
        if (side.rows.length > 0) solveInPlace(side, X, stride, (x) => half(side.a, x, Y, others, lambdas));
      };
      return {
        epoch() {
          solveSide(sides.users, factors.P, factors.Q, train.itemCount, userLambdas);
          solveSide(sides.items, factors.Q, factors.P, train.userCount, itemLambdas);
          // objective() reads PᵀP from gram, which the item half-step leaves there only when
          // some item was new: computed here in any case.
          gram.array().fill(0);
          engine.gramian(factors.P, train.userCount, stride, k, gram);
          return { value: objective(), kind: 'objective' };
        },
        predictionFactors: () => factors,
      };
    }
    return {
      epoch() {
        half(byUser, factors.P, factors.Q, train.itemCount, lambdaU);
        half(byItem, factors.Q, factors.P, train.userCount, lambdaI);
        return { value: objective(), kind: 'objective' };
      },
      predictionFactors: () => factors,
    };
  }

  /** A new user's row exactly, by the training equation (f64 Cholesky). */
  protected override foldInSolver(): FoldInSolver {
    const { factors: k, alpha0, reg, nu } = this.options;
    return exactRowSolver({ k, a: alpha0, w0: 1, alpha: 0, lambda: (count, items) => reg * Math.pow(count + alpha0 * items, nu), distinct: true });
  }
}
