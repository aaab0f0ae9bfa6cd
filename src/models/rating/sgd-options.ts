// Every model option, its default and its allowed range, in one place. Names follow Surprise
// (n_factors -> factors, lr_all -> lrAll, reg_bu -> regBu, init_std_dev -> initStd, ...), so a
// result can be compared with Surprise line by line.
import { MAX_GRID_SIDE, type EngineChoice, type WasmVariant } from '../../engine/index.js';
import { OptionError } from '../../errors.js';
import { binsOption, finite, integer, nonNegative, oneOf, positive, orderThreadsOption, resolveCommon, unitInterval, type CommonOptions, type RandomKind } from '../core/options.js';

/**
 * The order SGD visits the ratings in: 'blocked' (LIBMF's grid, on threads), 'shuffle' (all
 * ratings shuffled every epoch) or 'fixed' (Surprise's order). See {@link SgdOptions.order}.
 */
export type SgdOrder = 'blocked' | 'shuffle' | 'fixed';
/** How P and Q start: 'random' (normal draws) or 'svd' (a truncated SVD of the filled matrix). See {@link SgdOptions.init}. */
export type InitKind = 'random' | 'svd';
export type { RandomKind };

/**
 * Options of {@link SVD} and {@link MF} (Surprise's SVD options, renamed), and the base of
 * {@link SvdppOptions}. Where SVDpp's default differs, its own is given after SVD's
 * ({@link SGD_DEFAULTS}, {@link SVDPP_DEFAULTS}).
 */
