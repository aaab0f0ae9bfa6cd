// Exhaustive search over a grid of settings, each scored by cross-validation (Surprise's
// GridSearchCV): every combination, the full table, and the best by mean RMSE.
import { OptionError } from '../errors.js';
import { crossValidate, type CrossValidation, type FoldSplit } from './cross-validate.js';
import type { RatingModel } from '../models/core/types.js';

/** One value a grid setting may take. */
export type GridValue = number | string;
/** The values to try, by setting name: e.g. `{ factors: [50, 100], regAll: [0.02, 0.05] }`. Every setting needs at least one value. */
export type Grid = Readonly<Record<string, readonly GridValue[]>>;
/** One combination of a grid: a value for each of its settings. */
export type Settings = Record<string, GridValue>;

/** One combination's cross-validated scores in a {@link GridSearchResult}. */
export interface GridRow {
  /** The combination. */
  settings: Settings;
  /** Mean RMSE over the folds. */
  rmse: number;
  /** Mean MAE over the folds. */
  mae: number;
  /** Mean fit time over the folds, seconds. */
  fitSeconds: number;
  /** Per-fold RMSE, in fold order. */
  foldRmse: number[];
}

/** What {@link gridSearch} returns: the full table and its best row. */
export interface GridSearchResult {
  /** Every combination, in grid order. */
  rows: GridRow[];
  /** The row with the lowest mean RMSE (the first of equals). */
  best: GridRow;
}

/**
 * Every combination of the grid's values, the first key varying slowest.
 *
 * @param grid - The values of each setting.
 * @returns The combinations, in grid order (one empty combination for an empty grid).
 * @throws {@link OptionError} When a setting has no values.
 */
export function gridCombinations(grid: Grid): Settings[] {
  const keys = Object.keys(grid);
  for (const key of keys) {
    if (grid[key].length === 0) throw new OptionError(key, 'a non-empty list of values to try', grid[key]);
  }
  let combos: Settings[] = [{}];
  for (const key of keys) combos = combos.flatMap((c) => grid[key].map((v) => ({ ...c, [key]: v })));
  return combos;
}

/**
 * Exhaustive search over a grid of settings, each scored by cross-validation (Surprise's
 * GridSearchCV): every combination is cross-validated on the same folds, and the best is the
 * one with the lowest mean RMSE. Every model is built once before any fit, so a bad value fails
 * at once rather than after hours of fitting.
 *
 * @param makeModel - Makes a new, unfitted model from one combination of settings.
 * @param grid - The values to try for each setting.
 * @param folds - The train/test pairs every combination is scored on.
 * @param options - `onRow`: called after each combination with its row, its index and the number of combinations.
 * @returns Every row in grid order, and the best.
 * @throws {@link OptionError} When a setting has no values or `folds` is empty.
 * @throws {@link OptionError} (or whatever `makeModel` throws) for a bad value, before any fit.
 * @throws {@link DataError} When a fold's test set has no ratings; and whatever a fit throws.
 *
 * @example
 * ```ts
 * import { SVD, gridSearch, kFold } from 'latentrec';
 *
 * const { best } = gridSearch(
 *   (s) => new SVD({ factors: Number(s.factors), regAll: Number(s.reg) }),
 *   { factors: [50, 100], reg: [0.02, 0.05] },
 *   kFold(dataset, { folds: 3, seed: 0 }),
 * );
 * best.settings; // e.g. { factors: 100, reg: 0.05 }
 * ```
 */
export function gridSearch(
  makeModel: (settings: Settings) => RatingModel,
  grid: Grid,
  folds: readonly FoldSplit[],
  options: {
    /** Called after each combination is scored: its row, its index in grid order and the number of combinations. */
    onRow?: (row: GridRow, index: number, total: number) => void;
  } = {},
): GridSearchResult {
  const combos = gridCombinations(grid);
  // Build every model once up front, so a bad value fails before hours of fitting.
  for (const settings of combos) makeModel(settings);
  const rows = combos.map((settings, index) => {
    const cv: CrossValidation = crossValidate(() => makeModel(settings), folds);
    const row: GridRow = {
      settings,
      rmse: cv.mean.rmse,
      mae: cv.mean.mae,
      fitSeconds: cv.mean.fitSeconds,
      foldRmse: cv.folds.map((f) => f.rmse),
    };
    options.onRow?.(row, index, combos.length);
    return row;
  });
  const best = rows.reduce((a, b) => (b.rmse < a.rmse ? b : a));
  return { rows, best };
}
