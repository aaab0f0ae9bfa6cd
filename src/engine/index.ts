import { JsEngine } from './js-engine.js';
import type { Engine, EngineName } from './types.js';
import { WasmEngine, type WasmEngineOptions, type WasmVariant } from './wasm-engine.js';

export type { Engine, EngineName, EngineVariant, F32, U32, FactorBlock, RatingsBlock, BiasedRates, SvdppRates, UserGroups, SparseRows, FeatureSide, HybridLoss, HybridPass } from './types.js';
export { strideFor, LANES } from './types.js';
export { wasmSimdSupported, wasmVariants, WASM_VARIANTS, type WasmVariant, type WasmEngineOptions } from './wasm-engine.js';
export { buildGrid, planEpoch, defaultGridSide, gridSideFor, MAX_GRID_SIDE, type BlockGrid, type BlockSchedule } from './block-grid.js';
export { hardwareThreads, prepareThreads, threadsUnavailableReason } from './thread-pool.js';

/**
 * A fresh engine with its own memory. 'wasm' picks the best build this runtime validates —
 * 'relaxed' (relaxed SIMD), else 'simd', else 'scalar' (see wasmVariants()); `variant` forces one
 * and is refused with a LatentrecError naming what this runtime supports when it cannot run it.
 * The js engine ignores `variant`.
 *
 *   createEngine('wasm').variant          // 'relaxed' in Chromium, 'simd' in Node 20
 *   createEngine('wasm', 'simd').variant  // 'simd' wherever SIMD runs
 */
export function createEngine(name: EngineName = 'wasm', variant?: WasmVariant, options: WasmEngineOptions = {}): Engine {
  return name === 'js' ? new JsEngine() : new WasmEngine(variant, options);
}
