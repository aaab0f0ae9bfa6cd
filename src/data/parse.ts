// Streaming ratings parser for MovieLens files and generic delimited text. Browser-safe: no Node
// built-ins. Text arrives in chunks (strings or UTF-8 bytes); lines may span chunks. Ratings are
// accumulated in blocks of typed arrays with ids interned through IdMap, never one object per row.
//
// Memory per rating, from text to Dataset: 12 bytes (user id, item id: Uint32; rating: Float32)
// in blocks that are never copied while parsing, joined once at the end (one array at a time; no
// join at all when the caller gave the expected row count, as loadRatingsFile does). The common
// line (ASCII, no quote, well-formed fields) is parsed in place in the decoded chunk: no line
// string, no field array, and no id string at all for decimal integer ids already seen; any other
// line takes the general path (split into fields), which also reports every error.
import { QuoteError, splitQuoted } from './quoted-fields.js';
import { DataError, LatentrecError, OptionError, ParseError } from '../errors.js';
import { Dataset, IdMap, inferScale, type RatingScale } from './dataset.js';
import { DUPLICATE_POLICIES, dedupeRatings, type DuplicatePolicy } from './duplicates.js';

/**
 * ml100k: `u.data` (tab: user item rating timestamp); ml1m: MovieLens 1M/10M `ratings.dat`
 * (`::`); mlcsv: MovieLens latest/25M `ratings.csv` (header `userId,movieId,rating,timestamp`);
 * delimited: generic text; auto: detected from the first non-empty lines.
 */
export type RatingsFormat = 'auto' | 'ml100k' | 'ml1m' | 'mlcsv' | 'delimited';
/** The format a parse settled on: a {@link RatingsFormat} other than 'auto'. */
export type DetectedFormat = Exclude<RatingsFormat, 'auto'>;

/** A field delimiter of delimited text. ' ' means runs of whitespace (leading/trailing whitespace ignored). */
export type Delimiter = '\t' | ',' | ';' | ' ';

/** The 0-based columns each part of a rating is read from. */
export interface ColumnIndices {
  /** Column of the user ids. */
  user: number;
  /** Column of the item ids. */
  item: number;
  /** Column of the ratings. */
  rating: number;
  /**
   * The rating's time, read only with `timestamps: true`: column 3 of MovieLens files, else the
   * column given here or named in a header (TIME_NAMES).
   */
  time?: number;
}

/**
 * How to read ratings text ({@link parseRatings}, {@link RatingsParser}, `loadRatingsFile`). Every
 * option is checked before any line is read; a bad one throws an {@link OptionError} naming it.
 */
export interface ParseOptions {
  /**
   * The file format ({@link RatingsFormat}); 'auto' detects it from the first non-empty lines
   * (see {@link detectFormat}).
   *
   * @defaultValue 'auto'
   */
  format?: RatingsFormat;
  /**
   * For 'delimited' / 'auto'; detected when not given. Refused with the fixed formats 'ml100k',
   * 'ml1m' and 'mlcsv'.
   */
  delimiter?: Delimiter;
  /** Whether the first non-empty line is a header; detected when not given ('mlcsv': true). */
  header?: boolean;
  /**
   * 0-based column indices, for 'delimited' / 'auto'. When not given: taken from the header's
   * column names if there is a header (see HEADER_NAMES), else user 0, item 1, rating 2.
   * Integers >= 0; user, item and rating (and time, when given) must be different columns.
   * Refused with the fixed formats.
   */
  columns?: Partial<ColumnIndices>;
  /**
   * Ratings outside it are errors; inferred as min..max of the ratings when not given. Needs
   * finite `lo < hi`.
   */
  scale?: RatingScale;
  /**
   * What to do with repeated (user, item) rows ({@link DuplicatePolicy}): 'keep' (as Surprise:
   * duplicate rows stay separate ratings, only counted), 'last' or 'mean'.
   *
   * @defaultValue 'keep'
   */
  duplicates?: DuplicatePolicy;
  /**
   * Name used in errors and the summary. `loadRatingsFile` uses the path.
   *
   * @defaultValue '<string>'
   */
  source?: string;
  /**
   * Keep each rating's time (Dataset.times; default false, which saves 8 bytes a rating): a file
   * without a time column is then refused; 'if-present' keeps them when the file has one. The
   * Bayesian FM's day group (`time`) reads them.
   *
   * @defaultValue false
   */
  timestamps?: boolean | 'if-present';
}

/** What a parse found and did: the detected layout, counts, the scale and the duplicates. */
export interface LoadSummary {
  /** The `source` option (the path, for `loadRatingsFile`). */
  source: string;
  /** The format the text was read as. */
  format: DetectedFormat;
  /** '\t', ',', ';', '::', or ' ' for runs of whitespace. */
  delimiter: string;
  /** Whether the first non-empty line was taken as a header (and skipped). */
  header: boolean;
  /** 0-based columns the user ids, item ids, ratings (and times, when kept) were read from. */
  columns: ColumnIndices;
  /** Whether the ratings' times were kept (ParseOptions.timestamps, and a time column found). */
  timestamps: boolean;
  /** Physical lines read (including the header and blank lines). */
  lines: number;
  /** Ratings in the dataset (after the duplicate policy). */
  ratings: number;
  /** Distinct users in the dataset. */
  users: number;
  /** Distinct items in the dataset. */
  items: number;
  /** The dataset's rating scale: the one given, else the ratings' min..max. */
  scale: RatingScale;
  /** Whether `scale` was inferred from the ratings (no `scale` option). */
  scaleInferred: boolean;
  /** Repeated (user, item) rows. */
  duplicates: {
    /** The duplicate policy applied. */
    policy: DuplicatePolicy;
    /** Rows that repeated an earlier (user, item) row. */
    found: number;
    /** Rows dropped by the policy (0 for 'keep'). */
    removed: number;
  };
  /** loadRatingsFile's `inPlace` was asked for but not done: why (the rows are plain arrays). */
  inPlace?: string;
  /** Threads that parsed the text (loadRatingsFile's `threads`; 1 elsewhere). */
  threads: number;
}

/** What the parsers and loaders return: the ratings and a summary of how they were read. */
export interface LoadResult {
  /** The ratings. */
  dataset: Dataset;
  /** How the text was read: format, columns, counts, scale, duplicates. */
  summary: LoadSummary;
}

/** The layout {@link detectFormat} found (or the parser settled on). */
export interface Detection {
  /** The format. */
  format: DetectedFormat;
  /** '\t', ',', ';', '::', or ' ' for runs of whitespace. */
  delimiter: string;
  /** Whether the first non-empty line is a header. */
  header: boolean;
  /** The columns given, else those named in the header, else the defaults. */
  columns: ColumnIndices;
}

