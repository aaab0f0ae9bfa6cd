import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { LinalgError, fromRows, symmetricEigen, zeros } from '../../src/linalg/index.js';
import type { Dense } from '../../src/linalg/index.js';
import { columnCosine, fromMl, maxAbsDiff, norm2, orthonormalityError, randomDense, randomOrthonormal, toMl } from './helpers.js';

function randomSymmetric(n: number, seed: number): Dense {
  const a = toMl(randomDense(n, n, seed));
  return fromMl(Matrix.add(a, a.transpose()).div(2));
}

/** Checks values (descending, vs ml-matrix), residuals S·v = λ·v, VᵀV = I, V·Λ·Vᵀ = S. */
function check(s: Dense): { values: Float64Array; vectors: Matrix; ref: number[] } {
  const n = s.rows;
  const S = toMl(s);
  const { values, vectors } = symmetricEigen(s);
  const V = toMl(vectors);
  const scale = Math.max(norm2(S), Number.MIN_VALUE);
  for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
  const ref = new EigenvalueDecomposition(S, { assumeSymmetric: true }).realEigenvalues.slice().sort((x, y) => y - x);
  for (let i = 0; i < n; i++) {
    const err = Math.abs(values[i] - ref[i]);
    expect(err).toBeLessThanOrEqual(1e-12 * scale); // norm-wise, every eigenvalue
    if (Math.abs(ref[i]) >= 1e-3 * scale) expect(err).toBeLessThanOrEqual(1e-10 * Math.abs(ref[i])); // relative
  }
  for (let j = 0; j < n; j++) {
    const v = V.getColumnVector(j);
    expect(maxAbsDiff(S.mmul(v), v.mul(values[j]))).toBeLessThan(1e-12 * scale);
  }
  expect(orthonormalityError(vectors)).toBeLessThan(1e-12);
  expect(maxAbsDiff(V.mmul(Matrix.diag(Array.from(values))).mmul(V.transpose()), S)).toBeLessThan(1e-12 * scale);
  return { values, vectors: V, ref };
}

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('matches ml-matrix on random symmetric matrices; eigenvectors agree up to sign', () => {
    let seed = 21;
    for (const n of [1, 2, 3, 5, 12, 40, 60]) {
      const s = randomSymmetric(n, seed++);
      const { vectors } = check(s);
      const evd = new EigenvalueDecomposition(toMl(s), { assumeSymmetric: true });
      // ml-matrix: ascending. Compare vectors of well-separated eigenvalues.
      const asc = evd.realEigenvalues;
      for (let j = 0; j < n; j++) {
        const k = n - 1 - j;
        const gap = Math.min(k > 0 ? asc[k] - asc[k - 1] : Infinity, k < n - 1 ? asc[k + 1] - asc[k] : Infinity);
        if (gap > 1e-3 * norm2(toMl(s))) expect(columnCosine(vectors, j, evd.eigenvectorMatrix, k)).toBeGreaterThan(1 - 1e-10);
      }
    }
  });

  it('Gram matrices (positive semi-definite, also rank-deficient) and the 110 x 110 of the range finder', () => {
    for (const [l, n, seed] of [[12, 200, 1], [60, 60, 2], [110, 1682, 3]] as const) {
      const b = toMl(randomDense(l, n, seed));
      check(fromMl(b.mmul(b.transpose())));
    }
    // Rank 4 of 30: 26 eigenvalues ~0 (checked norm-wise), 4 checked relatively.
    const x = toMl(randomDense(30, 4, 9));
    const { values } = check(fromMl(x.mmul(x.transpose())));
    for (let i = 4; i < 30; i++) expect(Math.abs(values[i])).toBeLessThan(1e-12 * values[0]);
  });

  it('repeated eigenvalues: values to 1e-10 and the eigenspace projectors of each cluster', () => {
    const lambda = [5, 5, 5, 2, 2, -1, 0, 0, 0, 0.5];
    const n = lambda.length;
    const Q = randomOrthonormal(n, n, 31);
    const S = Q.mmul(Matrix.diag(lambda)).mmul(Q.transpose());
    const s = fromMl(Matrix.add(S, S.transpose()).div(2));
    const { values, vectors } = check(s);
    const sorted = lambda.slice().sort((a, b) => b - a);
    for (let i = 0; i < n; i++) expect(Math.abs(values[i] - sorted[i])).toBeLessThan(1e-10 * 5);
    for (const target of [5, 2, 0]) {
      const mine = [...values.keys()].filter((i) => Math.abs(values[i] - target) < 1e-6);
      const theirs = lambda.flatMap((v, i) => (v === target ? [i] : []));
      expect(mine.length).toBe(theirs.length);
      const P = vectors.subMatrixColumn(mine), R = Q.subMatrixColumn(theirs);
      expect(maxAbsDiff(P.mmul(P.transpose()), R.mmul(R.transpose()))).toBeLessThan(1e-10);
    }
    // Identity and zero matrices: exact, no sweep needed.
    const id = symmetricEigen(fromMl(Matrix.eye(4)));
    expect(Array.from(id.values)).toEqual([1, 1, 1, 1]);
    expect(id.sweeps).toBe(0);
    const z = symmetricEigen(zeros(3, 3));
    expect(Array.from(z.values)).toEqual([0, 0, 0]);
    expect(orthonormalityError(z.vectors)).toBe(0);
  });

  it('sorts a diagonal matrix, and uses the sign convention (largest-magnitude entry positive)', () => {
    const d = symmetricEigen(fromRows([[1, 0, 0], [0, 3, 0], [0, 0, -2]]));
    expect(Array.from(d.values)).toEqual([3, 1, -2]);
    expect(toMl(d.vectors).to2DArray()).toEqual([[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
    const { vectors } = symmetricEigen(randomSymmetric(25, 4));
    const V = toMl(vectors);
    for (let j = 0; j < 25; j++) {
      const col = V.getColumn(j);
      const big = col.reduce((b, v) => (Math.abs(v) > Math.abs(b) ? v : b), 0);
      expect(big).toBeGreaterThan(0);
    }
  });

  it('reads (S + Sᵀ)/2 and does not modify S', () => {
    const s = randomSymmetric(8, 5);
    const k = toMl(randomDense(8, 8, 6));
    const skew = fromMl(Matrix.add(toMl(s), Matrix.sub(k, k.transpose())));
    const before = skew.data.slice();
    const a = symmetricEigen(s), b = symmetricEigen(skew);
    expect(skew.data).toEqual(before);
    for (let i = 0; i < 8; i++) expect(Math.abs(a.values[i] - b.values[i])).toBeLessThan(1e-12 * 10);
  });

  it('throws a clear LinalgError when not converged, for non-square and for non-finite input', () => {
    const s = randomSymmetric(20, 7);
    expect(() => symmetricEigen(s, { maxSweeps: 1 })).toThrow(LinalgError);
    expect(() => symmetricEigen(s, { maxSweeps: 1 })).toThrow(/did not converge in 1 sweeps: relative off-diagonal norm .* > tol 1e-12/);
    expect(symmetricEigen(s).sweeps).toBeLessThan(20);
    expect(() => symmetricEigen(zeros(2, 3))).toThrow(/square/);
    const bad = randomSymmetric(3, 8);
    bad.data[4] = Infinity;
    expect(() => symmetricEigen(bad)).toThrow(/non-finite/);
    expect(symmetricEigen(zeros(0, 0)).values.length).toBe(0);
  });
});

describe('symmetricEigen at extreme scales', () => {
  it('scales S internally: tiny and huge matrices give the scaled eigenvalues, not a premature stop', () => {
    const s = randomSymmetric(10, 12);
    const base = symmetricEigen(s);
    for (const f of [1e-170, 1e-300, 1e170, 1e300]) {
      const scaled = { rows: 10, cols: 10, data: s.data.map((v) => v * f) };
      const r = symmetricEigen(scaled);
      expect(r.sweeps).toBeGreaterThan(3);
      for (let i = 0; i < 10; i++) expect(Math.abs(r.values[i] / f - base.values[i])).toBeLessThan(1e-12 * Math.abs(base.values[0]));
      expect(maxAbsDiff(toMl(r.vectors), toMl(base.vectors))).toBeLessThan(1e-10);
    }
  });
});
