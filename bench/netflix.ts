// The Netflix-size run of issue 17: the generated set of the Netflix Prize's shape (NETFLIX_SCALE:
// 100,480,507 ratings, 480,189 users, 17,770 items, its skew) written as a 2.4 GB text file when
// missing, then loaded and an SVD (k=100) fitted from it in a fresh process, whose peak RSS is the
// whole run's — loading, the fit, everything — read from process.resourceUsage().maxRSS.
//   npm run bench -- --suite netflix [--json] [--threads 2] [--epochs 3] [--k 100]
//                    [--ratings N (a smaller set of the same shape)] [--file F] [--copy]
// --copy loads into plain arrays (the fit then copies them into wasm memory), for comparison with
// the default, which loads in place (loadRatingsFile's inPlace). Progress goes to stderr.
import { existsSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateScaleRatings, NETFLIX_SCALE } from '../src/data/generate-scale.js';
import { loadRatingsFile, writeRatingsFile } from '../src/data/load-node.js';
import { strideFor } from '../src/engine/index.js';
import { SVD } from '../src/index.js';
import { flagValue, wholeFlag } from './bench-args.js';
import { childJson } from './child-json.js';
import { median } from './kernels.js';

export interface NetflixRun {
  ratings: number;
  users: number;
  items: number;
  threads: number;
  k: number;
  loadSeconds: number;
  /** Median epoch after the first (the first includes V8's tier-up); all of them below. */
  epochSeconds: number;
  epochSecondsAll: number[];
  fitSeconds: number;
  trainRmse: number[];
  peakRssBytes: number;
  inPlace: boolean;
  /** Where the peak goes: Node's own, the rows, the factors (fit and fitted copy), the seen index. */
  breakdown: Record<string, number>;
  notes: string[];
}

const args = process.argv.slice(2);

const whole = (name: string, fallback: number): number => wholeFlag(args, name, fallback);

/** The Netflix shape scaled to `ratings` (users in proportion, all 17,770 items while they fit). */
function shapeFor(ratings: number): { ratings: number; users: number; items: number; itemSkew: number; minPerUser: number } {
  const users = Math.max(1, Math.round((NETFLIX_SCALE.users * ratings) / NETFLIX_SCALE.ratings));
  return { ...NETFLIX_SCALE, ratings, users, items: Math.min(NETFLIX_SCALE.items, ratings) };
}

async function ensureFile(path: string, ratings: number): Promise<Record<string, number> | null> {
  if (existsSync(path)) return null;
  const t0 = performance.now();
  process.stderr.write(`generating ${ratings} ratings of the Netflix shape ...\n`);
  const data = generateScaleRatings({ ...shapeFor(ratings), seed: 17 });
  const t1 = performance.now();
  process.stderr.write(`writing ${path} ...\n`);
  await writeRatingsFile(path, data);
  return { generateSeconds: (t1 - t0) / 1000, writeSeconds: (performance.now() - t1) / 1000 };
}

async function child(file: string, k: number, threads: number, epochs: number, inPlace: boolean): Promise<void> {
  const baselineRssBytes = process.memoryUsage().rss;
  const t0 = performance.now();
  const { dataset } = await loadRatingsFile(file, { inPlace });
  const loadSeconds = (performance.now() - t0) / 1000;
  const loadPeakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stderr.write(`loaded ${dataset.size} ratings in ${loadSeconds.toFixed(1)} s (peak RSS so far ${(loadPeakRssBytes / 2 ** 20).toFixed(0)} MiB)\n`);
  const model = new SVD({ factors: k, epochs, threads, lrAll: 0.005, regAll: 0.02 });
  const fit = model.fit(dataset, {
    onEpoch: (e) => void process.stderr.write(`epoch ${e.epoch}: ${e.seconds.toFixed(2)} s, train RMSE ${e.trainRmse.toFixed(5)}\n`),
  });
  const all = fit.epochs.map((e) => e.seconds);
  const n = dataset.size, users = dataset.userCount, items = dataset.itemCount;
  const factorBytes = (users + items) * (strideFor(k) + 1) * 4;
  const run: NetflixRun = {
    ratings: n, users, items, threads: fit.threads ?? 1, k, loadSeconds,
    epochSeconds: median(all.length > 1 ? all.slice(1) : all), epochSecondsAll: all, fitSeconds: fit.fitSeconds,
    trainRmse: fit.epochs.map((e) => e.trainRmse), peakRssBytes: process.resourceUsage().maxRSS * 1024, inPlace,
    breakdown: {
      baselineRssBytes, loadPeakRssBytes, ratingsBytes: 12 * n, ratingsCopyBytes: inPlace ? 0 : 12 * n,
      fitFactorBytes: factorBytes, fittedFactorBytes: factorBytes, seenBytes: (users + 1) * 4 + n * (items <= 0x10000 ? 2 : 4),
    },
    notes: fit.notes ?? [],
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

/** One run in a child process (an honest peak RSS). */
export function netflixRun(file: string, k: number, threads: number, epochs: number, inPlace: boolean): NetflixRun {
  return childJson<NetflixRun>(`the Netflix-size run (${threads} threads)`, fileURLToPath(import.meta.url), ['--child', file, String(k), String(threads), String(epochs), String(inPlace)]);
}

export async function runNetflixSuite(argv: readonly string[]): Promise<void> {
  const ratings = whole('--ratings', NETFLIX_SCALE.ratings);
  const file = flagValue(argv, '--file') ?? (ratings === NETFLIX_SCALE.ratings ? '/tmp/netflix100m.tsv' : `/tmp/netflix${ratings}.tsv`);
  const k = whole('--k', 100), threads = whole('--threads', 2), epochs = whole('--epochs', 3);
  const generated = await ensureFile(file, ratings);
  const loadBefore = loadavg()[0];
  const run = netflixRun(file, k, threads, epochs, !argv.includes('--copy'));
  const report = {
    ...run,
    file, fileBytes: statSync(file).size, generated,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(), node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] },
  };
  if (argv.includes('--json')) {
    console.log(JSON.stringify(report));
    return;
  }
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  console.log(`${run.ratings} ratings (${run.users} users x ${run.items} items) from ${file}, SVD k=${k}, ${run.threads} thread(s), ${run.inPlace ? 'loaded in place' : 'copied'}:`);
  console.log(`  load ${run.loadSeconds.toFixed(1)} s; epoch ${run.epochSeconds.toFixed(2)} s (all: ${run.epochSecondsAll.map((s) => s.toFixed(2)).join(', ')}); fit ${run.fitSeconds.toFixed(1)} s`);
  console.log(`  train RMSE ${run.trainRmse.map((r) => r.toFixed(5)).join(', ')}; peak RSS ${mib(run.peakRssBytes)}`);
  console.log(`  ${Object.entries(run.breakdown).map(([key, b]) => `${key} ${mib(b)}`).join(', ')}`);
  for (const note of run.notes) console.log(`  note: ${note}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = args.indexOf('--child');
  if (at >= 0) {
    const [file, k, threads, epochs, inPlace] = args.slice(at + 1);
    await child(file, Number(k), Number(threads), Number(epochs), inPlace === 'true');
  } else {
    await runNetflixSuite(args);
  }
}
