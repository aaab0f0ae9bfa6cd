// PureSVD and SVD initialization against the dense truncated SVD from ml-matrix.
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { Dataset, IdMap } from '../src/data/dataset.js';
import { generateRatings } from '../src/data/generate.js';
import { OptionError } from '../src/errors.js';
import { MF } from '../src/index.js';
import { createModel } from '../src/index.js';
import { PureSVD } from '../src/index.js';
import { SVD } from '../src/index.js';
import { userMeans } from '../src/models/rating/truncated-svd.js';

const data = generateRatings({ users: 40, items: 25, ratings: 500, minPerUser: 5, seed: 9 });

/** Rank-k truncation of (filled − shift), dense, by ml-matrix. */
function denseTruncation(d: Dataset, k: number, shift: number): Matrix {
  const means = userMeans(d);
  const m = new Matrix(d.userCount, d.itemCount);
  for (let u = 0; u < d.userCount; u++) for (let i = 0; i < d.itemCount; i++) m.set(u, i, means[u] - shift);
  for (let t = 0; t < d.size; t++) m.set(d.userIndex[t], d.itemIndex[t], d.ratings[t] - shift);
  const svd = new SingularValueDecomposition(m, { autoTranspose: true });
  const u = svd.leftSingularVectors.subMatrix(0, d.userCount - 1, 0, k - 1);
  const v = svd.rightSingularVectors.subMatrix(0, d.itemCount - 1, 0, k - 1);
  const s = Matrix.diag(svd.diagonal.slice(0, k));
  return u.mmul(s).mmul(v.transpose());
}

const clip = (x: number) => Math.min(5, Math.max(1, x));

describe('PureSVD', () => {
  it('predicts the rank-k truncation of the user-mean-filled matrix', () => {
    const model = new PureSVD({ factors: 5, powerIterations: 8 });
    const result = model.fit(data, { validation: data });
    // No gradient descent: one point, epoch 0, whose scores are the model's.
    expect(result.epochs).toHaveLength(1);
    expect(result.epochs[0].epoch).toBe(0);
    const reference = denseTruncation(data, 5, 0);
    for (let u = 0; u < data.userCount; u += 3) {
      for (let i = 0; i < data.itemCount; i += 2) {
        expect(model.predict(data.users.raw[u], data.items.raw[i]).estimate).toBeCloseTo(clip(reference.get(u, i)), 3);
      }
    }
    expect(model.predict('nobody', data.items.raw[0])).toMatchObject({ impossible: true });
  });

  it('a user without ratings is filled with the global mean, not NaN', () => {
    const withEmpty = new Dataset(
      IdMap.from([...data.users.raw, 'silent']), data.items, data.userIndex, data.itemIndex, data.ratings, data.scale,
    );
    const model = new PureSVD({ factors: 3 });
    model.fit(withEmpty);
    expect(Number.isFinite(model.predict('silent', data.items.raw[0]).estimate)).toBe(true);
  });

  it('rejects epochs, and k above min(users, items)', () => {
    expect(() => new PureSVD({ epochs: 3 } as never)).toThrow(/PureSVD has no gradient descent/);
    expect(() => new PureSVD({ factors: 30 }).fit(data)).toThrow(/at most min\(users, items\) = min\(40, 25\) = 25/);
  });
});

describe("init: 'svd'", () => {
  it('SVD starts at μ + s²·(truncated SVD of the filled matrix minus μ)', () => {
    // A learning rate so small that the one epoch leaves the start unchanged (to float precision).
    const s = 0.5;
    const model = new SVD({ factors: 8, init: 'svd', initScale: s, epochs: 1, lrAll: 1e-12, initSvd: { powerIterations: 10 } });
    model.fit(data);
    const mu = data.globalMean();
    const reference = denseTruncation(data, 8, mu);
    for (let u = 0; u < data.userCount; u += 3) {
      for (let i = 0; i < data.itemCount; i += 2) {
        expect(model.predict(data.users.raw[u], data.items.raw[i]).estimate).toBeCloseTo(clip(mu + s * s * reference.get(u, i)), 3);
      }
    }
  });

  it('MF starts at s²·(truncated SVD of the filled matrix)', () => {
    const model = new MF({ factors: 8, init: 'svd', initScale: 1, epochs: 1, lrAll: 1e-12, initSvd: { powerIterations: 10 } });
    model.fit(data);
    const reference = denseTruncation(data, 8, 0);
    expect(model.predict(data.users.raw[1], data.items.raw[2]).estimate).toBeCloseTo(clip(reference.get(1, 2)), 3);
  });

  it('initScale is checked, and k above the limit is refused', () => {
    expect(() => new SVD({ init: 'svd', initScale: 0 })).toThrow(OptionError);
    expect(() => new SVD({ init: 'svd', factors: 26 }).fit(data)).toThrow(/min\(users, items\)/);
  });
});

describe('createModel and presets', () => {
  it('builds each kind; a preset sets the kind and its options, given options win', () => {
    expect(createModel().constructor.name).toBe('SVD');
    expect(createModel({ model: 'baseline' }).constructor.name).toBe('Baseline');
    const recommended = createModel({ preset: 'recommended' });
    // The documented preset (README, Accuracy): SVD++ from the SVD initialization, k=100.
    expect(recommended.constructor.name).toBe('SVDpp');
    expect((recommended as unknown as { options: Record<string, unknown> }).options).toMatchObject({
      factors: 100, epochs: 20, lrPu: 0.007, regPu: 0.02, init: 'svd', initScale: 0.1,
    });
    expect(createModel({ preset: 'recommended', epochs: 3 }).settings.epochs).toBe(3);
    expect(() => createModel({ preset: 'nope' as never })).toThrow(/option preset must be one of recommended/);
  });
});
