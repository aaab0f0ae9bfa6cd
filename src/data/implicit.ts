// Implicit feedback: every interaction is a 1. Explicit ratings become interactions where the
// rating reaches a threshold; each (user, item) pair counts once.
import { OptionError } from '../errors.js';
import { Dataset } from './dataset.js';

/** Options of {@link toImplicit}. */
export interface ImplicitOptions {
  /**
   * A rating >= threshold is an interaction (default: every rating is one). Any number but NaN.
   *
   * @defaultValue -Infinity
   */
  threshold?: number;
}

/**
 * The interactions of `data` as a Dataset of 1s (scale 0..1), ids renumbered as in `subset`.
 * For the ranking models trained on implicit feedback and for {@link strongGeneralizationSplit}.
 * Each (user, item) pair counts once, at its first qualifying row; times are not kept.
 *
 * @param data - Explicit ratings.
 * @param options - The rating an interaction needs.
 * @returns The interactions, every rating 1.
 * @throws {@link OptionError} When threshold is not a number (or is NaN).
 *
 * @example
 * ```ts
 * import { toImplicit } from 'latentrec';
 *
 * const liked = toImplicit(dataset, { threshold: 4 }); // 4 and 5 stars become interactions
 * ```
 */
export function toImplicit(data: Dataset, options: ImplicitOptions = {}): Dataset {
  const threshold = options.threshold ?? -Infinity;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new OptionError('threshold', 'a number', threshold);
  const seen = new Set<number>();
  const rows: number[] = [];
  for (let t = 0; t < data.size; t++) {
    if (!(data.ratings[t] >= threshold)) continue;
    const key = data.userIndex[t] * data.itemCount + data.itemIndex[t];
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push(t);
  }
  const kept = data.subset(rows);
  return new Dataset(kept.users, kept.items, kept.userIndex, kept.itemIndex, new Float32Array(kept.size).fill(1), { lo: 0, hi: 1 });
}
