// Everything a fitted latent-factor model is, as plain data: what model files store and what
// `FactorModel.fromState` rebuilds a model from. Factors are unpadded here (k floats per row);
// the engine pads them again on load.
import type { RatingScale } from '../../data/dataset.js';
import type { F32 } from '../../engine/index.js';
import type { DayTerms } from './days.js';
import type { UserBag } from './user-bag.js';
import type { OrdinalLink } from './link.js';

/**
 * The kind a state is of: a row of the registry (models/registry.ts), e.g. 'svd' or 'hybrid'.
 * A string here: which kinds exist is the registry's to say, and a file names its kind as text.
 */
export type ModelStateKind = string;

/** The most latent factors a model may have (the factor limit of every kind and of model files). */
export const MAX_FACTORS = 4096;

/**
 * The one parameter bound. No converging fit on any rating scale has parameters near 1e15, and
 * below it no prediction can overflow float32 (|p·q| <= k·1e30 < 3.4e38 for k <= MAX_FACTORS): so
 * a fit reaching it has diverged, and a state beyond it is refused (it could predict NaN).
 */
export const PARAMETER_LIMIT = 1e15;

/** Whether every value is finite and below PARAMETER_LIMIT. */
export function withinLimit(values: ArrayLike<number>): boolean {
  for (let t = 0; t < values.length; t++) if (!(Math.abs(values[t]) < PARAMETER_LIMIT)) return false;
  return true;
}

/** withinLimit over engine arrays (a fit's factors, the hybrid's embeddings). */
export function withinParameterLimit(handles: readonly F32[]): boolean {
  return handles.every((h) => withinLimit(h.array()));
}

/** The embeddings of named features (a LightFM-style hybrid model): row r belongs to names[r]. */
export interface FeatureEmbeddings {
  /** Distinct feature names. */
  names: string[];
  /** names.length x k, row-major, unpadded. */
  factors: Float32Array;
  /** One per feature. */
  biases: Float32Array;
}

/**
 * A fitted model as plain data: what `model.toState()` returns, what model files store and what
 * `FactorModel.fromState` (or `model.restore`) brings back. Factor matrices are row-major and
 * unpadded (k floats per row).
 */
export interface ModelState {
  /** The model's kind: 'svd', 'bpr', 'hybrid', ..., or 'imported' (see {@link ModelStateKind}). */
  kind: ModelStateKind;
  /** The model's resolved options (JSON-serializable), for the record and for refitting. */
  options: Record<string, unknown>;
  /** Latent factors k (0 for a baseline). */
  factors: number;
  /** Whether predictions include μ + b_u + b_i. */
  biased: boolean;
  /** μ inside the model (0 when not biased; hybrid models are biased but keep μ at 0). */
  mu: number;
  /** Mean training rating (the fallback of impossible predictions of unbiased models). */
  trainMean: number;
  /** The training rating scale: what rating models clip estimates to and fold-in checks values against. */
  scale: RatingScale;
  /** Raw ids of the users, in row order of P and bu. */
  userIds: string[];
  /** Raw ids of the items, in row order of Q and bi. */
  itemIds: string[];
  /** users x k, row-major (SVD++: p_u plus its implicit part, what predictions use). */
  P: Float32Array;
  /** items x k, row-major. */
  Q: Float32Array;
  /** users (zeros when not biased). */
  bu: Float32Array;
  /** items (ranking models without μ and b_u, BPR and popularity, keep item biases). */
  bi: Float32Array;
  /**
   * Items each user rated (in training, partialFit or fold-in; CSR), so recommend() can exclude
   * them after loading: user
   * u's are seenItems[seenStart[u] .. seenStart[u + 1]) (users + 1 offsets).
   */
  seenStart: Uint32Array;
  /** The item rows of every user's rated items, user after user (see seenStart). */
  seenItems: Uint32Array;
  /**
   * Hybrid models only: the user and item feature embeddings, so that users or items described
   * only by features (cold start) can be scored after loading. P, Q, bu and bi above already hold
   * the sums for the users and items seen in training; which features those had is not stored.
   */
  features?: {
    /** The user attributes' embeddings. */
    user: FeatureEmbeddings;
    /** The item attributes' embeddings. */
    item: FeatureEmbeddings;
  };
  /**
   * The Bayesian FM's ordinal output only: P, Q, bu, bi and mu give a latent score, and the
   * estimate is the expected rating level under these cut points (core/link.ts).
   */
  link?: OrdinalLink;
  /**
   * The Bayesian FM's day group only: P, Q, bu, bi and mu predict the average day; a rating on
   * one of these days adds its deviation (core/days.ts).
   */
  days?: DayTerms;
  /** The Bayesian FM with the user bag only: each item's bag feature, so fold-in can use a new user's bag (core/user-bag.ts). */
  bag?: UserBag;
  /**
   * EASE only: the item–item weights B, items x items row-major (row j: what having item j adds to
   * every item's score; a zero diagonal). Scores are sums of the rows of a user's items (core/item-item.ts).
   */
  itemItem?: Float32Array;
}
