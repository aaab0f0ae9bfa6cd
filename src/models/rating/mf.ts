// Plain matrix factorization (Surprise's SVD with biased=False, PMF): r^ = p_u·q_i by SGD.
import type { SgdOptions } from './sgd-options.js';
import { SgdModel } from './sgd-model.js';

export class MF extends SgdModel {
  protected readonly stateKind = 'mf' as const;
  constructor(options: SgdOptions = {}) {
    super(options, false);
  }
}