const FORMATS: readonly RatingsFormat[] = ['auto', 'ml100k', 'ml1m', 'mlcsv', 'delimited'];
const DELIMITERS: readonly Delimiter[] = ['\t', ',', ';', ' '];
const DEFAULT_COLUMNS: ColumnIndices = { user: 0, item: 1, rating: 2 };
/** Non-empty lines looked at by the detection. */
export const SAMPLE_LINES = 10;

// Unambiguous (`\d+(?:\.\d*)?`, not `\d+\.?\d*`): the latter backtracks over every split of a
// digit run, quadratic time on a long run of digits that does not end a number (100k digits: 14 s).
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NONFINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;
const WHITESPACE_RE = /\s+/;
const MLCSV_HEADER_RE = /^\s*"?userId"?\s*,\s*"?movieId"?\s*,\s*"?rating"?\s*(?:,|$)/i;

/**
 * Header names (lower-cased) of each column, for files whose columns are not in the default
 * order: a header `user,item,timestamp,rating` must not have its timestamps read as ratings.
 */
export const HEADER_NAMES: Readonly<Record<(typeof ROLES)[number], readonly string[]>> = {
  user: ['user', 'userid', 'user_id', 'uid', 'customer', 'customerid'],
  item: ['item', 'itemid', 'item_id', 'movieid', 'movie_id', 'movie', 'product', 'productid', 'iid'],
  rating: ['rating', 'score', 'stars', 'value', 'rating_value'],
};
const ROLES = ['user', 'item', 'rating'] as const;
/** Header names (lower-cased) of a time column. */
export const TIME_NAMES: readonly string[] = ['timestamp', 'time', 'ts', 'unixtime', 'unix_time', 'epoch'];
/** The column of each fixed format's timestamps. */
const FORMAT_TIME_COLUMN: Partial<Record<DetectedFormat, number>> = { ml100k: 3, ml1m: 3 };

function roleOfName(field: string): (typeof ROLES)[number] | undefined {
  const name = field.trim().toLowerCase();
  return ROLES.find((role) => HEADER_NAMES[role].includes(name));
}

function isNumeric(text: string | undefined): boolean {
  return text !== undefined && NUMBER_RE.test(text.trim());
}

/**
 * Splits a line on a delimiter; ' ' splits on runs of whitespace. With ',' and ';', quoted fields
 * (RFC 4180) are unquoted; lines without '"' keep the plain split, which is most of the speed.
 * Throws a QuoteError on a malformed quoted field.
 */
export function splitFields(line: string, delimiter: string): string[] {
  if (delimiter === ' ') {
    const t = line.trim();
    return t === '' ? [] : t.split(WHITESPACE_RE);
  }
  if ((delimiter === ',' || delimiter === ';') && line.includes('"')) return splitQuoted(line, delimiter);
  return line.split(delimiter);
}

/** splitFields for the detection: a malformed quote is left for the parser to report with its line. */
function splitForDetection(line: string, delimiter: string): string[] {
  try {
    return splitFields(line, delimiter);
  } catch (err) {
    if (err instanceof QuoteError) return line.split(delimiter);
    throw err;
  }
}

function describeDelimiter(d: string): string {
  return d === '\t' ? 'tab' : d === ' ' ? 'whitespace' : JSON.stringify(d);
}

interface Resolved {
  format: RatingsFormat;
  delimiter: Delimiter | undefined;
  header: boolean | undefined;
  columns: ColumnIndices;
  columnsGiven: boolean;
  scale: RatingScale | undefined;
  duplicates: DuplicatePolicy;
  source: string;
  timestamps: boolean | 'if-present';
}

function resolveOptions(options: ParseOptions): Resolved {
  const format = options.format ?? 'auto';
  if (!FORMATS.includes(format)) {
    throw new OptionError('format', FORMATS.map((f) => `'${f}'`).join(', '), format);
  }
  const fixed = format === 'ml100k' || format === 'ml1m' || format === 'mlcsv';
  const delimiter = options.delimiter;
  if (delimiter !== undefined) {
    if (!DELIMITERS.includes(delimiter)) {
      throw new OptionError('delimiter', "one of '\\t', ',', ';', ' ' (whitespace)", delimiter);
    }
    if (fixed) {
      throw new OptionError('delimiter', `left unset with format '${format}' (use format 'delimited')`, delimiter);
    }
  }
  if (options.header !== undefined && typeof options.header !== 'boolean') {
    throw new OptionError('header', 'true or false', options.header);
  }
  const columns: ColumnIndices = { ...DEFAULT_COLUMNS };
  const given = options.columns;
  if (given !== undefined) {
    if (typeof given !== 'object' || given === null) {
      throw new OptionError('columns', 'an object of 0-based column indices {user, item, rating}', given);
    }
    if (fixed) {
      throw new OptionError(
        'columns',
        `left unset with format '${format}' (use format 'delimited')`,
        JSON.stringify(given),
      );
    }
    for (const key of ['user', 'item', 'rating'] as const) {
      const v = given[key];
      if (v === undefined) continue;
      // Reported on 'columns' itself: callers such as the CLI map OptionError.option to their own
      // flag names by ParseOptions key, so the role goes into the message instead.
      if (!Number.isInteger(v) || v < 0) {
        throw new OptionError('columns', 'integer column indices >= 0', `${key}: ${String(v)}`);
      }
      columns[key] = v;
    }
    if (columns.user === columns.item || columns.user === columns.rating || columns.item === columns.rating) {
      throw new OptionError('columns', 'three different column indices', JSON.stringify(columns));
    }
    const time = given.time;
    if (time !== undefined) {
      if (!Number.isInteger(time) || time < 0) throw new OptionError('columns', 'integer column indices >= 0', `time: ${String(time)}`);
      if (time === columns.user || time === columns.item || time === columns.rating) {
        throw new OptionError('columns', 'a time column apart from the user, item and rating columns', JSON.stringify(given));
      }
      columns.time = time;
    }
  }
  const scale = options.scale;
  if (scale !== undefined) {
    if (typeof scale !== 'object' || scale === null) throw new OptionError('scale', 'an object {lo, hi}', scale);
    if (!Number.isFinite(scale.lo) || !Number.isFinite(scale.hi) || !(scale.lo < scale.hi)) {
      throw new OptionError('scale', 'finite numbers with lo < hi', `${scale.lo}..${scale.hi}`);
    }
  }
  if (options.timestamps !== undefined && typeof options.timestamps !== 'boolean' && options.timestamps !== 'if-present') {
    throw new OptionError('timestamps', "true, false or 'if-present'", options.timestamps);
  }
  const duplicates = options.duplicates ?? 'keep';
  if (!DUPLICATE_POLICIES.includes(duplicates)) {
    throw new OptionError('duplicates', "'keep', 'last' or 'mean'", duplicates);
  }
  return {
    format,
    delimiter,
    header: options.header,
    columns,
    columnsGiven: given !== undefined,
    scale,
    duplicates,
    source: options.source ?? '<string>',
    timestamps: options.timestamps ?? false,
  };
}

