// Attributes of users or items for hybrid models (LightFM's idea: an entity's vector is the sum of
// the vectors of its features), held as a sparse CSR matrix, and a parser for feature files.
// Browser-safe: no Node built-ins (Node file loading is in ./features-node.js).
//
// Feature file format, "long": one feature of one entity per line.
//
//   # lines starting with '#' (after blanks) and blank lines are skipped
//   item,feature,weight             <- optional header, see HEADER_ID_NAMES
//   1,genre:Action                  <- id, feature: weight 1
//   1,year:1995,0.5                 <- id, feature, weight (a finite number)
//   2,"genre:Film, Noir"            <- CSV quoting: a field opening with '"' may hold the
//   2,"the ""best"" one"               separator; '""' stands for '"'
//
// - The separator is a tab if the first data line (the header, when there is one) holds a tab,
//   else a comma, and every line must use that one.
// - Fields are trimmed; a quoted field is kept as written between its quotes.
// - Line ends may be '\n', '\r\n' or a lone '\r'; a UTF-8 byte-order mark at the start is ignored.
// - Feature names are case-sensitive. An id may appear on any number of lines, in any order;
//   the same (id, feature) pair twice is an error.
import { QuoteError, splitQuoted } from './quoted-fields.js';
import { DataError, OptionError, ParseError } from '../errors.js';
import { IdMap, type RawId } from './dataset.js';

/**
 * Attributes of users or of items: a sparse matrix by rows (CSR) whose rows are entity ids and columns named features.
 * The hybrid model sums the vectors of an entity's features (LightFM's idea), so an item known
 * only by its attributes can still be scored. Build one with {@link Features.fromRecords},
 * {@link parseFeatures} or the MovieLens helpers; `loadFeaturesFile` (latentrec/node) reads a file.
 */
export class Features {
  /**
   * Wraps a CSR layout as it is (no copy), after checking it.
   *
   * @param ids - Entity raw ids: row r is `ids.raw[r]`.
   * @param names - Feature names: column c is `names.raw[c]`.
   * @param start - `ids.size + 1` row offsets, from 0 to `cols.length`, never decreasing.
   * @param cols - Feature column of each entry, ascending and distinct within a row, below `names.size`.
   * @param vals - Weight of each entry (finite), as long as `cols`.
   * @throws {@link DataError} When the layout breaks any of those rules.
   */
  constructor(
    /** Entity raw ids (users or items): row r is ids.raw[r]. */
    readonly ids: IdMap,
    /** Feature names: column c is names.raw[c]. */
    readonly names: IdMap,
    /** Row r's entries are start[r] .. start[r + 1]; ids.size + 1 offsets. */
    readonly start: Uint32Array,
    /** Feature column of each entry, ascending and distinct within a row. */
    readonly cols: Uint32Array,
    /** Weight of each entry (finite). */
    readonly vals: Float32Array,
  ) {
    // Checked once here so that kernels indexing by cols can trust them.
    checkLayout(this);
  }

  /** Entity rows. */
  get size(): number {
    return this.ids.size;
  }

  /** Number of distinct features (columns). */
  get featureCount(): number {
    return this.names.size;
  }

  /**
   * The row of a raw id as [name, weight] pairs in column order, or undefined when the id has no
   * row. `Features.fromRecords([['1', ['a', ['b', 2]]]]).row(1)` → `[['a', 1], ['b', 2]]`.
   *
   * @param id - The entity's raw id (numbers are converted to strings).
   * @returns Its features and weights, or undefined.
   */
  row(id: RawId): Array<[string, number]> | undefined {
    const r = this.ids.get(id);
    if (r < 0) return undefined;
    const out: Array<[string, number]> = [];
    for (let k = this.start[r]; k < this.start[r + 1]; k++) out.push([this.names.raw[this.cols[k]], this.vals[k]]);
    return out;
  }

