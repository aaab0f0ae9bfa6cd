// Exporting factors for Spark MLlib ALS: the inverse of spark-import.ts. Browser-safe.
//
// A fitted `ALSModel` keeps `userFactors` and `itemFactors`, rows of `id` and `features`; Spark
// reads them back from JSON lines (`spark.read.json`), one `{"id":123,"features":[...]}` per row,
// and predicts the plain dot product p_u·q_i. latentrec's models score
// μ + b_u + b_i + p_u·q_i (each term 0 where a kind has none), so the biases ride along as extra
// feature columns whose dot product adds them back exactly (see SparkBiases).
//
// Numbers are written as the shortest decimal that reads back as the same float32, so a Spark
// file imported and exported again comes out byte for byte as it went in (when it was written
// that way), and no digit is spent on float64 noise (0.1f is "0.1", not "0.10000000149011612").
import type { RatingScale } from '../data/dataset.js';
import { DataError, LatentrecError, OptionError } from '../errors.js';
import { optionsObject } from '../models/core/arguments.js';
import { checkOptionKeys } from '../models/core/options.js';
import { integerId } from '../models/core/serving.js';
import { MAX_FACTORS, type ModelState } from '../models/core/state.js';
import type { FactorModel } from '../models/registry.js';

/**
 * How ids are written: `'auto'` (default) as JSON numbers where the id is a canonical integer
 * (`"123"`, not `"0123"` or `"1e3"`; within ±(2^53 − 1), what {@link importSparkAls} reads as a
 * number), as strings otherwise; `'number'` as numbers, refusing any other id; `'string'` always
 * as strings. Spark's ALS itself takes integer ids within the 32-bit int range.
 */
export type SparkIdType = 'number' | 'string' | 'auto';

/**
 * What happens to μ, b_u and b_i, which Spark's ALS does not have. `'fold'` (default) appends
 * columns so that the dot product is the model's whole score: a biased model (SVD, SVD++, the
 * Bayesian FM) writes users as [p_u, μ + b_u, 1] and items as [q_i, 1, b_i]; a model with item
 * biases only (BPR, Hybrid) writes [p_u, 1] and [q_i, b_i]; a model without either (ALS, iALS,
 * MF, PureSVD, an imported model) writes p_u and q_i as they are. `'drop'` always writes p_u and
 * q_i alone: the dot product then leaves the biases out.
 */
export type SparkBiases = 'fold' | 'drop';

/** Options of {@link exportSparkAls} and {@link sparkAlsLines}. */
export interface SparkExportOptions {
  /** How ids are written (default `'auto'`). See {@link SparkIdType}. */
  idType?: SparkIdType;
  /** Whether biases become feature columns (default `'fold'`). See {@link SparkBiases}. */
  biases?: SparkBiases;
}

/** What an export holds besides its lines. */
export interface SparkExportInfo {
  /** The model's latent factors k. */
  factors: number;
  /** Features per line: k, plus one column per folded term. */
  rank: number;
  /** Lines in the user file (the model's users, in its order). */
  userCount: number;
  /** Lines in the item file (the model's items, in its order). */
  itemCount: number;
  /**
   * The 0-based feature columns the biases went to: `user` holds μ + b_u in the user file (1 in
   * the item file), `item` holds b_i in the item file (1 in the user file). Empty when nothing
   * was folded.
   */
  folded: {
    /** The column of μ + b_u (biased models). */
    user?: number;
    /** The column of b_i (biased models, and models with item biases only). */
    item?: number;
  };
  /** The model's rating scale: give it to importSparkAls (`scale`) to clip as the model did. */
  scale: RatingScale;
  /** What the exported factors do not carry that the model has (empty when they carry it all). */
  notes: string[];
}

/** The two JSON-lines texts of an export, with what they hold. */
export interface SparkExport extends SparkExportInfo {
  /** Spark's `userFactors`: one `{"id":...,"features":[...]}` per line, each ending in "\n". */
  users: string;
  /** Spark's `itemFactors`, as `users`. */
  items: string;
}

