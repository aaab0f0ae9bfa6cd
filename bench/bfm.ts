// The Bayesian FM's Gibbs sampler: sweeps per second on the wasm engine against the js engine in
// the same run (same sampler, same data, same seed), at several k, on MovieLens 100k u1.base when
// it is beside the repo (else generated data of its size), and the fit time of the defaults.
//
//   npx tsx bench/bfm.ts [--json] [--sweeps 40] [--dir path/to/ml-100k]
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BayesianFM, generateRatings, type Dataset } from '../src/index.js';
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

/** Median seconds per sweep after burn-in (the first sweeps warm the JIT and tier up the wasm). */
function secondsPerSweep(engine: 'wasm' | 'js', k: number): number {
  const { epochs } = new BayesianFM({ factors: k, samples: sweeps, burnIn: 5, engine }).fit(data);
  const s = epochs.slice(5).map((e) => e.seconds).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows = [10, 32, 64].map((k) => {
  const wasm = secondsPerSweep('wasm', k), js = secondsPerSweep('js', k);
  return { k, wasmSweepsPerSecond: 1 / wasm, jsSweepsPerSecond: 1 / js, ratio: js / wasm };
});
const t0 = performance.now();
new BayesianFM().fit(data);
const defaultsFitSeconds = (performance.now() - t0) / 1000;
const report = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(), node: process.version },
  data: { source, ratings: data.size, users: data.userCount, items: data.itemCount },
  sweeps, rows, defaults: { factors: 10, samples: 200, fitSeconds: defaultsFitSeconds },
};
if (args.includes('--json')) {
  console.log(JSON.stringify(report));
} else {
  console.log(`${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}; ${source}\n`);
  console.log('| k | wasm sweeps/s | js sweeps/s | wasm / js |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.k} | ${r.wasmSweepsPerSecond.toFixed(1)} | ${r.jsSweepsPerSecond.toFixed(1)} | ${r.ratio.toFixed(1)}x |`);
  console.log(`\ndefaults (k=10, 200 sweeps): fit ${defaultsFitSeconds.toFixed(2)} s`);
}
