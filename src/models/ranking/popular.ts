// The popularity baseline for implicit feedback: every user gets the items with the most
// interactions (score = the item's count), the baseline every ranking model must beat. A ranking
// model with no factors: the counts are its item scores (kept where model files keep item
// biases), computed once from the data, no epochs.
import type { EngineChoice, WasmVariant } from '../../engine/index.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, resolveCommon } from '../core/options.js';
import { RankingBase } from './ranking-base.js';

/** Options of {@link Popular}: only where it computes. */
export interface PopularOptions {
  /**
   * The engine: 'auto' (wasm where it compiles, else js), 'wasm' or 'js' (see {@link CommonOptions.engine}).
   * @defaultValue 'auto'
   */
  engine?: EngineChoice;
  /** Force the wasm build the model serves on (default the best this runtime runs). */
  wasmVariant?: WasmVariant;
}

/** Every key PopularOptions has. */
export const POPULAR_OPTION_KEYS = ['engine', 'wasmVariant'] as const satisfies readonly (keyof PopularOptions)[];

/**
 * The popularity baseline for implicit feedback: every user gets the items with the most
 * interactions (score = the item's count; a repeated (user, item) row counts each time), the
 * baseline every ranking model must beat. No factors and no epochs: the counts are its item
 * biases, computed once from the data. The same list for every user (less what each has seen);
 * similarItems and similarUsers refuse.
 *
 * @example
 * ```ts
 * import { Dataset, Popular } from 'latentrec';
 *
 * const clicks = Dataset.fromTriples([
 *   ['u1', 'a', 1], ['u1', 'b', 1], ['u2', 'a', 1], ['u2', 'c', 1],
 *   ['u3', 'b', 1], ['u3', 'c', 1], ['u3', 'd', 1], ['u4', 'd', 1],
 * ]);
 * const model = new Popular();
 * model.fit(clicks);
 * console.log(model.recommend('u4', { n: 2 })); // the most-clicked items u4 has not clicked
 * console.log(model.itemBias('a'));             // 2: the item's count
 * ```
 */
export class Popular extends RankingBase {
  protected readonly stateKind = 'popular' as const;
  protected override readonly partialFitRefusal = 'popularity is counted over all the data, which the model does not keep; fit it again on all the data';
  protected readonly shape: ModelShape;
  /** The resolved options, as saved with the model. */
  readonly options: {
    /** The engine asked for. */
    engine: EngineChoice;
    /** The wasm build asked for, or undefined for the best this runtime supports. */
    wasmVariant: WasmVariant | undefined;
  };

  /**
   * An unfitted Popular.
   * @param given - Where it computes.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of Popular ({@link UnknownOptionError}, naming the option it probably meant).
   */
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