/** An export as lines made on demand, for files too large to build as one string. */
export interface SparkExportLines extends SparkExportInfo {
  /** The user file's lines, in model order, without line ends. */
  users(): Generator<string, void, undefined>;
  /** The item file's lines, in model order, without line ends. */
  items(): Generator<string, void, undefined>;
}

const EXPORT_OPTION_KEYS = ['idType', 'biases'] as const;
const ID_TYPES: readonly SparkIdType[] = ['number', 'string', 'auto'];
const BIAS_MODES: readonly SparkBiases[] = ['fold', 'drop'];

/**
 * A model's factors as Spark MLlib ALS `userFactors` and `itemFactors` JSON lines, the layout
 * `spark.read.json` reads (and {@link importSparkAls} imports): the dot product of a user's and
 * an item's features is the model's score for the pair (μ + b_u + b_i + p_u·q_i, before any
 * clipping to the rating scale), up to float32 rounding; see {@link SparkBiases}. Features are
 * the float32 values the model holds, each written as the shortest decimal that reads back as
 * the same float32. For large models, {@link sparkAlsLines} makes the same lines one at a time.
 *
 * Hybrid and SVD++ export the representations they score with (a hybrid's sums of feature
 * embeddings, SVD++'s p_u plus its implicit part); a hybrid's per-feature embeddings, for users
 * and items not yet seen, do not go along. A Bayesian FM's day deviations do not either (the
 * factors give its predictions without a time); `notes` says so.
 *
 * @param model - A fitted model with user and item factors.
 * @param options - How ids are written, and whether biases are folded into the features.
 * @returns The two texts (every line ends in "\n"), the rank written, the folded columns, the
 * model's rating scale and notes on what the export leaves out.
 * @throws {@link LatentrecError} when the model has no user and item factors (EASE, Popular,
 * Baseline), when its estimates are not a dot product (a Bayesian FM with the ordinal output),
 * or when it is not fitted.
 * @throws {@link DataError} when `idType` is 'number' and an id is not a canonical integer.
 * @throws {@link OptionError} when an option is unknown or not one of its values.
 * @example
 * ```ts
 * import { FactorModel, SVD, exportSparkAls, importSparkAls } from 'latentrec';
 *
 * const model = new SVD({ factors: 20 });
 * model.fit(train);
 * const { users, items, scale } = exportSparkAls(model); // users: [p, μ + b_u, 1], items: [q, 1, b_i]
 * // In Spark: ALSModel's userFactors / itemFactors from spark.read.json(...), or back here:
 * const again = FactorModel.fromState(importSparkAls(users, items, { scale }));
 * again.predict('196', '242').estimate; // model.predict('196', '242').estimate, up to float32 rounding
 * ```
 */
export function exportSparkAls(model: FactorModel, options: SparkExportOptions = {}): SparkExport {
  const { users, items, ...info } = sparkAlsLines(model, options);
  return { ...info, users: joinLines(users()), items: joinLines(items()) };
}

/**
 * The lines of {@link exportSparkAls}, made one at a time as they are taken: a model of millions
 * of users is written to a file without ever being one string. Everything that can be refused is
 * refused by this call, before any line is made; each generator can be run more than once.
 *
 * @param model - A fitted model with user and item factors.
 * @param options - How ids are written, and whether biases are folded into the features.
 * @returns Generators of the user and item lines (without line ends), with the rank written, the
 * folded columns, the model's rating scale and notes on what the export leaves out.
 * @throws {@link LatentrecError} when the model has no user and item factors, when its estimates
 * are not a dot product (a Bayesian FM with the ordinal output), or when it is not fitted.
 * @throws {@link DataError} when `idType` is 'number' and an id is not a canonical integer.
 * @throws {@link OptionError} when an option is unknown or not one of its values.
 * @example
 * ```ts
 * import { sparkAlsLines } from 'latentrec';
 *
 * const lines = sparkAlsLines(model, { idType: 'number' });
 * for (const line of lines.users()) stream.write(`${line}\n`);
 * ```
 */
