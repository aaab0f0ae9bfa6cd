import { JsEngine } from './js-engine.js';
import type { Engine, EngineChoice, EngineName } from './types.js';
import { CSP_ADVICE, WasmEngine, wasmRefusal, wasmVariants, type WasmEngineOptions, type WasmVariant } from './wasm-engine.js';
import { wasmThreadSupport } from './wasm-threads.js';

export type { Engine, EngineChoice, EngineName, EngineVariant, F32, U32, FactorBlock, RatingsBlock, BiasedRates, SvdppRates, UserGroups, SparseRows, FeatureSide, HybridLoss, HybridPass, HybridBlockPass, BprSampler, BfmSide, BfmPrior, BfmBlock, BfmGroupPrior, F64, ExactRowSolve } from './types.js';
export { strideFor, threadPart, LANES } from './types.js';
export { copyU32, copyF64 } from './copy.js';
export { wasmSimdSupported, wasmVariants, wasmRefusal, CSP_ADVICE, WASM_VARIANTS, type WasmVariant, type WasmEngineOptions, type ThreadSupport } from './wasm-engine.js';
export { wasmThreadSupport } from './wasm-threads.js';
export { buildGrid, binsByCount, gridFromBins, permutation, planEpoch, defaultGridSide, gridSideFor, MAX_GRID_SIDE, type BlockGrid, type BlockSchedule } from './block-grid.js';
export { hardwareThreads, prepareThreads, threadsUnavailableReason } from './thread-pool.js';
export type { RowRange } from './row-ranges.js';

/**
 * A fresh engine with its own memory. 'wasm' picks the best build this runtime runs —
 * 'relaxed' (relaxed SIMD), else 'simd', else 'scalar' (see wasmVariants()); `variant` forces one
 * and is refused with a LatentrecError naming what this runtime supports when it cannot run it.
 * 'auto' is 'wasm' where any build runs, else the js engine, whose `note` says why (a page whose
 * Content-Security-Policy lacks 'wasm-unsafe-eval'); 'wasm' there throws a LatentrecError with
 * that advice.
 * `options.threads` above 1 gives blocked SGD worker threads where the runtime allows (see
 * WasmEngineOptions). The js engine ignores `variant` and `options`.
 *
 * @param name - 'auto' (default), 'wasm' or 'js'.
 * @param variant - A wasm build to force ('relaxed', 'simd' or 'scalar'); by default the best this runtime runs.
 * @param options - Threads for the kernels that run on several, and what runs them.
 * @returns A new engine; `dispose()` stops its worker threads.
 * @throws {@link LatentrecError} when 'wasm' or a forced build cannot run here (the message says why and what to do).
 * @example
 * ```ts
 * createEngine('wasm').variant;          // 'relaxed' in Chromium, 'simd' in Node 20
 * createEngine('wasm', 'simd').variant;  // 'simd' wherever SIMD runs
 * ```
 */
export function createEngine(name: EngineChoice = 'auto', variant?: WasmVariant, options: WasmEngineOptions = {}): Engine {
  return makeEngine(name, variant, { ...options, threadSupport: options.threadSupport ?? wasmThreadSupport });
}

/**
 * createEngine for the library's own code: worker threads only when `options.threadSupport` is
 * given (wasmThreadSupport), so that a bundle of code that never runs on threads — a BPR, a loaded
 * model, fold-in — carries neither the -threads builds nor the pool. The models whose fits run
 * blocked SGD pass it; with `threads` above 1 and no support the engine runs on one thread and
 * says so in `threadsNote`.
 */
export function makeEngine(name: EngineChoice = 'auto', variant?: WasmVariant, options: WasmEngineOptions = {}): Engine {
  if (concreteEngine(name, variant) === 'wasm') return new WasmEngine(variant, options);
  return new JsEngine(name === 'auto' ? fallbackNote() : undefined);
}

/**
 * The engine `name` runs on here: 'auto' is wasm where a build compiles (or one is asked for by
 * name, which then fails with its own reason), else js.
 */
export function concreteEngine(name: EngineChoice, variant?: WasmVariant): EngineName {
  if (name !== 'auto') return name;
  return variant !== undefined || wasmVariants().length > 0 ? 'wasm' : 'js';
}

let warned = false;

/**
 * The note of an 'auto' engine that fell back to js, said once on the console as well: a page
 * that silently trains several times slower than it could is worse than one line of warning.
 */
function fallbackNote(): string {
  const refusal = wasmRefusal();
  const note = refusal === undefined
    ? 'running on the js engine: this runtime runs none of the wasm builds'
    : `running on the js engine: ${refusal}; ${CSP_ADVICE}`;
  if (!warned && typeof console !== 'undefined') {
    warned = true;
    console.warn(`latentrec: ${note}`);
  }
  return note;
}
