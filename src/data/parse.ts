// Streaming ratings parser for MovieLens files and generic delimited text. Browser-safe: no Node
// built-ins. Text arrives in chunks (strings or UTF-8 bytes); lines may span chunks. Ratings are
// accumulated in growable typed arrays with ids interned through IdMap, never one object per row.
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
export type DetectedFormat = Exclude<RatingsFormat, 'auto'>;

/** ' ' means runs of whitespace (leading/trailing whitespace ignored). */
export type Delimiter = '\t' | ',' | ';' | ' ';

export interface ColumnIndices {
  user: number;
  item: number;
  rating: number;
}

export interface ParseOptions {
  /** Default 'auto'. */
  format?: RatingsFormat;
  /** For 'delimited' / 'auto'; detected when not given. */
  delimiter?: Delimiter;
  /** Whether the first non-empty line is a header; detected when not given ('mlcsv': true). */
  header?: boolean;
  /**
   * 0-based column indices, for 'delimited' / 'auto'. When not given: taken from the header's
   * column names if there is a header (see HEADER_NAMES), else user 0, item 1, rating 2.
   */
  columns?: Partial<ColumnIndices>;
  /** Ratings outside it are errors; inferred as min..max of the ratings when not given. */
  scale?: RatingScale;
  /** Default 'keep' (as Surprise: duplicate (user, item) rows stay separate ratings). */
  duplicates?: DuplicatePolicy;
  /** Name used in errors and the summary; default '<string>'. */
  source?: string;
}

export interface LoadSummary {
  source: string;
  format: DetectedFormat;
  /** '\t', ',', ';', '::', or ' ' for runs of whitespace. */
  delimiter: string;
  header: boolean;
  /** 0-based columns the user ids, item ids and ratings were read from. */
  columns: ColumnIndices;
  /** Physical lines read (including the header and blank lines). */
  lines: number;
  /** Ratings in the dataset (after the duplicate policy). */
  ratings: number;
  users: number;
  items: number;
  scale: RatingScale;
  scaleInferred: boolean;
  duplicates: { policy: DuplicatePolicy; found: number; removed: number };
}

export interface LoadResult {
  dataset: Dataset;
  summary: LoadSummary;
}

export interface Detection {
  format: DetectedFormat;
  delimiter: string;
  header: boolean;
  /** The columns given, else those named in the header, else the defaults. */
  columns: ColumnIndices;
}

const FORMATS: readonly RatingsFormat[] = ['auto', 'ml100k', 'ml1m', 'mlcsv', 'delimited'];
const DELIMITERS: readonly Delimiter[] = ['\t', ',', ';', ' '];
const DEFAULT_COLUMNS: ColumnIndices = { user: 0, item: 1, rating: 2 };
/** Non-empty lines looked at by the detection. */
export const SAMPLE_LINES = 10;

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NONFINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;
const WHITESPACE_RE = /\s+/;
const MLCSV_HEADER_RE = /^\s*"?userId"?\s*,\s*"?movieId"?\s*,\s*"?rating"?\s*(?:,|$)/i;

/**
 * Header names (lower-cased) of each column, for files whose columns are not in the default
 * order: a header `user,item,timestamp,rating` must not have its timestamps read as ratings.
 */
export const HEADER_NAMES: Readonly<Record<keyof ColumnIndices, readonly string[]>> = {
  user: ['user', 'userid', 'user_id', 'uid', 'customer', 'customerid'],
  item: ['item', 'itemid', 'item_id', 'movieid', 'movie_id', 'movie', 'product', 'productid', 'iid'],
  rating: ['rating', 'score', 'stars', 'value', 'rating_value'],
};
const ROLES = ['user', 'item', 'rating'] as const;
const ROLE_OF_NAME = new Map<string, keyof ColumnIndices>(
  ROLES.flatMap((role) => HEADER_NAMES[role].map((name) => [name, role] as const)),
);

