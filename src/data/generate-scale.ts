// A deterministic synthetic ratings set at scale (default 20M ratings, 200k users, 50k items),
// built straight into typed arrays: no object, array or string per rating anywhere. Items are
// drawn by a power law (item rank = floor(items * x^itemSkew), x uniform: with skew 3 the top 1%
// of items carry about 21% of the ratings), users by a log-normal activity (as generate.ts), each
// user's items distinct; ratings 1..5 come from a planted low-rank truth plus biases and noise, so
// a factor model beats the global mean. Browser-safe; Node's writeRatingsFile (load-node.ts) writes
// the set as an ml100k-style file from the chunks of encodeRatingsTsv.
//
// Memory: the three output arrays (12 bytes per rating) plus O(users + items) working arrays;
// rows are shuffled and ids renumbered in place.
import { DataError, OptionError } from '../errors.js';
import { Random } from '../util/random.js';
import { Dataset, IdMap } from './dataset.js';
import { ratingCounts } from './generate.js';

/**
 * Options of {@link generateScaleRatings}; unset ones default to {@link SCALE_DEFAULTS}. `ratings`
 * must lie between max(items, users * minPerUser) and users * items, and `minPerUser` may not
 * exceed `items`. Spread {@link NETFLIX_SCALE} in for the Netflix Prize's shape.
 */
export interface ScaleOptions {
  /**
   * Number of ratings, an integer from 1 to 2^32 - 1.
   *
   * @defaultValue 20000000
   */
  ratings?: number;
  /**
   * Number of users, an integer >= 1.
   *
   * @defaultValue 200000
   */
  users?: number;
  /**
   * Number of items, an integer >= 1.
   *
   * @defaultValue 50000
   */
  items?: number;
  /**
   * Exponent of the item popularity law (1 = uniform; larger = more skewed), a finite number >= 1.
   *
   * @defaultValue 3
   */
  itemSkew?: number;
  /**
   * Rank of the planted structure, an integer >= 1.
   *
   * @defaultValue 8
   */
  rank?: number;
  /**
   * Standard deviation of the noise added before rounding, >= 0.
   *
   * @defaultValue 0.5
   */
  noise?: number;
  /**
   * Every user gets at least this many ratings; default min(20, floor(ratings / users)), at least 1.
   * An integer >= 1.
   */
  minPerUser?: number;
  /**
   * Seed of the generator: the same options give the same dataset.
   *
   * @defaultValue 42
   */
  seed?: number;
}

/** The defaults of {@link generateScaleRatings} (minPerUser's depends on the counts, see {@link ScaleOptions}). */
export const SCALE_DEFAULTS = {
  /** Ratings: 20 million. */
  ratings: 20_000_000,
  /** Users. */
  users: 200_000,
  /** Items. */
  items: 50_000,
  /** Exponent of the item popularity law: the top 1% of items carry about 21% of the ratings. */
  itemSkew: 3,
  /** Rank of the planted structure. */
  rank: 8,
  /** Standard deviation of the noise added before rounding. */
  noise: 0.5,
  /** Seed of the generator. */
  seed: 42,
} as const;

/**
 * The Netflix Prize's shape (100,480,507 ratings by 480,189 users of 17,770 movies) for
 * generateScaleRatings: with item skew 1.8 a few items get hundreds of thousands of ratings (the
 * most rated movie had 232,944; here the top ones saturate near half the users), the median item
 * a few thousand; users need only one rating, so a long tail of users has a handful.
 */
export const NETFLIX_SCALE = {
  /** The Netflix Prize training set's ratings. */
  ratings: 100_480_507,
  /** Its users. */
  users: 480_189,
  /** Its movies. */
  items: 17_770,
  /** A milder popularity skew than the default 3. */
  itemSkew: 1.8,
  /** Users need only one rating. */
  minPerUser: 1,
} as const;

/** 2^-32: a 32-bit word to [0, 1). */
const U32_TO_UNIT = 2.3283064365386963e-10;

