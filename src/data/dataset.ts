// A set of explicit ratings with dense internal ids (0..n-1, in order of first appearance, as
// Surprise numbers them) and the maps between raw ids and internal ids.
import { DataError } from '../errors.js';

/** Raw ids are kept as strings (as Surprise does); numbers given to lookups are converted. */
export type RawId = string | number;

/**
 * The range ratings lie in, e.g. 1..5 stars. Models clip their predictions to it; the loaders
 * refuse ratings outside a scale that was given, and infer one (the lowest and highest rating)
 * otherwise.
 */
export interface RatingScale {
  /** The lowest possible rating. */
  readonly lo: number;
  /** The highest possible rating. */
  readonly hi: number;
}

/**
 * A two-way map between raw ids (the strings of the data) and dense internal ids 0..size-1,
 * numbered in order of first appearance. A {@link Dataset} has one for its users and one for
 * its items.
 */
export class IdMap {
  private readonly index = new Map<string, number>();
  /** The raw id of each internal id: `raw[id]`. Treat it as read-only; grow the map with `intern`. */
  readonly raw: string[] = [];

  /** Number of ids in the map. */
  get size(): number {
    return this.raw.length;
  }

  /**
   * Internal id of a raw id, adding it when new.
   *
   * @param raw - The raw id; a number is looked up as its string (`1` and `'1'` are the same id).
   * @returns Its internal id: the existing one, or `size` before the call when the id is new.
   */
  intern(raw: RawId): number {
    const key = String(raw);
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.raw.length;
      this.index.set(key, id);
      this.raw.push(key);
    }
    return id;
  }

  /**
   * Internal id, or -1 when the raw id is unknown.
   *
   * @param raw - The raw id (numbers are converted to strings).
   * @returns The internal id, or -1.
   */
  get(raw: RawId): number {
    return this.index.get(String(raw)) ?? -1;
  }

  /**
   * Whether the map holds a raw id.
   *
   * @param raw - The raw id (numbers are converted to strings).
   * @returns True when the id has an internal id.
   */
  has(raw: RawId): boolean {
    return this.index.has(String(raw));
  }

  /**
   * A map holding the given raw ids, numbered in order (a repeated id keeps its first number).
   *
   * @param raw - Raw ids in the order of their internal ids.
   * @returns A new map.
   */
  static from(raw: readonly string[]): IdMap {
    const map = new IdMap();
    for (const id of raw) map.intern(id);
    return map;
  }
}

/**
 * A set of explicit ratings with dense internal ids (0..n-1, in order of first appearance, as
 * Surprise numbers them) and the maps between raw ids and internal ids. The ratings are held as
 * parallel typed arrays (row t: user `userIndex[t]` rated item `itemIndex[t]` with `ratings[t]`),
 * 12 bytes a rating, never one object per row. Every model fits on a Dataset, and every split
 * returns new ones.
 *
 * Build one with {@link parseRatings}, `loadRatingsFile` (latentrec/node), {@link Dataset.fromTriples}
 * or {@link generateRatings}; the constructor takes ready-made arrays.
 *
 * @example
 * ```ts
 * import { Dataset, holdoutSplit } from 'latentrec';
 *
 * const data = Dataset.fromTriples([
 *   ['alice', 'matrix', 5],
 *   ['alice', 'up', 3],
 *   ['bob', 'matrix', 4],
 * ]);
 * data.size;        // 3 ratings
 * data.userCount;   // 2
 * data.scale;       // { lo: 3, hi: 5 }, inferred; pass a scale as second argument to fix it
 * data.users.get('bob'); // 1
 * ```
 */
export class Dataset {
  /**
   * Wraps arrays as they are (no copy). The three row arrays must be equally long and every id
   * must be below its map's size (not checked).
   *
   * @param users - Raw user ids by internal id.
   * @param items - Raw item ids by internal id.
   * @param userIndex - Internal user id per rating.
   * @param itemIndex - Internal item id per rating.
   * @param ratings - The rating of each row; finite numbers.
   * @param scale - The rating scale (use {@link inferScale} for the data's own range).
   * @param times - Optional time of each rating (finite numbers, one per rating).
   * @throws {@link DataError} When the arrays differ in length, a rating or a time is not finite,
   *   or `times` has not one value per rating.
   */
  constructor(
    /** Raw user ids: internal user id u is `users.raw[u]`. */
    readonly users: IdMap,
    /** Raw item ids: internal item id i is `items.raw[i]`. */
    readonly items: IdMap,
    /** Internal user id per rating. */
    readonly userIndex: Uint32Array,
    /** Internal item id per rating. */
    readonly itemIndex: Uint32Array,
    /** The rating of each row (finite). */
    readonly ratings: Float32Array,
    /** The range ratings lie in; models clip predictions to it. */
    readonly scale: RatingScale,
    /**
     * When each rating was made, in the file's units (MovieLens: seconds since 1970), when the data
     * was loaded with timestamps (ParseOptions.timestamps); the Bayesian FM's day group reads it.
     */
    readonly times?: Float64Array,
  ) {
    if (userIndex.length !== itemIndex.length || userIndex.length !== ratings.length) {
      throw new DataError('Dataset: userIndex, itemIndex and ratings must have the same length');
    }
    if (times !== undefined) {
      if (times.length !== ratings.length) throw new DataError('Dataset: times must have one value per rating');
      const t = times.findIndex((x) => !Number.isFinite(x));
      if (t >= 0) throw new DataError(`Dataset: the time of the rating at row ${t} is ${times[t]}; times must be finite numbers`);
    }
    for (let t = 0; t < ratings.length; t++) {
      if (!Number.isFinite(ratings[t])) {
        throw new DataError(
          `Dataset: the rating at row ${t} (user ${JSON.stringify(users.raw[userIndex[t]])}, ` +
            `item ${JSON.stringify(items.raw[itemIndex[t]])}) is ${ratings[t]}; ratings must be finite numbers`,
        );
      }
    }
  }

