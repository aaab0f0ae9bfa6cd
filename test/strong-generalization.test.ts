// The strong-generalization protocol: the split's promises (disjoint users, the 5-interaction
// floor, 80/20 of each held-out user's items known to training, seeded), the metrics on a
// hand-worked ranking and ALS's exact fold-in against ml-matrix (the CLI: cli-strong.test.ts).
import { describe, expect, it } from 'vitest';
import {
  ALS, cappedRecallAtK, Dataset, evaluateStrongGeneralization, generateRatings, ndcgAtK, OptionError, DataError, strongGeneralizationSplit,
  type HistoryScorer, type StrongGeneralizationSplit,
} from '../src/index.js';
import { mulberry32 } from './prng.js';

/** Interactions of `users` users: user u has 2 + (u mod 9) items drawn from 40. */
function interactions(users: number, seed: number): Dataset {
  const rand = mulberry32(seed), triples: [string, string, number][] = [];
  for (let u = 0; u < users; u++) {
    const n = 2 + (u % 9);
    const items = new Set<number>();
    while (items.size < n) items.add(Math.floor(rand() * 40));
    for (const i of items) triples.push([`u${u}`, `i${i}`, 1]);
  }
  return Dataset.fromTriples(triples);
}

describe('strongGeneralizationSplit', () => {
  const data = interactions(300, 3);
  const split = strongGeneralizationSplit(data, { seed: 4 });

  it('holds out a seeded share of the users with at least 5 interactions, disjoint from training', () => {
    const counts = new Map<string, number>();
    for (let t = 0; t < data.size; t++) counts.set(data.users.raw[data.userIndex[t]], (counts.get(data.users.raw[data.userIndex[t]]) ?? 0) + 1);
    const eligible = [...counts].filter(([, n]) => n >= 5).map(([u]) => u);
    const trainUsers = new Set(split.train.users.raw);
    const held = split.heldOut.map((h) => h.user);
    for (const u of held) expect(trainUsers.has(u), u).toBe(false);
    for (const u of trainUsers) expect(counts.get(u)!).toBeGreaterThanOrEqual(5);
    expect(trainUsers.size + held.length).toBe(eligible.length);
    expect(held.length).toBe(Math.round(0.2 * eligible.length));
    expect(strongGeneralizationSplit(data, { seed: 4 }).heldOut).toEqual(split.heldOut);
    expect(strongGeneralizationSplit(data, { seed: 5 }).heldOut.map((h) => h.user)).not.toEqual(held);
  });

  it('gives each held-out user floor(20 %) of their items known to training as test, the rest as history', () => {
    const trainItems = new Set(split.train.items.raw);
    const itemsOf = new Map<string, Set<string>>();
    for (let t = 0; t < data.size; t++) {
      const u = data.users.raw[data.userIndex[t]];
      if (!itemsOf.has(u)) itemsOf.set(u, new Set());
      itemsOf.get(u)!.add(data.items.raw[data.itemIndex[t]]);
    }
    for (const h of split.heldOut) {
      const known = [...itemsOf.get(h.user)!].filter((i) => trainItems.has(i));
      expect([...h.foldIn, ...h.test].sort(), h.user).toEqual(known.sort());
      expect(h.test.length).toBe(Math.floor(0.2 * known.length));
    }
  });

  it('refuses shares outside (0, 1) naming the option, and data too small to split', () => {
    for (const heldoutUsers of [0, 1, -0.5, Number.NaN]) expect(() => strongGeneralizationSplit(data, { heldoutUsers })).toThrow(OptionError);
    expect(() => strongGeneralizationSplit(data, { heldoutUsers: 1.5 })).toThrow(/heldoutUsers/);
    expect(() => strongGeneralizationSplit(interactions(3, 1))).toThrow(DataError);
  });
});

describe('evaluateStrongGeneralization', () => {
  it('averages Liang et al.\'s Recall@20/50 (hits / min(k, held out)) and NDCG@100 over the held-out users, worked by hand', () => {
    // 60 items scored 60, 59, ..., 1 for every history: item t ranks at t + 1 unless in the history.
    const itemIds = Array.from({ length: 60 }, (_, t) => `i${t}`);
    const scorer: HistoryScorer = { itemIds, scoreHistory: () => Float32Array.from(itemIds, (_, t) => 60 - t) };
    const split = {
      train: Dataset.fromTriples([['x', 'i0', 1]]),
      options: { heldoutUsers: 0.2, seed: 0, foldInShare: 0.8, minInteractions: 5 },
      heldOut: [
        // History i0: i1 ranks 1st, i30 ranks 30th.
        { user: 'a', foldIn: ['i0'], test: ['i1', 'i30'] },
        // History i0..i9: i10 ranks 1st; i59 ranks 50th.
        { user: 'b', foldIn: Array.from({ length: 10 }, (_, t) => `i${t}`), test: ['i10', 'i59'] },
      ],
    } as StrongGeneralizationSplit;
    const r = evaluateStrongGeneralization(scorer, split);
    const dcg = (ranks: number[]) => ranks.reduce((s, r) => s + 1 / Math.log2(r + 1), 0);
    expect(r.users).toBe(2);
    expect(r.recall20).toBeCloseTo((1 / 2 + 1 / 2) / 2, 12);
    expect(r.recall50).toBeCloseTo((2 / 2 + 2 / 2) / 2, 12);
    expect(r.ndcg100).toBeCloseTo((dcg([1, 30]) / dcg([1, 2]) + dcg([1, 50]) / dcg([1, 2])) / 2, 12);
    // The capped recall differs from plain recall once more items are held out than k.
    expect(cappedRecallAtK([1, 2], new Set([1, 2, 3]), 2)).toBe(1);
    expect(ndcgAtK([5], new Set([5]), 100)).toBe(1);
  });
});

describe('ALS fold-in', () => {
  it('solves the new user\'s row exactly: (YᵀY + Σ (c−1) y yᵀ + λI) x = Σ c y (ml-matrix)', async () => {
    const { Matrix, solve } = await import('ml-matrix');
    const data = generateRatings({ users: 80, items: 50, ratings: 2000, seed: 2 });
    const model = new ALS({ factors: 6, epochs: 3, alpha: 2, reg: 0.5 });
    model.fit(data);
    const history: [string, number][] = [[model.itemIds[3], 1], [model.itemIds[7], 4], [model.itemIds[20], 2]];
    const user = model.foldIn(history);
    const Y = new Matrix(model.itemIds.map((i) => Array.from(model.itemFactors(i)!)));
    const A = Y.transpose().mmul(Y).add(Matrix.eye(6).mul(0.5));
    const b = Matrix.zeros(6, 1);
    for (const [item, r] of history) {
      const y = Matrix.columnVector(Array.from(model.itemFactors(item)!)), c = 1 + 2 * r;
      A.add(y.mmul(y.transpose()).mul(c - 1));
      b.add(y.mul(c));
    }
    const x = solve(A, b).to1DArray(), got = Array.from(model.userFactors(user)!);
    for (let f = 0; f < 6; f++) expect(got[f]).toBeCloseTo(x[f], 5);
  });
});
