import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset, type RawId } from '../../src/data/dataset.js';
import { DataError, OptionError } from '../../src/errors.js';
import { evaluateRanking, type RankingScorer } from '../../src/eval/ranking-protocol.js';
import { hasMl100k, ml100kDir, ml100kNote } from '../helpers.js';

const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
const SCALE = { lo: 1, hi: 5 };
/** NDCG@2 of a list whose only hit is at rank 2, with 2 or more relevant items. */
const X = 1 / Math.log2(3) / (1 + 1 / Math.log2(3));

type Triple = [RawId, RawId, number];

/** A fake scorer: fixed scores per user (by item letter), recording whom it scored. */
function fakeScorer(
  table: Record<string, Partial<Record<(typeof ITEMS)[number], number>>>,
  extra: Partial<RankingScorer> = {},
): RankingScorer & { calls: string[] } {
  const calls: string[] = [];
  return {
    itemIds: ITEMS,
    calls,
    scoreAll(user: string): Float32Array {
      calls.push(user);
      const row = table[user];
      if (!row) throw new Error(`scoreAll called for ${user}`);
      return Float32Array.from(ITEMS, (item) => row[item] ?? 0);
    },
    ...extra,
  };
}

describe("evaluateRanking, protocol 'full'", () => {
  // train (raw ids; the scorer numbers items a..f as 0..5, train numbers them in its own order):
  const train = Dataset.fromTriples(
    [
      ['u3', 'a', 2],
      ['u1', 'b', 3],
      ['u1', 'a', 5],
      ['u2', 'c', 4],
      ['u7', 'b', 4],
      ['u5', 'f', 3],
    ] as Triple[],
    SCALE,
  );
  const test = Dataset.fromTriples(
    [
      ['u1', 'c', 5], // relevant
      ['u1', 'd', 2], // not relevant: a non-relevant candidate
      ['u2', 'c', 5], // u2 rated c in train: ignored (trainItemRatings)
      ['u1', 'z', 5], // unknown item: ignored (unknownItemRatings)
      ['u1', 'e', 4], // relevant (4 >= 4)
      ['u2', 'd', 3], // u2's only usable rating, not relevant → u2 skipped (noRelevantUsers)
      ['u3', 'f', 4], // relevant
      ['u3', 'a', 5], // u3 rated a in train: ignored
      ['u4', 'a', 5], // u4 unknown: skipped (unknownUsers)
      ['u7', 'z', 4], // u7's only rating is of an unknown item → skipped (emptyUsers)
    ] as Triple[],
    SCALE,
  );
  const scores = {
    // a and b score highest but are u1's training items, so they are not candidates.
    // candidates c .1, d .7, e .6, f .6 → ranking d, e, f, c (e/f tie: lower index first)
    u1: { a: 0.9, b: 0.8, c: 0.1, d: 0.7, e: 0.6, f: 0.6 },
    // a excluded; ranking f .5, e .4, d .3, c .2, b .1
    u3: { a: 0.9, b: 0.1, c: 0.2, d: 0.3, e: 0.4, f: 0.5 },
  };

  it('excludes training items, skips users without relevant items, averages by hand', () => {
    const scorer = fakeScorer(scores);
    const r = evaluateRanking(scorer, train, test, { k: 2 });
    // u1 (relevant {c, e}), k = 2: top 2 = d, e → one hit at rank 2.
    //   P = 1/2, R = 1/2, NDCG = X, AP = (1/2) / min(2, 2) = 1/4, hit 1, RR = 1/2,
    //   AUC: relevant c .1, e .6 vs d .7, f .6: only e~f ties → ½ / 4 = 1/8.
    // u3 (relevant {f}): top 2 = f, e → P = 1/2, R = 1, NDCG = 1, AP = 1/min(2, 1) = 1, hit 1,
    //   RR = 1, AUC = 1 (f beats the 4 other candidates).
    expect(r.protocol).toBe('full');
    expect(r.k).toBe(2);
    expect(r.relevance).toBe(4);
    expect(r.users).toBe(2);
    expect(r.rankedUsers).toBe(2);
    expect(r.aucUsers).toBe(2);
    expect(r.testUsers).toBe(5);
    expect(r.precision).toBeCloseTo(1 / 2, 12);
    expect(r.recall).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(r.ndcg).toBeCloseTo((X + 1) / 2, 12);
    expect(r.map).toBeCloseTo((1 / 4 + 1) / 2, 12);
    expect(r.hitRate).toBe(1);
    expect(r.mrr).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(r.auc).toBeCloseTo((1 / 8 + 1) / 2, 12);
    // top-2 lists {d, e} and {f, e}: 3 of 6 items
    expect(r.coverage).toBeCloseTo(3 / 6, 12);
    expect(r.fallbackRatings).toBe(0);
    expect(r.skipped).toEqual({
      unknownUsers: 1, // u4
      unknownItemRatings: 2, // u1 z, u7 z
      trainItemRatings: 2, // u2 c, u3 a
      emptyUsers: 1, // u7
      noRelevantUsers: 1, // u2
    });
    // only the evaluated users were scored
    expect(scorer.calls).toEqual(['u1', 'u3']);
  });

  it('k larger than the candidates: precision still divides by k', () => {
    const r = evaluateRanking(fakeScorer(scores), train, test, { k: 10 });
    // u1: 4 candidates, 2 hits → P = 2/10, R = 1; u3: 5 candidates, 1 hit → P = 1/10, R = 1
    expect(r.precision).toBeCloseTo((2 / 10 + 1 / 10) / 2, 12);
    expect(r.recall).toBe(1);
    // u1's AP@10: hits at ranks 2 (e) and 4 (c): (1/2 + 2/4) / 2 = 1/2; u3: 1
    expect(r.map).toBeCloseTo((1 / 2 + 1) / 2, 12);
    // every candidate is in some list: u1 has c, d, e, f and u3 adds b; a is never a candidate
    expect(r.coverage).toBeCloseTo(5 / 6, 12);
  });

  it('a lower relevance threshold brings u2 in; hasUser overrides the train users', () => {
    const withU2 = { ...scores, u2: { a: 0.1, b: 0.2, c: 0.9, d: 0.3, e: 0.4, f: 0.5 } };
    // relevance 3: u1 relevant {c, e} (d = 2 still not): first hit at rank 2;
    // u2 relevant {d}: candidates a, b, d, e, f (c is a training item) rank f .5, e .4, d .3,
    // b .2, a .1 → first hit at rank 3; u3 relevant {f}: rank 1.
    const r = evaluateRanking(fakeScorer(withU2), train, test, { k: 2, relevance: 3 });
    expect(r.users).toBe(3);
    expect(r.skipped.noRelevantUsers).toBe(0);
    expect(r.mrr).toBeCloseTo((1 / 2 + 1 / 3 + 1) / 3, 12);
    // hasUser says u3 is unknown: it is skipped before scoring
    const scorer = fakeScorer(scores, { hasUser: (u) => u === 'u1' || u === 'u2' || u === 'u7' });
    const r2 = evaluateRanking(scorer, train, test, { k: 2 });
    expect(r2.users).toBe(1);
    expect(r2.skipped.unknownUsers).toBe(2); // u3, u4
    expect(scorer.calls).toEqual(['u1']);
  });

  it('refuses bad options, wrong score lengths and NaN scores', () => {
    expect(() => evaluateRanking(fakeScorer(scores), train, test, { k: 0 })).toThrow(OptionError);
    expect(() => evaluateRanking(fakeScorer(scores), train, test, { relevance: NaN })).toThrow(OptionError);
    expect(() =>
      evaluateRanking(fakeScorer(scores), train, test, { protocol: 'all' as unknown as 'full' }),
    ).toThrow(OptionError);
    const short: RankingScorer = { itemIds: ITEMS, scoreAll: () => new Float32Array(3) };
    expect(() => evaluateRanking(short, train, test)).toThrow(/returned 3 scores for 6 items/);
    const nan = fakeScorer({ ...scores, u1: { ...scores.u1, d: NaN } });
    expect(() => evaluateRanking(nan, train, test)).toThrow(DataError);
  });

  it('an empty test set gives NaN averages over 0 users', () => {
    const empty = Dataset.fromTriples([], SCALE);
    const r = evaluateRanking(fakeScorer(scores), train, empty);
    expect(r.users).toBe(0);
    expect(r.precision).toBeNaN();
    expect(r.coverage).toBe(0);
  });
});

