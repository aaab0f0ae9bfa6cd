// SVD defaults against the Bayesian FM (ids alone, and its defaults) on any ratings files, each
// on seeded 80/20 splits: the README's "Other data" table (FilmTrust, MovieLens latest small,
// Ciao). One JSON line per file, seed and model, then each file's means.
//
//   npx tsx bench/compare-data.ts FILE [FILE ...] [--seeds 1,2,3]
import { BayesianFM, evaluate, holdoutSplit, SVD, type FactorModel } from '../src/index.js';
import { loadRatingsFile } from '../src/node.js';
import { flagValue } from './bench-args.js';

const args = process.argv.slice(2);
const seeds = (flagValue(args, '--seeds') ?? '1,2,3').split(',').map(Number);
const files = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--seeds');
if (files.length === 0) throw new Error('give one or more ratings files');

const models: Record<string, (seed: number) => FactorModel> = {
  'SVD defaults': (seed) => new SVD({ seed }),
  'Bayesian MF (bags: [])': (seed) => new BayesianFM({ seed, bags: [] }),
  'BayesianFM defaults': (seed) => new BayesianFM({ seed }),
};

for (const file of files) {
  const { dataset, summary } = await loadRatingsFile(file);
  const rows = seeds.flatMap((seed) => {
    const { train, test } = holdoutSplit(dataset, { testRatio: 0.2, seed });
    return Object.entries(models).map(([model, make]) => {
      const m = make(seed);
      const t0 = performance.now();
      m.fit(train);
      const fitSeconds = (performance.now() - t0) / 1000;
      const row = { file, seed, model, ...evaluate(m, test), fitSeconds };
      console.log(JSON.stringify(row));
      return row;
    });
  });
  const means = Object.keys(models).map((model) => {
    const mine = rows.filter((r) => r.model === model);
    const mean = (f: (r: (typeof rows)[number]) => number) => mine.reduce((a, r) => a + f(r), 0) / mine.length;
    return { model, rmse: mean((r) => r.rmse), minRmse: Math.min(...mine.map((r) => r.rmse)), maxRmse: Math.max(...mine.map((r) => r.rmse)), mae: mean((r) => r.mae), fitSeconds: mean((r) => r.fitSeconds) };
  });
  console.log(JSON.stringify({ file, ratings: summary.ratings, users: summary.users, items: summary.items, scale: summary.scale, duplicates: summary.duplicates, means }));
}
