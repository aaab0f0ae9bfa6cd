// The shapes every rating model shares, so evaluation and the CLI work with any of them.
import type { Dataset, RawId } from '../data/dataset.js';

export interface EpochReport {
  /** 1-based epoch number. */
  epoch: number;
  /**
   * Training RMSE: by default of the pass (each rating's error just before its own update, what
   * the kernel returns); with `trainMetric: 'full'`, of the model at the end of the epoch over
   * every training rating, clipped (Surprise's after-epoch figure).
   */
  trainRmse: number;
  /** Present when a validation set was given: metrics of the model at the end of the epoch. */
  validationRmse?: number;
  validationMae?: number;
  /** Wall seconds of this epoch's pass (kernel plus ordering). */
  seconds: number;
}

export interface EarlyStopping {
  /** Stop after this many epochs without an improvement of the validation RMSE. Default 3. */
  patience?: number;
  /** An improvement must lower the best validation RMSE by more than this. Default 0. */
  minDelta?: number;
  /** End with the factors of the best epoch (not the last). Default true. */
  restoreBest?: boolean;
}

export interface FitOptions {
  /** Scored after every epoch; its RMSE/MAE go to the learning curve and `onEpoch`. */
  validation?: Dataset;
  onEpoch?: (report: EpochReport) => void;
  /** 'pass' (default, free) or 'full' (one more scoring pass over the training set per epoch). */
  trainMetric?: 'pass' | 'full';
  /** Stop when the validation RMSE stops improving (needs `validation`). */
  earlyStopping?: EarlyStopping | boolean;
  /**
   * Keep a copy of the best epoch so far (lowest validation RMSE, or the pass's train RMSE without
   * a validation set): a fit that is aborted or diverges leaves the model at that epoch instead of
   * losing it. Costs one copy of the factors.
   */
  checkpoint?: boolean;
  /**
   * Stops the fit between epochs once aborted; the model keeps what was learned (the checkpoint,
   * else the last epoch) and the result says `aborted: true`. fit() checks it between epochs
   * (abort from onEpoch); fitAsync() also yields to the event loop there, so timers and UI can.
   */
  signal?: AbortSignal;
}

export interface FitResult {
  epochs: EpochReport[];
  /** Wall seconds of the whole fit, validation scoring included. */
  fitSeconds: number;
  /** With early stopping: the epoch whose validation RMSE was best. */
  bestEpoch?: number;
  /** Threads that ran the epochs (blocked SGD; 1 for every other trainer). */
  threads?: number;
  /** How the fit ran where it differs from what was asked (e.g. one thread instead of several, and why). */
  notes?: string[];
  /** The fit was stopped by its AbortSignal before its last epoch. */
  aborted?: boolean;
  /** When aborted: the epoch the model holds (the checkpoint's, or the last one run). */
  keptEpoch?: number;
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
  /** For an impossible prediction: what was unknown and what the estimate fell back to. */
  reason?: string;
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
