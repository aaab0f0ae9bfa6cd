// Learning curves and early stopping.
import { describe, expect, it } from 'vitest';
import { generateRatings } from '../src/data/generate.js';
import { holdoutSplit } from '../src/data/splits.js';
import { loadFolds } from '../src/data/load-node.js';
import { evaluate } from '../src/eval/cross-validate.js';
import { OptionError } from '../src/errors.js';
import { SVD } from '../src/index.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

const data = generateRatings({ users: 150, items: 100, ratings: 4000, minPerUser: 10, seed: 6 });
const { train, test } = holdoutSplit(data, { testRatio: 0.25, seed: 1 });

describe('early stopping', () => {
  it('stops after `patience` epochs without improvement and restores the best epoch', () => {
    // A model that overfits fast: large k, no regularization.
    const options = { factors: 60, epochs: 80, lrAll: 0.02, regAll: 0 };
    const full = new SVD(options).fit(train, { validation: test }).epochs;
    const bestRmse = Math.min(...full.map((e) => e.validationRmse!));
    const bestEpoch = full.find((e) => e.validationRmse === bestRmse)!.epoch;
    expect(bestEpoch).toBeLessThan(80 - 3); // the curve really turns up

    const model = new SVD(options);
    const result = model.fit(train, { validation: test, earlyStopping: { patience: 3 } });
    // Same seed, same path: it stops 3 epochs past the first best it met, and keeps that model.
    expect(result.bestEpoch).toBeDefined();
    expect(result.epochs.length).toBe(result.bestEpoch! + 3);
    const seenBest = Math.min(...result.epochs.map((e) => e.validationRmse!));
    expect(result.epochs[result.bestEpoch! - 1].validationRmse).toBe(seenBest);
    expect(evaluate(model, test).rmse).toBeCloseTo(seenBest, 6);
  });

  it('without restoreBest keeps the last epoch', () => {
    const model = new SVD({ factors: 60, epochs: 80, lrAll: 0.02, regAll: 0 });
    const result = model.fit(train, { validation: test, earlyStopping: { patience: 2, restoreBest: false } });
    expect(evaluate(model, test).rmse).toBeCloseTo(result.epochs.at(-1)!.validationRmse!, 6);
  });

  it('without a validation set says so; bad patience names the option', () => {
    expect(() => new SVD({ epochs: 2 }).fit(train, { earlyStopping: true })).toThrow(/earlyStopping must be used together with a validation set/);
    expect(() => new SVD({ epochs: 2 }).fit(train, { validation: test, earlyStopping: { patience: 0 } })).toThrow(OptionError);
  });
});

describe('trainMetric: full', () => {
  it('is the RMSE of the model after each epoch over the training set', () => {
    const model = new SVD({ factors: 5, epochs: 3 });
    const result = model.fit(train, { trainMetric: 'full' });
    expect(result.epochs[2].trainRmse).toBeCloseTo(evaluate(model, train).rmse, 6);
  });
});

describe.skipIf(!hasMl100k)(`learning curve on ML-100k u1 matches Surprise's, epoch by epoch${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];
  it('train and test RMSE, SVD defaults, Surprise order, after-epoch train RMSE', () => {
    // ../shared/reference/surprise-ml100k.md, section 2 (epochs 1, 5, 10, 15, 20).
    const surprise: Record<number, [number, number]> = {
      1: [0.9891, 1.0342], 5: [0.8974, 0.9781], 10: [0.8383, 0.9649], 15: [0.7682, 0.9568], 20: [0.6859, 0.9513],
    };
    const result = new SVD({ order: 'fixed' }).fit(folds[0].train, { validation: folds[0].test, trainMetric: 'full' });
    for (const [epoch, [trainRmse, testRmse]] of Object.entries(surprise)) {
      const e = result.epochs[Number(epoch) - 1];
      expect(Math.abs(e.trainRmse - trainRmse)).toBeLessThan(0.0002);
      expect(Math.abs(e.validationRmse! - testRmse)).toBeLessThan(0.0002);
    }
  });
});

describe('minDelta', () => {
  it('a huge minDelta counts nothing as an improvement: stops after patience epochs, keeps epoch 1', () => {
    const model = new SVD({ factors: 8, epochs: 30 });
    const result = model.fit(train, { validation: test, earlyStopping: { patience: 2, minDelta: 10 } });
    expect(result.epochs).toHaveLength(3);
    expect(result.bestEpoch).toBe(1);
    expect(evaluate(model, test).rmse).toBeCloseTo(result.epochs[0].validationRmse!, 6);
  });
});
