// Exhaustive search over a grid of settings, each scored by cross-validation (Surprise's
// GridSearchCV): every combination, the full table, and the best by mean RMSE.
import { crossValidate, type CrossValidation, type FoldSplit } from './cross-validate.js';
import type { RatingModel } from '../models/core/types.js';

export type GridValue = number | string;
export type Grid = Readonly<Record<string, readonly GridValue[]>>;
export type Settings = Record<string, GridValue>;

export interface GridRow {
  settings: Settings;
  rmse: number;
  mae: number;
  fitSeconds: number;
  /** Per-fold RMSE, in fold order. */
  foldRmse: number[];
}

export interface GridSearchResult {
  /** Every combination, in grid order. */
  rows: GridRow[];
  /** The row with the lowest mean RMSE (the first of equals). */
  best: GridRow;
}

/** Every combination of the grid's values, the first key varying slowest. */
export function gridCombinations(grid: Grid): Settings[] {
  const keys = Object.keys(grid);
  for (const key of keys) {
    if (grid[key].length === 0) throw new RangeError(`gridSearch: ${key} has no values`);
  }
  let combos: Settings[] = [{}];
  for (const key of keys) combos = combos.flatMap((c) => grid[key].map((v) => ({ ...c, [key]: v })));
  return combos;
}

export function gridSearch(
  makeModel: (settings: Settings) => RatingModel,
  grid: Grid,
  folds: readonly FoldSplit[],
  options: { onRow?: (row: GridRow, index: number, total: number) => void } = {},
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
