// What SVD and MF share: Surprise's SGD options, their initialization and the SGD step; they
// differ only in whether μ + b_u + b_i is part of the model.
import { FactorModel, type ModelShape, type Trainer, type TrainingSetup } from './factor-model.js';
import { initFactors } from './init-factors.js';
import { optionsObject } from './arguments.js';
import { resolveSgdOptions, type ResolvedSgdOptions, type SgdOptions } from './options.js';
import { sgdTrainer } from './sgd-trainer.js';

export abstract class SgdModel extends FactorModel {
  readonly options: ResolvedSgdOptions;
  protected readonly shape: ModelShape;
  protected override readonly supportsPartialFit = true;

  protected constructor(options: SgdOptions, biased: boolean) {
    super();
    this.options = resolveSgdOptions(optionsObject(`${new.target.name} options`, options));
    this.shape = { ...this.options, biased };
  }

  protected initialize(setup: TrainingSetup): void {
    initFactors(setup, this.options, this.shape.biased);
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    return sgdTrainer(setup, this.options, this.shape.biased);
  }
}