export interface SgdOptions extends CommonOptions {
  /**
   * Latent factors k, an integer in [1, {@link MAX_FACTORS}] (Surprise's defaults).
   * @defaultValue 100 (SVDpp: 20)
   */
  factors?: number;
  /**
   * SGD passes over the training ratings, an integer in [1, 1,000,000].
   * @defaultValue 20
   */
  epochs?: number;
  /**
   * Learning rate of every parameter unless overridden, a finite number > 0.
   * @defaultValue 0.005 (SVDpp: 0.007)
   */
  lrAll?: number;
  /**
   * L2 regularization of every parameter unless overridden, a finite number >= 0.
   * @defaultValue 0.02
   */
  regAll?: number;
  /**
   * Learning rate of the user biases b_u, a finite number > 0.
   * @defaultValue lrAll
   */
  lrBu?: number;
  /**
   * Learning rate of the item biases b_i, a finite number > 0.
   * @defaultValue lrAll
   */
  lrBi?: number;
  /**
   * Learning rate of the user factors p_u, a finite number > 0.
   * @defaultValue lrAll
   */
  lrPu?: number;
  /**
   * Learning rate of the item factors q_i, a finite number > 0.
   * @defaultValue lrAll
   */
  lrQi?: number;
  /**
   * Regularization of the user biases b_u, a finite number >= 0.
   * @defaultValue regAll
   */
  regBu?: number;
  /**
   * Regularization of the item biases b_i, a finite number >= 0.
   * @defaultValue regAll
   */
  regBi?: number;
  /**
   * Regularization of the user factors p_u, a finite number >= 0.
   * @defaultValue regAll
   */
  regPu?: number;
  /**
   * Regularization of the item factors q_i, a finite number >= 0.
   * @defaultValue regAll
   */
  regQi?: number;
  /**
   * Mean of the normal initialization of P and Q, a finite number.
   * @defaultValue 0
   */
  initMean?: number;
  /**
   * Standard deviation of the normal initialization of P and Q, a finite number >= 0.
   * @defaultValue 0.1
   */
  initStd?: number;
  /**
   * Seed of the one random generator (init and shuffles), an integer in [0, 2^32 − 1].
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
   * Force a wasm build: 'relaxed' (SIMD with fused multiply-adds, f32x4.relaxed_madd), 'simd' or
   * 'scalar'. By default the best this runtime supports (relaxed in Chromium, simd in Node 20).
   * 'simd' and 'scalar' round every product and sum as the js engine does, so they give the same
   * bits in every runtime; 'relaxed' may round a multiply-add once instead of twice (last-bit
   * differences that SGD carries along), so force 'simd' where runtimes must agree exactly.
   * A build the runtime cannot run is refused when fitting.
   */
  wasmVariant?: WasmVariant;
  /**
   * 'blocked' (default for SVD and MF): LIBMF's grid — users and items cut into `bins` bins each,
   * the ratings stored block by block, each epoch visiting the blocks in rounds of blocks that
   * share no user and no item (block order random, each block shuffled): cache-friendly, and
   * the rounds run on `threads` threads with a result that does not depend on the thread count.
   * 'shuffle' (SVD++'s default): all ratings shuffled before every epoch, one thread.
   * 'fixed': Surprise's order, user by user in order of first appearance, each user's ratings in
   * input order, the same every epoch, one thread. SVDpp takes 'shuffle' and 'fixed' only.
   * @defaultValue 'blocked' (SVDpp: 'shuffle')
   */
  order?: SgdOrder;
  /**
   * Threads for order 'blocked' (the caller's thread included; wasm engine only): an integer
   * 1..256, or 'auto' (default) — every core (navigator.hardwareConcurrency, Node's
   * availableParallelism) for training sets of at least 500,000 ratings, else 1, since starting
   * workers costs more than they save on small data. The fitted model is bit-identical whatever
   * the count. Where threads cannot run (no shared memory; a browser's main thread; a page that is
   * not cross-origin isolated) the fit runs on one thread and FitResult.notes says why.
   * SVD++ (order 'shuffle' only) runs ranges of users on the threads at once, and items shared by
   * users on two threads take both updates as they come (Hogwild): the model varies slightly
   * between runs (ML-100k u1..u5: the same mean RMSE to 0.0001), so there 'auto' keeps one thread
   * and only a count runs on several. A count above 1 is refused with an order that runs on one
   * thread ('shuffle' or 'fixed' for SVD and MF; 'fixed' for SVDpp).
   * @defaultValue 'auto' (1 with an order that runs on one thread)
   */
  threads?: number | 'auto';
  /**
   * Order 'blocked': bins per side of the grid (LIBMF's nr_bins), 1..256. Default: about 4 MiB
   * of factor rows per block (16 bins at k=64 for 250,000 users and items), at least 8, at most
   * the smaller of the user and item counts. Part of the model's definition: another value gives another (equally good) fit.
   * Refused with any other order (so always by SVDpp).
   */
  bins?: number;
  /**
   * The generator behind init and shuffles. 'mt19937' (default) is numpy's legacy
   * RandomState(seed), whose normal draws Surprise uses for its initial factors: with order
   * 'fixed' a model reproduces Surprise's SVD(random_state=seed) to float32 precision.
   * 'xoshiro128' is the project's general generator (splits, generated data).
   * @defaultValue 'mt19937'
   */
  rng?: RandomKind;
  /**
   * 'random' (default): P and Q from Normal(initMean, initStd). 'svd': the lecture's route —
   * fill the missing ratings with each user's mean, take the rank-k truncated SVD (without
   * forming the dense matrix), start from P = U·sqrt(Σ), Q = V·sqrt(Σ), then SGD refines.
   * With 'svd', factors must be at most the smaller of the user and item counts (else the fit
   * throws an OptionError).
   * @defaultValue 'random'
   */
  init?: InitKind;
  /**
   * With init 'svd': P = s·U·sqrt(Σ), Q = s·V·sqrt(Σ), so P·Qᵀ starts at s² times the truncated
   * SVD. The SVD supplies the directions; a small s leaves SGD room to fit (s = 1 starts at the
   * filled matrix itself and overfits it). Default 0.2, chosen by validation on the training
   * folds (see README). Range (0, 1].
   * @defaultValue 0.2
   */
  initScale?: number;
  /** With init 'svd': the randomized SVD's oversampling (default 10) and power iterations (default 2). */
  initSvd?: {
    /**
     * Extra random directions beyond k, an integer in [0, 4096].
     * @defaultValue 10
     */
    oversample?: number;
    /**
     * Power (subspace) iterations, an integer in [0, 100].
     * @defaultValue 2
     */
    powerIterations?: number;
  };
}

/**
 * Options of {@link SVDpp}: SVD's options (with Surprise's SVDpp defaults, {@link SVDPP_DEFAULTS})
 * and the rates of the implicit factors y_j.
 */
