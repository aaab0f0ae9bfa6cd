// PureSVD-style predictor, the lecture's baseline (steps 1-3 without gradient descent): the
// rank-k truncated SVD of the user-mean-filled rating matrix, r^_ui = (U_k Σ_k V_kᵀ)_ui
// (Cremonesi, Koren & Turrin 2010 use the zero-filled matrix for ranking; the lecture fills
// with user means for rating prediction). Unknown user or item: the global mean, flagged.
import type { EngineChoice, WasmVariant } from '../../engine/index.js';
import { OptionError } from '../../errors.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, integer, resolveCommon } from '../core/options.js';
import { writeSplit } from './init-factors.js';
import { RatingBase } from './rating-base.js';
import { TRUNCATED_SVD_DEFAULTS, truncatedSvdOfFilled } from './truncated-svd.js';

/** Options of {@link PureSVD}. It has no epochs: an `epochs` option is refused. */
export interface PureSvdOptions {
  /**
   * Rank k, an integer in [1, {@link MAX_FACTORS}], and at most the smaller of the user and item
   * counts (else the fit throws an OptionError).
   * @defaultValue 20
   */
  factors?: number;
  /**
   * Randomized SVD: extra random directions beyond k, an integer in [0, 4096].
   * @defaultValue 10
   */
  oversample?: number;
  /**
   * Randomized SVD: power (subspace) iterations, an integer in [0, 100]; more sharpen the
   * trailing singular values.
   * @defaultValue 4
   */
  powerIterations?: number;
  /**
   * Seed of the randomized SVD's random directions, an integer in [0, 2^32 − 1].
   * @defaultValue 0
   */
  seed?: number;
  /**
   * The engine: 'auto' (wasm where it compiles, else js), 'wasm' or 'js' (see {@link CommonOptions.engine}).
   * @defaultValue 'auto'
   */
  engine?: EngineChoice;
  /** Force a wasm build ('relaxed', 'simd' or 'scalar'; default the best this runtime runs): 'simd' for the same bits in Node and browsers. */
  wasmVariant?: WasmVariant;
}

/** Every key PureSvdOptions has. */
export const PURE_SVD_OPTION_KEYS = ['factors', 'oversample', 'powerIterations', 'seed', 'engine', 'wasmVariant'] as const satisfies readonly (keyof PureSvdOptions)[];

/**
 * PureSVD-style predictor, the lecture's baseline without gradient descent: the rank-k truncated
 * SVD of the user-mean-filled rating matrix, r̂_ui = (U_k Σ_k V_kᵀ)_ui (Cremonesi, Koren & Turrin
 * 2010 fill with zeros for ranking; this fills with user means for rating prediction). Computed
 * in closed form (the learning curve has one point, epoch 0). Unknown user or item: the global
 * mean, flagged.
 *
 * @example
 * ```ts
 * import { Dataset, PureSVD } from 'latentrec';
 *
 * const train = Dataset.fromTriples([
 *   ['alice', 'matrix', 5], ['alice', 'alien', 4], ['bob', 'matrix', 4],
 *   ['bob', 'titanic', 2], ['carol', 'titanic', 5], ['carol', 'alien', 3],
 * ]);
 * const model = new PureSVD({ factors: 2 }); // at most min(users, items)
 * model.fit(train);
 * console.log(model.predict('alice', 'titanic').estimate);
 * console.log(model.similarItems('matrix', { n: 1 })); // [{ id, score }] by cosine
 * ```
 */
export class PureSVD extends RatingBase {
  protected readonly stateKind = 'puresvd' as const;
  protected override readonly partialFitRefusal = 'a truncated SVD of the whole rating matrix has no warm start; fit it again on all the data';
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: Required<Omit<PureSvdOptions, 'wasmVariant'>> & {
    /** The wasm build asked for, or undefined for the best this runtime supports. */
    wasmVariant: WasmVariant | undefined;
  };
  protected readonly shape: ModelShape;

  /**
   * An unfitted PureSVD.
   * @param given - The PureSVD options.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of PureSVD ({@link UnknownOptionError}, naming the option it probably meant).
   * An `epochs` option is refused with an OptionError (PureSVD has no gradient descent).
   */
  constructor(given: PureSvdOptions = {}) {
    super();
    const options = optionsObject('PureSVD options', given);
    if ((options as { epochs?: number }).epochs !== undefined) {
      throw new OptionError('epochs', 'unset: PureSVD has no gradient descent', (options as { epochs?: number }).epochs);
    }
    checkOptionKeys('PureSVD', options, PURE_SVD_OPTION_KEYS);
    const common = resolveCommon(options, { factors: 20, epochs: 0, rng: 'mt19937' });
    this.options = {
      factors: common.factors,
      oversample: integer('oversample', options.oversample ?? TRUNCATED_SVD_DEFAULTS.oversample, 0, 4096),
      powerIterations: integer('powerIterations', options.powerIterations ?? 4, 0, 100),
      seed: common.seed,
      engine: common.engine,
      wasmVariant: common.wasmVariant,
    };
    this.shape = {
      factors: this.options.factors, biased: false, epochs: 0, engine: this.options.engine,
      wasmVariant: this.options.wasmVariant, seed: this.options.seed, rng: common.rng,
    };
  }

  protected initialize(setup: TrainingSetup): void {
    const { oversample, powerIterations } = this.options;
    const svd = truncatedSvdOfFilled(setup.engine, setup.train, this.options.factors, setup.random, { oversample, powerIterations });
    // P = U·Σ, Q = V: P·Qᵀ is the truncation itself.
    writeSplit(svd, setup.factors.P.array(), setup.factors.Q.array(), setup.factors.stride, 1);
  }

  /** Computed in closed form at initialization: there is no epoch to run. */
  protected createTrainer(setup: TrainingSetup): Trainer {
    return { epoch: () => ({ value: 0, kind: 'rmse' }), predictionFactors: () => setup.factors };
  }
}
