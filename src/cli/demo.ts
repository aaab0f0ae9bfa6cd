// `latentrec demo`: the first thing a newcomer runs. Trains SVD (or --model mf) on MovieLens 100k when given
// --data PATH/u.data, otherwise on the built-in generated set shaped like it, and shows the
// learning curve, the test scores and the top 5 for one user.
import type { Dataset } from '../data/dataset.js';
import { generateRatings } from '../data/generate.js';
import { holdoutSplit } from '../data/splits.js';
import { evaluate } from '../eval/cross-validate.js';
import { printCurve } from './train.js';
import { describeLoad, loadFile } from './load.js';
import { titlesBeside } from './titles.js';
import { forTerminal, jsonForTerminal } from './terminal.js';
import { modelFactory, refuseAttributeFlags, type ModelFlags } from './options.js';
import { createProgress } from './progress.js';

export interface DemoFlags extends ModelFlags {
  data?: string;
  user?: string;
  json?: boolean;
}

export async function demoCommand(flags: DemoFlags): Promise<void> {
  refuseAttributeFlags('demo', flags);
  const factory = modelFactory(flags);
  let data: Dataset;
  let titles: Map<string, string> | undefined;
  if (flags.data !== undefined) {
    const loaded = await loadFile(flags.data, { format: 'auto' });
    data = loaded.dataset;
    titles = titlesBeside(flags.data);
    if (!flags.json) console.log(forTerminal(describeLoad(loaded.summary)));
  } else {
    data = generateRatings();
    if (!flags.json) {
      console.log(
        `no --data given: using the built-in generated set shaped like MovieLens 100k ` +
          `(${data.userCount} users, ${data.itemCount} items, ${data.size} ratings on 1..5).\n` +
          `Try the real thing: latentrec demo --data path/to/ml-100k/u.data`,
      );
    }
  }
  const { train, test } = holdoutSplit(data, { testRatio: 0.2, seed: 0 });
  const model = factory.makeRating();
  const name = factory.label.toUpperCase();
  const progress = createProgress(!flags.json);
  progress.start(model.settings.epochs, `${name} epochs`);
  let fit;
  try {
    fit = model.fit(train, { validation: test, onEpoch: (e) => progress.update(e.epoch, `test RMSE ${e.validationRmse!.toFixed(4)}`) });
  } finally {
    progress.stop();
  }
  const scores = evaluate(model, test);
  const user = flags.user ?? (model.userIds.includes('1') ? '1' : model.userIds[0]);
  const top = model.recommend(user, { n: 5 });
  const epochs = fit.epochs.map((e) => ({ epoch: e.epoch, trainRmse: e.trainRmse, testRmse: e.validationRmse!, testMae: e.validationMae! }));
  if (flags.json) {
    console.log(jsonForTerminal({ model: factory.label, fitSeconds: fit.fitSeconds, epochs, test: { rmse: scores.rmse, mae: scores.mae }, user, top }));
    return;
  }
  console.log(`${name} k=${model.settings.factors}, ${model.settings.epochs} epochs, engine ${model.settings.engine}`);
  printCurve(fit.epochs);
  console.log(`fit ${fit.fitSeconds.toFixed(3)} s; test RMSE ${scores.rmse.toFixed(4)}, MAE ${scores.mae.toFixed(4)} on ${test.size} ratings`);
  console.log(forTerminal(`top 5 for user ${user} (items not rated in training):`));
  for (const { id: item, score } of top) {
    console.log(`  ${score.toFixed(3)}  ${forTerminal(item)}${titles?.has(item) ? `  ${forTerminal(titles.get(item)!)}` : ''}`);
  }
}
