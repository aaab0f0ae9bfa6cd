// The model kinds, in one table. createModel, FactorModel.load / fromState, the model file's list
// of kinds, the CLI's --model choices and flags, and the tests' list of kinds are all read from
// it: a new kind is one model file plus one row here.
import { OptionError } from '../errors.js';
import { optionsObject } from './core/arguments.js';
import { checkStateFor, decodeState } from './core/format.js';
import { Model, type LoadOptions } from './core/model.js';
import type { ModelState } from './core/state.js';
import { ALS, ALS_OPTION_KEYS, type AlsOptions } from './ranking/als.js';
import { BPR, BPR_OPTION_KEYS, type BprOptions } from './ranking/bpr.js';
import { EASE, EASE_OPTION_KEYS } from './ranking/ease.js';
import { IALS, IALS_OPTION_KEYS, type IalsOptions } from './ranking/ials.js';
import { Hybrid, HYBRID_OPTION_KEYS, type HybridOptions } from './ranking/hybrid.js';
import { Popular, POPULAR_OPTION_KEYS } from './ranking/popular.js';
import { Baseline, BASELINE_OPTION_KEYS, type BaselineOptions } from './rating/baseline.js';
import { BayesianFM, BFM_OPTION_KEYS, type BfmOptions } from './rating/bfm.js';
import { ImportedModel } from './rating/imported.js';
import { MF } from './rating/mf.js';
import { PureSVD, PURE_SVD_OPTION_KEYS, type PureSvdOptions } from './rating/pure-svd.js';
import { SGD_OPTION_KEYS, SVDPP_OPTION_KEYS, type SvdppOptions } from './rating/sgd-options.js';
import { SVD } from './rating/svd.js';
import { SVDpp } from './rating/svdpp.js';

export type { LoadOptions };

/** Rating models predict ratings (RMSE); ranking models rank items for a user (precision, NDCG). */
export type ModelTask = 'rating' | 'ranking';

/** What a kind can do beyond fit / predict / recommend / save (the contract suite checks each). */
export interface KindCapabilities {
  /** partialFit: more epochs over new data, from the current parameters. */
  partialFit: boolean;
  /** foldIn: a new user from a few ratings, without refitting. */
  foldIn: boolean;
  /** similarItems / similarUsers by cosine of factor vectors; 'items': similarItems only (EASE, by partial correlation). */
  similar: boolean | 'items';
  /** Scores differ between users beyond a per-user constant (false: Baseline and Popular rank alike for all). */
  personal: boolean;
  /** User and item attributes in fit (userFeatures, itemFeatures), and addUser / addItem (cold start by attributes). */
  features: boolean;
  /** User and item attributes in fit (userFeatures, itemFeatures): every kind with `features`, and the Bayesian FM. */
  attributes: boolean;
  /** Trained in epochs (onEpoch fires once per epoch); else computed in closed form. */
  epochs: boolean;
  /** The seed changes the model (random init, shuffles or sampling). */
  seeded: boolean;
}

/**
 * How a command-line flag (by its option name: factors, lr, reg, ...) becomes options of a kind:
 * one option key, several (the hybrid's --reg sets userReg and itemReg), or a function of the
 * flag's value (Baseline's --lr asks for its SGD method).
 */
export type FlagMapping = string | readonly string[] | ((value: unknown) => Record<string, unknown>);

export interface KindRow {
  /** The class, built as `new model(options)`. */
  model: new (options?: never) => Model;
  task: ModelTask;
  /** One line for --help and docs. */
  summary: string;
  /** Every option the kind takes (a saved state's options are restored through these). */
  optionKeys: readonly string[];
  /**
   * Settings small enough to fit in milliseconds that still learn a planted two-group structure
   * of a few dozen users (examples, the contract suite).
   */
  example: Readonly<Record<string, unknown>>;
  capabilities: KindCapabilities;
  /** The option that sets how many epochs a fit runs ('epochs'; the Bayesian FM's 'samples'), where it has epochs. */
  epochsOption?: string;
  /** The CLI flags that apply, and the options they set. */
  flags: Readonly<Record<string, FlagMapping>>;
  /** What to say when flags that only other kinds take are given (PureSVD "has no gradient descent"). */
  refuses?: { reason: string; flags: readonly string[] };
}

