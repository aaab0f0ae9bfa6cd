// Honest tuning of the implicit-feedback models (BPR, ALS) on MovieLens 100k, the ranking
// counterpart of bench/tune.ts. The interactions are the ratings >= --threshold (default 4;
// `toImplicit`, the CLI's --implicit-threshold). Every setting is scored on a validation holdout
// carved out of each of u1.base..u5.base (never on u1.test..u5.test): `perUserHoldout` of the
// implicit uK.base, 20% of each user's interactions (at least one kept in train), seed 0. The model
// is fitted on the rest and ranks, for every validation user, the whole catalogue it knows minus
// the items the user rated in uK.base outside the holdout, whatever the rating (the exclusion rule
// of `latentrec train`: every item the user rated in the training file); the held-out interactions
// are the relevant items (protocol 'full', k = 10). The criterion is the mean NDCG@10 over the five
// validation sets; precision/recall@10, MAP@10 and AUC are recorded too, and so is NDCG@10 when only
// the user's training interactions (ratings >= threshold) are excluded, as a sensitivity check
// (`altNdcg`; not used for selection). The winner is the cheapest setting (factors x epochs, a
// deterministic cost; then the higher validation NDCG) within TOLERANCE (absolute) of the best mean
// validation NDCG (differences that small are noise; the cheaper model is the better default).
// Rows of earlier rounds can join the candidates (--include), so a refined round picks from every
// setting ever scored. With --seeds 0,1,2 every setting is fitted once per seed and its figures are
// the means over seeds and bases (a seed changes NDCG@10 by about 0.002 for BPR, as much as the
// tolerance: a final round between the contenders should average seeds); rows of runs with other
// --seeds do not mix. Caveat: the validation holdouts are drawn from all five bases, and u1.test
// lies inside u2..u5.base, so the test figures of the winner are slightly optimistic compared with
// fully nested selection. Then, and only then (not with --no-test), the winner and the model's
// current defaults are fitted on each full implicit uK.base and scored on uK.test exactly as
// `latentrec train --model bpr --implicit-threshold 4 --json` scores its "ranking": protocol
// 'full', k = 10, relevant = test rating >= 4, candidates = every item minus the user's items in
// uK.base (every rating). The popularity model is scored the same way, for reference.
//   npx tsx bench/tune-implicit.ts --model bpr --grid "factors=32,64;epochs=10,20" [--dir path/to/ml-100k] [--threshold 4] [--tolerance 0.002] [--seeds 0,1,2] [--include round1.json,...] [--no-test] [--json]
// Grid names: bpr factors, epochs, lr, reg, regBias, initStd, seed; als factors, epochs, alpha,
// reg, cgSteps, initStd, seed (';' or spaces between entries, as `latentrec search --grid`).
import { readFileSync } from 'node:fs';
import { toImplicit } from '../src/data/implicit.js';
import { loadFolds } from '../src/data/load-node.js';
import { perUserHoldout } from '../src/data/splits.js';
import { gridCombinations, type Grid, type Settings } from '../src/eval/grid-search.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import type { RankingReport } from '../src/eval/ranking-protocol.js';
import { OptionError } from '../src/errors.js';
import { ALS, type AlsOptions } from '../src/models/als.js';
import { BPR, type BprOptions } from '../src/models/bpr.js';
import type { FactorModel } from '../src/models/factor-model.js';
import { Popular } from '../src/models/popular.js';

import { flagValue, ml100kDirArg } from './bench-args.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => flagValue(args, name);
const dir = ml100kDirArg(args);
const kind = arg('--model') ?? 'bpr';
if (kind !== 'bpr' && kind !== 'als') throw new OptionError('--model', 'bpr or als', kind);
const SEARCHABLE = {
  bpr: ['factors', 'epochs', 'lr', 'reg', 'regBias', 'initStd', 'seed'],
  als: ['factors', 'epochs', 'alpha', 'reg', 'cgSteps', 'initStd', 'seed'],
} as const;
const grid = parseGrid(arg('--grid') ?? 'factors=64', SEARCHABLE[kind]);
const json = args.includes('--json');
const runTest = !args.includes('--no-test');
const threshold = Number(arg('--threshold') ?? 4);
const TOLERANCE = Number(arg('--tolerance') ?? 0.002);
const VALIDATION = { testRatio: 0.2, seed: 0 } as const;
/** Model seeds each setting is fitted with (undefined: the model's own seed, 0). */
const SEEDS = arg('--seeds')?.split(',').map(Number);
if (SEEDS && (SEEDS.length === 0 || !SEEDS.every((x) => Number.isInteger(x) && x >= 0))) throw new OptionError('--seeds', 'integers >= 0', arg('--seeds'));
if (SEEDS && 'seed' in grid) throw new OptionError('--grid', 'no seed with --seeds', 'seed');
const K = 10;

type Model = BPR | ALS;
const make = (settings: Settings): Model =>
  kind === 'bpr' ? new BPR(settings as BprOptions) : new ALS(settings as AlsOptions);
