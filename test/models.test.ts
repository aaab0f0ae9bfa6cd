// SVD and MF: the two engines agree, the update rules match an independent f64 implementation of
// Surprise's algorithm, fallbacks and errors behave as documented.
import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { generateRatings } from '../src/data/generate.js';
import { DataError, DivergenceError, OptionError } from '../src/errors.js';
import { MF } from '../src/index.js';
import { SVD } from '../src/index.js';
import { MT19937 } from '../src/util/mt19937.js';

const small = generateRatings({ users: 60, items: 40, ratings: 900, minPerUser: 5, seed: 3 });

/** Surprise's SGD (matrix_factorization.pyx) in plain f64, Surprise's order, its init (numpy's MT19937 normals, P then Q). */
function referenceSvd(data: Dataset, k: number, epochs: number, biased: boolean, seed: number, lr = 0.005, reg = 0.02) {
  const random = new MT19937(seed);
  const P = Array.from({ length: data.userCount }, () => Array.from({ length: k }, () => random.nextNormal(0, 0.1)));
  const Q = Array.from({ length: data.itemCount }, () => Array.from({ length: k }, () => random.nextNormal(0, 0.1)));
  const bu = new Array(data.userCount).fill(0), bi = new Array(data.itemCount).fill(0);
  const mu = biased ? data.globalMean() : 0;
  const rows = Array.from({ length: data.size }, (_, t) => t).sort((a, b) => data.userIndex[a] - data.userIndex[b] || a - b);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const t of rows) {
      const u = data.userIndex[t], i = data.itemIndex[t];
      let dot = 0;
      for (let f = 0; f < k; f++) dot += Q[i][f] * P[u][f];
      const e = data.ratings[t] - (mu + bu[u] + bi[i] + dot);
      if (biased) {
        bu[u] += lr * (e - reg * bu[u]);
        bi[i] += lr * (e - reg * bi[i]);
      }
      for (let f = 0; f < k; f++) {
        const puf = P[u][f], qif = Q[i][f];
        P[u][f] += lr * (e * qif - reg * puf);
        Q[i][f] += lr * (e * puf - reg * qif);
      }
    }
  }
  return (u: number, i: number) => {
    let dot = 0;
    for (let f = 0; f < k; f++) dot += Q[i][f] * P[u][f];
    return Math.min(5, Math.max(1, mu + bu[u] + bi[i] + dot));
  };
}