const SGD_FLAGS = {
  factors: 'factors', epochs: 'epochs', lr: 'lrAll', reg: 'regAll', seed: 'seed', order: 'order', threads: 'threads', bins: 'bins',
  init: 'init', initScale: 'initScale', engine: 'engine', rng: 'rng',
} as const;

const KINDS = {
  svd: {
    model: SVD, task: 'rating', epochsOption: 'epochs', summary: "Surprise's SVD: μ + b_u + b_i + q_i·p_u by SGD", optionKeys: SGD_OPTION_KEYS,
    example: { factors: 2, epochs: 20, lrAll: 0.05 }, capabilities: { partialFit: true, foldIn: true, similar: true, personal: true, features: false, attributes: false, epochs: true, seeded: true }, flags: SGD_FLAGS,
  },
  mf: {
    model: MF, task: 'rating', epochsOption: 'epochs', summary: "plain MF: p_u·q_i by SGD (Surprise's SVD with biased=False)", optionKeys: SGD_OPTION_KEYS,
    example: { factors: 2, epochs: 20, lrAll: 0.05 }, capabilities: { partialFit: true, foldIn: true, similar: true, personal: true, features: false, attributes: false, epochs: true, seeded: true }, flags: SGD_FLAGS,
  },
  svdpp: {
    model: SVDpp, task: 'rating', epochsOption: 'epochs', summary: "SVD++ (Surprise's SVDpp): SVD with the user's implicit feedback", optionKeys: SVDPP_OPTION_KEYS,
    example: { factors: 2, epochs: 20, lrAll: 0.05 }, capabilities: { partialFit: false, foldIn: true, similar: true, personal: true, features: false, attributes: false, epochs: true, seeded: true }, flags: SGD_FLAGS,
  },
  baseline: {
    model: Baseline, task: 'rating', epochsOption: 'epochs', summary: 'μ + b_u + b_i by ALS (or SGD with --lr/--reg), as Surprise\'s BaselineOnly', optionKeys: BASELINE_OPTION_KEYS,
    example: { epochs: 3 }, capabilities: { partialFit: false, foldIn: true, similar: false, personal: false, features: false, attributes: false, epochs: true, seeded: false },
    flags: {
      epochs: 'epochs', order: 'order', seed: 'seed', engine: 'engine',
      // --lr or --reg ask for the SGD baseline; otherwise Surprise's default ALS.
      lr: (lr) => ({ lr, method: 'sgd' }), reg: (reg) => ({ reg, method: 'sgd' }),
    },
    refuses: { reason: 'has no factors', flags: ['factors', 'init', 'initScale'] },
  },
  puresvd: {
    model: PureSVD, task: 'rating', summary: 'the truncated SVD of the user-mean-filled matrix alone', optionKeys: PURE_SVD_OPTION_KEYS,
    example: { factors: 2 }, capabilities: { partialFit: false, foldIn: true, similar: true, personal: true, features: false, attributes: false, epochs: false, seeded: true },
    flags: { factors: 'factors', seed: 'seed', engine: 'engine' },
    refuses: { reason: 'has no gradient descent', flags: ['epochs', 'lr', 'reg', 'init', 'initScale', 'order', 'rng'] },
  },
  bfm: {
    model: BayesianFM, task: 'rating', epochsOption: 'samples', summary: 'Bayesian factorization machine by Gibbs sampling (libFM/myFM MCMC): nothing to tune', optionKeys: BFM_OPTION_KEYS,
    example: { factors: 2, samples: 40 }, capabilities: { partialFit: false, foldIn: true, similar: true, personal: true, features: false, attributes: true, epochs: true, seeded: true },
    flags: {
      factors: 'factors', samples: 'samples', burnIn: 'burnIn', seed: 'seed', engine: 'engine', rng: 'rng', ordinal: 'ordinal', time: 'time', threads: 'threads',
      bags: (bags) => ({ bags: String(bags).trim() === 'none' ? [] : String(bags).split(',').map((side) => side.trim()) }),
    },
  },
  bpr: {
    model: BPR, task: 'ranking', epochsOption: 'epochs', summary: 'BPR: SGD on (user, positive, sampled negative) triples', optionKeys: BPR_OPTION_KEYS,
    example: { factors: 3, epochs: 30, lr: 0.1 }, capabilities: { partialFit: true, foldIn: true, similar: true, personal: true, features: false, attributes: false, epochs: true, seeded: true },
    flags: { factors: 'factors', epochs: 'epochs', lr: 'lr', reg: 'reg', seed: 'seed', engine: 'engine', rng: 'rng', order: 'order', threads: 'threads', bins: 'bins' },
  },
  als: {
    model: ALS, task: 'ranking', epochsOption: 'epochs', summary: 'weighted ALS (Hu, Koren & Volinsky) with conjugate-gradient row solves', optionKeys: ALS_OPTION_KEYS,
    example: { factors: 2, epochs: 5, reg: 1 }, capabilities: { partialFit: true, foldIn: true, similar: true, personal: true, features: false, attributes: false, epochs: true, seeded: true },
    flags: { factors: 'factors', epochs: 'epochs', reg: 'reg', alpha: 'alpha', seed: 'seed', engine: 'engine', rng: 'rng', threads: 'threads' },
  },
  ials: {
    model: IALS, task: 'ranking', epochsOption: 'epochs', summary: 'iALS as Rendle et al. 2021: every cell weighted alpha0, frequency-scaled reg, exact row solves', optionKeys: IALS_OPTION_KEYS,
    example: { factors: 2, epochs: 8, reg: 0.01, alpha0: 0.5 }, capabilities: { partialFit: true, foldIn: true, similar: true, personal: true, features: false, attributes: false, epochs: true, seeded: true },
    flags: { factors: 'factors', epochs: 'epochs', reg: 'reg', alpha0: 'alpha0', nu: 'nu', seed: 'seed', engine: 'engine', rng: 'rng', threads: 'threads' },
  },
  hybrid: {
    model: Hybrid, task: 'ranking', epochsOption: 'epochs', summary: "LightFM's hybrid: users and items as sums of feature embeddings (cold start)", optionKeys: HYBRID_OPTION_KEYS,
    example: { factors: 4, epochs: 30 }, capabilities: { partialFit: true, foldIn: true, similar: true, personal: true, features: true, attributes: true, epochs: true, seeded: true },
    flags: {
      factors: 'factors', epochs: 'epochs', lr: 'lr', reg: ['userReg', 'itemReg'], seed: 'seed', engine: 'engine', rng: 'rng',
      loss: 'loss', maxSampled: 'maxSampled', order: 'order', threads: 'threads', bins: 'bins',
      identity: (identity) => ({ userIdentity: identity === 'both' || identity === 'users', itemIdentity: identity === 'both' || identity === 'items' }),
    },
  },
  ease: {
    model: EASE, task: 'ranking', summary: 'EASE (Steck 2019): the closed-form item–item model B = I − P/diag(P), P = (XᵀX + λI)⁻¹', optionKeys: EASE_OPTION_KEYS,
    example: { reg: 10 }, capabilities: { partialFit: false, foldIn: true, similar: 'items', personal: true, features: false, attributes: false, epochs: false, seeded: false },
    flags: { reg: 'reg', engine: 'engine', threads: 'threads' },
    refuses: { reason: 'is computed in closed form (no factors, epochs, learning rate or seed)', flags: ['factors', 'epochs', 'lr', 'init', 'initScale', 'order', 'rng', 'seed'] },
  },
  popular: {
    model: Popular, task: 'ranking', summary: 'popularity: the items with the most interactions', optionKeys: POPULAR_OPTION_KEYS,
    example: {}, capabilities: { partialFit: false, foldIn: true, similar: false, personal: false, features: false, attributes: false, epochs: false, seeded: false },
    flags: { engine: 'engine' },
  },
} as const satisfies Record<string, KindRow>;

