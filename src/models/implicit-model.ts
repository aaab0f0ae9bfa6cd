// What the implicit-feedback factor models (BPR, ALS) share: the common options, scores that are
// never clipped to a rating scale, and normal initialization of P and Q.
import type { EngineName } from '../engine/index.js';
import { WASM_VARIANTS, type WasmVariant } from '../engine/wasm-engine.js';
import { FactorModel, type ModelShape, type TrainingSetup } from './factor-model.js';
import { initNormal } from './init.js';
import { integer, nonNegative, oneOf, type RandomKind } from './options.js';

export interface ImplicitCommonOptions {
  factors?: number;
  epochs?: number;
  initStd?: number;
  seed?: number;
  engine?: EngineName;
  /**
   * Force a wasm build ('relaxed', 'simd' or 'scalar'; default the best this runtime runs, as for
   * SVD): 'simd' gives the same model bit for bit in Node and in browsers, whose default build
   * (relaxed SIMD) may fuse multiply-adds.
   */
  wasmVariant?: WasmVariant;
  rng?: RandomKind;
}

export interface ResolvedImplicitCommon {
  factors: number;
  epochs: number;
  initStd: number;
  seed: number;
  engine: EngineName;
  /** Present only when given (so settings written before it existed compare equal). */
  wasmVariant?: WasmVariant;
  rng: RandomKind;
}

export function resolveImplicitCommon(
  o: ImplicitCommonOptions, defaults: { factors: number; epochs: number; initStd: number },
): ResolvedImplicitCommon {
  return {
    factors: integer('factors', o.factors ?? defaults.factors, 1, 4096),
    epochs: integer('epochs', o.epochs ?? defaults.epochs, 1, 1_000_000),
    initStd: nonNegative('initStd', o.initStd ?? defaults.initStd),
    seed: integer('seed', o.seed ?? 0, 0, 0xffffffff),
    engine: oneOf<EngineName>('engine', o.engine ?? 'wasm', ['wasm', 'js']),
    ...(o.wasmVariant !== undefined && { wasmVariant: oneOf<WasmVariant>('wasmVariant', o.wasmVariant, WASM_VARIANTS) }),
    rng: oneOf<RandomKind>('rng', o.rng ?? 'xoshiro128', ['xoshiro128', 'mt19937']),
  };
}

export abstract class ImplicitModel extends FactorModel {
  abstract readonly options: ResolvedImplicitCommon;

  /** BPR's and the hybrid's step is `lr` (ALS overrides this: it has none). */
  protected override divergenceHint(): string {
    return 'lower the learning rate (lr / --lr) or raise the regularization';
  }

  protected shapeOf(o: ResolvedImplicitCommon): ModelShape {
    return { factors: o.factors, biased: false, epochs: o.epochs, engine: o.engine, wasmVariant: o.wasmVariant, seed: o.seed, rng: o.rng, unclipped: true };
  }

  protected initialize(setup: TrainingSetup): void {
    const { factors, train, random } = setup;
    initNormal(factors.P, train.userCount, this.options.factors, factors.stride, 0, this.options.initStd, random);
    initNormal(factors.Q, train.itemCount, this.options.factors, factors.stride, 0, this.options.initStd, random);
  }
}
