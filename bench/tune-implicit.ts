// Honest tuning of the implicit-feedback models (BPR, ALS, Hybrid) on MovieLens 100k, the ranking
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
// reg, cgSteps, initStd, seed; hybrid loss, factors, epochs, lr, reg (userReg = itemReg), userReg,
// itemReg, maxSampled, initStd, learningSchedule, seed (';' or spaces between entries, as
// `latentrec search --grid`). The hybrid is tuned with identity features only (no attributes).
// Rounds: `--model hybrid` without --grid runs its search in rounds in one process, every round
// scored by the rule above and seeded by the pool of all settings scored so far (this run's and
// --include's). The space is loss (warp, bpr) x factors (32, 64, 128) x epochs (10, 30, 60, 100)
// x lr (0.01, 0.03, 0.05, 0.1) x reg = userReg = itemReg (0, 1e-6, 1e-5, 1e-4), adagrad; the
// anchors of a round are the current best and the current pick (cheapest within tolerance):
//   1 coarse: loss x factors 32,64,128 x epochs 10,30,100 x lr 0.01,0.05,0.1, reg 0 (54 settings);
//   2 refine: around each anchor, every factors x epochs x lr one ladder step away (or equal);
//   3 reg: each anchor with every reg;
//   4, 5 polish: each anchor with one of loss, factors, epochs, lr, reg moved one step (stops
//     early when nothing is new);
//   final: the contenders (within 2 x tolerance of the best, at most --final-cap, default 12, the
//     best first) are refitted with the model seeds of --final-seeds (default 0,1,2; seed 0's
//     figures are reused; "none" skips the round) and the best and the pick are taken among their
//     means over seeds. `candidates` keeps the single-seed rows (so the file can be --include'd).
//   npx tsx bench/tune-implicit.ts --model hybrid [--final-seeds 0,1,2] [--final-cap 12] [--json]
import { readFileSync } from 'node:fs';
import { toImplicit } from '../src/data/implicit.js';
import { loadFolds } from '../src/data/load-node.js';
import { perUserHoldout } from '../src/data/splits.js';
import { gridCombinations, type Grid, type Settings } from '../src/eval/grid-search.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import type { RankingReport } from '../src/eval/ranking-protocol.js';
import { OptionError } from '../src/errors.js';
import { ALS, type AlsOptions } from '../src/index.js';
import { BPR, type BprOptions } from '../src/index.js';
import type { FactorModel } from '../src/index.js';
import { Hybrid, type HybridOptions } from '../src/index.js';
import { DivergenceError } from '../src/errors.js';
import { Popular } from '../src/index.js';

import { flagValue, ml100kDirArg } from './bench-args.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => flagValue(args, name);
const dir = ml100kDirArg(args);
const kind = arg('--model') ?? 'bpr';
if (kind !== 'bpr' && kind !== 'als' && kind !== 'hybrid') throw new OptionError('--model', 'bpr, als or hybrid', kind);
const SEARCHABLE = {
  bpr: ['factors', 'epochs', 'lr', 'reg', 'regBias', 'initStd', 'seed'],
  als: ['factors', 'epochs', 'alpha', 'reg', 'cgSteps', 'initStd', 'seed'],
  hybrid: ['loss', 'factors', 'epochs', 'lr', 'reg', 'userReg', 'itemReg', 'maxSampled', 'initStd', 'learningSchedule', 'seed'],
} as const;
/** The hybrid without --grid: the rounds described above. */
const ROUNDS = kind === 'hybrid' && arg('--grid') === undefined;
const grid = parseGrid(arg('--grid') ?? 'factors=64', SEARCHABLE[kind]);
if ('reg' in grid && kind === 'hybrid' && ('userReg' in grid || 'itemReg' in grid)) throw new OptionError('--grid', 'reg (userReg = itemReg) or userReg / itemReg, not both', 'reg');
const json = args.includes('--json');
const runTest = !args.includes('--no-test');
const threshold = Number(arg('--threshold') ?? 4);
const TOLERANCE = Number(arg('--tolerance') ?? 0.002);
const VALIDATION = { testRatio: 0.2, seed: 0 } as const;
/** Model seeds each setting is fitted with (undefined: the model's own seed, 0). */
const SEEDS = arg('--seeds')?.split(',').map(Number);
if (SEEDS && (SEEDS.length === 0 || !SEEDS.every((x) => Number.isInteger(x) && x >= 0))) throw new OptionError('--seeds', 'integers >= 0', arg('--seeds'));
if (SEEDS && 'seed' in grid) throw new OptionError('--grid', 'no seed with --seeds', 'seed');
const finalSeedsArg = arg('--final-seeds') ?? '0,1,2';
/** Rounds: the model seeds of the final round (undefined: no final round; not with --seeds, whose rounds average seeds already). */
const FINAL_SEEDS = !ROUNDS || SEEDS || finalSeedsArg === 'none' ? undefined : finalSeedsArg.split(',').map(Number);
if (FINAL_SEEDS && (FINAL_SEEDS.length < 2 || !FINAL_SEEDS.every((x) => Number.isInteger(x) && x >= 0) || new Set(FINAL_SEEDS).size !== FINAL_SEEDS.length)) {
  throw new OptionError('--final-seeds', 'two or more distinct integers >= 0, or none', finalSeedsArg);
}
const FINAL_CAP = Number(arg('--final-cap') ?? 12);
if (!Number.isInteger(FINAL_CAP) || FINAL_CAP < 1) throw new OptionError('--final-cap', 'an integer >= 1', arg('--final-cap'));
const K = 10;