export function sparkAlsLines(model: FactorModel, options: SparkExportOptions = {}): SparkExportLines {
  const resolved = exportOptions(options);
  // Before toState: EASE's state would copy its items x items weights only to be refused.
  if (model.factorCount === 0) throw noFactors(`a ${model.constructor.name} model`);
  return linesOf(model.toState(), resolved, `a ${model.constructor.name} model`);
}

/**
 * {@link sparkAlsLines} of a model's state (a model file's contents, as `loadModelFile` gives
 * them), without building the model: what `latentrec export` writes.
 *
 * @param state - A fitted model's state (a model file's, or `model.toState()`).
 * @param options - How ids are written, and whether biases are folded into the features.
 * @returns As {@link sparkAlsLines}.
 * @throws {@link LatentrecError} when the state has no user and item factors, or its estimates
 * are not a dot product.
 * @throws {@link DataError} when `idType` is 'number' and an id is not a canonical integer.
 * @throws {@link OptionError} when an option is unknown or not one of its values.
 * @example
 * ```ts
 * import { sparkAlsLinesOfState } from 'latentrec';
 * import { loadModelFile } from 'latentrec/node';
 *
 * const lines = sparkAlsLinesOfState(await loadModelFile('m.lrec'), { biases: 'drop' });
 * ```
 */
export function sparkAlsLinesOfState(state: ModelState, options: SparkExportOptions = {}): SparkExportLines {
  const resolved = exportOptions(options);
  if (state.factors === 0) throw noFactors(`a model of kind '${state.kind}'`);
  return linesOf(state, resolved, `a model of kind '${state.kind}'`);
}

// The shortest decimal that reads back as the float32 `value` (Math.fround(Number(text)) ===
// value), as JSON writes numbers; "-0" keeps negative zero, so imported factors come back bit for bit.
function float32Json(value: number): string {
  if (!Number.isFinite(value)) throw new DataError(`cannot write ${value} as JSON (it has no NaN or Infinity)`);
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // Fewer digits never read back when more do not: the nearest p-digit decimal is a (p+1)-digit
  // one too, so the nearest (p+1)-digit decimal is at least as close. 9 digits always read back.
  // Trained factors mostly need 8 or 9, so those are tried first; then a binary search.
  const reads = (text: string) => Math.fround(Number(text)) === value;
  // Number(...) then String: "1.5e+21" and "1e-7" as JSON.stringify writes them, never "1.50e+21".
  const eight = value.toPrecision(8);
  if (!reads(eight)) return String(Number(value.toPrecision(9)));
  const seven = value.toPrecision(7);
  if (!reads(seven)) return String(Number(eight));
  let lo = 1, hi = 7;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reads(value.toPrecision(mid))) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(value.toPrecision(lo)));
}

interface ResolvedOptions {
  idType: SparkIdType;
  biases: SparkBiases;
}

function exportOptions(given: SparkExportOptions): ResolvedOptions {
  const o = optionsObject<SparkExportOptions>('exportSparkAls options', given);
  checkOptionKeys('exportSparkAls', o, EXPORT_OPTION_KEYS);
  const idType = o.idType ?? 'auto', biases = o.biases ?? 'fold';
  if (!ID_TYPES.includes(idType)) throw new OptionError('idType', `one of ${ID_TYPES.join(', ')}`, idType);
  if (!BIAS_MODES.includes(biases)) throw new OptionError('biases', `one of ${BIAS_MODES.join(', ')}`, biases);
  return { idType, biases };
}

function noFactors(what: string): LatentrecError {
  return new LatentrecError(
    `exportSparkAls: ${what} has no user and item factors (k = 0), so there is nothing for Spark's ALS to hold; export a model with factors (svd, mf, als, bpr, ...)`,
  );
}

