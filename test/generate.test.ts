import { describe, expect, it } from 'vitest';
import { generateRatings } from '../src/data/generate.js';
import { OptionError } from '../src/errors.js';
import { SVD } from '../src/index.js';
import { holdoutSplit } from '../src/data/splits.js';
import { evaluate } from '../src/eval/cross-validate.js';

describe('generateRatings (the demo set)', () => {
  const data = generateRatings();
  it('is shaped like MovieLens 100k', () => {
    expect([data.userCount, data.itemCount, data.size]).toEqual([943, 1682, 100_000]);
    expect(data.scale).toEqual({ lo: 1, hi: 5 });
    const perUser = new Array(data.userCount).fill(0);
    const pairs = new Set<number>();
    for (let t = 0; t < data.size; t++) {
      expect([1, 2, 3, 4, 5]).toContain(data.ratings[t]);
      perUser[data.userIndex[t]]++;
      pairs.add(data.userIndex[t] * 4096 + data.itemIndex[t]);
    }
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(20);
    expect(pairs.size).toBe(data.size); // no repeated (user, item)
  });
  it('is deterministic by seed', () => {
    expect(Array.from(generateRatings().ratings)).toEqual(Array.from(data.ratings));
    expect(Array.from(generateRatings({ seed: 1 }).ratings)).not.toEqual(Array.from(data.ratings));
  });
  it('has structure a model can learn: SVD beats the global mean clearly', () => {
    const { train, test } = holdoutSplit(data, { testRatio: 0.2, seed: 0 });
    const model = new SVD({ factors: 20, epochs: 15 });
    model.fit(train);
    const mean = train.globalMean();
    let se = 0;
    for (let t = 0; t < test.size; t++) se += (test.ratings[t] - mean) ** 2;
    expect(evaluate(model, test).rmse).toBeLessThan(0.9 * Math.sqrt(se / test.size));
  });
  it('refuses impossible sizes', () => {
    expect(() => generateRatings({ users: 10, items: 5, ratings: 100 })).toThrow(OptionError);
  });
});
