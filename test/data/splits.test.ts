import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { coldItemsSplit, holdoutSplit, kFold, perUserHoldout, sampleUsers, type Fold } from '../../src/data/splits.js';
import { DataError, OptionError } from '../../src/errors.js';
import { Random } from '../../src/util/random.js';
import { thrown, triples } from './helpers.js';

/** 60 users with 1..25 distinct items each, rows in random order; (user, item) pairs are unique. */
function generated(seed = 3): Dataset {
  const rng = new Random(seed);
  const rows: Array<[string, string, number]> = [];
  for (let u = 0; u < 60; u++) {
    const count = 1 + rng.nextInt(25);
    const items = rng.permutation(200).subarray(0, count);
    for (const i of items) rows.push([`u${u}`, `i${i}`, 1 + rng.nextInt(5)]);
  }
  rng.shuffle(rows as unknown as number[]);
  return Dataset.fromTriples(rows, { lo: 1, hi: 5 });
}

const DS = generated();
const N = DS.size;
const key = (t: [string, string, number]): string => `${t[0]}|${t[1]}`;
const position = new Map(triples(DS).map((t, k) => [key(t), k]));

/** Original row numbers of a side, checking it is an ordered subsequence of the dataset. */
function rowsOf(side: Dataset): number[] {
  const rows = triples(side).map((t) => {
    const k = position.get(key(t));
    expect(k).toBeDefined();
    expect(t[2]).toBe(DS.ratings[k as number]);
    return k as number;
  });
  for (let t = 1; t < rows.length; t++) expect(rows[t]).toBeGreaterThan(rows[t - 1]);
  return rows;
}

function expectPartition(fold: Fold): { train: number[]; test: number[] } {
  const train = rowsOf(fold.train);
  const test = rowsOf(fold.test);
  const all = new Set([...train, ...test]);
  expect(all.size).toBe(N); // disjoint and covering
  expect(train.length + test.length).toBe(N);
  expect(fold.train.scale).toEqual(DS.scale);
  return { train, test };
}

describe('holdoutSplit', () => {
  it('puts ceil(ratio * n) rows in test, disjoint and covering, in original order', () => {
    const fold = holdoutSplit(DS, { testRatio: 0.2, seed: 1 });
    const { test } = expectPartition(fold);
    expect(test.length).toBe(Math.ceil(0.2 * N));
    expect(fold.name).toBe('holdout');
    // Each side numbers its own ids by first appearance.
    expect(fold.test.userIndex[0]).toBe(0);
    expect(fold.train.userCount).toBeLessThanOrEqual(DS.userCount);
  });

  it('is deterministic by seed', () => {
    const a = holdoutSplit(DS, { testRatio: 0.3, seed: 42 });
    const b = holdoutSplit(DS, { testRatio: 0.3, seed: 42 });
    const c = holdoutSplit(DS, { testRatio: 0.3, seed: 43 });
    expect(triples(a.test)).toEqual(triples(b.test));
    expect(triples(a.train)).toEqual(triples(b.train));
    expect(triples(a.test)).not.toEqual(triples(c.test));
    expect(triples(holdoutSplit(DS, { testRatio: 0.3 }).test)).toEqual(triples(holdoutSplit(DS, { testRatio: 0.3, seed: 0 }).test));
  });

  it('rejects testRatio outside (0, 1) and non-integer seeds', () => {
    for (const testRatio of [0, 1, -0.1, 1.5, Number.NaN, '0.2' as unknown as number]) {
      const err = thrown(() => holdoutSplit(DS, { testRatio }));
      expect(err).toBeInstanceOf(OptionError);
      expect(err.message).toMatch(/^option testRatio must be in \(0, 1\)/);
    }
    expect((thrown(() => holdoutSplit(DS, { testRatio: 0.2, seed: 1.5 })) as OptionError).option).toBe('seed');
  });

  it('refuses a split that leaves train empty', () => {
    const one = Dataset.fromTriples([['a', 'b', 1]]);
    expect(thrown(() => holdoutSplit(one, { testRatio: 0.2 }))).toBeInstanceOf(DataError);
  });
});

