// Accuracy of rating predictions, as Surprise's accuracy.rmse / accuracy.mae: over every
// prediction, fallbacks included.
import { DataError } from '../errors.js';

function checkLengths(actual: ArrayLike<number>, predicted: ArrayLike<number>): void {
  if (actual.length !== predicted.length) {
    throw new DataError(`metrics: ${actual.length} true ratings but ${predicted.length} predictions`);
  }
  if (actual.length === 0) throw new DataError('metrics: no predictions to score');
}

/**
 * Root mean squared error: sqrt(mean((r - r^)^2)).
 *
 * @param actual - The true ratings.
 * @param predicted - The predictions, in the same order.
 * @returns The RMSE.
 * @throws {@link DataError} When the lengths differ or there is no prediction.
 */
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(actual, predicted);
  let sum = 0;
  for (let t = 0; t < actual.length; t++) {
    const e = actual[t] - predicted[t];
    sum += e * e;
  }
  return Math.sqrt(sum / actual.length);
}

/**
 * Mean absolute error: mean(|r - r^|).
 *
 * @param actual - The true ratings.
 * @param predicted - The predictions, in the same order.
 * @returns The MAE.
 * @throws {@link DataError} When the lengths differ or there is no prediction.
 */
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(actual, predicted);
  let sum = 0;
  for (let t = 0; t < actual.length; t++) sum += Math.abs(actual[t] - predicted[t]);
  return sum / actual.length;
}
