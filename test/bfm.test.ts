// The Bayesian factorization machine: its Gibbs kernel against a plain reference computation and
// against its js twin, the distribution of its draws, and the model it fits (the posterior mean,
// served exactly from the kept samples stacked side by side).
import { describe, expect, it } from 'vitest';
import {
  BayesianFM, createEngine, Dataset, evaluate, FactorModel, generateRatings, holdoutSplit, OptionError, SVD, wasmVariants, type Engine,
} from '../src/index.js';
import type { F32, U32 } from '../src/engine/index.js';
import { Random } from '../src/util/random.js';
import { thrownBy } from './helpers.js';

/** A side of `rows` rows with `lengths[r]` ratings each, over `others` rows of the other side. */
function makeSide(engine: Engine, lengths: number[], others: number, k: number, seed: number) {
  const random = new Random(seed);
  const stride = Math.ceil(k / 4) * 4;
  const n = lengths.reduce((a, b) => a + b, 0);
  const start = engine.allocU32(lengths.length + 1), cols = engine.allocU32(n), slots = engine.allocU32(n);
  const s = start.array(), c = cols.array(), sl = slots.array();
  for (let r = 0; r < lengths.length; r++) s[r + 1] = s[r] + lengths[r];
  for (let t = 0; t < n; t++) {
    c[t] = random.nextInt(others);
    sl[t] = (t * 7919) % n; // residual slots in another order than the rows
  }
  const W = engine.allocF32(lengths.length), V = engine.allocF32(lengths.length * stride), Vo = engine.allocF32(others * stride), e = engine.allocF32(n);
  for (let r = 0; r < lengths.length; r++) {
    W.array()[r] = random.nextNormal(0, 0.3);
    for (let f = 0; f < k; f++) V.array()[r * stride + f] = random.nextNormal(0, 0.3);
  }
  for (let r = 0; r < others; r++) for (let f = 0; f < k; f++) Vo.array()[r * stride + f] = random.nextNormal(0, 0.5);
  for (let t = 0; t < n; t++) e.array()[t] = random.nextNormal(0, 1);
  const muV = engine.allocF32(k), lambdaV = engine.allocF32(k);
  for (let f = 0; f < k; f++) {
    muV.array()[f] = random.nextNormal(0, 0.1);
    lambdaV.array()[f] = 1 + random.nextFloat() * 3;
  }
  const longest = Math.ceil(Math.max(...lengths) / 4) * 4;
  return {
    side: { start, cols, slots, rowCount: lengths.length, W, V }, Vo, e, stride, k,
    prior: { muW: 0.2, lambdaW: 2.5, muV, lambdaV },
    normals: engine.allocF32(lengths.length * (k + 1)), h: engine.allocF32(Math.max(1, k * longest)), eb: engine.allocF32(Math.max(4, longest)),
  };
}

const copy = (h: F32 | U32) => h.array().slice();

/**
 * The conditional draws of one row written out plainly in float64, coordinate after coordinate:
 * precision P = α Σ h² + λ, mean (α Σ (e + θ h) h + λ μ) / P, then e += (θ − θ') h.
 */
function referenceRow(ratings: { other: number[]; e: number[] }, w: number, v: number[], Vo: (c: number, f: number) => number, alpha: number, prior: { muW: number; lambdaW: number; muV: number[]; lambdaV: number[] }, z: number[]) {
  const e = [...ratings.e];
  const n = e.length;
  const pw = alpha * n + prior.lambdaW;
  const mw = (alpha * e.reduce((s, x) => s + x + w, 0) + prior.lambdaW * prior.muW) / pw;
  const w2 = mw + z[0] / Math.sqrt(pw);
  for (let t = 0; t < n; t++) e[t] += w - w2;
  const v2 = [...v];
  for (let f = 0; f < v.length; f++) {
    const h = ratings.other.map((c) => Vo(c, f));
    const s2 = h.reduce((s, x) => s + x * x, 0);
    const p = alpha * s2 + prior.lambdaV[f];
    const m = (alpha * h.reduce((s, x, t) => s + (e[t] + v2[f] * x) * x, 0) + prior.lambdaV[f] * prior.muV[f]) / p;
    const next = m + z[f + 1] / Math.sqrt(p);
    for (let t = 0; t < n; t++) e[t] += (v2[f] - next) * h[t];
    v2[f] = next;
  }
  return { w: w2, v: v2, e };
}

