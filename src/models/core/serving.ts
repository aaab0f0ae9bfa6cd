// Serving a fitted model: top-N for a user, similar items and users, and fold-in of a new user.
import type { RatingScale, RawId } from '../../data/dataset.js';
import { DataError, describeValue, OptionError } from '../../errors.js';
import type { Engine, F32, FactorBlock, U32 } from '../../engine/index.js';
import { PARAMETER_LIMIT as MODEL_PARAMETER_LIMIT } from './state.js';
import { solveSpd, zeros } from '../../linalg/index.js';
import { topK } from '../../util/top-k.js';
import { idList, iterable, optionsObject, rawId } from './arguments.js';
import { checkOptionKeys } from './options.js';
import { copyEngineParts, engineLike, seenOf, type Fitted } from './fitted.js';
import { expectedRating, latentOf } from './link.js';
import { bagPart } from './user-bag.js';
import { historyRows, scoreHistory, similarByPartialCorrelation, type ItemItem } from './item-item.js';
import type { Recommendation } from './types.js';

/**
 * How the ids of a returned list are typed: 'string' (default: as every id is kept) or 'number',
 * for callers whose ids are integers (MovieLens, Netflix, Spark): each id must then be the
 * decimal form of a safe integer ("42", not "042" or "4.2").
 */
export type IdType = 'string' | 'number';

/** The type of an id under `T`: number for 'number', else string. */
export type IdOf<T extends IdType> = T extends 'number' ? number : string;

/** Options of recommend, recommendAll and recommendFromHistory: how many items, and which may be returned. */
export interface RecommendOptions<T extends IdType = 'string'> {
  /**
   * The type of the returned ids: 'number' gives `id: 42` where the model knows item "42" (an
   * id that is no integer is then a DataError).
   * @defaultValue 'string'
   */
  idType?: T;
  /**
   * How many items, an integer >= 0. Exactly n when that many candidates exist; every candidate
   * when fewer do.
   * @defaultValue 10
   */
  n?: number;
  /**
   * Leave out the items the user rated (recommendFromHistory: the history's items).
   * @defaultValue true
   */
  excludeSeen?: boolean;
  /** Raw item ids never to return (an array or a Set; a single id must be in one). */
  exclude?: Iterable<RawId>;
  /** Only rank these raw item ids (an array or a Set; unknown ones are ignored). */
  candidates?: Iterable<RawId>;
}

/**
 * n as asked, at most `available`: an n beyond the catalogue (1e12, Number.MAX_SAFE_INTEGER)
 * means every candidate, and must not size the heap.
 */
function checkN(n: unknown, available: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new OptionError('n', 'an integer >= 0', n);
  return Math.min(n, available);
}

/** RecommendOptions checked once (recommendAll reuses them for every user). */
export type CheckedRecommendOptions = { n: number; excludeSeen: boolean; exclude?: Iterable<RawId>; candidates?: Iterable<RawId>; idType: IdType };

export function checkRecommendOptions(where: string, given: RecommendOptions<IdType> | null | undefined, extraKeys: readonly string[] = []): CheckedRecommendOptions {
  const o = optionsObject<RecommendOptions<IdType>>(`${where} options`, given);
  checkOptionKeys(`${where} options`, o, ['n', 'excludeSeen', 'exclude', 'candidates', 'idType', ...extraKeys]);
  const idType = checkIdType(o.idType);
  const n = checkN(o.n ?? 10, Infinity);
  const excludeSeen = o.excludeSeen ?? true;
  if (typeof excludeSeen !== 'boolean') throw new OptionError('excludeSeen', 'true or false', excludeSeen);
  // Spread once into arrays: an iterator (a generator, a Map's keys) would be used up by the first user of recommendAll.
  const exclude = idList('exclude', o.exclude), candidates = idList('candidates', o.candidates);
  return { n, excludeSeen, exclude: exclude && [...exclude], candidates: candidates && [...candidates], idType };
}

/** similarItems / similarUsers' options, checked. */
export function checkSimilarOptions(where: string, given: SimilarOptions<IdType> | null | undefined): { n: number; idType: IdType } {
  const o = optionsObject<SimilarOptions<IdType>>(`${where} options`, given);
  checkOptionKeys(`${where} options`, o, ['n', 'idType']);
  return { n: checkN(o.n ?? 10, Infinity), idType: checkIdType(o.idType) };
}

