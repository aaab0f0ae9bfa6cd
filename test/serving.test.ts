// Serving: top-N selection, similar items/users, fold-in, recommendAll.
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { generateRatings } from '../src/data/generate.js';
import { MF } from '../src/index.js';
import { SVD } from '../src/index.js';
import { topK } from '../src/util/top-k.js';
import { Random } from '../src/util/random.js';

describe('topK', () => {
  it('equals a full sort (score desc, index asc), skipping NaN, -Infinity and rejected indices', () => {
    const random = new Random(4);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + random.nextInt(200);
      const scores = Float32Array.from({ length: n }, () => {
        const x = random.nextInt(10);
        return x === 0 ? Number.NaN : x === 1 ? -Infinity : random.nextInt(20); // many ties
      });
      const keep = (i: number) => i % 7 !== 3;
      const k = random.nextInt(n + 3);
      const expected = Array.from({ length: n }, (_, i) => i)
        .filter((i) => scores[i] > -Infinity && keep(i))
        .sort((a, b) => scores[b] - scores[a] || a - b)
        .slice(0, k);
      expect(Array.from(topK(scores, k, keep))).toEqual(expected);
    }
  });
});

const data = generateRatings({ users: 120, items: 90, ratings: 3000, minPerUser: 10, seed: 12 });
const model = new SVD({ factors: 12, epochs: 10 });
model.fit(data);
const seenBy = (user: string) => {
  const u = data.users.get(user), seen = new Set<string>();
  for (let t = 0; t < data.size; t++) if (data.userIndex[t] === u) seen.add(data.items.raw[data.itemIndex[t]]);
  return seen;
};
const estimate = (user: string, item: string) => {
  const p = model.userFactors(user)!, q = model.itemFactors(item)!;
  return model.globalMean + model.userBias(user)! + model.itemBias(item)! + p.reduce((s, x, f) => s + x * q[f], 0);
};

describe('recommend', () => {
  const user = data.users.raw[5];
  it('is the full ranking of unseen items cut at n, with exclude and candidates', () => {
    const seen = seenBy(user);
    const exclude = data.items.raw.slice(0, 10);
    const ranked = data.items.raw
      .filter((i) => !seen.has(i) && !exclude.includes(i))
      .map((i) => ({ item: i, score: estimate(user, i) }))
      .sort((a, b) => b.score - a.score);
    const top = model.recommend(user, { n: 15, exclude });
    expect(top.map((r) => r.item)).toEqual(ranked.slice(0, 15).map((r) => r.item));
    top.forEach((r, k) => expect(r.score).toBeCloseTo(ranked[k].score, 4));

    const candidates = data.items.raw.filter((_, i) => i % 3 === 0);
    const fromCandidates = model.recommend(user, { n: 1000, candidates, excludeSeen: false });
    expect(new Set(fromCandidates.map((r) => r.item))).toEqual(new Set(candidates));
  });

  it('recommendAll yields every user, each equal to recommend', () => {
    const all = [...model.recommendAll({ n: 5 })];
    expect(all).toHaveLength(data.userCount);
    for (const { user: u, items } of all.slice(0, 20)) expect(items).toEqual(model.recommend(u, { n: 5 }));
  });

  it('itemCounts counts each item\'s distinct training users (counted here from the data), plus fold-ins', () => {
    const m = new SVD({ factors: 4, epochs: 1 });
    m.fit(data);
    const users = new Map<string, Set<string>>();
    for (let t = 0; t < data.size; t++) {
      const i = data.items.raw[data.itemIndex[t]];
      if (!users.has(i)) users.set(i, new Set());
      users.get(i)!.add(data.users.raw[data.userIndex[t]]);
    }
    const counts = m.itemCounts();
    m.itemIds.forEach((id, i) => expect(counts[i], id).toBe(users.get(id)!.size));
    m.foldIn([[m.itemIds[0], 5]]);
    expect(m.itemCounts()[0]).toBe(counts[0] + 1);
    const repeated = new SVD({ factors: 2, epochs: 1 });
    repeated.fit(Dataset.fromTriples([['a', 'x', 1], ['a', 'x', 2], ['b', 'x', 3], ['b', 'y', 4]]));
    expect(Array.from(repeated.itemCounts())).toEqual([2, 1]);
  });

  it('an unknown user is refused with a pointer to foldIn', () => {
    expect(() => model.recommend('nobody')).toThrow(/unknown user "nobody"; fold the user in first/);
  });
});

