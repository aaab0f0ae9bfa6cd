import { Matrix, QrDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { LinalgError, orthonormalize, thinQR, zeros } from '../../src/linalg/index.js';
import type { Dense } from '../../src/linalg/index.js';
import { maxAbs, maxAbsDiff, orthonormalityError, randomDense, toMl } from './helpers.js';

// Includes shapes with several 32-column panels (blocked path) and panel-boundary widths.
const shapes: [number, number][] = [
  [1, 1], [5, 1], [5, 3], [40, 12], [12, 12], [60, 60], [70, 32], [90, 33], [200, 70], [300, 110], [1000, 65],
];

function rel(a: Matrix): number {
  return Math.max(1, maxAbs(a));
}

function expectFinite(d: Dense): void {
  expect(d.data.every(Number.isFinite)).toBe(true);
}

describe('thinQR / orthonormalize (Householder, blocked)', () => {
  it('QᵀQ = I, Q·Qᵀ·A = A, Q·R = A with R upper triangular, |R| diagonal as ml-matrix', () => {
    let seed = 11;
    for (const [m, n] of shapes) {
      const a = randomDense(m, n, seed++);
      const before = a.data.slice();
      const { q, r } = thinQR(a);
      expect(a.data).toEqual(before);
      expect([q.rows, q.cols, r.rows, r.cols]).toEqual([m, n, n, n]);
      const A = toMl(a), Q = toMl(q), R = toMl(r);
      expect(orthonormalityError(q)).toBeLessThan(1e-12);
      expect(maxAbsDiff(Q.mmul(Q.transpose().mmul(A)), A)).toBeLessThan(1e-12 * rel(A));
      expect(maxAbsDiff(Q.mmul(R), A)).toBeLessThan(1e-12 * rel(A));
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(R.get(i, j)).toBe(0);

      const ref = new QrDecomposition(A);
      const refR = ref.upperTriangularMatrix;
      for (let i = 0; i < n; i++) {
        expect(Math.abs(Math.abs(R.get(i, i)) - Math.abs(refR.get(i, i)))).toBeLessThan(1e-10 * Math.abs(refR.get(i, i)));
      }
      // Same column space, column by column: Q's k-th column = ±ml-matrix's.
      const refQ = ref.orthogonalMatrix.subMatrix(0, m - 1, 0, n - 1);
      const signs = Matrix.diag(Array.from({ length: n }, (_, k) => Math.sign(R.get(k, k) * refR.get(k, k)) || 1));
      expect(maxAbsDiff(Q, refQ.mmul(signs))).toBeLessThan(1e-10);

      // orthonormalize returns the same Q.
      expect(Array.from(orthonormalize(a).data)).toEqual(Array.from(q.data));
    }
  });

  it('rank-deficient input: no NaN, Q still orthonormal and spanning A (zero columns get a completion)', () => {
    // 40 x 12 of rank 3; 300 x 70 of rank 20 (multiple panels); a zero and repeated columns.
    const cases: Dense[] = [];
    for (const [m, n, k, seed] of [[40, 12, 3, 5], [300, 70, 20, 6]] as const) {
      const prod = toMl(randomDense(m, k, seed)).mmul(toMl(randomDense(k, n, seed + 50)));
      cases.push({ rows: m, cols: n, data: Float64Array.from(prod.to1DArray()) });
    }
    const b = randomDense(30, 8, 7);
    for (let i = 0; i < 30; i++) {
      b.data[i * 8 + 2] = 0; // zero column
      b.data[i * 8 + 5] = b.data[i * 8 + 1]; // repeated column
      b.data[i * 8 + 6] = 2 * b.data[i * 8 + 0] - b.data[i * 8 + 3]; // exact-ish combination
    }
    cases.push(b);
    for (const a of cases) {
      const { q, r } = thinQR(a);
      expectFinite(q);
      expectFinite(r);
      const A = toMl(a), Q = toMl(q);
      expect(orthonormalityError(q)).toBeLessThan(1e-12);
      expect(maxAbsDiff(Q.mmul(Q.transpose().mmul(A)), A)).toBeLessThan(1e-12 * rel(A));
      expect(maxAbsDiff(Q.mmul(toMl(r)), A)).toBeLessThan(1e-12 * rel(A));
    }
    // The exactly zero column: no reflection, R[2][2] = 0 exactly.
    expect(thinQR(b).r.data[2 * 8 + 2]).toBe(0);
  });

  it('all-zero input gives the first columns of the identity; extreme scales stay finite', () => {
    const q = orthonormalize(zeros(6, 3));
    expect(toMl(q).to2DArray()).toEqual(Matrix.eye(6, 3).to2DArray());
    for (const scale of [1e-300, 1e-160, 1e160, 1e300]) {
      const a = randomDense(20, 7, 3);
      for (let i = 0; i < a.data.length; i++) a.data[i] *= scale;
      const { q: qs, r } = thinQR(a);
      expectFinite(qs);
      expect(orthonormalityError(qs)).toBeLessThan(1e-12);
      expect(maxAbsDiff(toMl(qs), toMl(orthonormalize(randomDense(20, 7, 3))))).toBeLessThan(1e-12);
      expect(Math.abs(r.data[0])).toBeGreaterThan(0);
    }
  });

  it('rejects wide or non-finite input', () => {
    expect(() => orthonormalize(zeros(3, 4))).toThrow(LinalgError);
    const a = randomDense(5, 3, 1);
    a.data[4] = NaN;
    expect(() => orthonormalize(a)).toThrow(/non-finite entry at \(1, 1\)/);
    expect(orthonormalize(zeros(4, 0)).data.length).toBe(0);
  });
});
