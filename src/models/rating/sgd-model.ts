// What SVD and MF share: Surprise's SGD options, their initialization and the SGD step; they
// differ only in whether μ + b_u + b_i is part of the model.
import type { FactorBlock } from '../../engine/index.js';
import type { RandomSource } from '../../util/random.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys } from '../core/options.js';
import { BLOCKED_SGD_THREADING } from '../core/blocked-threads.js';
import { initFactors } from './init-factors.js';
import { RatingBase } from './rating-base.js';
import { resolveSgdOptions, SGD_OPTION_KEYS, type ResolvedSgdOptions, type SgdOptions } from './sgd-options.js';
import { sgdTrainer } from './sgd-trainer.js';

export abstract class SgdModel extends RatingBase {
  /** The resolved options (SVD++'s lrYj and regYj are not an SVD's or MF's). */
  readonly options: Omit<ResolvedSgdOptions, 'lrYj' | 'regYj'>;
  protected readonly shape: ModelShape;
  protected override readonly supportsPartialFit = true;

  protected constructor(given: SgdOptions, biased: boolean) {
    super();
    const options = optionsObject(`${new.target.name} options`, given);
    checkOptionKeys(new.target.name, options, SGD_OPTION_KEYS);
    const { lrYj: _lrYj, regYj: _regYj, ...own } = resolveSgdOptions(options);
    this.options = own;
    this.shape = { ...this.options, biased, threading: BLOCKED_SGD_THREADING };
  }

  protected initialize(setup: TrainingSetup): void {
    initFactors(setup, this.options, this.shape.biased);
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    return sgdTrainer(setup, this.options, this.shape.biased);
  }

  /** partialFit's new users, then its new items: the usual normal init, row by row. */
  protected override initializeRows(factors: FactorBlock, fromUser: number, toUser: number, fromItem: number, toItem: number, random: RandomSource): void {
    const { factors: k, initMean, initStd } = this.options, stride = factors.stride;
    const P = factors.P.array(), Q = factors.Q.array();
    for (let u = fromUser; u < toUser; u++) for (let f = 0; f < k; f++) P[u * stride + f] = random.nextNormal(initMean, initStd);
    for (let i = fromItem; i < toItem; i++) for (let f = 0; f < k; f++) Q[i * stride + f] = random.nextNormal(initMean, initStd);
  }
}