describe('the Gibbs kernel (assembly/bfm.ts)', () => {
  const lengths = [0, 1, 3, 4, 5, 9, 17, 2];
  const k = 5; // not a multiple of the lanes

  it('draws each row as the plainly written conditional posterior does (float32 against float64)', () => {
    const engine = createEngine('wasm', 'simd');
    const s = makeSide(engine, lengths, 11, k, 1);
    const random = new Random(9);
    const z = s.normals.array();
    for (let t = 0; t < z.length; t++) z[t] = random.nextNormal();
    const before = { W: copy(s.side.W), V: copy(s.side.V), e: copy(s.e) };
    const alpha = 1.7;
    engine.bfmSampleRows(s.side, s.Vo, s.stride, k, s.e, alpha, s.prior, s.normals, s.h, s.eb);
    const start = s.side.start.array(), cols = s.side.cols.array(), slots = s.side.slots.array(), Vo = s.Vo.array();
    const prior = { muW: s.prior.muW, lambdaW: s.prior.lambdaW, muV: [...s.prior.muV.array()], lambdaV: [...s.prior.lambdaV.array()] };
    for (let r = 0; r < lengths.length; r++) {
      const rows = Array.from({ length: start[r + 1] - start[r] }, (_, j) => start[r] + j);
      const ref = referenceRow(
        { other: rows.map((t) => cols[t]), e: rows.map((t) => before.e[slots[t]]) },
        before.W[r], Array.from({ length: k }, (_, f) => before.V[r * s.stride + f]), (c, f) => Vo[c * s.stride + f], alpha, prior,
        Array.from({ length: k + 1 }, (_, j) => z[r * (k + 1) + j]),
      );
      expect(s.side.W.array()[r]).toBeCloseTo(ref.w, 4);
      for (let f = 0; f < k; f++) expect(s.side.V.array()[r * s.stride + f]).toBeCloseTo(ref.v[f], 4);
      rows.forEach((t, j) => expect(s.e.array()[slots[t]]).toBeCloseTo(ref.e[j], 4));
    }
  });

  it('gives the same bits on the js engine and every wasm build that rounds as it does', () => {
    const results = (['js', ...wasmVariants().filter((v) => v !== 'relaxed')] as const).map((variant) => {
      const engine = variant === 'js' ? createEngine('js') : createEngine('wasm', variant);
      const s = makeSide(engine, lengths, 11, k, 2);
      const random = new Random(3);
      for (let t = 0; t < s.normals.length; t++) s.normals.array()[t] = random.nextNormal();
      for (let sweep = 0; sweep < 3; sweep++) engine.bfmSampleRows(s.side, s.Vo, s.stride, k, s.e, 0.8, s.prior, s.normals, s.h, s.eb);
      return { variant, W: copy(s.side.W), V: copy(s.side.V), e: copy(s.e) };
    });
    for (const r of results.slice(1)) {
      expect(r.W, r.variant).toEqual(results[0].W);
      expect(r.V, r.variant).toEqual(results[0].V);
      expect(r.e, r.variant).toEqual(results[0].e);
    }
  });

  it('draws the same bits with its rows split over worker threads (ranges of equal ratings, each with its own scratch)', () => {
    // Rows of very uneven lengths, so the ranges hold different numbers of rows.
    const uneven = Array.from({ length: 300 }, (_, r) => (r % 17 === 0 ? 60 : 1 + (r % 5)));
    const run = (threads: number) => {
      const engine = createEngine('wasm', 'simd', { threads });
      const s = makeSide(engine, uneven, 23, k, 4);
      // Scratch for every thread: h and eb as the row sampler sizes them.
      const longest = Math.ceil(Math.max(...uneven) / 4) * 4;
      const h = engine.allocF32(engine.threads * k * longest), eb = engine.allocF32(engine.threads * longest);
      const random = new Random(5);
      for (let t = 0; t < s.normals.length; t++) s.normals.array()[t] = random.nextNormal();
      for (let sweep = 0; sweep < 3; sweep++) engine.bfmSampleRows(s.side, s.Vo, s.stride, k, s.e, 0.8, s.prior, s.normals, h, eb);
      const out = { threads: engine.threads, W: copy(s.side.W), V: copy(s.side.V), e: copy(s.e) };
      engine.dispose();
      return out;
    };
    const one = run(1), two = run(2), three = run(3);
    expect([two.threads, three.threads]).toEqual([2, 3]);
    for (const r of [two, three]) {
      expect(r.W).toEqual(one.W);
      expect(r.V).toEqual(one.V);
      expect(r.e).toEqual(one.e);
    }
  });

  it('draws a coordinate with the conditional mean and variance (4,000 draws from one state)', () => {
    const engine = createEngine('wasm');
    const random = new Random(5);
    const draws: number[] = [];
    let expected = { mean: 0, variance: 0 };
    const mark = engine.mark();
    for (let d = 0; d < 4000; d++) {
      const s = makeSide(engine, [6], 4, 2, 11); // the same state every time
      for (let t = 0; t < s.normals.length; t++) s.normals.array()[t] = random.nextNormal();
      if (d === 0) {
        const e = [...s.e.array()], w = s.side.W.array()[0], alpha = 1.3;
        const p = alpha * e.length + s.prior.lambdaW;
        expected = { mean: (alpha * e.reduce((a, x) => a + x + w, 0) + s.prior.lambdaW * s.prior.muW) / p, variance: 1 / p };
      }
      engine.bfmSampleRows(s.side, s.Vo, s.stride, 2, s.e, 1.3, s.prior, s.normals, s.h, s.eb);
      draws.push(s.side.W.array()[0]);
      engine.release(mark);
    }
    const mean = draws.reduce((a, x) => a + x, 0) / draws.length;
    const variance = draws.reduce((a, x) => a + (x - mean) ** 2, 0) / (draws.length - 1);
    expect(Math.abs(mean - expected.mean)).toBeLessThan(4 * Math.sqrt(expected.variance / draws.length));
    expect(variance / expected.variance).toBeGreaterThan(0.9);
    expect(variance / expected.variance).toBeLessThan(1.1);
  });
});