/** A model kind: a row of the registry. */
export type ModelKind = keyof typeof KINDS;

/** The kinds createModel and the CLI make, in the table's order. */
export const MODEL_KINDS: readonly ModelKind[] = /* @__PURE__ */ Object.keys(KINDS) as ModelKind[];

/** The kinds a model file may hold: every row, and factors imported from elsewhere (importSparkAls). */
export function stateKinds(): readonly string[] {
  return [...MODEL_KINDS, 'imported'];
}

/** A kind's row (for the CLI and the contract suite). */
export function kindRow(kind: ModelKind): KindRow {
  return KINDS[kind];
}

/**
 * What a kind is and can do: its task, small example settings and capabilities.
 * @param kind - A model kind ('svd', 'bpr', ...; see {@link MODEL_KINDS}).
 * @returns The kind's row of the registry, as data.
 * @throws {@link OptionError} when `kind` is not a model kind.
 * @example
 * ```ts
 * import { MODEL_KINDS, modelKindInfo } from 'latentrec';
 *
 * for (const kind of MODEL_KINDS) {
 *   const { task, summary, capabilities } = modelKindInfo(kind);
 *   console.log(kind, task, capabilities.foldIn, summary);
 * }
 * ```
 */
export function modelKindInfo(kind: ModelKind): {
  /** The kind asked about. */
  kind: ModelKind;
  /** Whether it predicts ratings or ranks items. */
  task: ModelTask;
  /** One line on what the kind is (the CLI's --help). */
  summary: string;
  /** Settings small enough to fit in milliseconds that still learn a planted two-group structure of a few dozen users. */
  example: Readonly<Record<string, unknown>>;
  /** What the kind can do beyond fit, predict, recommend and save. */
  capabilities: KindCapabilities;
  /** The option that sets how many epochs a fit runs ('epochs'; the Bayesian FM's 'samples'); absent for kinds computed in closed form. */
  epochsOption?: string;
} {
  const row = knownKind(kind);
  return { kind, task: row.task, summary: row.summary, example: row.example, capabilities: row.capabilities, epochsOption: row.epochsOption };
}

