// Plain matrix factorization (Surprise's SVD with biased=False, PMF): r^ = p_u·q_i by SGD.
import type { SgdOptions } from './sgd-options.js';
import { SgdModel } from './sgd-model.js';

/**
 * Plain matrix factorization (Surprise's SVD with biased=False, PMF): r̂ = p_u·q_i by SGD, with
 * SVD's options and defaults. Predictions for unknown users or items fall back to the global
 * mean. Supports partialFit.
 *
 * @example
 * ```ts
 * import { Dataset, MF } from 'latentrec';
 *
 * const train = Dataset.fromTriples([
 *   ['alice', 'matrix', 5], ['alice', 'alien', 4], ['bob', 'matrix', 4],
 *   ['bob', 'titanic', 2], ['carol', 'titanic', 5], ['carol', 'alien', 3],
 * ]);
 * const model = new MF({ factors: 10, epochs: 50, lrAll: 0.01 });
 * model.fit(train);
 * // New ratings later: a few more epochs over them alone (dave is a new user).
 * model.partialFit(Dataset.fromTriples([['dave', 'matrix', 5], ['dave', 'alien', 4]]), { epochs: 5 });
 * console.log(model.predict('dave', 'titanic'));
 * ```
 */
export class MF extends SgdModel {
  protected readonly stateKind = 'mf' as const;
  /**
   * An unfitted MF.
   * @param options - The SGD options; unset ones take {@link SGD_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of MF ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(options: SgdOptions = {}) {
    super(options, false);
  }
}