export interface SvdppOptions extends SgdOptions {
  /**
   * Learning rate of the implicit factors y_j, a finite number > 0.
   * @defaultValue lrAll
   */
  lrYj?: number;
  /**
   * Regularization of the implicit factors y_j, a finite number >= 0.
   * @defaultValue regAll
   */
  regYj?: number;
}

/** Every key SgdOptions has (a key an SVD or MF does not take is refused, see checkOptionKeys). */
export const SGD_OPTION_KEYS = [
  'factors', 'epochs', 'lrAll', 'regAll', 'lrBu', 'lrBi', 'lrPu', 'lrQi', 'regBu', 'regBi', 'regPu', 'regQi',
  'initMean', 'initStd', 'seed', 'engine', 'wasmVariant', 'order', 'threads', 'bins', 'rng', 'init', 'initScale', 'initSvd',
] as const satisfies readonly (keyof SgdOptions)[];
export const SVDPP_OPTION_KEYS = [
  'factors', 'epochs', 'lrAll', 'regAll', 'lrBu', 'lrBi', 'lrPu', 'lrQi', 'regBu', 'regBi', 'regPu', 'regQi',
  'initMean', 'initStd', 'seed', 'engine', 'wasmVariant', 'order', 'threads', 'bins', 'rng', 'init', 'initScale', 'initSvd', 'lrYj', 'regYj',
] as const satisfies readonly (keyof SvdppOptions)[];

/** The defaults of an SGD kind's options (the shape of {@link SGD_DEFAULTS} and {@link SVDPP_DEFAULTS}). */
export interface SgdDefaults {
  /** Default of `factors`. */
  factors: number;
  /** Default of `epochs`. */
  epochs: number;
  /** Default of `lrAll`. */
  lrAll: number;
  /** Default of `regAll`. */
  regAll: number;
  /** Default of `initMean`. */
  initMean: number;
  /** Default of `initStd`. */
  initStd: number;
  /** Default of `seed`. */
  seed: number;
  /** Default of `engine`. */
  engine: EngineChoice;
  /** Default of `order`. */
  order: SgdOrder;
  /** Default of `rng`. */
  rng: RandomKind;
  /** Default of `init`. */
  init: InitKind;
  /** Default of `initScale`. */
  initScale: number;
}

/** The defaults of {@link SVD} and {@link MF}: Surprise's SVD defaults, with LIBMF's blocked order. */
export const SGD_DEFAULTS: Readonly<SgdDefaults> = {
  factors: 100,
  epochs: 20,
  lrAll: 0.005,
  regAll: 0.02,
  initMean: 0,
  initStd: 0.1,
  seed: 0,
  engine: 'auto',
  order: 'blocked',
  rng: 'mt19937',
  init: 'random',
  initScale: 0.2,
};

/** Surprise's SVDpp defaults where they differ from SVD's. */
export const SVDPP_DEFAULTS: Readonly<SgdDefaults> = {
  factors: 20,
  epochs: 20,
  lrAll: 0.007,
  regAll: 0.02,
  initMean: 0,
  initStd: 0.1,
  seed: 0,
  engine: 'auto',
  order: 'shuffle',
  rng: 'mt19937',
  init: 'random',
  initScale: 0.2,
};

/**
 * {@link SvdppOptions} after checking, every default filled in: what `model.options` holds for
 * SVDpp (SVD and MF hold the same without lrYj and regYj). lrAll and regAll are resolved into
 * the per-parameter rates.
 */
