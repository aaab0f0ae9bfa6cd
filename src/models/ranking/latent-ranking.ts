// What the implicit-feedback factor models (BPR, ALS, the hybrid) share: the common options with
// their own defaults (the xoshiro128 generator, initStd), scores that are never clipped, and
// normal initialization of P and Q.
import { initNormal } from '../core/init.js';
import type { ModelShape, TrainingSetup } from '../core/model.js';
import type { FactorBlock } from '../../engine/index.js';
import type { RandomSource } from '../../util/random.js';
import { nonNegative, resolveCommon, type CommonOptions, type ResolvedCommon } from '../core/options.js';
import { RankingBase } from './ranking-base.js';
import type { Threading } from '../core/fit-loop.js';

/** The common options of the implicit-feedback factor models (BPR, ALS, IALS, Hybrid): {@link CommonOptions} and initStd. */
export interface ImplicitCommonOptions extends CommonOptions {
  /** Standard deviation of the normal initialization of the factors, a finite number >= 0. Each kind has its own default. */
  initStd?: number;
}

/** The option of the kinds that run on several threads (ALS, iALS). */
export interface ThreadsOption {
  /**
   * Threads, the caller's included: 'auto' (the default) is every core from 100,000 interactions.
   * The model is the same bits for any count; where threads cannot run, the fit runs on one and
   * FitResult.notes says why. A count is an integer in [1, 256]; the js engine runs on one.
   * @defaultValue 'auto'
   */
  threads?: number | 'auto';
}

/** The common options of an implicit-feedback model after checking, every default filled in (part of its `options`). */
export interface ResolvedImplicitCommon extends ResolvedCommon {
  /** Standard deviation of the normal initialization of the factors. */
  initStd: number;
  /** Present for the kinds that take it. */
  threads?: number | 'auto';
}

export function resolveImplicitCommon(o: ImplicitCommonOptions, defaults: { factors: number; epochs: number; initStd: number }): ResolvedImplicitCommon {
  return {
    ...resolveCommon(o, { factors: defaults.factors, epochs: defaults.epochs, rng: 'xoshiro128' }),
    initStd: nonNegative('initStd', o.initStd ?? defaults.initStd),
  };
}

export abstract class LatentRanking extends RankingBase {
  abstract override readonly options: ResolvedImplicitCommon;

  /** `threading`: how the kind runs on several threads, if it does (ALS and iALS: ROW_THREADING). */
  protected shapeOf(o: ResolvedImplicitCommon, threading?: Threading): ModelShape {
    const shape: ModelShape = { factors: o.factors, biased: false, epochs: o.epochs, engine: o.engine, wasmVariant: o.wasmVariant, seed: o.seed, rng: o.rng };
    return threading ? { ...shape, threads: o.threads ?? 1, threading } : shape;
  }

  protected override initialize(setup: TrainingSetup): void {
    const { factors, train, random } = setup;
    initNormal(factors.P, train.userCount, this.options.factors, factors.stride, 0, this.options.initStd, random);
    initNormal(factors.Q, train.itemCount, this.options.factors, factors.stride, 0, this.options.initStd, random);
  }

  /** partialFit's new users, then its new items: the same normal init as a fit's. */
  protected override initializeRows(factors: FactorBlock, fromUser: number, toUser: number, fromItem: number, toItem: number, random: RandomSource): void {
    const { factors: k, initStd } = this.options;
    initNormal(factors.P, toUser, k, factors.stride, 0, initStd, random, fromUser);
    initNormal(factors.Q, toItem, k, factors.stride, 0, initStd, random, fromItem);
  }
}
