// ALS and iALS on worker threads: each row is solved on its own, so ranges of rows run on
// different threads and the model must be the same bits for any thread count — and the js
// engine's, which solves the rows one after another in the same order of operations.
import { describe, expect, it } from 'vitest';
import { ALS, generateScaleRatings, IALS, OptionError, wasmSimdSupported, type FactorModel } from '../src/index.js';

// 2,400 users and 900 items: several 512-row ALS calls (256-row iALS calls) per half-step, so
// every thread gets ranges.
const data = generateScaleRatings({ ratings: 40_000, users: 2_400, items: 900, seed: 3 });

function bits(model: FactorModel): Buffer[] {
  const s = model.toState();
  return [Buffer.from(s.P.buffer), Buffer.from(s.Q.buffer)];
}

const KINDS = [
  { name: 'ALS', make: (o: object) => new ALS({ factors: 24, epochs: 3, ...o }) },
  { name: 'IALS', make: (o: object) => new IALS({ factors: 24, epochs: 3, ...o }) },
];

describe.skipIf(!wasmSimdSupported())('row solves on worker threads', () => {
  for (const { name, make } of KINDS) {
    it(`${name}: 1, 2 and 3 threads and the js engine give the same factors and losses`, () => {
      const runs = [1, 2, 3].map((threads) => {
        const model = make({ threads, wasmVariant: 'simd' });
        const fit = model.fit(data);
        expect(fit.threads).toBe(threads);
        expect(fit.notes).toEqual([]);
        return { bits: bits(model), losses: fit.epochs.map((e) => e.loss!.value) };
      });
      const js = make({ engine: 'js' });
      const jsLosses = js.fit(data).epochs.map((e) => e.loss!.value);
      for (const run of [...runs.slice(1), { bits: bits(js), losses: jsLosses }]) {
        expect(run.bits[0].equals(runs[0].bits[0]), 'P').toBe(true);
        expect(run.bits[1].equals(runs[0].bits[1]), 'Q').toBe(true);
        expect(run.losses).toEqual(runs[0].losses);
      }
    });
  }

  it("'auto' runs on one thread below 100,000 interactions, and the js engine always does", () => {
    expect(new ALS({ factors: 8, epochs: 1 }).fit(data).threads).toBe(1);
    const js = new ALS({ factors: 8, epochs: 1, engine: 'js', threads: 2 }).fit(data);
    expect(js.threads).toBe(1);
  });

  it('refuses a thread count outside 1..256 or not a whole number, naming the option', () => {
    for (const threads of [0, 1.5, 257, 'many']) {
      expect(() => new ALS({ threads: threads as number })).toThrow(OptionError);
      expect(() => new IALS({ threads: threads as number })).toThrow(/^option threads must be an integer in \[1, 256\]/);
    }
  });
});
