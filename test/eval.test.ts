import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { generateRatings } from '../src/data/generate.js';
import { kFold } from '../src/data/splits.js';
import { crossValidate, evaluate } from '../src/eval/cross-validate.js';
import { mae, rmse } from '../src/eval/metrics.js';
import { SVD } from '../src/index.js';

describe('rmse and mae', () => {
  it('match a hand-worked example', () => {
    // errors 1, -2, 0, 3: squares 1 + 4 + 0 + 9 = 14, |e| 1 + 2 + 0 + 3 = 6
    expect(rmse([4, 3, 5, 1], [3, 5, 5, -2])).toBeCloseTo(Math.sqrt(14 / 4), 12);
    expect(mae([4, 3, 5, 1], [3, 5, 5, -2])).toBeCloseTo(6 / 4, 12);
  });
  it('refuse mismatched or empty inputs', () => {
    expect(() => rmse([1, 2], [1])).toThrow(/2 true ratings but 1 predictions/);
    expect(() => mae([], [])).toThrow(/no predictions/);
  });
});

describe('evaluate and crossValidate', () => {
  const data = generateRatings({ users: 120, items: 80, ratings: 3000, minPerUser: 10, seed: 4 });

  it('evaluate scores every test rating, fallbacks included', () => {
    const train = Dataset.fromTriples([['a', 'x', 4], ['b', 'y', 2]], { lo: 1, hi: 5 });
    const test = Dataset.fromTriples([['a', 'x', 5], ['zz', 'y', 1]], { lo: 1, hi: 5 });
    const model = new SVD({ factors: 2, epochs: 2 });
    model.fit(train);
    const scores = evaluate(model, test);
    const p = [model.predict('a', 'x').estimate, model.predict('zz', 'y').estimate];
    expect(scores.count).toBe(2);
    expect(scores.rmse).toBeCloseTo(Math.sqrt(((5 - p[0]) ** 2 + (1 - p[1]) ** 2) / 2), 5);
  });

  it('crossValidate fits one model per fold; the mean is the mean of the folds', () => {
    const folds = kFold(data, { folds: 3, seed: 1 });
    const seen: number[] = [];
    const cv = crossValidate(() => new SVD({ factors: 5, epochs: 5 }), folds, { onFold: (_, k) => seen.push(k), curves: true });
    expect(seen).toEqual([0, 1, 2]);
    expect(cv.mean.rmse).toBeCloseTo(cv.folds.reduce((s, f) => s + f.rmse, 0) / 3, 12);
    for (const [k, fold] of cv.folds.entries()) {
      const model = new SVD({ factors: 5, epochs: 5 });
      model.fit(folds[k].train);
      expect(fold.rmse).toBeCloseTo(evaluate(model, folds[k].test).rmse, 6);
      // With curves, the last epoch's validation RMSE is the fold's test RMSE.
      expect(fold.fit.epochs[4].validationRmse).toBeCloseTo(fold.rmse, 6);
    }
  });
});

describe('bad input to the evaluation functions is refused with the library errors (not RangeError)', () => {
  it('crossValidate, gridSearch, rmse/mae and the ranking metrics', async () => {
    const lib = await import('../src/index.js');
    const expectError = (fn: () => unknown, type: abstract new (...args: never[]) => Error, message: RegExp) => {
      let caught: unknown;
      try {
        fn();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(type);
      expect((caught as Error).message).toMatch(message);
    };
    expectError(() => lib.crossValidate(() => new lib.SVD(), []), lib.OptionError, /^option folds must be a non-empty list/);
    expectError(() => lib.gridCombinations({ factors: [] }), lib.OptionError, /^option factors must be a non-empty list of values to try \(got an array\)/);
    expectError(() => lib.rmse([1, 2], [1]), lib.DataError, /2 true ratings but 1 predictions/);
    expectError(() => lib.mae([], []), lib.DataError, /no predictions to score/);
    expectError(() => lib.ndcgAtK([1, 2], new Set([1]), 0), lib.OptionError, /^option k must be an integer >= 1 \(got 0\)/);
    expectError(() => lib.catalogueCoverage([[7]], 5), lib.DataError, /item 7 is outside \[0, 5\)/);
    // Found while documenting: a seed Random would silently truncate, an empty kFold, restoreBest unchecked.
    expectError(() => lib.generateRatings({ seed: 1.5 }), lib.OptionError, /^option seed must be an integer in \[0, 2\^32 - 1\] \(got 1.5\)/);
    expectError(() => lib.generateScaleRatings({ ratings: 100, users: 10, items: 20, seed: 2 ** 32 }), lib.OptionError, /^option seed must be an integer/);
    expectError(() => lib.kFold(lib.Dataset.fromTriples([]), { folds: 2 }), lib.DataError, /^kFold: the dataset has 0 ratings/);
    const data = lib.generateRatings({ users: 20, items: 30, ratings: 300, minPerUser: 5, seed: 1 });
    expectError(
      () => new lib.SVD({ epochs: 3 }).fit(data, { validation: data, earlyStopping: { patience: 2, restoreBest: 'yes' as unknown as boolean } }),
      lib.OptionError,
      /^option earlyStopping.restoreBest must be true or false \(got "yes"\)/,
    );
  });
});