/**
 * Detects the format, delimiter, header and columns from sample lines (non-empty, without line
 * ends). `::` -> ml1m; a `userId,movieId,rating` header -> mlcsv; otherwise the delimiter among
 * tab, comma, semicolon and whitespace giving the same field count >= 3 on every sampled line (tab
 * with 4 fields and no header is reported as ml100k). The first line is a header when its user,
 * item and rating fields are all non-numeric and either one of its fields is a known column name
 * (HEADER_NAMES) or the following sampled lines have numeric ratings. Without `columns`, a header's
 * names place the columns. Options given override the detection.
 *
 * @param lines - Sample lines: non-empty, without line ends (the parser uses the first 10).
 * @param options - Options that fix parts of the layout; the others are detected.
 * @returns The format, delimiter, header flag and columns.
 * @throws {@link OptionError} When an option is invalid.
 * @throws {@link DataError} When no delimiter gives 3 or more fields, or a header names the
 *   columns ambiguously (one role unnamed, its default column named for another role).
 */
export function detectFormat(lines: readonly string[], options: ParseOptions = {}): Detection {
  return detect(lines, resolveOptions(options));
}

function detectHeader(lines: readonly string[], delimiter: string, c: ColumnIndices): boolean {
  const first = splitForDetection(lines[0], delimiter);
  // A numeric id or rating marks data: `1,10,4x` is a data line with a bad rating, to be reported
  // as a ParseError on line 1, not silently dropped as a header.
  if (isNumeric(first[c.rating]) || isNumeric(first[c.user]) || isNumeric(first[c.item])) return false;
  // Known names decide alone, so that a file holding only its header reads as having no ratings.
  if (first.some((f) => roleOfName(f) !== undefined)) return true;
  if (lines.length < 2) return false;
  for (let t = 1; t < lines.length; t++) {
    if (!isNumeric(splitForDetection(lines[t], delimiter)[c.rating])) return false;
  }
  return true;
}

/**
 * Columns from header names; a role without a known name keeps its default index. Refused when
 * that default is a column named for another role, as both would read the same column.
 */
function columnsFromHeader(line: string, delimiter: string, source: string): ColumnIndices {
  const fields = splitForDetection(line, delimiter);
  const named: Partial<ColumnIndices> = {};
  for (let k = 0; k < fields.length; k++) {
    const role = roleOfName(fields[k]);
    if (role !== undefined && named[role] === undefined) named[role] = k;
  }
  const columns: ColumnIndices = { ...DEFAULT_COLUMNS, ...named };
  const time = fields.findIndex((f) => TIME_NAMES.includes(f.trim().toLowerCase()));
  if (time >= 0 && !Object.values(named).includes(time)) columns.time = time;
  for (const role of ROLES) {
    if (named[role] !== undefined) continue;
    const other = ROLES.find((r) => r !== role && columns[r] === columns[role]);
    if (other !== undefined) {
      throw new DataError(
        `${source}: the header names column ${columns[other] + 1} (${JSON.stringify(fields[columns[other]].trim())}) ` +
          `as the ${other}, and none as the ${role}, whose default is that same column; ` +
          `give columns (0-based user, item and rating indices)`,
      );
    }
  }
  return columns;
}

function detect(lines: readonly string[], o: Resolved): Detection {
  const d = detectLayout(lines, o);
  const columns =
    d.header && !o.columnsGiven && lines.length > 0 ? columnsFromHeader(lines[0], d.delimiter, o.source) : { ...o.columns };
  if (columns.time === undefined && FORMAT_TIME_COLUMN[d.format] !== undefined && !o.columnsGiven) columns.time = FORMAT_TIME_COLUMN[d.format];
  // The time column is reported (and read) only when the times are asked for.
  if (!o.timestamps) delete columns.time;
  return { ...d, columns };
}

function detectLayout(lines: readonly string[], o: Resolved): Omit<Detection, 'columns'> {
  switch (o.format) {
    case 'ml100k':
      return { format: 'ml100k', delimiter: '\t', header: o.header ?? false };
    case 'ml1m':
      return { format: 'ml1m', delimiter: '::', header: o.header ?? false };
    case 'mlcsv':
      return { format: 'mlcsv', delimiter: ',', header: o.header ?? true };
    default:
      break;
  }
  if (lines.length === 0) {
    // Nothing to look at (the input has no non-empty line): the parser then reports no ratings.
    return { format: 'delimited', delimiter: o.delimiter ?? '\t', header: o.header ?? false };
  }
  const first = lines[0];
  if (o.format === 'auto' && o.delimiter === undefined) {
    if (first.includes('::')) {
      return { format: 'ml1m', delimiter: '::', header: o.header ?? detectHeader(lines, '::', o.columns) };
    }
    if (MLCSV_HEADER_RE.test(first)) return { format: 'mlcsv', delimiter: ',', header: o.header ?? true };
  }
  let delimiter: string | undefined = o.delimiter;
  let fieldCount = -1;
  if (delimiter === undefined) {
    // Strict: the same field count >= 3 on every sampled line, in order of preference.
    for (const d of DELIMITERS) {
      const count = splitForDetection(first, d).length;
      if (count >= 3 && lines.every((l) => splitForDetection(l, d).length === count)) {
        delimiter = d;
        fieldCount = count;
        break;
      }
    }
    // Lenient: the delimiter giving >= 3 fields on most lines, so that a malformed line is then
    // reported with its line number by the parser rather than as a detection failure.
    if (delimiter === undefined) {
      let best = 0;
      for (const d of DELIMITERS) {
        let ok = 0;
        for (const l of lines) if (splitForDetection(l, d).length >= 3) ok++;
        if (ok > best) {
          best = ok;
          delimiter = d;
        }
      }
    }
    if (delimiter === undefined) {
      throw new DataError(
        `${o.source}: cannot detect the delimiter: no line of the first ${lines.length} has 3 or more ` +
          `fields separated by tab, comma, semicolon or whitespace; give format 'delimited' with a delimiter`,
      );
    }
  } else {
    fieldCount = splitForDetection(first, delimiter).length;
  }
  const header = o.header ?? detectHeader(lines, delimiter, o.columns);
  const format: DetectedFormat =
    o.format === 'auto' && delimiter === '\t' && fieldCount === 4 && !header && !o.columnsGiven
      ? 'ml100k'
      : 'delimited';
  return { format, delimiter, header };
}

/** Bytes of UTF-8 decoded at a time. */
const DECODE_SLICE = 1 << 16;

/** Rows of the first block when no row count is expected; later blocks are half the rows so far. */
const FIRST_BLOCK_ROWS = 1 << 16;
/** The most rows of a later block (12 MiB). */
const MAX_BLOCK_ROWS = 1 << 20;