/**
 * Generates the scale set. Every user and every item has at least one rating; no (user, item)
 * pair repeats; rows are in random order and ids are numbered by first appearance (as a parsed
 * file numbers them), with raw ids the integers 1..users and 1..items (items in a random order,
 * not by popularity), so `writeRatingsFile` then `loadRatingsFile` gives back the same arrays.
 * Built straight into typed arrays (12 bytes a rating plus working memory per user and item),
 * ratings 1..5 from a planted low-rank truth plus biases and noise.
 *
 * @param options - Size, skew, structure and seed; defaults in {@link SCALE_DEFAULTS}.
 * @returns The ratings, integers 1..5 on the scale 1..5.
 * @throws {@link OptionError} When a count is not an integer >= 1, ratings exceed 2^32 - 1,
 *   noise is negative, itemSkew is not a finite number >= 1, or the number of ratings is out of
 *   reach (see {@link ScaleOptions}).
 *
 * @example
 * ```ts
 * import { generateScaleRatings, NETFLIX_SCALE } from 'latentrec';
 *
 * const data = generateScaleRatings({ ratings: 50_000, users: 1_000, items: 2_000, seed: 1 });
 * // data.size === 50_000, data.userCount === 1_000, data.itemCount === 2_000, scale 1..5
 * const netflix = generateScaleRatings({ ...NETFLIX_SCALE, seed: 1 }); // 100M ratings, 1.2 GB
 * ```
 */
