// The shapes every model shares, so evaluation and the CLI work with any of them.
import type { Dataset, RawId } from '../../data/dataset.js';

/**
 * What an epoch's loss measures:
 * - 'rmse': rating models — the root mean squared error of the pass (each rating's error just
 *   before its own update, what the kernel returns; Baseline ALS: of the model after the
 *   iteration);
 * - 'misranked': BPR and the hybrid — the fraction of the pass's sampled (positive, negative)
 *   pairs that the model ranked the wrong way round (1 − training AUC on the samples);
 * - 'cg-residual': ALS — the root mean square, per interaction, of the conjugate-gradient
 *   residuals of the row solves (how far the alternation is from its least-squares optimum);
 * - 'objective': IALS — its training objective (squared errors, the all-cells term and the
 *   regularization) per interaction, after the epoch.
 */
export type LossKind = 'rmse' | 'misranked' | 'cg-residual' | 'objective';

/** An epoch's training loss, with what it measures. Lower is better for every kind. */
export interface EpochLoss {
  /** The loss figure itself (see {@link LossKind} for what each kind measures). */
  value: number;
  /** What `value` measures. */
  kind: LossKind;
}

/**
 * One point of a fit's learning curve: what `onEpoch` receives after every epoch and what
 * {@link FitResult.epochs} lists. Ranking models report this; rating models report
 * {@link RatingEpochReport}.
 */
export interface EpochReport {
  /** 1-based epoch number (0: the one point of a model without epochs, PureSVD). */
  epoch: number;
  /** The pass's training loss and its kind. */
  loss: EpochLoss;
  /**
   * Rating models only: the training RMSE — by default of the pass (= loss.value); with
   * `trainMetric: 'full'`, of the model at the end of the epoch over every training rating,
   * clipped (Surprise's after-epoch figure).
   */
  trainRmse?: number;
  /** Present when a validation set was given: metrics of the model at the end of the epoch. */
  validationRmse?: number;
  /** Present when a validation set was given: the mean absolute error of the model at the end of the epoch. */
  validationMae?: number;
  /** Wall seconds of this epoch's pass (kernel plus ordering). */
  seconds: number;
}

/** An epoch of a rating model: its training RMSE is always there. */
export interface RatingEpochReport extends EpochReport {
  trainRmse: number;
}

/**
 * Settings of early stopping on the validation RMSE (fit's `earlyStopping` option, which needs
 * `validation`). `earlyStopping: true` takes every default.
 */
export interface EarlyStopping {
  /**
   * Stop after this many epochs without an improvement of the validation RMSE. An integer >= 1.
   * @defaultValue 3
   */
  patience?: number;
  /**
   * An improvement must lower the best validation RMSE by more than this. A finite number >= 0.
   * @defaultValue 0
   */
  minDelta?: number;
  /**
   * End with the factors of the best epoch (not the last).
   * @defaultValue true
   */
  restoreBest?: boolean;
}

/** Options of every fit (ranking models take these only). */
export interface CommonFitOptions<R extends EpochReport = EpochReport> {
  /**
   * Called after every epoch with its report (PureSVD, without epochs, calls it once with epoch
   * 0; EASE and Popular never do). Abort the fit's `signal` from here to stop after this epoch.
   * @param report - The epoch's learning-curve point.
   */
  onEpoch?(report: R): void;
  /**
   * Keep a copy of the best epoch so far (lowest validation RMSE, else the lowest training
   * loss): a fit that is aborted or diverges leaves the model at that epoch instead of losing
   * it. Costs one copy of the factors. Refused (OptionError) by BayesianFM and Hybrid.
   * @defaultValue false
   */
  checkpoint?: boolean;
  /**
   * Stops the fit between epochs once aborted; the model keeps what was learned (the checkpoint,
   * else the last epoch) and the result says `aborted: true`. fit() checks it between epochs
   * (abort from onEpoch); fitAsync() also yields to the event loop there, so timers and UI can.
   */
  signal?: AbortSignal;
}