function knownKind(kind: unknown): KindRow {
  if (typeof kind !== 'string' || !Object.hasOwn(KINDS, kind)) throw new OptionError('model', `one of ${MODEL_KINDS.join(', ')}`, kind);
  return KINDS[kind as ModelKind];
}

/** The names of the {@link PRESETS}: 'recommended' (SVD++ with an SVD start) and 'accurate' (the Bayesian FM). */
export type PresetName = 'recommended' | 'accurate';

/** A named setting of {@link PRESETS}: a kind and its options. */
export interface Preset {
  /** The model kind. */
  model: ModelKind;
  /** The kind's options (options given to createModel alongside the preset override them). */
  options: Omit<ModelSpec, 'model' | 'preset'>;
  /**
   * 'beside-data': the command line also gives the fit the data's own attributes where it finds
   * them (MovieLens 100k's u.user and u.item in the ratings' directory) and none are named.
   */
  attributes?: 'beside-data';
}

/**
 * Named settings. 'recommended' is the model kind and settings with the lowest validation RMSE
 * found by `npm run tune` on MovieLens 100k, validating on holdouts of u1..u5.base only (never on
 * the test files); README "Accuracy" shows the search and its u1..u5 test figures. The models'
 * own defaults stay Surprise's, so results stay comparable with Surprise.
 */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  // npm run tune -- --grid "model=svdpp;init=svd;factors=100,200;epochs=20,30;reg=0.02,0.03;lr=0.007,0.01;initScale=0.05,0.075,0.1"
  // (after a first round over factors 20-100, epochs 20/40, reg 0.02/0.05, lr 0.005/0.007,
  // initScale 0.1-0.3): the cheapest setting (factors x epochs) within 0.001 of the best
  // validation RMSE (0.9052, k=200): validation 0.9056 at half the cost; u1..u5 test RMSE 0.8998.
  recommended: { model: 'svdpp', options: { init: 'svd', factors: 100, epochs: 20, lrAll: 0.007, regAll: 0.02, initScale: 0.1 } },
  // npx tsx bench/tune-bfm.ts: Bayesian FM settings on validation holdouts (10 %) of u1.base and
  // u2.base, never the test files. Mean validation RMSE: ids alone 0.8923 (200 sweeps) to 0.8910
  // (500); + user and item bags 0.8820 to 0.8803; + u.user/u.item attributes 0.8765 (200), 0.8757
  // (300), 0.8753 (500); k=16 0.8744, k=32 0.8742 (300 sweeps). The cheapest (sweeps x factors)
  // within 0.001 of the best: k=16, 300 sweeps, bags and attributes. The rating's day on top
  // (--only day): 0.8711 at k=16 and 300 sweeps, 0.8719 at 200, 0.8750 at k=10 and 200; the
  // cheapest within 0.001 of the best is k=16 at 200 sweeps, with the day wherever the data has
  // times ('auto'; without them that setting is the 0.8765-class one above).
  accurate: { model: 'bfm', options: { factors: 16, samples: 200, bags: ['user', 'item'], time: 'auto' }, attributes: 'beside-data' },
};

