// SVD++: the O(k)-per-rating kernel reproduces Surprise's O(|I_u| k)-per-rating algorithm.
import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { generateRatings } from '../src/data/generate.js';
import { groupRows } from '../src/data/group.js';
import { loadFolds } from '../src/data/load-node.js';
import { crossValidate } from '../src/eval/cross-validate.js';
import { hardwareThreads, holdoutSplit, SVDpp, type SvdppOptions } from '../src/index.js';
import { MT19937 } from '../src/util/mt19937.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

/** Surprise's SVDpp loop (matrix_factorization.pyx), literally: z and every y_j per rating. */
function surpriseSvdpp(data: Dataset, k: number, epochs: number, lr: number, reg: number, seed: number) {
  const random = new MT19937(seed);
  const draw = (rows: number) => Array.from({ length: rows }, () => Array.from({ length: k }, () => random.nextNormal(0, 0.1)));
  const P = draw(data.userCount), Q = draw(data.itemCount), Y = draw(data.itemCount);
  const bu = new Array(data.userCount).fill(0), bi = new Array(data.itemCount).fill(0);
  const mu = data.globalMean();
  const { start, rows } = groupRows(data.userIndex, data.userCount);
  const itemsOf = (u: number) => Array.from(rows.subarray(start[u], start[u + 1]), (t) => data.itemIndex[t]);
  const implicit = (u: number) => {
    const Iu = itemsOf(u), s = Math.sqrt(Iu.length), z = new Array(k).fill(0);
    for (const j of Iu) for (let f = 0; f < k; f++) z[f] += Y[j][f] / s;
    return { Iu, s, z };
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let u = 0; u < data.userCount; u++) {
      for (let x = start[u]; x < start[u + 1]; x++) {
        const t = rows[x], i = data.itemIndex[t];
        const { Iu, s, z } = implicit(u);
        let dot = 0;
        for (let f = 0; f < k; f++) dot += Q[i][f] * (P[u][f] + z[f]);
        const e = data.ratings[t] - (mu + bu[u] + bi[i] + dot);
        bu[u] += lr * (e - reg * bu[u]);
        bi[i] += lr * (e - reg * bi[i]);
        for (let f = 0; f < k; f++) {
          const puf = P[u][f], qif = Q[i][f];
          P[u][f] += lr * (e * qif - reg * puf);
          Q[i][f] += lr * (e * (puf + z[f]) - reg * qif);
          for (const j of Iu) Y[j][f] += lr * ((e * qif) / s - reg * Y[j][f]);
        }
      }
    }
  }
  return (u: number, i: number) => {
    const { z } = implicit(u);
    let dot = 0;
    for (let f = 0; f < k; f++) dot += Q[i][f] * (P[u][f] + z[f]);
    return Math.min(5, Math.max(1, mu + bu[u] + bi[i] + dot));
  };
}