/**
 * The in-place line parser's settings (RatingsParser.fastPathSettings).
 *
 * @internal
 */
export interface FastPathSettings {
  /** SPLIT_CHAR (0), SPLIT_DOUBLE_COLON (1) or SPLIT_WHITESPACE (2). */
  split: number;
  /** The delimiter's character code (SPLIT_CHAR; ':' for '::'). */
  delimiter: number;
  /** Fields a line needs. */
  needed: number;
  user: number;
  item: number;
  rating: number;
  /** The time column, or -1 when times are not kept. */
  time: number;
  scaleLo: number | null;
  scaleHi: number | null;
}

/**
 * What a part parsed elsewhere by the fast path needs interned (RatingsParser.appendKeys).
 *
 * @internal
 */
export interface ParsedKeys {
  /** Lines read, blank ones included. */
  lines: number;
  rows: number;
  /** Per local id (numbered by first appearance in the part): its integer key, or -1 for the next of the strings. */
  userInts: Int32Array;
  userStrings: string[];
  itemInts: Int32Array;
  itemStrings: string[];
}

/** Internal ids of a part's local ids: integer keys, or (where -1) the next string. */
function localIds(interner: Interner, ints: Int32Array, strings: readonly string[]): Uint32Array {
  const out = new Uint32Array(ints.length);
  for (let l = 0, s = 0; l < ints.length; l++) out[l] = ints[l] >= 0 ? interner.internInt(ints[l]) : interner.intern(strings[s++]);
  return out;
}

/**
 * Three parallel arrays for the rows.
 *
 * @internal
 */
export interface RowArrays {
  users: Uint32Array;
  items: Uint32Array;
  ratings: Float32Array;
  /** The times, when kept (else the parser makes its own, or none). */
  times?: Float64Array;
}

/**
 * The parsed rows, in blocks of typed arrays: a full block is kept as it is and a new one begun,
 * so nothing is copied while parsing (a doubling array would copy, and hold old and new at once).
 * `take` joins the blocks once, one array at a time, letting each array's blocks go before the next
 * array is allocated; a single block (the expected row count was given) is not copied at all.
 */
class RowStore {
  private doneU: Uint32Array[] = [];
  private doneI: Uint32Array[] = [];
  private doneR: Float32Array[] = [];
  private doneT: Float64Array[] = [];
  /** Rows in the blocks of done*. */
  private doneRows = 0;
  u: Uint32Array;
  i: Uint32Array;
  r: Float32Array;
  /** The times, when kept (a zero-length array otherwise). */
  t: Float64Array;
  /** Rows in the current block. */
  at = 0;

  /**
   * `given`: the first block's arrays (loadRatingsFile's `inPlace` rows in wasm memory), kept as
   * they are by `take` — never copied to trim them — while the rows fit in them.
   */
  constructor(expectedRows: number, private timed: boolean, public given?: RowArrays) {
    const rows = Math.max(1, expectedRows);
    this.u = given?.users ?? new Uint32Array(rows);
    this.i = given?.items ?? new Uint32Array(rows);
    this.r = given?.ratings ?? new Float32Array(rows);
    this.t = timed ? (given?.times ?? new Float64Array(this.r.length)) : new Float64Array(0);
  }

  /** Whether the rows still go into `given` (they have not outgrown them), times included when kept. */
  uses(given: RowArrays): boolean {
    return this.given === given && this.u === given.users && (!this.timed || this.t === given.times);
  }

  /** `count` rows written into the given arrays by others, after the rows so far. */
  advance(count: number): void {
    if (this.at + count > this.r.length) throw new LatentrecError('RowStore: rows written past the given arrays');
    this.at += count;
  }

  get size(): number {
    return this.doneRows + this.at;
  }

  /** No times after all (timestamps 'if-present' and the file has no time column); before any row. */
  dropTimes(): void {
    this.timed = false;
    this.t = new Float64Array(0);
  }

  push(user: number, item: number, rating: number, time: number): void {
    if (this.at === this.r.length) this.nextBlock();
    const at = this.at++;
    this.u[at] = user;
    this.i[at] = item;
    this.r[at] = rating;
    if (this.timed) this.t[at] = time;
  }

  private nextBlock(): void {
    this.given = undefined; // more rows than the given arrays hold: joined into plain arrays
    this.doneU.push(this.u);
    this.doneI.push(this.i);
    this.doneR.push(this.r);
    this.doneT.push(this.t);
    this.doneRows += this.at;
    const rows = Math.min(MAX_BLOCK_ROWS, Math.max(FIRST_BLOCK_ROWS, this.doneRows >>> 1));
    this.u = new Uint32Array(rows);
    this.i = new Uint32Array(rows);
    this.r = new Float32Array(rows);
    this.t = new Float64Array(this.timed ? rows : 0);
    this.at = 0;
  }

  /** The rows as three arrays of exactly `size` elements; the store is empty afterwards. */
  take(): { u: Uint32Array; i: Uint32Array; r: Float32Array; t?: Float64Array } {
    const n = this.size;
    if (this.given) {
      const { users, items, ratings } = this.given;
      const t = this.timed ? this.t.slice(0, n) : undefined;
      this.given = undefined;
      this.u = this.i = new Uint32Array(0);
      this.r = new Float32Array(0);
      this.t = new Float64Array(0);
      this.at = 0;
      return { u: users.subarray(0, n), i: items.subarray(0, n), r: ratings.subarray(0, n), t };
    }
    const u = joinBlocks(this.doneU, this.u, this.at, n, (m) => new Uint32Array(m));
    this.doneU = [];
    this.u = new Uint32Array(0);
    const i = joinBlocks(this.doneI, this.i, this.at, n, (m) => new Uint32Array(m));
    this.doneI = [];
    this.i = new Uint32Array(0);
    const r = joinBlocks(this.doneR, this.r, this.at, n, (m) => new Float32Array(m));
    this.doneR = [];
    this.r = new Float32Array(0);
    const t = this.timed ? joinBlocks(this.doneT, this.t, this.at, n, (m) => new Float64Array(m)) : undefined;
    this.doneT = [];
    this.t = new Float64Array(0);
    this.doneRows = this.at = 0;
    return { u, i, r, t };
  }
}

/**
 * Full blocks then the first `at` elements of `last`, as one array of n. A lone block is trimmed
 * by a view when at most 1/8 of it is unused (the expected count was about right), else copied.
 */
function joinBlocks<T extends Uint32Array | Float32Array | Float64Array>(done: T[], last: T, at: number, n: number, make: (n: number) => T): T {
  if (done.length === 0) {
    if (at === last.length) return last;
    return (last.length - at <= last.length >>> 3 ? last.subarray(0, at) : last.slice(0, at)) as T;
  }
  const out = make(n);
  let w = 0;
  for (const block of done) {
    out.set(block, w);
    w += block.length;
  }
  out.set(last.subarray(0, at), w);
  return out;
}