export function generateScaleRatings(options: ScaleOptions = {}): Dataset {
  const o = { ...SCALE_DEFAULTS, ...options };
  for (const key of ['users', 'items', 'ratings', 'rank'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new OptionError(key, 'an integer >= 1', o[key]);
  }
  if (o.ratings > 0xffffffff) throw new OptionError('ratings', 'at most 2^32 - 1', o.ratings);
  if (!(o.noise >= 0)) throw new OptionError('noise', 'a number >= 0', o.noise);
  if (!(o.itemSkew >= 1) || !Number.isFinite(o.itemSkew)) throw new OptionError('itemSkew', 'a finite number >= 1', o.itemSkew);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw new OptionError('seed', 'an integer in [0, 2^32 - 1]', o.seed);
  const minPerUser = options.minPerUser ?? Math.max(1, Math.min(20, Math.floor(o.ratings / o.users)));
  if (!Number.isInteger(minPerUser) || minPerUser < 1) throw new OptionError('minPerUser', 'an integer >= 1', minPerUser);
  const { users: U, items: I, ratings: N, rank: K } = o;
  if (minPerUser > I || N < U * minPerUser || N < I || N > U * I) {
    throw new OptionError(
      'ratings',
      `between max(items, users*minPerUser) (${Math.max(I, U * minPerUser)}) and users*items (${U * I})`,
      N,
    );
  }
  const random = new Random(o.seed);
  const perUser = ratingCounts(U, I, N, minPerUser, random);

  // Items by popularity rank r (0 = most popular); P(r) = ((r+1)/I)^(1/s) - (r/I)^(1/s).
  const inv = 1 / o.itemSkew;
  const userIndex = new Uint32Array(N);
  const itemIndex = new Uint32Array(N);
  const ratings = new Float32Array(N);
  const taken = new Int32Array(I).fill(-1);
  const itemCount = new Uint32Array(I);
  let t = 0;
  for (let u = 0; u < U; u++) {
    const count = perUser[u];
    if (count * 4 <= I) {
      // Rejection: the user's items so far hold a small share of the popularity mass.
      for (let c = 0; c < count; c++) {
        let r: number;
        do r = Math.floor(I * Math.pow(random.nextU32() * U32_TO_UNIT, o.itemSkew));
        while (taken[r] === u);
        taken[r] = u;
        userIndex[t] = u;
        itemIndex[t++] = r;
        itemCount[r]++;
      }
    } else {
      // A dense user (rare): weighted sampling without replacement (Efraimidis & Spirakis 2006),
      // the `count` largest keys log(x) / weight.
      const keys = new Float64Array(I);
      for (let r = 0; r < I; r++) {
        const w = Math.pow((r + 1) / I, inv) - Math.pow(r / I, inv);
        keys[r] = Math.log((random.nextU32() + 1) * U32_TO_UNIT) / w;
      }
      const order = Uint32Array.from({ length: I }, (_, r) => r).sort((a, b) => keys[b] - keys[a] || a - b);
      for (let c = 0; c < count; c++) {
        userIndex[t] = u;
        itemIndex[t++] = order[c];
        itemCount[order[c]]++;
      }
    }
  }
  // Every item rated at least once: an unrated item takes the place of a rating of an item rated
  // twice or more (no user has the unrated item, so no pair repeats).
  for (let r = 0; r < I; r++) {
    if (itemCount[r] > 0) continue;
    for (;;) {
      const row = random.nextInt(N);
      const old = itemIndex[row];
      if (itemCount[old] < 2) continue;
      itemCount[old]--;
      itemIndex[row] = r;
      itemCount[r] = 1;
      break;
    }
  }

  // The truth: global mean + user bias + item bias (popular items lean better) + p_u . q_i.
  const factorStd = Math.sqrt(0.6) / Math.pow(K, 0.25); // p_u . q_i has variance 0.6
  const P = new Float64Array(U * K);
  const Q = new Float64Array(I * K);
  for (let k = 0; k < P.length; k++) P[k] = random.nextNormal(0, factorStd);
  for (let k = 0; k < Q.length; k++) Q[k] = random.nextNormal(0, factorStd);
  const bu = new Float64Array(U);
  const bi = new Float64Array(I);
  for (let u = 0; u < U; u++) bu[u] = random.nextNormal(0, 0.35);
  for (let r = 0; r < I; r++) bi[r] = random.nextNormal(0, 0.4) + 0.3 * (0.5 - Math.pow((r + 0.5) / I, inv));
  for (let row = 0; row < N; row++) {
    const u = userIndex[row];
    const r = itemIndex[row];
    let dot = 0;
    for (let k = 0, pu = u * K, qi = r * K; k < K; k++) dot += P[pu + k] * Q[qi + k];
    const value = 3.53 + bu[u] + bi[r] + dot + random.nextNormal(0, o.noise);
    ratings[row] = Math.min(5, Math.max(1, Math.round(value)));
  }

  // Rows in random order (in place, Fisher–Yates on the three arrays), as in u.data.
  for (let row = N - 1; row > 0; row--) {
    const j = random.nextInt(row + 1);
    let a = userIndex[row];
    userIndex[row] = userIndex[j];
    userIndex[j] = a;
    a = itemIndex[row];
    itemIndex[row] = itemIndex[j];
    itemIndex[j] = a;
    const x = ratings[row];
    ratings[row] = ratings[j];
    ratings[j] = x;
  }

  // Raw ids: users 1..U; items 1..I in a random order of popularity ranks. Internal ids are then
  // renumbered in place by first appearance.
  const itemRaw = random.permutation(I);
  const users = renumber(userIndex, U, (u) => String(u + 1));
  const items = renumber(itemIndex, I, (r) => String(itemRaw[r] + 1));
  return new Dataset(users, items, userIndex, itemIndex, ratings, { lo: 1, hi: 5 });
}

/** Renumbers ids in place by first appearance; the IdMap holds rawOf(old id) in the new order. */
function renumber(index: Uint32Array, count: number, rawOf: (id: number) => string): IdMap {
  const remap = new Int32Array(count).fill(-1);
  const raw: string[] = [];
  for (let t = 0; t < index.length; t++) {
    const old = index[t];
    let id = remap[old];
    if (id < 0) {
      id = remap[old] = raw.length;
      raw.push(rawOf(old));
    }
    index[t] = id;
  }
  return IdMap.from(raw);
}

/** Options of {@link encodeRatingsTsv} and `writeRatingsFile` (latentrec/node). */
export interface EncodeOptions {
  /**
   * Only 'tsv': ml100k-style `user\titem\trating\ttimestamp` lines.
   *
   * @defaultValue 'tsv'
   */
  format?: 'tsv';
  /**
   * Write the fourth (timestamp) column; default true. Timestamps are 881250949 + row.
   *
   * @defaultValue true
   */
  timestamps?: boolean;
  /**
   * Bytes per chunk (about); default 1 MiB. An integer >= 1.
   *
   * @defaultValue 1048576
   */
  chunkBytes?: number;
}

/** First timestamp written (MovieLens 100k's first line's), then one second per row. */
const FIRST_TIMESTAMP = 881250949;
const TAB = 9;
const LF = 10;

/**
 * The dataset as ml100k-style UTF-8 text, in chunks of about `chunkBytes` (each a fresh array),
 * written byte by byte: ids are encoded once per id, never a string per rating. Ratings that
 * are integers 0..9 are one digit; others are written as `String(rating)` (which reads back as
 * the same 32-bit float). Raw ids holding a tab or a line break, empty, or with surrounding
 * whitespace would not read back the same and are refused.
 *
 * @param dataset - The ratings to write.
 * @param options - Format, timestamp column and chunk size.
 * @returns A generator of UTF-8 chunks, in file order; the checks run when the first chunk is asked for.
 * @throws {@link OptionError} When format is not 'tsv' or chunkBytes is not an integer >= 1.
 * @throws {@link DataError} When a raw id is empty, has surrounding whitespace, or holds a tab or line break.
 */
export function* encodeRatingsTsv(dataset: Dataset, options: EncodeOptions = {}): Generator<Uint8Array> {
  const { format = 'tsv', timestamps = true, chunkBytes = 1 << 20 } = options;
  if (format !== 'tsv') throw new OptionError('format', "'tsv'", format);
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new OptionError('chunkBytes', 'an integer >= 1', chunkBytes);
  const users = encodeIds(dataset.users.raw, 'user');
  const items = encodeIds(dataset.items.raw, 'item');
  const ratingText = new Map<number, Uint8Array>();
  const encoder = new TextEncoder();
  const { userIndex, itemIndex, ratings } = dataset;
  const n = dataset.size;
  const digits = new Uint8Array(20);
  let buf = new Uint8Array(chunkBytes + 256);
  let pos = 0;
  for (let t = 0; t < n; t++) {
    const u = userIndex[t];
    const i = itemIndex[t];
    const r = ratings[t];
    let rText: Uint8Array | undefined;
    if (!(Number.isInteger(r) && r >= 0 && r <= 9)) {
      rText = ratingText.get(r);
      if (rText === undefined) {
        rText = encoder.encode(String(r));
        if (ratingText.size < 4096) ratingText.set(r, rText);
      }
    }
    const uLen = users.start[u + 1] - users.start[u];
    const iLen = items.start[i + 1] - items.start[i];
    const need = uLen + iLen + (rText ? rText.length : 1) + 16;
    if (pos + need > buf.length) {
      if (pos > 0) yield buf.subarray(0, pos);
      buf = new Uint8Array(Math.max(chunkBytes, need) + 256);
      pos = 0;
    }
    // Byte loops rather than set(subarray(...)): no view object per rating.
    for (let at = users.start[u], end = users.start[u + 1]; at < end; at++) buf[pos++] = users.bytes[at];
    buf[pos++] = TAB;
    for (let at = items.start[i], end = items.start[i + 1]; at < end; at++) buf[pos++] = items.bytes[at];
    buf[pos++] = TAB;
    if (rText) {
      buf.set(rText, pos);
      pos += rText.length;
    } else {
      buf[pos++] = 48 + r;
    }
    if (timestamps) {
      buf[pos++] = TAB;
      let v = FIRST_TIMESTAMP + t;
      let d = 0;
      do {
        digits[d++] = 48 + (v % 10);
        v = Math.floor(v / 10);
      } while (v > 0);
      while (d > 0) buf[pos++] = digits[--d];
    }
    buf[pos++] = LF;
    if (pos >= chunkBytes) {
      yield buf.subarray(0, pos);
      buf = new Uint8Array(chunkBytes + 256);
      pos = 0;
    }
  }
  if (pos > 0) yield buf.subarray(0, pos);
}

/** Raw ids as one UTF-8 buffer: id k is bytes[start[k] .. start[k + 1]). */
function encodeIds(raw: readonly string[], kind: 'user' | 'item'): { bytes: Uint8Array; start: Uint32Array } {
  for (let k = 0; k < raw.length; k++) {
    const id = raw[k];
    if (id === '' || id.trim() !== id || /[\t\r\n]/.test(id)) {
      throw new DataError(
        `cannot write ${kind} id ${JSON.stringify(id)} to a tab-separated file: ids must be non-empty, ` +
          `without tabs, line breaks or surrounding whitespace`,
      );
    }
  }
  // Joined by '\n' (no id holds one), encoded once, then compacted without the separators.
  const joined = new TextEncoder().encode(raw.join('\n'));
  const bytes = new Uint8Array(joined.length - Math.max(0, raw.length - 1));
  const start = new Uint32Array(raw.length + 1);
  let w = 0;
  let next = 1;
  for (let at = 0; at < joined.length; at++) {
    if (joined[at] === LF) start[next++] = w;
    else bytes[w++] = joined[at];
  }
  start[raw.length] = w;
  return { bytes, start };
}
