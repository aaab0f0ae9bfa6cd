// The popularity baseline for implicit feedback: every user gets the items with the most
// interactions (score = the item's count), the baseline every ranking model must beat. A ranking
// model with no factors: the counts are its item scores (kept where model files keep item
// biases), computed once from the data, no epochs.
import type { EngineChoice, WasmVariant } from '../../engine/index.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, resolveCommon } from '../core/options.js';
import { RankingBase } from './ranking-base.js';

export interface PopularOptions {
  engine?: EngineChoice;
  /** Force the wasm build the model serves on (default the best this runtime runs). */
  wasmVariant?: WasmVariant;
}

/** Every key PopularOptions has. */
export const POPULAR_OPTION_KEYS = ['engine', 'wasmVariant'] as const satisfies readonly (keyof PopularOptions)[];

export class Popular extends RankingBase {
  protected readonly stateKind = 'popular' as const;
  protected override readonly partialFitRefusal = 'popularity is counted over all the data, which the model does not keep; fit it again on all the data';
  protected readonly shape: ModelShape;
  readonly options: { engine: EngineChoice; wasmVariant: WasmVariant | undefined };

  constructor(given: PopularOptions = {}) {
    super();
    const options = optionsObject('Popular options', given);
    checkOptionKeys('Popular', options, POPULAR_OPTION_KEYS);
    const common = resolveCommon(options, { factors: 0, epochs: 0, rng: 'mt19937' });
    this.options = { engine: common.engine, wasmVariant: common.wasmVariant };
    this.shape = { factors: 0, biased: false, epochs: 0, engine: common.engine, wasmVariant: common.wasmVariant, seed: 0, rng: common.rng };
  }

  protected initialize(setup: TrainingSetup): void {
    const counts = setup.factors.bi.array();
    for (let t = 0; t < setup.train.size; t++) counts[setup.train.itemIndex[t]] += 1;
  }

  /** The counts are the model: no epoch to run. */
  protected createTrainer(setup: TrainingSetup): Trainer {
    return { epoch: () => ({ value: 0, kind: 'misranked' }), predictionFactors: () => setup.factors };
  }
}
