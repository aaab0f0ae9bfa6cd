// Option checking shared by every model kind: the range checks, the options every kind has
// (factors, epochs, seed, engine, wasmVariant, rng), resolved in one function, and the refusal of
// keys a kind does not take, with the name it probably meant (Surprise's n_factors -> factors,
// lr_all -> lrAll; LightFM's no_components -> factors; implicit's regularization -> reg).
import { WASM_VARIANTS, type EngineChoice, type WasmVariant } from '../../engine/index.js';
import { MAX_POOL_THREADS } from '../../engine/thread-pool.js';
import { OptionError, UnknownOptionError } from '../../errors.js';
import { MAX_FACTORS } from './state.js';

/**
 * The pseudo-random generator behind initialization, shuffles and sampling: 'mt19937' (numpy's
 * legacy RandomState, as Surprise uses) or 'xoshiro128' (the project's general generator).
 */
export type RandomKind = 'xoshiro128' | 'mt19937';

export function integer(name: string, value: number, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new OptionError(name, `an integer in [${lo}, ${hi}]`, value);
  }
  return value;
}

export function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OptionError(name, 'a finite number > 0', value);
  }
  return value;
}

export function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new OptionError(name, 'a finite number >= 0', value);
  }
  return value;
}

export function finite(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new OptionError(name, 'a finite number', value);
  return value;
}

export function unitInterval(name: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) throw new OptionError(name, 'a number in (0, 1]', value);
  return value;
}

/** A boolean option: undefined means `fallback`. */
export function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new OptionError(name, 'true or false', value);
  return value;
}

/** A `threads` option: 'auto' or an integer in [1, MAX_POOL_THREADS]. */
export function threadsOption(value: unknown): number | 'auto' {
  return value === 'auto' ? value : integer('threads', value as number, 1, MAX_POOL_THREADS);
}

/** `bins` of a kind with orders (SVD, BPR): only with order 'blocked', an integer in [1, maxBins]. */
export function binsOption(given: unknown, order: string, maxBins: number): number | undefined {
  if (given === undefined) return undefined;
  if (order !== 'blocked') throw new OptionError('bins', `left unset with order ${JSON.stringify(order)} (bins apply to order 'blocked')`, given);
  return integer('bins', given as number, 1, maxBins);
}

/**
 * `threads` of a kind with orders: above 1 only with an order that runs on threads (`threaded`:
 * 'blocked', where rounds of blocks run on threads, unless the kind says otherwise); undefined or
 * 'auto' is 'auto' there, else 1.
 */
export function orderThreadsOption(given: unknown, order: string, threaded: readonly string[] = ['blocked']): number | 'auto' {
  if (given === undefined || given === 'auto') return threaded.includes(order) ? 'auto' : 1;
  const threads = integer('threads', given as number, 1, MAX_POOL_THREADS);
  if (threads > 1 && !threaded.includes(order)) {
    const which = threaded.map((o) => `'${o}'`).join(' or ');
    throw new OptionError('threads', `1 with order ${JSON.stringify(order)} (only order ${which} runs on several threads)`, given);
  }
  return threads;
}

export function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) throw new OptionError(name, `one of ${allowed.join(', ')}`, value);
  return value;
}

/** The options every model kind shares (a kind takes the ones it lists in its keys). */
export interface CommonOptions {
  /** Latent factors k, an integer in [1, {@link MAX_FACTORS}]. Each kind has its own default. */
  factors?: number;
  /** Passes over the training data (iterations, alternations), an integer in [1, 1,000,000]. Each kind has its own default. */
  epochs?: number;
  /**
   * Seed of the one random generator (init, shuffles, sampling), an integer in [0, 2^32 − 1].
   * @defaultValue 0
   */
  seed?: number;
  /**
   * 'auto' (default): the wasm engine, on the best build this runtime runs, where WebAssembly
   * compiles; else the js engine, with a note in the fit's `notes` (and once on the console) —
   * a page whose Content-Security-Policy lacks 'wasm-unsafe-eval' refuses to compile it.
   * 'wasm' insists (a LatentrecError with that advice where it cannot run); 'js' runs the
   * pure-TypeScript twin of every kernel.
   * @defaultValue 'auto'
   */
  engine?: EngineChoice;
  /**
   * Force a wasm build: 'relaxed' (SIMD with fused multiply-adds), 'simd' or 'scalar'. By
   * default the best this runtime supports (relaxed in Chromium, simd in Node 20). 'simd' and
   * 'scalar' round as the js engine does, so they give the same bits in every runtime; force
   * 'simd' where runtimes must agree exactly. A build the runtime cannot run is refused.
   */
  wasmVariant?: WasmVariant;
  /**
   * The generator: 'mt19937' (numpy's RandomState, as Surprise) or 'xoshiro128'. Each kind has
   * its own default: 'mt19937' for SVD, MF and SVDpp; 'xoshiro128' for BayesianFM, BPR, ALS,
   * IALS and Hybrid (the kinds that take this option).
   */
  rng?: RandomKind;
}

