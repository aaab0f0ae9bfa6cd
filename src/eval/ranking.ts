// Top-N ranking metrics of one user's ranked list. These functions are pure: they take item
// indices (any integer ids) and a set of relevant ids, and compute one user's figure. Averaging
// over users, and choosing what is ranked, is the protocol's job (see ranking-protocol.ts).
//
// Notation: L = the ranked list (best first, 1-based rank i), n = |L|, R = the relevant set,
// rel_i = 1 if L[i] ∈ R else 0, hits@k = Σ_{i ≤ min(k, n)} rel_i.
//
// Preconditions: `ranked` does not repeat an item (a repeated relevant item would be counted
// again); `k` is an integer >= 1 (an OptionError otherwise).
//
// Undefined values: recall, NDCG and average precision divide by a quantity that is 0 when R is
// empty; they then return NaN, and a protocol is expected to skip such users (latentrec's does).
// AUC is NaN when the candidates are all relevant or all non-relevant.
import { DataError, OptionError } from '../errors.js';

/**
 * A user's ranking, best first: item indices.
 *
 * The metric functions' notation: L = the ranked list (best first, 1-based rank i), n = |L|,
 * R = the relevant set, rel_i = 1 if L[i] ∈ R else 0, hits@k = Σ_{i ≤ min(k, n)} rel_i.
 */
export type RankedList = readonly number[] | Uint32Array;

function checkK(k: number): void {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new OptionError('k', 'an integer >= 1', k);
  }
}

function hitsAtK(ranked: RankedList, relevant: ReadonlySet<number>, k: number): number {
  const n = Math.min(k, ranked.length);
  let hits = 0;
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) hits++;
  return hits;
}

/**
 * Precision@k = hits@k / k.
 *
 * The divisor is always k, also when fewer than k items are ranked (the missing places count as
 * misses), so a short list cannot score higher than a full one with the same hits. 0 when R is
 * empty.
 *
 * @param ranked - The user's ranked item ids, best first (no repeats).
 * @param relevant - The user's relevant item ids.
 * @param k - The cut-off, an integer >= 1.
 * @returns Precision@k, in [0, 1].
 * @throws {@link OptionError} When k is not an integer >= 1.
 */
export function precisionAtK(ranked: RankedList, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  return hitsAtK(ranked, relevant, k) / k;
}

/**
 * Recall@k = hits@k / |R|. |R| counts every relevant item, ranked or not. NaN when R is empty.
 *
 * @param ranked - The user's ranked item ids, best first (no repeats).
 * @param relevant - The user's relevant item ids.
 * @param k - The cut-off, an integer >= 1.
 * @returns Recall@k, in [0, 1], or NaN when nothing is relevant.
 * @throws {@link OptionError} When k is not an integer >= 1.
 */
export function recallAtK(ranked: RankedList, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return NaN;
  return hitsAtK(ranked, relevant, k) / relevant.size;
}

/**
 * Recall@k as Liang et al. 2018 (Mult-VAE) and the strong-generalization papers report it:
 * hits@k / min(k, |R|), so a user with more relevant items than k can reach 1. NaN when R is empty.
 *
 * @param ranked - The user's ranked item ids, best first (no repeats).
 * @param relevant - The user's relevant item ids.
 * @param k - The cut-off, an integer >= 1.
 * @returns The capped recall, in [0, 1], or NaN when nothing is relevant.
 * @throws {@link OptionError} When k is not an integer >= 1.
 */
export function cappedRecallAtK(ranked: RankedList, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return NaN;
  return hitsAtK(ranked, relevant, k) / Math.min(k, relevant.size);
}

/**
 * NDCG@k with binary gains and a log2 discount:
 * DCG@k = Σ_{i ≤ min(k, n)} rel_i / log2(i + 1),
 * IDCG@k = Σ_{i ≤ min(k, |R|)} 1 / log2(i + 1) (the ideal list: min(k, |R|) relevant items first),
 * NDCG@k = DCG@k / IDCG@k, in [0, 1]. NaN when R is empty.
 *
 * @param ranked - The user's ranked item ids, best first (no repeats).
 * @param relevant - The user's relevant item ids.
 * @param k - The cut-off, an integer >= 1.
 * @returns NDCG@k, in [0, 1], or NaN when nothing is relevant.
 * @throws {@link OptionError} When k is not an integer >= 1.
 */
export function ndcgAtK(ranked: RankedList, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return NaN;
  const n = Math.min(k, ranked.length);
  let dcg = 0;
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) dcg += 1 / Math.log2(i + 2);
  const ideal = Math.min(k, relevant.size);
  let idcg = 0;
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return dcg / idcg;
}

/**
 * Average precision at k (its mean over users is MAP@k):
 * AP@k = (Σ_{i ≤ min(k, n), rel_i = 1} hits@i / i) / min(k, |R|),
 * i.e. the precision at the rank of every hit in the top k, summed, over the most hits the top k
 * can hold. In [0, 1]. NaN when R is empty.
 *
 * @param ranked - The user's ranked item ids, best first (no repeats).
 * @param relevant - The user's relevant item ids.
 * @param k - The cut-off, an integer >= 1.
 * @returns AP@k, in [0, 1], or NaN when nothing is relevant.
 * @throws {@link OptionError} When k is not an integer >= 1.
 */
export function averagePrecisionAtK(ranked: RankedList, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return NaN;
  const n = Math.min(k, ranked.length);
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (relevant.has(ranked[i])) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / Math.min(k, relevant.size);
}

