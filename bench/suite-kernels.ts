// The kernel rows of `npm run bench -- --suite full`: rating updates per second of one SGD epoch
// (biased MF) on the generated scale set (default 20M ratings, 200,000 users x 50,000 items),
// per build (js, scalar, simd, relaxed) x threads (1, 2; threads need a SIMD build) x k (32, 64,
// 128) x order: 'random' (one pass over the ratings fully shuffled once) or 'blocked' (what fits
// do by default: LIBMF's grid with the default bins, each block shuffled in the timed pass).
// Each build runs after a warm-up (V8 runs new wasm in its baseline tier first); SIMD builds take
// the best of two passes, js and scalar one pass (they are slow, and JIT-warm after the warm-up).
// Run by bench/suite.ts, in a child process per group of builds (relaxed SIMD needs a V8 flag in
// Node 20):
//   npx tsx bench/suite-kernels.ts --variants js,scalar,simd [--ratings N] [--factors 32,64,128]
import { buildGrid, createEngine, defaultGridSide, planEpoch, strideFor, type Engine, type WasmVariant } from '../src/engine/index.js';
import { generateScaleRatings, SCALE_DEFAULTS } from '../src/data/generate-scale.js';
import { Random } from '../src/util/random.js';
import { flagValue } from './bench-args.js';
import { BENCH_RATES, setUpBlocks, type BenchData } from './kernels.js';

export interface SuiteKernelRow {
  k: number;
  variant: 'js' | WasmVariant;
  threads: number;
  order: 'random' | 'blocked';
  updatesPerSec: number;
}


/** The scale set as bench arrays, fully shuffled once (the 'random' order). */
export function scaleBenchData(ratings: number): BenchData {
  const dataset = generateScaleRatings({ ...SCALE_DEFAULTS, ratings });
  const users = dataset.userIndex.slice(), items = dataset.itemIndex.slice(), values = dataset.ratings.slice();
  const random = new Random(3);
  for (let t = users.length - 1; t > 0; t--) {
    const j = random.nextInt(t + 1);
    [users[t], users[j]] = [users[j], users[t]];
    [items[t], items[j]] = [items[j], items[t]];
    [values[t], values[j]] = [values[j], values[t]];
  }
  return { users, items, values, userCount: dataset.userCount, itemCount: dataset.itemCount };
}

function timed(fn: () => void, passes: number): number {
  let best = Infinity;
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** Rows for one build at one k: random and blocked on one thread, and blocked on two for SIMD builds. */
export function measureVariant(data: BenchData, variant: 'js' | WasmVariant, k: number): SuiteKernelRow[] {
  const n = data.users.length, rows: SuiteKernelRow[] = [];
  const passes = variant === 'js' || variant === 'scalar' ? 1 : 2;
  const side = defaultGridSide(data.userCount, data.itemCount, strideFor(k));
  const threadCounts = variant === 'js' || variant === 'scalar' ? [1] : [1, 2];
  for (const threads of threadCounts) {
    const engine: Engine = variant === 'js' ? createEngine('js') : createEngine('wasm', variant, { threads });
    if (engine.threads !== threads) throw new Error(`${variant}: ${threads} threads asked, ${engine.threads} running (${engine.threadsNote})`);
    try {
      const { r, f } = setUpBlocks(engine, data, k);
      const warm = { ...r, count: Math.min(n, 1_000_000) };
      engine.sgdEpochBiased(warm, f, BENCH_RATES);
      if (threads === 1) {
        const seconds = timed(() => engine.sgdEpochBiased(r, f, BENCH_RATES), passes);
        rows.push({ k, variant, threads, order: 'random', updatesPerSec: n / seconds });
      }
      const grid = buildGrid(r, data.userCount, data.itemCount, side);
      const random = new Random(5);
      // Warm the shuffle kernel and (with threads) the workers' own instances.
      if (variant !== 'js') engine.sgdBlocks(r, grid, planEpoch(side, random), f, BENCH_RATES, true);
      const seconds = timed(() => engine.sgdBlocks(r, grid, planEpoch(side, random), f, BENCH_RATES, true), passes);
      rows.push({ k, variant, threads, order: 'blocked', updatesPerSec: n / seconds });
    } finally {
      engine.dispose();
    }
  }
  return rows;
}

const args = process.argv.slice(2);
if (process.argv[1]?.endsWith('suite-kernels.ts')) {
  const variants = (flagValue(args, '--variants') ?? 'js,scalar,simd').split(',') as ('js' | WasmVariant)[];
  const ratings = Number(flagValue(args, '--ratings') ?? SCALE_DEFAULTS.ratings);
  const factors = (flagValue(args, '--factors') ?? '32,64,128').split(',').map(Number);
  const data = scaleBenchData(ratings);
  const rows: SuiteKernelRow[] = [];
  // Builds take turns at each k, so a noisy neighbour slows them alike.
  for (const k of factors) for (const variant of variants) rows.push(...measureVariant(data, variant, k));
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}