export interface ResolvedSgdOptions {
  /** Latent factors k. */
  factors: number;
  /** SGD passes over the training ratings. */
  epochs: number;
  /** Learning rate of the user biases. */
  lrBu: number;
  /** Learning rate of the item biases. */
  lrBi: number;
  /** Learning rate of the user factors. */
  lrPu: number;
  /** Learning rate of the item factors. */
  lrQi: number;
  /** Regularization of the user biases. */
  regBu: number;
  /** Regularization of the item biases. */
  regBi: number;
  /** Regularization of the user factors. */
  regPu: number;
  /** Regularization of the item factors. */
  regQi: number;
  /** Mean of the normal initialization. */
  initMean: number;
  /** Standard deviation of the normal initialization. */
  initStd: number;
  /** Seed of the random generator. */
  seed: number;
  /** The engine asked for: 'auto', 'wasm' or 'js'. */
  engine: EngineChoice;
  /** The wasm build asked for, or undefined for the best this runtime supports. */
  wasmVariant: WasmVariant | undefined;
  /** The order SGD visits the ratings in. */
  order: SgdOrder;
  /** Threads asked for ('auto', or a count). */
  threads: number | 'auto';
  /** Bins per side of the blocked grid, or undefined for the default from the data. */
  bins: number | undefined;
  /** The random generator. */
  rng: RandomKind;
  /** How P and Q start. */
  init: InitKind;
  /** With init 'svd': the scale of the starting factors. */
  initScale: number;
  /** With init 'svd': the randomized SVD's settings as given (unset ones take their defaults). */
  initSvd: {
    /** Extra random directions beyond k. */
    oversample?: number;
    /** Power (subspace) iterations. */
    powerIterations?: number;
  };
  /** SVDpp: learning rate of the implicit factors y_j. */
  lrYj: number;
  /** SVDpp: regularization of the implicit factors y_j. */
  regYj: number;
}

/** init 'svd''s randomized SVD settings, in PureSVD's ranges (a huge powerIterations would never end). */
function resolveInitSvd(given: unknown): { oversample?: number; powerIterations?: number } {
  if (given === undefined || given === null) return {};
  if (typeof given !== 'object' || Array.isArray(given)) throw new OptionError('initSvd', 'an object { oversample, powerIterations }', given);
  const { oversample, powerIterations } = given as { oversample?: unknown; powerIterations?: unknown };
  return {
    ...given,
    ...(oversample !== undefined && { oversample: integer('initSvd.oversample', oversample as number, 0, 4096) }),
    ...(powerIterations !== undefined && { powerIterations: integer('initSvd.powerIterations', powerIterations as number, 0, 100) }),
  };
}

/**
 * `orders` are the orders a kind takes; `threadedOrders` those that run on several threads
 * (SVD and MF: 'blocked'; SVD++: 'shuffle', Hogwild).
 */
export function resolveSgdOptions(
  given: SvdppOptions, defaults: Readonly<SgdDefaults> = SGD_DEFAULTS,
  orders: readonly SgdOrder[] = ['blocked', 'shuffle', 'fixed'], threadedOrders: readonly SgdOrder[] = ['blocked'],
): ResolvedSgdOptions {
  const d = defaults;
  const lrAll = positive('lrAll', given.lrAll ?? d.lrAll);
  const regAll = nonNegative('regAll', given.regAll ?? d.regAll);
  const order = oneOf('order', given.order ?? d.order, orders);
  const bins = binsOption(given.bins, order, MAX_GRID_SIDE);
  const common = resolveCommon(given, d);
  return {
    factors: common.factors,
    epochs: common.epochs,
    lrBu: positive('lrBu', given.lrBu ?? lrAll),
    lrBi: positive('lrBi', given.lrBi ?? lrAll),
    lrPu: positive('lrPu', given.lrPu ?? lrAll),
    lrQi: positive('lrQi', given.lrQi ?? lrAll),
    regBu: nonNegative('regBu', given.regBu ?? regAll),
    regBi: nonNegative('regBi', given.regBi ?? regAll),
    regPu: nonNegative('regPu', given.regPu ?? regAll),
    regQi: nonNegative('regQi', given.regQi ?? regAll),
    initMean: finite('initMean', given.initMean ?? d.initMean),
    initStd: nonNegative('initStd', given.initStd ?? d.initStd),
    seed: common.seed,
    engine: common.engine,
    wasmVariant: common.wasmVariant,
    order,
    threads: orderThreadsOption(given.threads, order, threadedOrders),
    bins,
    rng: common.rng,
    init: oneOf('init', given.init ?? d.init, ['random', 'svd']),
    initScale: unitInterval('initScale', given.initScale ?? d.initScale),
    initSvd: resolveInitSvd(given.initSvd),
    lrYj: positive('lrYj', given.lrYj ?? lrAll),
    regYj: nonNegative('regYj', given.regYj ?? regAll),
  };
}