/** Every option of the model, the defaults filled in: rows of different grids compare. */
const resolved = (settings: Settings): Record<string, number | string | boolean> => ({ ...make(settings).options });
const cost = (settings: Settings) => {
  const o = make(settings).options;
  return o.factors * o.epochs;
};
const key = (settings: Settings) => JSON.stringify(Object.entries(resolved(settings)).sort());

interface Metrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  auc: number;
}
interface Row extends Metrics {
  settings: Settings;
  options: Record<string, number | string | boolean>;
  cost: number;
  fitSeconds: number;
  foldNdcg: number[];
  /** NDCG@10 when only the training interactions are excluded (sensitivity check). */
  altNdcg: number;
  /** With --seeds: the mean NDCG@10 of each seed. */
  seedNdcg?: number[];
  /** The JSON file the row came from (--include), absent for this run's rows. */
  from?: string;
}

const pick = (r: RankingReport): Metrics => ({ precision: r.precision, recall: r.recall, ndcg: r.ndcg, map: r.map, auc: r.auc });
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanOf = (ms: readonly Metrics[]): Metrics => ({
  precision: mean(ms.map((m) => m.precision)),
  recall: mean(ms.map((m) => m.recall)),
  ndcg: mean(ms.map((m) => m.ndcg)),
  map: mean(ms.map((m) => m.map)),
  auc: mean(ms.map((m) => m.auc)),
});

const outer = await loadFolds(dir);
// Validation sets: per-user holdouts of the implicit bases. `exclude` = uK.base without the held-out
// (user, item) pairs, every rating kept: what the user is known to have rated outside the holdout.
const inner = outer.map((fold) => {
  const implicit = toImplicit(fold.train, { threshold });
  const split = perUserHoldout(implicit, VALIDATION);
  const held = new Set<string>();
  for (let t = 0; t < split.test.size; t++) {
    held.add(`${split.test.users.raw[split.test.userIndex[t]]}\t${split.test.items.raw[split.test.itemIndex[t]]}`);
  }
  const rows: number[] = [];
  const base = fold.train;
  for (let t = 0; t < base.size; t++) {
    if (!held.has(`${base.users.raw[base.userIndex[t]]}\t${base.items.raw[base.itemIndex[t]]}`)) rows.push(t);
  }
  return { name: `${fold.name}.base`, train: split.train, test: split.test, exclude: base.subset(rows) };
});

function validate(settings: Settings) {
  if (!SEEDS) return validateOnce(() => make(settings));
  const runs = SEEDS.map((seed) => validateOnce(() => make({ ...settings, seed })));
  return {
    ...meanOf(runs),
    altNdcg: mean(runs.map((r) => r.altNdcg)),
    fitSeconds: mean(runs.map((r) => r.fitSeconds)),
    foldNdcg: inner.map((_, f) => mean(runs.map((r) => r.foldNdcg[f]))),
    seedNdcg: runs.map((r) => r.ndcg),
  };
}

function validateOnce(factory: () => FactorModel) {
  const folds = inner.map((v) => {
    const model = factory();
    const fit = model.fit(v.train);
    // The held-out interactions are all 1s: relevant = every one of them.
    const main = evaluateModelRanking(model, v.exclude, v.test, { k: K, protocol: 'full', relevance: 1 });
    const alt = evaluateModelRanking(model, v.train, v.test, { k: K, protocol: 'full', relevance: 1 });
    return { ...pick(main), altNdcg: alt.ndcg, fitSeconds: fit.fitSeconds };
  });
  return {
    ...meanOf(folds),
    altNdcg: mean(folds.map((f) => f.altNdcg)),
    fitSeconds: mean(folds.map((f) => f.fitSeconds)),
    foldNdcg: folds.map((f) => f.ndcg),
  };
}

/** The figures `latentrec train --implicit-threshold 4` reports, on every uK.base / uK.test. */
function test(factory: () => FactorModel) {
  const folds = outer.map((fold) => {
    const model = factory();
    const fit = model.fit(toImplicit(fold.train, { threshold }));
    const r = evaluateModelRanking(model, fold.train, fold.test, { k: K, protocol: 'full' });
    return { fold: fold.name, ...pick(r), coverage: r.coverage, fitSeconds: fit.fitSeconds };
  });
  return { folds, mean: { ...meanOf(folds), fitSeconds: mean(folds.map((f) => f.fitSeconds)) } };
}

const started = performance.now();
const combos = gridCombinations(grid);
for (const settings of combos) make(settings); // a bad value fails before any fitting
const rows: Row[] = combos.map((settings, index) => {
  const v = validate(settings);
  const row: Row = { settings, options: resolved(settings), cost: cost(settings), ...v };
  console.error(
    `[${index + 1}/${combos.length}] ${JSON.stringify(settings)} validation NDCG@10 ${row.ndcg.toFixed(4)} ` +
      `P@10 ${row.precision.toFixed(4)} (alt NDCG ${row.altNdcg.toFixed(4)}, fit ${row.fitSeconds.toFixed(2)} s)`,
  );
  return row;
});

