// The LightFM-style hybrid on MovieLens 100k: LightFM's own MovieLens example (its published
// precision@10 and AUC), the u1 ranking against popularity, cold start by attributes, and
// attribute-only users after save/load. Skipped (visibly) without MovieLens.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../src/data/dataset.js';
import type { Features } from '../src/data/features.js';
import { loadMl100kFeatures } from '../src/data/features-node.js';
import { toImplicit } from '../src/data/implicit.js';
import { loadRatingsFile } from '../src/data/load-node.js';
import { coldItemsSplit } from '../src/data/splits.js';
import { evaluateColdStart } from '../src/eval/cold-start.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import { BPR } from '../src/index.js';
import { FactorModel } from '../src/index.js';
import { Hybrid } from '../src/index.js';
import { MF } from '../src/index.js';
import { Popular } from '../src/index.js';
import { hasMl100k, ml100kDir, ml100kNote } from './helpers.js';

/**
 * LightFM's MovieLens example (lyst/lightfm doc/examples/movielens_implicit.rst): 10 components,
 * learning rate 0.05, 10 epochs, fetch_movielens() = ua.base / ua.test with every rating an
 * interaction; test precision@10 and AUC over the test users. Printed to two decimals. Its
 * `precision_at_k(model, test)` and `auc_score(model, test)` get no train_interactions, so the
 * training items stay in the ranking (and crowd the top of it).
 */
const LIGHTFM = { bpr: { precision: 0.1, auc: 0.86 }, warp: { precision: 0.11, auc: 0.9 } };
/** Half a unit of the last printed digit. */
const PRINTED = 0.005;

interface Ml100k {
  ua: { train: Dataset; test: Dataset };
  u1: { train: Dataset; test: Dataset };
  users: Features;
  items: Features;
}

// Files are read in beforeAll: describe bodies run at collection time even when skipped.
let data: Ml100k;
beforeAll(async () => {
  if (!hasMl100k) return;
  const load = async (name: string) => (await loadRatingsFile(`${ml100kDir}/${name}`)).dataset;
  const [uaBase, uaTest, u1Base, u1Test, features] = await Promise.all([
    load('ua.base'), load('ua.test'), load('u1.base'), load('u1.test'), loadMl100kFeatures(ml100kDir),
  ]);
  data = { ua: { train: uaBase, test: uaTest }, u1: { train: u1Base, test: u1Test }, ...features };
});