/** HitRate@k = 1 if hits@k > 0 else 0 (so 0 when R is empty). *
 * @param ranked - The user's ranked item ids, best first (no repeats).
 * @param relevant - The user's relevant item ids.
 * @param k - The cut-off, an integer >= 1.
 * @returns 1 or 0.
 * @throws {@link OptionError} When k is not an integer >= 1.
 */
export function hitRateAtK(ranked: RankedList, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) return 1;
  return 0;
}

/**
 * Reciprocal rank = 1 / (rank of the first relevant item in the whole list, not only the top k);
 * 0 when no ranked item is relevant. Its mean over users is MRR.
 *
 * @param ranked - The user's ranked item ids, best first.
 * @param relevant - The user's relevant item ids.
 * @returns The reciprocal rank, in [0, 1].
 */
export function reciprocalRank(ranked: RankedList, relevant: ReadonlySet<number>): number {
  for (let i = 0; i < ranked.length; i++) if (relevant.has(ranked[i])) return 1 / (i + 1);
  return 0;
}

/**
 * AUC of one user: over the candidates, P = those in `relevant`, N = the others, and
 * AUC = (Σ_{p ∈ P, q ∈ N} ([s_p > s_q] + ½ [s_p = s_q])) / (|P| |N|),
 * the probability that a random relevant candidate scores above a random non-relevant one, ties
 * counting one half. `scores` is indexed by the candidates' ids (e.g. a model's scores of every
 * item); only the candidates are looked at. A candidate listed twice counts twice.
 *
 * Computed in O(n log |P|): the relevant scores are sorted, and each non-relevant score finds by
 * binary search the relevant ones it is below and equal to (a user has a few relevant items among
 * thousands of candidates; sorting every candidate cost most of a full-catalogue evaluation).
 * NaN when P or N is empty. A NaN score (or a candidate outside `scores`) throws a DataError.
 *
 * @param scores - Scores indexed by candidate id.
 * @param candidates - The ids to compare (in any order).
 * @param relevant - The relevant ids.
 * @returns The AUC, in [0, 1], or NaN.
 * @throws {@link DataError} When a candidate has no score or a NaN one.
 */
export function auc(scores: ArrayLike<number>, candidates: RankedList, relevant: ReadonlySet<number>): number {
  const flags = new Uint8Array(candidates.length);
  let positives = 0;
  for (let j = 0; j < candidates.length; j++) {
    const c = candidates[j];
    const s = scores[c];
    if (typeof s !== 'number' || Number.isNaN(s)) {
      throw new DataError(`auc: candidate ${c} has no score (got ${String(s)}); scores must be numbers, not NaN`);
    }
    if (relevant.has(c)) {
      flags[j] = 1;
      positives++;
    }
  }
  const negatives = candidates.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  const pos = new Float64Array(positives);
  let p = 0;
  for (let j = 0; j < candidates.length; j++) if (flags[j] === 1) pos[p++] = scores[candidates[j]];
  pos.sort();
  // Over the sorted relevant scores: startsBelow[i] counts the negatives below pos[i] but not below
  // pos[i − 1], and equalFrom marks where each negative's run of equal relevant scores starts and
  // ends; prefix sums give each relevant score's negatives below it and equal to it.
  const startsBelow = new Float64Array(positives + 1), equalFrom = new Float64Array(positives + 1);
  for (let j = 0; j < candidates.length; j++) {
    if (flags[j] === 1) continue;
    const s = scores[candidates[j]];
    // lo = the first relevant score >= s, up = the first > s (runs of equal scores are short).
    let lo = 0, hi = positives;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pos[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    let up = lo;
    while (up < positives && pos[up] === s) up++;
    startsBelow[up]++;
    equalFrom[lo]++;
    equalFrom[up]--;
  }
  let below = 0, equal = 0, count = 0;
  for (let j = 0; j < positives; j++) {
    below += startsBelow[j];
    equal += equalFrom[j];
    count += below + 0.5 * equal;
  }
  return count / (positives * negatives);
}

/**
 * Catalogue coverage = |∪ lists| / itemCount: the fraction of the itemCount items (ids 0 ..
 * itemCount - 1) that appear in at least one list. Pass the top-k lists (already cut to k).
 * NaN when itemCount is 0; an id outside [0, itemCount) throws a DataError.
 *
 * @param recommendedLists - Every user's top-k list of item ids.
 * @param itemCount - The number of items in the catalogue, an integer >= 0.
 * @returns The coverage, in [0, 1], or NaN.
 * @throws {@link OptionError} When itemCount is not an integer >= 0.
 * @throws {@link DataError} When an id is outside [0, itemCount).
 */
export function catalogueCoverage(recommendedLists: Iterable<ArrayLike<number>>, itemCount: number): number {
  if (!Number.isInteger(itemCount) || itemCount < 0) {
    throw new OptionError('itemCount', 'an integer >= 0', itemCount);
  }
  const seen = new Uint8Array(itemCount);
  let distinct = 0;
  for (const list of recommendedLists) {
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (!Number.isInteger(item) || item < 0 || item >= itemCount) {
        throw new DataError(`catalogueCoverage: item ${item} is outside [0, ${itemCount})`);
      }
      if (seen[item] === 0) {
        seen[item] = 1;
        distinct++;
      }
    }
  }
  return itemCount === 0 ? NaN : distinct / itemCount;
}