describe('similarItems / similarUsers', () => {
  it('rank by cosine of the factor vectors, excluding the query', () => {
    const cosine = (a: Float32Array, b: Float32Array) => {
      const dot = a.reduce((s, x, f) => s + x * b[f], 0);
      return dot / Math.hypot(...a) / Math.hypot(...b);
    };
    const item = data.items.raw[3];
    const q = model.itemFactors(item)!;
    const expected = data.items.raw
      .filter((i) => i !== item)
      .map((i) => ({ id: i, score: cosine(q, model.itemFactors(i)!) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 8);
    const got = model.similarItems(item, { n: 8 });
    expect(got.map((s) => s.id)).toEqual(expected.map((s) => s.id));
    got.forEach((s, k) => expect(s.score).toBeCloseTo(expected[k].score, 5));
    const users = model.similarUsers(data.users.raw[0], { n: 5 });
    expect(users).toHaveLength(5);
    expect(users.map((s) => s.id)).not.toContain(data.users.raw[0]);
  });
});

describe('foldIn', () => {
  it('solves the ridge problem against fixed item factors (checked with ml-matrix)', () => {
    const m = new SVD({ factors: 6, epochs: 8 });
    m.fit(data);
    const ratings = data.items.raw.slice(0, 10).map((item, t) => [item, 1 + (t % 5)] as const);
    const lambda = 0.05;
    const id = m.foldIn(ratings, { user: 'new', regularization: lambda / ratings.length });
    expect(id).toBe('new');
    // (ZᵀZ + λI) x = Zᵀy with z_i = [q_i, 1], y_i = r − μ − b_i.
    const Z = new Matrix(ratings.map(([item]) => [...m.itemFactors(item)!, 1]));
    const y = Matrix.columnVector(ratings.map(([item, r]) => r - m.globalMean - m.itemBias(item)!));
    const x = solve(Z.transpose().mmul(Z).add(Matrix.eye(7).mul(lambda)), Z.transpose().mmul(y)).to1DArray();
    Array.from(m.userFactors('new')!).forEach((v, f) => expect(v).toBeCloseTo(x[f], 4));
    expect(m.userBias('new')).toBeCloseTo(x[6], 4);
    // Usable at once: predictions, and recommendations that leave out what was rated.
    expect(m.predict('new', data.items.raw[20]).impossible).toBe(false);
    const top = m.recommend('new', { n: 20 }).map((r) => r.item);
    for (const [item] of ratings) expect(top).not.toContain(item);
  });

  it('many fold-ins grow the model; unknown items are ignored; no known item is an error', () => {
    const m = new MF({ factors: 4, epochs: 3 });
    m.fit(data);
    for (let t = 0; t < 300; t++) m.foldIn([[data.items.raw[t % 90], 4], ['unknown-item', 5]]);
    expect(m.userIds.length).toBe(data.userCount + 300);
    expect(Number.isFinite(m.predict(m.userIds.at(-1)!, data.items.raw[1]).estimate)).toBe(true);
    expect(() => m.foldIn([['unknown-item', 5]])).toThrow(/none of the rated items is known/);
    expect(() => m.foldIn([[data.items.raw[0], Number.NaN]])).toThrow(/must be finite/);
  });
});

describe('partialFit', () => {
  it('continuing on the same data in Surprise order equals training longer, bit for bit', () => {
    const a = new SVD({ factors: 6, epochs: 5, order: 'fixed' });
    a.fit(data);
    a.partialFit(data, { epochs: 3 });
    const b = new SVD({ factors: 6, epochs: 8, order: 'fixed' });
    b.fit(data);
    expect(Array.from(a.predictMany(data))).toEqual(Array.from(b.predictMany(data)));
  });

  it('adds new users and items and learns from the new ratings only', () => {
    const half = Math.floor(data.size / 2);
    const first = data.subset(Array.from({ length: half }, (_, t) => t));
    const second = data.subset(Array.from({ length: data.size - half }, (_, t) => half + t));
    const m = new MF({ factors: 5, epochs: 10 });
    m.fit(first);
    const before = m.userIds.length;
    const result = m.partialFit(second, { epochs: 4, validation: second });
    expect(result.epochs).toHaveLength(4);
    expect(result.epochs[3].validationRmse!).toBeLessThan(result.epochs[0].validationRmse!);
    expect(m.userIds.length).toBeGreaterThanOrEqual(before);
    for (const user of second.users.raw) expect(m.hasUser(user)).toBe(true);
    // What the user rated in the new data is now left out of recommendations.
    const user = second.users.raw[0];
    const rated = new Set<string>();
    for (let t = 0; t < second.size; t++) if (second.users.raw[second.userIndex[t]] === user) rated.add(second.items.raw[second.itemIndex[t]]);
    for (const r of m.recommend(user, { n: 30 })) expect(rated.has(r.item)).toBe(false);
  });

  it('is refused by models it does not apply to', async () => {
    const { SVDpp } = await import('../src/index.js');
    const m = new SVDpp({ factors: 3, epochs: 1 });
    m.fit(data);
    expect(() => m.partialFit(data)).toThrow(/SVDpp does not support partialFit/);
  });
});

describe('one vocabulary for every list a model returns (issue 18)', () => {
  it('recommend, recommendAll, similarItems and similarUsers give { id, score }; recommend keeps item as an alias', () => {
    const data = generateRatings({ users: 40, items: 30, ratings: 900, seed: 8 });
    const model = new SVD({ factors: 4, epochs: 3, seed: 2 });
    model.fit(data);
    const user = data.users.raw[0], item = data.items.raw[0];
    const lists = [
      model.recommend(user, { n: 5 }),
      [...model.recommendAll({ users: [user], n: 5 })][0].items,
      model.similarItems(item, { n: 5 }),
      model.similarUsers(user, { n: 5 }),
    ];
    for (const list of lists) {
      expect(list).toHaveLength(5);
      for (const entry of list) {
        expect(typeof entry.id).toBe('string');
        expect(Number.isFinite(entry.score)).toBe(true);
      }
    }
    // The items recommended are items, the users similar are users, each list best first.
    for (const r of lists[0]) expect(data.items.has(r.id)).toBe(true);
    for (const s of lists[3]) expect(data.users.has(s.id)).toBe(true);
    for (const list of lists) for (let k = 1; k < list.length; k++) expect(list[k].score).toBeLessThanOrEqual(list[k - 1].score);
    expect(lists[1]).toEqual(lists[0]);
    for (const r of model.recommend(user, { n: 5 })) expect(r.item).toBe(r.id);
  });
});