/** An idType option: 'string' (the default) or 'number'. */
export function checkIdType(given: unknown): IdType {
  if (given === undefined || given === null) return 'string';
  if (given !== 'string' && given !== 'number') throw new OptionError('idType', "'string' or 'number'", given);
  return given;
}

/**
 * The safe integer whose decimal form `id` is exactly ("42"; not "042", "4e1", "-0", " 42"), so
 * that no two ids meet as one number; undefined for any other id.
 */
export function integerId(id: string): number | undefined {
  const n = Number(id);
  return Number.isSafeInteger(n) && String(n) === id ? n : undefined;
}

/** `id` as `idType` asks: unchanged for 'string'; for 'number', its {@link integerId} (else refused). */
export function typedId<T extends IdType>(where: string, id: string, idType: T): IdOf<T> {
  if (idType === 'string') return id as IdOf<T>;
  const n = integerId(id);
  if (n === undefined) throw new DataError(`${where}: idType 'number' needs ids that are integers; ${JSON.stringify(id)} is not one (use idType 'string')`);
  return n as IdOf<T>;
}

/** A list with its ids as `idType` asks (the same objects' fields, in order). */
export function withIdType<T extends IdType>(where: string, list: Recommendation[], idType: T): Recommendation<IdOf<T>>[] {
  if (idType === 'string') return list as Recommendation<IdOf<T>>[];
  return list.map((r) => {
    const id = typedId(where, r.id, idType);
    return { id, score: r.score, item: id };
  });
}

/** similarItems / similarUsers' list with its ids as `idType` asks. */
export function similarWithIdType<T extends IdType>(where: string, list: Similar[], idType: T): Similar<IdOf<T>>[] {
  if (idType === 'string') return list as Similar<IdOf<T>>[];
  return list.map((r) => ({ id: typedId(where, r.id, idType), score: r.score }));
}

/** One kernel call scores every item; a heap keeps the best n. */
export function recommendFor(m: Fitted, u: number, biased: boolean, options: CheckedRecommendOptions, scores?: F32): Recommendation[] {
  const mark = m.engine.mark();
  try {
    const out = scores ?? m.engine.allocF32(scoreLength(m));
    scoreUser(m, u, biased, out);
    return bestOf(m, out.array(), seenOf(m, u), options);
  } finally {
    m.engine.release(mark);
  }
}

/** The best n of every item's scores `s`, leaving out `seen` (when options.excludeSeen) and as the options say. */
export function bestOf(m: Fitted, s: Float32Array, seen: Iterable<number>, options: CheckedRecommendOptions): Recommendation[] {
  const itemCount = m.items.size;
  const n = checkN(options.n, itemCount);
  const blocked = new Uint8Array(itemCount);
  if (options.excludeSeen) for (const i of seen) blocked[i] = 1;
  if (options.exclude) for (const raw of options.exclude) markItem(m, raw, blocked, 1);
  if (options.candidates) {
    const allowed = new Uint8Array(itemCount);
    for (const raw of options.candidates) markItem(m, raw, allowed, 1);
    for (let i = 0; i < itemCount; i++) if (!allowed[i]) blocked[i] = 1;
  }
  const best = topK(s, n, (i) => blocked[i] === 0);
  // The link is increasing: the best scores are the best estimates, which are reported.
  const link = m.link;
  return Array.from(best, (i) => {
    const id = m.items.raw[i];
    return { id, score: link ? Math.fround(expectedRating(link, s[i])) : s[i], item: id };
  });
}

/** Floats a buffer of every item's scores needs (an item–item model writes whole padded rows). */
export function scoreLength(m: Fitted): number {
  return m.itemItem ? m.itemItem.stride : m.items.size;
}

/** Every item's unclipped score for known user u, into `out` (scoreLength(m) floats): from the factors, or the user's items (EASE). */
export function scoreUser(m: Fitted, u: number, biased: boolean, out: F32): void {
  if (m.itemItem) scoreHistory(m.engine, m.itemItem, historyRows(seenOf(m, u)), out);
  else m.engine.scoreItems(u, m.factors, m.items.size, biased ? m.mu + m.factors.bu.array()[u] : 0, out);
}

/**
 * scoreUser for users us[0 ..) of a factor model at once, through the engine's scoreUsers: row t
 * of `out` (itemCount floats) for us[t]. `ids` and `bases` are scratch of us.length in `engine`,
 * where `factors` live (the model's own, or a copy).
 */