describe('kFold', () => {
  it('puts every row in exactly one test fold, sizes differing by at most one', () => {
    const folds = kFold(DS, { folds: 7, seed: 5 });
    expect(folds.map((f) => f.name)).toEqual(['fold1', 'fold2', 'fold3', 'fold4', 'fold5', 'fold6', 'fold7']);
    const seen = new Uint8Array(N);
    const sizes: number[] = [];
    for (const fold of folds) {
      const { test } = expectPartition(fold);
      for (const row of test) seen[row]++;
      sizes.push(test.length);
    }
    expect(Array.from(seen).every((c) => c === 1)).toBe(true);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    // The first n % k folds get the extra row (as Surprise's KFold).
    const expected = Array.from({ length: 7 }, (_, f) => Math.floor(N / 7) + (f < N % 7 ? 1 : 0));
    expect(sizes).toEqual(expected);
  });

  it('defaults to 5 folds and is deterministic by seed', () => {
    const a = kFold(DS, { seed: 9 });
    const b = kFold(DS, { seed: 9 });
    expect(a).toHaveLength(5);
    for (let f = 0; f < 5; f++) expect(triples(a[f].test)).toEqual(triples(b[f].test));
    expect(triples(kFold(DS, { seed: 10 })[0].test)).not.toEqual(triples(a[0].test));
  });

  it('allows as many folds as ratings (leave-one-out)', () => {
    const small = Dataset.fromTriples([
      ['a', 'x', 1],
      ['b', 'x', 2],
      ['a', 'y', 3],
    ]);
    const folds = kFold(small, { folds: 3, seed: 1 });
    expect(folds.map((f) => f.test.size)).toEqual([1, 1, 1]);
  });

  it('rejects folds outside [2, n]', () => {
    for (const folds of [1, 0, 2.5, N + 1, Number.NaN]) {
      const err = thrown(() => kFold(DS, { folds }));
      expect(err).toBeInstanceOf(OptionError);
      expect(err.message).toContain(`option folds must be an integer in [2, ${N}]`);
    }
  });
});

describe('perUserHoldout', () => {
  function countsByUser(ds: Dataset): Map<string, number> {
    const m = new Map<string, number>();
    for (const [u] of triples(ds)) m.set(u, (m.get(u) ?? 0) + 1);
    return m;
  }

  it('holds out round(ratio * count) per user, leaving at least minTrain in train', () => {
    const all = countsByUser(DS);
    for (const minTrain of [1, 3, 0]) {
      const fold = perUserHoldout(DS, { testRatio: 0.25, seed: 2, minTrain });
      expectPartition(fold);
      const test = countsByUser(fold.test);
      const train = countsByUser(fold.train);
      for (const [u, c] of all) {
        const hold = Math.max(0, Math.min(Math.round(0.25 * c), c - minTrain));
        expect(test.get(u) ?? 0).toBe(hold);
        expect(train.get(u) ?? 0).toBe(c - hold);
      }
    }
  });

  it('with the default minTrain = 1 every test user is known in train', () => {
    const fold = perUserHoldout(DS, { testRatio: 0.5, seed: 4 });
    for (const u of fold.test.users.raw) expect(fold.train.users.has(u)).toBe(true);
    expect(fold.name).toBe('per-user holdout');
  });

  it('is deterministic by seed', () => {
    const a = perUserHoldout(DS, { testRatio: 0.3, seed: 8 });
    const b = perUserHoldout(DS, { testRatio: 0.3, seed: 8 });
    expect(triples(a.test)).toEqual(triples(b.test));
    expect(triples(perUserHoldout(DS, { testRatio: 0.3, seed: 11 }).test)).not.toEqual(triples(a.test));
  });

  it('validates options', () => {
    expect((thrown(() => perUserHoldout(DS, { testRatio: 1 })) as OptionError).option).toBe('testRatio');
    for (const minTrain of [-1, 1.5]) {
      const err = thrown(() => perUserHoldout(DS, { testRatio: 0.2, minTrain }));
      expect(err).toBeInstanceOf(OptionError);
      expect(err.message).toMatch(/^option minTrain must be an integer >= 0/);
    }
  });

  it('is a DataError when nothing can be held out', () => {
    const ones = Dataset.fromTriples([
      ['a', 'x', 1],
      ['b', 'y', 2],
    ]);
    expect(thrown(() => perUserHoldout(ones, { testRatio: 0.5 }))).toBeInstanceOf(DataError);
  });
});

