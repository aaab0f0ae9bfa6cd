// Plain matrix factorization (Surprise's SVD with biased=False, PMF): r^ = p_u·q_i by SGD.
import { FactorModel } from './factor-model.js';
import type { SgdOptions } from './options.js';

export class MF extends FactorModel {
  protected readonly biased = false;
  constructor(options: SgdOptions = {}) {
    super(options);
  }
}