  /**
   * From records: [id, features] where a feature is a name (weight 1) or [name, weight]. Rows and
   * columns are numbered in order of first appearance; an id in several records gets the features
   * of all of them; an id whose features are empty still gets an (empty) row.
   *
   * @param records - `[id, features]` pairs.
   * @returns The features.
   * @throws {@link DataError} For an empty or non-string feature name, a weight that is not a
   *   finite number fitting a 32-bit float, or a feature given twice for one id.
   *
   * @example
   * ```ts
   * import { Features } from 'latentrec';
   *
   * const items = Features.fromRecords([
   *   ['1', ['genre:Animation', 'genre:Comedy', ['year', 0.5]]],
   *   ['2', ['genre:Action']],
   * ]);
   * items.size;          // 2 items
   * items.featureCount;  // 4 features
   * ```
   */
  static fromRecords(records: Iterable<readonly [RawId, Iterable<string | readonly [string, number]>]>): Features {
    const builder = new FeaturesBuilder();
    for (const [id, features] of records) {
      const row = builder.row(id);
      const what = `Features.fromRecords: id ${JSON.stringify(String(id))}`;
      for (const feature of features) {
        const [name, weight] = typeof feature === 'string' ? [feature, 1] : feature;
        if (typeof name !== 'string') throw new DataError(`${what}: a feature name must be a string (got ${String(name)})`);
        if (name.trim() === '') throw new DataError(`${what}: empty feature name`);
        const problem = weightProblem(weight);
        if (problem !== undefined) {
          throw new DataError(`${what}: the weight of feature ${JSON.stringify(name)} is ${String(weight)}; ${problem}`);
        }
        if (builder.add(row, name, weight) >= 0) {
          throw new DataError(`${what}: feature ${JSON.stringify(name)} is given twice`);
        }
      }
    }
    return builder.build();
  }
}

function checkLayout(f: Features): void {
  const { start, cols, vals } = f;
  const rows = f.ids.size;
  const fail = (what: string): never => {
    throw new DataError(`Features: ${what}`);
  };
  if (start.length !== rows + 1) fail(`start must have ids.size + 1 = ${rows + 1} offsets (got ${start.length})`);
  if (cols.length !== vals.length) fail(`cols and vals must have the same length (got ${cols.length} and ${vals.length})`);
  if (start[0] !== 0 || start[rows] !== cols.length) {
    fail(`start must run from 0 to cols.length = ${cols.length} (got ${start[0]} .. ${start[rows]})`);
  }
  for (let r = 0; r < rows; r++) {
    if (start[r + 1] < start[r]) fail(`start must not decrease (row ${r}: ${start[r]} then ${start[r + 1]})`);
    for (let k = start[r]; k < start[r + 1]; k++) {
      if (cols[k] >= f.names.size) fail(`column ${cols[k]} of row ${r} is not below featureCount = ${f.names.size}`);
      if (k > start[r] && cols[k] <= cols[k - 1]) {
        fail(`the columns of row ${r} (id ${JSON.stringify(f.ids.raw[r])}) must be ascending and distinct`);
      }
      if (!Number.isFinite(vals[k])) fail(`the weight at entry ${k} (row ${r}) is ${vals[k]}; weights must be finite`);
    }
  }
}

/** Why a weight cannot be stored, or undefined when it can. */
function weightProblem(weight: unknown): string | undefined {
  if (typeof weight !== 'number' || !Number.isFinite(weight)) return 'weights must be finite numbers';
  // Stored as float32: 1e39 would become Infinity.
  if (!Number.isFinite(Math.fround(weight))) return 'weights must be finite numbers that fit a 32-bit float';
  return undefined;
}

/** Collects (id, feature, weight) entries in any order and lays them out as CSR. */
class FeaturesBuilder {
  private readonly ids = new IdMap();
  private readonly names = new IdMap();
  /** Per row: column → entry number. */
  private readonly rows: Array<Map<number, number>> = [];
  private readonly weights: number[] = [];

  /** The row of an id, added (empty) when new. */
  row(id: RawId): number {
    const r = this.ids.intern(id);
    if (r === this.rows.length) this.rows.push(new Map());
    return r;
  }

  /** Adds an entry and returns -1; or, when the row has this feature already, returns that entry's number and adds nothing. */
  add(row: number, name: string, weight: number): number {
    const col = this.names.intern(name);
    const entries = this.rows[row];
    const earlier = entries.get(col);
    if (earlier !== undefined) return earlier;
    entries.set(col, this.weights.length);
    this.weights.push(weight);
    return -1;
  }

