// The SGD kernel benchmark, browser-safe: the generated ratings, each engine's blocks and the
// timing loop. bench/run.ts runs it in Node and bench/browser.ts in headless Chromium, so the two
// runtimes time the same code on the same data; it imports only browser-safe src/ files (the
// browser bundle is refused if a Node built-in is reached).
import { createEngine, strideFor, type Engine, type FactorBlock, type RatingsBlock } from '../src/engine/index.js';
import { Random } from '../src/util/random.js';

/** How big the generated data is and how many timed passes each engine gets. */
export interface BenchSize {
  ratings: number;
  users: number;
  items: number;
  rounds: number;
}

export const DEFAULT_BENCH_SIZE: BenchSize = { ratings: 2_000_000, users: 20_000, items: 5_000, rounds: 5 };

/** The factor counts of the kernel table. */
export const KERNEL_FACTORS = [32, 64, 128] as const;

export interface BenchData {
  users: Uint32Array;
  items: Uint32Array;
  values: Float32Array;
  userCount: number;
  itemCount: number;
}

/** One row of the kernel table; the field names are the JSON the README quotes. */
export interface KernelRow {
  k: number;
  variant: string;
  wasmUpdatesPerSec: number;
  jsUpdatesPerSec: number;
  ratio: number;
  scalarUpdatesPerSec: number;
}

/** Random order, popularity-skewed items (Zipf-like), ratings 1..5. */
export function generateBenchData({ ratings, users: userCount, items: itemCount }: BenchSize): BenchData {
  const random = new Random(7);
  const users = new Uint32Array(ratings), items = new Uint32Array(ratings), values = new Float32Array(ratings);
  for (let t = 0; t < ratings; t++) {
    users[t] = random.nextInt(userCount);
    items[t] = Math.min(itemCount - 1, Math.floor(itemCount * random.nextFloat() ** 2));
    values[t] = 1 + random.nextInt(5);
  }
  return { users, items, values, userCount, itemCount };
}

/** The data copied into the engine's memory and normal(0, 0.1) factors from a fixed seed. */
export function setUpBlocks(engine: Engine, data: BenchData, k: number): { r: RatingsBlock; f: FactorBlock } {
  const stride = strideFor(k), random = new Random(1), count = data.users.length;
  const r: RatingsBlock = { users: engine.allocU32(count), items: engine.allocU32(count), values: engine.allocF32(count), count };
  r.users.array().set(data.users);
  r.items.array().set(data.items);
  r.values.array().set(data.values);
  const f: FactorBlock = {
    P: engine.allocF32(data.userCount * stride), Q: engine.allocF32(data.itemCount * stride),
    bu: engine.allocF32(data.userCount), bi: engine.allocF32(data.itemCount), stride,
  };
  for (const m of [f.P.array(), f.Q.array()]) {
    for (let row = 0; row < m.length / stride; row++) for (let c = 0; c < k; c++) m[row * stride + c] = random.nextNormal(0, 0.1);
  }
  return { r, f };
}

/** The SGD rates of every kernel timing (Surprise's defaults, μ = 3). */
export const BENCH_RATES = { mu: 3, lrBu: 0.005, lrBi: 0.005, lrPu: 0.005, lrQi: 0.005, regBu: 0.02, regBi: 0.02, regPu: 0.02, regQi: 0.02 };

/**
 * Updates per second of each engine at one k: after a warm-up pass each, the engines take turns
 * pass by pass (so a noisy neighbour slows all of them alike), for `rounds` rounds; the median
 * pass rate of each engine is reported.
 */
function measure(engines: Record<string, Engine>, data: BenchData, k: number, rounds: number): Record<string, number> {
  const count = data.users.length;
  const runs = Object.entries(engines).map(([name, engine]) => ({ name, engine, ...setUpBlocks(engine, data, k), rates: [] as number[] }));
  for (const run of runs) run.engine.sgdEpochBiased(run.r, run.f, BENCH_RATES); // V8 runs new code in its baseline tier first
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) {
      const t0 = performance.now();
      const sse = run.engine.sgdEpochBiased(run.r, run.f, BENCH_RATES);
      const seconds = (performance.now() - t0) / 1000;
      if (!Number.isFinite(sse)) throw new Error('benchmark diverged');
      run.rates.push(count / seconds);
    }
  }
  return Object.fromEntries(runs.map((run) => [run.name, median(run.rates)]));
}

/** The wasm build the library picks, the scalar wasm build and the js engine at one k. */
export function measureKernelsAt(data: BenchData, k: number, rounds: number): KernelRow {
  const wasm = createEngine('wasm');
  const r = measure({ wasm, scalar: createEngine('wasm', 'scalar'), js: createEngine('js') }, data, k, rounds);
  return { k, variant: wasm.variant, wasmUpdatesPerSec: r.wasm, jsUpdatesPerSec: r.js, ratio: r.wasm / r.js, scalarUpdatesPerSec: r.scalar };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The kernel table in markdown, as the README shows it. */
export function kernelTable(rows: readonly KernelRow[]): string {
  const m = (x: number) => `${(x / 1e6).toFixed(2)}M`;
  return [
    `| k | js | wasm scalar | wasm ${rows[0]?.variant ?? ''} | wasm / js |`,
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.k} | ${m(r.jsUpdatesPerSec)} | ${m(r.scalarUpdatesPerSec)} | ${m(r.wasmUpdatesPerSec)} | ${r.ratio.toFixed(1)}x |`),
  ].join('\n');
}
