// Honest tuning on the strong-generalization protocol (MovieLens 100k, ratings >= 4): for each
// outer split (seeds 0..2) the training users are split again (seed 1000 + s, 20 % validation
// users, 80/20 histories), every setting is fitted on the inner training users and scored on the
// validation users; the test users are never seen. The pick is the cheapest setting (factors x
// epochs) within 0.002 of the best mean validation NDCG@100; it is then fitted on each outer
// training set and scored on the held-out test users (seeds 0..4), as the README reports.
//
//   npx tsx bench/tune-strong.ts --model ials --grid "factors=64;alpha0=0.1,0.3;reg=0.003,0.01;nu=1;epochs=16" [--dir ml-100k] [--json]
//   npx tsx bench/tune-strong.ts --model ease --grid "reg=100,200,400"
import { toImplicit } from '../src/data/implicit.js';
import { loadRatingsFile } from '../src/data/load-node.js';
import { createModel, evaluateStrongGeneralization, strongGeneralizationSplit, type ModelKind, type ModelSpec } from '../src/index.js';
import { flagValue, ml100kDirArg } from './bench-args.js';

const args = process.argv.slice(2);
const model = (flagValue(args, '--model') ?? 'ials') as ModelKind;
const grid = (flagValue(args, '--grid') ?? '').split(';').filter(Boolean).map((part) => {
  const [key, values] = part.split('=');
  return [key, values.split(',').map(Number)] as const;
});
const settings: Record<string, number>[] = grid.reduce<Record<string, number>[]>((all, [key, values]) => all.flatMap((s) => values.map((v) => ({ ...s, [key]: v }))), [{}]);
const data = toImplicit((await loadRatingsFile(`${ml100kDirArg(args)}/u.data`)).dataset, { threshold: 4 });
const outer = [0, 1, 2, 3, 4].map((seed) => strongGeneralizationSplit(data, { seed }));
const inner = outer.slice(0, 3).map((split, s) => strongGeneralizationSplit(split.train, { seed: 1000 + s }));
const score = (spec: Record<string, number>, split: (typeof outer)[number]) => {
  const m = createModel({ model, ...spec } as ModelSpec);
  m.fit(split.train);
  return evaluateStrongGeneralization(m, split).ndcg100;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const results = settings.map((spec) => {
  const t0 = performance.now();
  const validation = mean(inner.map((split) => score(spec, split)));
  const row = { spec, validation, seconds: (performance.now() - t0) / 1000 / inner.length };
  if (!args.includes('--json')) console.log(JSON.stringify(spec), 'validation NDCG@100', validation.toFixed(4), `${row.seconds.toFixed(1)} s a fit`);
  return row;
});
const best = Math.max(...results.map((r) => r.validation));
const cost = (s: Record<string, number>) => (s.factors ?? 1) * (s.epochs ?? 1);
const pick = results.filter((r) => r.validation >= best - 0.002).sort((a, b) => cost(a.spec) - cost(b.spec) || b.validation - a.validation)[0];
const test = outer.map((split) => score(pick.spec, split));
const report = { model, best, pick: pick.spec, pickValidation: pick.validation, testNdcg100: mean(test), testBySeed: test, results };
if (args.includes('--json')) console.log(JSON.stringify(report));
else console.log(`pick ${JSON.stringify(pick.spec)} (validation ${pick.validation.toFixed(4)}, best ${best.toFixed(4)}): test NDCG@100 ${mean(test).toFixed(4)} (${test.map((x) => x.toFixed(4)).join(' ')})`);
