// BPR's blocked order: LIBMF's grid over users and random equal-size item bins, negatives drawn
// from the positive's bin. Rounds of blocks run on worker threads, so the model must be the same
// bits for any thread count, and match the js engine (to the last bits of σ: wasm's Mathf.exp and
// JavaScript's Math.exp may round e^x differently, as for BPR's shuffled order in
// test/implicit.test.ts); it must rank as well as the shuffled order (negatives from the whole
// catalogue); bad options are refused by name.
import { describe, expect, it } from 'vitest';
import { BPR, evaluateStrongGeneralization, generateScaleRatings, OptionError, strongGeneralizationSplit, toImplicit, wasmSimdSupported, type FactorModel } from '../src/index.js';

const data = toImplicit(generateScaleRatings({ ratings: 60_000, users: 3_000, items: 800, seed: 5 }), { threshold: 4 });

function bits(model: FactorModel): Buffer[] {
  const s = model.toState();
  return [Buffer.from(s.P.buffer), Buffer.from(s.Q.buffer), Buffer.from(s.bi.buffer)];
}

describe.skipIf(!wasmSimdSupported())('BPR in blocked order', () => {
  it('gives the same bits on 1, 2 and 3 threads, and the js engine\'s model', () => {
    const options = { factors: 16, epochs: 4, bins: 6 };
    const runs = [1, 2, 3].map((threads) => {
      const model = new BPR({ ...options, threads, wasmVariant: 'simd' });
      const fit = model.fit(data);
      expect(fit.threads).toBe(threads);
      return { bits: bits(model), losses: fit.epochs.map((e) => e.loss!.value) };
    });
    for (const run of runs.slice(1)) {
      run.bits.forEach((b, part) => expect(b.equals(runs[0].bits[part]), ['P', 'Q', 'bi'][part]).toBe(true));
      expect(run.losses).toEqual(runs[0].losses);
    }
    const js = new BPR({ ...options, engine: 'js' });
    const jsLosses = js.fit(data).epochs.map((e) => e.loss!.value);
    const wasm = new BPR({ ...options, threads: 2, wasmVariant: 'simd' });
    wasm.fit(data);
    const [a, b] = [js.toState(), wasm.toState()];
    let far = 0;
    a.Q.forEach((v, t) => (far += Math.abs(v - b.Q[t]) > 1e-4 ? 1 : 0));
    expect(far).toBe(0);
    jsLosses.forEach((loss, e) => expect(Math.abs(loss - runs[0].losses[e]) * data.size).toBeLessThanOrEqual(2));
  });

  it('ranks held-out users\' items about as well as the shuffled order (strong generalization)', () => {
    const split = strongGeneralizationSplit(data, { seed: 1 });
    const ndcg = (order: 'blocked' | 'shuffle') => {
      const model = new BPR({ factors: 16, epochs: 30, order });
      model.fit(split.train);
      return evaluateStrongGeneralization(model, split).ndcg100;
    };
    const blocked = ndcg('blocked'), shuffled = ndcg('shuffle');
    expect(blocked).toBeGreaterThan(0.95 * shuffled);
    // Far above chance: the planted structure is learned.
    expect(blocked).toBeGreaterThan(0.1);
  });

  it('refuses threads or bins with order shuffle, and bins outside 1..256', () => {
    expect(() => new BPR({ order: 'shuffle', threads: 2 })).toThrow(/threads.*only order 'blocked'/);
    expect(() => new BPR({ order: 'shuffle', bins: 4 })).toThrow(/bins/);
    expect(() => new BPR({ bins: 0 })).toThrow(OptionError);
    expect(() => new BPR({ order: 'random' as 'blocked' })).toThrow(/order/);
    expect(new BPR({ order: 'shuffle', threads: 1 }).options.threads).toBe(1);
  });
});
