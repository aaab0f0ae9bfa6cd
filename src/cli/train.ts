// `latentrec train`: fit one model, report the learning curve and, when a test set is asked
// for, the test scores. A model saved for serving must have seen all of the data, so nothing is
// held out unless --test or --test-ratio says so.
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { saveModelFile } from '../io/model-file-node.js';
import type { Dataset } from '../data/dataset.js';
import type { LoadSummary } from '../data/parse.js';
import { coldItemsSplit, holdoutSplit } from '../data/splits.js';
import { evaluateColdStart } from '../eval/cold-start.js';
import { attributesFor } from './features.js';
import { OptionError } from '../errors.js';
import { evaluate } from '../eval/cross-validate.js';
import type { Model } from '../models/core/model.js';
import type { CommonFitOptions, EpochReport, FitResult } from '../models/core/types.js';
import { RatingBase } from '../models/rating/rating-base.js';
import { learningCurveChart } from '../plot/line-chart.js';
import { toImplicit } from '../data/implicit.js';
import { evaluateModelRankingAsync } from '../eval/model-scorer.js';
import type { RankingReport } from '../eval/ranking-protocol.js';
import { writeFileAtomic } from '../io/atomic-write-node.js';
import { describeLoad, loadFile, summaryJson } from './load.js';
import { asFlagError, isRankingKind, modelFactory, parseOptions, type DataFlags, type ModelFlags } from './options.js';
import { checkOutputs, type InputSpec } from './outputs.js';
import { createProgress } from './progress.js';
import { abortOnSignals, CommandInterrupted, holdingSignals } from './signals.js';
import { describeSample, rankingPlan, rankingTest, type RankingFlags, type RankingSample } from './ranking-sample.js';
import { forTerminal, jsonForTerminal } from './terminal.js';

export interface TrainFlags extends ModelFlags, DataFlags, RankingFlags {
  data: string;
  test?: string;
  testRatio?: string;
  json?: boolean;
  plot?: string;
  save?: string;
  trainRmse?: string;
  patience?: string;
  validationRatio?: string;
  coldItems?: string;
}

type RankingFigures = { k: number; precision: number; recall: number; ndcg: number; map: number; auc: number; coverage: number; protocol: string; relevance: number; users: number; sampledUsers?: RankingSample };

export interface TrainReport {
  model: string;
  data: { users: number; items: number; ratings: number };
  fitSeconds: number;
  /** Threads that ran the epochs, and why fewer than asked for (if so). */
  threads: number;
  notes: string[];
  /** Interrupted (Ctrl-C): the epoch the model (and a --save file) holds. */
  aborted?: boolean;
  keptEpoch?: number;
  /** Rating models: train RMSE (test RMSE/MAE with a test set); ranking models: their loss and lossKind. */
  epochs: CurveRow[];
  bestEpoch?: number;
  /** Without a test set (rating models): RMSE/MAE on the training data itself. */
  train?: { rmse: number; mae: number };
  /** With --test or --test-ratio. */
  test?: { rmse: number; mae: number };
  ranking?: RankingFigures;
  /** With --cold-items: the ranking among the items held out of training entirely. */
  coldStart?: { items: number; scorable: number; users: number; precision: number; ndcg: number; auc: number };
  load: ReturnType<typeof summaryJson>[];
}