function linesOf(state: ModelState, options: ResolvedOptions, what: string): SparkExportLines {
  if (state.link) {
    // The latent score is still μ + b_u + b_i + p·q, but the estimates are expected levels over cut
    // points: Spark's prediction, the dot product itself, would not be this model's.
    throw new LatentrecError(`exportSparkAls: ${what} with the ordinal output estimates expected rating levels over cut points, not a dot product; Spark's ALS cannot predict as it does (a Bayesian FM without the ordinal output exports)`);
  }
  const k = state.factors;
  const userCount = state.userIds.length, itemCount = state.itemIds.length;
  const fold = options.biases === 'fold';
  // Unbiased kinds keep μ and b_u at 0; BPR and Hybrid still learn b_i.
  const hasBiases = state.biased || state.bi.some((b) => b !== 0);
  const userTerm = fold && state.biased;
  const itemTerm = fold && hasBiases;
  const folded: SparkExportInfo['folded'] = {};
  let rank = k;
  if (userTerm) folded.user = rank++;
  if (itemTerm) folded.item = rank++;

  const userIds = idTexts(state.userIds, options.idType, 'user');
  const itemIds = idTexts(state.itemIds, options.idType, 'item');
  const { P, Q, bu, bi, mu } = state;
  // The same float32 the model adds: predictions round μ + b_u to float32 before adding the rest.
  const userBase = (u: number) => Math.fround(mu + bu[u]);

  const notes: string[] = [];
  if (!fold && hasBiases) notes.push(`biases dropped: the dot product leaves out ${state.biased ? 'μ + b_u + b_i' : 'b_i'}, which the model adds to every score`);
  if (state.days) notes.push("the Bayesian FM's day deviations are not exported: the factors give its predictions without a time (its average day)");
  if (rank > MAX_FACTORS) notes.push(`${rank} features per line is beyond ${MAX_FACTORS}, the most importSparkAls reads back (Spark takes them)`);
  if (state.features) notes.push("the hybrid's feature embeddings are not exported: the factors are the composed vectors of the users and items it knows (no cold start by attributes)");

  return {
    factors: k,
    rank,
    userCount,
    itemCount,
    folded,
    scale: { lo: state.scale.lo, hi: state.scale.hi },
    notes,
    *users() {
      for (let u = 0; u < userCount; u++) {
        let features = rowText(P, u * k, k);
        if (userTerm) features += `,${float32Json(userBase(u))},1`;
        else if (itemTerm) features += ',1';
        yield `{"id":${userIds[u]},"features":[${features}]}`;
      }
    },
    *items() {
      for (let i = 0; i < itemCount; i++) {
        let features = rowText(Q, i * k, k);
        if (userTerm) features += ',1';
        if (itemTerm) features += `,${float32Json(bi[i])}`;
        yield `{"id":${itemIds[i]},"features":[${features}]}`;
      }
    },
  };
}

function rowText(values: Float32Array, start: number, k: number): string {
  let text = float32Json(values[start]);
  for (let j = 1; j < k; j++) text += `,${float32Json(values[start + j])}`;
  return text;
}

/** Each id's JSON text, checked up front so that a refused id never leaves a file half made. */
function idTexts(ids: readonly string[], idType: SparkIdType, side: 'user' | 'item'): string[] {
  return ids.map((id, row) => {
    if (idType === 'string') return JSON.stringify(id);
    // Written bare only when JSON reads it back as this very id: no sign on 0, no leading zeros, no exponent.
    if (integerId(id) !== undefined) return id;
    if (idType === 'auto') return JSON.stringify(id);
    throw new DataError(
      `exportSparkAls: idType 'number' needs integer ids, but ${side} ${JSON.stringify(id)} (row ${row + 1}) is not one (an integer within ±(2^53 - 1), without leading zeros); use idType 'auto' or 'string'`,
    );
  });
}

function joinLines(lines: Iterable<string>): string {
  let text = '';
  for (const line of lines) text += `${line}\n`;
  return text;
}
