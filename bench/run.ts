// Kernel benchmark: rating updates per second of the wasm engine and of the pure-JS engine on the
// same generated data in one run, after a warm-up pass, taking turns pass by pass, and their ratio
// (bench/kernels.ts, shared with the browser run of bench/browser.ts); plus the fit time of SVD
// defaults on MovieLens 100k u1.base when ../shared/data/ml-100k is present, and the BPR, ALS,
// hybrid and serving sections below, Node only. `wasm` is the build the library picks (SIMD where
// supported); the scalar wasm build is measured too.
//   npm run bench            markdown table
//   npm run bench -- --json  one JSON object
//   options: --ratings N --users N --items N --rounds N (e.g. --ratings 200000 --rounds 2 to check quickly)
//   npm run bench -- --suite full [--json]   the speed-and-scale suite on 20M ratings (bench/suite.ts)
//   npm run bench -- --suite ranking [--json] [--threads N] [--per-user]   the full ranking protocol's time against the fit's (bench/ranking-speed.ts)
//   npm run bench -- --suite netflix [--json] [--threads N] [--ratings N] [--copy]   SVD k=100 on 100M ratings of the Netflix shape from a text file (bench/netflix.ts)
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createEngine, strideFor, type FactorBlock, type FeatureSide, type HybridPass } from '../src/engine/index.js';
import { loadRatingsFile } from '../src/data/load-node.js';
import { SVD } from '../src/index.js';
import { FactorModel } from '../src/index.js';
import { truncatedSvdOfFilled } from '../src/index.js';
import { Random } from '../src/util/random.js';
import { flagValue, parseBenchArgs } from './bench-args.js';
import { runSuite } from './suite.js';
import { runNetflixSuite } from './netflix.js';
import { printRankingSpeed, rankingSpeed } from './ranking-speed.js';
import { generateBenchData, KERNEL_FACTORS, kernelTable, measureKernelsAt, median, setUpBlocks } from './kernels.js';

const suite = flagValue(process.argv.slice(2), '--suite');
if (suite !== undefined && !['full', 'quick', 'ranking', 'netflix'].includes(suite)) throw new Error(`--suite is full, quick, ranking or netflix (got ${JSON.stringify(suite)})`);
if (suite === 'netflix') {
  await runNetflixSuite(process.argv.slice(2));
  process.exit(0);
}
if (suite === 'full') {
  await runSuite(process.argv.slice(2));
  process.exit(0);
}
if (suite === 'ranking') {
  const args = process.argv.slice(2);
  printRankingSpeed(rankingSpeed(args), args.includes('--json'));
  process.exit(0);
}

const { json, size } = parseBenchArgs(process.argv.slice(2));
const { ratings: RATINGS, users: USERS, items: ITEMS, rounds: ROUNDS } = size;

const ML100K = fileURLToPath(new URL('../../shared/data/ml-100k/', import.meta.url));

async function ml100kFit(): Promise<Record<string, unknown> | null> {
  const dir = ML100K;
  if (!existsSync(`${dir}u1.base`)) return null;
  const { dataset } = await loadRatingsFile(`${dir}u1.base`);
  const result: Record<string, unknown> = { data: 'ml-100k u1.base', ratings: dataset.size, factors: 100, epochs: 20 };
  for (const engine of ['wasm', 'js'] as const) {
    const times: number[] = [];
    for (let run = 0; run < (engine === 'wasm' ? 5 : 2); run++) times.push(new SVD({ engine }).fit(dataset).fitSeconds);
    result[`${engine}FitSecondsMedian`] = median(times);
    result[`${engine}FitSecondsMin`] = Math.min(...times);
  }
  return result;
}

const data = generateBenchData(size);
const kernels = KERNEL_FACTORS.map((k) => measureKernelsAt(data, k, ROUNDS));
/** Seconds for the truncated SVD of the user-mean-filled u.data matrix (k = 100), the SVD init. */
async function ml100kSvdInit(): Promise<Record<string, unknown> | null> {
  if (!existsSync(`${ML100K}u.data`)) return null;
  const { dataset } = await loadRatingsFile(`${ML100K}u.data`);
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    truncatedSvdOfFilled(createEngine('wasm'), dataset, 100, new Random(run));
    times.push((performance.now() - t0) / 1000);
  }
  return { data: 'ml-100k u.data', users: dataset.userCount, items: dataset.itemCount, factors: 100, firstSeconds: times[0], medianSeconds: median(times) };
}

/**
 * Milliseconds per recommend() call (top 10, one kernel call plus a heap) on random factors:
 * a MovieLens-100k-sized catalogue (1682 items, k=100) and a large one (50,000 items, k=64);
 * plus fold-in of 10 ratings followed by a top 10.
 */
