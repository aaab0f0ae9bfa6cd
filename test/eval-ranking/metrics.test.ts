import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../prng.js';
import { DataError, OptionError } from '../../src/index.js';
import {
  auc,
  averagePrecisionAtK,
  catalogueCoverage,
  hitRateAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
} from '../../src/eval/ranking.js';

const L3 = Math.log2(3);
const L5 = Math.log2(5);

describe('top-k metrics on a hand-worked list', () => {
  // ranked [3, 1, 4, 5, 9], relevant {1, 5, 7}: hits at ranks 2 (item 1) and 4 (item 5);
  // item 7 is relevant but not ranked.
  const ranked = [3, 1, 4, 5, 9];
  const relevant = new Set([1, 5, 7]);

  it('precision@k divides by k', () => {
    // top 3 = 3, 1, 4: one hit → 1/3; top 5: two hits → 2/5
    expect(precisionAtK(ranked, relevant, 3)).toBeCloseTo(1 / 3, 12);
    expect(precisionAtK(ranked, relevant, 5)).toBeCloseTo(2 / 5, 12);
    // only 5 ranked but k = 10: still divided by 10 → 2/10
    expect(precisionAtK(ranked, relevant, 10)).toBeCloseTo(2 / 10, 12);
    expect(precisionAtK(Uint32Array.from(ranked), relevant, 3)).toBeCloseTo(1 / 3, 12);
  });

  it('recall@k divides by |R|, unranked relevant items included', () => {
    // 1 hit of 3 relevant → 1/3; 2 of 3 → 2/3 (item 7 is never found)
    expect(recallAtK(ranked, relevant, 3)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(ranked, relevant, 5)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(ranked, relevant, 100)).toBeCloseTo(2 / 3, 12);
  });

  it('NDCG@k: binary gains, log2 discount, ideal = min(k, |R|) ones', () => {
    // k=3: DCG = 1/log2(2+1) (hit at rank 2); IDCG = 3 ideal hits = 1 + 1/log2(3) + 1/log2(4)
    expect(ndcgAtK(ranked, relevant, 3)).toBeCloseTo(1 / L3 / (1 + 1 / L3 + 1 / 2), 12);
    // k=2: DCG = 1/log2(3); IDCG = min(2, 3) = 2 ones = 1 + 1/log2(3)
    expect(ndcgAtK(ranked, relevant, 2)).toBeCloseTo(1 / L3 / (1 + 1 / L3), 12);
    // k=5: DCG = 1/log2(3) + 1/log2(5); IDCG still 3 ones
    expect(ndcgAtK(ranked, relevant, 5)).toBeCloseTo((1 / L3 + 1 / L5) / (1 + 1 / L3 + 1 / 2), 12);
    // a perfect list scores 1, also when |R| > k
    expect(ndcgAtK([1, 5, 7, 2], relevant, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK([5, 1], relevant, 2)).toBeCloseTo(1, 12);
    // k=1 with the first item relevant: 1; irrelevant: 0
    expect(ndcgAtK([7, 3], relevant, 1)).toBe(1);
    expect(ndcgAtK([3, 7], relevant, 1)).toBe(0);
  });

  it('average precision@k: precision at each hit, summed, over min(k, |R|)', () => {
    // k=3: one hit at rank 2, P@2 = 1/2; divided by min(3, 3) = 3 → 1/6
    expect(averagePrecisionAtK(ranked, relevant, 3)).toBeCloseTo(1 / 2 / 3, 12);
    // k=2: same hit, divided by min(2, 3) = 2 → 1/4
    expect(averagePrecisionAtK(ranked, relevant, 2)).toBeCloseTo(1 / 4, 12);
    // k=5: hits at ranks 2 and 4: P@2 = 1/2, P@4 = 2/4 → (1/2 + 1/2) / 3 = 1/3
    expect(averagePrecisionAtK(ranked, relevant, 5)).toBeCloseTo(1 / 3, 12);
    // perfect top 3: (1/1 + 2/2 + 3/3) / 3 = 1
    expect(averagePrecisionAtK([7, 1, 5], relevant, 3)).toBeCloseTo(1, 12);
    // one relevant item at rank 3, k = 10: (1/3) / min(10, 1) = 1/3
    expect(averagePrecisionAtK([0, 2, 8, 4], new Set([8]), 10)).toBeCloseTo(1 / 3, 12);
  });

  it('hit rate and reciprocal rank', () => {
    // first hit at rank 2
    expect(hitRateAtK(ranked, relevant, 1)).toBe(0);
    expect(hitRateAtK(ranked, relevant, 2)).toBe(1);
    expect(reciprocalRank(ranked, relevant)).toBe(1 / 2);
    // the reciprocal rank looks at the whole list: first hit at rank 4 → 1/4
    expect(reciprocalRank([0, 2, 3, 5], relevant)).toBe(1 / 4);
    expect(reciprocalRank([0, 2, 3], relevant)).toBe(0);
  });

  it('no relevant items: recall, NDCG and AP are NaN (the user is skipped); the rest are 0', () => {
    const none = new Set<number>();
    expect(recallAtK(ranked, none, 3)).toBeNaN();
    expect(ndcgAtK(ranked, none, 3)).toBeNaN();
    expect(averagePrecisionAtK(ranked, none, 3)).toBeNaN();
    expect(precisionAtK(ranked, none, 3)).toBe(0);
    expect(hitRateAtK(ranked, none, 3)).toBe(0);
    expect(reciprocalRank(ranked, none)).toBe(0);
  });

  it('an empty ranking scores 0 where defined', () => {
    expect(precisionAtK([], relevant, 3)).toBe(0);
    expect(recallAtK([], relevant, 3)).toBe(0);
    expect(ndcgAtK([], relevant, 3)).toBe(0);
    expect(averagePrecisionAtK([], relevant, 3)).toBe(0);
  });

  it('refuse a k that is not an integer >= 1', () => {
    for (const k of [0, -1, 2.5, NaN]) {
      expect(() => precisionAtK(ranked, relevant, k)).toThrow(OptionError);
      expect(() => ndcgAtK(ranked, relevant, k)).toThrow(/k must be an integer >= 1/);
    }
  });
});

function bruteAuc(scores: ArrayLike<number>, candidates: readonly number[], relevant: ReadonlySet<number>): number {
  let count = 0;
  let pairs = 0;
  for (const p of candidates) {
    if (!relevant.has(p)) continue;
    for (const q of candidates) {
      if (relevant.has(q)) continue;
      pairs++;
      if (scores[p] > scores[q]) count += 1;
      else if (scores[p] === scores[q]) count += 0.5;
    }
  }
  return count / pairs;
}

describe('auc', () => {
  it('matches a hand-worked example, ties counting 1/2, non-candidates ignored', () => {
    // scores by item: 0: .9, 1: .5, 2: .5, 3: .1, 4: .7; candidates 0..3 (item 4 left out);
    // relevant {1, 3}, non-relevant {0, 2}.
    // pairs: 1 vs 0 → 0; 1 vs 2 → tie ½; 3 vs 0 → 0; 3 vs 2 → 0. AUC = ½ / 4 = 1/8.
    const scores = Float32Array.from([0.9, 0.5, 0.5, 0.1, 0.7]);
    expect(auc(scores, [0, 1, 2, 3], new Set([1, 3]))).toBe(1 / 8);
    // with item 4 a candidate: 1 vs 4 → 0, 3 vs 4 → 0: ½ / 6 = 1/12
    expect(auc(scores, [0, 1, 2, 3, 4], new Set([1, 3]))).toBeCloseTo(1 / 12, 12);
    // perfect and reversed separations
    expect(auc([3, 2, 1, 0], [0, 1, 2, 3], new Set([0, 1]))).toBe(1);
    expect(auc([3, 2, 1, 0], [0, 1, 2, 3], new Set([2, 3]))).toBe(0);
    // all equal: every pair is a tie → ½
    expect(auc([1, 1, 1], [0, 1, 2], new Set([0]))).toBe(0.5);
  });

  it('matches a brute-force O(n²) count on random seeded data with many ties', () => {
    const next = rng(12345);
    for (let trial = 0; trial < 300; trial++) {
      const itemCount = 2 + Math.floor(next() * 80);
      // few distinct values (steps of 0.5 in [-2, 2]) so ties are frequent; -0 and 0 both occur
      const scores = Array.from({ length: itemCount }, () => Math.round(next() * 8 - 4) / 2);
      if (trial % 3 === 0) scores[0] = -0;
      const candidates = Array.from({ length: itemCount }, (_, i) => i).filter(() => next() < 0.8);
      const relevant = new Set(candidates.filter(() => next() < 0.3));
      const positives = relevant.size;
      const negatives = candidates.length - positives;
      const got = auc(trial % 2 ? Float32Array.from(scores) : scores, candidates, relevant);
      if (positives === 0 || negatives === 0) expect(got).toBeNaN();
      else expect(got).toBeCloseTo(bruteAuc(scores, candidates, relevant), 12);
    }
  });

  it('is NaN without relevant or without non-relevant candidates, and refuses NaN scores', () => {
    expect(auc([1, 2], [0, 1], new Set())).toBeNaN();
    expect(auc([1, 2], [0, 1], new Set([0, 1]))).toBeNaN();
    expect(() => auc([1, NaN], [0, 1], new Set([0]))).toThrow(DataError);
    // a candidate outside the scores has no score
    expect(() => auc([1, 2], [0, 5], new Set([0]))).toThrow(/candidate 5 has no score/);
  });
});

describe('catalogueCoverage', () => {
  it('counts the distinct items of all lists over the catalogue size', () => {
    // lists {0, 1}, {1, 2}, {} over 5 items: {0, 1, 2} → 3/5
    expect(catalogueCoverage([[0, 1], [1, 2], []], 5)).toBe(3 / 5);
    expect(catalogueCoverage([Uint32Array.from([4, 4, 4])], 5)).toBe(1 / 5);
    expect(catalogueCoverage([[0, 1, 2, 3]], 4)).toBe(1);
    expect(catalogueCoverage([], 4)).toBe(0);
    expect(catalogueCoverage([], 0)).toBeNaN();
  });
  it('refuses ids outside the catalogue', () => {
    expect(() => catalogueCoverage([[0, 5]], 5)).toThrow(/item 5 is outside \[0, 5\)/);
    expect(() => catalogueCoverage([[-1]], 5)).toThrow(DataError);
  });
});
