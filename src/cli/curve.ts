// `latentrec curve`: learning curves of several runs overlaid in one SVG (for example random vs
// SVD initialization, or k = 10/50/100/200), each run trained on the same split.
import { OptionError } from '../errors.js';
import { evaluate } from '../eval/cross-validate.js';
import { learningCurveChart } from '../plot/line-chart.js';
import { MODEL_KINDS, modelFactory, requireRatingModel, type DataFlags, type ModelFlags } from './options.js';
import { curveRows, fitWithProgress, loadTrainTest, writeChart } from './train.js';

export interface CurveFlags extends ModelFlags, DataFlags {
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
  factors: 'factors', epochs: 'epochs', lr: 'lr', reg: 'reg', seed: 'seed', init: 'init', order: 'order', model: 'model',
};

export async function curveCommand(flags: CurveFlags): Promise<void> {
  const runs = parseVary(flags.vary, modelFactory(flags).label).map(({ label, override }) => ({ label, factory: modelFactory({ ...flags, ...override }) }));
  for (const run of runs) requireRatingModel('curve', run.factory.kind);
  const { train, test, summaries } = await loadTrainTest(flags, runs[0].factory.make().settings.seed);
  const results = [];
  for (const { label, factory } of runs) {
    const model = factory.make();
    const fit = await fitWithProgress(model, train, test, { json: flags.json, label, trainMetric: flags.trainRmse });
    results.push({ label, fitSeconds: fit.fitSeconds, epochs: fit.epochs, test: evaluate(model, test) });
  }
  const title = `Learning curve: ${summaries[0].source}${flags.vary ? `, ${flags.vary.split('=')[0]} varied` : ''}`;
  writeChart(flags.out, learningCurveChart(results.map((r) => ({ label: r.label, epochs: r.epochs })), { title }));
  if (flags.json) {
    console.log(JSON.stringify({
      out: flags.out,
      runs: results.map((r) => ({ label: r.label, fitSeconds: r.fitSeconds, epochs: curveRows(r.epochs), test: { rmse: r.test.rmse, mae: r.test.mae } })),
    }));
    return;
  }
  for (const r of results) {
    const best = r.epochs.reduce((a, b) => (b.validationRmse! < a.validationRmse! ? b : a));
    console.log(`${r.label}: final test RMSE ${r.test.rmse.toFixed(4)}, best ${best.validationRmse!.toFixed(4)} at epoch ${best.epoch}, fit ${r.fitSeconds.toFixed(2)} s`);
  }
  console.log(`learning curves written to ${flags.out}`);
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
