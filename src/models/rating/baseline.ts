// Baseline estimates r^ = μ + b_u + b_i (Koren 2010, "Factor in the neighbors", section 2.1), as
// Surprise's BaselineOnly: by alternating least squares (default: 10 iterations, reg_u 15,
// reg_i 10; items first, then users) or by SGD (20 epochs, lr 0.005, reg 0.02, the SVD kernel
// with no factors).
import type { EngineChoice, WasmVariant } from '../../engine/index.js';
import { groupRows } from '../../data/group.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, nonNegative, oneOf, positive, resolveCommon } from '../core/options.js';
import { RatingBase, rmseLoss } from './rating-base.js';
import type { SgdOrder } from './sgd-options.js';
import { sgdTrainer } from './sgd-trainer.js';

/** How {@link Baseline} fits its biases: Surprise's alternating least squares, or SGD. */
export type BaselineMethod = 'als' | 'sgd';

/** Options of {@link Baseline} (Surprise's BaselineOnly bsl_options, renamed). */
export interface BaselineOptions {
  /**
   * 'als' (Surprise's default) or 'sgd'.
   * @defaultValue 'als'
   */
  method?: BaselineMethod;
  /**
   * Iterations (ALS) or epochs (SGD), an integer in [1, 1,000,000].
   * @defaultValue 10 (ALS), 20 (SGD)
   */
  epochs?: number;
  /**
   * ALS: regularization of the user biases, a finite number >= 0.
   * @defaultValue 15
   */
  regU?: number;
  /**
   * ALS: regularization of the item biases, a finite number >= 0.
   * @defaultValue 10
   */
  regI?: number;
  /**
   * SGD: learning rate of both biases, a finite number > 0.
   * @defaultValue 0.005
   */
  lr?: number;
  /**
   * SGD: regularization of both biases, a finite number >= 0.
   * @defaultValue 0.02
   */
  reg?: number;
  /**
   * SGD: 'fixed' (Surprise's order) or 'shuffle'.
   * @defaultValue 'fixed'
   */
  order?: SgdOrder;
  /**
   * Seed of the shuffles (SGD with order 'shuffle'), an integer in [0, 2^32 − 1].
   * @defaultValue 0
   */
  seed?: number;
  /**
   * The engine: 'auto' (wasm where it compiles, else js), 'wasm' or 'js' (see {@link CommonOptions.engine}).
   * @defaultValue 'auto'
   */
  engine?: EngineChoice;
  /** Force a wasm build ('relaxed', 'simd' or 'scalar'; default the best this runtime runs): 'simd' for the same bits in Node and browsers. */
  wasmVariant?: WasmVariant;
}

/** Every key BaselineOptions has. */
export const BASELINE_OPTION_KEYS = ['method', 'epochs', 'regU', 'regI', 'lr', 'reg', 'order', 'seed', 'engine', 'wasmVariant'] as const satisfies readonly (keyof BaselineOptions)[];

/** {@link BaselineOptions} after checking, every default filled in: what `Baseline.options` holds. */
export interface ResolvedBaselineOptions {
  /** How the biases are fitted. */
  method: BaselineMethod;
  /** Iterations (ALS) or epochs (SGD). */
  epochs: number;
  /** ALS: regularization of the user biases. */
  regU: number;
  /** ALS: regularization of the item biases. */
  regI: number;
  /** SGD: learning rate. */
  lr: number;
  /** SGD: regularization. */
  reg: number;
  /** SGD: the order ratings are visited in. */
  order: SgdOrder;
  /** Seed of the shuffles. */
  seed: number;
  /** The engine asked for. */
  engine: EngineChoice;
  /** The wasm build asked for, or undefined for the best this runtime supports. */
  wasmVariant: WasmVariant | undefined;
}

/**
 * Baseline estimates r̂ = μ + b_u + b_i (Koren 2010, section 2.1), as Surprise's BaselineOnly:
 * by alternating least squares (default: 10 iterations, regU 15, regI 10; items first, then
 * users) or by SGD (20 epochs, lr 0.005, reg 0.02). No factors: the floor every rating model
 * should beat, and the same ranking for every user (similarItems and similarUsers refuse).
 *
 * @example
 * ```ts
 * import { Baseline, Dataset } from 'latentrec';
 *
 * const train = Dataset.fromTriples([
 *   ['alice', 'matrix', 5], ['alice', 'alien', 4], ['bob', 'matrix', 4],
 *   ['bob', 'titanic', 2], ['carol', 'titanic', 5], ['carol', 'alien', 3],
 * ]);
 * const model = new Baseline(); // ALS; new Baseline({ method: 'sgd' }) for SGD
 * model.fit(train);
 * console.log(model.globalMean, model.userBias('bob'), model.itemBias('matrix'));
 * console.log(model.predict('bob', 'alien').estimate); // μ + b_bob + b_alien, clipped to the scale
 * ```
 */
