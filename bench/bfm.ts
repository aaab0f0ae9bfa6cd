// The Bayesian FM's Gibbs samplers: sweeps per second on the wasm engine against the js engine in
// the same run (same sampler, same data, same seed), at several k, on MovieLens 100k u1.base when
// it is beside the repo (else generated data of its size): the row sampler (ids alone) and the
// relation-block sampler (with the user and item bags). Then how a sweep's cost grows with the
// ratings and the bag sizes, ids alone against ids and bags (k=10, wasm): generated data of
// 2,000 users x 1,000 items at 50k, 100k and 200k ratings (each bag doubles with the ratings), and
// 100k ratings over 1,000 items and 500, 2,000 or 8,000 users (the users' bags 200, 50 or 12
// items); and the fit time of the defaults (ids and the user bag) and of plain Bayesian MF (ids alone).
//
//   npx tsx bench/bfm.ts [--json] [--sweeps 40] [--dir path/to/ml-100k]
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BayesianFM, generateRatings, type BfmBag, type Dataset } from '../src/index.js';
import { loadRatingsFile } from '../src/node.js';
import { flagValue } from './bench-args.js';

const args = process.argv.slice(2);
const sweeps = Number(flagValue(args, '--sweeps') ?? 40);
const dir = flagValue(args, '--dir') ?? fileURLToPath(new URL('../../shared/data/ml-100k', import.meta.url));
const base = `${dir}/u1.base`;
const data: Dataset = existsSync(base)
  ? (await loadRatingsFile(base)).dataset
  : generateRatings({ users: 943, items: 1682, ratings: 80_000, minPerUser: 20, seed: 1 });
const source = existsSync(base) ? 'ML-100k u1.base' : 'generated, 943 x 1682, 80,000 ratings';

/**
 * Median seconds per sweep after burn-in (the first sweeps warm the JIT and tier up the wasm), on
 * one thread unless said: the wasm/js ratios compare one thread with one.
 */
function secondsPerSweep(engine: 'wasm' | 'js', k: number, bags: BfmBag[] = [], on: Dataset = data, count = sweeps, threads = 1): number {
  const { epochs } = new BayesianFM({ factors: k, samples: count, burnIn: 5, engine, bags, threads }).fit(on);
  const s = epochs.slice(5).map((e) => e.seconds).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows = (['ids', 'bags'] as const).flatMap((sampler) => [10, 32, 64].map((k) => {
  const bags: BfmBag[] = sampler === 'bags' ? ['user', 'item'] : [];
  const wasm = secondsPerSweep('wasm', k, bags), js = secondsPerSweep('js', k, bags, data, sampler === 'bags' ? Math.min(sweeps, 12) : sweeps);
  return { sampler, k, wasmSweepsPerSecond: 1 / wasm, jsSweepsPerSecond: 1 / js, ratio: js / wasm };
}));

// The row sampler on two threads (same bits as one): sweeps per second at k=32, one against two.
const twoThreads = { k: 32, oneThread: 1 / secondsPerSweep('wasm', 32), twoThreads: 1 / secondsPerSweep('wasm', 32, [], data, sweeps, 2) };

// Cost against size: a plain FM visits each rating's whole feature vector (2 ids and both bags),
// relation blocks each bag entry once per block row.
const shapes = [
  ...[50_000, 100_000, 200_000].map((ratings) => ({ users: 2000, ratings })),
  ...[500, 8000].map((users) => ({ users, ratings: 100_000 })),
];
const scaling = shapes.map(({ users, ratings }) => {
  const d = generateRatings({ users, items: 1000, ratings, minPerUser: 5, seed: 3 });
  const ids = secondsPerSweep('wasm', 10, [], d, 15), bags = secondsPerSweep('wasm', 10, ['user', 'item'], d, 15);
  const meanBag = d.size / d.userCount + d.size / d.itemCount;
  return { ratings: d.size, users: d.userCount, items: d.itemCount, meanBagEntriesPerRating: meanBag, idsSecondsPerSweep: ids, bagsSecondsPerSweep: bags, plainFmEntriesPerSweep: d.size * (2 + meanBag), blockEntriesPerSweep: 4 * d.size + d.userCount + d.itemCount };
});
const fitSeconds = (options: { bags?: BfmBag[] }) => {
  const t0 = performance.now();
  new BayesianFM(options).fit(data);
  return (performance.now() - t0) / 1000;
};
const defaultsFitSeconds = fitSeconds({}), plainFitSeconds = fitSeconds({ bags: [] });
const report = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(), node: process.version },
  data: { source, ratings: data.size, users: data.userCount, items: data.itemCount },
  sweeps, rows, twoThreads, scaling, defaults: { factors: 10, samples: 200, bags: ['user'], fitSeconds: defaultsFitSeconds }, plain: { bags: [], fitSeconds: plainFitSeconds },
};
if (args.includes('--json')) {
  console.log(JSON.stringify(report));
} else {
  console.log(`${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}; ${source}\n`);
  console.log('| sampler | k | wasm sweeps/s | js sweeps/s | wasm / js |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.sampler} | ${r.k} | ${r.wasmSweepsPerSecond.toFixed(1)} | ${r.jsSweepsPerSecond.toFixed(1)} | ${r.ratio.toFixed(1)}x |`);
  console.log(`\nids, k=${twoThreads.k}: ${twoThreads.oneThread.toFixed(1)} sweeps/s on one thread, ${twoThreads.twoThreads.toFixed(1)} on two (the same bits)`);
  console.log('\n| ratings | users x items | bag entries per rating | ids s/sweep | ids + bags s/sweep | bags / ids |\n|---|---|---|---|---|---|');
  for (const r of scaling) console.log(`| ${r.ratings} | ${r.users} x ${r.items} | ${r.meanBagEntriesPerRating.toFixed(0)} | ${r.idsSecondsPerSweep.toFixed(4)} | ${r.bagsSecondsPerSweep.toFixed(4)} | ${(r.bagsSecondsPerSweep / r.idsSecondsPerSweep).toFixed(1)}x |`);
  console.log(`\ndefaults (k=10, 200 sweeps, the user bag): fit ${defaultsFitSeconds.toFixed(2)} s; ids alone: ${plainFitSeconds.toFixed(2)} s`);
}