/**
 * Options of any kind, with the kind (default 'svd') or a preset: what {@link createModel} takes.
 * Only the options the chosen kind takes may be given (see each kind's options interface for
 * their meanings and defaults).
 */
export type ModelSpec = SvdppOptions & BaselineOptions & PureSvdOptions &
  Pick<HybridOptions, 'loss' | 'learningSchedule' | 'userReg' | 'itemReg' | 'maxSampled' | 'userIdentity' | 'itemIdentity' | 'normalize'> &
  Pick<AlsOptions, 'alpha' | 'cgSteps'> & Pick<IalsOptions, 'alpha0' | 'nu'> & Pick<BprOptions, 'regBias' | 'verifyNegatives'> & Pick<BfmOptions, 'samples' | 'burnIn' | 'servingSamples' | 'bags' | 'ordinal' | 'time'> & {
    /**
     * The model kind. With a preset: unset, or the preset's kind.
     * @defaultValue 'svd' (without a preset)
     */
    model?: ModelKind;
    /** A named setting ({@link PRESETS}); options given beside it override its options. */
    preset?: PresetName;
  };

/**
 * A model by kind and options, or by preset (options given alongside a preset override it):
 * createModel({ preset: 'recommended' }), createModel({ model: 'svd', factors: 50 }). An option
 * the kind does not take is refused (OptionError naming it and what it probably meant).
 * @param spec - The kind (default 'svd') or a preset, and the kind's options.
 * @returns An unfitted model of the kind.
 * @throws {@link OptionError} when the kind or preset is unknown, `model` contradicts the
 * preset, or an option is out of range or not one the kind takes ({@link UnknownOptionError}).
 * @example
 * ```ts
 * import { createModel, generateRatings } from 'latentrec';
 *
 * const model = createModel({ model: 'als', factors: 16 }); // or createModel({ preset: 'recommended' })
 * model.fit(generateRatings({ users: 200, items: 300, ratings: 6_000 }));
 * console.log(model.constructor.name, model.recommend(model.userIds[0], { n: 3 }));
 * ```
 */
