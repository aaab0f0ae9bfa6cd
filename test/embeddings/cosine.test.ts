import { describe, expect, it } from 'vitest';
import { DataError, OptionError } from '../../src/errors.js';
import { cosineDistribution, nearestNeighbours, summarize } from '../../src/eval/embeddings.js';
import { cosine, fromRows, gaussian, normals, row } from './helpers.js';
import type { EmbeddingMatrix } from '../../src/eval/embeddings.js';

/** Brute force nearest neighbour of every row in f64 (zero rows: -1 / NaN; ties to the lowest index). */
function bruteForce(m: EmbeddingMatrix): { index: number[]; cosine: number[] } {
  const rows = Array.from({ length: m.rows }, (_, r) => row(m, r));
  const zero = rows.map((v) => v.every((x) => x === 0));
  const index: number[] = [], cos: number[] = [];
  rows.forEach((a, i) => {
    let best = -Infinity, bestIndex = -1;
    if (!zero[i]) {
      rows.forEach((b, j) => {
        if (j === i || zero[j]) return;
        const c = cosine(a, b);
        if (c > best) [best, bestIndex] = [c, j];
      });
    }
    index.push(bestIndex);
    cos.push(bestIndex < 0 ? NaN : best);
  });
  return { index, cosine: cos };
}

describe('cosineDistribution on constructed matrices', () => {
  it('identical rows: every cosine is 1', () => {
    const m = fromRows(Array.from({ length: 6 }, () => [1, -2, 0.5, 3]));
    const d = cosineDistribution(m, { pairs: 500 });
    expect(d.random.count).toBe(500);
    expect(d.nearestNeighbour.count).toBe(6);
    for (const s of [d.random, d.nearestNeighbour]) {
      expect(s.min).toBeCloseTo(1, 12);
      expect(s.max).toBe(1);
      expect(s.std).toBeLessThan(1e-12);
    }
  });

  it('orthogonal basis rows (of different lengths): random pairs 0, nearest neighbour 0', () => {
    const k = 8;
    const m = fromRows(Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? (i + 1) * (i % 2 ? -1 : 1) : 0))));
    const d = cosineDistribution(m);
    expect(d.random).toEqual({ count: 10000, min: 0, p25: 0, median: 0, p75: 0, max: 0, mean: 0, std: 0 });
    expect(d.nearestNeighbour).toEqual({ count: k, min: 0, p25: 0, median: 0, p75: 0, max: 0, mean: 0, std: 0 });
    expect(d.zeroRows).toBe(0);
  });

  it('pairs are of distinct rows, zero rows are skipped: v and -v among zero rows give only -1', () => {
    const m = fromRows([[0, 0, 0], [1, 2, -2], [0, 0, 0], [-1, -2, 2], [0, 0, 0]]);
    const d = cosineDistribution(m, { pairs: 2000, seed: 7 });
    expect(d.zeroRows).toBe(3);
    expect(d.random.count).toBe(2000);
    expect(d.random.max).toBe(-1);
    expect(d.random.min).toBe(-1);
    expect(d.nearestNeighbour).toMatchObject({ count: 2, min: -1, max: -1 });
  });

  it('every unordered pair is equally likely: rows a, a, c with c orthogonal give mean cosine 1/3', () => {
    const m = fromRows([[1, 1, 0], [2, 2, 0], [0, 0, 5]]);
    const d = cosineDistribution(m, { pairs: 30000, seed: 3 });
    // P(the pair is {0, 1}) = 1/3; the sample mean has standard error sqrt(2/9 / 30000) ~ 0.0027.
    expect(Math.abs(d.random.mean - 1 / 3)).toBeLessThan(0.015);
    expect(d.random.min).toBe(0);
  });

  it('in high dimension random directions are nearly orthogonal: mean ~ 0, std ~ 1/sqrt(k)', () => {
    const k = 256;
    const d = cosineDistribution(gaussian(400, k, 11), { pairs: 10000, seed: 1 });
    expect(Math.abs(d.random.mean)).toBeLessThan(0.005);
    expect(d.random.std).toBeGreaterThan(0.9 / Math.sqrt(k));
    expect(d.random.std).toBeLessThan(1.1 / Math.sqrt(k));
    // The nearest of 399 random directions is much closer than a random one, yet far from parallel.
    expect(d.nearestNeighbour.median).toBeGreaterThan(2.5 / Math.sqrt(k)); // max of 399 ~ N(0, 1/k): ~2.9/sqrt(k)
    expect(d.nearestNeighbour.max).toBeLessThan(0.5);
  });

  it('is deterministic for a seed and changes with it', () => {
    const m = gaussian(300, 16, 5);
    const a = cosineDistribution(m, { pairs: 1000, seed: 42, neighbourRows: 50 });
    expect(cosineDistribution(m, { pairs: 1000, seed: 42, neighbourRows: 50 })).toEqual(a);
    const b = cosineDistribution(m, { pairs: 1000, seed: 43, neighbourRows: 50 });
    expect(b.random).not.toEqual(a.random);
    expect(b.nearestNeighbour).not.toEqual(a.nearestNeighbour);
  });

  it('refuses fewer than two non-zero rows and bad options', () => {
    expect(() => cosineDistribution(fromRows([[1, 2], [0, 0]]))).toThrow(DataError);
    expect(() => cosineDistribution(fromRows([]))).toThrow(DataError);
    const m = fromRows([[1, 0], [0, 1]]);
    expect(() => cosineDistribution(m, { pairs: 0 })).toThrow(OptionError);
    expect(() => cosineDistribution(m, { pairs: 2.5 })).toThrow(OptionError);
    expect(() => cosineDistribution(m, { seed: 0.5 })).toThrow(OptionError);
    expect(() => cosineDistribution(m, { neighbourRows: 0 })).toThrow(OptionError);
  });
});