/** Options of a rating model's fit. */
export interface FitOptions<R extends EpochReport = RatingEpochReport> extends CommonFitOptions<R> {
  /** Scored after every epoch; its RMSE/MAE go to the learning curve and `onEpoch`. */
  validation?: Dataset;
  /**
   * What `trainRmse` reports: 'pass' (free: the RMSE of the epoch's own pass) or 'full' (one more
   * scoring pass over the training set per epoch, of the model at the end of the epoch).
   * @defaultValue 'pass'
   */
  trainMetric?: 'pass' | 'full';
  /**
   * Stop when the validation RMSE stops improving: `true` for the {@link EarlyStopping} defaults,
   * or an object of settings. Needs `validation` (without it, an OptionError).
   * @defaultValue false
   */
  earlyStopping?: EarlyStopping | boolean;
}

/** What fit, fitAsync and partialFit return: the learning curve and how the fit ran. */
export interface FitResult<R extends EpochReport = EpochReport> {
  /** The learning curve: one report per epoch run, in order (PureSVD: one point, epoch 0; EASE and Popular: empty). */
  epochs: R[];
  /** Wall seconds of the whole fit, validation scoring included. */
  fitSeconds: number;
  /** With early stopping or checkpoint: the best epoch. */
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

/** Options of partialFit: the epochs to run over the new data, and what every fit takes. */
export interface PartialFitOptions<R extends EpochReport = EpochReport> extends CommonFitOptions<R> {
  /**
   * Passes over the new data, an integer in [1, 1,000,000].
   * @defaultValue the model's `epochs` option
   */
  epochs?: number;
  /** Rating models: scored after every epoch. */
  validation?: Dataset;
}

/** What predict returns: the estimate for one (user, item) pair, and whether the model knew both. */
export interface Prediction {
  /** The user's raw id, as a string. */
  user: string;
  /** The item's raw id, as a string. */
  item: string;
  /** Rating models: clipped to the training rating scale; ranking models: the unclipped score. */
  estimate: number;
  /** Whether the model knows the user (trained, folded in or added). */
  userKnown: boolean;
  /** Whether the model knows the item. */
  itemKnown: boolean;
  /**
   * True when the full model could not be applied (unknown user or item): the estimate then
   * falls back as Surprise's does (SVD: the known baseline parts; MF: the global mean).
   */
  impossible: boolean;
  /** For an impossible prediction: what was unknown and what the estimate fell back to. */
  reason?: string;
}

/**
 * One entry of a list a model returns (recommend, recommendAll, similarItems, similarUsers):
 * the raw id and its score. Every list uses these two names.
 */
export interface Recommendation<Id extends string | number = string> {
  /** The item's raw id: a string, or a number with `idType: 'number'`. */
  id: Id;
  /**
   * Its score, higher is better: recommend's unclipped estimate (a Bayesian FM with ordinal
   * output: the expected rating), or a similarity.
   */
  score: number;
  /**
   * The same as `id`, the name recommend() used before every list took `id`.
   * @deprecated Use `id`; `item` goes in the next minor version.
   */
  item: Id;
}

/** What evaluation, cross-validation and the CLI need of a rating model. */
export interface RatingModel {
  /**
   * Trains the model from scratch.
   * @param train - The training ratings.
   * @param options - Validation set, early stopping, callbacks (see {@link FitOptions}).
   * @returns The learning curve.
   */
  fit(train: Dataset, options?: FitOptions): FitResult;
  /**
   * The estimate for one pair by raw ids.
   * @param user - The user's raw id.
   * @param item - The item's raw id.
   * @returns The estimate and whether both ids were known.
   */
  predict(user: RawId, item: RawId): Prediction;
  /**
   * Estimates for every (user, item) row of a dataset, in order (its ratings are ignored).
   * @param pairs - The pairs to score.
   * @returns One estimate per row.
   */
  predictMany(pairs: Dataset): Float32Array;
}

/** Model.userScorer's scorer: many known users' scores at once, on `threads` threads. */
export interface UserScorer {
  /** The threads the scorer's engine runs on (what the runtime granted, which may be fewer than asked for). */
  readonly threads: number;
  /**
   * Scores many known users at once.
   * @param users - Raw ids of users the model knew when the scorer was made.
   * @returns users.length rows of itemIds.length floats; row t holds scoreAll(users[t]). The array
   * is overwritten by the next call (copy what must outlive it).
   * @throws {@link DataError} when a user is unknown to the model (or not an id).
   * @throws {@link LatentrecError} when a user was folded in after the scorer was made.
   */
  score(users: readonly RawId[]): Float32Array;
  /** Frees the scorer's engine and threads (the model is not touched); the scorer cannot be used after. */
  dispose(): void;
}