  /** Number of ratings (rows). */
  get size(): number {
    return this.ratings.length;
  }
  /** Number of distinct users (internal ids 0..userCount-1). */
  get userCount(): number {
    return this.users.size;
  }
  /** Number of distinct items (internal ids 0..itemCount-1). */
  get itemCount(): number {
    return this.items.size;
  }

  /**
   * Mean of all ratings (Surprise's global_mean).
   *
   * @returns The mean, or 0 for a dataset without ratings.
   */
  globalMean(): number {
    let sum = 0;
    for (let t = 0; t < this.ratings.length; t++) sum += this.ratings[t];
    return this.ratings.length === 0 ? 0 : sum / this.ratings.length;
  }

  /**
   * Builds a dataset from raw triples: ids are numbered in order of first appearance.
   * The scale is inferred (min and max rating) unless given.
   *
   * @param triples - `[user, item, rating]` rows, or `[user, item, rating, time]` rows (all or none with a time).
   * @param scale - The rating scale; default the lowest and highest rating given.
   * @returns A new dataset (with `times` when the rows have a time).
   * @throws {@link DataError} When some rows have a time and others not, or a rating or time is not finite.
   */
  static fromTriples(
    triples: Iterable<readonly [RawId, RawId, number] | readonly [RawId, RawId, number, number]>,
    scale?: RatingScale,
  ): Dataset {
    const users = new IdMap();
    const items = new IdMap();
    const u: number[] = [];
    const i: number[] = [];
    const r: number[] = [];
    const times: number[] = [];
    let withTimes: boolean | undefined;
    for (const triple of triples) {
      const [user, item, rating] = triple;
      u.push(users.intern(user));
      i.push(items.intern(item));
      r.push(rating);
      // A fourth element is the rating's time: every row has one, or none does.
      const timed = triple.length > 3;
      withTimes ??= timed;
      if (timed !== withTimes) {
        throw new DataError(`Dataset.fromTriples: row ${r.length - 1} ${timed ? 'has' : 'lacks'} a time (a fourth element), and row 0 ${timed ? 'lacks' : 'has'} one`);
      }
      if (timed) times.push(triple[3] as number);
    }
    const ratings = Float32Array.from(r);
    return new Dataset(users, items, Uint32Array.from(u), Uint32Array.from(i), ratings, scale ?? inferScale(ratings), withTimes ? Float64Array.from(times) : undefined);
  }

  /**
   * The ratings at the given row positions, as a new dataset whose ids are renumbered in order
   * of first appearance within those rows (so a training subset knows only its own users/items).
   * The scale and, when present, the times are kept.
   *
   * @param rows - Row positions (0..size-1), in the order wanted; a row may be repeated.
   * @returns A new dataset with copies of those rows.
   */
  subset(rows: ArrayLike<number>): Dataset {
    const users = new IdMap();
    const items = new IdMap();
    const n = rows.length;
    const u = new Uint32Array(n);
    const i = new Uint32Array(n);
    const r = new Float32Array(n);
    const times = this.times ? new Float64Array(n) : undefined;
    const userRemap = new Int32Array(this.userCount).fill(-1);
    const itemRemap = new Int32Array(this.itemCount).fill(-1);
    for (let t = 0; t < n; t++) {
      const row = rows[t];
      const ou = this.userIndex[row];
      const oi = this.itemIndex[row];
      if (userRemap[ou] < 0) userRemap[ou] = users.intern(this.users.raw[ou]);
      if (itemRemap[oi] < 0) itemRemap[oi] = items.intern(this.items.raw[oi]);
      u[t] = userRemap[ou];
      i[t] = itemRemap[oi];
      r[t] = this.ratings[row];
      if (times) times[t] = this.times![row];
    }
    return new Dataset(users, items, u, i, r, this.scale, times);
  }
}

/**
 * The range of the given ratings, as the loaders infer a scale that was not given.
 *
 * @param ratings - The ratings.
 * @returns `{ lo: min, hi: max }`, or `{ lo: 0, hi: 0 }` when there is no rating.
 */
export function inferScale(ratings: Float32Array): RatingScale {
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < ratings.length; t++) {
    if (ratings[t] < lo) lo = ratings[t];
    if (ratings[t] > hi) hi = ratings[t];
  }
  if (ratings.length === 0) return { lo: 0, hi: 0 };
  return { lo, hi };
}
