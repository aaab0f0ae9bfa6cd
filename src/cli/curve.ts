// `latentrec curve`: learning curves of several runs overlaid in one SVG (for example random vs
// SVD initialization, or k = 10/50/100/200), each run trained on the same split.
import { OptionError } from '../errors.js';
import { evaluate } from '../eval/cross-validate.js';
import { learningCurveChart } from '../plot/line-chart.js';
import { MODEL_KINDS, modelFactory, requireRatingModel, type DataFlags, type ModelFlags } from './options.js';
import { writeFileAtomic } from '../io/atomic-write-node.js';
import { checkOutputs } from './outputs.js';
import { forTerminal, jsonForTerminal } from './terminal.js';
import { curveRows, fitWithProgress, loadTrainTest, writeOutputs } from './train.js';
import { attributesFor, type FeatureFlags } from './features.js';
import { kindRow } from '../models/registry.js';

export interface CurveFlags extends ModelFlags, DataFlags, FeatureFlags {
  data: string;
  test?: string;
  testRatio?: string;
  out: string;
  vary?: string;
  trainRmse?: 'pass' | 'full';
  json?: boolean;
}

/** The flags --vary may change, and the values each accepts (checked by the model itself). */
const VARIABLE: Record<string, keyof ModelFlags> = {
  factors: 'factors', epochs: 'epochs', samples: 'samples', lr: 'lr', reg: 'reg', seed: 'seed', init: 'init', order: 'order', model: 'model',
};

export async function curveCommand(flags: CurveFlags): Promise<void> {
  const runs = parseVary(flags.vary, modelFactory(flags).label).map(({ label, override }) => ({ label, factory: modelFactory({ ...flags, ...override }) }));
  for (const run of runs) requireRatingModel('curve', run.factory.kind);
  checkOutputs([{ flag: '--out', path: flags.out, kind: 'svg' }], [{ flag: '--data', path: flags.data }, { flag: '--test', path: flags.test }]);
  // A curve compares train and test error, so without --test it holds out a seeded 20 % (it saves no model).
  const { train, test, summaries } = await loadTrainTest(flags, runs[0].factory.make().settings.seed, 0.2);
  if (!test) throw new Error('curve: no test set'); // unreachable: a default ratio is given
  const { features: attributes, source } = await attributesFor(runs.map((r) => r.factory.kind), flags, [train, test]);
  if (source && !flags.json) console.log(forTerminal(`attributes: ${source}`));
  const results = [];
  for (const { label, factory } of runs) {
    const model = factory.makeRating();
    const extra = kindRow(factory.kind).capabilities.attributes ? attributes : {};
    const fit = await fitWithProgress(model, train, test, { json: flags.json, label, trainMetric: flags.trainRmse, extra });
    results.push({ label, fitSeconds: fit.fitSeconds, epochs: fit.epochs, test: evaluate(model, test) });
  }
  const title = `Learning curve: ${summaries[0].source}${flags.vary ? `, ${flags.vary.split('=')[0]} varied` : ''}`;
  const svg = learningCurveChart(results.map((r) => ({ label: r.label, epochs: r.epochs })), { title });
  const { failed } = await writeOutputs(true, [{ flag: '--out', path: flags.out, what: 'learning curves', write: () => writeFileAtomic(flags.out, svg) }]);
  if (failed) process.exitCode = 1;
  if (flags.json) {
    console.log(jsonForTerminal({
      out: flags.out,
      runs: results.map((r) => ({ label: r.label, fitSeconds: r.fitSeconds, epochs: curveRows(r.epochs), test: { rmse: r.test.rmse, mae: r.test.mae } })),
    }));
    return;
  }
  for (const r of results) {
    const best = r.epochs.reduce((a, b) => (b.validationRmse! < a.validationRmse! ? b : a));
    console.log(forTerminal(`${r.label}: final test RMSE ${r.test.rmse.toFixed(4)}, best ${best.validationRmse!.toFixed(4)} at epoch ${best.epoch}, fit ${r.fitSeconds.toFixed(2)} s`));
  }
  if (!failed) console.log(forTerminal(`learning curves written to ${flags.out}`));
}

/** "factors=10,50,100" -> one run per value; no --vary -> one run labelled by its model kind. */
function parseVary(vary: string | undefined, model: string): { label: string; override: Partial<ModelFlags> }[] {
  if (vary === undefined) return [{ label: model, override: {} }];
  const match = /^([a-z]+)=(.+)$/.exec(vary.trim());
  const key = match?.[1] ?? '';
  if (!match || !(key in VARIABLE)) {
    throw new OptionError('--vary', `NAME=V1,V2,... with NAME one of ${Object.keys(VARIABLE).join(', ')}`, vary);
  }
  const values = match[2].split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) throw new OptionError('--vary', 'at least one value after =', vary);
  if (key === 'model') {
    for (const v of values) if (!(MODEL_KINDS as readonly string[]).includes(v)) throw new OptionError('--vary model', `one of ${MODEL_KINDS.join(', ')}`, v);
  }
  return values.map((value) => ({ label: `${key}=${value}`, override: { [VARIABLE[key]]: value } }));
}
