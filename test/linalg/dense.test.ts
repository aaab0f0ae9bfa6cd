import { describe, expect, it } from 'vitest';
import {
  LinalgError, fromData, fromRows, gramCols, gramRows, identity, multiply, multiplyABt, multiplyAtB, transpose, zeros,
} from '../../src/linalg/index.js';
import { maxAbs, maxAbsDiff, randomDense, toMl } from './helpers.js';

// Shapes chosen to hit every edge of the blocked kernels (odd rows, widths not a multiple of 4, k < 4).
const shapes: [number, number, number][] = [
  [1, 1, 1], [2, 3, 1], [3, 5, 2], [5, 3, 4], [7, 9, 6], [12, 40, 13], [33, 17, 65], [64, 64, 64],
];

describe('dense (row-major) products', () => {
  it('multiply, multiplyAtB, multiplyABt and transpose match ml-matrix', () => {
    let seed = 1;
    for (const [m, k, n] of shapes) {
      const a = randomDense(m, k, seed++), b = randomDense(k, n, seed++);
      const at = randomDense(k, m, seed++), bt = randomDense(n, k, seed++);
      const tol = 1e-13 * k;
      expect(maxAbsDiff(toMl(multiply(a, b)), toMl(a).mmul(toMl(b)))).toBeLessThan(tol);
      expect(maxAbsDiff(toMl(multiplyAtB(at, b)), toMl(at).transpose().mmul(toMl(b)))).toBeLessThan(tol);
      expect(maxAbsDiff(toMl(multiplyABt(a, bt)), toMl(a).mmul(toMl(bt).transpose()))).toBeLessThan(tol);
      expect(toMl(transpose(a)).to2DArray()).toEqual(toMl(a).transpose().to2DArray());
    }
  });

  it('gramRows = A·Aᵀ and gramCols = Aᵀ·A, exactly symmetric', () => {
    let seed = 100;
    for (const [m, n] of [[1, 1], [3, 7], [6, 2], [9, 13], [40, 12], [12, 200]] as const) {
      const a = randomDense(m, n, seed++);
      const r = gramRows(a), c = gramCols(a);
      expect(maxAbsDiff(toMl(r), toMl(a).mmul(toMl(a).transpose()))).toBeLessThan(1e-13 * n);
      expect(maxAbsDiff(toMl(c), toMl(a).transpose().mmul(toMl(a)))).toBeLessThan(1e-13 * m);
      expect(toMl(r).to2DArray()).toEqual(toMl(r).transpose().to2DArray());
      expect(toMl(c).to2DArray()).toEqual(toMl(c).transpose().to2DArray());
    }
  });

  it('treats the storage as row-major and checks shapes', () => {
    const a = fromRows([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(multiply(a, identity(3)).data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(transpose(a).data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(maxAbs(toMl(multiply(zeros(0, 3), zeros(3, 2))))).toBe(0);
    expect(() => multiply(a, a)).toThrow(LinalgError);
    expect(() => multiplyAtB(a, zeros(3, 3))).toThrow(/do not conform/);
    expect(() => multiplyABt(a, zeros(2, 2))).toThrow(LinalgError);
    expect(() => fromRows([[1, 2], [3]])).toThrow(LinalgError);
    expect(() => fromData(2, 2, new Float64Array(3))).toThrow(LinalgError);
    expect(() => zeros(-1, 2)).toThrow(LinalgError);
  });
});
