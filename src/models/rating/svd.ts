// "SVD on top of baseline": r^ = μ + b_u + b_i + q_i·p_u, trained by SGD exactly as Surprise's
// SVD (Koren, Bell & Volinsky, "Matrix factorization techniques for recommender systems", 2009).
import type { SgdOptions } from './sgd-options.js';
import { SgdModel } from './sgd-model.js';

/**
 * "SVD on top of baseline", as Surprise's SVD: r̂ = μ + b_u + b_i + q_i·p_u, trained by SGD
 * (Koren, Bell & Volinsky 2009). The rating model to start with; supports partialFit.
 *
 * @example
 * ```ts
 * import { Dataset, SVD } from 'latentrec';
 *
 * const train = Dataset.fromTriples([
 *   ['alice', 'matrix', 5], ['alice', 'alien', 4], ['bob', 'matrix', 4],
 *   ['bob', 'titanic', 2], ['carol', 'titanic', 5], ['carol', 'alien', 3],
 * ]);
 * const model = new SVD({ factors: 20, epochs: 30 });
 * const { epochs } = model.fit(train);
 * console.log(epochs.at(-1)?.trainRmse);
 * console.log(model.predict('alice', 'titanic').estimate); // a rating within the training scale
 * console.log(model.recommend('bob', { n: 2 }));          // [{ id, score }, ...] of items bob has not rated
 * ```
 */
export class SVD extends SgdModel {
  protected readonly stateKind = 'svd' as const;
  /**
   * An unfitted SVD.
   * @param options - The SGD options; unset ones take {@link SGD_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of SVD ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(options: SgdOptions = {}) {
    super(options, true);
  }
}
