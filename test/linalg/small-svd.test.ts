import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { LinalgError, svdOfTall, svdOfWide, transpose, zeros } from '../../src/linalg/index.js';
import type { Dense, SmallSvd } from '../../src/linalg/index.js';
import { columnCosine, fromMl, maxAbsDiff, orthonormalityError, randomDense, randomOrthonormal, toMl } from './helpers.js';

/** ml-matrix's singular values (descending) and vectors of M. */
function reference(m: Matrix): { s: number[]; u: Matrix; v: Matrix } {
  const svd = new SingularValueDecomposition(m, { autoTranspose: true });
  return { s: svd.diagonal, u: svd.leftSingularVectors, v: svd.rightSingularVectors };
}

function reconstruct(r: SmallSvd): Matrix {
  return toMl(r.u).mmul(Matrix.diag(Array.from(r.values))).mmul(toMl(r.v).transpose());
}

function finite(d: Dense): boolean {
  return d.data.every(Number.isFinite);
}

/**
 * The shared checks for B = U·Σ·Vᵀ: values vs ml-matrix (1e-9 relative for σ >= 1e-3·σ₁, 1e-7·σ₁
 * absolute for all), reconstruction to 1e-9·σ₁, orthonormal small factor, orthonormal derived
 * columns where σ >= 1e-3·σ₁, leading vectors as ml-matrix's where the gap allows.
 */
function check(b: Matrix, r: SmallSvd, wide: boolean): void {
  const small = wide ? b.rows : b.columns;
  const big = wide ? b.columns : b.rows;
  expect(r.values.length).toBe(small);
  expect([r.u.rows, r.u.cols]).toEqual(wide ? [small, small] : [big, small]);
  expect([r.v.rows, r.v.cols]).toEqual(wide ? [big, small] : [small, small]);
  expect(finite(r.u) && finite(r.v)).toBe(true);
  const ref = reference(b);
  const s1 = ref.s[0];
  for (let i = 1; i < small; i++) expect(r.values[i]).toBeLessThanOrEqual(r.values[i - 1]);
  for (let i = 0; i < small; i++) {
    const truth = i < ref.s.length ? ref.s[i] : 0;
    expect(Math.abs(r.values[i] - truth)).toBeLessThanOrEqual(1e-7 * s1);
    if (truth >= 1e-3 * s1) expect(Math.abs(r.values[i] - truth)).toBeLessThanOrEqual(1e-9 * truth);
  }
  expect(maxAbsDiff(reconstruct(r), b)).toBeLessThanOrEqual(1e-9 * Math.max(s1, 1));
  expect(orthonormalityError(wide ? r.u : r.v)).toBeLessThan(1e-12);
  const leading = [...r.values.keys()].filter((i) => r.values[i] >= 1e-3 * s1 && r.values[i] > 0);
  if (leading.length > 0) expect(orthonormalityError(wide ? r.v : r.u, leading)).toBeLessThan(1e-9);
  const U = toMl(r.u), V = toMl(r.v);
  for (const i of leading.slice(0, 8)) {
    const gap = Math.min(i > 0 ? ref.s[i - 1] - ref.s[i] : Infinity, i + 1 < ref.s.length ? ref.s[i] - ref.s[i + 1] : ref.s[i]);
    if (gap < 1e-2 * s1) continue;
    expect(columnCosine(U, i, ref.u, i)).toBeGreaterThan(1 - 1e-9);
    expect(columnCosine(V, i, ref.v, i)).toBeGreaterThan(1 - 1e-9);
  }
}

/** l x n with prescribed singular values: U0·diag(s)·V0ᵀ. */
function withSpectrum(l: number, n: number, s: number[], seed: number): Matrix {
  return randomOrthonormal(l, l, seed).mmul(Matrix.diag(s)).mmul(randomOrthonormal(n, l, seed + 1).transpose());
}

