// Implicit feedback: BPR's kernel against its twin and a hand-worked update, the popularity
// baseline, and BPR beating it.
import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { toImplicit } from '../src/data/implicit.js';
import { loadFolds } from '../src/data/load-node.js';
import { createEngine, strideFor, wasmSimdSupported } from '../src/engine/index.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import { BPR } from '../src/index.js';
import { ALS } from '../src/index.js';
import { FactorModel } from '../src/index.js';
import { Popular } from '../src/index.js';
import { mulberry32 } from './prng.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

describe('toImplicit', () => {
  it('keeps ratings at or above the threshold, each (user, item) once, as 1s', () => {
    const d = Dataset.fromTriples([['a', 'x', 5], ['a', 'y', 2], ['b', 'x', 4], ['a', 'x', 4], ['c', 'z', 1]]);
    const imp = toImplicit(d, { threshold: 4 });
    expect(imp.size).toBe(2);
    expect(imp.users.raw).toEqual(['a', 'b']);
    expect(Array.from(imp.ratings)).toEqual([1, 1]);
    expect(toImplicit(d).size).toBe(4); // every rating an interaction, the repeat of (a, x) once
  });
});

describe('BPR kernel', () => {
  const engines = [
    () => createEngine('js'),
    () => createEngine('wasm', 'scalar'),
    ...(wasmSimdSupported() ? [() => createEngine('wasm', 'simd')] : []),
  ];
  it('one update by hand (f64), in every engine', () => {
    for (const make of engines) {
      const e = make(), k = 3, stride = strideFor(k);
      const p = [0.1, -0.2, 0.3], qi = [0.2, 0.1, -0.1], qj = [-0.3, 0.2, 0.1];
      const f = { P: e.allocF32(stride), Q: e.allocF32(2 * stride), bu: e.allocF32(1), bi: e.allocF32(2), stride };
      f.P.array().set(p);
      f.Q.array().set(qi, 0);
      f.Q.array().set(qj, stride);
      f.bi.array().set([0.2, -0.1]);
      const one = (x: number) => { const h = e.allocU32(1); h.array()[0] = x; return h; };
      const lr = 0.05, reg = 0.01, regBias = 0.02;
      e.sgdEpochBpr(one(0), one(0), one(1), 1, f, lr, reg, regBias);
      const x = 0.2 - -0.1 + p.reduce((s, v, c) => s + v * (qi[c] - qj[c]), 0);
      const g = 1 / (1 + Math.exp(x));
      for (let c = 0; c < k; c++) {
        expect(f.P.array()[c]).toBeCloseTo(p[c] + lr * (g * (qi[c] - qj[c]) - reg * p[c]), 6);
        expect(f.Q.array()[c]).toBeCloseTo(qi[c] + lr * (g * p[c] - reg * qi[c]), 6);
        expect(f.Q.array()[stride + c]).toBeCloseTo(qj[c] + lr * (-g * p[c] - reg * qj[c]), 6);
      }
      expect(f.bi.array()[0]).toBeCloseTo(0.2 + lr * (g - regBias * 0.2), 6);
      expect(f.bi.array()[1]).toBeCloseTo(-0.1 + lr * (-g - regBias * -0.1), 6);
    }
  });

  it('wasm and js agree over many random triples (k not a multiple of 4)', () => {
    const rand = mulberry32(3), k = 7, stride = strideFor(k), users = 20, items = 30, n = 2000;
    const P = Float32Array.from({ length: users * stride }, (_, t) => (t % stride < k ? rand() - 0.5 : 0));
    const Q = Float32Array.from({ length: items * stride }, (_, t) => (t % stride < k ? rand() - 0.5 : 0));
    const tri = Array.from({ length: n }, () => [Math.floor(rand() * users), Math.floor(rand() * items), Math.floor(rand() * items)]);
    const results = engines.map((make) => {
      const e = make();
      const f = { P: e.allocF32(P.length), Q: e.allocF32(Q.length), bu: e.allocF32(users), bi: e.allocF32(items), stride };
      f.P.array().set(P);
      f.Q.array().set(Q);
      const col = (c: number) => { const h = e.allocU32(n); h.array().set(tri.map((t) => t[c])); return h; };
      const u = col(0), i = col(1), j = col(2);
      const correct = e.sgdEpochBpr(u, i, j, n, f, 0.05, 0.01, 0.001);
      return { correct, P: Array.from(f.P.array()), bi: Array.from(f.bi.array()) };
    });
    for (const r of results.slice(1)) {
      expect(Math.abs(r.correct - results[0].correct)).toBeLessThanOrEqual(2);
      r.P.forEach((v, t) => expect(Math.abs(v - results[0].P[t])).toBeLessThan(1e-4));
    }
  });
});

