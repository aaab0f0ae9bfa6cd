// Evaluation on a test set and cross-validation over folds (Surprise's cross_validate).
import type { Dataset } from '../data/dataset.js';
import { DataError } from '../errors.js';
import type { FitOptions, FitResult, RatingModel } from '../models/core/types.js';
import { mae, rmse } from './metrics.js';

export interface TestScores {
  rmse: number;
  mae: number;
  /** Number of test ratings scored. */
  count: number;
  /** Wall seconds to predict the whole test set. */
  testSeconds: number;
}

/** Scores a fitted model on every rating of `test`. */
export function evaluate(model: Pick<RatingModel, 'predictMany'>, test: Dataset): TestScores {
  if (test.size === 0) throw new DataError('evaluate: the test set has no ratings; RMSE and MAE need at least one');
  const t0 = performance.now();
  const estimates = model.predictMany(test);
  const testSeconds = (performance.now() - t0) / 1000;
  return { rmse: rmse(test.ratings, estimates), mae: mae(test.ratings, estimates), count: test.size, testSeconds };
}

export interface FoldSplit {
  train: Dataset;
  test: Dataset;
  name?: string;
}

export interface FoldScores extends TestScores {
  name: string;
  fitSeconds: number;
  fit: FitResult;
}

export interface CrossValidation {
  folds: FoldScores[];
  mean: { rmse: number; mae: number; fitSeconds: number; testSeconds: number };
}

export interface CrossValidateOptions {
  /** Called after each fold with its scores. */
  onFold?: (fold: FoldScores, index: number) => void;
  /** Passed to every fit (the validation set is the fold's test set when `curves` is true). */
  fitOptions?: Omit<FitOptions, 'validation'>;
  /** Record per-epoch test RMSE/MAE on each fold's test set. Default false. */
  curves?: boolean;
}

/** Fits a fresh model from `makeModel` on each fold's train set and scores it on its test set. */
export function crossValidate(
  makeModel: () => RatingModel,
  folds: readonly FoldSplit[],
  options: CrossValidateOptions = {},
): CrossValidation {
  if (folds.length === 0) throw new RangeError('crossValidate: no folds given');
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
