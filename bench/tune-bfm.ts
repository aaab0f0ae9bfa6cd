// The search behind `--preset accurate`: Bayesian FM settings scored on validation holdouts of the
// MovieLens 100k training folds only (10 % of each uN.base, seeded; the uN.test files are never
// read). It prints one JSON line per setting and fold, then the pick: the cheapest setting whose
// mean validation RMSE is within --margin of the best, cost being sweeps x factors (the fit time
// on a quiet machine is about proportional; timings on these shared machines are too noisy to
// rank by).
//
//   npx tsx bench/tune-bfm.ts [--dir path/to/ml-100k] [--folds u1,u2] [--margin 0.001] [--only day]
//
// --only NAME runs the settings whose name contains NAME (e.g. "k=16" or "day").
import { fileURLToPath } from 'node:url';
import { BayesianFM, holdoutSplit, evaluate, type BfmOptions } from '../src/index.js';
import { loadMl100kFeatures, loadRatingsFile } from '../src/node.js';
import { flagValue } from './bench-args.js';

const args = process.argv.slice(2);
const dir = flagValue(args, '--dir') ?? fileURLToPath(new URL('../../shared/data/ml-100k', import.meta.url));
const folds = (flagValue(args, '--folds') ?? 'u1,u2').split(',');
const margin = Number(flagValue(args, '--margin') ?? 0.001);
const only = flagValue(args, '--only');

interface Setting {
  name: string;
  options: BfmOptions;
  attributes: boolean;
}

const settings: Setting[] = [];
for (const samples of [200, 300, 500]) {
  settings.push({ name: `ids, ${samples} samples`, options: { samples }, attributes: false });
  settings.push({ name: `bags, ${samples} samples`, options: { samples, bags: ['user', 'item'] }, attributes: false });
  settings.push({ name: `bags + attributes, ${samples} samples`, options: { samples, bags: ['user', 'item'] }, attributes: true });
}
for (const factors of [16, 32]) settings.push({ name: `bags + attributes, k=${factors}, 300 samples`, options: { factors, samples: 300, bags: ['user', 'item'] }, attributes: true });
// The rating's day (myFM's "rating day") on top of the pick so far, Gaussian and ordinal.
settings.push({ name: 'bags + attributes + day, k=10, 200 samples', options: { samples: 200, bags: ['user', 'item'], time: true }, attributes: true });
for (const samples of [200, 300]) settings.push({ name: `bags + attributes + day, k=16, ${samples} samples`, options: { factors: 16, samples, bags: ['user', 'item'], time: true }, attributes: true });
settings.push({ name: 'bags + attributes + day + ordinal, k=16, 300 samples', options: { factors: 16, samples: 300, bags: ['user', 'item'], time: true, ordinal: true }, attributes: true });
const chosen = only === undefined ? settings : settings.filter((s) => s.name.includes(only));

const { users, items } = await loadMl100kFeatures(dir);
const splits = await Promise.all(folds.map(async (fold) => {
  const base = (await loadRatingsFile(`${dir}/${fold}.base`, { timestamps: true })).dataset;
  return { fold, ...holdoutSplit(base, { testRatio: 0.1, seed: 7 }) };
}));

const results = chosen.map((s) => {
  const rows = splits.map(({ fold, train, test }) => {
    const model = new BayesianFM(s.options);
    const t0 = performance.now();
    model.fit(train, s.attributes ? { userFeatures: users, itemFeatures: items } : {});
    const seconds = (performance.now() - t0) / 1000;
    const { rmse } = evaluate(model, test);
    const row = { setting: s.name, fold, validationRmse: rmse, fitSeconds: seconds };
    console.log(JSON.stringify(row));
    return row;
  });
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  const cost = (s.options.samples ?? 200) * (s.options.factors ?? 10);
  return { setting: s.name, options: s.options, attributes: s.attributes, cost, validationRmse: mean((r) => r.validationRmse), fitSeconds: mean((r) => r.fitSeconds) };
});
const best = Math.min(...results.map((r) => r.validationRmse));
const pick = results.filter((r) => r.validationRmse <= best + margin).sort((a, b) => a.cost - b.cost || a.validationRmse - b.validationRmse)[0];
console.log(JSON.stringify({ results, best, margin, pick }, null, 2));
