import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { dedupeRatings, resolveDuplicates, type DuplicatePolicy } from '../../src/data/duplicates.js';
import { parseRatings } from '../../src/data/parse.js';
import { Random } from '../../src/util/random.js';
import { triples } from './helpers.js';

// Hand-worked example: (a,x) appears 3 times (1, 5, 4), (b,x) twice (2, 4).
const ROWS: Array<[string, string, number]> = [
  ['a', 'x', 1],
  ['b', 'x', 2],
  ['a', 'y', 3],
  ['a', 'x', 5],
  ['b', 'x', 4],
  ['a', 'x', 4],
  ['c', 'z', 2],
];
const TEXT = ROWS.map((r) => r.join('\t')).join('\n');

describe('duplicate policies (hand-worked)', () => {
  it("'keep' keeps every row and counts the repeats", () => {
    const { dataset, summary } = parseRatings(TEXT);
    expect(triples(dataset)).toEqual(ROWS);
    expect(summary.duplicates).toEqual({ policy: 'keep', found: 3, removed: 0 });
  });

  it("'last': the last rating wins, at the position of the first row", () => {
    const { dataset, summary } = parseRatings(TEXT, { duplicates: 'last' });
    expect(triples(dataset)).toEqual([
      ['a', 'x', 4],
      ['b', 'x', 4],
      ['a', 'y', 3],
      ['c', 'z', 2],
    ]);
    expect(summary.duplicates).toEqual({ policy: 'last', found: 3, removed: 3 });
    expect(summary.ratings).toBe(4);
  });

  it("'mean': the mean of the duplicates, at the position of the first row", () => {
    const { dataset, summary } = parseRatings(TEXT, { duplicates: 'mean' });
    expect(triples(dataset)).toEqual([
      ['a', 'x', Math.fround(10 / 3)],
      ['b', 'x', 3],
      ['a', 'y', 3],
      ['c', 'z', 2],
    ]);
    expect(summary.duplicates).toEqual({ policy: 'mean', found: 3, removed: 3 });
    expect(summary.scale).toEqual({ lo: 2, hi: Math.fround(10 / 3) });
  });

  it('resolveDuplicates on a Dataset keeps id maps and scale', () => {
    const ds = Dataset.fromTriples(ROWS, { lo: 1, hi: 5 });
    const r = resolveDuplicates(ds, 'last');
    expect(r.found).toBe(3);
    expect(r.dataset.users).toBe(ds.users);
    expect(r.dataset.scale).toEqual({ lo: 1, hi: 5 });
    expect(resolveDuplicates(ds, 'keep').dataset).toBe(ds);
  });

  it('no duplicates returns the input arrays', () => {
    const u = Uint32Array.from([0, 1]);
    const i = Uint32Array.from([0, 0]);
    const r = Float32Array.from([1, 2]);
    const out = dedupeRatings(u, i, r, 2, 1, 'mean');
    expect(out.ratings).toBe(r);
    expect(out.found).toBe(0);
  });
});

function naive(rows: Array<[number, number, number]>, policy: DuplicatePolicy): Array<[number, number, number]> {
  const at = new Map<string, number>();
  const out: Array<[number, number, number, number]> = [];
  for (const [u, i, r] of rows) {
    const key = `${u},${i}`;
    const k = at.get(key);
    if (k === undefined || policy === 'keep') {
      at.set(key, out.length);
      out.push([u, i, r, 1]);
    } else if (policy === 'last') out[k][2] = r;
    else {
      out[k][2] += r;
      out[k][3]++;
    }
  }
  return out.map(([u, i, r, c]) => [u, i, Math.fround(r / c)]);
}

describe('dedupeRatings matches a naive implementation on random data', () => {
  for (const policy of ['keep', 'last', 'mean'] as const) {
    it(policy, () => {
      const rng = new Random(7);
      const rows: Array<[number, number, number]> = [];
      for (let t = 0; t < 3000; t++) rows.push([rng.nextInt(40), rng.nextInt(30), 1 + rng.nextInt(5)]);
      const out = dedupeRatings(
        Uint32Array.from(rows.map((r) => r[0])),
        Uint32Array.from(rows.map((r) => r[1])),
        Float32Array.from(rows.map((r) => r[2])),
        40,
        30,
        policy,
      );
      const got: Array<[number, number, number]> = [];
      for (let t = 0; t < out.ratings.length; t++) got.push([out.userIndex[t], out.itemIndex[t], out.ratings[t]]);
      expect(got).toEqual(naive(rows, policy));
      const distinct = new Set(rows.map((r) => `${r[0]},${r[1]}`)).size;
      expect(out.found).toBe(rows.length - distinct);
    });
  }
});
