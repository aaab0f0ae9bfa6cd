// The implicit-feedback figures the README reports, in one run on MovieLens 100k:
// - u1, ratings >= 4 as interactions, protocol 'full' (every item minus the user's items in
//   u1.base), relevant = test rating >= 4: BPR, ALS, EASE, Hybrid (identity features; with the ML-100k
//   attributes), Popular, and SVD ranked by predicted rating — the same figures as
//   `latentrec train --model X --implicit-threshold 4 --json`.
// - LightFM's MovieLens example (ua.base → ua.test, every rating an interaction, k=10, lr 0.05,
//   10 epochs) under two protocols: training items excluded (as above) and LightFM's own
//   (precision_at_k / auc_score called without train_interactions: training items stay in).
// - Cold start: coldItemsSplit(u1.base, 0.2, seed 0); AUC and precision@10 among the held-out items.
//   npx tsx bench/implicit-report.ts [--dir path/to/ml-100k] [--json]
import { ml100kDirArg } from './bench-args.js';
import type { Dataset } from '../src/data/dataset.js';
import { loadMl100kFeatures } from '../src/data/features-node.js';
import { toImplicit } from '../src/data/implicit.js';
import { loadRatingsFile } from '../src/data/load-node.js';
import { coldItemsSplit } from '../src/data/splits.js';
import { evaluateColdStart } from '../src/eval/cold-start.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import { ALS } from '../src/index.js';
import { BPR } from '../src/index.js';
import { EASE } from '../src/index.js';
import type { FactorModel } from '../src/index.js';
import { Hybrid, type HybridFitOptions } from '../src/index.js';
import { Popular } from '../src/index.js';
import { SVD } from '../src/index.js';

const args = process.argv.slice(2);
const dir = ml100kDirArg(args);
const load = async (name: string) => (await loadRatingsFile(`${dir}/${name}`)).dataset;
const features = await loadMl100kFeatures(dir);
const round = (x: number) => Math.round(x * 10000) / 10000;

function ranked(model: FactorModel, train: Dataset, fitData: Dataset, test: Dataset, relevance: number, fit: HybridFitOptions = {}, excludeTrain = true) {
  const t0 = performance.now();
  model.fit(fitData, fit);
  const seconds = (performance.now() - t0) / 1000;
  const r = evaluateModelRanking(model, excludeTrain ? train : train.subset([]), test, { k: 10, protocol: 'full', relevance });
  return { precision: round(r.precision), ndcg: round(r.ndcg), auc: round(r.auc), fitSeconds: round(seconds) };
}

const u1 = { train: await load('u1.base'), test: await load('u1.test') };
const u1Implicit = toImplicit(u1.train, { threshold: 4 });
const u1Rows = {
  bpr: ranked(new BPR(), u1.train, u1Implicit, u1.test, 4),
  als: ranked(new ALS(), u1.train, u1Implicit, u1.test, 4),
  ease: ranked(new EASE(), u1.train, u1Implicit, u1.test, 4),
  hybrid: ranked(new Hybrid(), u1.train, u1Implicit, u1.test, 4),
  hybridWithAttributes: ranked(new Hybrid(), u1.train, u1Implicit, u1.test, 4, { userFeatures: features.users, itemFeatures: features.items }),
  popular: ranked(new Popular(), u1.train, u1Implicit, u1.test, 4),
  svd: ranked(new SVD(), u1.train, u1.train, u1.test, 4),
};

const ua = { train: await load('ua.base'), test: await load('ua.test') };
const uaImplicit = toImplicit(ua.train, { threshold: 0 });
const lightfm = { factors: 10, epochs: 10, lr: 0.05 };
const lightfmRows = Object.fromEntries(
  (['excluded', 'lightfm'] as const).map((protocol) => [protocol, {
    hybridWarp: ranked(new Hybrid({ ...lightfm, loss: 'warp' }), ua.train, uaImplicit, ua.test, 0, {}, protocol === 'excluded'),
    bpr: ranked(new BPR(lightfm), ua.train, uaImplicit, ua.test, 0, {}, protocol === 'excluded'),
  }]),
);

const cold = coldItemsSplit(u1.train, { ratio: 0.2, seed: 0 });
const coldImplicit = toImplicit(cold.train, { threshold: 4 });
const coldModel = new Hybrid();
coldModel.fit(coldImplicit, { userFeatures: features.users, itemFeatures: features.items });
const c = evaluateColdStart(coldModel, cold.train, u1.test, cold.items, { k: 10, relevance: 4 });
const mf = new BPR();
mf.fit(coldImplicit);
const coldStart = {
  items: c.items, users: c.ranking?.users, auc: round(c.ranking!.auc), precision: round(c.ranking!.precision), ndcg: round(c.ranking!.ndcg),
  bprScorable: evaluateColdStart(mf, cold.train, u1.test, cold.items).scorable,
};

const report = { u1: u1Rows, lightfmExample: lightfmRows, coldStart };
if (args.includes('--json')) console.log(JSON.stringify(report));
else console.log(JSON.stringify(report, null, 2));
