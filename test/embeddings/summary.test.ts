import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { rowNorms, summarize } from '../../src/eval/embeddings.js';
import { fromRows } from './helpers.js';

describe('summarize (quartiles by linear interpolation, population std)', () => {
  it('four values: quartiles between order statistics', () => {
    // sorted 1 2 3 4; p at position 3p: p25 -> 0.75 -> 1.75, median -> 1.5 -> 2.5, p75 -> 2.25 -> 3.25
    const s = summarize([4, 1, 3, 2]);
    expect(s).toEqual({ count: 4, min: 1, p25: 1.75, median: 2.5, p75: 3.25, max: 4, mean: 2.5, std: Math.sqrt(1.25) });
  });

  it('five values: quartiles land on order statistics', () => {
    const s = summarize(Float32Array.from([10, 0, 5, 20, 15]));
    expect(s).toEqual({ count: 5, min: 0, p25: 5, median: 10, p75: 15, max: 20, mean: 10, std: Math.sqrt(50) });
  });

  it('ten values and a single value', () => {
    const s = summarize([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect([s.p25, s.median, s.p75]).toEqual([3.25, 5.5, 7.75]);
    expect(s.std).toBeCloseTo(Math.sqrt(8.25), 14);
    expect(summarize([-7])).toEqual({ count: 1, min: -7, p25: -7, median: -7, p75: -7, max: -7, mean: -7, std: 0 });
  });

  it('keeps the mean inside [min, max] for equal values and does not reorder its input', () => {
    const values = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const s = summarize(values);
    expect(s.mean).toBe(0.1);
    const input = [3, 1, 2];
    summarize(input);
    expect(input).toEqual([3, 1, 2]);
  });

  it('refuses an empty list and non-finite values', () => {
    expect(() => summarize([])).toThrow(DataError);
    expect(() => summarize([1, NaN])).toThrow(/value 1 is NaN/);
    expect(() => summarize([Infinity])).toThrow(DataError);
  });
});

describe('rowNorms', () => {
  it('Euclidean length of each row, zero rows included', () => {
    const norms = rowNorms(fromRows([[3, 4], [0, 0], [-1, 2], [0, -0.5]]));
    expect(Array.from(norms)).toEqual([5, 0, Math.sqrt(5), 0.5]);
  });

  it('accumulates in f64: no f32 overflow or underflow of the squares', () => {
    const big = fromRows([[3e20, 4e20]]); // squares ~1e41 overflow f32
    const tiny = fromRows([[1e-20, 1e-20]]); // squares ~1e-40 underflow f32
    expect(rowNorms(big)[0]! / Math.hypot(Math.fround(3e20), Math.fround(4e20))).toBeCloseTo(1, 14);
    expect(rowNorms(tiny)[0]! / (Math.SQRT2 * Math.fround(1e-20))).toBeCloseTo(1, 14);
  });

  it('refuses a data length that does not match rows x k, and non-finite entries', () => {
    expect(() => rowNorms({ rows: 2, k: 3, data: new Float32Array(5) })).toThrow(DataError);
    expect(() => rowNorms(fromRows([[1, 2], [3, NaN]]))).toThrow(/entry \(1, 1\) is NaN/);
  });
});
