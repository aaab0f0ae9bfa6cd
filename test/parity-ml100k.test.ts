// Parity with Surprise 1.1.4 on MovieLens 100k's five standard folds (published figures from
// ../shared/reference/surprise-ml100k.md, measured with random_state=0).
import { describe, expect, it } from 'vitest';
import { loadFolds } from '../src/data/load-node.js';
import { crossValidate } from '../src/eval/cross-validate.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import { MF } from '../src/index.js';
import { createModel } from '../src/index.js';
import { SVD } from '../src/index.js';
import { groupRows } from '../src/data/group.js';
import { Random } from '../src/util/random.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

const SURPRISE = {
  svd: { rmse: 0.938, mae: 0.739, folds: [0.9513, 0.9423, 0.9309, 0.9322, 0.9332] },
  mf: { rmse: 0.9524 },
};

describe.skipIf(!hasMl100k)(`Surprise parity on ML-100k u1..u5${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];

  it('SVD defaults, Surprise order (and its init): every fold within 0.0002 of Surprise', () => {
    const cv = crossValidate(() => new SVD({ order: 'fixed' }), folds);
    cv.folds.forEach((f, k) => expect(Math.abs(f.rmse - SURPRISE.svd.folds[k])).toBeLessThan(0.0002));
  });

  it.each(['wasm', 'js'] as const)('%s engine reproduces Surprise\'s own predictions for user 1 on u1', (engine) => {
    // Surprise 1.1.4, SVD(random_state=0) fit on u1.base: user "1", items of the first u1.test rows.
    const expected: Record<string, number> = {
      6: 3.525783, 10: 3.940957, 12: 4.154483, 14: 4.010759, 17: 3.638823,
      20: 3.292661, 23: 4.126081, 24: 3.294283, 27: 3.31, 31: 3.915485,
    };
    const model = new SVD({ order: 'fixed', seed: 0, engine });
    model.fit(folds[0].train);
    for (const [item, estimate] of Object.entries(expected)) {
      expect(Math.abs(model.predict('1', item).estimate - estimate)).toBeLessThan(1e-5);
    }
  });

  it('SVD defaults, shuffled: mean RMSE and MAE within 0.004 of Surprise', () => {
    const cv = crossValidate(() => new SVD(), folds);
    expect(Math.abs(cv.mean.rmse - SURPRISE.svd.rmse)).toBeLessThan(0.004);
    expect(Math.abs(cv.mean.mae - SURPRISE.svd.mae)).toBeLessThan(0.004);
  });

  it('SVD initialization is at least as good as random initialization', () => {
    const random = crossValidate(() => new SVD(), folds).mean.rmse;
    const svd = crossValidate(() => new SVD({ init: 'svd' }), folds).mean.rmse;
    expect(svd).toBeLessThanOrEqual(random);
  }, 60_000);

  it('the recommended preset reaches mean RMSE 0.910 or lower (Surprise\'s best: SVD++ 0.9218)', () => {
    const cv = crossValidate(() => createModel({ preset: 'recommended' }), folds);
    expect(cv.mean.rmse).toBeLessThanOrEqual(0.91);
  }, 120_000);

  it('plain MF, shuffled: mean RMSE within 0.006 of Surprise\'s biased=False', () => {
    const cv = crossValidate(() => new MF(), folds);
    expect(Math.abs(cv.mean.rmse - SURPRISE.mf.rmse)).toBeLessThan(0.006);
  });
});

describe.skipIf(!hasMl100k)(`top-N on ML-100k u1 against the reference${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];
  it('SVD defaults, Surprise order: full-catalogue and FAQ protocols reproduce the published figures', () => {
    const model = new SVD({ order: 'fixed' });
    model.fit(folds[0].train);
    const full = evaluateModelRanking(model, folds[0].train, folds[0].test, { protocol: 'full' });
    expect(full.users).toBe(456);
    expect(Math.abs(full.precision - 0.1303)).toBeLessThan(0.0005);
    expect(Math.abs(full.recall - 0.0477)).toBeLessThan(0.0005);
    expect(Math.abs(full.ndcg - 0.1376)).toBeLessThan(0.0005);
    const faq = evaluateModelRanking(model, folds[0].train, folds[0].test, { protocol: 'faq' });
    expect(faq.users).toBe(459);
    expect(Math.abs(faq.precision - 0.7138)).toBeLessThan(0.0005);
    expect(Math.abs(faq.recall - 0.2424)).toBeLessThan(0.0005);
    expect(Math.abs(faq.ndcg - 0.8334)).toBeLessThan(0.0005);
  });
});

describe.skipIf(!hasMl100k)(`fold-in on ML-100k u1${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];
  it('10 ratings folded in give a recall@10 within 20% of the same users trained with them', () => {
    const { train: base, test } = folds[0];
    const random = new Random(7);
    const { start, rows } = groupRows(base.userIndex, base.userCount);
    const held = new Map<number, number[]>(); // every 4th user with >= 30 ratings -> 10 of their rows
    for (let u = 0; u < base.userCount; u += 4) {
      if (start[u + 1] - start[u] < 30) continue;
      const r = Array.from(rows.subarray(start[u], start[u + 1]));
      random.shuffle(r);
      held.set(u, r.slice(0, 10));
    }
    const withTen = new Set([...held.values()].flat());
    const all = Array.from({ length: base.size }, (_, t) => t);
    const without = base.subset(all.filter((t) => !held.has(base.userIndex[t])));
    const trainedIn = base.subset(all.filter((t) => !held.has(base.userIndex[t]) || withTen.has(t)));
    const folded = new SVD();
    folded.fit(without);
    const trained = new SVD();
    trained.fit(trainedIn);
    const relevant = new Map<string, Set<string>>();
    for (let t = 0; t < test.size; t++) {
      if (test.ratings[t] < 4) continue;
      const u = test.users.raw[test.userIndex[t]];
      if (!relevant.has(u)) relevant.set(u, new Set());
      relevant.get(u)!.add(test.items.raw[test.itemIndex[t]]);
    }
    let recallFolded = 0, recallTrained = 0, users = 0;
    for (const [u, ten] of held) {
      const user = base.users.raw[u], rel = relevant.get(user);
      if (!rel) continue;
      folded.foldIn(ten.map((t) => [base.items.raw[base.itemIndex[t]], base.ratings[t]] as const), { user });
      const hits = (model: SVD) => model.recommend(user, { n: 10 }).filter((r) => rel.has(r.item)).length / rel.size;
      recallFolded += hits(folded);
      recallTrained += hits(trained);
      users++;
    }
    expect(users).toBeGreaterThan(50);
    console.log(`fold-in recall@10 ${(recallFolded / users).toFixed(4)} vs trained ${(recallTrained / users).toFixed(4)} over ${users} users`);
    expect(Math.abs(recallFolded / recallTrained - 1)).toBeLessThanOrEqual(0.2);
  }, 60_000);
});