function roleOfName(field: string): keyof ColumnIndices | undefined {
  return ROLE_OF_NAME.get(field.trim().toLowerCase());
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
  }
  const scale = options.scale;
  if (scale !== undefined) {
    if (!Number.isFinite(scale.lo) || !Number.isFinite(scale.hi) || !(scale.lo < scale.hi)) {
      throw new OptionError('scale', 'finite numbers with lo < hi', `${scale.lo}..${scale.hi}`);
    }
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
  const columns = { ...DEFAULT_COLUMNS, ...named };
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

/** Incremental parser: `push` chunks of text or UTF-8 bytes, then `finish`. */
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
  /** Whether the delimiter allows quoted fields (',' and ';'). */
  private quotes = false;

  private readonly users = new IdMap();
  private readonly items = new IdMap();
  private u = new Uint32Array(1024);
  private i = new Uint32Array(1024);
  private r = new Float32Array(1024);
  private n = 0;

  constructor(options: ParseOptions = {}) {
    this.o = resolveOptions(options);
  }

  /** What was detected, once enough lines were seen (or after `finish`). */
  get detected(): Detection | undefined {
    return this.detection;
  }

  push(chunk: string | Uint8Array): void {
    if (this.finished) throw new LatentrecError('RatingsParser: push() after finish()');
    if (typeof chunk === 'string') {
      if (this.decoder) this.feed(this.decoder.decode());
      this.feed(chunk);
    } else {
      this.decoder ??= new TextDecoder('utf-8');
      this.feed(this.decoder.decode(chunk, { stream: true }));
    }
  }

  finish(): LoadResult {
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
    if (this.n === 0) {
      throw new DataError(
        `${o.source} has no ratings (${this.lineNo} line${this.lineNo === 1 ? '' : 's'} read` +
          `${detection.header ? ', the first non-empty one taken as a header' : ''})`,
      );
    }
    const d = dedupeRatings(
      this.u.slice(0, this.n),
      this.i.slice(0, this.n),
      this.r.slice(0, this.n),
      this.users.size,
      this.items.size,
      o.duplicates,
    );
    this.u = this.i = new Uint32Array(0);
    this.r = new Float32Array(0);
    const scale = o.scale ? { lo: o.scale.lo, hi: o.scale.hi } : inferScale(d.ratings);
    const dataset = new Dataset(this.users, this.items, d.userIndex, d.itemIndex, d.ratings, scale);
    return {
      dataset,
      summary: {
        source: o.source,
        format: detection.format,
        delimiter: detection.delimiter,
        header: detection.header,
        columns: { ...detection.columns },
        lines: this.lineNo,
        ratings: dataset.size,
        users: dataset.userCount,
        items: dataset.itemCount,
        scale,
        scaleInferred: o.scale === undefined,
        duplicates: { policy: o.duplicates, found: d.found, removed: d.removed },
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
      let line = text.slice(start, end);
      if (this.pending !== '') {
        line = this.pending + line;
        this.pending = '';
      }
      this.handleLine(line);
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
    this.needed = Math.max(c.user, c.item, c.rating) + 1;
    this.quotes = detection.delimiter === ',' || detection.delimiter === ';';
    const sample = this.sample;
    const lineNos = this.sampleLineNos;
    this.sample = [];
    this.sampleLineNos = [];
    for (let t = 0; t < sample.length; t++) this.parseLine(sample[t], lineNos[t]);
  }

  private fieldName(key: keyof ColumnIndices): string {
    return `${key} (column ${this.columns[key] + 1})`;
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
      for (const key of ['user', 'item', 'rating'] as const) {
        if (c[key] >= fields.length && c[key] < at) {
          missing = key;
          at = c[key];
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

    if (this.n === this.r.length) this.grow();
    const n = this.n++;
    this.u[n] = this.users.intern(user);
    this.i[n] = this.items.intern(item);
    this.r[n] = rating;
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

  private grow(): void {
    const cap = this.r.length * 2;
    const u = new Uint32Array(cap);
    u.set(this.u);
    this.u = u;
    const i = new Uint32Array(cap);
    i.set(this.i);
    this.i = i;
    const r = new Float32Array(cap);
    r.set(this.r);
    this.r = r;
  }
}

/** Bytes decoded per push by `parseRatings`, so a large buffer is never one decoded string. */
const BYTE_CHUNK = 1 << 20;

/** Parses a whole text or UTF-8 buffer (e.g. from `fetch(...).arrayBuffer()` or a File). */
export function parseRatings(text: string | ArrayBuffer | Uint8Array, options: ParseOptions = {}): LoadResult {
  const parser = new RatingsParser(options);
  if (typeof text === 'string') {
    parser.push(text);
  } else {
    const bytes = text instanceof Uint8Array ? text : new Uint8Array(text);
    for (let at = 0; at < bytes.length; at += BYTE_CHUNK) {
      parser.push(bytes.subarray(at, Math.min(bytes.length, at + BYTE_CHUNK)));
    }
  }
  return parser.finish();
}
