// `npm run bench -- --suite full [--json]`: the speed-and-scale suite of issue 7, on the generated
// scale set (20M ratings, 200,000 users x 50,000 items, popularity skew; --ratings N for less).
//   kernels  updates/s per build (js, scalar, simd, relaxed) x threads (1, 2) x k (32, 64, 128)
//            x order (random, blocked), every build in the same run (bench/suite-kernels.ts);
//            relaxed SIMD in a child `node --experimental-wasm-relaxed-simd` (Node 20 needs the flag)
//   scale    SVD k=64 trained from the 20M-rating text file, 1 and 2 threads, each in a fresh
//            process: seconds per epoch and the whole run's peak RSS (bench/scale-fit.ts)
//   implicit ALS, iALS, BPR and the hybrid at k=64 on 2M generated interactions, 1 and 2 threads,
//            5 iterations, each fit in a fresh process: seconds per iteration (first and later),
//            set-up and fit seconds (bench/implicit-speed.ts)
//   ml100k   SVD defaults fit on MovieLens 100k u1.base (when ../shared is there): js, 1 and 2 threads
// JSON: {"machine", "kernels":[{k,variant,threads,order,updatesPerSec}], "scale":{ratings,k,threads,
// epochSeconds,peakRssBytes,...}, "scaleRuns":[...], "implicit":[{model,k,threads,secondsPerIteration,
// fitSeconds,...}], "ml100k"}; without --json, markdown tables.
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SCALE_DEFAULTS } from '../src/data/generate-scale.js';
import { loadRatingsFile } from '../src/data/load-node.js';
import { SVD } from '../src/index.js';
import { flagValue } from './bench-args.js';
import { childJson } from './child-json.js';
import { ensureScaleFile, scaleRun, type ScaleRun } from './scale-fit.js';
import type { SuiteKernelRow } from './suite-kernels.js';
import { implicitSpeedRows, implicitSpeedTable } from './implicit-speed.js';
import { median } from './kernels.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const ML100K = fileURLToPath(new URL('../../shared/data/ml-100k/', import.meta.url));

function kernelRows(variants: string, ratings: number, nodeFlags: string[] = []): SuiteKernelRow[] {
  const script = fileURLToPath(new URL('./suite-kernels.ts', import.meta.url));
  return childJson<SuiteKernelRow[]>(`kernel rows for ${variants}`, script, ['--variants', variants, '--ratings', String(ratings)], nodeFlags);
}

async function ml100kFits(): Promise<Record<string, number> | null> {
  if (!existsSync(`${ML100K}u1.base`)) return null;
  const { dataset } = await loadRatingsFile(`${ML100K}u1.base`);
  const seconds = (options: ConstructorParameters<typeof SVD>[0], runs: number) => {
    return median(Array.from({ length: runs }, () => new SVD(options).fit(dataset).fitSeconds));
  };
  return {
    ratings: dataset.size,
    jsFitSeconds: seconds({ engine: 'js' }, 2),
    wasmFitSeconds: seconds({ threads: 1 }, 5),
    wasm2ThreadsFitSeconds: seconds({ threads: 2 }, 5),
  };
}

export async function runSuite(args: readonly string[]): Promise<void> {
  const ratings = Number(flagValue(args, '--ratings') ?? SCALE_DEFAULTS.ratings);
  const file = flagValue(args, '--file') ?? (ratings === SCALE_DEFAULTS.ratings ? '/tmp/scale20m.tsv' : `/tmp/scale${ratings}.tsv`);
  const loadBefore = loadavg()[0];
  const kernels = [...kernelRows('js,scalar,simd', ratings), ...kernelRows('relaxed', ratings, [RELAXED_FLAG])];
  await ensureScaleFile(file, ratings);
  const scaleRuns: ScaleRun[] = [1, 2].map((threads) => scaleRun(file, 64, threads, 3));
  const two = scaleRuns[1];
  const report = {
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(), node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] },
    data: { ratings, users: SCALE_DEFAULTS.users, items: SCALE_DEFAULTS.items },
    kernels,
    scale: { ratings: two.ratings, k: two.k, threads: two.threads, epochSeconds: two.epochSeconds, peakRssBytes: two.peakRssBytes, loadSeconds: two.loadSeconds, bins: two.bins },
    scaleRuns,
    implicit: implicitSpeedRows(),
    ml100k: await ml100kFits(),
  };
  if (args.includes('--json')) {
    console.log(JSON.stringify(report));
    return;
  }
  console.log(`${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}; load average ${loadBefore.toFixed(2)} before, ${report.machine.loadAverageAfter.toFixed(2)} after\n`);
  console.log(suiteTable(kernels));
  for (const r of scaleRuns) {
    console.log(`\n${r.ratings} ratings from ${file}, SVD k=${r.k}, ${r.threads} thread(s), ${r.bins} bins: epoch ${r.epochSeconds.toFixed(2)} s, ` +
      `load ${r.loadSeconds.toFixed(1)} s, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  }
  console.log(`\n${implicitSpeedTable(report.implicit)}`);
  if (report.ml100k) console.log(`\nSVD defaults on ml-100k u1.base: ${JSON.stringify(report.ml100k)}`);
}

/** Updates/s in millions: one row per k and order, one column per build and thread count. */
export function suiteTable(rows: readonly SuiteKernelRow[]): string {
  const columns = [['js', 1], ['scalar', 1], ['simd', 1], ['simd', 2], ['relaxed', 1], ['relaxed', 2]] as const;
  const cell = (k: number, order: string, variant: string, threads: number) => {
    const row = rows.find((r) => r.k === k && r.order === order && r.variant === variant && r.threads === threads);
    return row ? `${(row.updatesPerSec / 1e6).toFixed(2)}M` : '–';
  };
  const keys = [...new Set(rows.map((r) => `${r.k}|${r.order}`))];
  return [
    `| k | order | ${columns.map(([v, t]) => `${v}${v === 'js' || v === 'scalar' ? '' : `, ${t} thread${t > 1 ? 's' : ''}`}`).join(' | ')} |`,
    `|---|---|${columns.map(() => '---').join('|')}|`,
    ...keys.map((key) => {
      const [k, order] = key.split('|');
      return `| ${k} | ${order} | ${columns.map(([v, t]) => cell(Number(k), order, v, t)).join(' | ')} |`;
    }),
  ].join('\n');
}