/** The {@link CommonOptions} of a model after checking, every default filled in (part of `model.options`). */
export interface ResolvedCommon {
  /** Latent factors k. */
  factors: number;
  /** Passes of the fit (the Bayesian FM: its samples). */
  epochs: number;
  /** Seed of the random generator. */
  seed: number;
  /** The engine asked for: 'auto', 'wasm' or 'js'. */
  engine: EngineChoice;
  /** Present only when given (a fitting setting, kept in the model's options as given). */
  wasmVariant?: WasmVariant;
  /** The random generator. */
  rng: RandomKind;
}

/** A kind's defaults for the common options (factors and epochs 0 where the kind has none). */
export interface CommonDefaults {
  factors: number;
  epochs: number;
  rng: RandomKind;
}

/** The common options of one kind, each checked against its range. */
export function resolveCommon(given: CommonOptions, defaults: CommonDefaults): ResolvedCommon {
  return {
    factors: given.factors === undefined ? defaults.factors : integer('factors', given.factors, 1, MAX_FACTORS),
    epochs: given.epochs === undefined ? defaults.epochs : integer('epochs', given.epochs, 1, 1_000_000),
    seed: integer('seed', given.seed ?? 0, 0, 0xffffffff),
    engine: oneOf<EngineChoice>('engine', given.engine ?? 'auto', ['auto', 'wasm', 'js']),
    ...(given.wasmVariant !== undefined && { wasmVariant: oneOf<WasmVariant>('wasmVariant', given.wasmVariant, WASM_VARIANTS) }),
    rng: oneOf<RandomKind>('rng', given.rng ?? defaults.rng, ['xoshiro128', 'mt19937']),
  };
}

/**
 * The names other libraries give options, normalized (lower case, no '_' or '-'), with the
 * names latentrec gives them, most likely first: a key such as `n_factors` is refused with the
 * suggestion of the first that the kind takes.
 */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  nfactors: ['factors'],
  nocomponents: ['factors'],
  ncomponents: ['factors'],
  components: ['factors'],
  rank: ['factors'],
  nepochs: ['epochs'],
  iterations: ['epochs'],
  niter: ['epochs'],
  maxiter: ['epochs'],
  lrall: ['lrAll', 'lr'],
  learningrate: ['lrAll', 'lr'],
  lr: ['lrAll', 'lr'],
  regall: ['regAll', 'reg'],
  regularization: ['regAll', 'reg'],
  reg: ['regAll', 'reg', 'regularization'],
  lambda: ['regAll', 'reg', 'regularization'],
  initstddev: ['initStd'],
  randomstate: ['seed'],
  useralpha: ['userReg'],
  itemalpha: ['itemReg'],
  regparam: ['regAll', 'reg'],
  implicitprefs: [],
};

function normalized(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length];
}

/** The key of `known` that `key` most likely meant, or undefined when none is close. */
export function nearestOption(key: string, known: readonly string[]): string | undefined {
  const n = normalized(key);
  const alias = ALIASES[n]?.find((k) => known.includes(k));
  if (alias) return alias;
  const exact = known.find((k) => normalized(k) === n);
  if (exact) return exact;
  let best: string | undefined, bestDistance = Infinity;
  for (const k of known) {
    const d = distance(n, normalized(k));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  // Close enough to be a typo: at most a third of the letters wrong (and at most 3).
  return bestDistance <= Math.min(3, Math.floor(Math.max(n.length, 1) / 3)) ? best : undefined;
}

/**
 * Refuses an options object with a key `owner` does not take: an option silently ignored would
 * train another model than the one asked for (Surprise's `n_factors: 3` would leave k at its
 * default). Keys whose value is undefined are ignored, as an absent option.
 */
export function checkOptionKeys(owner: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if ((given as Record<string, unknown>)[key] === undefined || known.includes(key)) continue;
    throw new UnknownOptionError(owner, key, (given as Record<string, unknown>)[key], known, nearestOption(key, known));
  }
}
