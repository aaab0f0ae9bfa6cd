// The shapes every rating model shares, so evaluation and the CLI work with any of them.
import type { Dataset, RawId } from '../data/dataset.js';

export interface EpochReport {
  /** 1-based epoch number. */
  epoch: number;
  /** RMSE of the pass: each rating's error taken just before its own update. */
  trainRmse: number;
  /** Present when a validation set was given: metrics of the model at the end of the epoch. */
  validationRmse?: number;
  validationMae?: number;
  /** Wall seconds of this epoch's pass (kernel plus ordering). */
  seconds: number;
}

export interface FitOptions {
  /** Scored after every epoch; its RMSE/MAE go to the learning curve and `onEpoch`. */
  validation?: Dataset;
  onEpoch?: (report: EpochReport) => void;
}

export interface FitResult {
  epochs: EpochReport[];
  /** Wall seconds of the whole fit, validation scoring included. */
  fitSeconds: number;
}

export interface Prediction {
  user: string;
  item: string;
  /** Clipped to the training rating scale. */
  estimate: number;
  userKnown: boolean;
  itemKnown: boolean;
  /**
   * True when the full model could not be applied (unknown user or item): the estimate then
   * falls back as Surprise's does (SVD: the known baseline parts; MF: the global mean).
   */
  impossible: boolean;
}

export interface Recommendation {
  item: string;
  score: number;
}

/** What evaluation, cross-validation and the CLI need of a rating model. */
export interface RatingModel {
  fit(train: Dataset, options?: FitOptions): FitResult;
  predict(user: RawId, item: RawId): Prediction;
  predictMany(pairs: Dataset): Float32Array;
}