// Earlier rounds (same model, same protocol) join the candidates; a setting scored twice counts once.
const included: Row[] = [];
for (const path of (arg('--include') ?? '').split(',').filter(Boolean)) {
  const earlier = JSON.parse(readFileSync(path, 'utf8'));
  if (earlier.model !== kind || earlier.threshold !== threshold || JSON.stringify(earlier.validation) !== JSON.stringify(VALIDATION) ||
    JSON.stringify(earlier.seeds ?? null) !== JSON.stringify(SEEDS ?? null)) {
    throw new Error(`--include ${path}: not a ${kind} run with the same threshold, validation and --seeds`);
  }
  for (const row of earlier.candidates as Row[]) included.push({ ...row, from: row.from ?? path });
}
const seen = new Set<string>();
const candidates = [...rows, ...included].filter((row) => {
  const k = key(row.settings);
  if (seen.has(k)) return false;
  seen.add(k);
  return true;
});
const best = candidates.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
const chosen = candidates
  .filter((row) => row.ndcg >= best.ndcg - TOLERANCE)
  .reduce((a, b) => (b.cost < a.cost || (b.cost === a.cost && b.ndcg > a.ndcg) ? b : a));
const defaults = resolved({});
const defaultsRow = candidates.find((row) => key(row.settings) === key({}));
const defaultsValidation = defaultsRow ?? { settings: {}, options: defaults, cost: cost({}), ...validate({}) };

const report = {
  model: kind,
  protocol:
    `validation = perUserHoldout (20% of each user's interactions, seed 0) of each implicit u1..u5.base (rating >= ${threshold}); ` +
    `ranking 'full', k=${K}, candidates = all items minus the user's other uK.base ratings; criterion mean NDCG@${K}; ` +
    `${SEEDS ? `figures = means over model seeds ${SEEDS.join(',')}; ` : ''}chosen = cheapest (factors x epochs) within ${TOLERANCE} of the best; test files (model seed 0, as the CLI) used only for the chosen setting and the defaults`,
  threshold,
  validation: VALIDATION,
  seeds: SEEDS,
  tolerance: TOLERANCE,
  grid,
  included: (arg('--include') ?? '').split(',').filter(Boolean),
  seconds: 0,
  defaults: { options: defaults, validation: defaultsValidation },
  best,
  chosen,
  candidates: [...candidates].sort((a, b) => b.ndcg - a.ndcg),
  test: runTest
    ? { chosen: test(() => make(chosen.settings)), defaults: test(() => make({})), popular: test(() => new Popular()) }
    : undefined,
};
report.seconds = (performance.now() - started) / 1000;
if (json) {
  console.log(JSON.stringify(report));
} else {
  const f = (x: number) => x.toFixed(4);
  console.log(`NDCG@10  P@10    R@10    MAP     AUC     altNDCG  cost  setting`);
  for (const row of report.candidates.slice(0, 15)) {
    console.log(`${f(row.ndcg)}   ${f(row.precision)}  ${f(row.recall)}  ${f(row.map)}  ${f(row.auc)}  ${f(row.altNdcg)}   ${String(row.cost).padStart(5)}  ${JSON.stringify(row.settings)}`);
  }
  console.log(`defaults ${JSON.stringify(defaults)}: validation NDCG@10 ${f(defaultsValidation.ndcg)}, P@10 ${f(defaultsValidation.precision)}`);
  console.log(`best on validation: ${JSON.stringify(best.settings)} (${f(best.ndcg)})`);
  console.log(`chosen (cheapest, factors x epochs, within ${TOLERANCE}): ${JSON.stringify(chosen.settings)} (${f(chosen.ndcg)}, fit ${chosen.fitSeconds.toFixed(2)} s)`);
  if (report.test) {
    for (const [name, t] of Object.entries(report.test)) {
      const u1 = t.folds[0];
      console.log(
        `${name.padEnd(8)} u1..u5 test P@10 ${f(t.mean.precision)} NDCG@10 ${f(t.mean.ndcg)} AUC ${f(t.mean.auc)}; ` +
          `u1 P@10 ${f(u1.precision)} NDCG@10 ${f(u1.ndcg)} AUC ${f(u1.auc)}`,
      );
    }
  }
}

/** "factors=32,64;epochs=10,20" (';' or spaces between entries), names from `allowed`. */
function parseGrid(text: string, allowed: readonly string[]): Grid {
  const out: Record<string, (number | string)[]> = {};
  for (const entry of text.split(/[;\s]+/).filter(Boolean)) {
    const match = /^([a-zA-Z]+)=(.+)$/.exec(entry);
    const name = match?.[1];
    if (!match || !allowed.includes(name!)) throw new OptionError('--grid', `NAME=V1,V2;NAME=... with NAME one of ${allowed.join(', ')}`, entry);
    if (name! in out) throw new OptionError('--grid', 'each name once', entry);
    out[name!] = match[2].split(',').map((v) => v.trim()).filter(Boolean).map((v) => (Number.isNaN(Number(v)) ? v : Number(v)));
  }
  if (Object.keys(out).length === 0) throw new OptionError('--grid', 'at least one NAME=V1,V2', text);
  return out;
}
