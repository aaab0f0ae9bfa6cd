// `latentrec train`: fit one model, report the learning curve and the test scores.
import type { Dataset } from '../data/dataset.js';
import { holdoutSplit } from '../data/splits.js';
import { evaluate } from '../eval/cross-validate.js';
import type { EpochReport } from '../models/types.js';
import { describeLoad, loadFile, summaryJson } from './load.js';
import { asFlagError, modelFactory, parseOptions, type DataFlags, type ModelFlags } from './options.js';
import { createProgress } from './progress.js';

export interface TrainFlags extends ModelFlags, DataFlags {
  data: string;
  test?: string;
  testRatio?: string;
  json?: boolean;
}

export interface TrainReport {
  model: string;
  data: { users: number; items: number; ratings: number };
  fitSeconds: number;
  epochs: { epoch: number; trainRmse: number; testRmse: number; testMae: number }[];
  test: { rmse: number; mae: number };
  load: ReturnType<typeof summaryJson>[];
}

export async function trainCommand(flags: TrainFlags): Promise<TrainReport> {
  const factory = modelFactory(flags);
  const seed = factory.make().settings.seed;
  const parse = parseOptions(flags);
  if (flags.test !== undefined && flags.testRatio !== undefined) {
    throw new Error('give either --test FILE or --test-ratio R, not both');
  }
  const loaded = await loadFile(flags.data, parse);
  const summaries = [loaded.summary];
  let train: Dataset;
  let test: Dataset;
  if (flags.test !== undefined) {
    train = loaded.dataset;
    // The test file keeps its own inferred scale (an explicit --scale applies to both):
    // predictions are clipped to the training scale anyway.
    const loadedTest = await loadFile(flags.test, parse);
    summaries.push(loadedTest.summary);
    test = loadedTest.dataset;
  } else {
    try {
      ({ train, test } = holdoutSplit(loaded.dataset, { testRatio: Number(flags.testRatio ?? 0.2), seed }));
    } catch (error) {
      throw asFlagError(error);
    }
  }
  const model = factory.make();
  const progress = createProgress(!flags.json);
  progress.start(model.settings.epochs, `${flags.model} epochs`);
  const fit = (() => {
    try {
      return model.fit(train, {
        validation: test,
        onEpoch: (e: EpochReport) => progress.update(e.epoch, `train ${e.trainRmse.toFixed(4)} test ${e.validationRmse!.toFixed(4)}`),
      });
    } finally {
      progress.stop();
    }
  })();
  const scores = evaluate(model, test);
  const report: TrainReport = {
    model: flags.model,
    data: { users: train.userCount, items: train.itemCount, ratings: train.size },
    fitSeconds: fit.fitSeconds,
    epochs: fit.epochs.map((e) => ({ epoch: e.epoch, trainRmse: e.trainRmse, testRmse: e.validationRmse!, testMae: e.validationMae! })),
    test: { rmse: scores.rmse, mae: scores.mae },
    load: summaries.map(summaryJson),
  };
  if (flags.json) {
    console.log(JSON.stringify(report));
  } else {
    for (const summary of summaries) console.log(describeLoad(summary));
    console.log(`train ${train.size} ratings (${train.userCount} users, ${train.itemCount} items), test ${test.size}`);
    printCurve(report.epochs);
    console.log(`fit ${report.fitSeconds.toFixed(3)} s; test RMSE ${scores.rmse.toFixed(4)}, MAE ${scores.mae.toFixed(4)}`);
  }
  return report;
}

export function printCurve(epochs: readonly { epoch: number; trainRmse: number; testRmse: number; testMae: number }[]): void {
  console.log('epoch  train RMSE  test RMSE  test MAE');
  for (const e of epochs) {
    console.log(
      `${String(e.epoch).padStart(5)}  ${e.trainRmse.toFixed(4).padStart(10)}  ${e.testRmse.toFixed(4).padStart(9)}  ${e.testMae.toFixed(4).padStart(8)}`,
    );
  }
}