export async function trainCommand(flags: TrainFlags): Promise<TrainReport | undefined> {
  const factory = modelFactory(flags);
  const trainMetric = oneOfFlag('--train-rmse', flags.trainRmse ?? 'pass', ['pass', 'full'] as const);
  const heldOut = flags.test !== undefined || flags.testRatio !== undefined;
  if (flags.coldItems !== undefined && !heldOut) {
    throw new Error('--cold-items ranks held-out items for test users: give a test set too (--test FILE or --test-ratio R)');
  }
  const plan = rankingPlan(flags);
  if (!plan.rank && flags.coldItems !== undefined) throw new Error('--cold-items ranks held-out items for test users: drop --no-ranking');
  if ((!plan.rank || plan.users !== undefined) && !heldOut) {
    throw new Error(`${plan.rank ? '--ranking-users' : '--no-ranking'} applies to the ranking of a test set: give one (--test FILE or --test-ratio R)`);
  }
  // Before anything is loaded or fitted: a bad output path costs a second, not a fit.
  checkOutputs([{ flag: '--save', path: flags.save, kind: 'model' }, { flag: '--plot', path: flags.plot, kind: 'svg' }], trainInputs(flags));
  const seed = factory.make().settings.seed;
  const loaded = await loadTrainTest(flags, seed, undefined, !flags.json);
  const { test, summaries } = loaded;
  // --cold-items: a seeded share of the items loses every training rating (cold start).
  const cold = flags.coldItems === undefined ? undefined : coldSplit(loaded.train, flags.coldItems, seed);
  const train = cold?.train ?? loaded.train;
  const { features, source: attributeSource } = await attributesFor([factory.kind], flags, test ? [loaded.train, test] : [loaded.train]);
  const model = factory.make();
  const implicit = isRankingKind(factory.kind);
  const threshold = thresholdOf(flags);
  const allData = implicit ? toImplicit(train, { threshold }) : train;
  // Early stopping watches a seeded validation holdout of the training data, never the test set.
  const patience = flags.patience === undefined ? undefined : countFlag('--patience', flags.patience);
  let fitData = allData;
  let watch: Dataset | undefined = implicit ? undefined : test;
  if (patience !== undefined) {
    if (implicit) throw new Error('--patience applies to rating models (it watches the validation RMSE)');
    const ratio = flags.validationRatio === undefined ? 0.1 : Number(flags.validationRatio);
    try {
      ({ train: fitData, test: watch } = holdoutSplit(allData, { testRatio: ratio, seed: factory.make().settings.seed + 1 }));
    } catch (error) {
      throw asFlagError(error, { testRatio: '--validation-ratio' });
    }
  }
  const fit = await fitWithProgress(model, fitData, watch, {
    json: flags.json, label: `${factory.label} epochs`, trainMetric,
    earlyStopping: patience === undefined ? undefined : { patience },
    extra: features,
  });
  const epochs = patience === undefined ? curveRows(fit.epochs) : validationRows(fit.epochs);
  if (!flags.json) {
    for (const summary of summaries) console.log(forTerminal(describeLoad(summary)));
    if (attributeSource) console.log(forTerminal(`attributes: ${attributeSource}`));
    console.log(test ? `train ${train.size} ratings (${train.userCount} users, ${train.itemCount} items), test ${test.size}` : `train on all ${train.size} ratings (${train.userCount} users, ${train.itemCount} items); no test set (give --test FILE or --test-ratio R to hold one out)`);
    // Ranking models show their own loss (misranked pairs for BPR and the hybrid, the CG residual for ALS).
    if (patience === undefined) printCurve(fit.epochs);
    else {
      printCurve(fit.epochs, 'valid.');
      console.log(`early stopping: best validation RMSE at epoch ${fit.bestEpoch}, restored`);
    }
    console.log(`fit ${fit.fitSeconds.toFixed(3)} s`);
  }

  // The fit is finished work: it is written out before anything else can fail or be interrupted.
  const saved = await writeOutputs(flags.json, [
    flags.save === undefined ? undefined : { flag: '--save', path: flags.save, what: 'model', write: () => saveModelFile(flags.save!, model.toState()) },
    flags.plot === undefined ? undefined : { flag: '--plot', path: flags.plot, what: 'learning curve', write: () => writeFileAtomic(flags.plot!, learningCurveChart([{ label: factory.label, epochs: fit.epochs }])) },
  ]);
  const modelKept = saved.written.includes('--save') ? ` (the model was saved to ${flags.save} before it)` : '';

  const report: TrainReport = {
    model: factory.label,
    data: { users: train.userCount, items: train.itemCount, ratings: train.size },
    fitSeconds: fit.fitSeconds,
    threads: fit.threads ?? 1,
    notes: fit.notes ?? [],
    ...(fit.aborted ? { aborted: true, keptEpoch: fit.keptEpoch } : {}),
    epochs,
    ...(fit.bestEpoch === undefined ? {} : { bestEpoch: fit.bestEpoch }),
    load: summaries.map(summaryJson),
    ...(attributeSource ? { attributes: attributeSource } : {}),
  };
  if (test) {
    const stop = abortOnSignals(`stopping the evaluation${modelKept}`);
    const progress = createProgress(!flags.json);
    try {
      const scores = evaluate(model, test);
      report.test = { rmse: scores.rmse, mae: scores.mae };
      // Ranking on the test set, for every kind: the whole catalogue minus the user's training
      // items (every item the user rated, whatever the implicit threshold); relevant = a test rating
      // >= 4, or >= the implicit threshold when one is given to an implicit model.
      const relevance = implicit && threshold !== undefined ? threshold : 4;
      const ranked = rankingTest(test, plan.users, seed);
      let ranking: RankingReport | undefined;
      if (plan.rank) {
        progress.start(ranked.test.userCount, 'ranking test users');
        ranking = await evaluateModelRankingAsync(model, train, ranked.test, {
          k: 10, protocol: 'full', relevance, signal: stop.signal, onProgress: (done) => progress.update(done),
        });
        progress.stop();
        report.ranking = rankingFigures(ranking, relevance, ranked.sample);
      }
      const coldReport = cold ? evaluateColdStart(model, train, test, cold.items, { k: 10, relevance }) : undefined;
      if (coldReport) {
        report.coldStart = {
          items: coldReport.items, scorable: coldReport.scorable, users: coldReport.ranking?.users ?? 0,
          precision: coldReport.ranking?.precision ?? NaN, ndcg: coldReport.ranking?.ndcg ?? NaN, auc: coldReport.ranking?.auc ?? NaN,
        };
      }
      if (!flags.json) {
        // A ranking model's scores are not ratings: its RMSE (still in --json) means nothing to a reader.
        if (!implicit) console.log(`test RMSE ${scores.rmse.toFixed(4)}, MAE ${scores.mae.toFixed(4)}`);
        if (ranking) {
          console.log(`ranking (full catalogue, k=10, relevant = rating >= ${relevance})${describeSample(ranked.sample)}: precision ${ranking.precision.toFixed(4)}, NDCG ${ranking.ndcg.toFixed(4)}, AUC ${ranking.auc.toFixed(4)}`);
        }
        if (coldReport) console.log(describeColdStart(coldReport.items, coldReport.scorable, report.coldStart!));
      }
    } catch (error) {
      progress.stop();
      const signal = stop.received();
      if (signal) throw new CommandInterrupted(signal, `interrupted during the evaluation: no test figures${modelKept}`);
      if (modelKept) console.error(`note: the evaluation failed${modelKept}`);
      throw error;
    } finally {
      stop.dispose();
    }
  } else if (!implicit) {
    const scores = evaluate(model, train);
    report.train = { rmse: scores.rmse, mae: scores.mae };
    if (!flags.json) console.log(`RMSE ${scores.rmse.toFixed(4)}, MAE ${scores.mae.toFixed(4)} on the training data (not a test figure)`);
  }
  if (flags.json) console.log(jsonForTerminal(report));
  if (saved.failed) process.exitCode = 1;
  return report;
}