/** Ids below this go through Interner's direct table (at most 16 MiB). */
const INT_TABLE_LIMIT = 1 << 22;

/**
 * Interns ids into an IdMap. Canonical decimal integers (no sign, no leading zero, at most 9
 * digits) also go through a table indexed by their value, so a line whose ids were seen before
 * makes no id string. A new id is stored as a copy: V8 keeps substrings of 13 characters or more
 * as slices of their parent, here the whole decoded chunk, which an interned slice would keep alive.
 */
class Interner {
  /** Internal id + 1 by integer value; 0 = not seen. Grows with the ids, up to a multiple of them. */
  private table = new Int32Array(0);

  constructor(readonly map: IdMap) {}

  /** Internal id of text[start, end) (trimmed, non-empty). */
  span(text: string, start: number, end: number): number {
    const len = end - start;
    if (len <= 9 && (len === 1 || text.charCodeAt(start) !== 48)) {
      let v = 0;
      let p = start;
      for (; p < end; p++) {
        const d = text.charCodeAt(p) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (p === end) return this.internInt(v);
    }
    return this.intern(text.slice(start, end));
  }

  /** Internal id of the canonical decimal integer v (< 10^9), as `span` of its digits. */
  internInt(v: number): number {
    if (v < this.table.length) {
      const known = this.table[v];
      if (known !== 0) return known - 1;
    }
    const id = this.intern(String(v));
    if (v >= this.table.length) this.growTable(v);
    if (v < this.table.length) this.table[v] = id + 1;
    return id;
  }

  intern(key: string): number {
    const id = this.map.get(key);
    if (id >= 0) return id;
    return this.map.intern(key.length < 13 ? key : (' ' + key).slice(1));
  }

  /** Grows by 1.5x to hold v, unless v is large next to the ids seen (sparse ids stay strings). */
  private growTable(v: number): void {
    const cap = Math.min(INT_TABLE_LIMIT, Math.max(1 << 16, 16 * this.map.size));
    if (v >= cap) return;
    const grown = new Int32Array(Math.min(cap, Math.max(v + 1, Math.ceil(this.table.length * 1.5))));
    grown.set(this.table);
    this.table = grown;
  }
}

/** 10^k, exact for k <= 22. */
/** 10^k for the decimals of a rating (exact doubles up to 10^22). */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** ASCII whitespace as String.prototype.trim and /\s/ see it (tab, LF, VT, FF, CR, space). */
function isAsciiSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/** How parseInPlace finds fields: one delimiter character, '::', or runs of whitespace. */
const SPLIT_CHAR = 0;
const SPLIT_DOUBLE_COLON = 1;
const SPLIT_WHITESPACE = 2;

/**
 * Incremental parser: `push` chunks of text or UTF-8 bytes, then `finish`. For text that arrives
 * in pieces (a stream, a `fetch` body read chunk by chunk) without holding it whole; lines,
 * `'\r\n'` pairs and UTF-8 characters may straddle chunks. The format is detected from the first
 * 10 non-empty lines. {@link parseRatings} does the same for a whole text or buffer.
 *
 * @example
 * ```ts
 * import { RatingsParser } from 'latentrec';
 *
 * const parser = new RatingsParser({ source: 'ratings.csv' });
 * const reader = (await fetch('/ratings.csv')).body!.getReader();
 * for (let r = await reader.read(); !r.done; r = await reader.read()) parser.push(r.value);
 * const { dataset, summary } = parser.finish();
 * ```
 */
export class RatingsParser {
  private readonly o: Resolved;
  private decoder: TextDecoder | undefined;
  private pending = '';
  /** The last text ended with '\r': a '\n' opening the next one completes that line break. */
  private skipLF = false;
  private lineNo = 0;
  private finished = false;
  private sample: string[] = [];
  private sampleLineNos: number[] = [];
  private detection: Detection | undefined;
  private headerPending = false;
  /** Known once detected: a header may place them. */
  private columns: ColumnIndices = DEFAULT_COLUMNS;
  private needed = 3;
  /** The column times are read from, or -1 when they are not kept. */
  private timeColumn = -1;
  /** parseInPlace's scratch: start and end of each needed field of the current line. */
  private fieldBounds = new Int32Array(6);
  /** Whether the delimiter allows quoted fields (',' and ';'). */
  private quotes = false;

  private splitMode: number = SPLIT_CHAR;
  private delimiterCode = 9;

  private readonly users = new IdMap();
  private readonly items = new IdMap();
  private readonly userIds = new Interner(this.users);
  private readonly itemIds = new Interner(this.items);
  private readonly rows: RowStore;
  private readonly inPlace: boolean;

  /**
   * `expectedRows`: the number of rows to expect, or an upper bound (e.g. the number of line
   * breaks in the input); with it the rows go into one block that is not copied at the end. A
   * wrong guess costs memory or a copy, never a wrong result. `rowArrays`: where to put the rows
   * (for loadRatingsFile's `inPlace`), at least expectedRows + 1 long; the dataset's arrays are
   * then views of them, and removed duplicates are compacted within them.
   *
   * @param options - How to read the text.
   * @param expectedRows - Rows to expect, or an upper bound: an integer >= 0.
   * @param rowArrays - Arrays to parse into (the Node loader's in-place loading); leave it out.
   * @throws {@link OptionError} When an option or `expectedRows` is invalid.
   */
  constructor(options: ParseOptions = {}, expectedRows?: number, rowArrays?: RowArrays) {
    options ??= {}; // JavaScript callers may pass null
    this.o = resolveOptions(options);
    if (expectedRows !== undefined && (!Number.isInteger(expectedRows) || expectedRows < 0)) {
      throw new OptionError('expectedRows', 'an integer >= 0', expectedRows);
    }
    this.rows = new RowStore(expectedRows === undefined ? FIRST_BLOCK_ROWS : expectedRows + 1, this.o.timestamps !== false, rowArrays);
    this.inPlace = rowArrays !== undefined;
  }

  /** What was detected, once enough lines were seen (or after `finish`). */
  get detected(): Detection | undefined {
    return this.detection;
  }

  /**
   * What the in-place line parser needs, once the format is detected and the header (if any)
   * passed, for parsing on other threads (load-parallel-node.ts) into `rows` (the arrays this
   * parser was made with): lines parsed there exactly as parseInPlace would are then added with
   * appendKeys. Otherwise why not. The bytes pushed so far must end with a line break (so no
   * partial UTF-8 character is pending either).
   *
   * @internal
   */
  fastPathSettings(rows: RowArrays): FastPathSettings | string {
    if (this.detection === undefined) return 'the first part did not settle the format';
    if (this.headerPending || this.pending !== '' || this.skipLF || this.finished) return 'the first part did not end at a line start';
    if (!this.rows.uses(rows)) return 'the rows outgrew the arrays made for them';
    const c = this.columns;
    return {
      split: this.splitMode, delimiter: this.delimiterCode, needed: this.needed,
      user: c.user, item: c.item, rating: c.rating, time: this.timeColumn,
      scaleLo: this.o.scale ? this.o.scale.lo : null, scaleHi: this.o.scale ? this.o.scale.hi : null,
    };
  }

