// PureSVD-style predictor, the lecture's baseline (steps 1-3 without gradient descent): the
// rank-k truncated SVD of the user-mean-filled rating matrix, r^_ui = (U_k Σ_k V_kᵀ)_ui
// (Cremonesi, Koren & Turrin 2010 use the zero-filled matrix for ranking; the lecture fills
// with user means for rating prediction). Unknown user or item: the global mean, flagged.
import { OptionError } from '../errors.js';
import type { EngineName } from '../engine/index.js';
import { WASM_VARIANTS, type WasmVariant } from '../engine/wasm-engine.js';
import { FactorModel, type ModelShape, type Trainer, type TrainingSetup } from './factor-model.js';
import { writeSplit } from './init-factors.js';
import { optionsObject } from './arguments.js';
import { integer, oneOf } from './options.js';
import { TRUNCATED_SVD_DEFAULTS, truncatedSvdOfFilled } from './truncated-svd.js';

export interface PureSvdOptions {
  /** Rank k. Default 20. */
  factors?: number;
  /** Randomized SVD: extra directions (default 10) and power iterations (default 4). */
  oversample?: number;
  powerIterations?: number;
  seed?: number;
  engine?: EngineName;
  /** Force a wasm build ('relaxed', 'simd' or 'scalar'; default the best this runtime runs): 'simd' for the same bits in Node and browsers. */
  wasmVariant?: WasmVariant;
}

export class PureSVD extends FactorModel {
  protected readonly stateKind = 'puresvd' as const;
  readonly options: Required<Omit<PureSvdOptions, 'wasmVariant'>> & { wasmVariant: WasmVariant | undefined };
  protected readonly shape: ModelShape;

  constructor(given: PureSvdOptions = {}) {
    super();
    const options = optionsObject('PureSVD options', given);
    this.options = {
      factors: integer('factors', options.factors ?? 20, 1, 4096),
      oversample: integer('oversample', options.oversample ?? TRUNCATED_SVD_DEFAULTS.oversample, 0, 4096),
      powerIterations: integer('powerIterations', options.powerIterations ?? 4, 0, 100),
      seed: integer('seed', options.seed ?? 0, 0, 0xffffffff),
      engine: oneOf<EngineName>('engine', options.engine ?? 'wasm', ['wasm', 'js']),
      wasmVariant: options.wasmVariant === undefined ? undefined : oneOf<WasmVariant>('wasmVariant', options.wasmVariant, WASM_VARIANTS),
    };
    if ((options as { epochs?: number }).epochs !== undefined) {
      throw new OptionError('epochs', 'unset: PureSVD has no gradient descent', (options as { epochs?: number }).epochs);
    }
    this.shape = {
      factors: this.options.factors, biased: false, epochs: 0, engine: this.options.engine,
      wasmVariant: this.options.wasmVariant, seed: this.options.seed, rng: 'mt19937',
    };
  }

  protected initialize(setup: TrainingSetup): void {
    const { oversample, powerIterations } = this.options;
    const svd = truncatedSvdOfFilled(setup.engine, setup.train, this.options.factors, setup.random, { oversample, powerIterations });
    // P = U·Σ, Q = V: P·Qᵀ is the truncation itself.
    writeSplit(svd, setup.factors.P.array(), setup.factors.Q.array(), setup.factors.stride, 1);
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    return { epoch: () => 0, predictionFactors: () => setup.factors };
  }
}