/** Every file `train` reads: no output may be one of them. */
function trainInputs(flags: TrainFlags): InputSpec[] {
  const dir = flags.ml100kFeatures;
  return [
    { flag: '--data', path: flags.data },
    { flag: '--test', path: flags.test },
    { flag: '--user-features', path: flags.userFeatures },
    { flag: '--item-features', path: flags.itemFeatures },
    ...(dir === undefined ? [] : ['u.user', 'u.item', 'u.genre'].map((name) => ({ flag: '--ml100k-features', path: join(dir, name) }))),
  ];
}

function rankingFigures(r: RankingReport, relevance: number, sample: RankingSample | undefined): RankingFigures {
  return {
    k: r.k, precision: r.precision, recall: r.recall, ndcg: r.ndcg, map: r.map, auc: r.auc, coverage: r.coverage, protocol: r.protocol, relevance,
    users: r.users, ...(sample && { sampledUsers: sample }),
  };
}

export interface PendingOutput {
  flag: string;
  path: string;
  /** For messages: "model", "learning curve". */
  what: string;
  write: () => Promise<void>;
}

/**
 * Writes a command's outputs once its work is done, each on its own (one failing does not stop
 * the others), with Ctrl-C held until they are complete. Says what was written; a failure is
 * reported on stderr and marked, and a held signal ends the command afterwards.
 *
 * `rollback` is for outputs that only make sense together (an export's two files): when one
 * fails, it takes back the others, still with the signals held, so an interrupt cannot leave a
 * half. Only for paths checked new before the work: removing them loses nothing that was there.
 */