function recommendLatency(): Record<string, unknown>[] {
  const random = new Random(5);
  return [
    { items: 1682, k: 100 },
    { items: 50_000, k: 64 },
  ].map(({ items, k }) => {
    const users = 1000;
    const normal = (n: number) => Float32Array.from({ length: n }, () => random.nextNormal(0, 0.3));
    const model = FactorModel.fromState({
      kind: 'imported', options: {}, factors: k, biased: false, mu: 0, trainMean: 3, scale: { lo: 1, hi: 5 },
      userIds: Array.from({ length: users }, (_, u) => `u${u}`), itemIds: Array.from({ length: items }, (_, i) => `i${i}`),
      P: normal(users * k), Q: normal(items * k), bu: new Float32Array(users), bi: new Float32Array(items),
      seenStart: new Uint32Array(users + 1), seenItems: new Uint32Array(0),
    });
    const time = (fn: (t: number) => void, runs: number) => {
      for (let t = 0; t < 50; t++) fn(t); // warm-up
      const ms: number[] = [];
      for (let t = 0; t < runs; t++) {
        const t0 = performance.now();
        fn(t);
        ms.push(performance.now() - t0);
      }
      return median(ms);
    };
    const recommendMs = time((t) => model.recommend(`u${t % users}`, { n: 10 }), 500);
    const foldInMs = time((t) => {
      const user = model.foldIn(Array.from({ length: 10 }, (_, j) => [`i${(t * 13 + j * 7) % items}`, 1 + (j % 5)] as const), { user: 'visitor' });
      model.recommend(user, { n: 10 });
    }, 200);
    return { items, k, recommendMs, foldInPlusRecommendMs: foldInMs };
  });
}

/** BPR epochs (k=64) over the same generated triples, wasm vs js; negatives drawn outside the timing. */
function bprKernels(): Record<string, number> {
  const k = 64, random = new Random(9);
  const neg = Uint32Array.from({ length: RATINGS }, () => random.nextInt(ITEMS));
  const rates: Record<string, number> = {};
  const runs = (['wasm', 'js'] as const).map((name) => {
    const engine = createEngine(name);
    const { r, f } = setUpBlocks(engine, data, k);
    const negatives = engine.allocU32(RATINGS);
    negatives.array().set(neg);
    return { name, engine, r, f, negatives, times: [] as number[] };
  });
  for (const run of runs) run.engine.sgdEpochBpr(run.r.users, run.r.items, run.negatives, RATINGS, run.f, 0.05, 0.001, 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of runs) {
      const t0 = performance.now();
      run.engine.sgdEpochBpr(run.r.users, run.r.items, run.negatives, RATINGS, run.f, 0.05, 0.001, 0);
      run.times.push(RATINGS / ((performance.now() - t0) / 1000));
    }
  }
  for (const run of runs) rates[`${run.name}TriplesPerSec`] = median(run.times);
  return { k, ...rates, ratio: rates.wasmTriplesPerSec / rates.jsTriplesPerSec };
}

/** One ALS alternation (users then items, 3 CG steps, k=64) on the generated interactions, wasm vs js. */
function alsKernels(): Record<string, number> {
  const k = 64, stride = strideFor(k), result: Record<string, number> = { k };
  const byUser = new Uint32Array(USERS + 1);
  for (let t = 0; t < RATINGS; t++) byUser[data.users[t] + 1]++;
  for (let u = 0; u < USERS; u++) byUser[u + 1] += byUser[u];
  const cols = new Uint32Array(RATINGS), fill = byUser.slice(0, USERS);
  for (let t = 0; t < RATINGS; t++) cols[fill[data.users[t]]++] = data.items[t];
  for (const name of ['wasm', 'js'] as const) {
    const engine = createEngine(name);
    const { f } = setUpBlocks(engine, data, k);
    const a = { start: engine.allocU32(USERS + 1), cols: engine.allocU32(RATINGS), vals: engine.allocF32(RATINGS), rowCount: USERS };
    a.start.array().set(byUser);
    a.cols.array().set(cols);
    a.vals.array().fill(1);
    const gram = engine.allocF32(k * stride), r = engine.allocF32(stride), p = engine.allocF32(stride), ap = engine.allocF32(stride);
    const solveUsers = () => {
      gram.array().fill(0);
      engine.gramian(f.Q, ITEMS, stride, k, gram);
      engine.alsSolveRows(a, f.P, f.Q, gram, stride, k, 1, 0.01, 3, r, p, ap);
    };
    solveUsers(); // warm-up
    const times: number[] = [];
    for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
      const t0 = performance.now();
      solveUsers();
      times.push(RATINGS / ((performance.now() - t0) / 1000));
    }
    result[`${name}InteractionsPerSec`] = median(times);
  }
  result.ratio = result.wasmInteractionsPerSec / result.jsInteractionsPerSec;
  return result;
}

