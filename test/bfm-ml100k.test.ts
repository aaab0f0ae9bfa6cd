// The Bayesian FM on MovieLens 100k's five folds: with nothing tuned, plain Bayesian MF (user and
// item ids, rank 10, 200 sweeps) beats SVD defaults by at least 0.01 on every fold (Surprise's
// figures, which the parity tests reproduce), as the issue asks; myFM reports 0.893–0.895 on u3.
import { describe, expect, it } from 'vitest';
import { BayesianFM, crossValidate, evaluate, FactorModel, type BfmFitOptions, type BfmOptions } from '../src/index.js';
import { loadFolds, loadMl100kFeatures, loadRatingsFile } from '../src/node.js';
import { Random } from '../src/util/random.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

/** Surprise 1.1.4's SVD defaults, folds u1..u5 (test/parity-ml100k.test.ts reproduces them to 2e-4). */
const SURPRISE_SVD_FOLDS = [0.9513, 0.9423, 0.9309, 0.9322, 0.9332];

describe.skipIf(!hasMl100k)(`BayesianFM on ML-100k u1..u5${ml100kNote}`, () => {
  it('plain Bayesian MF (ids only, rank 10, 200 sweeps) is at least 0.01 better than SVD defaults on every fold', async () => {
    const folds = await loadFolds(ml100kDir);
    const cv = crossValidate(() => new BayesianFM({ bags: [] }), folds);
    console.log(`plain Bayesian MF, u1..u5: ${cv.folds.map((f) => f.rmse.toFixed(4)).join(', ')}; mean ${cv.mean.rmse.toFixed(4)} / ${cv.mean.mae.toFixed(4)}`);
    cv.folds.forEach((f, k) => expect(f.rmse, f.name).toBeLessThan(SURPRISE_SVD_FOLDS[k] - 0.01));
    expect(cv.mean.rmse).toBeLessThan(0.9);
  }, 120_000);
});

describe.skipIf(!hasMl100k)(`BayesianFM with bags and attributes on ML-100k u1${ml100kNote}`, () => {
  it("the user and item bags and u.user/u.item attributes (the accurate preset's groups) beat GLocal-K's 0.8889 on u1, the bags alone beat ids alone by 0.01, and the defaults (the user bag) beat ids alone", async () => {
    const [u1] = await loadFolds(ml100kDir);
    const { users, items } = await loadMl100kFeatures(ml100kDir);
    const rmse = (options: BfmOptions, fit: BfmFitOptions = {}) => {
      const model = new BayesianFM(options);
      model.fit(u1.train, fit);
      return evaluate(model, u1.test).rmse;
    };
    const ids = rmse({ bags: [] });
    const defaults = rmse({}); // the user bag
    const bags = rmse({ bags: ['user', 'item'] });
    const all = rmse({ samples: 300, bags: ['user', 'item'] }, { userFeatures: users, itemFeatures: items });
    console.log(`BayesianFM u1: ids ${ids.toFixed(4)}, defaults (user bag) ${defaults.toFixed(4)}, both bags ${bags.toFixed(4)}, bags + attributes ${all.toFixed(4)}`);
    expect(defaults).toBeLessThan(ids);
    expect(bags).toBeLessThan(ids - 0.01);
    expect(all).toBeLessThan(0.8889);
  }, 180_000);
});

describe.skipIf(!hasMl100k)(`BayesianFM fold-in with the new user's bag on ML-100k${ml100kNote}`, () => {
  it("new users folded in with half their ratings: using their bag predicts the other half better than the bag-less fold-in", async () => {
    const { dataset: all } = await loadRatingsFile(`${ml100kDir}/u.data`);
    const random = new Random(1);
    const newcomers = new Set(all.users.raw.filter(() => random.nextFloat() < 0.1));
    const trainRows: number[] = [], given = new Map<string, [string, number][]>(), held: [string, string, number][] = [];
    for (let t = 0; t < all.size; t++) {
      const u = all.users.raw[all.userIndex[t]], i = all.items.raw[all.itemIndex[t]], r = all.ratings[t];
      if (!newcomers.has(u)) trainRows.push(t);
      else if (random.nextFloat() < 0.5) given.set(u, [...(given.get(u) ?? []), [i, r]]);
      else held.push([u, i, r]);
    }
    // 20 served samples: fold-in solves a (k·S + 1)-square system per user, 201 here.
    const model = new BayesianFM({ samples: 100, servingSamples: 20 }); // the default user bag
    model.fit(all.subset(trainRows));
    const noBag = FactorModel.fromState({ ...model.toState(), bag: undefined });
    const heldRmse = (m: FactorModel) => {
      for (const [u, ratings] of given) m.foldIn(ratings, { user: u });
      const kept = held.filter(([u]) => m.hasUser(u));
      const estimates = m.predictMany(kept.map(([u, i]) => [u, i] as const));
      return Math.sqrt(kept.reduce((s, [, , r], t) => s + (r - estimates[t]) ** 2, 0) / kept.length);
    };
    const withBag = heldRmse(model), without = heldRmse(noBag);
    console.log(`fold-in of ${given.size} new users: held-out RMSE ${withBag.toFixed(4)} with their bag, ${without.toFixed(4)} without`);
    expect(withBag).toBeLessThan(without - 0.003);
  }, 120_000);
});