describe.skipIf(!hasMl100k)(`Hybrid on MovieLens 100k${ml100kNote}`, () => {
  it('LightFM\'s MovieLens example: WARP and BPR reach LightFM\'s published precision@10 and AUC', () => {
    const { train, test } = data.ua;
    const interactions = toImplicit(train, { threshold: 0 });
    expect(interactions.size).toBe(train.size); // ua.base has no repeated (user, item)
    const warp = new Hybrid({ factors: 10, epochs: 10, lr: 0.05, loss: 'warp' });
    warp.fit(interactions);
    const bpr = new BPR({ factors: 10, epochs: 10, lr: 0.05 });
    bpr.fit(interactions);
    // As `latentrec train --implicit-threshold 0`: every rating relevant, the whole catalogue
    // ranked minus every item the user rated in training.
    const excluding = (model: FactorModel) => evaluateModelRanking(model, train, test, { k: 10, protocol: 'full', relevance: 0 });
    // As LightFM's example computes them: nothing excluded (an empty training set to exclude).
    const lightfm = (model: FactorModel) => evaluateModelRanking(model, train.subset([]), test, { k: 10, protocol: 'full', relevance: 0 });
    const [a, b, la, lb] = [excluding(warp), excluding(bpr), lightfm(warp), lightfm(bpr)];
    const f = (x: number) => x.toFixed(4);
    console.log(
      `ua, every rating, P@10 / AUC. Training items excluded: hybrid WARP ${f(a.precision)} / ${f(a.auc)}, BPR ${f(b.precision)} / ${f(b.auc)}. ` +
        `LightFM's protocol: WARP ${f(la.precision)} / ${f(la.auc)} (LightFM 0.11 / 0.90), BPR ${f(lb.precision)} / ${f(lb.auc)} (LightFM 0.10 / 0.86)`,
    );
    // ua.test holds 10 ratings of each of the 943 users, none of them in ua.base.
    for (const r of [a, b, la, lb]) expect(r.users).toBe(943);
    expect(a.skipped.trainItemRatings).toBe(0);
    // The CLI's protocol (the easier one: the user's training items never take a slot) ...
    expect(a.precision).toBeGreaterThanOrEqual(LIGHTFM.warp.precision);
    expect(a.auc).toBeGreaterThanOrEqual(LIGHTFM.warp.auc);
    expect(b.precision).toBeGreaterThanOrEqual(LIGHTFM.bpr.precision);
    expect(b.auc).toBeGreaterThanOrEqual(LIGHTFM.bpr.auc);
    // ... and LightFM's own, where the figures must match to the digits LightFM printed.
    expect(la.precision).toBeGreaterThanOrEqual(LIGHTFM.warp.precision - PRINTED);
    expect(la.auc).toBeGreaterThanOrEqual(LIGHTFM.warp.auc - PRINTED);
    expect(lb.precision).toBeGreaterThanOrEqual(LIGHTFM.bpr.precision - PRINTED);
    expect(lb.auc).toBeGreaterThanOrEqual(LIGHTFM.bpr.auc - PRINTED);
    // Excluding the training items only frees slots for test items.
    expect(a.precision).toBeGreaterThan(la.precision);
  });

  it('u1, ratings >= 4 as positives: the hybrid beats popularity on precision@10 and NDCG@10, with and without attributes', () => {
    const { train, test } = data.u1;
    const positives = toImplicit(train, { threshold: 4 });
    // As `latentrec train --implicit-threshold 4`: candidates are every item minus all the user's
    // training items (whatever their rating); relevant = a test rating >= 4.
    const ranking = (model: FactorModel) => evaluateModelRanking(model, train, test, { k: 10, protocol: 'full', relevance: 4 });
    const identity = new Hybrid();
    identity.fit(positives);
    const withAttributes = new Hybrid();
    withAttributes.fit(positives, { userFeatures: data.users, itemFeatures: data.items });
    const popular = new Popular();
    popular.fit(positives);
    const [a, f, p] = [ranking(identity), ranking(withAttributes), ranking(popular)];
    console.log(
      `u1, rating >= 4: hybrid P@10 ${a.precision.toFixed(4)} NDCG@10 ${a.ndcg.toFixed(4)}; with ML-100k attributes ` +
        `${f.precision.toFixed(4)} / ${f.ndcg.toFixed(4)}; popular ${p.precision.toFixed(4)} / ${p.ndcg.toFixed(4)}`,
    );
    // The attributes make every movie of u.item known, also the ones u1.base never rates.
    expect(withAttributes.itemIds.length).toBe(1682);
    expect(identity.itemIds.length).toBe(positives.itemCount);
    expect(a.users).toBe(p.users);
    for (const r of [a, f]) {
      expect(r.precision - p.precision).toBeGreaterThan(0.02);
      expect(r.ndcg - p.ndcg).toBeGreaterThan(0.02);
    }
  });

  it('cold start: items held out of u1.base rank by their attributes (AUC >= 0.65); models without item attributes cannot score them', () => {
    const { train: full, test } = data.u1;
    const { train, items } = coldItemsSplit(full, { ratio: 0.2, seed: 0 });
    expect(items.length).toBe(Math.ceil(0.2 * full.itemCount));
    const positives = toImplicit(train, { threshold: 4 });
    const hybrid = new Hybrid();
    hybrid.fit(positives, { userFeatures: data.users, itemFeatures: data.items });
    const report = evaluateColdStart(hybrid, train, test, items, { k: 10, relevance: 4 });
    console.log(
      `u1 cold start (${report.items} items, ${report.scorable} scorable, ${report.ranking?.users} users): ` +
        `AUC ${report.ranking?.auc.toFixed(4)}, P@10 ${report.ranking?.precision.toFixed(4)}`,
    );
    // Every movie has a row in u.item: all held-out items are scorable.
    expect(report.scorable).toBe(items.length);
    expect(report.ranking!.users).toBeGreaterThan(100);
    expect(report.ranking!.auc).toBeGreaterThanOrEqual(0.65);

    const mf = new MF();
    mf.fit(train);
    const plain = evaluateColdStart(mf, train, test, items, { k: 10, relevance: 4 });
    expect(plain).toEqual({ items: items.length, scorable: 0 });

    const usersOnly = new Hybrid({ factors: 16, epochs: 5 });
    usersOnly.fit(positives, { userFeatures: data.users });
    const noItemAttributes = evaluateColdStart(usersOnly, train, test, items, { k: 10, relevance: 4 });
    expect(noItemAttributes).toEqual({ items: items.length, scorable: 0 });
  });

  it('save and load: a user added by attributes gets the same vector and recommendations in both, the mean of its attribute embeddings', () => {
    const model = new Hybrid({ factors: 16, epochs: 5 });
    model.fit(toImplicit(data.u1.train, { threshold: 4 }), { userFeatures: data.users, itemFeatures: data.items });
    const loaded = FactorModel.load(model.save()) as Hybrid;
    expect(loaded).toBeInstanceOf(Hybrid);
    // The names exactly as ml100kUserFeatures builds them.
    const profile = ['gender:F', 'occupation:writer', 'age:25-34'];
    for (const name of profile) expect(model.featureNames.user).toContain(name);
    expect(model.hasUser('new')).toBe(false);
    model.addUser('new', profile);
    loaded.addUser('new', profile);
    const vector = model.userFactors('new')!;
    expect(vector).toHaveLength(16);
    expect(loaded.userFactors('new')).toEqual(vector);
    const top = model.recommend('new', { n: 10 });
    expect(top).toHaveLength(10);
    expect(loaded.recommend('new', { n: 10 })).toEqual(top);
    // Another way: with normalized weights (1/3 each) the vector is the mean of the three
    // attribute embeddings the saved state holds.
    const { names, factors } = model.toState().features!.user;
    const rows = profile.map((name) => names.indexOf(name));
    for (let c = 0; c < 16; c++) {
      expect(vector[c]).toBeCloseTo(rows.reduce((s, r) => s + factors[r * 16 + c], 0) / 3, 6);
    }
    // And the scores are b_i + r_u·r_i for that vector.
    const item = top[0].item;
    const q = model.itemFactors(item)!;
    expect(top[0].score).toBeCloseTo(model.itemBias(item)! + q.reduce((s, x, c) => s + x * vector[c], 0), 4);
  });
});