export function scoreUsersInto(
  engine: Engine, factors: FactorBlock, mu: number, biased: boolean, us: readonly number[], ids: U32, bases: F32, itemCount: number, out: F32,
): void {
  // Views taken now: an allocation that grew wasm memory detached older ones.
  const idArray = ids.array(), baseArray = bases.array(), bu = factors.bu.array();
  us.forEach((u, t) => {
    idArray[t] = u;
    baseArray[t] = biased ? mu + bu[u] : 0; // rounded to f32, as scoreItems's base argument
  });
  engine.scoreUsers(ids, us.length, factors, bases, itemCount, out);
}

function markItem(m: Fitted, raw: RawId, into: Uint8Array, value: number): void {
  // Anything that is no id (null, an object) names no item: like an unknown id, it is ignored.
  if (typeof raw !== 'string' && typeof raw !== 'number') return;
  const i = m.items.get(raw);
  if (i >= 0) into[i] = value;
}

/** Options of similarItems and similarUsers. */
export interface SimilarOptions<T extends IdType = 'string'> {
  /**
   * How many, an integer >= 0 (fewer when fewer exist).
   * @defaultValue 10
   */
  n?: number;
  /**
   * The type of the returned ids (see {@link IdType}).
   * @defaultValue 'string'
   */
  idType?: T;
}

/** An entry of similarItems / similarUsers: the same names as every list a model returns (Recommendation's `id` and `score`). */
export interface Similar<Id extends string | number = string> {
  /** The raw id of the similar item (similarItems) or user (similarUsers): a number with `idType: 'number'`. */
  id: Id;
  /** Cosine similarity of the two factor vectors, in [-1, 1] (EASE: the items' partial correlation). */
  score: number;
}

/** The n rows of P (users) or Q (items) most similar to `row` by cosine, excluding itself. */
export function similarRows(m: Fitted, which: 'P' | 'Q', row: number, given: unknown): Similar[] {
  const ids = which === 'P' ? m.users : m.items;
  const count = ids.size;
  const n = checkN(given, count);
  const matrix = m.factors[which];
  const norms = rowNorms(m, which);
  const mark = m.engine.mark();
  try {
    const out = m.engine.allocF32(count);
    m.engine.dotRows(matrix, row, count, m.factors.stride, out);
    const dots = out.array();
    const cos = new Float32Array(count);
    const self = norms[row];
    for (let r = 0; r < count; r++) {
      const d = self * norms[r];
      // A zero vector is similar to nothing; float32 rounding can take a cosine just past ±1.
      cos[r] = d > 0 ? Math.max(-1, Math.min(1, dots[r] / d)) : -Infinity;
    }
    const best = topK(cos, n, (r) => r !== row);
    return Array.from(best, (r) => ({ id: ids.raw[r], score: cos[r] }));
  } finally {
    m.engine.release(mark);
  }
}

/** The n items most similar to `row` by an item–item model's partial correlations (item-item.ts), excluding itself. */
export function similarByWeights(m: Fitted, ii: ItemItem, row: number, given: unknown): Similar[] {
  const n = checkN(given, m.items.size);
  return similarByPartialCorrelation(ii, m.items.size, row, n).map(([j, score]) => ({ id: m.items.raw[j], score }));
}

function rowNorms(m: Fitted, which: 'P' | 'Q'): Float32Array {
  m.norms ??= {};
  const rows = which === 'P' ? m.users.size : m.items.size;
  const cached = m.norms[which];
  if (cached && cached.length === rows) return cached;
  const a = m.factors[which].array(), stride = m.factors.stride;
  const norms = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let f = 0; f < stride; f++) s += a[r * stride + f] * a[r * stride + f];
    norms[r] = Math.sqrt(s);
  }
  m.norms[which] = norms;
  return norms;
}

/** Options of foldIn (and the `regularization` of scoreHistory and recommendFromHistory). */
export interface FoldInOptions {
  /**
   * Raw id for the new user. An existing user is re-folded (replaced by the new solve).
   * @defaultValue "folded-in-N", N the first free number from the model's user count
   */
  user?: RawId;
  /**
   * Ridge penalty per rating, as the SGD objective applies reg to p_u and b_u on each of the
   * user's ratings: λ = regularization × number of ratings. A finite number >= 0. Chosen on
   * MovieLens folds u2 and u3 by the recall@10 of folded-in users. Ignored by ALS and IALS (an
   * exact solve of their training equation), EASE and Popular (no user row to solve); BPR uses it
   * only when the history holds every item (it otherwise runs SGD on its own loss).
   * @defaultValue 0.1
   */
  regularization?: number;
}