  /**
   * Adds a part parsed elsewhere, in file order: its local ids are interned here in the order they
   * first appear in the part (so ids are numbered as if the lines were parsed here), and its rows
   * count as the next `keys.rows` rows. Returns each local id's internal id and the row the part's
   * rows must be moved to (they are written elsewhere, and mapped there).
   *
   * @internal
   */
  appendKeys(keys: ParsedKeys): { userOf: Uint32Array; itemOf: Uint32Array; at: number } {
    if (this.finished) throw new LatentrecError('RatingsParser: appendKeys() after finish()');
    const userOf = localIds(this.userIds, keys.userInts, keys.userStrings);
    const itemOf = localIds(this.itemIds, keys.itemInts, keys.itemStrings);
    const at = this.rows.size;
    this.rows.advance(keys.rows);
    this.lineNo += keys.lines;
    return { userOf, itemOf, at };
  }

  /**
   * Under the 'keep' policy duplicates are only counted: the rows so far, to count them elsewhere.
   *
   * @internal
   */
  rowsToCount(): { users: Uint32Array; items: Uint32Array; userCount: number; itemCount: number } | undefined {
    if (this.o.duplicates !== 'keep' || !this.rows.given) return undefined;
    const n = this.rows.size;
    return { users: this.rows.u.subarray(0, n), items: this.rows.i.subarray(0, n), userCount: this.users.size, itemCount: this.items.size };
  }

  /** Physical lines read so far. */
  get linesRead(): number {
    return this.lineNo;
  }

  /**
   * Parses the next piece of the text. Complete lines are parsed now; a line cut by the end of
   * the chunk waits for the next one.
   *
   * @param chunk - Text, or UTF-8 bytes (a character may be split across chunks). Do not mix the
   *   two within a character: a string flushes any pending partial UTF-8 character.
   * @throws {@link ParseError} For a malformed line (the file, 1-based line and field).
   * @throws {@link DataError} When the format cannot be detected, or `timestamps: true` and the
   *   text has no time column.
   * @throws {@link LatentrecError} When called after `finish`.
   */
  push(chunk: string | Uint8Array): void {
    if (this.finished) throw new LatentrecError('RatingsParser: push() after finish()');
    if (typeof chunk === 'string') {
      if (this.decoder) this.feed(this.decoder.decode());
      this.feed(chunk);
    } else {
      // ignoreBOM: the BOM is left to handleLine, which strips it from line 1 as it does for
      // strings (else bytes lost it twice, and a lone BOM counted as no line instead of one).
      this.decoder ??= new TextDecoder('utf-8', { ignoreBOM: true });
      // In slices: a decoded string lives until a garbage collection, and large ones are kept
      // outside the heap where they hardly prompt one (1 MiB slices cost about 70 MB of RSS).
      for (let at = 0; at < chunk.length || at === 0; at += DECODE_SLICE) {
        const end = Math.min(chunk.length, at + DECODE_SLICE);
        this.feed(this.decoder.decode(at === 0 && end === chunk.length ? chunk : chunk.subarray(at, end), { stream: true }));
      }
    }
  }

  /**
   * The dataset and summary. `duplicatesFound`: the duplicate rows, when counted elsewhere (the
   * parallel loader counts them on its workers) under the 'keep' policy, which only counts them.
   * Parses the last line (which needs no line break), applies the duplicate policy and infers the
   * scale when none was given.
   *
   * @param duplicatesFound - For the Node loader; leave it out.
   * @returns The dataset and the summary.
   * @throws {@link DataError} When the text holds no rating; also as for `push`, for a text of
   *   fewer than 10 non-empty lines, whose format is detected only now.
   * @throws {@link ParseError} For a malformed line not parsed yet (the last one, or every line of
   *   a text of fewer than 10 non-empty lines).
   * @throws {@link LatentrecError} When called twice.
   */
  finish(duplicatesFound?: number): LoadResult {
    if (this.finished) throw new LatentrecError('RatingsParser: finish() called twice');
    if (this.decoder) this.feed(this.decoder.decode());
    if (this.pending !== '') {
      const line = this.pending;
      this.pending = '';
      this.handleLine(line);
    }
    if (this.detection === undefined) this.detectAndFlush();
    this.finished = true;
    const o = this.o;
    const detection = this.detection as Detection;
    if (this.rows.size === 0) {
      throw new DataError(
        `${o.source} has no ratings (${this.lineNo} line${this.lineNo === 1 ? '' : 's'} read` +
          `${detection.header ? ', the first non-empty one taken as a header' : ''})`,
      );
    }
    const rows = this.rows.take();
    const d =
      o.duplicates === 'keep' && duplicatesFound !== undefined
        ? { userIndex: rows.u, itemIndex: rows.i, ratings: rows.r, times: rows.t, found: duplicatesFound, removed: 0 }
        : dedupeRatings(rows.u, rows.i, rows.r, this.users.size, this.items.size, o.duplicates, rows.t, this.inPlace);
    const scale = o.scale ? { lo: o.scale.lo, hi: o.scale.hi } : inferScale(d.ratings);
    const dataset = new Dataset(this.users, this.items, d.userIndex, d.itemIndex, d.ratings, scale, d.times);
    return {
      dataset,
      summary: {
        source: o.source,
        format: detection.format,
        delimiter: detection.delimiter,
        header: detection.header,
        columns: { ...detection.columns },
        timestamps: dataset.times !== undefined,
        lines: this.lineNo,
        ratings: dataset.size,
        users: dataset.userCount,
        items: dataset.itemCount,
        scale,
        scaleInferred: o.scale === undefined,
        duplicates: { policy: o.duplicates, found: d.found, removed: d.removed },
        threads: 1,
      },
    };
  }

