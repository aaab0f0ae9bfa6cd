import { JsEngine } from './js-engine.js';
import type { Engine, EngineName } from './types.js';
import { WasmEngine, type WasmVariant } from './wasm-engine.js';

export type { Engine, EngineName, EngineVariant, F32, U32, FactorBlock, RatingsBlock, BiasedRates, SvdppRates, UserGroups, SparseRows, FeatureSide, HybridLoss, HybridPass } from './types.js';
export { strideFor, LANES } from './types.js';
export { wasmSimdSupported, type WasmVariant } from './wasm-engine.js';

/**
 * A fresh engine with its own memory. 'wasm' picks the SIMD build when the runtime supports it,
 * else the scalar build; `variant` forces one.
 */
export function createEngine(name: EngineName = 'wasm', variant?: WasmVariant): Engine {
  return name === 'js' ? new JsEngine() : new WasmEngine(variant);
}