export class Baseline extends RatingBase {
  protected readonly stateKind = 'baseline' as const;
  protected override readonly partialFitRefusal = 'its biases are solved from all the ratings, which the model does not keep; fit it again on all the data (it trains in well under a second on 100k ratings)';
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: ResolvedBaselineOptions;
  protected readonly shape: ModelShape;

  protected override divergenceHint(): string {
    return 'lower the learning rate (lr / --lr) or raise the regularization (reg)';
  }

  /**
   * An unfitted Baseline.
   * @param given - The baseline options; unset ones take Surprise's defaults.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of Baseline ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(given: BaselineOptions = {}) {
    super();
    const options = optionsObject('Baseline options', given);
    checkOptionKeys('Baseline', options, BASELINE_OPTION_KEYS);
    const method = oneOf<BaselineMethod>('method', options.method ?? 'als', ['als', 'sgd']);
    const common = resolveCommon(options, { factors: 0, epochs: method === 'als' ? 10 : 20, rng: 'mt19937' });
    this.options = {
      method,
      epochs: common.epochs,
      regU: nonNegative('regU', options.regU ?? 15),
      regI: nonNegative('regI', options.regI ?? 10),
      lr: positive('lr', options.lr ?? 0.005),
      reg: nonNegative('reg', options.reg ?? 0.02),
      order: oneOf<SgdOrder>('order', options.order ?? 'fixed', ['shuffle', 'fixed']),
      seed: common.seed,
      engine: common.engine,
      wasmVariant: common.wasmVariant,
    };
    this.shape = {
      factors: 0, biased: true, epochs: this.options.epochs, engine: this.options.engine,
      wasmVariant: this.options.wasmVariant, seed: this.options.seed, rng: common.rng,
    };
  }

  protected initialize(): void {
    // Biases start at zero (Surprise), and there are no factors.
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const o = this.options;
    if (o.method === 'sgd') {
      const rate = { lrBu: o.lr, lrBi: o.lr, lrPu: o.lr, lrQi: o.lr, regBu: o.reg, regBi: o.reg, regPu: o.reg, regQi: o.reg };
      return sgdTrainer(setup, { ...rate, order: o.order, bins: undefined }, true);
    }
    return alsTrainer(setup, o.regU, o.regI);
  }
}

/** Surprise's baseline ALS in float64; the pass's error is that of the model after the iteration. */
function alsTrainer({ train, factors, mu }: TrainingSetup, regU: number, regI: number): Trainer {
  const byUser = groupRows(train.userIndex, train.userCount);
  const byItem = groupRows(train.itemIndex, train.itemCount);
  const bu = new Float64Array(train.userCount);
  const bi = new Float64Array(train.itemCount);
  const { userIndex, itemIndex, ratings } = train;
  return {
    epoch() {
      for (let i = 0; i < train.itemCount; i++) {
        let dev = 0;
        for (let k = byItem.start[i]; k < byItem.start[i + 1]; k++) {
          const t = byItem.rows[k];
          dev += ratings[t] - mu - bu[userIndex[t]];
        }
        bi[i] = dev / (regI + byItem.start[i + 1] - byItem.start[i]);
      }
      let sse = 0;
      for (let u = 0; u < train.userCount; u++) {
        let dev = 0;
        for (let k = byUser.start[u]; k < byUser.start[u + 1]; k++) {
          const t = byUser.rows[k];
          dev += ratings[t] - mu - bi[itemIndex[t]];
        }
        bu[u] = dev / (regU + byUser.start[u + 1] - byUser.start[u]);
        for (let k = byUser.start[u]; k < byUser.start[u + 1]; k++) {
          const t = byUser.rows[k];
          const e = ratings[t] - mu - bu[u] - bi[itemIndex[t]];
          sse += e * e;
        }
      }
      factors.bu.array().set(bu);
      factors.bi.array().set(bi);
      return rmseLoss(sse, train.size);
    },
    predictionFactors: () => factors,
  };
}
