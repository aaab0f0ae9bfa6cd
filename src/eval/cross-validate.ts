// Evaluation on a test set and cross-validation over folds (Surprise's cross_validate).
import type { Dataset } from '../data/dataset.js';
import { DataError, OptionError } from '../errors.js';
import type { FitOptions, FitResult, RatingModel } from '../models/core/types.js';
import { mae, rmse } from './metrics.js';

/** Accuracy of a fitted model's predictions on a test set ({@link evaluate}). */
export interface TestScores {
  /** Root mean squared error over every test rating (fallback predictions included, as Surprise). */
  rmse: number;
  /** Mean absolute error over every test rating. */
  mae: number;
  /** Number of test ratings scored. */
  count: number;
  /** Wall seconds to predict the whole test set. */
  testSeconds: number;
}

/**
 * Scores a fitted model on every rating of `test`. Pairs the model cannot score (unknown user or
 * item) get its fallback estimate, as Surprise's `test()` does, so every rating counts.
 *
 * @param model - A fitted rating model (anything with `predictMany`).
 * @param test - The ratings to predict; users and items are matched by raw id.
 * @returns RMSE, MAE, the number of ratings and the seconds predicting took.
 * @throws {@link DataError} When `test` has no ratings.
 *
 * @example
 * ```ts
 * import { SVD, evaluate, holdoutSplit } from 'latentrec';
 * import { loadRatingsFile } from 'latentrec/node';
 *
 * const { dataset } = await loadRatingsFile('ml-100k/u.data');
 * const { train, test } = holdoutSplit(dataset, { testRatio: 0.2, seed: 0 });
 * const model = new SVD({ seed: 0 });
 * model.fit(train);
 * const { rmse, mae } = evaluate(model, test);
 * ```
 */
export function evaluate(model: Pick<RatingModel, 'predictMany'>, test: Dataset): TestScores {
  if (test.size === 0) throw new DataError('evaluate: the test set has no ratings; RMSE and MAE need at least one');
  const t0 = performance.now();
  const estimates = model.predictMany(test);
  const testSeconds = (performance.now() - t0) / 1000;
  return { rmse: rmse(test.ratings, estimates), mae: mae(test.ratings, estimates), count: test.size, testSeconds };
}

/** One train/test pair for {@link crossValidate}; a {@link Fold} from kFold or loadFolds is one. */
export interface FoldSplit {
  /** The ratings each fold's model is fitted on. */
  train: Dataset;
  /** The ratings it is scored on. */
  test: Dataset;
  /** A label for reports; default 'fold1', 'fold2', ... by position. */
  name?: string;
}

/** One fold's result in a {@link CrossValidation}. */
export interface FoldScores extends TestScores {
  /** The fold's name (its `name`, else 'fold<position>'). */
  name: string;
  /** Wall seconds of the fit (from its FitResult). */
  fitSeconds: number;
  /** The fit's result: its learning curve and notes. */
  fit: FitResult;
}

/** What {@link crossValidate} returns: each fold's scores and their means. */
export interface CrossValidation {
  /** Per fold, in the order given. */
  folds: FoldScores[];
  /** Plain means over the folds. */
  mean: {
    /** Mean of the folds' RMSE. */
    rmse: number;
    /** Mean of the folds' MAE. */
    mae: number;
    /** Mean fit time, seconds. */
    fitSeconds: number;
    /** Mean time to predict a fold's test set, seconds. */
    testSeconds: number;
  };
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions {
  /** Called after each fold with its scores and its position in `folds` (0-based). */
  onFold?: (fold: FoldScores, index: number) => void;
  /** Passed to every fit (the validation set is the fold's test set when `curves` is true). */
  fitOptions?: Omit<FitOptions, 'validation'>;
  /**
   * Record per-epoch test RMSE/MAE on each fold's test set. Default false.
   *
   * @defaultValue false
   */
  curves?: boolean;
}

/**
 * Fits a fresh model from `makeModel` on each fold's train set and scores it on its test set
 * (Surprise's cross_validate). Folds run one after another, in order.
 *
 * @param makeModel - Makes a new, unfitted model; called once per fold.
 * @param folds - The train/test pairs, e.g. from {@link kFold} or `loadFolds` (latentrec/node).
 * @param options - A per-fold callback, fit options, and per-epoch curves.
 * @returns Each fold's scores and their means.
 * @throws {@link OptionError} When `folds` is empty.
 * @throws {@link DataError} When a fold's test set has no ratings; and whatever a fit throws
 *   (e.g. {@link DivergenceError}).
 *
 * @example
 * ```ts
 * import { SVD, crossValidate, kFold } from 'latentrec';
 * import { loadRatingsFile } from 'latentrec/node';
 *
 * const { dataset } = await loadRatingsFile('ml-100k/u.data');
 * const cv = crossValidate(() => new SVD({ factors: 50 }), kFold(dataset, { folds: 5, seed: 0 }), {
 *   onFold: (fold) => console.log(fold.name, fold.rmse),
 * });
 * cv.mean.rmse;
 * ```
 */
export function crossValidate(
  makeModel: () => RatingModel,
  folds: readonly FoldSplit[],
  options: CrossValidateOptions = {},
): CrossValidation {
  if (folds.length === 0) throw new OptionError('folds', 'a non-empty list of train/test splits', folds);
  const results: FoldScores[] = folds.map((fold, index) => {
    const model = makeModel();
    const fit = model.fit(fold.train, { ...options.fitOptions, validation: options.curves ? fold.test : undefined });
    const scores: FoldScores = { name: fold.name ?? `fold${index + 1}`, ...evaluate(model, fold.test), fitSeconds: fit.fitSeconds, fit };
    options.onFold?.(scores, index);
    return scores;
  });
  const mean = (key: 'rmse' | 'mae' | 'fitSeconds' | 'testSeconds') =>
    results.reduce((sum, r) => sum + r[key], 0) / results.length;
  return {
    folds: results,
    mean: { rmse: mean('rmse'), mae: mean('mae'), fitSeconds: mean('fitSeconds'), testSeconds: mean('testSeconds') },
  };
}
