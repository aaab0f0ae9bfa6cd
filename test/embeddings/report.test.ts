import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { cosineDistribution, embeddingReport, pca2d, rowNorms, summarize } from '../../src/eval/embeddings.js';
import { gaussian } from './helpers.js';

describe('embeddingReport', () => {
  const m = gaussian(60, 10, 23);
  const ids = Array.from({ length: 60 }, (_, i) => `item-${i}`);
  const report = embeddingReport(m, ids, { pairs: 800, seed: 5 });

  it('gathers the parts with the same options', () => {
    expect(report.rows).toBe(60);
    expect(report.k).toBe(10);
    expect(report.norms).toEqual(summarize(rowNorms(m)));
    expect(report.cosine).toEqual({ ...cosineDistribution(m, { pairs: 800, seed: 5 }), pairs: 800, seed: 5 });
    const pca = pca2d(m);
    expect(report.pca.explained).toEqual(pca.explained);
    expect(report.pca.points).toHaveLength(60);
    report.pca.points.forEach((p, r) => expect(p).toEqual({ id: ids[r], x: pca.points[2 * r], y: pca.points[2 * r + 1] }));
  });

  it('is plain JSON: survives a round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('needs one id per row', () => {
    expect(() => embeddingReport(m, ids.slice(1))).toThrow(DataError);
  });
});