describe('nearest neighbours against brute force', () => {
  // Seeded Gaussian rows, plus near-duplicates of a few of them and two zero rows.
  const base = gaussian(150, 12, 2);
  const g = normals(9);
  const data = new Float32Array((150 + 6) * 12);
  data.set(base.data);
  for (let t = 0; t < 4; t++) {
    for (let j = 0; j < 12; j++) data[(150 + t) * 12 + j] = base.data[t * 20 * 12 + j]! * 1.5 + 0.01 * g();
  }
  const m: EmbeddingMatrix = { rows: 156, k: 12, data }; // rows 154 and 155 stay zero
  const ref = bruteForce(m);

  it('every row: the same neighbour and cosine; zero rows get -1 / NaN and are nobody\'s neighbour', () => {
    const nn = nearestNeighbours(m);
    expect(Array.from(nn.index)).toEqual(ref.index);
    nn.cosine.forEach((c, r) => {
      if (Number.isNaN(ref.cosine[r]!)) expect(c).toBeNaN();
      else expect(Math.abs(c - ref.cosine[r]!)).toBeLessThan(1e-12);
    });
    expect(nn.index[154]).toBe(-1);
    expect(nn.index.includes(154) || nn.index.includes(155)).toBe(false);
    // The planted near-duplicates find each other.
    for (let t = 0; t < 4; t++) {
      expect(nn.index[150 + t]).toBe(t * 20);
      expect(nn.cosine[150 + t]).toBeGreaterThan(0.999);
    }
  });

  it('a subset of queries, and ties going to the lowest index', () => {
    const nn = nearestNeighbours(m, [5, 150, 3]);
    expect(Array.from(nn.index)).toEqual([ref.index[5], ref.index[150], ref.index[3]]);
    const tied = nearestNeighbours(fromRows([[1, 0], [2, 0], [3, 0], [0, 1]]));
    expect(Array.from(tied.index)).toEqual([1, 0, 0, 0]);
    expect(() => nearestNeighbours(m, [156])).toThrow(DataError);
  });

  it('cosineDistribution summarizes exactly these cosines when every row is searched', () => {
    const d = cosineDistribution(m, { neighbourRows: 1000 });
    const expected = summarize(ref.cosine.filter((c) => !Number.isNaN(c)));
    expect(d.zeroRows).toBe(2);
    expect(d.nearestNeighbour.count).toBe(154);
    for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
      expect(d.nearestNeighbour[key]).toBeCloseTo(expected[key], 12);
    }
  });

  it('a sample of rows: the requested count, and its extremes are actual nearest-neighbour cosines', () => {
    const d = cosineDistribution(m, { neighbourRows: 40, seed: 4 });
    expect(d.nearestNeighbour.count).toBe(40);
    const near = (v: number): boolean => ref.cosine.some((c) => Math.abs(c - v) < 1e-12);
    expect(near(d.nearestNeighbour.min)).toBe(true);
    expect(near(d.nearestNeighbour.max)).toBe(true);
    // 40 of 154 rows: the sample's spread sits inside the population's.
    const all = summarize(ref.cosine.filter((c) => !Number.isNaN(c)));
    expect(d.nearestNeighbour.min).toBeGreaterThanOrEqual(all.min - 1e-12);
    expect(d.nearestNeighbour.max).toBeLessThanOrEqual(all.max + 1e-12);
  });
});
