// Importing factors trained elsewhere: Spark MLlib ALS. Browser-safe.
//
// A fitted `ALSModel` keeps its factors as two DataFrames, `userFactors` and `itemFactors`, with
// columns `id` (int) and `features` (array<float>). Written with `df.write.json(...)` (or
// `toJSON()`), each row is one JSON line:
//
//   {"id":123,"features":[0.1,-0.2,0.3]}
//
// Spark's ALS predicts the plain dot product p_u·q_i (no global mean, no biases), so the imported
// state is unbiased: mu 0, zero biases. Ids may be numbers or strings and are kept as strings
// ("123"). Spark does not store the rating scale: pass `options.scale` (the default is 1..5, the
// MovieLens / Netflix stars), which clips predictions and whose midpoint stands in for the
// unknown training mean. No training data comes along, so no item counts as seen by any user.
import type { RatingScale } from '../data/dataset.js';
import { OptionError, ParseError } from '../errors.js';
import { MAX_FACTORS, PARAMETER_LIMIT as MODEL_PARAMETER_LIMIT, type ModelState } from '../models/core/state.js';

/** Options of {@link importSparkAls}. */
export interface SparkImportOptions {
  /**
   * The rating scale predictions are clipped to. Default { lo: 1, hi: 5 }. Finite lo < hi, both
   * within ±1e15; its midpoint stands in for the unknown training mean.
   *
   * @defaultValue `{ lo: 1, hi: 5 }`
   */
  scale?: RatingScale;
  /** Names for error messages. Default 'userFactors' and 'itemFactors'. */
  source?: {
    /**
     * The user factors' name in errors (e.g. their file's path).
     *
     * @defaultValue 'userFactors'
     */
    users?: string;
    /**
     * The item factors' name in errors.
     *
     * @defaultValue 'itemFactors'
     */
    items?: string;
  };
}

/** The default rating scale of imported models (Spark does not store one). */
export const SPARK_DEFAULT_SCALE: RatingScale = { lo: 1, hi: 5 };

interface FactorRows {
  ids: string[];
  /** Row-major, k per row, as read (float64). */
  values: number[];
  k: number;
  /** The line the first row came from, for messages about k. */
  firstLine: number;
}

/**
 * A model state (kind 'imported') from Spark ALS `userFactors` and `itemFactors` as JSON lines.
 * Blank lines, a leading BOM and CRLF line ends are accepted. Throws ParseError (source, 1-based
 * line, field) for malformed JSON, a missing or invalid id or features, features whose length
 * differs from the first row's (or from the other file's), non-finite or absurdly large numbers
 * (|x| >= 1e15), duplicate ids and empty input; OptionError for a scale without finite lo < hi
 * (both within ±1e15, as its midpoint becomes trainMean).
 *
 * Spark's ALS predicts the plain dot product p_u·q_i, so the state is unbiased (μ 0, zero
 * biases); ids are kept as strings ("123"); no item counts as seen by any user. Serve it with
 * `FactorModel.fromState`, or save it as a model file.
 *
 * @param userFactorsJsonl - The `userFactors` DataFrame as JSON lines (`df.write.json`):
 *   `{"id":123,"features":[0.1,-0.2,0.3]}` per line.
 * @param itemFactorsJsonl - The `itemFactors` DataFrame as JSON lines, of the same rank.
 * @param options - The rating scale, and the inputs' names in errors.
 * @returns A model state of kind 'imported'.
 * @throws {@link ParseError} For a malformed line or input (see above), naming the source and line.
 * @throws {@link OptionError} For a scale without finite lo < hi within ±1e15.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { FactorModel, importSparkAls } from 'latentrec';
 * import { saveModelToFile } from 'latentrec/node';
 *
 * const state = importSparkAls(
 *   readFileSync('als/userFactors.json', 'utf8'), // one part file of df.write.json(...)
 *   readFileSync('als/itemFactors.json', 'utf8'),
 *   { scale: { lo: 0.5, hi: 5 } },
 * );
 * const model = FactorModel.fromState(state);
 * model.recommend('123', { n: 10 });
 * await saveModelToFile('als.lrec', model);
 * ```
 */