describe('BPR and Popular', () => {
  // Five taste groups: each user interacts with 15 of its group's 30 items and 3 items at random.
  // Popularity cannot tell the groups apart; a ranking model should.
  const rand = mulberry32(11);
  const triples: [string, string, number][] = [];
  for (let u = 0; u < 250; u++) {
    const group = u % 5, picked = new Set<number>();
    while (picked.size < 15) picked.add(group * 30 + Math.floor(rand() * 30));
    while (picked.size < 18) picked.add(Math.floor(rand() * 150));
    for (const i of picked) triples.push([`u${u}`, `i${i}`, 1]);
  }
  const data = toImplicit(Dataset.fromTriples(triples));
  const rows = Array.from({ length: data.size }, (_, t) => t);
  const train = data.subset(rows.filter((t) => t % 5 !== 0)), test = data.subset(rows.filter((t) => t % 5 === 0));

  it('Popular scores items by their interaction count', () => {
    const m = new Popular();
    m.fit(train);
    const counts = new Map<string, number>();
    for (let t = 0; t < train.size; t++) counts.set(train.items.raw[train.itemIndex[t]], (counts.get(train.items.raw[train.itemIndex[t]]) ?? 0) + 1);
    const user = train.users.raw[0];
    for (const r of m.recommend(user, { n: 5 })) expect(r.score).toBe(counts.get(r.item));
  });

  it('BPR beats popularity on precision@10 and NDCG@10, and survives save/load', () => {
    const bpr = new BPR({ epochs: 20 });
    bpr.fit(train);
    const pop = new Popular();
    pop.fit(train);
    const a = evaluateModelRanking(bpr, train, test, { relevance: 1 }), b = evaluateModelRanking(pop, train, test, { relevance: 1 });
    expect(a.precision).toBeGreaterThan(b.precision);
    expect(a.ndcg).toBeGreaterThan(b.ndcg);
    const loaded = FactorModel.load(bpr.save());
    expect(loaded.recommend(train.users.raw[3], { n: 10 })).toEqual(bpr.recommend(train.users.raw[3], { n: 10 }));
    // Scores, not ratings: never clipped to the 0..1 interaction scale.
    const scores = bpr.scoreAll(train.users.raw[3]);
    expect(Math.max(...scores) > 1 || Math.min(...scores) < 0).toBe(true);
  });
});

describe.skipIf(!hasMl100k)(`implicit ML-100k${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];
  it('u1, ratings >= 4 as positives: BPR and ALS beat popularity on precision@10 and NDCG@10', () => {
    const train = toImplicit(folds[0].train, { threshold: 4 });
    const bpr = new BPR();
    bpr.fit(train);
    const pop = new Popular();
    pop.fit(train);
    const a = evaluateModelRanking(bpr, train, folds[0].test), b = evaluateModelRanking(pop, train, folds[0].test);
    const als = new ALS();
    als.fit(train);
    const c = evaluateModelRanking(als, train, folds[0].test);
    console.log(`u1 full protocol: BPR P@10 ${a.precision.toFixed(4)} NDCG@10 ${a.ndcg.toFixed(4)}; ALS ${c.precision.toFixed(4)} / ${c.ndcg.toFixed(4)}; popular ${b.precision.toFixed(4)} / ${b.ndcg.toFixed(4)}`);
    expect(a.precision).toBeGreaterThan(b.precision);
    expect(a.ndcg).toBeGreaterThan(b.ndcg);
    expect(c.precision).toBeGreaterThan(b.precision);
    expect(c.ndcg).toBeGreaterThan(b.ndcg);
  });
});

describe('ALS (conjugate gradient row solves)', () => {
  it('with enough CG steps a row solve equals the exact normal-equation solution (ml-matrix)', async () => {
    const { Matrix, solve } = await import('ml-matrix');
    const rand = mulberry32(17), k = 5, stride = strideFor(k), items = 12, alpha = 2, lambda = 0.1;
    for (const make of [() => createEngine('js'), () => createEngine('wasm')]) {
      const e = make();
      const Yrows = Array.from({ length: items }, () => Array.from({ length: k }, () => rand() - 0.5));
      const Y = e.allocF32(items * stride), X = e.allocF32(stride), gram = e.allocF32(k * stride);
      Yrows.forEach((row, i) => Y.array().set(row, i * stride));
      X.array().set([0.1, 0, -0.1, 0.2, 0]);
      const liked = [1, 4, 7, 9], values = [1, 2, 1, 3];
      const a = { start: e.allocU32(2), cols: e.allocU32(4), vals: e.allocF32(4), rowCount: 1 };
      a.start.array().set([0, 4]);
      a.cols.array().set(liked);
      a.vals.array().set(values);
      e.gramian(Y, items, stride, k, gram);
      e.alsSolveRows(a, X, Y, gram, stride, k, alpha, lambda, 50, e.allocF32(stride), e.allocF32(stride), e.allocF32(stride));
      // (YᵀY + Σ (c−1) y yᵀ + λI) x = Σ c y
      const Ym = new Matrix(Yrows);
      let A = Ym.transpose().mmul(Ym).add(Matrix.eye(k).mul(lambda));
      let b = Matrix.zeros(k, 1);
      liked.forEach((i, t) => {
        const c = 1 + alpha * values[t], y = Matrix.columnVector(Yrows[i]);
        A = A.add(y.mmul(y.transpose()).mul(c - 1));
        b = b.add(y.mul(c));
      });
      const x = solve(A, b).to1DArray();
      x.forEach((v, f) => expect(X.array()[f]).toBeCloseTo(v, 4));
    }
  });

  it('wasm and js give the same model', () => {
    const data = toImplicit(Dataset.fromTriples(Array.from({ length: 400 }, (_, t) => [`u${t % 40}`, `i${(t * 7) % 50}`, 1] as [string, string, number])));
    const scores = (['wasm', 'js'] as const).map((engine) => {
      const m = new ALS({ factors: 6, epochs: 3, engine });
      m.fit(data);
      return Array.from(m.scoreAll('u3'));
    });
    scores[0].forEach((s, i) => expect(s).toBeCloseTo(scores[1][i], 4));
  });
});
