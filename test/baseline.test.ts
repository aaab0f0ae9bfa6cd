import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { generateRatings } from '../src/data/generate.js';
import { loadFolds } from '../src/data/load-node.js';
import { crossValidate } from '../src/eval/cross-validate.js';
import { Baseline } from '../src/index.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

describe('Baseline', () => {
  it('ALS: one iteration by hand', () => {
    // a: x=5, y=3; b: x=4. μ = 4. Items first (b_u = 0): b_x = (1 + 0)/(10 + 2) = 1/12,
    // b_y = (-1)/(10 + 1) = -1/11. Users: b_a = ((5-4-1/12) + (3-4+1/11)) / (15 + 2),
    // b_b = (4-4-1/12) / (15 + 1).
    const data = Dataset.fromTriples([['a', 'x', 5], ['a', 'y', 3], ['b', 'x', 4]], { lo: 1, hi: 5 });
    const m = new Baseline({ epochs: 1 });
    m.fit(data);
    expect(m.itemBias('x')).toBeCloseTo(1 / 12, 6);
    expect(m.itemBias('y')).toBeCloseTo(-1 / 11, 6);
    expect(m.userBias('a')).toBeCloseTo((1 - 1 / 12 - 1 + 1 / 11) / 17, 6);
    expect(m.userBias('b')).toBeCloseTo(-1 / 12 / 16, 6);
    expect(m.predict('a', 'y').estimate).toBeCloseTo(4 + m.userBias('a')! + m.itemBias('y')!, 6);
    expect(m.predict('nobody', 'x').estimate).toBeCloseTo(4 + 1 / 12, 6);
  });

  it('SGD: the SVD kernel without factors equals a plain f64 loop', () => {
    const data = generateRatings({ users: 30, items: 20, ratings: 300, minPerUser: 5, seed: 2 });
    const m = new Baseline({ method: 'sgd', epochs: 7 });
    m.fit(data);
    const mu = data.globalMean(), bu = new Array(data.userCount).fill(0), bi = new Array(data.itemCount).fill(0);
    const rows = Array.from({ length: data.size }, (_, t) => t).sort((a, b) => data.userIndex[a] - data.userIndex[b] || a - b);
    for (let e = 0; e < 7; e++) {
      for (const t of rows) {
        const u = data.userIndex[t], i = data.itemIndex[t];
        const err = data.ratings[t] - (mu + bu[u] + bi[i]);
        bu[u] += 0.005 * (err - 0.02 * bu[u]);
        bi[i] += 0.005 * (err - 0.02 * bi[i]);
      }
    }
    data.users.raw.forEach((u, k) => expect(m.userBias(u)).toBeCloseTo(bu[k], 5));
    data.items.raw.forEach((i, k) => expect(m.itemBias(i)).toBeCloseTo(bi[k], 5));
    expect(m.factorCount).toBe(0);
  });

  it('checks its options', () => {
    expect(() => new Baseline({ method: 'svd' as never })).toThrow(/option method must be one of als, sgd/);
    expect(() => new Baseline({ regU: -1 })).toThrow(/option regU/);
  });
});

describe.skipIf(!hasMl100k)(`Baseline on ML-100k u1..u5${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];
  it('ALS reproduces Surprise\'s BaselineOnly on every fold (mean 0.9457)', () => {
    const surprise = [0.9599, 0.9477, 0.9405, 0.9383, 0.9423];
    const cv = crossValidate(() => new Baseline(), folds);
    cv.folds.forEach((f, k) => expect(Math.abs(f.rmse - surprise[k])).toBeLessThan(0.0001));
    expect(Math.abs(cv.mean.mae - 0.7499)).toBeLessThan(0.0001);
  });
});
