// The 20M-rating run of issue 7: SVD (k=64, blocked SGD) trained from a ratings text file (loaded
// in place, on every core: issue 17) in a fresh process per thread count, so each peak RSS is the
// whole run's own — loading the file, the fit, everything — read from
// process.resourceUsage().maxRSS. The file (the generated scale
// set: 200,000 users, 50,000 items, popularity skew) is written first when it is missing.
//   npx tsx bench/scale-fit.ts [--file /tmp/scale20m.tsv] [--k 64] [--threads 1,2] [--epochs 3] [--json]
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateScaleRatings, SCALE_DEFAULTS } from '../src/data/generate-scale.js';
import { loadRatingsFile, writeRatingsFile } from '../src/data/load-node.js';
import { SVD } from '../src/index.js';
import { defaultGridSide, strideFor } from '../src/engine/index.js';
import { flagValue } from './bench-args.js';
import { childJson } from './child-json.js';
import { median } from './kernels.js';

export interface ScaleRun {
  ratings: number;
  users: number;
  items: number;
  k: number;
  threads: number;
  bins: number;
  loadSeconds: number;
  /** Seconds of each epoch; the first includes V8's baseline tier (see epochSeconds). */
  epochSecondsAll: number[];
  /** Median epoch after the first. */
  epochSeconds: number;
  updatesPerSec: number;
  fitSeconds: number;
  trainRmse: number[];
  peakRssBytes: number;
  notes: string[];
}

const DEFAULT_FILE = '/tmp/scale20m.tsv';

/** Writes the scale set to `path` unless it exists (a 485 MB file for the default 20M ratings). */
export async function ensureScaleFile(path: string = DEFAULT_FILE, ratings: number = SCALE_DEFAULTS.ratings): Promise<void> {
  if (existsSync(path)) return;
  await writeRatingsFile(path, generateScaleRatings({ ...SCALE_DEFAULTS, ratings }));
}

/** One run in a child process: load `file`, fit SVD with k factors on `threads` threads. */
export function scaleRun(file: string, k: number, threads: number, epochs: number): ScaleRun {
  return childJson<ScaleRun>(`the scale run (threads ${threads})`, fileURLToPath(import.meta.url), ['--child', file, String(k), String(threads), String(epochs)]);
}

async function child(file: string, k: number, threads: number, epochs: number): Promise<void> {
  const t0 = performance.now();
  const { dataset } = await loadRatingsFile(file, { inPlace: true });
  const loadSeconds = (performance.now() - t0) / 1000;
  const model = new SVD({ factors: k, epochs, threads, lrAll: 0.005, regAll: 0.02 });
  const fit = model.fit(dataset);
  const all = fit.epochs.map((e) => e.seconds);
  const later = all.length > 1 ? all.slice(1) : all;
  const epochSeconds = median(later);
  const run: ScaleRun = {
    ratings: dataset.size, users: dataset.userCount, items: dataset.itemCount, k, threads: fit.threads ?? 1, bins: model.options.bins ?? defaultGridSide(dataset.userCount, dataset.itemCount, strideFor(k)),
    loadSeconds, epochSecondsAll: all, epochSeconds, updatesPerSec: dataset.size / epochSeconds, fitSeconds: fit.fitSeconds,
    trainRmse: fit.epochs.map((e) => e.trainRmse), peakRssBytes: process.resourceUsage().maxRSS * 1024, notes: fit.notes ?? [],
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

const args = process.argv.slice(2);
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = args.indexOf('--child');
  if (at >= 0) {
    const [file, k, threads, epochs] = args.slice(at + 1);
    await child(file, Number(k), Number(threads), Number(epochs));
  } else {
    const file = flagValue(args, '--file') ?? DEFAULT_FILE;
    const k = Number(flagValue(args, '--k') ?? 64), epochs = Number(flagValue(args, '--epochs') ?? 3);
    const threads = (flagValue(args, '--threads') ?? '1,2').split(',').map(Number);
    await ensureScaleFile(file);
    const runs = threads.map((t) => scaleRun(file, k, t, epochs));
    if (args.includes('--json')) console.log(JSON.stringify(runs));
    else for (const r of runs) console.log(`${r.ratings} ratings, k=${r.k}, ${r.threads} thread(s): epoch ${r.epochSeconds.toFixed(2)} s (${(r.updatesPerSec / 1e6).toFixed(2)}M updates/s), load ${r.loadSeconds.toFixed(1)} s, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  }
}
