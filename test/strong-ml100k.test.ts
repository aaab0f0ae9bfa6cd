// The strong-generalization protocol on MovieLens 100k (ratings >= 4, users with >= 5, 20 % of the
// users held out, 80/20 fold-in, mean of seeds 0..4), against the figures measured with numpy in
// ../shared/reference/frontier.md: popularity 0.207 / 0.331 / 0.267, EASE (λ = 200) 0.395 / 0.563
// / 0.460 (Recall@20 / Recall@50 / NDCG@100).
import { describe, expect, it } from 'vitest';
import { BPR, EASE, Hybrid, IALS, Popular, evaluateStrongGeneralization, strongGeneralizationSplit, toImplicit, type FactorModel, type StrongGeneralizationReport } from '../src/index.js';
import { loadRatingsFile } from '../src/node.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

describe.skipIf(!hasMl100k)(`strong generalization on ML-100k${ml100kNote}`, async () => {
  const data = hasMl100k ? toImplicit((await loadRatingsFile(`${ml100kDir}/u.data`)).dataset, { threshold: 4 }) : undefined;
  const splits = data ? [0, 1, 2, 3, 4].map((seed) => strongGeneralizationSplit(data, { seed })) : [];
  const mean = (make: () => FactorModel) => {
    const rows: StrongGeneralizationReport[] = splits.map((split) => {
      const model = make();
      model.fit(split.train);
      return evaluateStrongGeneralization(model, split);
    });
    const avg = (k: 'recall20' | 'recall50' | 'ndcg100') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
    return { recall20: avg('recall20'), recall50: avg('recall50'), ndcg100: avg('ndcg100') };
  };
  const show = (name: string, r: ReturnType<typeof mean>) => console.log(`${name}: ${r.recall20.toFixed(4)} / ${r.recall50.toFixed(4)} / ${r.ndcg100.toFixed(4)}`);

  let popular: ReturnType<typeof mean> | undefined;
  const pop = () => (popular ??= mean(() => new Popular()));

  it('popularity: about 0.207 / 0.267 (Recall@20 / NDCG@100), as numpy measured', () => {
    show('popular', pop());
    expect(Math.abs(pop().ndcg100 - 0.267)).toBeLessThan(0.02);
    expect(Math.abs(pop().recall20 - 0.207)).toBeLessThan(0.02);
  });

  let easeMean: ReturnType<typeof mean> | undefined;
  const easeOf = () => (easeMean ??= mean(() => new EASE()));

  it('EASE (λ = 200): NDCG@100 >= 0.45 and Recall@20 within 0.02 of numpy\'s 0.395', () => {
    const ease = easeOf();
    show('EASE', ease);
    expect(ease.ndcg100).toBeGreaterThanOrEqual(0.45);
    expect(Math.abs(ease.recall20 - 0.395)).toBeLessThan(0.02);
  });

  it('iALS (Rendle et al.\'s form, tuned defaults) is within 1 % of EASE on NDCG@100, as on ML-20M', { timeout: 120_000 }, () => {
    const ials = mean(() => new IALS());
    show('iALS', ials);
    expect(ials.ndcg100).toBeGreaterThanOrEqual(0.99 * easeOf().ndcg100);
  });

  it('BPR (fold-in by SGD on its own loss) and the hybrid rank at least 1.4x popularity on NDCG@100', { timeout: 120_000 }, () => {
    const bpr = mean(() => new BPR()), hybrid = mean(() => new Hybrid());
    show('BPR', bpr);
    show('hybrid', hybrid);
    expect(bpr.ndcg100).toBeGreaterThanOrEqual(1.4 * pop().ndcg100);
    expect(hybrid.ndcg100).toBeGreaterThanOrEqual(1.4 * pop().ndcg100);
  });
});
