// A set of explicit ratings with dense internal ids (0..n-1, in order of first appearance, as
// Surprise numbers them) and the maps between raw ids and internal ids.
import { DataError } from '../errors.js';

/** Raw ids are kept as strings (as Surprise does); numbers given to lookups are converted. */
export type RawId = string | number;

export interface RatingScale {
  readonly lo: number;
  readonly hi: number;
}

export class IdMap {
  private readonly index = new Map<string, number>();
  readonly raw: string[] = [];

  get size(): number {
    return this.raw.length;
  }

  /** Internal id of a raw id, adding it when new. */
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

  /** Internal id, or -1 when the raw id is unknown. */
  get(raw: RawId): number {
    return this.index.get(String(raw)) ?? -1;
  }

  has(raw: RawId): boolean {
    return this.index.has(String(raw));
  }

  static from(raw: readonly string[]): IdMap {
    const map = new IdMap();
    for (const id of raw) map.intern(id);
    return map;
  }
}

export class Dataset {
  constructor(
    readonly users: IdMap,
    readonly items: IdMap,
    /** Internal user id per rating. */
    readonly userIndex: Uint32Array,
    /** Internal item id per rating. */
    readonly itemIndex: Uint32Array,
    readonly ratings: Float32Array,
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

  get size(): number {
    return this.ratings.length;
  }
  get userCount(): number {
    return this.users.size;
  }
  get itemCount(): number {
    return this.items.size;
  }

  /** Mean of all ratings (Surprise's global_mean). */
  globalMean(): number {
    let sum = 0;
    for (let t = 0; t < this.ratings.length; t++) sum += this.ratings[t];
    return this.ratings.length === 0 ? 0 : sum / this.ratings.length;
  }

  /**
   * Builds a dataset from raw triples: ids are numbered in order of first appearance.
   * The scale is inferred (min and max rating) unless given.
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
