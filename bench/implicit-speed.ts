// The implicit section of `npm run bench -- --suite full`: ALS, iALS, BPR and the hybrid at k=64 on
// 2M generated interactions (50,000 users x 20,000 items, the scale set's popularity skew), one
// fit per model and thread count, each in a fresh process so no run warms the next one's kernels:
// fit seconds, every iteration's seconds, and the median of the later ones. 'bpr-shuffle' (BPR's
// shuffled order, one thread: host sampling and a kernel unchanged since the anchors of
// ../shared/reference/frontier.md were measured, 0.85 s per epoch) tells how fast the machine
// runs today against those anchors. 'ease' fits EASE on EASE_SPEED_DATA (2,000 items: its time
// grows as items³, and the 20,000 items above would need 4.8 GB), one closed-form solve: its
// "iteration" is the whole fit. 'svdpp' is SVD++ (explicit ratings, the same set's values) in its
// shuffled order: on two threads Hogwild, the one kind here whose thread count changes the model.
// With --repeat N every (model, threads) fit runs N times, interleaved (model by model, thread
// count by thread count, then again), and each row gives the medians and the range of the
// per-iteration seconds: timings on a shared machine swing between runs, and interleaving spreads
// a slow spell over every configuration instead of one.
//   npx tsx bench/implicit-speed.ts [--models als,ials,bpr,hybrid,ease,svdpp] [--threads 1,2] [--epochs 5] [--repeat N] [--json]
import { fileURLToPath } from 'node:url';
import { generateScaleRatings } from '../src/data/generate-scale.js';
import { ALS, BPR, EASE, Hybrid, IALS, SVDpp, toImplicit, type Dataset } from '../src/index.js';
import { flagValue } from './bench-args.js';
import { childJson } from './child-json.js';
import { median } from './kernels.js';

export const IMPLICIT_SPEED_DATA = { ratings: 2_000_000, users: 50_000, items: 20_000, seed: 7 } as const;
/** EASE's set: 1M interactions over 2,000 items (the same generator). */
export const EASE_SPEED_DATA = { ratings: 1_000_000, users: 30_000, items: 2_000, seed: 3 } as const;
const MODELS = ['als', 'ials', 'bpr', 'hybrid', 'ease', 'svdpp', 'bpr-shuffle'] as const;
type SpeedModel = (typeof MODELS)[number];

export interface ImplicitSpeedRow {
  model: SpeedModel;
  k: number;
  threads: number;
  epochs: number;
  /** Median seconds of the iterations after the first. */
  secondsPerIteration: number;
  /** The first iteration's seconds over secondsPerIteration (V8's tier-up shows here). */
  firstIterationRatio: number;
  iterationSeconds: number[];
  /** The whole fit() call: set-up and every iteration. */
  fitSeconds: number;
  /** fitSeconds less the iterations: building rows, initializing, copying out. */
  setupSeconds: number;
  notes: string[];
  /** With --repeat: how many runs the medians are of, and the range of secondsPerIteration over them. */
  runs?: number;
  secondsPerIterationRange?: [number, number];
}

function fitOne(model: SpeedModel, k: number, threads: number, epochs: number, data: Dataset): ImplicitSpeedRow {
  const common = { factors: k, epochs, seed: 1 };
  const threaded = { ...common, threads };
  const m =
    model === 'als' ? new ALS(threaded)
    : model === 'ials' ? new IALS(threaded)
    : model === 'bpr' ? new BPR(threaded)
    : model === 'bpr-shuffle' ? new BPR({ ...common, order: 'shuffle' })
    : model === 'ease' ? new EASE({ threads })
    : model === 'svdpp' ? new SVDpp(threaded)
    : new Hybrid(threaded);
  const fit = m.fit(data);
  const all = fit.epochs.length > 0 ? fit.epochs.map((e) => e.seconds) : [fit.fitSeconds];
  const later = all.length > 1 ? all.slice(1) : all;
  const per = median(later);
  return {
    model, k, threads: fit.threads ?? 1, epochs, secondsPerIteration: per, firstIterationRatio: all[0] / per, iterationSeconds: all,
    fitSeconds: fit.fitSeconds, setupSeconds: fit.fitSeconds - all.reduce((a, b) => a + b, 0), notes: fit.notes ?? [],
  };
}

