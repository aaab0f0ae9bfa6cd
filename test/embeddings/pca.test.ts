import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { type EmbeddingMatrix, pca2d } from '../../src/eval/embeddings.js';
import { fromRows, gaussian, normals } from './helpers.js';

/** Anisotropic Gaussian rows (scales per latent direction), rotated by a random orthogonal matrix and shifted. */
function anisotropic(rows: number, scales: readonly number[], seed: number): EmbeddingMatrix {
  const k = scales.length;
  const z = gaussian(rows, k, seed);
  const q = new SingularValueDecomposition(Matrix.from1DArray(k, k, Array.from(gaussian(k, k, seed + 1).data))).leftSingularVectors;
  const data = new Float32Array(rows * k);
  const g = normals(seed + 2);
  const shift = scales.map(() => 3 * g());
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      let v = shift[j]!;
      for (let t = 0; t < k; t++) v += z.data[r * k + t]! * scales[t]! * q.get(j, t);
      data[r * k + j] = v;
    }
  }
  return { rows, k, data };
}

/** The matrix with its column means subtracted, in f64 (from the exact f32 values). */
function centred(m: EmbeddingMatrix): Matrix {
  const x = Matrix.from1DArray(m.rows, m.k, Array.from(m.data));
  return x.subRowVector(x.mean('column'));
}

/** Max over rows of |a - sign·b| for the best sign. */
function diffUpToSign(a: readonly number[], b: readonly number[]): number {
  const plus = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
  const minus = Math.max(...a.map((v, i) => Math.abs(v + b[i]!)));
  return Math.min(plus, minus);
}

const column = (points: Float64Array, c: number): number[] => Array.from({ length: points.length / 2 }, (_, r) => points[2 * r + c]!);

describe('pca2d against ml-matrix', () => {
  const m = anisotropic(300, [5, 3, 2, 1, 0.5, 0.3, 0.1], 17);
  const x = centred(m);
  const svd = new SingularValueDecomposition(x, { autoTranspose: true });
  const s2 = svd.diagonal.map((s) => s * s);
  const total = s2.reduce((a, b) => a + b, 0);
  const pca = pca2d(m);

  it('explained variance fractions equal s_i^2 / sum s^2 of the centred data (to 1e-8)', () => {
    expect(Math.abs(pca.explained[0] - s2[0]! / total)).toBeLessThan(1e-8);
    expect(Math.abs(pca.explained[1] - s2[1]! / total)).toBeLessThan(1e-8);
    expect(pca.explained[0]).toBeGreaterThan(pca.explained[1]);
  });

  it('...and the eigenvalues of the covariance over its trace (EigenvalueDecomposition)', () => {
    const cov = x.transpose().mmul(x).div(m.rows - 1);
    const values = new EigenvalueDecomposition(cov, { assumeSymmetric: true }).realEigenvalues.slice().sort((a, b) => b - a);
    const trace = values.reduce((a, b) => a + b, 0);
    expect(Math.abs(pca.explained[0] - values[0]! / trace)).toBeLessThan(1e-8);
    expect(Math.abs(pca.explained[1] - values[1]! / trace)).toBeLessThan(1e-8);
  });

  it('projections equal U·S (= centred X·V) up to the sign of each component', () => {
    const us = svd.leftSingularVectors.mulRowVector(svd.diagonal);
    const scale = svd.diagonal[0]!;
    for (const c of [0, 1]) {
      expect(diffUpToSign(column(pca.points, c), us.getColumn(c))).toBeLessThan(1e-8 * scale);
      expect(diffUpToSign(Array.from(pca.components.subarray(c * m.k, (c + 1) * m.k)), svd.rightSingularVectors.getColumn(c))).toBeLessThan(1e-8);
    }
  });

  it('mean is the column mean; each axis is a unit vector whose largest-magnitude entry is positive', () => {
    const mean = Matrix.from1DArray(m.rows, m.k, Array.from(m.data)).mean('column');
    mean.forEach((v, j) => expect(pca.mean[j]).toBeCloseTo(v, 12));
    for (const c of [0, 1]) {
      const axis = Array.from(pca.components.subarray(c * m.k, (c + 1) * m.k));
      expect(Math.hypot(...axis)).toBeCloseTo(1, 12);
      const big = axis.reduce((best, v) => (Math.abs(v) > Math.abs(best) ? v : best), 0);
      expect(big).toBeGreaterThan(0);
    }
  });

  it('is deterministic: row order does not matter, negating the data negates the points', () => {
    const order = Array.from({ length: m.rows }, (_, r) => (r * 7) % m.rows); // 7 is coprime to 300
    const permuted = new Float32Array(m.data.length);
    order.forEach((src, r) => permuted.set(m.data.subarray(src * m.k, (src + 1) * m.k), r * m.k));
    const p = pca2d({ rows: m.rows, k: m.k, data: permuted });
    for (let j = 0; j < 2 * m.k; j++) expect(p.components[j]).toBeCloseTo(pca.components[j]!, 10);
    order.forEach((src, r) => {
      expect(p.points[2 * r]).toBeCloseTo(pca.points[2 * src]!, 8);
      expect(p.points[2 * r + 1]).toBeCloseTo(pca.points[2 * src + 1]!, 8);
    });
    const negated = pca2d({ rows: m.rows, k: m.k, data: m.data.map((v) => -v) });
    for (let j = 0; j < 2 * m.k; j++) expect(negated.components[j]).toBeCloseTo(pca.components[j]!, 10);
    for (let i = 0; i < pca.points.length; i++) expect(negated.points[i]).toBeCloseTo(-pca.points[i]!, 8);
  });
});