  build(): Features {
    const n = this.weights.length;
    const start = new Uint32Array(this.rows.length + 1);
    const cols = new Uint32Array(n);
    const vals = new Float32Array(n);
    let k = 0;
    for (let r = 0; r < this.rows.length; r++) {
      const entries = this.rows[r];
      for (const col of Array.from(entries.keys()).sort((a, b) => a - b)) {
        cols[k] = col;
        vals[k] = this.weights[entries.get(col) as number];
        k++;
      }
      start[r + 1] = k;
    }
    return new Features(this.ids, this.names, start, cols, vals);
  }
}

/** Options of {@link parseFeatures} (and of `loadFeaturesFile`, which sets `source` to the path). */
export interface FeatureParseOptions {
  /**
   * Name used in errors.
   *
   * @defaultValue '<string>'
   */
  source?: string;
  /**
   * Whose features these are, for messages: 'user' or 'item'.
   *
   * @defaultValue 'item'
   */
  kind?: 'user' | 'item';
  /**
   * When given, an id not in this set is an error naming the file and line. An {@link IdMap}
   * (e.g. `dataset.items`) or a `Set<string>` will do.
   */
  knownIds?: {
    /**
     * Whether an id is known.
     *
     * @param id - The raw id as read (trimmed, unquoted).
     * @returns True when the id may have features.
     */
    has(id: string): boolean;
  };
  /** Explains where known ids come from, appended to the unknown-id error, e.g. 'it is in neither the training nor the test data'. */
  knownIdsHint?: string;
}

/** First fields (lower-cased) that make the first data line a header, when the second is `feature`. */
export const HEADER_ID_NAMES: readonly string[] = ['id', 'user', 'user_id', 'userid', 'item', 'item_id', 'itemid'];

const LINE_END_RE = /\r\n|\r|\n/;
// Unambiguous (`\d+(?:\.\d*)?`, not `\d+\.?\d*`): the latter backtracks over every split of a
// digit run, quadratic time on a long run of digits that does not end a number (100k digits: 14 s).
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NONFINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;
const FIELD_NAMES = ['id (column 1)', 'feature (column 2)', 'weight (column 3)'];

function fieldName(column: number): string {
  return FIELD_NAMES[column] ?? `column ${column + 1}`;
}

function describeSeparator(sep: string): string {
  return sep === '\t' ? 'tabs' : 'commas';
}

/** Splits a line on sep, unquoted fields trimmed, quoted ones kept as written. */
function splitLine(line: string, sep: string): string[] {
  return line.includes('"') ? splitQuoted(line, sep, true) : line.split(sep).map((f) => f.trim());
}

/**
 * Parses a feature file's text (format below).
 * `parseFeatures('1,genre:Action\n1,year:1995,0.5\n').row('1')` → `[['genre:Action', 1], ['year:1995', 0.5]]`.
 *
 * The format, "long": one feature of one entity per line, `id,feature[,weight]` (weight 1 when
 * left out, else a finite number). Lines starting with '#' and blank lines are skipped; the first
 * data line may be a header whose first field is one of {@link HEADER_ID_NAMES} and second
 * `feature`. The separator is a tab if the first data line holds one, else a comma, and every
 * line must use it. CSV quoting: a field opening with '"' may hold the separator, '""' stands for
 * '"'; unquoted fields are trimmed. Feature names are case-sensitive. An id may appear on any number of
 * lines; the same (id, feature) pair twice is an error. A leading byte-order mark is ignored, and
 * lines may end with '\n', '\r\n' or '\r'.
 *
 * @param text - The file's text.
 * @param options - Names for messages and the ids allowed.
 * @returns The features, rows and columns numbered in order of first appearance.
 * @throws {@link OptionError} When `kind` is not 'user' or 'item'.
 * @throws {@link ParseError} For a malformed line: a mixed separator, a bad quote, a wrong field
 *   count, an empty id or feature, an unknown id (with `knownIds`), a bad weight or a duplicate pair.
 * @throws {@link DataError} When the text has no feature row.
 */
