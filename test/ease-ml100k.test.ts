// EASE on MovieLens 100k: its ranking against popularity and ALS on u1 (ratings >= 4).
import { describe, expect, it } from 'vitest';
import { ALS, EASE, Popular, type FactorModel } from '../src/index.js';
import { toImplicit } from '../src/data/implicit.js';
import { loadFolds } from '../src/data/load-node.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

describe.skipIf(!hasMl100k)(`EASE on ML-100k${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];
  it('u1, ratings >= 4: EASE ranks better than popularity and at least as well as ALS (NDCG@10)', () => {
    const train = toImplicit(folds[0].train, { threshold: 4 });
    const score = (model: FactorModel) => {
      model.fit(train);
      return evaluateModelRanking(model, train, folds[0].test);
    };
    const ease = score(new EASE()), pop = score(new Popular()), als = score(new ALS());
    console.log(`u1 full protocol NDCG@10: EASE ${ease.ndcg.toFixed(4)} (P@10 ${ease.precision.toFixed(4)}); ALS ${als.ndcg.toFixed(4)}; popular ${pop.ndcg.toFixed(4)}`);
    expect(ease.ndcg).toBeGreaterThan(1.3 * pop.ndcg);
    expect(ease.ndcg).toBeGreaterThan(als.ndcg - 0.005);
  });
});
