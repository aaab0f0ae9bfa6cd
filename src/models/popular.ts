// The popularity baseline for implicit feedback: every user gets the items with the most
// interactions (score = the item's count). A FactorModel with no factors: the count is the item
// bias, so recommend, evaluation and model files work as for any model.
import type { EngineName } from '../engine/index.js';
import { WASM_VARIANTS, type WasmVariant } from '../engine/wasm-engine.js';
import { FactorModel, type ModelShape, type Trainer, type TrainingSetup } from './factor-model.js';
import { optionsObject } from './arguments.js';
import { oneOf } from './options.js';

export class Popular extends FactorModel {
  protected readonly stateKind = 'popular' as const;
  protected readonly shape: ModelShape;
  readonly options: { engine: EngineName; wasmVariant: WasmVariant | undefined };

  /** `wasmVariant` forces the wasm build the model serves on (default the best this runtime runs). */
  constructor(given: { engine?: EngineName; wasmVariant?: WasmVariant } = {}) {
    super();
    const options = optionsObject('Popular options', given);
    this.options = {
      engine: oneOf<EngineName>('engine', options.engine ?? 'wasm', ['wasm', 'js']),
      wasmVariant: options.wasmVariant === undefined ? undefined : oneOf<WasmVariant>('wasmVariant', options.wasmVariant, WASM_VARIANTS),
    };
    this.shape = { factors: 0, biased: false, epochs: 0, engine: this.options.engine, wasmVariant: this.options.wasmVariant, seed: 0, rng: 'mt19937', unclipped: true };
  }

  protected initialize(setup: TrainingSetup): void {
    const counts = setup.factors.bi.array();
    for (let t = 0; t < setup.train.size; t++) counts[setup.train.itemIndex[t]] += 1;
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    return { epoch: () => 0, predictionFactors: () => setup.factors };
  }
}
