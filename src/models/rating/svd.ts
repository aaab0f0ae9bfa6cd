// "SVD on top of baseline": r^ = μ + b_u + b_i + q_i·p_u, trained by SGD exactly as Surprise's
// SVD (Koren, Bell & Volinsky, "Matrix factorization techniques for recommender systems", 2009).
import type { SgdOptions } from './sgd-options.js';
import { SgdModel } from './sgd-model.js';

export class SVD extends SgdModel {
  protected readonly stateKind = 'svd' as const;
  constructor(options: SgdOptions = {}) {
    super(options, true);
  }
}