export function importSparkAls(userFactorsJsonl: string, itemFactorsJsonl: string, options: SparkImportOptions = {}): ModelState {
  options ??= {}; // JavaScript callers may pass null
  const userSource = options.source?.users ?? 'userFactors';
  const itemSource = options.source?.items ?? 'itemFactors';
  const scale = options.scale ?? SPARK_DEFAULT_SCALE;
  // Within the model file's parameter limit: the scale's midpoint becomes trainMean, which a state
  // must keep below it (a scale of 1e15..2e15 made a state that could not be saved).
  const within = (x: number) => Number.isFinite(x) && Math.abs(x) < MODEL_PARAMETER_LIMIT;
  if (!(within(scale.lo) && within(scale.hi) && scale.lo < scale.hi)) {
    throw new OptionError('scale', `an object {lo, hi} with finite lo < hi, both within ±${MODEL_PARAMETER_LIMIT}`, `{lo: ${scale.lo}, hi: ${scale.hi}}`);
  }
  const users = readFactors(userFactorsJsonl, userSource, undefined);
  const items = readFactors(itemFactorsJsonl, itemSource, { k: users.k, source: userSource });
  const k = users.k;
  return {
    kind: 'imported',
    options: { format: 'spark-als', rank: k, scale: { lo: scale.lo, hi: scale.hi } },
    factors: k,
    biased: false,
    mu: 0,
    trainMean: (scale.lo + scale.hi) / 2,
    scale: { lo: scale.lo, hi: scale.hi },
    userIds: users.ids,
    itemIds: items.ids,
    P: Float32Array.from(users.values),
    Q: Float32Array.from(items.values),
    bu: new Float32Array(users.ids.length),
    bi: new Float32Array(items.ids.length),
    seenStart: new Uint32Array(users.ids.length + 1),
    seenItems: new Uint32Array(0),
  };
}

function readFactors(text: string, source: string, other: { k: number; source: string } | undefined): FactorRows {
  if (typeof text !== 'string') {
    throw new ParseError(source, 0, '(input)', `expected the JSON lines as a string (got ${typeof text})`);
  }
  // '\r\n' as one line end, so that a CRLF file's errors read as the LF file's (JSON.parse's
  // positions counted a trailing '\r').
  const lines = text.split(/\r?\n/);
  const rows: FactorRows = { ids: [], values: [], k: -1, firstLine: 0 };
  const firstLineOf = new Map<string, number>();
  for (let t = 0; t < lines.length; t++) {
    const lineNo = t + 1;
    let line = lines[t];
    if (t === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new ParseError(source, lineNo, '(json)', `malformed JSON (${(err as Error).message}); expected {"id": ..., "features": [...]}`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new ParseError(source, lineNo, '(json)', `expected a JSON object {"id": ..., "features": [...]}, got ${Array.isArray(row) ? 'an array' : JSON.stringify(row)}`);
    }
    const { id, features } = row as Record<string, unknown>;
    if (!Object.hasOwn(row, 'id') || id === null) throw new ParseError(source, lineNo, 'id', 'missing id');
    let key: string;
    if (typeof id === 'string') key = id;
    else if (typeof id === 'number' && Number.isSafeInteger(id)) key = String(id);
    else throw new ParseError(source, lineNo, 'id', `id must be an integer or a string (got ${JSON.stringify(id)})`);
    const first = firstLineOf.get(key);
    if (first !== undefined) throw new ParseError(source, lineNo, 'id', `duplicate id ${JSON.stringify(key)} (first on line ${first})`);
    firstLineOf.set(key, lineNo);

    if (!Object.hasOwn(row, 'features') || features === null) throw new ParseError(source, lineNo, 'features', 'missing features');
    if (!Array.isArray(features)) {
      throw new ParseError(source, lineNo, 'features', `features must be an array of numbers (got ${typeof features})`);
    }
    if (rows.k < 0) {
      if (features.length === 0) throw new ParseError(source, lineNo, 'features', 'features is empty; ALS factors have rank >= 1');
      if (features.length > MAX_FACTORS) {
        throw new ParseError(source, lineNo, 'features', `${features.length} features is beyond ${MAX_FACTORS}, the most latentrec supports`);
      }
      if (other && features.length !== other.k) {
        throw new ParseError(source, lineNo, 'features', `has ${features.length} values but the factors in ${other.source} have ${other.k}; both must come from the same model`);
      }
      rows.k = features.length;
      rows.firstLine = lineNo;
    } else if (features.length !== rows.k) {
      throw new ParseError(source, lineNo, 'features', `has ${features.length} values but line ${rows.firstLine} has ${rows.k}; every row must have the same rank`);
    }
    for (let j = 0; j < features.length; j++) {
      const v: unknown = features[j];
      if (typeof v !== 'number') throw new ParseError(source, lineNo, `features[${j}]`, `not a number (got ${JSON.stringify(v)})`);
      // JSON.parse turns 1e999 into Infinity; JSON has no NaN.
      if (!Number.isFinite(v)) throw new ParseError(source, lineNo, `features[${j}]`, `not a finite number (${v})`);
      if (!(Math.abs(v) < MODEL_PARAMETER_LIMIT)) {
        throw new ParseError(source, lineNo, `features[${j}]`, `${v} is beyond ±${MODEL_PARAMETER_LIMIT}; ALS factors are small numbers, check the file`);
      }
      rows.values.push(v);
    }
    rows.ids.push(key);
  }
  if (rows.ids.length === 0) {
    throw new ParseError(source, 1, '(input)', 'no factor rows: the input is empty; expected one {"id": ..., "features": [...]} JSON object per line');
  }
  return rows;
}