describe("evaluateRanking, protocol 'full', against a reference that sorts every candidate", () => {
  it('equals sorting every candidate and counting every pair, on random data with many ties, signed zeros and −Infinity', () => {
    let x = 7;
    const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
    // 301 items: the row kernels' last group of four is short.
    const items = Array.from({ length: 301 }, (_, i) => `i${i}`), users = Array.from({ length: 60 }, (_, u) => `u${u}`);
    const trainRows: Triple[] = [], testRows: Triple[] = [];
    for (const u of users) {
      for (const i of items) {
        const r = rand();
        if (r < 0.05) trainRows.push([u, i, 1 + Math.floor(rand() * 5)]);
        else if (r < 0.12) testRows.push([u, i, 1 + Math.floor(rand() * 5)]);
      }
    }
    const train = Dataset.fromTriples(trainRows, SCALE), test = Dataset.fromTriples(testRows, SCALE);
    // Scores on a coarse grid: many ties, −0 beside +0, and −Infinity (ranked last).
    const grid = (v: number) => (v === -4 ? -Infinity : v === 0 && rand() < 0.5 ? -0 : v / 4);
    const table = new Map(users.map((u) => [u, Float32Array.from(items, () => grid(Math.floor(rand() * 9) - 4))]));
    const scorer: RankingScorer = { itemIds: items, scoreAll: (u) => table.get(u)! };
    for (const k of [1, 5, 40, 400]) {
      const got = evaluateRanking(scorer, train, test, { k });
      // The reference: every candidate sorted by score (ties: lower index first), metrics on the
      // whole list, AUC by counting every (relevant, other) pair.
      const sums = { precision: 0, recall: 0, ndcg: 0, map: 0, hitRate: 0, mrr: 0, auc: 0 };
      const covered = new Set<number>();
      let n = 0;
      for (const u of users) {
        const seen = new Set(trainRows.filter((r) => r[0] === u).map((r) => items.indexOf(String(r[1]))));
        const relevant = new Set(testRows.filter((r) => r[0] === u && r[2] >= 4).map((r) => items.indexOf(String(r[1]))).filter((i) => !seen.has(i)));
        if (relevant.size === 0) continue;
        n++;
        const s = table.get(u)!;
        const ranked = items.map((_, i) => i).filter((i) => !seen.has(i)).sort((a, b) => s[b] - s[a] || a - b);
        const hits = ranked.slice(0, k).map((i) => relevant.has(i));
        const count = hits.filter(Boolean).length;
        sums.precision += count / k;
        sums.recall += count / relevant.size;
        let dcg = 0, idcg = 0, ap = 0, h = 0;
        hits.forEach((hit, p) => { if (hit) { dcg += 1 / Math.log2(p + 2); ap += ++h / (p + 1); } });
        for (let p = 0; p < Math.min(k, relevant.size); p++) idcg += 1 / Math.log2(p + 2);
        sums.ndcg += dcg / idcg;
        sums.map += ap / Math.min(k, relevant.size);
        sums.hitRate += count > 0 ? 1 : 0;
        sums.mrr += 1 / (ranked.findIndex((i) => relevant.has(i)) + 1);
        let pairs = 0, above = 0;
        for (const p of ranked) if (relevant.has(p)) for (const q of ranked) if (!relevant.has(q)) { pairs++; above += s[p] > s[q] ? 1 : s[p] === s[q] ? 0.5 : 0; }
        sums.auc += above / pairs;
        ranked.slice(0, k).forEach((i) => covered.add(i));
      }
      expect(got.users).toBe(n);
      for (const key of Object.keys(sums) as (keyof typeof sums)[]) expect(got[key], `${key} at k=${k}`).toBeCloseTo(sums[key] / n, 12);
      expect(got.coverage).toBe(covered.size / items.length);
      // Scored in tiles (scoreMany, as a model's userScorer does): the same report.
      const tiled: RankingScorer = {
        ...scorer,
        scoreMany: (us) => {
          const rows = new Float32Array(us.length * items.length);
          us.forEach((u, t) => rows.set(table.get(u)!, t * items.length));
          return rows;
        },
      };
      expect(evaluateRanking(tiled, train, test, { k })).toEqual(got);
    }
  });
});

