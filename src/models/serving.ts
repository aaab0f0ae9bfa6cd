// Serving a fitted model: top-N for a user, similar items and users, and fold-in of a new user.
import type { RawId } from '../data/dataset.js';
import { DataError, OptionError } from '../errors.js';
import { createEngine, type F32 } from '../engine/index.js';
import { solveSpd, zeros } from '../linalg/index.js';
import { topK } from '../util/top-k.js';
import { copyFactors, seenOf, type Fitted } from './fitted.js';
import type { Recommendation } from './types.js';

export interface RecommendOptions {
  /** How many items (default 10). Exactly n when that many candidates exist. */
  n?: number;
  /** Leave out the items the user rated (default true). */
  excludeSeen?: boolean;
  /** Raw item ids never to return. */
  exclude?: Iterable<RawId>;
  /** Only rank these raw item ids (unknown ones are ignored). */
  candidates?: Iterable<RawId>;
}

function checkN(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new OptionError('n', 'an integer >= 0', n);
  return n;
}

/** One kernel call scores every item; a heap keeps the best n. */
export function recommendFor(m: Fitted, u: number, biased: boolean, options: RecommendOptions, scores?: F32): Recommendation[] {
  const n = checkN(options.n ?? 10);
  const itemCount = m.items.size;
  const mark = m.engine.mark();
  try {
    const out = scores ?? m.engine.allocF32(itemCount);
    m.engine.scoreItems(u, m.factors, itemCount, biased ? m.mu + m.factors.bu.array()[u] : 0, out);
    const s = out.array();
    const blocked = new Uint8Array(itemCount);
    if (options.excludeSeen ?? true) for (const i of seenOf(m, u)) blocked[i] = 1;
    if (options.exclude) for (const raw of options.exclude) markItem(m, raw, blocked, 1);
    if (options.candidates) {
      const allowed = new Uint8Array(itemCount);
      for (const raw of options.candidates) markItem(m, raw, allowed, 1);
      for (let i = 0; i < itemCount; i++) if (!allowed[i]) blocked[i] = 1;
    }
    const best = topK(s, n, (i) => blocked[i] === 0);
    return Array.from(best, (i) => ({ item: m.items.raw[i], score: s[i] }));
  } finally {
    m.engine.release(mark);
  }
}

function markItem(m: Fitted, raw: RawId, into: Uint8Array, value: number): void {
  const i = m.items.get(raw);
  if (i >= 0) into[i] = value;
}

export interface Similar {
  id: string;
  /** Cosine similarity of the two factor vectors, in [-1, 1]. */
  score: number;
}

/** The n rows of P (users) or Q (items) most similar to `row` by cosine, excluding itself. */
export function similarRows(m: Fitted, which: 'P' | 'Q', row: number, n: number): Similar[] {
  checkN(n);
  const ids = which === 'P' ? m.users : m.items;
  const matrix = m.factors[which];
  const norms = rowNorms(m, which);
  const count = ids.size;
  const mark = m.engine.mark();
  try {
    const out = m.engine.allocF32(count);
    m.engine.dotRows(matrix, row, count, m.factors.stride, out);
    const dots = out.array();
    const cos = new Float32Array(count);
    const self = norms[row];
    for (let r = 0; r < count; r++) {
      const d = self * norms[r];
      cos[r] = d > 0 ? dots[r] / d : -Infinity; // a zero vector is similar to nothing
    }
    const best = topK(cos, n, (r) => r !== row);
    return Array.from(best, (r) => ({ id: ids.raw[r], score: cos[r] }));
  } finally {
    m.engine.release(mark);
  }
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

export interface FoldInOptions {
  /** Raw id for the new user (default: "folded-in-N"). An existing user is re-folded. */
  user?: RawId;
  /**
   * Ridge penalty per rating, as the SGD objective applies reg to p_u and b_u on each of the
   * user's ratings: λ = regularization × number of ratings. Default 0.1 (chosen on MovieLens
   * folds u2 and u3 by the recall@10 of folded-in users).
   */
  regularization?: number;
}

/**
 * A user the model has never seen, from a handful of (item, rating) pairs: with Q and the item
 * biases fixed, solve min Σ (r − μ − b_u − b_i − q_i·p)² + λ(|p|² + b_u²) for (p, b_u) by a
 * (k+1) x (k+1) ridge solve (b_u only for biased models). Returns the new state's user index.
 */
export function foldInUser(
  m: Fitted, ratings: ReadonlyArray<readonly [RawId, number]>, k: number, biased: boolean, regularization: number, user: string,
): { fitted: Fitted; index: number; used: number } {
  if (!(Number.isFinite(regularization) && regularization >= 0)) throw new OptionError('regularization', 'a finite number >= 0', regularization);
  const known: { i: number; r: number }[] = [];
  for (const [raw, r] of ratings) {
    if (!Number.isFinite(r)) throw new DataError(`foldIn: the rating of item ${JSON.stringify(String(raw))} is ${r}; ratings must be finite`);
    const i = m.items.get(raw);
    if (i >= 0) known.push({ i, r });
  }
  if (known.length === 0) throw new DataError('foldIn: none of the rated items is known to the model');
  const dim = biased ? k + 1 : k;
  const a = zeros(dim, dim), b = new Float64Array(dim);
  const Q = m.factors.Q.array(), bi = m.factors.bi.array(), stride = m.factors.stride;
  const z = new Float64Array(dim);
  for (const { i, r } of known) {
    for (let f = 0; f < k; f++) z[f] = Q[i * stride + f];
    if (biased) z[k] = 1;
    const y = biased ? r - m.mu - bi[i] : r;
    for (let p = 0; p < dim; p++) {
      b[p] += z[p] * y;
      for (let q = 0; q < dim; q++) a.data[p * dim + q] += z[p] * z[q];
    }
  }
  const lambda = Math.max(regularization * known.length, 1e-9); // keep it positive definite
  for (let p = 0; p < dim; p++) a.data[p * dim + p] += lambda;
  const x = solveSpd(a, b);

  let fitted = m;
  let index = m.users.get(user);
  if (index < 0) {
    index = m.users.size;
    const capacity = m.factors.bu.length;
    if (index >= capacity) fitted = { ...m, ...copyFactors(m.factors, createEngine(m.engine.name, m.engine.variant === 'js' ? undefined : m.engine.variant), Math.max(8, 2 * capacity)) };
    fitted.users.intern(user);
  }
  const P = fitted.factors.P.array();
  for (let f = 0; f < stride; f++) P[index * stride + f] = f < k ? x[f] : 0;
  fitted.factors.bu.array()[index] = biased ? x[k] : 0;
  fitted.extraSeen.set(index, Uint32Array.from(known, (e) => e.i));
  if (fitted.norms) fitted.norms.P = undefined;
  return { fitted, index, used: known.length };
}
