// Accuracy of rating predictions, as Surprise's accuracy.rmse / accuracy.mae: over every
// prediction, fallbacks included.

function checkLengths(actual: ArrayLike<number>, predicted: ArrayLike<number>): void {
  if (actual.length !== predicted.length) {
    throw new RangeError(`metrics: ${actual.length} true ratings but ${predicted.length} predictions`);
  }
  if (actual.length === 0) throw new RangeError('metrics: no predictions to score');
}

/** sqrt(mean((r - r^)^2)) */
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(actual, predicted);
  let sum = 0;
  for (let t = 0; t < actual.length; t++) {
    const e = actual[t] - predicted[t];
    sum += e * e;
  }
  return Math.sqrt(sum / actual.length);
}

/** mean(|r - r^|) */
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(actual, predicted);
  let sum = 0;
  for (let t = 0; t < actual.length; t++) sum += Math.abs(actual[t] - predicted[t]);
  return sum / actual.length;
}
