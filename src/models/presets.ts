// Named settings. 'recommended' is the model kind and settings with the lowest validation RMSE
// found by `npm run tune` on MovieLens 100k, validating on holdouts of u1..u5.base only (never on
// the test files); README "Accuracy" shows the search and its u1..u5 test figures. The models'
// own defaults stay Surprise's, so results stay comparable with Surprise.
import { OptionError } from '../errors.js';
import { optionsObject } from './arguments.js';
import { Baseline, type BaselineOptions } from './baseline.js';
import { registerRestorer, type FactorModel } from './factor-model.js';
import { ImportedModel } from './imported.js';
import { BPR, type BprOptions } from './bpr.js';
import { Popular } from './popular.js';
import { Hybrid, type HybridOptions } from './hybrid.js';
import { ALS, type AlsOptions } from './als.js';
import { MF } from './mf.js';
import type { SvdppOptions } from './options.js';
import { PureSVD, type PureSvdOptions } from './pure-svd.js';
import { SVD } from './svd.js';
import { SVDpp } from './svdpp.js';

/** Every kind createModel makes (and a model file's kind, but for 'imported'). */
export const MODEL_KINDS = ['svd', 'mf', 'svdpp', 'baseline', 'puresvd', 'bpr', 'als', 'popular', 'hybrid'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type PresetName = 'recommended';

export interface Preset {
  model: ModelKind;
  options: SvdppOptions;
}

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  // npm run tune -- --grid "model=svdpp;init=svd;factors=100,200;epochs=20,30;reg=0.02,0.03;lr=0.007,0.01;initScale=0.05,0.075,0.1"
  // (after a first round over factors 20-100, epochs 20/40, reg 0.02/0.05, lr 0.005/0.007,
  // initScale 0.1-0.3): the cheapest setting (factors x epochs) within 0.001 of the best
  // validation RMSE (0.9052, k=200): validation 0.9056 at half the cost; u1..u5 test RMSE 0.8998.
  recommended: { model: 'svdpp', options: { init: 'svd', factors: 100, epochs: 20, lrAll: 0.007, regAll: 0.02, initScale: 0.1 } },
};

export type ModelSpec = SvdppOptions & BaselineOptions & PureSvdOptions &
  Pick<HybridOptions, 'loss' | 'learningSchedule' | 'userReg' | 'itemReg' | 'maxSampled' | 'userIdentity' | 'itemIdentity' | 'normalize'> &
  Pick<AlsOptions, 'alpha' | 'cgSteps'> & {
    model?: ModelKind;
    preset?: PresetName;
  };

/**
 * A model by kind and options, or by preset (options given alongside a preset override it):
 * createModel({ preset: 'recommended' }), createModel({ model: 'svd', factors: 50 }).
 */
export function createModel(spec: ModelSpec = {}): FactorModel {
  const { model, preset, ...options } = optionsObject<ModelSpec>('createModel options', spec);
  let kind: ModelKind = model ?? 'svd';
  let merged: ModelSpec = options;
  if (preset !== undefined && preset !== null) {
    // Own keys only: 'toString' or 'constructor' name no preset.
    const p = typeof preset === 'string' && Object.hasOwn(PRESETS, preset) ? PRESETS[preset] : undefined;
    if (p === undefined) throw new OptionError('preset', `one of ${Object.keys(PRESETS).join(', ')}`, preset);
    if (model !== undefined && model !== null && model !== p.model) {
      throw new OptionError('model', `unset or '${p.model}' with preset '${preset}'`, model);
    }
    kind = p.model;
    merged = { ...p.options, ...stripUndefined(options) };
  }
  switch (kind) {
    case 'svd':
      return new SVD(merged);
    case 'mf':
      return new MF(merged);
    case 'svdpp':
      return new SVDpp(merged);
    case 'baseline':
      return new Baseline(merged);
    case 'puresvd':
      return new PureSVD(merged);
    case 'bpr':
      return new BPR(merged as BprOptions);
    case 'als':
      return new ALS(merged as AlsOptions);
    case 'popular':
      return new Popular(merged);
    case 'hybrid':
      return new Hybrid(merged as HybridOptions);
    default:
      throw new OptionError('model', `one of ${MODEL_KINDS.join(', ')}`, kind);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// FactorModel.load needs every kind; this module knows them all.
registerRestorer((state, options) => {
  const model = state.kind === 'imported' ? new ImportedModel(state.factors) : createModel({ ...(state.options as ModelSpec), model: state.kind });
  return model.restore(state, options);
});
