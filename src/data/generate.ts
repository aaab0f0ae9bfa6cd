// A deterministic synthetic ratings set shaped like MovieLens 100k (943 users, 1682 items,
// 100,000 ratings on 1..5, every user with at least 20 ratings, popular items rated far more
// often), with a planted low-rank structure plus user and item biases and noise, so models
// have something real to learn and the demo runs without downloading anything.
import { OptionError } from '../errors.js';
import { Random } from '../util/random.js';
import { Dataset, IdMap } from './dataset.js';

/**
 * Options of {@link generateRatings}; every one defaults to {@link GENERATE_DEFAULTS} (MovieLens
 * 100k's shape). `ratings` must lie between `users * minPerUser` and `users * items`, and
 * `minPerUser` may not exceed `items`.
 */
export interface GenerateOptions {
  /**
   * Number of users, an integer >= 1.
   *
   * @defaultValue 943
   */
  users?: number;
  /**
   * Number of items, an integer >= 1.
   *
   * @defaultValue 1682
   */
  items?: number;
  /**
   * Number of ratings, an integer >= 1 (no (user, item) pair repeats).
   *
   * @defaultValue 100000
   */
  ratings?: number;
  /**
   * Rank of the planted structure, an integer >= 1.
   *
   * @defaultValue 8
   */
  rank?: number;
  /**
   * Standard deviation of the noise added before rounding, >= 0.
   *
   * @defaultValue 0.8
   */
  noise?: number;
  /**
   * Every user gets at least this many ratings, an integer >= 1.
   *
   * @defaultValue 20
   */
  minPerUser?: number;
  /**
   * Seed of the generator: the same options give the same dataset.
   *
   * @defaultValue 42
   */
  seed?: number;
}

/** The defaults of {@link generateRatings}: MovieLens 100k's shape. */
export const GENERATE_DEFAULTS = {
  /** Users, as in MovieLens 100k. */
  users: 943,
  /** Items, as in MovieLens 100k. */
  items: 1682,
  /** Ratings, as in MovieLens 100k. */
  ratings: 100_000,
  /** Rank of the planted structure. */
  rank: 8,
  /** Standard deviation of the noise added before rounding. */
  noise: 0.8,
  /** Least ratings per user, as in MovieLens 100k. */
  minPerUser: 20,
  /** Seed of the generator. */
  seed: 42,
} as const;

/**
 * A deterministic synthetic ratings set shaped like MovieLens 100k (943 users, 1682 items,
 * 100,000 ratings on 1..5, every user with at least 20 ratings, popular items rated far more
 * often), with a planted low-rank structure plus user and item biases and noise, so models have
 * something real to learn without downloading anything. Raw ids are '1'..'users' and '1'..'items';
 * rows are in random order and ids numbered by first appearance, as a parsed file would be.
 *
 * @param options - Size, structure and seed; defaults in {@link GENERATE_DEFAULTS}.
 * @returns The ratings, integers 1..5 on the scale 1..5.
 * @throws {@link OptionError} When a count is not an integer >= 1, noise is negative, or the
 *   number of ratings is out of reach (see {@link GenerateOptions}).
 *
 * @example
 * ```ts
 * import { SVD, evaluate, generateRatings, holdoutSplit } from 'latentrec';
 *
 * const { train, test } = holdoutSplit(generateRatings(), { testRatio: 0.2 });
 * const model = new SVD();
 * model.fit(train);
 * evaluate(model, test).rmse;
 * ```
 */
