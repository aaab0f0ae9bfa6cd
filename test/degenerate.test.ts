// Degenerate data (issue 8, item 5): every model kind on data with one user, one item, one or two
// ratings, all ratings equal or at the scale's minimum, k beyond the user and item counts, and
// test sets whose users or items the training set never saw. Each fit either succeeds — and then
// every answer (predict, predictMany, recommend, scoreAll, similarItems, similarUsers) is a finite
// number — or is refused with a library error whose message says why. The outcomes are printed
// as a table (data set x model).
import { afterAll, describe, expect, it } from 'vitest';
import { Dataset, type RawId } from '../src/data/dataset.js';
import { generateRatings } from '../src/data/generate.js';
import { holdoutSplit } from '../src/data/splits.js';
import { evaluate } from '../src/eval/cross-validate.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import { DataError, LatentrecError, OptionError } from '../src/errors.js';
import { ALS } from '../src/index.js';
import { Baseline } from '../src/index.js';
import { BPR } from '../src/index.js';
import type { FactorModel } from '../src/index.js';
import { Hybrid } from '../src/index.js';
import { MF } from '../src/index.js';
import { Popular } from '../src/index.js';
import { BayesianFM, PureSVD } from '../src/index.js';
import { SVD } from '../src/index.js';
import { SVDpp } from '../src/index.js';

/** Every model kind, small and quick; `k` is the factor count the data set asks for. */
const KINDS: ReadonlyArray<readonly [string, (k: number) => FactorModel]> = [
  ['SVD', (k) => new SVD({ factors: k, epochs: 5, seed: 1 })],
  ['SVD init svd', (k) => new SVD({ factors: k, epochs: 5, seed: 1, init: 'svd' })],
  ['SVD threads 2', (k) => new SVD({ factors: k, epochs: 5, seed: 1, threads: 2 })],
  ['MF', (k) => new MF({ factors: k, epochs: 5, seed: 1 })],
  ['SVDpp', (k) => new SVDpp({ factors: k, epochs: 5, seed: 1 })],
  ['Baseline als', () => new Baseline({ method: 'als' })],
  ['Baseline sgd', () => new Baseline({ method: 'sgd', order: 'shuffle', seed: 1 })],
  ['PureSVD', (k) => new PureSVD({ factors: k, seed: 1 })],
  ['BayesianFM', (k) => new BayesianFM({ factors: k, samples: 12, seed: 1 })],
  ['BayesianFM ids', (k) => new BayesianFM({ factors: k, samples: 12, seed: 1, bags: [] })],
  ['BPR', (k) => new BPR({ factors: k, epochs: 5, seed: 1 })],
  ['ALS', (k) => new ALS({ factors: k, epochs: 3, seed: 1 })],
  ['Popular', () => new Popular()],
  ['Hybrid warp', (k) => new Hybrid({ factors: k, epochs: 3, seed: 1, loss: 'warp' })],
  ['Hybrid bpr', (k) => new Hybrid({ factors: k, epochs: 3, seed: 1, loss: 'bpr' })],
  ['Hybrid logistic', (k) => new Hybrid({ factors: k, epochs: 3, seed: 1, loss: 'logistic' })],
];

interface Case {
  train: Dataset;
  /** Pairs to predict besides the training pairs: unknown users and items, test-only users. */
  test?: Dataset;
  k: number;
}

const triples = (rows: Array<readonly [RawId, RawId, number]>, scale?: { lo: number; hi: number }) => Dataset.fromTriples(rows, scale);
const range = (n: number) => Array.from({ length: n }, (_, t) => t);
const small = generateRatings({ users: 30, items: 40, ratings: 300, minPerUser: 5, seed: 3 });
const withRatings = (data: Dataset, value: number) => new Dataset(data.users, data.items, data.userIndex, data.itemIndex, new Float32Array(data.size).fill(value), { lo: 1, hi: 5 });

/**
 * A user with a single rating lands in test alone after a holdout split: the first split seed
 * that puts user "lonely"'s one rating (and so item "rare"'s) in the test set.
 */
function testOnlyUser(): Case {
  const rows: Array<readonly [RawId, RawId, number]> = [];
  for (let t = 0; t < small.size; t++) rows.push([small.users.raw[small.userIndex[t]], small.items.raw[small.itemIndex[t]], small.ratings[t]]);
  rows.push(['lonely', 'rare', 5]);
  const data = triples(rows, { lo: 1, hi: 5 });
  for (let seed = 0; seed < 100; seed++) {
    const fold = holdoutSplit(data, { testRatio: 0.2, seed });
    if (!fold.train.users.has('lonely') && fold.test.users.has('lonely')) return { train: fold.train, test: fold.test, k: 4 };
  }
  throw new Error('no split seed below 100 puts user "lonely" in test only');
}

const CASES: Record<string, () => Case> = {
  'one user, many items': () => ({ train: triples(range(20).map((i) => ['u', `i${i}`, 1 + (i % 5)])), k: 4 }),
  'many users, one item': () => ({ train: triples(range(20).map((u) => [`u${u}`, 'i', 1 + (u % 5)])), k: 4 }),
  'all ratings equal (4)': () => ({ train: withRatings(small, 4), k: 4 }),
  'all ratings equal, scale inferred (5..5)': () => ({ train: triples(range(30).map((t) => [`u${t % 6}`, `i${(t * 7) % 11}`, 5])), k: 4 }),
  'repeated (user, item) rows (u rates i twice; one item left for u)': () => ({
    train: triples([['u', 'i', 4], ['u', 'i', 2], ['u', 'j', 3], ['v', 'k', 5], ['v', 'i', 1]]), k: 4,
  }),
  'exactly one rating': () => ({ train: triples([['u', 'i', 4]]), k: 4 }),
  'two ratings': () => ({ train: triples([['u1', 'i1', 4], ['u2', 'i2', 2]]), k: 4 }),
  'test users and items unknown to training': () => ({
    train: small, k: 4,
    test: triples([['stranger', small.items.raw[0], 3], [small.users.raw[0], 'new item', 3], ['stranger', 'new item', 3]], { lo: 1, hi: 5 }),
  }),
  'a user with only test ratings (holdout split)': testOnlyUser,
  'all ratings at the scale minimum (1 on 1..5)': () => ({ train: withRatings(small, 1), k: 4 }),
  'k larger than users and items (k=16, 5x6)': () => ({
    train: triples(range(5).flatMap((u) => range(6).filter((i) => (u + i) % 3 !== 0).map((i) => [`u${u}`, `i${i}`, 1 + ((u * i) % 5)] as const))),
    k: 16,
  }),
};