export function createModel(spec: ModelSpec = {}): FactorModel {
  const { model, preset, ...options } = optionsObject<ModelSpec>('createModel options', spec);
  let kind: unknown = model ?? 'svd';
  let merged: object = options;
  if (preset !== undefined && preset !== null) {
    // Own keys only: 'toString' or 'constructor' name no preset.
    const p = typeof preset === 'string' && Object.hasOwn(PRESETS, preset) ? PRESETS[preset as PresetName] : undefined;
    if (p === undefined) throw new OptionError('preset', `one of ${Object.keys(PRESETS).join(', ')}`, preset);
    if (model !== undefined && model !== null && model !== p.model) {
      throw new OptionError('model', `unset or '${p.model}' with preset '${preset}'`, model);
    }
    kind = p.model;
    merged = { ...p.options, ...stripUndefined(options) };
  }
  return construct(knownKind(kind), merged) as FactorModel;
}

function construct(row: KindRow, options: object): Model {
  return new (row.model as unknown as new (options: object) => Model)(options);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A model of the state's kind with the state installed. The state's options were saved by some
 * version of latentrec: only the keys this kind takes are passed on (a key written by another
 * version, such as the old CLI's trainedOn, is data, not an option).
 */
function modelFromState(state: ModelState, options: LoadOptions | null | undefined): FactorModel {
  const model = state.kind === 'imported' ? new ImportedModel(state.factors) : fromOptions(KINDS[state.kind as ModelKind], state.options);
  return model.restore(state, optionsObject('fromState options', options) as LoadOptions) as FactorModel;
}

function fromOptions(row: KindRow, saved: Record<string, unknown>): Model {
  const options: Record<string, unknown> = {};
  for (const key of row.optionKeys) if (Object.hasOwn(saved, key)) options[key] = saved[key];
  // Files record 'wasm' for the default 'auto' (Model.toState): a loaded model fits again as 'auto'.
  if (options.engine === 'wasm') options.engine = 'auto';
  return construct(row, options);
}

/**
 * Every model: `model instanceof FactorModel` holds for each kind (SVD, BPR, Popular, ...), and
 * the type names what they all offer. Loading is here because only the registry knows every kind.
 *
 * @example
 * ```ts
 * import { FactorModel, SVD, generateRatings } from 'latentrec';
 *
 * const model = new SVD({ factors: 20 });
 * model.fit(generateRatings({ users: 200, items: 100, ratings: 5_000 }));
 * const bytes = model.save();              // Node: saveFile(model, path) from 'latentrec/node'
 * const loaded = FactorModel.load(bytes);  // an SVD again, whatever kind was saved
 * console.log(loaded instanceof FactorModel, loaded.predict('1', '1').estimate);
 * ```
 */
export abstract class FactorModel extends Model {
  /**
   * Makes `instanceof FactorModel` true for a model of every kind (they extend the model base,
   * not FactorModel itself).
   * @param value - Anything.
   * @returns Whether `value` is a latentrec model.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Model;
  }

  /**
   * A model from bytes written by save() (Node: loadModelFromFile).
   *
   * ```ts
   * FactorModel.load(bytes)                          // on the best build this runtime has
   * FactorModel.load(bytes, { wasmVariant: 'simd' }) // the same bits in Node and every browser
   * ```
   * @param bytes - The file's bytes.
   * @param options - The wasm build to serve on.
   * @returns A fitted model of the file's kind.
   * @throws {@link ModelFileError} when the bytes are not a valid latentrec model file (its
   * `problem` says which check failed).
   * @throws {@link OptionError} when an option is unknown or invalid.
   */
  static load(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): FactorModel {
    return modelFromState(decodeState(bytes, stateKinds()), options);
  }

  /**
   * A model of the state's kind, with the state installed (from a file, or imported factors).
   * The state gets the checks of saving and loading (kinds, sizes, finite values within ±1e15, the
   * seen lists): one that could not be saved is refused with ModelFileError naming the field.
   * @param state - A state from toState or importSparkAls.
   * @param options - The wasm build to serve on.
   * @returns A fitted model of the state's kind.
   * @throws {@link ModelFileError} when the state fails the checks of a model file.
   * @throws {@link OptionError} when an option is unknown or invalid.
   */
  static fromState(state: ModelState, options: LoadOptions = {}): FactorModel {
    checkStateFor('FactorModel.fromState', state, stateKinds());
    return modelFromState(state, options);
  }
}
