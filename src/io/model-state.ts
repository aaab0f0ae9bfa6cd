// Everything a fitted latent-factor model is, as plain data: what model files store and what
// `FactorModel.fromState` rebuilds a model from. Factors are unpadded here (k floats per row);
// the engine pads them again on load.
import type { RatingScale } from '../data/dataset.js';

export type ModelStateKind = 'svd' | 'mf' | 'svdpp' | 'baseline' | 'puresvd' | 'bpr' | 'als' | 'popular' | 'imported';

export interface ModelState {
  kind: ModelStateKind;
  /** The model's resolved options (JSON-serializable), for the record and for refitting. */
  options: Record<string, unknown>;
  /** Latent factors k (0 for a baseline). */
  factors: number;
  /** Whether predictions include μ + b_u + b_i. */
  biased: boolean;
  /** μ inside the model (0 when not biased). */
  mu: number;
  /** Mean training rating (the fallback of impossible predictions of unbiased models). */
  trainMean: number;
  scale: RatingScale;
  userIds: string[];
  itemIds: string[];
  /** users x k, row-major (SVD++: p_u plus its implicit part, what predictions use). */
  P: Float32Array;
  /** items x k, row-major. */
  Q: Float32Array;
  /** users (zeros when not biased). */
  bu: Float32Array;
  /** items (ranking models without μ and b_u, BPR and popularity, keep item biases). */
  bi: Float32Array;
  /** Items each user rated in training (CSR), so recommend() can exclude them after loading. */
  seenStart: Uint32Array;
  seenItems: Uint32Array;
}
