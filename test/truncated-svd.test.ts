// The truncated SVD of the user-mean-filled matrix against a dense SVD from ml-matrix.
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { Dataset, IdMap } from '../src/data/dataset.js';
import { generateRatings } from '../src/data/generate.js';
import { createEngine } from '../src/engine/index.js';
import { OptionError } from '../src/errors.js';
import { truncatedSvdOfFilled, userMeans } from '../src/models/rating/truncated-svd.js';
import { Random } from '../src/util/random.js';

/** The dense filled matrix, for the reference only (small data). */
function denseFilled(data: Dataset, shift = 0): Matrix {
  const means = userMeans(data);
  const m = new Matrix(data.userCount, data.itemCount);
  for (let u = 0; u < data.userCount; u++) for (let i = 0; i < data.itemCount; i++) m.set(u, i, means[u] - shift);
  for (let t = 0; t < data.size; t++) m.set(data.userIndex[t], data.itemIndex[t], data.ratings[t] - shift);
  return m;
}

describe('truncatedSvdOfFilled', () => {
  const data = generateRatings({ users: 40, items: 25, ratings: 500, minPerUser: 5, seed: 9 });

  it.each([
    { k: 3, shift: 0 },
    { k: 8, shift: 3.5 },
  ])('k=$k, shift=$shift: singular values to 1e-4 relative and the Eckart–Young error', ({ k, shift }) => {
    const dense = denseFilled(data, shift);
    const reference = new SingularValueDecomposition(dense, { autoTranspose: true });
    const sigma = reference.diagonal;
    for (const engine of ['wasm', 'js'] as const) {
      const svd = truncatedSvdOfFilled(createEngine(engine), data, k, new Random(1), { powerIterations: 8 }, shift);
      for (let j = 0; j < k; j++) expect(Math.abs(svd.values[j] - sigma[j]) / sigma[j]).toBeLessThan(1e-4);
      // ‖M − U_k Σ_k V_kᵀ‖_F = sqrt(Σ_{j>k} σ_j²) (Eckart–Young–Mirsky).
      const approx = new Matrix(data.userCount, data.itemCount);
      for (let u = 0; u < data.userCount; u++) {
        for (let i = 0; i < data.itemCount; i++) {
          let x = 0;
          for (let j = 0; j < k; j++) x += svd.u.data[u * k + j] * svd.values[j] * svd.v.data[i * k + j];
          approx.set(u, i, x);
        }
      }
      const error = dense.clone().sub(approx).norm('frobenius');
      const discarded = Math.sqrt(sigma.slice(k).reduce((s, x) => s + x * x, 0));
      expect(Math.abs(error - discarded) / discarded).toBeLessThan(1e-3);
    }
  });

  it('never forms users x items: 200k users x 100k items (20 G cells) with 300k ratings', () => {
    const random = new Random(2);
    const n = 300_000;
    const users = Uint32Array.from({ length: n }, (_, t) => (t < 200_000 ? t : random.nextInt(200_000)));
    const items = Uint32Array.from({ length: n }, (_, t) => (t < 100_000 ? t : random.nextInt(100_000)));
    const big = new Dataset(
      IdMap.from(Array.from({ length: 200_000 }, (_, u) => `u${u}`)),
      IdMap.from(Array.from({ length: 100_000 }, (_, i) => `i${i}`)),
      users, items, Float32Array.from({ length: n }, () => 1 + random.nextInt(5)), { lo: 1, hi: 5 },
    );
    const svd = truncatedSvdOfFilled(createEngine('wasm'), big, 4, new Random(3), { powerIterations: 1 });
    expect(svd.u.rows).toBe(200_000);
    expect(svd.v.rows).toBe(100_000);
    expect(Array.from(svd.values).every((x) => Number.isFinite(x) && x > 0)).toBe(true);
  });

  it('k above min(users, items) names the limit', () => {
    expect(() => truncatedSvdOfFilled(createEngine('js'), data, 26, new Random(1))).toThrow(OptionError);
    expect(() => truncatedSvdOfFilled(createEngine('js'), data, 26, new Random(1))).toThrow(/at most min\(users, items\) = min\(40, 25\) = 25/);
  });
});