export function generateRatings(options: GenerateOptions = {}): Dataset {
  const o = { ...GENERATE_DEFAULTS, ...options };
  for (const key of ['users', 'items', 'ratings', 'rank', 'minPerUser'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new OptionError(key, 'an integer >= 1', o[key]);
  }
  if (!(o.noise >= 0)) throw new OptionError('noise', 'a number >= 0', o.noise);
  // Random takes seed >>> 0: 1.5 would silently be 1 and 2^32 be 0.
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw new OptionError('seed', 'an integer in [0, 2^32 - 1]', o.seed);
  if (o.minPerUser > o.items || o.ratings < o.users * o.minPerUser || o.ratings > o.users * o.items) {
    throw new OptionError('ratings', `between users*minPerUser (${o.users * o.minPerUser}) and users*items (${o.users * o.items})`, o.ratings);
  }
  const random = new Random(o.seed);
  const perUser = ratingCounts(o.users, o.items, o.ratings, o.minPerUser, random);

  const scale = 1 / Math.sqrt(o.rank);
  const P = Float64Array.from({ length: o.users * o.rank }, () => random.nextNormal(0, scale));
  const Q = Float64Array.from({ length: o.items * o.rank }, () => random.nextNormal(0, scale));
  const bu = Float64Array.from({ length: o.users }, () => random.nextNormal(0, 0.35));
  const bi = Float64Array.from({ length: o.items }, () => random.nextNormal(0, 0.45));
  // Popularity: a Zipf-like weight per item; popular items also lean better rated, as in MovieLens.
  const weight = Float64Array.from({ length: o.items }, (_, i) => 1 / Math.pow(i + 8, 0.95));
  for (let i = 0; i < o.items; i++) bi[i] += 0.25 * Math.log(weight[i] / weight[o.items - 1]) / Math.log(o.items);
  const cumulative = new Float64Array(o.items);
  for (let i = 0, sum = 0; i < o.items; i++) cumulative[i] = sum += weight[i];

  const users = IdMap.from(Array.from({ length: o.users }, (_, u) => String(u + 1)));
  const items = IdMap.from(Array.from({ length: o.items }, (_, i) => String(i + 1)));
  const userIndex = new Uint32Array(o.ratings);
  const itemIndex = new Uint32Array(o.ratings);
  const ratings = new Float32Array(o.ratings);
  const taken = new Int32Array(o.items).fill(-1);
  let t = 0;
  for (let u = 0; u < o.users; u++) {
    for (let c = 0; c < perUser[u]; c++) {
      let i: number;
      do i = pick(cumulative, random);
      while (taken[i] === u);
      taken[i] = u;
      let dot = 0;
      for (let f = 0; f < o.rank; f++) dot += P[u * o.rank + f] * Q[i * o.rank + f];
      const value = 3.53 + bu[u] + bi[i] + dot + random.nextNormal(0, o.noise);
      userIndex[t] = u;
      itemIndex[t] = i;
      ratings[t++] = Math.min(5, Math.max(1, Math.round(value)));
    }
  }
  // Rows in random order, as in u.data; subset() then numbers ids by first appearance, as a parsed file would.
  const order = random.permutation(o.ratings);
  return new Dataset(users, items, permute(userIndex, order), permute(itemIndex, order), permute(ratings, order), { lo: 1, hi: 5 }).subset(identity(o.ratings));
}

/** Ratings per user: minPerUser each, the rest spread by a heavy-tailed activity. */
export function ratingCounts(users: number, items: number, total: number, minimum: number, random: Random): Int32Array {
  const activity = Float64Array.from({ length: users }, () => Math.exp(random.nextNormal(0, 1.1)));
  const sum = activity.reduce((a, b) => a + b, 0);
  const counts = new Int32Array(users);
  let left = total;
  for (let u = 0; u < users; u++) {
    counts[u] = Math.min(items, minimum + Math.floor(((total - users * minimum) * activity[u]) / sum));
    left -= counts[u];
  }
  for (let u = 0; left > 0; u = (u + 1) % users) {
    if (counts[u] < items) {
      counts[u]++;
      left--;
    }
  }
  return counts;
}

function pick(cumulative: Float64Array, random: Random): number {
  const x = random.nextFloat() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function permute<T extends Uint32Array | Float32Array>(a: T, order: Uint32Array): T {
  const out = a.slice() as T;
  for (let t = 0; t < order.length; t++) out[t] = a[order[t]];
  return out;
}

function identity(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, t) => t);
}