describe("evaluateRanking, protocol 'faq' (Surprise's FAQ precision_recall_at_k)", () => {
  const trainTriples: Triple[] = [
    ['u1', 'a', 4],
    ['u2', 'b', 3],
    ['u3', 'c', 5],
    ['u5', 'a', 3],
  ];
  const train = Dataset.fromTriples(trainTriples, SCALE);
  const test = Dataset.fromTriples(
    [
      ['u1', 'a', 3], // also a training item of u1: the FAQ protocol keeps it
      ['u1', 'b', 4],
      ['u1', 'c', 2],
      ['u1', 'd', 5],
      ['u1', 'z', 5], // unknown item
      ['u2', 'b', 2],
      ['u2', 'c', 3], // u2: no relevant rating
      ['u3', 'e', 4],
      ['u3', 'f', 5], // u3: all relevant
      ['u4', 'a', 5], // unknown user
      ['u5', 'z', 4], // u5: only an unknown item
    ] as Triple[],
    SCALE,
  );
  // Unclipped estimates. u1: a 5.2 and d 5.6 both clip to 5 and then keep the test order (a first).
  const scores = {
    u1: { a: 5.2, b: 3.9, c: 4.5, d: 5.6, e: 1, f: 1 },
    u2: { b: 4.5, c: 1.0 },
    u3: { e: 3.0, f: 3.5 },
  };

  it('ignores unknown users and items without a fallback, and averages by hand', () => {
    const scorer = fakeScorer(scores);
    const r = evaluateRanking(scorer, train, test, { k: 2, protocol: 'faq' });
    // u1: est a 5, b 3.9, c 4.5, d 5 → sorted a, d, c, b. n_rel = 2 (b, d); top 2 = a, d, both
    //     est >= 4 → n_rec = 2, n_both = 1 (d) → P = 1/2, R = 1/2.
    //     NDCG@2: hit at rank 2 of 2 relevant → X; AP = (1/2)/2 = 1/4; RR = 1/2;
    //     AUC: relevant d 5, b 3.9 vs a 5, c 4.5 → d: ½ + 1, b: 0 → 1.5/4 = 3/8.
    // u2: est b 4.5, c 1 → top 2: b recommended, not relevant → n_rec 1, n_both 0 → P 0;
    //     n_rel 0 → R 0. Counted in P/R, skipped for the rest.
    // u3: est f 3.5, e 3 → nothing >= 4 recommended → P 0 (n_rec = 0), R = 0/2 = 0.
    //     NDCG = 1, AP = (1 + 1)/2 = 1, RR = 1; AUC undefined (no non-relevant rating).
    expect(r.protocol).toBe('faq');
    expect(r.users).toBe(3);
    expect(r.rankedUsers).toBe(2);
    expect(r.aucUsers).toBe(1);
    expect(r.testUsers).toBe(5);
    expect(r.precision).toBeCloseTo((1 / 2 + 0 + 0) / 3, 12);
    expect(r.recall).toBeCloseTo((1 / 2 + 0 + 0) / 3, 12);
    expect(r.ndcg).toBeCloseTo((X + 1) / 2, 12);
    expect(r.map).toBeCloseTo((1 / 4 + 1) / 2, 12);
    expect(r.hitRate).toBe(1);
    expect(r.mrr).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(r.auc).toBeCloseTo(3 / 8, 12);
    // recommended: u1 {a, d}, u2 {b} → 3 of 6
    expect(r.coverage).toBeCloseTo(3 / 6, 12);
    expect(r.skipped).toEqual({
      unknownUsers: 1, // u4
      unknownItemRatings: 2, // u1 z, u5 z
      trainItemRatings: 0, // u1 a is kept
      emptyUsers: 1, // u5
      noRelevantUsers: 1, // u2
    });
    expect(r.fallbackRatings).toBe(0);
    expect(scorer.calls).toEqual(['u1', 'u2', 'u3']);
  });

  it('clips estimates to the training scale before sorting and thresholding', () => {
    // k = 1. Clipped to [1, 5], a and d tie at 5 and a (earlier in test, not relevant) comes
    // first: u1 P = 0. u2: b recommended, not relevant → 0. u3: nothing recommended → 0.
    const r = evaluateRanking(fakeScorer(scores), train, test, { k: 1, protocol: 'faq' });
    expect(r.precision).toBe(0);
    // With a training scale of [1, 6] nothing is clipped: d 5.6 comes first → u1 P = 1.
    const wide = Dataset.fromTriples(trainTriples, { lo: 1, hi: 6 });
    const r2 = evaluateRanking(fakeScorer(scores), wide, test, { k: 1, protocol: 'faq' });
    expect(r2.precision).toBeCloseTo(1 / 3, 12);
    // a low clip raises an estimate over the threshold: u3's e and f clipped up to lo = 4
    const high = Dataset.fromTriples([['u3', 'c', 5]] as Triple[], { lo: 4, hi: 5 });
    const r3 = evaluateRanking(fakeScorer(scores), high, test, { k: 2, protocol: 'faq' });
    // known users: u3 only (train users); u3: e, f both est 4 → both recommended, both relevant
    expect(r3.users).toBe(1);
    expect(r3.precision).toBe(1);
    expect(r3.recall).toBe(1);
  });

  it('with a fallback, keeps every test rating as Surprise does', () => {
    // fallback estimates: (u1, z) 4.2; (u4, a) 6 → clipped to 5; (u5, z) 2
    const fb: Record<string, number> = { 'u1|z': 4.2, 'u4|a': 6, 'u5|z': 2 };
    const scorer = fakeScorer(scores, { fallback: (u, i) => fb[`${u}|${i}`] });
    const r = evaluateRanking(scorer, train, test, { k: 2, protocol: 'faq' });
    // u1: est a 5, b 3.9, c 4.5, d 5, z 4.2 → a, d, c, z, b; n_rel = 3 (b, d, z); top 2 as before
    //     → P = 1/2, R = 1/3; NDCG = X (2 of 3 ideal places), AP = 1/4, RR = 1/2;
    //     AUC: relevant d 5, z 4.2, b 3.9 vs a 5, c 4.5: d ½ + 1, z 0, b 0 → 1.5 / 6 = 1/4.
    // u2: P 0, R 0 (as before). u3: P 0, R 0; NDCG 1, AP 1, RR 1.
    // u4: a est 5, relevant → P 1, R 1, NDCG 1, AP 1, RR 1 (AUC undefined).
    // u5: z est 2, relevant, not recommended → P 0, R 0/1 = 0; NDCG 1, AP 1, RR 1.
    expect(r.users).toBe(5);
    expect(r.rankedUsers).toBe(4);
    expect(r.aucUsers).toBe(1);
    expect(r.precision).toBeCloseTo((1 / 2 + 0 + 0 + 1 + 0) / 5, 12);
    expect(r.recall).toBeCloseTo((1 / 3 + 0 + 0 + 1 + 0) / 5, 12);
    expect(r.ndcg).toBeCloseTo((X + 3) / 4, 12);
    expect(r.map).toBeCloseTo((1 / 4 + 3) / 4, 12);
    expect(r.mrr).toBeCloseTo((1 / 2 + 3) / 4, 12);
    expect(r.auc).toBeCloseTo(1 / 4, 12);
    expect(r.coverage).toBeCloseTo(3 / 6, 12); // a, b, d (u4's a adds nothing new)
    expect(r.fallbackRatings).toBe(3);
    expect(r.skipped).toEqual({
      unknownUsers: 0,
      unknownItemRatings: 0,
      trainItemRatings: 0,
      emptyUsers: 0,
      noRelevantUsers: 1,
    });
    // the unknown user u4 is never passed to scoreAll
    expect(scorer.calls).toEqual(['u1', 'u2', 'u3']);
  });

  it('treats duplicate test rows separately, as Surprise does', () => {
    const dup = Dataset.fromTriples(
      [
        ['u1', 'b', 5],
        ['u1', 'b', 2],
      ] as Triple[],
      SCALE,
    );
    // both rows est 3.9 (not recommended); n_rel = 1 (the first row) → P 0, R 0
    // ranking: row 1 then row 2 (tie, test order) → NDCG 1, AUC: tie → ½
    const r = evaluateRanking(fakeScorer(scores), train, dup, { k: 10, protocol: 'faq' });
    expect(r.precision).toBe(0);
    expect(r.ndcg).toBe(1);
    expect(r.auc).toBe(0.5);
  });
});