describe('svdOfWide (eigen of B·Bᵀ)', () => {
  it('matches ml-matrix on random wide matrices, including the 110 x 1682 of the range finder', () => {
    let seed = 41;
    for (const [l, n] of [[1, 1], [1, 7], [3, 5], [5, 5], [12, 40], [12, 200], [60, 60], [30, 1000], [110, 1682]] as const) {
      const b = randomDense(l, n, seed++);
      const before = b.data.slice();
      const r = svdOfWide(b);
      expect(b.data).toEqual(before);
      check(toMl(b), r, true);
    }
  });

  it('decaying spectrum: leading values to 1e-9, trailing ones near the √ε floor', () => {
    const s = Array.from({ length: 40 }, (_, i) => 10 ** (-i / 4)); // 1 .. 1e-9.75
    const b = withSpectrum(40, 300, s, 3);
    const r = svdOfWide(fromMl(b));
    check(b, r, true);
    for (let i = 0; i < 12; i++) expect(Math.abs(r.values[i] - s[i])).toBeLessThan(1e-9 * s[i]);
  });

  it('rank-deficient B: no NaN, leading values and reconstruction exact, zero V columns for σ = 0', () => {
    const b = toMl(randomDense(20, 5, 1)).mmul(toMl(randomDense(5, 300, 2))); // rank 5
    const r = svdOfWide(fromMl(b));
    check(b, r, true);
    for (let i = 5; i < 20; i++) expect(r.values[i]).toBeLessThan(1e-7 * r.values[0]);
    // A zero row of B gives an exactly zero eigenvalue, hence σ = 0 and a zero V column.
    const z = randomDense(8, 50, 3);
    z.data.fill(0, 3 * 50, 4 * 50);
    const rz = svdOfWide(z);
    check(toMl(z), rz, true);
    expect(rz.values[7]).toBe(0);
    expect(toMl(rz.v).getColumn(7).every((v) => v === 0)).toBe(true);
    // The zero matrix.
    const r0 = svdOfWide(zeros(4, 9));
    expect(Array.from(r0.values)).toEqual([0, 0, 0, 0]);
    expect(r0.v.data.every((v) => v === 0)).toBe(true);
    expect(orthonormalityError(r0.u)).toBe(0);
  });

  it('repeated singular values: values, reconstruction and each cluster subspace', () => {
    const s = [3, 3, 3, 2, 1, 1, 0.5, 0.5];
    const b = withSpectrum(8, 120, s, 17);
    const r = svdOfWide(fromMl(b));
    check(b, r, true);
    for (let i = 0; i < s.length; i++) expect(Math.abs(r.values[i] - s[i])).toBeLessThan(1e-9 * s[i]);
    const U = toMl(r.u), V = toMl(r.v);
    const U0 = randomOrthonormal(8, 8, 17), V0 = randomOrthonormal(120, 8, 18);
    for (const cluster of [[0, 1, 2], [3], [4, 5], [6, 7]]) {
      const P = V.subMatrixColumn(cluster), R = V0.subMatrixColumn(cluster);
      expect(maxAbsDiff(P.mmul(P.transpose()), R.mmul(R.transpose()))).toBeLessThan(1e-9);
      const Pu = U.subMatrixColumn(cluster), Ru = U0.subMatrixColumn(cluster);
      expect(maxAbsDiff(Pu.mmul(Pu.transpose()), Ru.mmul(Ru.transpose()))).toBeLessThan(1e-9);
    }
  });

  it('more rows than columns still works (trailing values 0, zero V columns)', () => {
    const b = randomDense(8, 5, 23);
    const r = svdOfWide(b);
    check(toMl(b), r, true);
    for (let i = 5; i < 8; i++) expect(r.values[i]).toBeLessThan(1e-7 * r.values[0]);
  });

  it('zeroTol zeroes the V columns of small singular values: U·Σ·Vᵀ becomes the truncation', () => {
    const s = [4, 2, 1, 1e-3, 1e-4];
    const b = withSpectrum(5, 60, s, 29);
    const r = svdOfWide(fromMl(b), { zeroTol: 1e-2 });
    const V = toMl(r.v);
    for (const k of [3, 4]) expect(V.getColumn(k).every((v) => v === 0)).toBe(true);
    const ref = reference(b);
    const trunc = ref.u.subMatrixColumn([0, 1, 2]).mmul(Matrix.diag(ref.s.slice(0, 3))).mmul(ref.v.subMatrixColumn([0, 1, 2]).transpose());
    expect(maxAbsDiff(reconstruct(r), trunc)).toBeLessThan(1e-9);
    expect(Math.abs(r.values[3] - 1e-3)).toBeLessThan(1e-9); // values are still reported
  });

  it('propagates non-finite input as LinalgError', () => {
    const b = randomDense(3, 10, 1);
    b.data[7] = NaN;
    expect(() => svdOfWide(b)).toThrow(LinalgError);
  });
});

describe('svdOfTall (eigen of Aᵀ·A)', () => {
  it('matches ml-matrix and agrees with svdOfWide on the transpose', () => {
    let seed = 61;
    for (const [m, l] of [[1, 1], [5, 3], [40, 12], [200, 12], [60, 60], [1000, 30]] as const) {
      const a = randomDense(m, l, seed++);
      const r = svdOfTall(a);
      check(toMl(a), r, false);
      const w = svdOfWide(transpose(a));
      for (let i = 0; i < l; i++) expect(Math.abs(r.values[i] - w.values[i])).toBeLessThan(1e-12 * r.values[0]);
    }
  });

  it('rank-deficient tall A: no NaN, zero U columns for σ = 0', () => {
    const a = toMl(randomDense(100, 3, 4)).mmul(toMl(randomDense(3, 10, 5)));
    const r = svdOfTall(fromMl(a));
    check(a, r, false);
    const z = randomDense(30, 6, 6);
    for (let i = 0; i < 30; i++) z.data[i * 6 + 4] = 0;
    const rz = svdOfTall(z);
    check(toMl(z), rz, false);
    expect(rz.values[5]).toBe(0);
    expect(toMl(rz.u).getColumn(5).every((v) => v === 0)).toBe(true);
  });
});