/** Every model on every thread count, each fit in a child process of its own. */
export function implicitSpeedRows(models: readonly string[] = MODELS, threads: readonly number[] = [1, 2], epochs = 5, k = 64): ImplicitSpeedRow[] {
  const rows: ImplicitSpeedRow[] = [];
  for (const model of models) {
    for (const t of model === 'bpr-shuffle' ? [1] : threads) {
      rows.push(childJson<ImplicitSpeedRow>(`the implicit speed run (${model}, ${t} threads)`, fileURLToPath(import.meta.url), ['--child', model, String(k), String(t), String(epochs)]));
    }
  }
  return rows;
}

/** Every model on every thread count `repeat` times, interleaved; one row each of the medians (and the range). */
export function repeatedSpeedRows(models: readonly string[], threads: readonly number[], epochs: number, repeat: number): ImplicitSpeedRow[] {
  const runs: ImplicitSpeedRow[][] = [];
  for (let r = 0; r < repeat; r++) runs.push(implicitSpeedRows(models, threads, epochs));
  return runs[0].map((first, at) => {
    const same = runs.map((rows) => rows[at]);
    const per = same.map((row) => row.secondsPerIteration);
    const mid = (f: (row: ImplicitSpeedRow) => number) => median(same.map(f));
    return {
      ...first, secondsPerIteration: median(per), firstIterationRatio: mid((row) => row.firstIterationRatio),
      fitSeconds: mid((row) => row.fitSeconds), setupSeconds: mid((row) => row.setupSeconds),
      runs: repeat, secondsPerIterationRange: [Math.min(...per), Math.max(...per)],
    };
  });
}

/** Markdown: one row per model and thread count. */
export function implicitSpeedTable(rows: readonly ImplicitSpeedRow[]): string {
  return [
    '| model | k | threads | s / iteration | first / later | set-up s | fit s |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const range = r.secondsPerIterationRange ? ` (${r.secondsPerIterationRange.map((x) => x.toFixed(2)).join('–')})` : '';
      return `| ${r.model} | ${r.k} | ${r.threads} | ${r.secondsPerIteration.toFixed(2)}${range} | ${r.firstIterationRatio.toFixed(2)} | ${r.setupSeconds.toFixed(2)} | ${r.fitSeconds.toFixed(2)} |`;
    }),
  ].join('\n');
}

const args = process.argv.slice(2);
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = args.indexOf('--child');
  if (at >= 0) {
    const [model, k, threads, epochs] = args.slice(at + 1);
    if (!MODELS.includes(model as SpeedModel)) throw new Error(`--models: one of ${MODELS.join(', ')} (got ${model})`);
    const data = model === 'ease' ? toImplicit(generateScaleRatings(EASE_SPEED_DATA), { threshold: 0 }) : generateScaleRatings(IMPLICIT_SPEED_DATA);
    process.stdout.write(`${JSON.stringify(fitOne(model as SpeedModel, Number(k), Number(threads), Number(epochs), data))}\n`);
  } else {
    const models = (flagValue(args, '--models') ?? MODELS.join(',')).split(',');
    const threads = (flagValue(args, '--threads') ?? '1,2').split(',').map(Number);
    const epochs = Number(flagValue(args, '--epochs') ?? 5), repeat = Number(flagValue(args, '--repeat') ?? 1);
    const rows = repeat > 1 ? repeatedSpeedRows(models, threads, epochs, repeat) : implicitSpeedRows(models, threads, epochs);
    if (args.includes('--json')) console.log(JSON.stringify(rows));
    else console.log(implicitSpeedTable(rows));
  }
}
