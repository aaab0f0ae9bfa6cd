// "SVD on top of baseline": r^ = μ + b_u + b_i + q_i·p_u, trained by SGD exactly as Surprise's
// SVD (Koren, Bell & Volinsky, "Matrix factorization techniques for recommender systems", 2009).
import { FactorModel, type ModelShape, type Trainer, type TrainingSetup } from './factor-model.js';
import { initFactors } from './init-factors.js';
import { resolveSgdOptions, type ResolvedSgdOptions, type SgdOptions } from './options.js';
import { sgdTrainer } from './sgd-trainer.js';

export class SVD extends FactorModel {
  readonly options: ResolvedSgdOptions;
  protected readonly shape: ModelShape;

  constructor(options: SgdOptions = {}) {
    super();
    this.options = resolveSgdOptions(options);
    this.shape = { ...this.options, biased: true };
  }

  protected initialize(setup: TrainingSetup): void {
    initFactors(setup, this.options, true);
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    return sgdTrainer(setup, this.options, true);
  }
}
