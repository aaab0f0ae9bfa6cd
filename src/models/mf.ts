// Plain matrix factorization (Surprise's SVD with biased=False, PMF): r^ = p_u·q_i by SGD.
import { FactorModel, type ModelShape, type Trainer, type TrainingSetup } from './factor-model.js';
import { initFactors } from './init-factors.js';
import { resolveSgdOptions, type ResolvedSgdOptions, type SgdOptions } from './options.js';
import { sgdTrainer } from './sgd-trainer.js';

export class MF extends FactorModel {
  readonly options: ResolvedSgdOptions;
  protected readonly shape: ModelShape;

  constructor(options: SgdOptions = {}) {
    super();
    this.options = resolveSgdOptions(options);
    this.shape = { ...this.options, biased: false };
  }

  protected initialize(setup: TrainingSetup): void {
    initFactors(setup, this.options, false);
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    return sgdTrainer(setup, this.options, false);
  }
}
