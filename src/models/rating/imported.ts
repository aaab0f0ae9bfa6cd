// A model whose factors were trained elsewhere (e.g. Spark MLlib ALS, imported from its JSON
// lines): it predicts, recommends and finds similar items, but cannot be fitted here. Spark's
// explicit ALS predicts ratings, clipped to the scale the import was given: a rating model.
import { LatentrecError } from '../../errors.js';
import type { ModelShape, Trainer } from '../core/model.js';
import { integer } from '../core/options.js';
import { MAX_FACTORS } from '../core/state.js';
import { RatingBase } from './rating-base.js';

/**
 * A model whose factors were trained elsewhere (e.g. Spark MLlib ALS, imported with
 * {@link importSparkAls}): it predicts, recommends, finds similar items and users, folds in new
 * users and saves, but cannot be fitted here (fit throws). Spark's explicit ALS predicts ratings,
 * clipped to the scale given at import: a rating model without biases. Usually built by
 * {@link FactorModel.fromState} from the imported state.
 *
 * @example
 * ```ts
 * import { FactorModel, ImportedModel, importSparkAls } from 'latentrec';
 *
 * const state = importSparkAls(
 *   '{"id":1,"features":[1.2,0.3]}\n{"id":2,"features":[0.2,1.1]}',    // Spark's userFactors, JSON lines
 *   '{"id":10,"features":[2.8,0.4]}\n{"id":20,"features":[0.3,2.9]}', // itemFactors
 *   { scale: { lo: 1, hi: 5 } },
 * );
 * const model = new ImportedModel(state.factors).restore(state); // or FactorModel.fromState(state)
 * console.log(model.predict(1, 10).estimate, model.recommend(2, { n: 1 }));
 * const copy = FactorModel.load(model.save()); // an ImportedModel again
 * console.log(copy instanceof ImportedModel, copy.factorCount); // true 2
 * ```
 */
export class ImportedModel extends RatingBase {
  protected readonly stateKind = 'imported' as const;
  protected override readonly partialFitRefusal = 'it was trained elsewhere and has no training loop here; train in the system it came from, or fit a latentrec model';
  protected readonly shape: ModelShape;
  /** Empty: an imported model has no options of its own. */
  readonly options: object = {};

  /**
   * An empty ImportedModel of k factors, to restore an imported state into.
   * @param factors - The imported factors' rank k, an integer in [0, {@link MAX_FACTORS}].
   * @throws {@link OptionError} when `factors` is out of range.
   */
  constructor(factors: number) {
    super();
    integer('factors', factors, 0, MAX_FACTORS);
    this.shape = { factors, biased: false, epochs: 0, engine: 'auto', wasmVariant: undefined, seed: 0, rng: 'mt19937' };
  }

  protected initialize(): void {
    throw new LatentrecError('ImportedModel: its factors were trained elsewhere; it cannot be fitted here (create an SVD or MF to train)');
  }

  protected createTrainer(): Trainer {
    throw new LatentrecError('ImportedModel cannot be fitted');
  }
}