describe('BayesianFM', () => {
  const data = generateRatings({ users: 300, items: 200, ratings: 9000, minPerUser: 10, seed: 4 });
  const { train, test } = holdoutSplit(data, { testRatio: 0.2, seed: 1 });

  it('beats SVD defaults on sparse planted low-rank data, with nothing tuned (posterior averaging against a point estimate)', () => {
    const sparse = holdoutSplit(generateRatings({ users: 600, items: 400, ratings: 9000, minPerUser: 5, seed: 4 }), { testRatio: 0.2, seed: 1 });
    const bfm = new BayesianFM({ samples: 60, bags: [] });
    bfm.fit(sparse.train);
    const svd = new SVD();
    svd.fit(sparse.train);
    expect(evaluate(bfm, sparse.test).rmse).toBeLessThan(evaluate(svd, sparse.test).rmse - 0.005);
  });

  it('serves the posterior mean: the fitted model scores the test set as the last point of its curve', () => {
    const bfm = new BayesianFM({ factors: 6, samples: 40, burnIn: 5 });
    const { epochs } = bfm.fit(train, { validation: test });
    expect(epochs).toHaveLength(40);
    expect(bfm.factorCount).toBe(6 * 35); // every kept sample, side by side
    const last = epochs.at(-1)!;
    expect(evaluate(bfm, test).rmse).toBeCloseTo(last.validationRmse!, 4);
    expect(last.loss).toEqual({ value: last.trainRmse, kind: 'rmse' });
    // The running mean settles below where burn-in ends.
    expect(last.validationRmse!).toBeLessThan(epochs[4].validationRmse!);
  });

  it('servingSamples thins the served samples: a smaller model, almost the same predictions', () => {
    const full = new BayesianFM({ factors: 6, samples: 40, burnIn: 5, seed: 2 });
    full.fit(train);
    const thin = new BayesianFM({ factors: 6, samples: 40, burnIn: 5, seed: 2, servingSamples: 7 });
    thin.fit(train);
    expect(thin.factorCount).toBe(42);
    expect(thin.save().length).toBeLessThan(full.save().length / 3);
    expect(Math.abs(evaluate(thin, test).rmse - evaluate(full, test).rmse)).toBeLessThan(0.01);
  });

  it('an aborted fit keeps the samples drawn so far (or, in burn-in, its last sample)', () => {
    for (const stopAt of [3, 12]) {
      const controller = new AbortController();
      const bfm = new BayesianFM({ factors: 4, samples: 50, burnIn: 5 });
      const result = bfm.fit(train, { signal: controller.signal, onEpoch: (e) => e.epoch === stopAt && controller.abort() });
      expect(result.aborted).toBe(true);
      expect(result.keptEpoch).toBe(stopAt);
      const rmse = evaluate(bfm, test).rmse;
      expect(Number.isFinite(rmse)).toBe(true);
      expect(rmse).toBeLessThan(1.5);
    }
  });

  it('fits ids alone to the same model on 1, 2 and 3 threads (the normals are drawn first, per row)', () => {
    const states = [1, 2, 3].map((threads) => {
      const bfm = new BayesianFM({ bags: [], factors: 4, samples: 12, threads });
      const result = bfm.fit(train);
      expect(result.threads).toBe(threads);
      return bfm.toState();
    });
    for (const s of states.slice(1)) {
      for (const name of ['P', 'Q', 'bu', 'bi'] as const) expect(Buffer.from(s[name].buffer).equals(Buffer.from(states[0][name].buffer)), name).toBe(true);
      expect(s.mu).toBe(states[0].mu);
    }
    // The relation-block sampler (the default's user bag) runs on one thread.
    expect(new BayesianFM({ factors: 4, samples: 4, threads: 2 }).fit(train).threads).toBe(1);
  });

  it('keeps the user bag for fold-in, in the model file too; fold-in adds the new user\'s bag to the solved part (test/bfm-ml100k.test.ts: it helps)', () => {
    const model = new BayesianFM({ samples: 20, factors: 4 }); // the default user bag
    model.fit(data);
    const state = model.toState();
    expect(state.bag!.factors.length).toBe(data.itemCount * model.factorCount);
    expect(FactorModel.load(model.save()).toState().bag!.biases).toEqual(state.bag!.biases);
    // Ids alone keep no bag.
    const ids = new BayesianFM({ samples: 20, factors: 4, bags: [] });
    ids.fit(data);
    expect(ids.toState().bag).toBeUndefined();
    // One rated item, worked by hand: the bag part is that item's bag vector v and linear term w
    // (weight 1/√1; no pairs within a one-item bag), and the ridge on one rating z = [q_i, 1] with
    // λ = 0.1 solves (δ, b) = z·y / (|z|² + λ), y = r − μ − b_i − q_i·v − w.
    const item = data.items.raw[0], K = model.factorCount;
    model.foldIn([[item, 4]], { user: 'one' });
    const after = model.toState(), u = after.userIds.indexOf('one');
    const v = state.bag!.factors.subarray(0, K), w = state.bag!.biases[0], q = state.Q.subarray(0, K);
    let qv = 0, qq = 1;
    for (let f = 0; f < K; f++) {
      qv += q[f] * v[f];
      qq += q[f] * q[f];
    }
    const y = 4 - state.mu - state.bi[0] - qv - w, scale = y / (qq + 0.1);
    for (let f = 0; f < K; f++) expect(after.P[u * K + f]).toBeCloseTo(v[f] + q[f] * scale, 4);
    expect(after.bu[u]).toBeCloseTo(w + scale, 4);
  });

  it('refuses burn-in at or beyond the samples, and serving more samples than are kept', () => {
    expect(thrownBy(OptionError, () => new BayesianFM({ samples: 20, burnIn: 20 })).message)
      .toBe('option burnIn must be below samples (20): the posterior mean needs at least one sample after burn-in (got 20)');
    expect(thrownBy(OptionError, () => new BayesianFM({ samples: 20, burnIn: 5, servingSamples: 16 })).message)
      .toBe('option servingSamples must be an integer in [1, 15] (got 16)');
    expect(thrownBy(OptionError, () => new BayesianFM({ samples: 1 })).message).toMatch(/^option samples must be an integer in \[2, /);
    // Fewer than 20 samples: burn-in defaults to half of them.
    expect(new BayesianFM({ samples: 6 }).options.burnIn).toBe(3);
  });

  it('a validation set of unknown users and items is scored by the known terms, never NaN', () => {
    const strangers = Dataset.fromTriples([['nobody', data.items.raw[0], 4], [data.users.raw[0], 'nothing', 2], ['nobody', 'nothing', 3]]);
    const bfm = new BayesianFM({ factors: 3, samples: 12 });
    const { epochs } = bfm.fit(train, { validation: strangers });
    for (const e of epochs) expect(Number.isFinite(e.validationRmse)).toBe(true);
    // The served fallbacks are the curve's: w0 and the other side's mean offset.
    const last = epochs.at(-1)!;
    const served = bfm.predictMany(strangers);
    const rmse = Math.sqrt(strangers.ratings.reduce((s, r, t) => s + (r - served[t]) ** 2, 0) / strangers.size);
    expect(rmse).toBeCloseTo(last.validationRmse!, 4);
  });

  it('a test set with many items the training data lacks: no worse than SVD defaults (unknown items fall back to an average item)', () => {
    for (const seed of [1, 2, 3]) {
      const split = holdoutSplit(generateRatings({ users: 800, items: 3000, ratings: 12_000, minPerUser: 5, seed }), { testRatio: 0.2, seed });
      const unknown = Array.from(split.test.itemIndex).filter((i) => !split.train.items.has(split.test.items.raw[i])).length;
      expect(unknown / split.test.size).toBeGreaterThan(0.05);
      const bfm = new BayesianFM({ seed }), svd = new SVD({ seed });
      bfm.fit(split.train);
      svd.fit(split.train);
      expect(evaluate(bfm, split.test).rmse).toBeLessThanOrEqual(evaluate(svd, split.test).rmse);
    }
  });
});