/** Every answer the model gives on `c`, as numbers; a library error thrown for an unknown id counts as an answer. */
function answers(model: FactorModel, c: Case): number[] {
  const out: number[] = [];
  const users = [...model.userIds], items = [...model.itemIds];
  const asked = (f: () => void) => {
    try {
      f();
    } catch (error) {
      // Asking about an id the model does not know may be refused, but only by a library error.
      if (!(error instanceof LatentrecError)) throw error;
    }
  };
  out.push(...model.predictMany(c.train));
  if (c.test) {
    out.push(...model.predictMany(c.test));
    for (let t = 0; t < c.test.size; t++) {
      out.push(model.predict(c.test.users.raw[c.test.userIndex[t]], c.test.items.raw[c.test.itemIndex[t]]).estimate);
      const user = c.test.users.raw[c.test.userIndex[t]];
      asked(() => out.push(...model.recommend(user, { n: 3 }).map((r) => r.score)));
    }
  }
  out.push(model.predict('nobody', 'nothing').estimate, model.predict(users[0], 'nothing').estimate, model.predict('nobody', items[0]).estimate);
  for (const u of users.slice(0, 5)) {
    out.push(model.predict(u, items[0]).estimate);
    out.push(...model.recommend(u, { n: 5 }).map((r) => r.score));
    out.push(...model.recommend(u, { n: 5, excludeSeen: false }).map((r) => r.score));
    out.push(...model.scoreAll(u));
    // Models without factor vectors (Baseline, Popular) refuse similarity with a reason.
    asked(() => out.push(...model.similarUsers(u, { n: 3 }).map((s) => s.score)));
  }
  for (const i of items.slice(0, 5)) asked(() => out.push(...model.similarItems(i, { n: 3 }).map((s) => s.score)));
  // A visitor folded in from one known item (and one the model does not know).
  const visitor = model.foldIn([[items[0], c.train.ratings[0]], ['no such item', 3]], { user: 'visitor' });
  out.push(model.predict(visitor, items[0]).estimate, ...model.scoreAll(visitor), ...model.recommend(visitor, { n: 3 }).map((r) => r.score));
  if (c.test) {
    const { rmse, mae } = evaluate(model, c.test);
    out.push(rmse, mae);
    // Ranking metrics average over the test users the model knows (NaN over none, as documented).
    const ranking = evaluateModelRanking(model, c.train, c.test, { relevance: 1 });
    if (ranking.users > 0) out.push(ranking.precision, ranking.recall, ranking.ndcg, ranking.map, ranking.hitRate, ranking.mrr, ranking.coverage);
  }
  return out;
}

const table = new Map<string, Map<string, string>>();

describe('degenerate data: every model fits with finite answers or refuses with a reason', () => {
  afterAll(() => {
    const rows = [...table];
    const header = ['data set', ...KINDS.map(([name]) => name)];
    const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
    for (const [data, outcomes] of rows) lines.push(`| ${data} | ${KINDS.map(([name]) => outcomes.get(name) ?? '').join(' | ')} |`);
    console.log(`Degenerate data: outcome of each fit\n${lines.join('\n')}`);
  });

  it('an empty test set: evaluate refuses with a reason (not a NaN RMSE, not a RangeError)', () => {
    const model = new SVD({ factors: 4, epochs: 2 });
    model.fit(small);
    const empty = small.subset([]);
    expect(() => evaluate(model, empty)).toThrow(new DataError('evaluate: the test set has no ratings; RMSE and MAE need at least one'));
    expect(model.predictMany(empty)).toEqual(new Float32Array(0));
  });

  it.each(Object.keys(CASES))('%s', (name) => {
    const c = CASES[name]();
    const outcomes = new Map<string, string>();
    table.set(name, outcomes);
    const problems: string[] = [];
    for (const [kind, make] of KINDS) {
      const model = make(c.k);
      try {
        model.fit(c.train);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const refusal = error instanceof DataError || error instanceof OptionError || (error as object)?.constructor === LatentrecError;
        if (!refusal) problems.push(`${kind}: fit crashed with ${String(error)}`);
        else if (message.length < 20) problems.push(`${kind}: a refusal that does not say why: ${message}`);
        outcomes.set(kind, refusal ? `refuses: ${message}` : `CRASH: ${String(error)}`);
        continue;
      }
      try {
        const bad = answers(model, c).filter((v) => typeof v !== 'number' || !Number.isFinite(v));
        if (bad.length > 0) problems.push(`${kind}: ${bad.length} answers not finite (${bad.slice(0, 3).join(', ')})`);
        outcomes.set(kind, bad.length > 0 ? 'NOT FINITE' : 'fits');
      } catch (error) {
        problems.push(`${kind}: an answer crashed with ${String(error)}`);
        outcomes.set(kind, `CRASH answering: ${String(error)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