describe.skipIf(!hasMl100k)(`ML-100k u1 user counts with a fake popularity scorer${ml100kNote}`, () => {
  const read = (name: string): Dataset =>
    Dataset.fromTriples(
      readFileSync(resolve(ml100kDir, name), 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const [u, i, r] = line.split('\t');
          return [u, i, Number(r)] as Triple;
        }),
      { lo: 1, hi: 5 },
    );
  // The suite body runs at collection even when skipped: read only when the files exist.
  const train = hasMl100k ? read('u1.base') : Dataset.fromTriples([]);
  const test = hasMl100k ? read('u1.test') : Dataset.fromTriples([]);
  const counts = new Float32Array(train.itemCount);
  for (let t = 0; t < train.size; t++) counts[train.itemIndex[t]]++;
  // score = 1 + popularity / 100, the same for every user
  const pop = counts.map((c) => 1 + c / 100);
  const scorer: RankingScorer = { itemIds: train.items.raw, scoreAll: () => pop };

  it('matches the reference table: 459 FAQ users, 456 with a relevant item', () => {
    const faq = evaluateRanking(scorer, train, test, { protocol: 'faq' });
    expect(faq.testUsers).toBe(459);
    expect(faq.users).toBe(459);
    expect(faq.rankedUsers).toBe(456);
    // 32 test rows are of items absent from u1.base
    expect(faq.skipped.unknownItemRatings).toBe(32);
    const withFallback = evaluateRanking({ ...scorer, fallback: () => 3.5 }, train, test, { protocol: 'faq' });
    expect(withFallback.fallbackRatings).toBe(32);
    expect(withFallback.users).toBe(459);
    expect(withFallback.rankedUsers).toBe(456);
    const full = evaluateRanking(scorer, train, test);
    expect(full.users).toBe(456);
    expect(full.skipped.trainItemRatings).toBe(0);
    expect(full.precision).toBeGreaterThan(0);
    // the honest protocol is far harder than the FAQ one
    expect(full.precision).toBeLessThan(faq.precision);
  });
});