describe('pca2d on planted low-dimensional structure', () => {
  it('points on a line in 5-D: the first component explains ~100% and recovers the position on the line', () => {
    const g = normals(5);
    const origin = [1, -2, 0.5, 3, 0];
    const direction = [0.3, 1.2, -0.7, 0.1, 2.0];
    const t = Array.from({ length: 200 }, () => g());
    const m = fromRows(t.map((ti) => origin.map((o, j) => o + ti * direction[j]!)));
    const pca = pca2d(m);
    expect(pca.explained[0]).toBeGreaterThan(1 - 1e-9);
    expect(pca.explained[1]).toBeLessThan(1e-9);
    const len = Math.hypot(...direction);
    const tMean = t.reduce((a, b) => a + b, 0) / t.length;
    const expected = t.map((ti) => (ti - tMean) * len);
    expect(diffUpToSign(column(pca.points, 0), expected)).toBeLessThan(1e-5);
    expect(Math.max(...column(pca.points, 1).map(Math.abs))).toBeLessThan(1e-5);
  });

  it('points on a plane in 8-D: two components explain everything and pairwise distances are kept', () => {
    const g = normals(8);
    const u = [1, 1, 0, 0, 1, -1, 0, 0].map((v) => v / 2);
    const v = [0, 0, 1, -1, 0, 0, 1, 1].map((w) => w / 2); // orthonormal to u
    const rows = Array.from({ length: 120 }, () => {
      const a = 2 * g(), b = g();
      return u.map((ui, j) => 5 + a * ui + b * v[j]!);
    });
    const m = fromRows(rows);
    const pca = pca2d(m);
    expect(pca.explained[0] + pca.explained[1]).toBeGreaterThan(1 - 1e-9);
    expect(pca.explained[0]).toBeGreaterThan(pca.explained[1]);
    const f32 = (r: number): number[] => Array.from(m.data.subarray(r * 8, r * 8 + 8));
    for (let i = 0; i < 120; i += 7) {
      for (let j = i + 1; j < 120; j += 11) {
        const d8 = Math.hypot(...f32(i).map((x, t) => x - f32(j)[t]!));
        const d2 = Math.hypot(pca.points[2 * i]! - pca.points[2 * j]!, pca.points[2 * i + 1]! - pca.points[2 * j + 1]!);
        expect(Math.abs(d8 - d2)).toBeLessThan(1e-5);
      }
    }
  });

  it('degenerate inputs: equal rows give zeros, k = 1 has no second axis, no rows is an error', () => {
    const same = pca2d(fromRows([[1, 2, 3], [1, 2, 3], [1, 2, 3]]));
    expect(same.explained).toEqual([0, 0]);
    expect(Array.from(same.points)).toEqual([0, 0, 0, 0, 0, 0]);
    const one = pca2d(fromRows([[2], [4], [9]]));
    expect(one.explained).toEqual([1, 0]);
    expect(column(one.points, 0)).toEqual([-3, -1, 4]);
    expect(column(one.points, 1)).toEqual([0, 0, 0]);
    expect(() => pca2d(fromRows([]))).toThrow(DataError);
    expect(() => pca2d({ rows: 2, k: 2, data: Float32Array.from([1, 2, 3, Infinity]) })).toThrow(DataError);
  });
});