/**
 * The largest magnitude of a value folded into a ranking model (BPR, ALS, the hybrid, popularity):
 * their values (1s, counts, weights) have no rating scale to check against. Far above such values
 * in practice; with it, and the check of the solved factors, no fold-in overflows. Rating models
 * take values within their rating scale instead.
 */
export const FOLD_IN_VALUE_LIMIT = 1e6;

/**
 * Where the values of a fold-in must lie: a rating model's rating scale, or ±FOLD_IN_VALUE_LIMIT
 * for a ranking model (`scale` undefined). Outside it the solve gives factors no fit would (a
 * rating of 1e30 overflows them to Infinity): the model could no longer predict or be saved.
 */
function valueProblem(r: number, scale: RatingScale | undefined): string | undefined {
  if (scale) {
    // Compared in float32, as the training ratings that set the scale were stored (0.1 is stored just above 0.1).
    const f = Math.fround(r);
    return f >= Math.fround(scale.lo) && f <= Math.fround(scale.hi) ? undefined : `outside the model's rating scale [${scale.lo}, ${scale.hi}]`;
  }
  return Math.abs(r) <= FOLD_IN_VALUE_LIMIT ? undefined : `beyond ±${FOLD_IN_VALUE_LIMIT.toExponential()}, the most a ranking model's fold-in takes`;
}

/** A fold-in's known (item, value) pairs and the solved user row: its k factors and bias (0 for unbiased models). */
export interface FoldInSolution {
  known: { i: number; r: number }[];
  vector: Float64Array;
  bias: number;
}

/**
 * A kind's own solve of a new user's row from its known pairs (ALS: the exact weighted least
 * squares against every item); undefined: the ridge below.
 */
export type FoldInSolver = (m: Fitted, known: readonly { i: number; r: number }[]) => { vector: Float64Array; bias: number } | undefined;

/**
 * A user the model has never seen, from a handful of (item, rating) pairs: with Q and the item
 * biases fixed, solve min Σ (r − μ − b_u − b_i − q_i·p)² + λ(|p|² + b_u²) for (p, b_u) by a
 * (k+1) x (k+1) ridge solve (b_u only for biased models), unless the kind's `solver` solves it.
 * `scale`: the rating scale the values must lie in (undefined: a ranking model, see
 * FOLD_IN_VALUE_LIMIT). Refused unless the solved factors are finite and within the parameter
 * limit, so a model they join stays saveable. Nothing changes: installFoldIn adds the user.
 */
export function solveFoldIn(
  m: Fitted, ratings: unknown, k: number, biased: boolean, regularization: unknown, user: string, scale: RatingScale | undefined,
  where: string, solver?: FoldInSolver,
): FoldInSolution {
  if (typeof regularization !== 'number' || !(Number.isFinite(regularization) && regularization >= 0)) {
    throw new OptionError('regularization', 'a finite number >= 0', regularization);
  }
  const pairs = iterable<unknown>(() => new DataError(`${where}: ratings must be an array of [item, rating] pairs, got ${describeValue(ratings)}`), ratings);
  const known: { i: number; r: number }[] = [];
  let at = 0;
  for (const pair of pairs) {
    const entry = `${where}: ratings[${at++}]`;
    if (!Array.isArray(pair)) throw new DataError(`${entry} must be an [item, rating] pair, got ${describeValue(pair)}`);
    const raw = rawId(entry, 'the item', pair[0]);
    const r: unknown = pair[1];
    const item = `item ${JSON.stringify(String(raw))}`;
    if (typeof r !== 'number') throw new DataError(`${entry}: the rating of ${item} must be a number, got ${describeValue(r)}`);
    if (!Number.isFinite(r)) throw new DataError(`${where}: the rating of ${item} is ${r}; ratings must be finite`);
    const problem = valueProblem(r, scale);
    if (problem !== undefined) throw new DataError(`${where}: the rating of ${item} is ${r}, ${problem}`);
    const i = m.items.get(raw);
    if (i >= 0) known.push({ i, r });
  }
  if (known.length === 0) throw new DataError(`${where}: none of the rated items is known to the model`);
  const own = solver?.(m, known);
  const { vector, bias } = own ?? ridgeRow(m, known, k, biased, regularization);
  for (let p = 0; p <= k; p++) {
    const x = p < k ? vector[p] : bias;
    // Stored as float32: a value that rounds to Infinity there is as bad as one that is not finite.
    if (Math.abs(Math.fround(x)) < MODEL_PARAMETER_LIMIT) continue;
    throw new DataError(
      `${where}: the ratings give user ${JSON.stringify(user)} ${p < k ? `factor ${p}` : 'a bias'} of ${x.toExponential(3)}, beyond ±${MODEL_PARAMETER_LIMIT.toExponential()}: ` +
        'the model could not predict or be saved with it; raise the regularization (foldIn option regularization) or fold in more ratings',
    );
  }
  return { known, vector, bias };
}

