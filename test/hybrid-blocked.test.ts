// The hybrid's blocked order: LIBMF's grid as BPR's (test/bpr-blocked.test.ts), with WARP's
// candidates drawn inside the kernel from the positive's item bin. With identity features only
// no feature is shared between blocks of a round, so the model must be the same bits on any
// thread count and equal the js engine; with shared attributes threads update them at once
// (Hogwild), and the model must stay within the stated tolerance of one thread's.
import { describe, expect, it } from 'vitest';
import { Features, hardwareThreads, Hybrid, evaluateStrongGeneralization, generateScaleRatings, OptionError, strongGeneralizationSplit, toImplicit, wasmSimdSupported, type FactorModel, type HybridOptions } from '../src/index.js';

const data = toImplicit(generateScaleRatings({ ratings: 60_000, users: 3_000, items: 800, seed: 5 }), { threshold: 4 });

function bits(model: FactorModel): Buffer[] {
  const s = model.toState();
  return [Buffer.from(s.P.buffer), Buffer.from(s.Q.buffer), Buffer.from(s.bi.buffer)];
}

/** Item attributes shared by many items: one of 12 groups, and one of 5 by another cut. */
const itemFeatures = Features.fromRecords(data.items.raw.map((id, i) => [id, [`a:${i % 12}`, `b:${Math.floor(i / 7) % 5}`]] as const));

describe.skipIf(!wasmSimdSupported())('the hybrid in blocked order', () => {
  for (const loss of ['warp', 'bpr'] as const) {
    it(`${loss}, identity features only: the same bits on 1, 2 and 3 threads, and the js engine's model`, () => {
      const options: HybridOptions = { loss, factors: 16, epochs: 3, bins: 6 };
      const runs = [1, 2, 3].map((threads) => {
        const model = new Hybrid({ ...options, threads, wasmVariant: 'simd' });
        const fit = model.fit(data);
        expect(fit.threads).toBe(threads);
        expect(fit.notes).toEqual([]);
        return { model, bits: bits(model), losses: fit.epochs.map((e) => e.loss!.value) };
      });
      for (const run of runs.slice(1)) {
        run.bits.forEach((b, part) => expect(b.equals(runs[0].bits[part]), ['P', 'Q', 'bi'][part]).toBe(true));
        expect(run.losses).toEqual(runs[0].losses);
      }
      const js = new Hybrid({ ...options, engine: 'js' });
      const jsLosses = js.fit(data).epochs.map((e) => e.loss!.value);
      if (loss === 'warp') {
        // No exp in WARP's step: every operation is IEEE-exact in both engines.
        bits(js).forEach((b, part) => expect(b.equals(runs[0].bits[part]), ['P', 'Q', 'bi'][part]).toBe(true));
        expect(jsLosses).toEqual(runs[0].losses);
      } else {
        // wasm's Mathf.exp and JavaScript's Math.exp may round σ differently in the last bit.
        const [a, b] = [js.toState(), runs[0].model.toState()];
        let far = 0;
        a.Q.forEach((v, t) => (far += Math.abs(v - b.Q[t]) > 1e-4 ? 1 : 0));
        expect(far).toBe(0);
        jsLosses.forEach((l, e) => expect(Math.abs(l - runs[0].losses[e]) * data.size).toBeLessThanOrEqual(2));
      }
    });
  }

  it('ranks held-out users\' items about as well as the shuffled order (strong generalization)', () => {
    const split = strongGeneralizationSplit(data, { seed: 1 });
    const ndcg = (order: 'blocked' | 'shuffle') => {
      const model = new Hybrid({ factors: 16, epochs: 20, order });
      model.fit(split.train);
      return evaluateStrongGeneralization(model, split).ndcg100;
    };
    const blocked = ndcg('blocked'), shuffled = ndcg('shuffle');
    expect(blocked).toBeGreaterThan(0.95 * shuffled);
    expect(blocked).toBeGreaterThan(0.1);
  });

  it('shared attributes on 2 threads (Hogwild): says so, and ranks within the tolerance of one thread\'s fits', () => {
    const split = strongGeneralizationSplit(data, { seed: 2 });
    const ndcg = (threads: number, seed: number) => {
      const model = new Hybrid({ factors: 16, epochs: 20, threads, seed, bins: 6 });
      const fit = model.fit(split.train, { itemFeatures });
      expect(fit.threads).toBe(threads);
      if (threads > 1) expect(fit.notes!.join(' ')).toMatch(/Hogwild.*varies between runs/);
      else expect(fit.notes).toEqual([]);
      return evaluateStrongGeneralization(model, split).ndcg100;
    };
    const seeds = [1, 2, 3, 4];
    const one = seeds.map((seed) => ndcg(1, seed)), two = seeds.map((seed) => ndcg(2, seed));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // The stated tolerance (README, HybridOptions.threads): within the spread of seeds — the mean
    // of 4 seeds within 5 % of one thread's, every run within one thread's range widened by 5 %.
    // (Measured: seeds 1..5 give NDCG@100 0.163..0.177 on one thread, 0.160..0.179 on two.)
    expect(Math.abs(mean(two) - mean(one))).toBeLessThan(0.05 * mean(one));
    for (const x of two) {
      expect(x).toBeGreaterThan(0.95 * Math.min(...one));
      expect(x).toBeLessThan(1.05 * Math.max(...one));
    }
  });

  it('threads \'auto\' keeps one thread when attributes are shared, and says why', () => {
    const big = toImplicit(generateScaleRatings({ ratings: 520_000, users: 20_000, items: 2_000, seed: 3 }), { threshold: 0 });
    expect(big.size).toBeGreaterThanOrEqual(500_000);
    const shared = Features.fromRecords(big.items.raw.map((id, i) => [id, [`g:${i % 10}`]] as const));
    const model = new Hybrid({ factors: 4, epochs: 1 });
    const withAttributes = model.fit(big, { itemFeatures: shared });
    expect(withAttributes.threads).toBe(1);
    expect(withAttributes.notes!.join(' ')).toMatch(/running on 1 thread: attributes are shared/);
    // Without attributes nothing is shared: every core (at most the grid's 8 bins).
    const identityOnly = model.fit(big);
    expect(identityOnly.threads).toBe(Math.min(hardwareThreads(), 8));
  });

  it('refuses threads or bins with order shuffle, and bins outside 1..256', () => {
    expect(() => new Hybrid({ order: 'shuffle', threads: 2 })).toThrow(/threads.*only order 'blocked'/);
    expect(() => new Hybrid({ order: 'shuffle', bins: 4 })).toThrow(/bins/);
    expect(() => new Hybrid({ bins: 0 })).toThrow(OptionError);
    expect(() => new Hybrid({ bins: 257 })).toThrow(OptionError);
    expect(() => new Hybrid({ order: 'random' as 'blocked' })).toThrow(/order/);
  });
});