describe.each([
  { name: 'SVD', Model: SVD, biased: true },
  { name: 'MF', Model: MF, biased: false },
])('$name', ({ Model, biased }) => {
  it('matches an independent f64 implementation of Surprise\'s SGD (fixed order)', () => {
    const model = new Model({ factors: 7, epochs: 10, order: 'fixed', seed: 11 });
    model.fit(small);
    const reference = referenceSvd(small, 7, 10, biased, 11);
    let worst = 0;
    for (let t = 0; t < small.size; t++) {
      const p = model.predict(small.users.raw[small.userIndex[t]], small.items.raw[small.itemIndex[t]]);
      worst = Math.max(worst, Math.abs(p.estimate - reference(small.userIndex[t], small.itemIndex[t])));
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('shuffling changes the visit order, and so the model', () => {
    const fit = (order: 'shuffle' | 'fixed', rng: 'mt19937' | 'xoshiro128') => {
      const m = new Model({ factors: 5, epochs: 3, order, rng, seed: 4 });
      m.fit(small);
      return small.users.raw.map((u) => Array.from(m.userFactors(u)!));
    };
    expect(fit('shuffle', 'mt19937')).not.toEqual(fit('fixed', 'mt19937'));
    expect(fit('shuffle', 'mt19937')).not.toEqual(fit('shuffle', 'xoshiro128'));
  });

  it.each(['shuffle', 'fixed'] as const)('wasm and js engines give the same per-epoch train RMSE (%s)', (order) => {
    const curves = (['wasm', 'js'] as const).map((engine) =>
      new Model({ factors: 10, epochs: 8, order, engine, seed: 5 }).fit(small).epochs.map((e) => e.trainRmse),
    );
    curves[0].forEach((rmse, e) => expect(Math.abs(rmse - curves[1][e])).toBeLessThan(1e-4));
  });

  it('reproduces a model bit for bit from a seed, and another seed differs', () => {
    const a = new Model({ factors: 6, epochs: 3, seed: 1 }), b = new Model({ factors: 6, epochs: 3, seed: 1 });
    const c = new Model({ factors: 6, epochs: 3, seed: 2 });
    a.fit(small);
    b.fit(small);
    c.fit(small);
    expect(Array.from(a.predictMany(small))).toEqual(Array.from(b.predictMany(small)));
    for (const user of small.users.raw) expect(a.userFactors(user)).toEqual(b.userFactors(user));
    expect(a.userFactors(small.users.raw[0])).not.toEqual(c.userFactors(small.users.raw[0]));
  });

  it('predictMany (a Dataset or raw pairs) equals predict, clipped to the scale', () => {
    const model = new Model({ factors: 8, epochs: 5 });
    model.fit(small);
    const many = model.predictMany(small);
    const pairs = Array.from({ length: 50 }, (_, t) => [small.users.raw[small.userIndex[t]], small.items.raw[small.itemIndex[t]]] as const);
    const fromPairs = model.predictMany([...pairs, ['nobody', 'nothing']]);
    expect(fromPairs[50]).toBe(model.predict('nobody', 'nothing').estimate);
    for (let t = 0; t < 50; t++) {
      const p = model.predict(...pairs[t]);
      expect(many[t]).toBe(p.estimate);
      expect(fromPairs[t]).toBe(p.estimate);
      expect(p.estimate).toBeGreaterThanOrEqual(1);
      expect(p.estimate).toBeLessThanOrEqual(5);
    }
  });

  it('learning curve: one report per epoch, validation metrics when asked', () => {
    const seen: number[] = [];
    const result = new Model({ factors: 4, epochs: 4 }).fit(small, { validation: small, onEpoch: (e) => seen.push(e.epoch) });
    expect(seen).toEqual([1, 2, 3, 4]);
    for (const e of result.epochs) {
      expect(Number.isFinite(e.validationRmse)).toBe(true);
      expect(Number.isFinite(e.validationMae)).toBe(true);
    }
    expect(result.epochs[3].trainRmse).toBeLessThan(result.epochs[0].trainRmse);
  });
});

describe('unknown users and items (Surprise\'s fallbacks, never NaN)', () => {
  const train = Dataset.fromTriples([['a', 'x', 5], ['a', 'y', 3], ['b', 'x', 4], ['c', 'z', 1]], { lo: 1, hi: 5 });
  it('SVD: unknown user -> μ + b_i, unknown item -> μ + b_u, both -> μ', () => {
    const m = new SVD({ factors: 3, epochs: 5 });
    m.fit(train);
    const mu = m.globalMean;
    expect(mu).toBeCloseTo(13 / 4, 6);
    const pu = m.predict('nobody', 'x');
    expect(pu).toMatchObject({ userKnown: false, itemKnown: true, impossible: true });
    expect(pu.estimate).toBeCloseTo(mu + m.itemBias('x')!, 6);
    expect(m.predict('a', 'nothing').estimate).toBeCloseTo(mu + m.userBias('a')!, 6);
    expect(m.predict('nobody', 'nothing').estimate).toBeCloseTo(mu, 6);
    expect(m.predict('a', 'x').impossible).toBe(false);
  });
  it('MF: unknown user or item -> the global mean, flagged impossible', () => {
    const m = new MF({ factors: 3, epochs: 5 });
    m.fit(train);
    const p = m.predict(42, 'x');
    expect(p.impossible).toBe(true);
    expect(p.estimate).toBeCloseTo(13 / 4, 6);
    const test = Dataset.fromTriples([['a', 'x', 5], ['new', 'x', 2], ['a', 'new', 2]]);
    const est = m.predictMany(test);
    expect(Array.from(est).every(Number.isFinite)).toBe(true);
    expect(est[1]).toBeCloseTo(13 / 4, 6);
  });
});

describe('recommend', () => {
  it('ranks every unseen item by its estimate and excludes what the user rated', () => {
    const m = new SVD({ factors: 8, epochs: 5 });
    m.fit(small);
    // The user with the fewest ratings, so that plenty of items are left to rank.
    const counts = new Array(small.userCount).fill(0);
    for (let t = 0; t < small.size; t++) counts[small.userIndex[t]]++;
    const u = counts.indexOf(Math.min(...counts));
    const user = small.users.raw[u];
    const seen = new Set<string>();
    for (let t = 0; t < small.size; t++) if (small.userIndex[t] === u) seen.add(small.items.raw[small.itemIndex[t]]);
    const top = m.recommend(user, { n: 10 });
    expect(top).toHaveLength(10);
    for (const r of top) expect(seen.has(r.item)).toBe(false);
    // Scores are the unclipped estimates, best first, and nothing left out scores higher.
    const all = small.items.raw.filter((i) => !seen.has(i)).map((i) => {
      const d = m.userFactors(user)!.reduce((s, x, f) => s + x * m.itemFactors(i)![f], 0);
      return m.globalMean + m.userBias(user)! + m.itemBias(i)! + d;
    });
    all.sort((a, b) => b - a);
    top.forEach((r, k) => expect(r.score).toBeCloseTo(all[k], 4));
    expect(m.recommend(user, { n: 1000, excludeSeen: false })).toHaveLength(small.itemCount);
  });
});

describe('bad options and bad data', () => {
  it.each([
    [{ factors: 0 }, 'factors'],
    [{ factors: 2.5 }, 'factors'],
    [{ epochs: 0 }, 'epochs'],
    [{ lrAll: 0 }, 'lrAll'],
    [{ lrAll: Number.NaN }, 'lrAll'],
    [{ regAll: -0.1 }, 'regAll'],
    [{ regPu: -1 }, 'regPu'],
    [{ initStd: -1 }, 'initStd'],
    [{ engine: 'gpu' as never }, 'engine'],
    [{ order: 'random' as never }, 'order'],
  ])('%o names the option and its range', (options, name) => {
    const error = (() => {
      try {
        new SVD(options);
      } catch (e) {
        return e as OptionError;
      }
    })();
    expect(error).toBeInstanceOf(OptionError);
    expect(error!.option).toBe(name);
    expect(error!.message).toMatch(new RegExp(`option ${name} must be`));
  });

  it('an empty training set is refused', () => {
    expect(() => new SVD().fit(Dataset.fromTriples([]))).toThrow(DataError);
  });

  it('a diverging fit stops with the epoch and a suggestion, keeping the curve so far', () => {
    const m = new SVD({ lrAll: 5, regAll: 0, factors: 4, epochs: 50 });
    let error: DivergenceError | undefined;
    try {
      m.fit(small);
    } catch (e) {
      error = e as DivergenceError;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    expect(error!.message).toMatch(/diverged at epoch \d+.*lower the learning rate/);
    expect(error!.epochs.length).toBe(error!.epoch - 1);
    expect(m.isFitted).toBe(false);
  });

  it('a fit whose parameters overflow while the pass loss stays finite is caught too', () => {
    // 50 distinct pairs visited once: every error is taken before its own update, so the pass
    // loss is finite; the huge learning rate then overflows the parameters.
    const rows = Array.from({ length: 50 }, (_, t) => [`u${t}`, `i${t}`, 1 + (t % 5)] as const);
    const m = new SVD({ lrAll: 1e30, factors: 4, epochs: 1 });
    expect(() => m.fit(Dataset.fromTriples(rows))).toThrow(DivergenceError);
  });

  it('NaN ratings are refused when the dataset is built, naming the row and ids', () => {
    expect(() => Dataset.fromTriples([['a', 'x', 4], ['b', 'y', Number.NaN]])).toThrow(
      /rating at row 1 \(user "b", item "y"\) is NaN/,
    );
  });

  it('recommend checks n', () => {
    const m = new SVD({ factors: 2, epochs: 1 });
    m.fit(small);
    expect(() => m.recommend(small.users.raw[0], { n: -1 })).toThrow(/option n must be an integer >= 0/);
    expect(() => m.recommend(small.users.raw[0], { n: Number.NaN })).toThrow(OptionError);
    expect(m.recommend(small.users.raw[0], { n: 0 })).toEqual([]);
  });

  it('using a model before fit says so', () => {
    expect(() => new SVD().predict('a', 'b')).toThrow(/call fit\(\)/);
  });
});