export function parseFeatures(text: string, options: FeatureParseOptions = {}): Features {
  options ??= {}; // JavaScript callers may pass null
  const source = options.source ?? '<string>';
  const kind = options.kind ?? 'item';
  if (kind !== 'user' && kind !== 'item') throw new OptionError('kind', "'user' or 'item'", kind);
  const { knownIds, knownIdsHint } = options;
  const error = (lineNo: number, column: number, reason: string): ParseError =>
    new ParseError(source, lineNo, fieldName(column), reason);

  const lines = text.split(LINE_END_RE);
  if (lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
  const builder = new FeaturesBuilder();
  /** Line of each entry, to name the first occurrence of a duplicate. */
  const entryLines: number[] = [];
  let sep: '\t' | ',' | undefined;
  let sepLine = 0;
  let header = false;

  for (let t = 0; t < lines.length; t++) {
    const line = lines[t];
    const lineNo = t + 1;
    const lead = line.trimStart();
    if (lead === '' || lead.startsWith('#')) continue;
    if (sep === undefined) {
      sep = line.includes('\t') ? '\t' : ',';
      sepLine = lineNo;
    } else if (sep === ',' && line.includes('\t')) {
      throw new ParseError(
        source,
        lineNo,
        'separator',
        `this line holds a tab, but line ${sepLine} (the first data line) separates fields with commas; ` +
          'use one separator throughout the file',
      );
    } else if (sep === '\t' && !line.includes('\t') && line.includes(',')) {
      throw new ParseError(
        source,
        lineNo,
        'separator',
        `this line has commas but no tab, while line ${sepLine} (the first data line) separates fields with tabs; ` +
          'use one separator throughout the file',
      );
    }
    let fields: string[];
    try {
      fields = splitLine(line, sep);
    } catch (err) {
      if (err instanceof QuoteError) throw error(lineNo, err.column, err.reason);
      throw err;
    }
    if (lineNo === sepLine && isHeader(fields)) {
      header = true;
      continue;
    }
    if (fields.length < 2 || fields.length > 3) {
      const hint = sep === ',' && fields.length > 3 ? '; double-quote a feature name that holds a comma' : '';
      throw error(
        lineNo,
        Math.min(fields.length, 3),
        `expected 2 or 3 fields (id, feature[, weight]), got ${fields.length} (fields are separated by ${describeSeparator(sep)})${hint}`,
      );
    }
    const [id, name, weightText] = fields;
    if (id === '') throw error(lineNo, 0, `empty ${kind} id`);
    if (knownIds !== undefined && !knownIds.has(id)) {
      throw error(lineNo, 0, `unknown ${kind} ${JSON.stringify(id)}${knownIdsHint ? `: ${knownIdsHint}` : ''}`);
    }
    if (name.trim() === '') throw error(lineNo, 1, 'empty feature name');
    const weight = weightText === undefined ? 1 : parseWeight(weightText, sep, (reason) => error(lineNo, 2, reason));
    const earlier = builder.add(builder.row(id), name, weight);
    if (earlier >= 0) {
      throw error(
        lineNo,
        1,
        `duplicate feature ${JSON.stringify(name)} for ${kind} ${JSON.stringify(id)}: already given on line ${entryLines[earlier]}`,
      );
    }
    entryLines.push(lineNo);
  }
  if (entryLines.length === 0) {
    const read = lines.length - (lines[lines.length - 1] === '' ? 1 : 0);
    throw new DataError(
      `${source} has no feature rows (${read} line${read === 1 ? '' : 's'} read${header ? ', one of them a header' : ''}); ` +
        `expected lines of id${sep === '\t' ? '<tab>' : ','}feature[${sep === '\t' ? '<tab>' : ','}weight]`,
    );
  }
  return builder.build();
}

function isHeader(fields: readonly string[]): boolean {
  return (
    fields.length >= 2 &&
    HEADER_ID_NAMES.includes(fields[0].toLowerCase()) &&
    fields[1].toLowerCase() === 'feature'
  );
}

function parseWeight(text: string, sep: string, error: (reason: string) => ParseError): number {
  if (text === '') throw error('empty weight (leave the third field out for weight 1)');
  if (!NUMBER_RE.test(text)) {
    // A word in the weight column of a CSV line is most often the tail of an unquoted name.
    const hint = sep === ',' && !NONFINITE_RE.test(text) ? '; double-quote a feature name that holds a comma' : '';
    throw error(`weight must be a finite number (got ${JSON.stringify(text)})${hint}`);
  }
  const weight = Number(text);
  if (weightProblem(weight) !== undefined) {
    throw error(`weight must be a finite number (got ${JSON.stringify(text)}, too large for a 32-bit float)`);
  }
  return weight;
}