describe('coldItemsSplit', () => {
  const data = Dataset.fromTriples(
    Array.from({ length: 300 }, (_, t) => [`u${t % 17}`, `i${(t * 7) % 40}`, 1 + (t % 5)] as const),
  );
  it('holds ceil(ratio × items) items out entirely and keeps every other row, in order', () => {
    const { train, items } = coldItemsSplit(data, { ratio: 0.2, seed: 3 });
    expect(items).toHaveLength(Math.ceil(0.2 * data.itemCount));
    expect(new Set(items).size).toBe(items.length);
    const cold = new Set(items);
    for (const id of items) expect(train.items.has(id)).toBe(false);
    // Counted another way: the rows whose item is not held out, in their original order.
    const kept: string[] = [];
    for (let t = 0; t < data.size; t++) {
      const i = data.items.raw[data.itemIndex[t]];
      if (!cold.has(i)) kept.push(`${data.users.raw[data.userIndex[t]]}/${i}/${data.ratings[t]}`);
    }
    const got = Array.from({ length: train.size }, (_, t) => `${train.users.raw[train.userIndex[t]]}/${train.items.raw[train.itemIndex[t]]}/${train.ratings[t]}`);
    expect(got).toEqual(kept);
  });
  it('is seeded, and refuses ratios outside (0, 1)', () => {
    expect(coldItemsSplit(data, { ratio: 0.3, seed: 1 }).items).toEqual(coldItemsSplit(data, { ratio: 0.3, seed: 1 }).items);
    expect(coldItemsSplit(data, { ratio: 0.3, seed: 1 }).items).not.toEqual(coldItemsSplit(data, { ratio: 0.3, seed: 2 }).items);
    expect(() => coldItemsSplit(data, { ratio: 1 })).toThrow(/option ratio must be in \(0, 1\)/);
  });
});

describe('sampleUsers', () => {
  const data = generated(5);
  it('keeps n distinct users with every row of theirs, in input order; seeded', () => {
    const { data: sample, users, of } = sampleUsers(data, { users: 17, seed: 4 });
    expect([users, of]).toEqual([17, 60]);
    expect(sample.userCount).toBe(17);
    const kept = new Set(sample.users.raw);
    const expected = triples(data).filter(([u]) => kept.has(u));
    expect(triples(sample)).toEqual(expected);
    expect(sampleUsers(data, { users: 17, seed: 4 }).data.users.raw).toEqual(sample.users.raw);
    expect(new Set(sampleUsers(data, { users: 17, seed: 5 }).data.users.raw)).not.toEqual(kept);
  });
  it('keeps everything when asked for as many users or more, and refuses a count below 1', () => {
    expect(sampleUsers(data, { users: 60 }).data).toBe(data);
    expect(sampleUsers(data, { users: 500 })).toMatchObject({ users: 60, of: 60 });
    expect(thrown(() => sampleUsers(data, { users: 0 }))).toEqual(new OptionError('users', 'an integer >= 1', 0));
    expect(() => sampleUsers(data, { users: 2.5 })).toThrow('option users must be an integer >= 1 (got 2.5)');
  });
});