  /**
   * Splits text into lines on '\n', '\r\n' and a lone '\r' (old Mac files). The next '\n' and
   * '\r' positions are each searched once and kept until passed, so text without '\r' costs a
   * single extra indexOf per chunk.
   */
  private feed(text: string): void {
    let start = 0;
    if (this.skipLF && text.length > 0) {
      // An empty text (e.g. a decoder flush) must not end the wait for the '\n'.
      this.skipLF = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    let nl = text.indexOf('\n', start);
    let cr = text.indexOf('\r', start);
    while (nl >= 0 || cr >= 0) {
      let end: number;
      let next: number;
      if (cr >= 0 && (nl < 0 || cr < nl)) {
        end = cr;
        next = cr + 1;
        if (next === text.length) this.skipLF = true;
        else if (text.charCodeAt(next) === 10) next++;
      } else {
        end = nl;
        next = nl + 1;
      }
      if (this.pending !== '') {
        const line = this.pending + text.slice(start, end);
        this.pending = '';
        this.handleLine(line);
      } else if (this.detection === undefined || !this.parseInPlace(text, start, end)) {
        this.handleLine(text.slice(start, end));
      }
      start = next;
      if (nl >= 0 && nl < start) nl = text.indexOf('\n', start);
      if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
    }
    if (start < text.length) this.pending += start === 0 ? text : text.slice(start);
  }

  private handleLine(raw: string): void {
    const lineNo = ++this.lineNo;
    let line = raw;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') return;
    if (this.detection === undefined) {
      this.sample.push(line);
      this.sampleLineNos.push(lineNo);
      if (this.sample.length >= SAMPLE_LINES) this.detectAndFlush();
      return;
    }
    this.parseLine(line, lineNo);
  }

  private detectAndFlush(): void {
    const detection = detect(this.sample, this.o);
    this.detection = detection;
    this.headerPending = detection.header;
    const c = detection.columns;
    this.columns = c;
    if (this.o.timestamps === true && c.time === undefined) {
      throw new DataError(
        `${this.o.source}: the ratings' times were asked for (timestamps: true; the Bayesian FM's day group, --time), but the file ` +
          `has no time column: MovieLens files (u.data, ratings.dat, ratings.csv) have one; for other text give columns.time ` +
          `(--columns u,i,r,t) or a header naming it (${TIME_NAMES.join(', ')})`,
      );
    }
    this.timeColumn = this.o.timestamps && c.time !== undefined ? c.time : -1;
    if (this.timeColumn < 0) this.rows.dropTimes();
    this.needed = Math.max(c.user, c.item, c.rating, this.timeColumn) + 1;
    this.fieldBounds = new Int32Array(2 * this.needed);
    this.quotes = detection.delimiter === ',' || detection.delimiter === ';';
    this.splitMode =
      detection.delimiter === '::' ? SPLIT_DOUBLE_COLON : detection.delimiter === ' ' ? SPLIT_WHITESPACE : SPLIT_CHAR;
    this.delimiterCode = detection.delimiter.charCodeAt(0);
    const sample = this.sample;
    const lineNos = this.sampleLineNos;
    this.sample = [];
    this.sampleLineNos = [];
    for (let t = 0; t < sample.length; t++) this.parseLine(sample[t], lineNos[t]);
  }

  private fieldName(key: keyof ColumnIndices): string {
    return `${key} (column ${(this.columns[key] ?? 0) + 1})`;
  }

  /** Names a 0-based column by its role when it has one. */
  private columnName(column: number): string {
    const role = ROLES.find((r) => this.columns[r] === column);
    return role === undefined ? `column ${column + 1}` : this.fieldName(role);
  }

  private splitQuotedLine(line: string, lineNo: number, delimiter: string): string[] {
    try {
      return splitQuoted(line, delimiter);
    } catch (err) {
      if (err instanceof QuoteError) throw new ParseError(this.o.source, lineNo, this.columnName(err.column), err.reason);
      throw err;
    }
  }

  private parseLine(line: string, lineNo: number): void {
    if (this.headerPending) {
      this.headerPending = false;
      return;
    }
    const o = this.o;
    const c = this.columns;
    const delimiter = (this.detection as Detection).delimiter;
    const fields =
      this.quotes && line.includes('"') ? this.splitQuotedLine(line, lineNo, delimiter) : splitFields(line, delimiter);
    if (fields.length < this.needed) {
      // Name the first needed column that is absent.
      let missing: keyof ColumnIndices = 'rating';
      let at = Infinity;
      for (const key of ['user', 'item', 'rating', 'time'] as const) {
        const column = key === 'time' ? this.timeColumn : c[key];
        if (column >= fields.length && column < at) {
          missing = key;
          at = column;
        }
      }
      throw new ParseError(
        o.source,
        lineNo,
        this.fieldName(missing),
        `too few fields: expected at least ${this.needed} separated by ${describeDelimiter(delimiter)}, ` +
          `found ${fields.length}`,
      );
    }
    const user = fields[c.user].trim();
    if (user === '') throw new ParseError(o.source, lineNo, this.fieldName('user'), 'empty user id');
    const item = fields[c.item].trim();
    if (item === '') throw new ParseError(o.source, lineNo, this.fieldName('item'), 'empty item id');
    const text = fields[c.rating].trim();
    const rating = this.parseRating(text, lineNo);
    const time = this.timeColumn >= 0 ? this.parseTime(fields[this.timeColumn].trim(), lineNo) : 0;

    const u = this.userIds.intern(user);
    this.rows.push(u, this.itemIds.intern(item), rating, time);
  }

  private parseTime(text: string, lineNo: number): number {
    const field = this.fieldName('time');
    if (text === '') throw new ParseError(this.o.source, lineNo, field, 'empty time');
    if (!NUMBER_RE.test(text) || !Number.isFinite(Number(text))) {
      throw new ParseError(this.o.source, lineNo, field, `time is not a number (got ${JSON.stringify(text)}; seconds since 1970, as MovieLens writes them)`);
    }
    return Number(text);
  }

  /**
   * Parses the line text[start, end) where it lies, for the common case: after the detection,
   * only ASCII, no '"', enough fields, non-empty ids and a plain decimal rating (digits with at
   * most one '.', up to 15 digits: m / 10^k is then exactly Number(text)) inside the scale.
   * Returns false, having changed nothing, for any other line (blank lines included), which the
   * caller then hands to handleLine: one code path for every check and error message.
   */
  private parseInPlace(text: string, start: number, end: number): boolean {
    if (this.headerPending) return false;
    // Where each of the first `needed` fields starts and ends: [start, end] pairs.
    const bounds = this.fieldBounds;
    const needed = this.needed;
    let field = 0;
    if (this.splitMode === SPLIT_WHITESPACE) {
      let p = start;
      for (;;) {
        while (p < end && isAsciiSpace(text.charCodeAt(p))) p++;
        if (p >= end) break;
        const fs = p;
        for (; p < end; p++) {
          const ch = text.charCodeAt(p);
          if (isAsciiSpace(ch)) break;
          if (ch >= 128 || ch === 34) return false;
        }
        if (field < needed) {
          bounds[2 * field] = fs;
          bounds[2 * field + 1] = p;
        }
        field++;
      }
    } else {
      const d = this.delimiterCode;
      const double = this.splitMode === SPLIT_DOUBLE_COLON;
      let fs = start;
      for (let p = start; p < end; p++) {
        const ch = text.charCodeAt(p);
        if (ch === d && (!double || (p + 1 < end && text.charCodeAt(p + 1) === 58))) {
          if (field < needed) {
            bounds[2 * field] = fs;
            bounds[2 * field + 1] = p;
          }
          field++;
          if (double) p++;
          fs = p + 1;
        } else if (ch >= 128 || ch === 34) {
          return false;
        }
      }
      if (field < needed) {
        bounds[2 * field] = fs;
        bounds[2 * field + 1] = end;
      }
      field++;
    }
    if (field < needed) return false;
    const c = this.columns;
    let us = bounds[2 * c.user], ue = bounds[2 * c.user + 1];
    let is = bounds[2 * c.item], ie = bounds[2 * c.item + 1];
    let rs = bounds[2 * c.rating], re = bounds[2 * c.rating + 1];
    if (this.splitMode !== SPLIT_WHITESPACE) {
      // Fields are trimmed (ASCII whitespace only here: other characters took the general path).
      while (us < ue && isAsciiSpace(text.charCodeAt(us))) us++;
      while (ue > us && isAsciiSpace(text.charCodeAt(ue - 1))) ue--;
      while (is < ie && isAsciiSpace(text.charCodeAt(is))) is++;
      while (ie > is && isAsciiSpace(text.charCodeAt(ie - 1))) ie--;
      while (rs < re && isAsciiSpace(text.charCodeAt(rs))) rs++;
      while (re > rs && isAsciiSpace(text.charCodeAt(re - 1))) re--;
    }
    if (us === ue || is === ie) return false;

    let mantissa = 0;
    let digits = 0;
    let decimals = -1;
    for (let p = rs; p < re; p++) {
      const ch = text.charCodeAt(p);
      if (ch >= 48 && ch <= 57) {
        mantissa = mantissa * 10 + (ch - 48);
        digits++;
        if (decimals >= 0) decimals++;
      } else if (ch === 46 && decimals < 0) {
        decimals = 0;
      } else {
        return false;
      }
    }
    if (digits === 0 || digits > 15) return false;
    const rating = decimals > 0 ? mantissa / POW10[decimals] : mantissa;
    const scale = this.o.scale;
    if (scale && (rating < scale.lo || rating > scale.hi)) return false;
    let time = 0;
    if (this.timeColumn >= 0) {
      // Whole seconds, as MovieLens writes them; anything else takes the general path.
      let ts = bounds[2 * this.timeColumn], te = bounds[2 * this.timeColumn + 1];
      while (ts < te && isAsciiSpace(text.charCodeAt(ts))) ts++;
      while (te > ts && isAsciiSpace(text.charCodeAt(te - 1))) te--;
      if (te === ts || te - ts > 15) return false;
      for (let p = ts; p < te; p++) {
        const d = text.charCodeAt(p) - 48;
        if (d < 0 || d > 9) return false;
        time = time * 10 + d;
      }
    }

    this.lineNo++;
    const u = this.userIds.span(text, us, ue);
    this.rows.push(u, this.itemIds.span(text, is, ie), rating, time);
    return true;
  }

  private parseRating(text: string, lineNo: number): number {
    const o = this.o;
    const field = this.fieldName('rating');
    if (text === '') throw new ParseError(o.source, lineNo, field, 'empty rating');
    if (NONFINITE_RE.test(text)) {
      throw new ParseError(o.source, lineNo, field, `rating must be a finite number (got ${JSON.stringify(text)})`);
    }
    if (!NUMBER_RE.test(text)) {
      throw new ParseError(o.source, lineNo, field, `rating is not a number (got ${JSON.stringify(text)})`);
    }
    const value = Number(text);
    if (!Number.isFinite(Math.fround(value))) {
      throw new ParseError(
        o.source,
        lineNo,
        field,
        `rating must be a finite number (got ${JSON.stringify(text)}, too large for a 32-bit float)`,
      );
    }
    const scale = o.scale;
    if (scale && (value < scale.lo || value > scale.hi)) {
      throw new ParseError(
        o.source,
        lineNo,
        field,
        `rating ${text} is outside the rating scale ${scale.lo}..${scale.hi}`,
      );
    }
    return value;
  }
}

/** Bytes decoded per push by `parseRatings`, so a large buffer is never one decoded string. */
const BYTE_CHUNK = 1 << 20;

/**
 * Parses a whole text or UTF-8 buffer (e.g. from `fetch(...).arrayBuffer()` or a File). The line
 * breaks are counted first, so the rows are stored once, in arrays of the right size.
 * Browser-safe; in Node, `loadRatingsFile` (latentrec/node) streams a file instead.
 *
 * @param text - The whole text, or its UTF-8 bytes.
 * @param options - How to read it; the format is detected by default.
 * @returns The dataset and a summary of how it was read.
 * @throws {@link OptionError} When an option is invalid.
 * @throws {@link ParseError} For a malformed line (source, 1-based line and field).
 * @throws {@link DataError} When there is no rating, the format cannot be detected, or the
 *   times were asked for and there is no time column.
 *
 * @example
 * ```ts
 * import { parseRatings } from 'latentrec';
 *
 * const { dataset, summary } = parseRatings('user,item,rating\nu1,i1,4\nu2,i1,3.5\n');
 * summary.format;  // 'delimited' (comma, with a header)
 * dataset.size;    // 2
 * ```
 */
export function parseRatings(text: string | ArrayBuffer | Uint8Array, options: ParseOptions = {}): LoadResult {
  options ??= {}; // JavaScript callers may pass null
  if (typeof text === 'string') {
    const parser = new RatingsParser(options, countLineBreaks(text));
    parser.push(text);
    return parser.finish();
  }
  const bytes = text instanceof Uint8Array ? text : new Uint8Array(text);
  const parser = new RatingsParser(options, countLineBreaks(bytes));
  for (let at = 0; at < bytes.length; at += BYTE_CHUNK) {
    parser.push(bytes.subarray(at, Math.min(bytes.length, at + BYTE_CHUNK)));
  }
  return parser.finish();
}

/** Lines as counted by '\n' or by '\r', whichever is more (an upper bound but for mixed line ends). */
function countLineBreaks(data: string | Uint8Array): number {
  let lf = 0;
  let cr = 0;
  if (typeof data === 'string') {
    for (let at = data.indexOf('\n'); at >= 0; at = data.indexOf('\n', at + 1)) lf++;
    for (let at = data.indexOf('\r'); at >= 0; at = data.indexOf('\r', at + 1)) cr++;
  } else {
    for (let at = data.indexOf(10); at >= 0; at = data.indexOf(10, at + 1)) lf++;
    for (let at = data.indexOf(13); at >= 0; at = data.indexOf(13, at + 1)) cr++;
  }
  return Math.max(lf, cr);
}