/**
 * One hybrid pass (k=64, identity features, adagrad) over the generated interactions, per loss,
 * wasm vs js: the same start and the same pre-drawn candidates (WARP: 10 per triple), so both
 * engines do the same work. Rates are triples per second, host sampling excluded.
 */
function hybridKernels(): Record<string, Record<string, number>> {
  const k = 64, stride = strideFor(k), random = new Random(11), slots = 10;
  const candidates = Uint32Array.from({ length: RATINGS * slots }, () => random.nextInt(ITEMS));
  const seen = new Uint32Array(USERS + 1);
  const identity = (rows: number) => ({ start: Uint32Array.from({ length: rows + 1 }, (_, r) => r), cols: Uint32Array.from({ length: rows }, (_, r) => r) });
  const out: Record<string, Record<string, number>> = {};
  for (const loss of ['warp', 'bpr'] as const) {
    const runs = (['wasm', 'js'] as const).map((name) => {
      const engine = createEngine(name);
      const { r, f } = setUpBlocks(engine, data, k);
      const side = (rows: number, E: FactorBlock['P']): FeatureSide => {
        const id = identity(rows);
        const h = { start: engine.allocU32(rows + 1), cols: engine.allocU32(rows), vals: engine.allocF32(rows), rowCount: rows };
        h.start.array().set(id.start);
        h.cols.array().set(id.cols);
        h.vals.array().fill(1);
        const gE = engine.allocF32(rows * stride), gb = engine.allocF32(rows);
        gE.array().fill(1);
        gb.array().fill(1);
        return { features: h, E, b: engine.allocF32(rows), gE, gb };
      };
      const user = side(USERS, f.P), item = side(ITEMS, f.Q);
      const cand = engine.allocU32(RATINGS * slots);
      cand.array().set(candidates);
      const weights = engine.allocF32(slots);
      weights.array().set(Array.from({ length: slots }, (_, s) => Math.log(Math.max(1, Math.floor((ITEMS - 1) / (s + 1))))));
      const seenStart = engine.allocU32(USERS + 1);
      seenStart.array().set(seen); // no user's items are checked: every violating draw counts
      const pass: HybridPass = {
        loss, users: r.users, positives: r.items, first: 0, count: RATINGS, candidates: cand, slots: loss === 'warp' ? slots : 1,
        warpWeights: weights, seenStart, seenItems: engine.allocU32(1), lr: 0.05, userReg: 0, itemReg: 0, adagrad: true, scratch: engine.allocF32(4 * stride),
      };
      return { name, engine, pass, user, item, times: [] as number[] };
    });
    for (const run of runs) run.engine.hybridEpoch(run.pass, run.user, run.item, stride);
    for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
      for (const run of runs) {
        const t0 = performance.now();
        run.engine.hybridEpoch(run.pass, run.user, run.item, stride);
        run.times.push(RATINGS / ((performance.now() - t0) / 1000));
      }
    }
    const rates = Object.fromEntries(runs.map((run) => [`${run.name}TriplesPerSec`, median(run.times)]));
    out[loss] = { k, ...rates, ratio: rates.wasmTriplesPerSec / rates.jsTriplesPerSec };
  }
  return out;
}

const report = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(), node: process.version },
  data: { ratings: RATINGS, users: USERS, items: ITEMS, order: 'random' },
  kernels,
  fit: await ml100kFit(),
  svdInit: await ml100kSvdInit(),
  recommend: recommendLatency(),
  bpr: bprKernels(),
  als: alsKernels(),
  hybrid: hybridKernels(),
};
if (json) {
  console.log(JSON.stringify(report));
} else {
  console.log(`${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}; ${RATINGS} ratings, random order\n`);
  console.log(kernelTable(kernels));
  if (report.fit) console.log(`\nSVD defaults on ${report.fit.data}: ${JSON.stringify(report.fit)}`);
  console.log(`BPR epoch (k=64): ${JSON.stringify(report.bpr)}`);
  console.log(`ALS user half-alternation (k=64, 3 CG steps): ${JSON.stringify(report.als)}`);
  for (const [loss, r] of Object.entries(report.hybrid)) console.log(`hybrid ${loss} epoch (k=64, identity features): ${JSON.stringify(r)}`);
  for (const r of report.recommend) console.log(`recommend top 10 of ${r.items} items (k=${r.k}): ${JSON.stringify(r)}`);
  if (report.svdInit) console.log(`SVD initialization (k = 100) of ${report.svdInit.data}: ${JSON.stringify(report.svdInit)}`);
}