type Model = BPR | ALS | Hybrid;
/** The hybrid's `reg` sets userReg and itemReg together. */
const hybridOptions = (settings: Settings): HybridOptions => {
  const { reg, ...rest } = settings;
  if (reg !== undefined && ('userReg' in rest || 'itemReg' in rest)) throw new OptionError('settings', 'reg or userReg / itemReg, not both', reg);
  return { ...rest, ...(reg !== undefined && { userReg: reg, itemReg: reg }) } as HybridOptions;
};
const make = (settings: Settings): Model =>
  kind === 'bpr' ? new BPR(settings as BprOptions) : kind === 'als' ? new ALS(settings as AlsOptions) : new Hybrid(hybridOptions(settings));
/** Every option of the model, the defaults filled in: rows of different grids compare. */
const resolved = (settings: Settings): Record<string, number | string | boolean> =>
  Object.fromEntries(Object.entries(make(settings).options).filter(([, value]) => value !== undefined)) as Record<string, number | string | boolean>;
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
  /** Rounds: the round that scored the row. */
  round?: string;
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

const rows: Row[] = [];
const failed: { round?: string; settings: Settings; error: string }[] = [];
const roundLog: { name: string; scored: number; failed: number; seconds: number; best: Settings; bestNdcg: number; chosen: Settings; chosenNdcg: number }[] = [];
/** This run's rows first, then --include's; a setting scored twice counts once. */
const pool = (): Row[] => {
  const seen = new Set<string>();
  return [...rows, ...included].filter((row) => {
    const k = key(row.settings);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};
const bestOf = (rs: readonly Row[]) => rs.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
/** The rule: the cheapest (factors x epochs; then the higher NDCG) within TOLERANCE of the best. */
const chosenOf = (rs: readonly Row[]) => {
  const best = bestOf(rs);
  return rs
    .filter((row) => row.ndcg >= best.ndcg - TOLERANCE)
    .reduce((a, b) => (b.cost < a.cost || (b.cost === a.cost && b.ndcg > a.ndcg) ? b : a));
};

/** Scores the settings not scored yet (in rounds, --include's count as scored); a diverging fit is recorded, not fatal. */
function score(list: readonly Settings[], round?: string): void {
  const t0 = performance.now();
  const known = new Set([...(ROUNDS ? pool() : rows), ...failed].map((row) => key(row.settings)));
  const fresh = list.filter((settings) => {
    const k = key(settings);
    if (known.has(k)) return false;
    known.add(k);
    return true;
  });
  for (const settings of fresh) make(settings); // a bad value fails before any fitting
  let failures = 0;
  fresh.forEach((settings, index) => {
    const where = `${round ? `${round} ` : ''}${index + 1}/${fresh.length}`;
    let v: ReturnType<typeof validate>;
    try {
      v = validate(settings);
    } catch (error) {
      if (!(error instanceof DivergenceError)) throw error;
      failures++;
      failed.push({ round, settings, error: error.message });
      console.error(`[${where}] ${JSON.stringify(settings)} diverged: ${error.message}`);
      return;
    }
    const row: Row = { settings, options: resolved(settings), cost: cost(settings), ...v, ...(round && { round }) };
    rows.push(row);
    console.error(
      `[${where}] ${JSON.stringify(settings)} validation NDCG@10 ${row.ndcg.toFixed(4)} ` +
        `P@10 ${row.precision.toFixed(4)} (alt NDCG ${row.altNdcg.toFixed(4)}, fit ${row.fitSeconds.toFixed(2)} s)`,
    );
  });
  if (round) {
    const all = pool();
    const best = bestOf(all), chosen = chosenOf(all);
    roundLog.push({
      name: round, scored: fresh.length - failures, failed: failures, seconds: (performance.now() - t0) / 1000,
      best: best.settings, bestNdcg: best.ndcg, chosen: chosen.settings, chosenNdcg: chosen.ndcg,
    });
    console.error(
      `round ${round}: ${fresh.length} new settings (${failures} diverged) in ${((performance.now() - t0) / 1000).toFixed(0)} s; ` +
        `best ${JSON.stringify(best.settings)} ${best.ndcg.toFixed(4)}, chosen ${JSON.stringify(chosen.settings)} ${chosen.ndcg.toFixed(4)}`,
    );
  }
}

// The hybrid's search space (identity features only, adagrad): the ladders the rounds step along.
const LADDER: Record<'loss' | 'factors' | 'epochs' | 'lr' | 'reg', readonly (number | string)[]> = {
  loss: ['warp', 'bpr'],
  factors: [32, 64, 128],
  epochs: [10, 30, 60, 100],
  lr: [0.01, 0.03, 0.05, 0.1],
  reg: [0, 1e-6, 1e-5, 1e-4],
};
type Step = keyof typeof LADDER;
/** The value and its neighbours on the ladder (the value alone when it is off the ladder). */
const near = (name: Step, value: number | string): (number | string)[] => {
  const ladder = LADDER[name], at = ladder.indexOf(value);
  return at < 0 ? [value] : ladder.slice(Math.max(0, at - 1), at + 2);
};
/** A row's setting in the rounds' terms (loss, factors, epochs, lr, reg = userReg = itemReg, plus any other setting it had). */
const anchorOf = (row: Row): Settings | undefined => {
  const o = row.options as Record<string, number | string>;
  if (o.userReg !== o.itemReg) return undefined;
  const { userReg: _u, itemReg: _i, ...rest } = row.settings;
  return { ...rest, loss: o.loss, factors: o.factors, epochs: o.epochs, lr: o.lr, reg: o.userReg };
};
/** The current best and pick of the pool, as settings (once each). */
const anchors = (): Settings[] => {
  const all = pool();
  const out = new Map<string, Settings>();
  for (const row of [bestOf(all), chosenOf(all)]) {
    const a = anchorOf(row);
    if (a) out.set(key(a), a);
  }
  return [...out.values()];
};

let finalRows: Row[] | undefined;
if (!ROUNDS) {
  score(gridCombinations(grid));
} else {
  score(gridCombinations({ loss: LADDER.loss, factors: [32, 64, 128], epochs: [10, 30, 100], lr: [0.01, 0.05, 0.1], reg: [0] }), '1 coarse');
  score(anchors().flatMap((a) => gridCombinations({ factors: near('factors', a.factors), epochs: near('epochs', a.epochs), lr: near('lr', a.lr) }).map((c) => ({ ...a, ...c }))), '2 refine');
  score(anchors().flatMap((a) => LADDER.reg.map((reg) => ({ ...a, reg }))), '3 reg');
  for (const round of ['4 polish', '5 polish']) {
    const before = rows.length + failed.length;
    score(anchors().flatMap((a) => (Object.keys(LADDER) as Step[]).flatMap((name) => near(name, a[name]).map((v) => ({ ...a, [name]: v })))), round);
    if (rows.length + failed.length === before) break;
  }
  if (FINAL_SEEDS) {
    // The contenders again with more model seeds (a seed moves NDCG@10 by about the tolerance).
    const t0 = performance.now();
    const all = pool();
    const best = bestOf(all), chosen = chosenOf(all);
    const contenders = [...all].sort((a, b) => b.ndcg - a.ndcg).filter((row) => row.ndcg >= best.ndcg - 2 * TOLERANCE).slice(0, FINAL_CAP);
    if (!contenders.includes(chosen)) contenders.push(chosen);
    finalRows = contenders.map((row, index) => {
      const runs = FINAL_SEEDS.map((seed) => {
        // The row's own figures are those of its model seed (0 unless it set one).
        if (seed === row.options.seed) return { ...row, seed };
        return { ...validateOnce(() => make({ ...row.settings, seed })), seed };
      });
      const out: Row = {
        settings: row.settings, options: row.options, cost: row.cost, ...meanOf(runs),
        altNdcg: mean(runs.map((r) => r.altNdcg)), fitSeconds: mean(runs.map((r) => r.fitSeconds)),
        foldNdcg: inner.map((_, f) => mean(runs.map((r) => r.foldNdcg[f]))), seedNdcg: runs.map((r) => r.ndcg),
        round: 'final', ...(row.from && { from: row.from }),
      };
      console.error(
        `[final ${index + 1}/${contenders.length}] ${JSON.stringify(row.settings)} validation NDCG@10 ${out.ndcg.toFixed(4)} ` +
          `(seeds ${FINAL_SEEDS.join(',')}: ${out.seedNdcg!.map((x) => x.toFixed(4)).join(' ')}) P@10 ${out.precision.toFixed(4)}`,
      );
      return out;
    });
    const fBest = bestOf(finalRows), fChosen = chosenOf(finalRows);
    roundLog.push({
      name: 'final', scored: finalRows.length, failed: 0, seconds: (performance.now() - t0) / 1000,
      best: fBest.settings, bestNdcg: fBest.ndcg, chosen: fChosen.settings, chosenNdcg: fChosen.ndcg,
    });
    console.error(`round final: ${finalRows.length} contenders x seeds ${FINAL_SEEDS.join(',')}; best ${JSON.stringify(fBest.settings)} ${fBest.ndcg.toFixed(4)}, chosen ${JSON.stringify(fChosen.settings)} ${fChosen.ndcg.toFixed(4)}`);
  }
}
if (rows.length + included.length === 0) throw new Error('no setting could be scored (every fit diverged)');

const candidates = pool();
const best = bestOf(finalRows ?? candidates);
const chosen = chosenOf(finalRows ?? candidates);
const defaults = resolved({});
const defaultsRow = (finalRows ?? []).find((row) => key(row.settings) === key({})) ?? candidates.find((row) => key(row.settings) === key({}));
const defaultsValidation = defaultsRow ?? { settings: {}, options: defaults, cost: cost({}), ...validate({}) };

const report = {
  model: kind,
  protocol:
    `validation = perUserHoldout (20% of each user's interactions, seed 0) of each implicit u1..u5.base (rating >= ${threshold}); ` +
    `ranking 'full', k=${K}, candidates = all items minus the user's other uK.base ratings; criterion mean NDCG@${K}; ` +
    `${SEEDS ? `figures = means over model seeds ${SEEDS.join(',')}; ` : ''}chosen = cheapest (factors x epochs) within ${TOLERANCE} of the best; ` +
    `${finalRows ? `best and chosen among the final round's contenders (within ${2 * TOLERANCE} of the best, at most ${FINAL_CAP}), figures = means over model seeds ${FINAL_SEEDS!.join(',')}; ` : ''}` +
    `test files (model seed 0, as the CLI) used only for the chosen setting and the defaults`,
  threshold,
  validation: VALIDATION,
  seeds: SEEDS,
  tolerance: TOLERANCE,
  grid: ROUNDS ? { rounds: LADDER } : grid,
  included: (arg('--include') ?? '').split(',').filter(Boolean),
  seconds: 0,
  /** Distinct settings this run validated (the final round's refits not counted), and the model fits it made. */
  settingsEvaluated: rows.length + failed.length,
  rounds: ROUNDS ? roundLog : undefined,
  failed,
  defaults: { options: defaults, validation: defaultsValidation },
  best,
  chosen,
  final: finalRows && { seeds: FINAL_SEEDS, contenders: [...finalRows].sort((a, b) => b.ndcg - a.ndcg) },
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
  for (const r of report.rounds ?? []) {
    console.log(`round ${r.name}: ${r.scored} settings (${r.failed} diverged), ${r.seconds.toFixed(0)} s; best ${JSON.stringify(r.best)} ${f(r.bestNdcg)}; chosen ${JSON.stringify(r.chosen)} ${f(r.chosenNdcg)}`);
  }
  for (const row of report.final?.contenders ?? []) {
    console.log(`final ${f(row.ndcg)} (seeds ${row.seedNdcg!.map(f).join(' ')})  cost ${row.cost}  ${JSON.stringify(row.settings)}`);
  }
  console.log(`${report.settingsEvaluated} settings evaluated, ${report.seconds.toFixed(0)} s`);
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
