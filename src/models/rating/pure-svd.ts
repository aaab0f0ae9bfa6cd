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

export interface PureSvdOptions {
  /** Rank k. Default 20. */
  factors?: number;
  /** Randomized SVD: extra directions (default 10) and power iterations (default 4). */
  oversample?: number;
  powerIterations?: number;
  seed?: number;
  engine?: EngineChoice;
  /** Force a wasm build ('relaxed', 'simd' or 'scalar'; default the best this runtime runs): 'simd' for the same bits in Node and browsers. */
  wasmVariant?: WasmVariant;
}

/** Every key PureSvdOptions has. */
export const PURE_SVD_OPTION_KEYS = ['factors', 'oversample', 'powerIterations', 'seed', 'engine', 'wasmVariant'] as const satisfies readonly (keyof PureSvdOptions)[];

export class PureSVD extends RatingBase {
  protected readonly stateKind = 'puresvd' as const;
  readonly options: Required<Omit<PureSvdOptions, 'wasmVariant'>> & { wasmVariant: WasmVariant | undefined };
  protected readonly shape: ModelShape;

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