export async function writeOutputs(
  json: boolean | undefined,
  outputs: readonly (PendingOutput | undefined)[],
  rollback?: { because: string },
): Promise<{ written: string[]; failed: boolean }> {
  const pending = outputs.filter((o): o is PendingOutput => o !== undefined);
  if (pending.length === 0) return { written: [], failed: false };
  const { value, signal } = await holdingSignals(`writing ${pending.map((o) => o.flag).join(' and ')} first, then stopping`, async () => {
    const written: string[] = [];
    let failed = false;
    for (const output of pending) {
      if (failed && rollback) {
        // The set is lost already: writing the rest only to remove it would be wasted.
        console.error(forTerminal(`latentrec: ${output.flag} ${output.path}: not written: ${rollback.because}`));
        continue;
      }
      try {
        await output.write();
        written.push(output.flag);
        if (!json) console.log(forTerminal(`${output.what} written to ${output.path}`));
      } catch (error) {
        failed = true;
        console.error(forTerminal(`latentrec: ${output.flag} ${output.path}: ${error instanceof Error ? error.message : String(error)}`, { keepNewlines: true }));
      }
    }
    if (failed && rollback) {
      for (const flag of written.splice(0)) {
        const output = pending.find((o) => o.flag === flag)!;
        try {
          await unlink(output.path);
          console.error(forTerminal(`latentrec: removed ${flag} ${output.path}: ${rollback.because}`));
        } catch (error) {
          written.push(flag);
          const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
          console.error(forTerminal(`latentrec: could not remove ${flag} ${output.path} (${code}): remove it by hand; ${rollback.because}`));
        }
      }
    }
    return { written, failed };
  });
  if (signal) {
    const kept = value.written.map((flag) => `${flag} ${pending.find((o) => o.flag === flag)!.path}`).join(', ');
    throw new CommandInterrupted(signal, kept ? `interrupted; written before stopping: ${kept}` : 'interrupted; nothing could be written');
  }
  return value;
}

export interface TrainTest {
  train: Dataset;
  /** Undefined when no test set was asked for and `defaultTestRatio` is unset. */
  test?: Dataset;
  summaries: LoadSummary[];
}

/**
 * --data with --test FILE, or a seeded --test-ratio holdout of --data; without either, all of
 * --data trains (or, for commands that need a test set, a `defaultTestRatio` holdout).
 */
export async function loadTrainTest(
  flags: DataFlags & { data: string; test?: string; testRatio?: string }, seed: number, defaultTestRatio?: number, watch = false,
): Promise<TrainTest> {
  const parse = parseOptions(flags);
  if (flags.test !== undefined && flags.testRatio !== undefined) {
    throw new Error('give either --test FILE or --test-ratio R, not both');
  }
  const ratio = flags.test !== undefined ? undefined : flags.testRatio === undefined ? defaultTestRatio : Number(flags.testRatio);
  // Data that trains as it is loaded goes straight into the fit's wasm memory (no copy); a split copies anyway.
  const loaded = await loadFile(flags.data, { ...parse, inPlace: ratio === undefined }, watch);
  if (flags.test !== undefined) {
    // The test file keeps its own inferred scale (an explicit --scale applies to both):
    // predictions are clipped to the training scale anyway.
    const loadedTest = await loadFile(flags.test, parse, watch);
    return { train: loaded.dataset, test: loadedTest.dataset, summaries: [loaded.summary, loadedTest.summary] };
  }
  if (ratio === undefined) return { train: loaded.dataset, summaries: [loaded.summary] };
  try {
    const { train, test } = holdoutSplit(loaded.dataset, { testRatio: ratio, seed });
    return { train, test, summaries: [loaded.summary] };
  } catch (error) {
    throw asFlagError(error);
  }
}

/**
 * Fits with the test set scored every epoch (rating models), a progress bar while a person
 * watches. Ctrl-C stops the fit after the current epoch and the command goes on with the epochs
 * trained (saving the model if asked); a second Ctrl-C exits at once.
 */