/** The ridge solve of solveFoldIn (with a Bayesian FM's bag part added). */
function ridgeRow(m: Fitted, known: readonly { i: number; r: number }[], k: number, biased: boolean, regularization: number): { vector: Float64Array; bias: number } {
  // A Bayesian FM with the user bag: the new user's bag (the items it rated) gives part of its
  // vector and offset; the solve is for the rest, its id's part, shrunk toward 0 as the id's prior.
  const fixed = m.bag ? bagPart(m.bag, known.map((e) => e.i), k) : { p: new Float64Array(k), b: 0 };
  const dim = biased ? k + 1 : k;
  const a = zeros(dim, dim), b = new Float64Array(dim);
  const Q = m.factors.Q.array(), bi = m.factors.bi.array(), stride = m.factors.stride;
  const z = new Float64Array(dim);
  for (const { i, r } of known) {
    let fromBag = 0;
    for (let f = 0; f < k; f++) {
      z[f] = Q[i * stride + f];
      fromBag += z[f] * fixed.p[f];
    }
    if (biased) z[k] = 1;
    // With a link the regression is on the latent scale (see latentOf).
    const value = (m.link ? latentOf(m.link, r) : r) - fromBag - fixed.b;
    const y = biased ? value - m.mu - bi[i] : value;
    for (let p = 0; p < dim; p++) {
      b[p] += z[p] * y;
      for (let q = 0; q < dim; q++) a.data[p * dim + q] += z[p] * z[q];
    }
  }
  const lambda = Math.max(regularization * known.length, 1e-9); // keep it positive definite
  for (let p = 0; p < dim; p++) a.data[p * dim + p] += lambda;
  const x = solveSpd(a, b);
  const vector = new Float64Array(k);
  for (let f = 0; f < k; f++) vector[f] = x[f] + fixed.p[f];
  return { vector, bias: biased ? x[k] + fixed.b : 0 };
}

/** Adds (or replaces) `user` with a solved row and its items as seen. Returns the new state and the user's index. */
export function installFoldIn(m: Fitted, user: string, sol: FoldInSolution, k: number): { fitted: Fitted; index: number } {
  let fitted = m;
  let index = m.users.get(user);
  if (index < 0) {
    index = m.users.size;
    const capacity = m.factors.bu.length;
    if (index >= capacity) fitted = { ...m, ...copyEngineParts(m.factors, m.itemItem, engineLike(m.engine), Math.max(8, 2 * capacity)) };
    fitted.users.intern(user);
  }
  const P = fitted.factors.P.array(), stride = fitted.factors.stride;
  for (let f = 0; f < stride; f++) P[index * stride + f] = f < k ? sol.vector[f] : 0;
  fitted.factors.bu.array()[index] = sol.bias;
  fitted.extraSeen.set(index, Uint32Array.from(sol.known, (e) => e.i));
  if (fitted.norms) fitted.norms.P = undefined;
  return { fitted, index };
}

/**
 * Every item's unclipped score for a solved row that is not in the model (a visitor), into `out`
 * (scoreLength(m) floats): the same kernels and order as for an installed user, so the scores are
 * the bits scoreUser gives once the row is installed.
 */
export function scoreFoldIn(m: Fitted, sol: FoldInSolution, k: number, biased: boolean, out: F32): void {
  if (m.itemItem) {
    scoreHistory(m.engine, m.itemItem, historyRows(sol.known.map((e) => e.i)), out);
    return;
  }
  const mark = m.engine.mark();
  try {
    const stride = m.factors.stride, row = m.engine.allocF32(stride), bu = m.engine.allocF32(1);
    const r = row.array();
    for (let f = 0; f < k; f++) r[f] = sol.vector[f];
    bu.array()[0] = sol.bias;
    // As scoreUser: the base is μ + b_u in float32 (the stored bias), then the kernel.
    const base = biased ? m.mu + bu.array()[0] : 0;
    m.engine.scoreItems(0, { P: row, Q: m.factors.Q, bu, bi: m.factors.bi, stride }, m.items.size, base, out);
  } finally {
    m.engine.release(mark);
  }
}
