// `latentrec cv`: cross-validation over k random folds of one file or predefined fold files.
import type { Fold } from '../data/splits.js';
import type { LoadSummary } from '../data/parse.js';
import { crossValidate } from '../eval/cross-validate.js';
import { loadFolds } from '../data/load-node.js';
import { describeLoad, loadFile, summaryJson } from './load.js';
import { kFold } from '../data/splits.js';
import { attributesFor, type FeatureFlags } from './features.js';
import { asFlagError, modelFactory, requireRatingModel, parseOptions, type DataFlags, type ModelFlags } from './options.js';
import { createProgress } from './progress.js';
import { forTerminal, jsonForTerminal } from './terminal.js';

export interface CvFlags extends ModelFlags, FoldFlags, FeatureFlags {
  json?: boolean;
}

export interface CvReport {
  model: string;
  folds: { name: string; rmse: number; mae: number; fitSeconds: number; testSeconds: number }[];
  mean: { rmse: number; mae: number; fitSeconds: number };
  load: ReturnType<typeof summaryJson>[];
  /** The attribute files the fits took, where a preset found the data's own. */
  attributes?: string;
}

export async function cvCommand(flags: CvFlags): Promise<CvReport> {
  const factory = modelFactory(flags);
  requireRatingModel('cv', factory.kind);
  const seed = factory.make().settings.seed;
  const { folds, summaries } = await loadCvFolds(flags, seed);
  const attributes = await attributesFor([factory.kind], flags, folds.flatMap((f) => [f.train, f.test]));
  const progress = createProgress(!flags.json);
  const epochs = factory.make().settings.epochs;
  let done = 0;
  let last = '';
  progress.start(folds.length * epochs, `${factory.label} ${folds.length} folds x ${epochs} epochs`);
  const result = (() => {
    try {
      return crossValidate(() => factory.makeRating(), folds, {
        fitOptions: {
          onEpoch: (e) => progress.update(++done, `${last}fold ${Math.ceil(done / epochs)} epoch ${e.epoch}`),
          ...attributes.features,
        },
        onFold: (f) => {
          last += `${f.name} ${f.rmse.toFixed(4)}  `;
          progress.update(done, last);
        },
      });
    } finally {
      progress.stop();
    }
  })();
  const report: CvReport = {
    model: factory.label,
    folds: result.folds.map((f) => ({ name: f.name, rmse: f.rmse, mae: f.mae, fitSeconds: f.fitSeconds, testSeconds: f.testSeconds })),
    mean: { rmse: result.mean.rmse, mae: result.mean.mae, fitSeconds: result.mean.fitSeconds },
    load: summaries.map(summaryJson),
    ...(attributes.source ? { attributes: attributes.source } : {}),
  };
  if (flags.json) {
    console.log(jsonForTerminal(report));
  } else {
    for (const summary of summaries) console.log(forTerminal(describeLoad(summary)));
    if (report.attributes) console.log(forTerminal(`attributes: ${report.attributes}`));
    console.log('fold    RMSE     MAE   fit s');
    for (const f of report.folds) {
      console.log(`${f.name.padEnd(5)} ${f.rmse.toFixed(4)}  ${f.mae.toFixed(4)}  ${f.fitSeconds.toFixed(3)}`);
    }
    console.log(`mean  ${report.mean.rmse.toFixed(4)}  ${report.mean.mae.toFixed(4)}  ${report.mean.fitSeconds.toFixed(3)}`);
  }
  return report;
}

export interface FoldFlags extends DataFlags {
  data?: string;
  folds?: string;
  foldsDir?: string;
}

/** u1..uN files from --folds-dir, or --folds N seeded folds of --data (default 5). */
export async function loadCvFolds(flags: FoldFlags, seed: number): Promise<{ folds: Fold[]; summaries: LoadSummary[] }> {
  const parse = parseOptions(flags);
  if ((flags.data === undefined) === (flags.foldsDir === undefined)) {
    throw new Error('give either --data FILE (with --folds N) or --folds-dir DIR');
  }
  const summaries: LoadSummary[] = [];
  if (flags.foldsDir !== undefined) {
    if (flags.folds !== undefined) throw new Error('--folds goes with --data, not with --folds-dir');
    try {
      const folds = await loadFolds(flags.foldsDir, parse);
      for (const fold of folds) if (fold.load) summaries.push(fold.load.train, fold.load.test);
      return { folds, summaries };
    } catch (error) {
      throw asFlagError(error);
    }
  }
  const { dataset, summary } = await loadFile(flags.data!, parse);
  summaries.push(summary);
  try {
    return { folds: kFold(dataset, { folds: Number(flags.folds ?? 5), seed }), summaries };
  } catch (error) {
    throw asFlagError(error);
  }
}