export async function fitWithProgress(
  model: Model,
  train: Dataset,
  test: Dataset | undefined,
  o: { json?: boolean; label: string; trainMetric?: 'pass' | 'full'; earlyStopping?: { patience: number }; extra?: object },
): Promise<FitResult> {
  const progress = createProgress(!o.json);
  progress.start(model.settings.epochs, o.label);
  const interrupt = new AbortController();
  const onSigint = () => {
    process.off('SIGINT', onSigint);
    console.error('\ninterrupted: stopping after this epoch (Ctrl-C again to quit at once)');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  // A validation set, the train metric and early stopping are a rating model's: ranking models score no ratings.
  // (the train metric only when asked for: 'pass' is every model's default, and not every model has 'full').
  const rating = model instanceof RatingBase
    ? { validation: test, earlyStopping: o.earlyStopping, ...(o.trainMetric === 'full' ? { trainMetric: o.trainMetric } : {}) }
    : {};
  let fit: FitResult;
  try {
    fit = await model.fitAsync(train, {
      ...o.extra,
      ...rating,
      signal: interrupt.signal,
      onEpoch: (e: EpochReport) =>
        progress.update(e.epoch, `${e.trainRmse === undefined ? e.loss.kind : 'train'} ${(e.trainRmse ?? e.loss.value).toFixed(4)}${e.validationRmse === undefined ? '' : ` test ${e.validationRmse.toFixed(4)}`}`),
    } as CommonFitOptions);
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
  }
  if (fit.aborted) console.error(`note: interrupted; the model keeps epoch ${fit.keptEpoch} of ${model.settings.epochs}`);
  // How the fit ran where it differs from what was asked (one thread instead of several, and
  // why): on stderr, so --json output stays one object.
  for (const note of fit.notes ?? []) console.error(`note: ${note}`);
  return fit;
}

/** With early stopping the curve's second column is the validation holdout, named as such. */
function validationRows(epochs: readonly EpochReport[]): CurveRow[] {
  return epochs.map((e) => ({ epoch: e.epoch, trainRmse: e.trainRmse!, validationRmse: e.validationRmse!, validationMae: e.validationMae! }));
}

function countFlag(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new OptionError(flag, 'an integer >= 1', value);
  return n;
}

/**
 * The learning curve as the JSON prints it: a rating model's epochs give train RMSE (and the test
 * RMSE/MAE); a ranking model's give its loss and what it measures (lossKind).
 */
export type CurveRow = { epoch: number } & ({ trainRmse: number; testRmse?: number; testMae?: number; validationRmse?: number; validationMae?: number } | { loss: number; lossKind: string });

export function curveRows(epochs: readonly EpochReport[]): CurveRow[] {
  return epochs.map((e) =>
    e.trainRmse === undefined
      ? { epoch: e.epoch, loss: e.loss.value, lossKind: e.loss.kind }
      : { epoch: e.epoch, trainRmse: e.trainRmse, testRmse: e.validationRmse, testMae: e.validationMae },
  );
}

function coldSplit(train: Dataset, value: string, seed: number): { train: Dataset; items: string[] } {
  const ratio = Number(value);
  if (!(ratio > 0 && ratio < 1)) throw new OptionError('--cold-items', 'a fraction in (0, 1)', value);
  return coldItemsSplit(train, { ratio, seed });
}

function describeColdStart(items: number, scorable: number, r: NonNullable<TrainReport['coldStart']>): string {
  if (scorable < 2) {
    return `cold start: ${items} items held out of training; the model can score ${scorable} of them ` +
      '(a model without item attributes cannot score items it never saw: use --model hybrid with --item-features)';
  }
  return `cold start (${items} items held out of training, ${scorable} scorable, ${r.users} users): ` +
    `precision ${r.precision.toFixed(4)}, NDCG ${r.ndcg.toFixed(4)}, AUC ${r.auc.toFixed(4)}`;
}

/** --implicit-threshold as a number (undefined: every rating an interaction). */
export function thresholdOf(flags: { implicitThreshold?: string }): number | undefined {
  if (flags.implicitThreshold === undefined) return undefined;
  const r = Number(flags.implicitThreshold);
  if (!Number.isFinite(r)) throw new OptionError('--implicit-threshold', 'a number', flags.implicitThreshold);
  return r;
}

function oneOfFlag<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new OptionError(flag, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

/** The learning curve as a table: train RMSE (and test RMSE/MAE), or a ranking model's loss by its kind. */
export function printCurve(epochs: readonly EpochReport[], second = 'test'): void {
  // Ranking models are not scored on test ratings per epoch: their rows have no test columns.
  const withTest = epochs.some((e) => e.validationRmse !== undefined);
  const trainLabel = epochs[0]?.trainRmse === undefined ? epochs[0]?.loss.kind ?? 'loss' : 'train RMSE';
  console.log(`epoch  ${trainLabel.padStart(10)}${withTest ? `  ${second} RMSE  ${second} MAE` : ''}`);
  for (const e of epochs) {
    const test = withTest ? `  ${(e.validationRmse ?? NaN).toFixed(4).padStart(9)}  ${(e.validationMae ?? NaN).toFixed(4).padStart(8)}` : '';
    console.log(`${String(e.epoch).padStart(5)}  ${(e.trainRmse ?? e.loss.value).toFixed(4).padStart(10)}${test}`);
  }
}