describe('SVDpp', () => {
  const data = generateRatings({ users: 40, items: 30, ratings: 500, minPerUser: 5, seed: 8 });

  it.each(['wasm', 'js'] as const)('%s engine matches a literal f64 copy of Surprise\'s loop (fixed order)', (engine) => {
    const model = new SVDpp({ factors: 6, epochs: 8, order: 'fixed', engine, seed: 3 });
    model.fit(data);
    const reference = surpriseSvdpp(data, 6, 8, 0.007, 0.02, 3);
    let worst = 0;
    for (let t = 0; t < data.size; t++) {
      const est = model.predict(data.users.raw[data.userIndex[t]], data.items.raw[data.itemIndex[t]]).estimate;
      worst = Math.max(worst, Math.abs(est - reference(data.userIndex[t], data.itemIndex[t])));
    }
    expect(worst).toBeLessThan(2e-4);
  });

  it('wasm and js engines agree epoch by epoch, shuffled, with k not a multiple of 4', () => {
    const curves = (['wasm', 'js'] as const).map((engine) =>
      new SVDpp({ factors: 7, epochs: 5, engine }).fit(data, { validation: data }).epochs,
    );
    curves[0].forEach((e, k) => {
      expect(Math.abs(e.trainRmse - curves[1][k].trainRmse)).toBeLessThan(1e-5);
      expect(Math.abs(e.validationRmse! - curves[1][k].validationRmse!)).toBeLessThan(1e-5);
    });
  });

  it('runs on threads Hogwild: within one thread\'s accuracy, said in the notes; one thread is the js engine\'s pass', () => {
    const big = generateRatings({ users: 600, items: 400, ratings: 40_000, minPerUser: 10, seed: 11 });
    const { train, test } = holdoutSplit(big, { testRatio: 0.2, seed: 4 });
    const fitted = (options: SvdppOptions) => {
      const model = new SVDpp({ factors: 12, epochs: 8, seed: 5, wasmVariant: 'simd', ...options });
      const result = model.fit(train, { validation: test });
      return { result, estimates: Array.from(model.predictMany(test)) };
    };
    const one = fitted({ threads: 1 }), js = fitted({ engine: 'js' });
    expect(one.result.threads).toBe(1);
    expect(one.result.notes).toEqual([]);
    // One thread runs the ranges of users one after another: the same bits as the js engine.
    expect(one.estimates).toEqual(js.estimates);
    expect(one.result.epochs.map((e) => e.trainRmse)).toEqual(js.result.epochs.map((e) => e.trainRmse));
    for (const threads of [2, 3]) {
      const many = fitted({ threads });
      expect(many.result.threads).toBe(threads);
      expect(many.result.notes).toEqual([expect.stringMatching(new RegExp(`^users on ${threads} threads updated the items they share at once \\(Hogwild\\)`))]);
      // The stated tolerance: every epoch's train and held-out RMSE within 0.5 % of one thread's.
      many.result.epochs.forEach((e, k) => {
        const base = one.result.epochs[k];
        expect(Math.abs(e.trainRmse / base.trainRmse - 1)).toBeLessThan(0.005);
        expect(Math.abs(e.validationRmse! / base.validationRmse! - 1)).toBeLessThan(0.005);
      });
      // It learned: the held-out RMSE fell well below the first epoch's.
      expect(many.result.epochs.at(-1)!.validationRmse!).toBeLessThan(many.result.epochs[0].validationRmse! - 0.02);
    }
  });

  it("'auto' keeps one thread (Hogwild is opt-in), and threads need the shuffled order", () => {
    expect(new SVDpp().options.threads).toBe('auto');
    expect(new SVDpp({ factors: 4, epochs: 1 }).fit(data).threads).toBe(1);
    expect(new SVDpp({ order: 'fixed' }).options.threads).toBe(1);
    expect(() => new SVDpp({ order: 'fixed', threads: 2 })).toThrow(`option threads must be 1 with order "fixed" (only order 'shuffle' runs on several threads) (got 2)`);
    expect(() => new SVDpp({ threads: 0 })).toThrow('option threads must be an integer in [1, 256] (got 0)');
    // From 500,000 ratings, where SVD's 'auto' would take every core, the notes say why it did not.
    const big = generateRatings({ users: 20_000, items: 2_000, ratings: 500_000, minPerUser: 1, seed: 2 });
    const fit = new SVDpp({ factors: 1, epochs: 1 }).fit(big);
    expect(fit.threads).toBe(1);
    expect(fit.notes).toEqual(hardwareThreads() > 1 ? [expect.stringMatching(/^running on 1 thread: SVD\+\+ on threads updates shared items at once \(Hogwild\)/)] : []);
  });

  it('uses Surprise\'s defaults: k = 20, lr 0.007, reg 0.02', () => {
    const o = new SVDpp().options;
    expect([o.factors, o.lrPu, o.lrYj, o.regYj, o.epochs]).toEqual([20, 0.007, 0.007, 0.02, 20]);
  });
});

describe.skipIf(!hasMl100k)(`SVDpp on ML-100k u1..u5${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];
  it('Surprise order: every fold within 0.0002 of Surprise\'s SVDpp (mean 0.9218)', () => {
    const surprise = [0.933, 0.9234, 0.9184, 0.9168, 0.9175];
    const cv = crossValidate(() => new SVDpp({ order: 'fixed' }), folds);
    cv.folds.forEach((f, k) => expect(Math.abs(f.rmse - surprise[k])).toBeLessThan(0.0002));
    expect(Math.abs(cv.mean.mae - 0.7238)).toBeLessThan(0.0005);
  });
  it('shuffled: mean RMSE within 0.004 of 0.9218, on one thread and on two (Hogwild)', () => {
    const cv = crossValidate(() => new SVDpp(), folds);
    expect(Math.abs(cv.mean.rmse - 0.9218)).toBeLessThan(0.004);
    const two = crossValidate(() => new SVDpp({ threads: 2 }), folds);
    expect(Math.abs(two.mean.rmse - 0.9218)).toBeLessThan(0.004);
    expect(Math.abs(two.mean.rmse - cv.mean.rmse)).toBeLessThan(0.001);
  });
});

describe('SVDpp with SVD initialization', () => {
  it('wasm and js agree when k is not a multiple of 4 and scratch memory is reused', () => {
    // A wide set (more items than users) with k = 10: padding lanes of Y land on memory the
    // truncated SVD used and released; they must start at zero in both engines.
    const wide = generateRatings({ users: 60, items: 600, ratings: 3000, minPerUser: 10, seed: 21 });
    const predictions = (['wasm', 'js'] as const).map((engine) => {
      const m = new SVDpp({ factors: 10, epochs: 3, init: 'svd', engine });
      m.fit(wide);
      return Array.from(m.predictMany(wide));
    });
    let worst = 0;
    predictions[0].forEach((p, t) => (worst = Math.max(worst, Math.abs(p - predictions[1][t]))));
    expect(worst).toBeLessThan(1e-4);
  });
});
