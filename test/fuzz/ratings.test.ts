// Property-based fuzzing of the ratings parser (parseRatings / RatingsParser) in every format.
//
// Documents are generated near-valid: rows in the format's layout with padding, quoting, unicode
// ids, extra and trailing fields, blank lines, a BOM, mixed line ends, duplicate (user, item)
// pairs, and now and then one bad line (a non-numeric, NaN, infinite or too large rating, an
// empty id, too few fields, an unbalanced quote, a header in the middle, junk). The generator
// knows what each line is, so a tiny reference parse of the lines it made gives the exact outcome.
// Properties:
//   (a) nothing but the library's errors, each naming the source, and the line and reason
//       (ParseError) or just the source (file-level DataError);
//   (b) a valid document round-trips: the Dataset holds exactly the reference's (user, item,
//       rating) rows after the duplicate policy, ids in first-appearance order; a bad document
//       fails on its first bad line;
//   (c) strings and UTF-8 bytes pushed in random chunks (splits inside multi-byte characters and
//       between '\r' and '\n', byte by byte) give the same result or the same error message;
//   (d) determinism: a second parse gives the same result.
// Then mutated documents, random text and random bytes, where only (a), (c), (d) and the
// Dataset's invariants can be checked; and random options.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import type { DuplicatePolicy } from '../../src/data/duplicates.js';
import {
  HEADER_NAMES,
  parseRatings,
  RatingsParser,
  type ColumnIndices,
  type Detection,
  type LoadResult,
  type ParseOptions,
} from '../../src/data/parse.js';
import { OptionError, ParseError } from '../../src/errors.js';
import {
  attempt,
  byteByByte,
  checkError,
  cutBytes,
  cutString,
  expectSameOutcome,
  bits,
  canonical,
  fraction,
  isWellFormed,
  joinLines,
  mulberry32,
  type Outcome,
  physicalLines,
  runs,
  Tally,
} from './helpers.js';

const tally = new Tally('ratings');
afterAll(() => tally.print());

const RUNS = {
  perFormat: runs(3000),
  mutated: runs(3000),
  randomText: runs(2000),
  randomBytes: runs(1000),
  options: runs(500),
};

// ---------------------------------------------------------------------------------------------
// The generator

type Format = 'ml100k' | 'ml1m' | 'mlcsv' | 'delimited';
type Delim = '\t' | ',' | ';' | ' ' | '::';

interface Layout {
  format: Format;
  delimiter: Delim;
  /** Fields of a full row. */
  ncols: number;
  columns: ColumnIndices;
  header: boolean;
  /** What is passed as the header option (undefined: the format's default). */
  headerOption: boolean | undefined;
  /** Whether columns are passed (else they come from the header's names, or are the defaults). */
  columnsOption: boolean;
}

type Kind = 'row' | 'blank' | 'badRating' | 'emptyId' | 'tooFew' | 'quote' | 'headerAgain' | 'junk';

interface LineSpec {
  kind: Kind;
  user: string;
  item: string;
  rating: string;
  bad: string;
  junk: string;
  eol: '\n' | '\r\n' | '\r';
  /** Seeds the cosmetic choices (padding, quoting, extra fields). */
  seed: number;
}

interface Doc {
  layout: Layout;
  lines: LineSpec[];
  leadingBlanks: number;
  bom: boolean;
  finalEol: boolean;
  scale: { lo: number; hi: number } | undefined;
  duplicates: DuplicatePolicy;
  source: string;
  headerSeed: number;
}

const DEFAULT_COLUMNS: ColumnIndices = { user: 0, item: 1, rating: 2 };

/** Three distinct columns out of n. */
const placementArb = (n: number): fc.Arbitrary<ColumnIndices> =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 3, maxLength: 3 })
    .map(([user, item, rating]) => ({ user, item, rating }));

const layoutArb = (format: Format): fc.Arbitrary<Layout> => {
  if (format === 'delimited') {
    return fc
      .record({
        delimiter: fc.constantFrom<Delim>('\t', ',', ';', ' '),
        ncols: fc.integer({ min: 3, max: 5 }),
        header: fc.boolean(),
        columnsOption: fc.boolean(),
      })
      .chain((l) =>
        placementArb(l.ncols).map((columns) => {
          const isDefault = columns.user === 0 && columns.item === 1 && columns.rating === 2;
          return {
            format,
            delimiter: l.delimiter,
            ncols: l.ncols,
            columns,
            header: l.header,
            headerOption: l.header,
            // Without a header, non-default columns can only be given.
            columnsOption: l.columnsOption || (!l.header && !isDefault),
          };
        }),
      );
  }
  const delimiter: Delim = format === 'ml100k' ? '\t' : format === 'ml1m' ? '::' : ',';
  const headerDefault = format === 'mlcsv';
  return fc.record({ header: fc.boolean(), explicit: fc.boolean() }).chain(({ header, explicit }) =>
    (header ? placementArb(4) : fc.constant(DEFAULT_COLUMNS)).map((columns) => ({
      format,
      delimiter,
      ncols: 4,
      columns,
      header,
      headerOption: explicit || header !== headerDefault ? header : undefined,
      columnsOption: false,
    })),
  );
};

// Small pools so that (user, item) pairs repeat; ids that stress the integer fast path (leading
// zeros, 9 and 10 digits, beyond 32 bits), unicode, and characters that need quoting.
const USERS = ['1', '2', '3', '10', '01', '0', 'u1', 'zoë', '999999999', '1000000000', '4294967296', 'a b', 'x,y', 'q"t', ' padded', '🎬fan', 'NaN', 'user'];
const ITEMS = ['1', '2', '3', '242', '007', '電影', 'café', 'Ωmega', 'i;j', '5" tv', '12345678901234', 'rating', 'x::y', 'tab\there'];
const idArb = (pool: string[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...pool) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(300), '9'.repeat(40), 'é'.repeat(100)) },
  );

// Valid rating texts: mostly inside every scale used below (1..5 and wider); then signed ones,
// exponents, leading zeros, a bare '.', more than 15 digits (beyond the in-place fast path),
// the float32 maximum, a float32 underflow to -0; and random numbers.
const RATINGS = ['1', '2', '3', '4', '5', '3.5', '4.', '+4', '4.50', '2.5', '1e0', '007', '3.0000000000000001', '1.234567890123456789', '5.0'];
const EDGE_RATINGS = ['0', '.5', '-1', '2.5E-1', '0.1', '10', '1E+1', '-0', '3.4028234e38', '1e-50', '-5e-324', '0.12345678901234567'];
const ratingArb = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...RATINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_RATINGS) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 10 }).map(String) },
  { weight: 1, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String) },
);

// Rating texts that must be refused, whatever the delimiter (filtered per layout below).
const BAD_RATINGS = ['', '   ', 'abc', 'NaN', 'nan', '-inf', 'Infinity', '+Infinity', '1e309', '-1e39', '3.5e38', '4..5', '0x1F', '1_0', '４', '٣', '1e', 'e5', '.', '-', '+', '5stars', '½', '1/2', '--1', '1e5.5', '5 stars', '1\u00a0000', '1'.repeat(3000) + 'x'];

const lineSpecArb: fc.Arbitrary<LineSpec> = fc.record({
  kind: fc.oneof(
    { weight: 150, arbitrary: fc.constant<Kind>('row') },
    { weight: 15, arbitrary: fc.constant<Kind>('blank') },
    ...(['badRating', 'emptyId', 'tooFew', 'quote', 'headerAgain', 'junk'] as const).map((k) => ({
      weight: 1,
      arbitrary: fc.constant<Kind>(k),
    })),
  ),
  user: idArb(USERS),
  item: idArb(ITEMS),
  rating: ratingArb,
  bad: fc.constantFrom(...BAD_RATINGS),
  junk: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  eol: fc.constantFrom<LineSpec['eol']>('\n', '\n', '\n', '\r\n', '\r'),
  seed: fc.nat(),
});

const SOURCES = ['<string>', 'ratings.csv', 'data/u.data', 'données é.tsv', 'C:\\ratings:1.txt'];

const docArb = (format: Format): fc.Arbitrary<Doc> =>
  fc.record({
    layout: layoutArb(format),
    lines: fc.array(lineSpecArb, { maxLength: 40 }),
    leadingBlanks: fc.integer({ min: 0, max: 2 }),
    bom: fc.boolean(),
    finalEol: fc.boolean(),
    scale: fc.option(fc.constantFrom({ lo: 1, hi: 5 }, { lo: 0, hi: 10 }, { lo: -1e6, hi: 1e6 }, { lo: 0.5, hi: 5 }), { freq: 3 }),
    duplicates: fc.constantFrom<DuplicatePolicy>('keep', 'last', 'mean'),
    source: fc.constantFrom(...SOURCES),
    headerSeed: fc.nat(),
  });

// ---------------------------------------------------------------------------------------------
// Rendering, and the reference parse of what was rendered

const quoting = (l: Layout) => l.delimiter === ',' || l.delimiter === ';';

/** An id as the layout can hold it unquoted or quoted: no line breaks, no delimiter where it cannot be quoted. */
function sanitize(id: string, l: Layout): string {
  let s = id.replace(/[\r\n]/g, '_');
  if (l.delimiter === '\t') s = s.replace(/\t/g, '_');
  if (l.delimiter === '::') s = s.replace(/:/g, '_');
  if (l.delimiter === ' ') s = s.replace(/\s/g, '_');
  s = s.trim();
  return s === '' ? 'x' : s;
}

/** Text allowed in any unquoted field of the layout (junk, header names, bad ratings). */
function fitsUnquoted(text: string, l: Layout): boolean {
  if (/[\r\n"]/.test(text)) return false;
  if (l.delimiter === ' ') return !/\s/.test(text);
  if (l.delimiter === '::') return !text.includes(':');
  return !text.includes(l.delimiter);
}

type Pick = <T>(xs: readonly T[]) => T;

function picker(seed: number): { pick: Pick; chance: (p: number) => boolean; int: (n: number) => number } {
  const r = mulberry32(seed);
  return {
    pick: (xs) => xs[Math.floor(r() * xs.length)],
    chance: (p) => r() < p,
    int: (n) => Math.floor(r() * n),
  };
}

/** Joins field texts (content as the parser is to read it) into a line of the layout, padded and quoted at random. */
function joinFields(fields: readonly string[], l: Layout, seed: number, mustQuote: readonly boolean[] = []): string {
  const { pick, chance } = picker(seed);
  if (l.delimiter === ' ') {
    const runs = [' ', ' ', '  ', '\t', ' \t', '\u00a0', '\u3000', '\v', '\f'];
    const lead = chance(0.2) ? pick(runs) : '';
    const tail = chance(0.2) ? pick(runs) : '';
    return lead + fields.map((f, t) => (t === 0 ? f : pick(runs) + f)).join('') + tail;
  }
  const q = quoting(l);
  const out = fields.map((f, t) => {
    const quote = q && (mustQuote[t] || f.includes(l.delimiter) || f.includes('"') || chance(0.1));
    if (quote) {
      const blanks = l.delimiter === '\t' ? [' '] : [' ', '\t'];
      const before = chance(0.2) ? pick(blanks) : '';
      const after = chance(0.2) ? pick(blanks) : '';
      return `${before}"${f.replace(/"/g, '""')}"${after}`;
    }
    const pads = l.delimiter === '\t' ? [' ', '  ', '\u00a0'] : [' ', '  ', '\t', '\u00a0', '\u2003'];
    const before = chance(0.15) ? pick(pads) : '';
    const after = chance(0.15) ? pick(pads) : '';
    return before + f + after;
  });
  return out.join(l.delimiter);
}

function needed(l: Layout): number {
  return Math.max(l.columns.user, l.columns.item, l.columns.rating) + 1;
}

/** The fields of a row: the roles at their columns, timestamps or words elsewhere, maybe extra fields. */
function rowFields(l: Layout, user: string, item: string, rating: string, seed: number): string[] {
  const { chance, int, pick } = picker(seed ^ 0x5bd1e995);
  const need = needed(l);
  // Mostly the full row; sometimes fewer (down to the needed), or 1-2 extra fields.
  const n = chance(0.8) ? l.ncols : Math.max(need, l.ncols - 1 + int(4) - 1);
  const fields: string[] = [];
  for (let t = 0; t < n; t++) {
    if (t === l.columns.user) fields.push(user);
    else if (t === l.columns.item) fields.push(item);
    else if (t === l.columns.rating) fields.push(rating);
    else fields.push(pick(['881250949', '0', 'note', 'ts9']));
  }
  return fields;
}

const OTHER_NAMES = ['timestamp', 'ts', 'extra', 'note'];

function headerLine(l: Layout, seed: number): string {
  const { pick, chance } = picker(seed);
  if (l.columnsOption) {
    // Columns are given: the header is skipped unread, whatever it holds (but it is not blank).
    return pick(['#', 'junk "unbalanced', 'user;item;rating', '🎬 ☃ header', '1,2,3', 'a\tb']).replace(/\t/g, l.delimiter === '\t' ? '\t' : ' ');
  }
  const names: string[] = [];
  for (let t = 0; t < l.ncols; t++) {
    const role = (['user', 'item', 'rating'] as const).find((r) => l.columns[r] === t);
    let name = role ? pick(HEADER_NAMES[role]) : pick(OTHER_NAMES);
    if (l.format === 'mlcsv' && role && chance(0.5)) name = { user: 'userId', item: 'movieId', rating: 'rating' }[role];
    if (chance(0.3)) name = name.toUpperCase();
    names.push(name);
  }
  return joinFields(names, l, seed + 1);
}

type LineClass = { type: 'blank' } | { type: 'row'; user: string; item: string; rating: string } | { type: 'bad' };

function renderLine(spec: LineSpec, l: Layout, scale: Doc['scale']): { text: string; cls: LineClass } {
  const { pick, chance, int } = picker(spec.seed);
  const user = sanitize(spec.user, l);
  const item = sanitize(spec.item, l);
  const need = needed(l);
  let kind = spec.kind;
  if (kind === 'quote' && !quoting(l)) kind = 'badRating';
  if (kind === 'emptyId' && l.delimiter === ' ') kind = 'tooFew';
  switch (kind) {
    case 'blank': {
      const blanks = ['', ' ', '\t', ' \t ', '\u00a0', '\u3000', '\ufeff'];
      return { text: pick(blanks), cls: { type: 'blank' } };
    }
    case 'row': {
      const value = Number(spec.rating);
      const fields = rowFields(l, user, item, spec.rating, spec.seed);
      let text = joinFields(fields, l, spec.seed);
      if (chance(0.1) && l.delimiter !== ' ') text += l.delimiter; // a trailing delimiter: one more (empty) field
      if (scale && !(value >= scale.lo && value <= scale.hi)) return { text, cls: { type: 'bad' } };
      return { text, cls: { type: 'row', user, item, rating: spec.rating } };
    }
    case 'badRating': {
      const bad = fitsUnquoted(spec.bad, l) && !(l.delimiter === ' ' && spec.bad.trim() === '') ? spec.bad : 'abc';
      return { text: joinFields(rowFields(l, user, item, bad, spec.seed), l, spec.seed), cls: { type: 'bad' } };
    }
    case 'emptyId': {
      const fields = rowFields(l, user, item, spec.rating, spec.seed);
      fields[chance(0.5) ? l.columns.user : l.columns.item] = pick(['', ' ', '  ']);
      return { text: joinFields(fields, l, spec.seed), cls: { type: 'bad' } };
    }
    case 'tooFew': {
      const fields = rowFields(l, user, item, spec.rating, spec.seed).slice(0, 1 + int(need - 1));
      return { text: joinFields(fields, l, spec.seed), cls: { type: 'bad' } };
    }
    case 'quote': {
      const fields = rowFields(l, user, item, spec.rating, spec.seed);
      const tail = pick(['"open', '"a"b', ' "never closed, at all', '"x""']);
      return { text: joinFields(fields, l, spec.seed) + l.delimiter + tail, cls: { type: 'bad' } };
    }
    case 'headerAgain': {
      const names = Array.from({ length: Math.max(l.ncols, need) }, (_, t) =>
        t === l.columns.user ? 'user' : t === l.columns.item ? 'item' : t === l.columns.rating ? 'rating' : 'timestamp',
      );
      return { text: joinFields(names, l, spec.seed), cls: { type: 'bad' } };
    }
    case 'junk': {
      // One field: too few, whatever it holds.
      let junk = [...spec.junk].filter((ch) => fitsUnquoted(ch, l) && !/\s/.test(ch) && ch !== ';' && ch !== ',').join('');
      if (junk === '') junk = '#';
      return { text: junk, cls: { type: 'bad' } };
    }
  }
  throw new Error(`unknown kind ${kind}`);
}

interface Rendered {
  text: string;
  options: ParseOptions;
  /** 'error' at a line, 'empty' (no ratings) or the rows of the Dataset. */
  expected:
    | { type: 'error'; line: number }
    | { type: 'empty' }
    | { type: 'rows'; rows: Array<[string, string, number]>; found: number; users: string[]; items: string[] };
  lines: number;
  truth: Omit<Detection, 'format'>;
}

function render(doc: Doc): Rendered {
  const l = doc.layout;
  const pieces: Array<{ text: string; cls: LineClass; eol: string }> = [];
  for (let t = 0; t < doc.leadingBlanks; t++) pieces.push({ text: t === 0 ? '' : ' ', cls: { type: 'blank' }, eol: '\n' });
  if (l.header) pieces.push({ text: headerLine(l, doc.headerSeed), cls: { type: 'blank' }, eol: '\r\n' });
  for (const spec of doc.lines) pieces.push({ ...renderLine(spec, l, doc.scale), eol: spec.eol });

  const { text, starts } = joinLines(pieces, doc.bom, doc.finalEol);
  // Physical line number of each piece, from the text itself ('\r' then an empty piece ending
  // in '\n' is one line end, not two; only blank pieces can be swallowed so).
  const lineAt = new Map<number, number>();
  {
    let line = 1;
    let at = 0;
    lineAt.set(0, 1);
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c === 13 || c === 10) {
        at += c === 13 && text.charCodeAt(at + 1) === 10 ? 2 : 1;
        lineAt.set(at, ++line);
      } else at++;
    }
  }
  const options: ParseOptions = {
    format: l.format,
    ...(l.format === 'delimited' && { delimiter: l.delimiter as ParseOptions['delimiter'] }),
    ...(l.headerOption !== undefined && { header: l.headerOption }),
    ...(l.columnsOption && { columns: { ...l.columns } }),
    ...(doc.scale && { scale: doc.scale }),
    duplicates: doc.duplicates,
    source: doc.source,
  };
  const truth = { delimiter: l.delimiter, header: l.header, columns: { ...l.columns } };
  const lines = physicalLines(text);

  const rows: Array<[string, string, number]> = [];
  for (let t = 0; t < pieces.length; t++) {
    const cls = pieces[t].cls;
    if (cls.type === 'bad') {
      const line = lineAt.get(t === 0 ? 0 : starts[t]);
      if (line === undefined) throw new Error('a bad line does not start a line');
      return { text, options, expected: { type: 'error', line }, lines, truth };
    }
    if (cls.type === 'row') rows.push([cls.user, cls.item, Math.fround(Number(cls.rating))]);
  }
  if (rows.length === 0) return { text, options, expected: { type: 'empty' }, lines, truth };
  return { text, options, expected: { type: 'rows', ...applyPolicy(rows, doc.duplicates) }, lines, truth };
}

/** The duplicate policies by the book: first position kept, last rating or mean of float32 ratings. */
function applyPolicy(rows: Array<[string, string, number]>, policy: DuplicatePolicy) {
  const users: string[] = [];
  const items: string[] = [];
  const seenU = new Set<string>();
  const seenI = new Set<string>();
  for (const [u, i] of rows) {
    if (!seenU.has(u)) seenU.add(u), users.push(u);
    if (!seenI.has(i)) seenI.add(i), items.push(i);
  }
  const firstOf = new Map<string, number>();
  const groups: Array<{ u: string; i: string; values: number[] }> = [];
  let found = 0;
  for (const [u, i, r] of rows) {
    const key = JSON.stringify([u, i]);
    const at = firstOf.get(key);
    if (at === undefined) {
      firstOf.set(key, groups.length);
      groups.push({ u, i, values: [r] });
    } else {
      found++;
      groups[at].values.push(r);
    }
  }
  if (policy === 'keep') return { rows, found, users, items };
  const out = groups.map(({ u, i, values }): [string, string, number] => {
    if (policy === 'last') return [u, i, values[values.length - 1]];
    let sum = values[0]; // (not 0 + ...: a lone -0 stays -0)
    for (let t = 1; t < values.length; t++) sum += values[t];
    return [u, i, Math.fround(sum / values.length)];
  });
  return { rows: out, found, users, items };
}

// ---------------------------------------------------------------------------------------------
// Parsing four ways, and the checks

function triples(ds: Dataset): Array<[string, string, number]> {
  return Array.from({ length: ds.size }, (_, t) => [ds.users.raw[ds.userIndex[t]], ds.items.raw[ds.itemIndex[t]], ds.ratings[t]]);
}

/** The whole result as text (float32 ratings by their bits, -0 kept), for a fast comparison. */
function resultKey(r: LoadResult): string {
  const ds = r.dataset;
  return canonical([ds.users.raw, ds.items.raw, Array.from(ds.userIndex), Array.from(ds.itemIndex), bits(ds.ratings), ds.scale, r.summary]);
}

function expectSameResult(a: LoadResult, b: LoadResult): void {
  if (resultKey(a) !== resultKey(b)) expect(canonical([triples(b.dataset), b.summary])).toBe(canonical([triples(a.dataset), a.summary]));
}

/** The Dataset's invariants, whatever the input. */
function checkDataset(r: LoadResult, options: ParseOptions): void {
  const ds = r.dataset;
  const n = ds.size;
  const fail = (what: string): never => {
    throw new Error(`Dataset invariant broken: ${what}`);
  };
  if (!(n > 0)) fail('no rows');
  if (ds.userIndex.length !== n || ds.itemIndex.length !== n) fail('arrays of different lengths');
  const usedU = new Uint8Array(ds.userCount);
  const usedI = new Uint8Array(ds.itemCount);
  const { lo, hi } = ds.scale;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) fail(`scale ${lo}..${hi}`);
  // A given scale is compared with the float64 value, before rounding to float32.
  const slack = options.scale ? Math.max(Math.abs(lo), Math.abs(hi)) * 2 ** -23 : 0;
  for (let t = 0; t < n; t++) {
    if (ds.userIndex[t] >= ds.userCount) fail(`userIndex[${t}] = ${ds.userIndex[t]} out of range`);
    if (ds.itemIndex[t] >= ds.itemCount) fail(`itemIndex[${t}] = ${ds.itemIndex[t]} out of range`);
    usedU[ds.userIndex[t]] = 1;
    usedI[ds.itemIndex[t]] = 1;
    const v = ds.ratings[t];
    if (!Number.isFinite(v) || v < lo - slack || v > hi + slack) fail(`rating ${v} at row ${t}, scale ${lo}..${hi}`);
  }
  // Every id is used by a row (duplicates keep their first row), distinct, trimmed and non-empty.
  if (!usedU.every((x) => x === 1) || !usedI.every((x) => x === 1)) fail('an id without a row');
  for (const ids of [ds.users.raw, ds.items.raw]) {
    if (new Set(ids).size !== ids.length) fail('ids not distinct');
    for (const id of ids) if (typeof id !== 'string' || id === '' || id.trim() !== id) fail(`id ${JSON.stringify(id)}`);
  }
  const s = r.summary;
  if (s.ratings !== n || s.users !== ds.userCount || s.items !== ds.itemCount) fail('summary counts');
  if (s.duplicates.removed !== (s.duplicates.policy === 'keep' ? 0 : s.duplicates.found)) fail('summary duplicates');
  if (!(s.lines >= n)) fail('fewer lines than ratings');
}

function parseChunks(chunks: ReadonlyArray<string | Uint8Array>, options: ParseOptions, expectedRows?: number): LoadResult {
  const p = new RatingsParser(options, expectedRows);
  for (const c of chunks) p.push(c);
  return p.finish();
}

interface Splits {
  /** Given to the string-chunk parser: any guess (too small, too large) gives the same result. */
  expectedRows: number;
  stringCuts: number[];
  byteCuts: number[];
  byteByByte: boolean;
}

const splitsArb: fc.Arbitrary<Splits> = fc.record({
  expectedRows: fc.integer({ min: 0, max: 60 }),
  stringCuts: fc.array(fraction(fc), { maxLength: 6 }),
  byteCuts: fc.array(fraction(fc), { maxLength: 8 }),
  byteByByte: fc.boolean(),
});

/**
 * Parses `text` as one string, as string chunks, as UTF-8 bytes and as byte chunks (or byte by
 * byte), and a second time as one string: every way gives the same outcome (c, d), which is
 * returned after its error (if any) is checked (a).
 */
function parseEveryWay(text: string, options: ParseOptions, splits: Splits, property: string, lines: number): Outcome<LoadResult> {
  const source = options.source ?? '<string>';
  const whole = attempt(() => parseRatings(text, options));
  const again = attempt(() => parseRatings(text, options));
  const chunks = attempt(() => parseChunks(cutString(text, splits.stringCuts), options, splits.expectedRows));
  expectSameOutcome(whole, again, expectSameResult, `${property}: determinism`);
  expectSameOutcome(whole, chunks, expectSameResult, `${property}: string chunks`);
  if (isWellFormed(text)) {
    const bytes = new TextEncoder().encode(text);
    const fromBytes = attempt(() => parseRatings(bytes, options));
    const byteChunks = attempt(() =>
      parseChunks(splits.byteByByte && bytes.length < 4000 ? byteByByte(bytes) : cutBytes(bytes, splits.byteCuts), options),
    );
    expectSameOutcome(whole, fromBytes, expectSameResult, `${property}: bytes`);
    expectSameOutcome(whole, byteChunks, expectSameResult, `${property}: byte chunks`);
  }
  if (whole.ok) {
    checkDataset(whole.value, options);
    tally.add(property, 'Dataset');
  } else {
    tally.add(property, checkError(whole.error, source, lines));
  }
  return whole;
}

function checkAgainstReference(r: Rendered, outcome: Outcome<LoadResult>): void {
  const e = r.expected;
  if (e.type === 'error') {
    if (outcome.ok) throw new Error(`expected an error on line ${e.line}, got a Dataset of ${outcome.value.dataset.size}`);
    expect(outcome.error).toBeInstanceOf(ParseError);
    expect((outcome.error as ParseError).line, (outcome.error as Error).message).toBe(e.line);
    return;
  }
  if (e.type === 'empty') {
    if (outcome.ok) throw new Error('expected "no ratings"');
    expect((outcome.error as Error).message).toMatch(/ has no ratings \(/);
    return;
  }
  if (!outcome.ok) throw outcome.error;
  const { dataset, summary } = outcome.value;
  const got = canonical([triples(dataset), dataset.users.raw, dataset.items.raw, summary.lines, summary.duplicates.found]);
  const want = canonical([e.rows, e.users, e.items, r.lines, e.found]);
  if (got !== want) expect(got).toBe(want);
  expect({ delimiter: summary.delimiter, header: summary.header, columns: summary.columns }).toEqual(r.truth);
  if (r.options.scale) expect(dataset.scale).toEqual(r.options.scale);
  else {
    let lo = Infinity;
    let hi = -Infinity;
    for (const [, , v] of e.rows) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    expect(dataset.scale).toEqual({ lo, hi });
  }
}

/** Auto-detection on the same text: no crash; when it finds the true layout, the explicit outcome. */
function checkAuto(r: Rendered, explicit: Outcome<LoadResult>, splits: Splits): void {
  const options: ParseOptions = {
    ...(r.options.scale && { scale: r.options.scale }),
    duplicates: r.options.duplicates,
    source: r.options.source,
  };
  const source = options.source as string;
  const parser = new RatingsParser(options, splits.expectedRows);
  const auto = attempt(() => {
    for (const c of cutString(r.text, splits.stringCuts)) parser.push(c);
    return parser.finish();
  });
  const whole = attempt(() => parseRatings(r.text, options));
  expectSameOutcome(whole, auto, expectSameResult, 'auto: string chunks');
  if (auto.ok) checkDataset(auto.value, options);
  else checkError(auto.error, source, r.lines);
  const d = parser.detected;
  const matched = d !== undefined && JSON.stringify({ delimiter: d.delimiter, header: d.header, columns: d.columns }) === JSON.stringify(r.truth);
  if (matched) {
    const withoutFormat = (x: LoadResult): LoadResult => ({ ...x, summary: { ...x.summary, format: 'delimited' } });
    expectSameOutcome(
      explicit.ok ? { ok: true, value: withoutFormat(explicit.value) } : explicit,
      auto.ok ? { ok: true, value: withoutFormat(auto.value) } : auto,
      expectSameResult,
      'auto (layout detected) vs explicit',
    );
  }
  tally.add('auto-detection on the same documents', matched ? 'layout detected' : auto.ok ? 'other layout, Dataset' : 'other layout, error');
}

// ---------------------------------------------------------------------------------------------
// The properties

describe('ratings parser fuzzing (fast-check, fixed seeds)', () => {
  const formats: Array<[Format, number]> = [
    ['ml100k', 0x100],
    ['ml1m', 0x1001],
    ['mlcsv', 0xc5f],
    ['delimited', 0xde1],
  ];
  for (const [format, seed] of formats) {
    it(`format '${format}': near-valid documents match the reference parse, in any chunks, and auto-detection agrees (${RUNS.perFormat} cases)`, () => {
      const property = `format ${format}`;
      fc.assert(
        fc.property(docArb(format), splitsArb, (doc, splits) => {
          tally.time(() => {
            const r = render(doc);
            const outcome = parseEveryWay(r.text, r.options, splits, property, r.lines);
            checkAgainstReference(r, outcome);
            checkAuto(r, outcome, splits);
          });
        }),
        { seed, numRuns: RUNS.perFormat },
      );
      expect(tally.cases(property)).toBe(RUNS.perFormat);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Mutated documents, random text, random bytes, random options

/** Tokens inserted by the mutations: line ends, delimiters, quotes, BOMs, a lone surrogate, numbers that overflow, long runs. */
const NASTY = ['\r', '\n', '\r\n', '"', ',', ';', '\t', ' ', '::', ':', '\ufeff', '\u00a0', '\u2028', '\0', 'NaN', '1e309', '-', '.', 'é', '🎬', '\ud83c', '\udfac', 'user,item,rating\n', 'userId,movieId,rating,timestamp\n', '9'.repeat(20), 'x'.repeat(5000), '1'.repeat(4000) + 'x', ',,,,', '""', '"a""b"', '\t\t\t'];

type Mutation =
  | { op: 'insert'; at: number; token: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'duplicate'; at: number; length: number }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'truncate'; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fraction(fc), token: fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'grapheme', maxLength: 4 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fraction(fc), length: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate' as const), at: fraction(fc), length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swapLines' as const), a: fraction(fc), b: fraction(fc) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fraction(fc) }) },
);

function mutateText(text: string, mutations: readonly Mutation[]): string {
  let t = text;
  for (const m of mutations) {
    const at = 'at' in m ? Math.floor(m.at * (t.length + 1)) : 0;
    switch (m.op) {
      case 'insert':
        t = t.slice(0, at) + m.token + t.slice(at);
        break;
      case 'delete':
        t = t.slice(0, at) + t.slice(at + m.length);
        break;
      case 'duplicate':
        t = t.slice(0, at + m.length) + t.slice(at, at + m.length) + t.slice(at + m.length);
        break;
      case 'swapLines': {
        const lines = t.split('\n');
        const a = Math.floor(m.a * lines.length);
        const b = Math.floor(m.b * lines.length);
        [lines[a], lines[b]] = [lines[b], lines[a]];
        t = lines.join('\n');
        break;
      }
      case 'truncate':
        t = t.slice(0, at);
        break;
    }
  }
  return t;
}

/** Valid options of every kind (a format, maybe a delimiter, header, columns, scale, policy). */
const optionsArb: fc.Arbitrary<ParseOptions> = fc
  .record({
    format: fc.constantFrom<ParseOptions['format']>('auto', 'auto', 'ml100k', 'ml1m', 'mlcsv', 'delimited'),
    delimiter: fc.option(fc.constantFrom<NonNullable<ParseOptions['delimiter']>>('\t', ',', ';', ' '), { nil: undefined }),
    header: fc.option(fc.boolean(), { nil: undefined }),
    columns: fc.option(placementArb(5), { nil: undefined }),
    scale: fc.option(fc.constantFrom({ lo: 1, hi: 5 }, { lo: 0.1, hi: 0.3 }, { lo: -1e30, hi: 1e30 }), { nil: undefined }),
    duplicates: fc.constantFrom<DuplicatePolicy>('keep', 'last', 'mean'),
    source: fc.constantFrom(...SOURCES),
  })
  .map((o) => {
    const fixed = o.format === 'ml100k' || o.format === 'ml1m' || o.format === 'mlcsv';
    const out: ParseOptions = { format: o.format, duplicates: o.duplicates, source: o.source };
    if (!fixed && o.delimiter !== undefined) out.delimiter = o.delimiter;
    if (!fixed && o.columns !== undefined) out.columns = o.columns;
    if (o.header !== undefined) out.header = o.header;
    if (o.scale !== undefined) out.scale = o.scale;
    return out;
  });

/** Text made of the characters that matter to the parser, so random text is often near a format. */
const STRUCTURED_CHARS = ['1', '2', '5', '0', '.', 'e', '-', '+', '\t', ',', ';', ' ', ':', '"', '\r', '\n', '\ufeff', 'a', 'é', '電', '🎬', '\u00a0', 'N', 'I'];

describe('ratings parser fuzzing: damaged and random input (fast-check, fixed seeds)', () => {
  it(`mutated documents: inserted line ends, quotes, delimiters, BOMs, lone surrogates, deletions, truncations (${RUNS.mutated} cases)`, () => {
    const property = 'mutated documents';
    const formatArb = fc.constantFrom<Format>('ml100k', 'ml1m', 'mlcsv', 'delimited').chain((f) => docArb(f));
    fc.assert(
      fc.property(formatArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean(), splitsArb, (doc, ms, auto, splits) => {
        tally.time(() => {
          const r = render(doc);
          const text = mutateText(r.text, ms);
          const options = auto ? { duplicates: doc.duplicates, source: doc.source } : r.options;
          parseEveryWay(text, options, splits, property, physicalLines(text));
        });
      }),
      { seed: 0xbad, numRuns: RUNS.mutated },
    );
    expect(tally.cases(property)).toBe(RUNS.mutated);
  });

  it(`random text, from the parser's own characters and from all of unicode, with random options (${RUNS.randomText} cases)`, () => {
    const property = 'random text';
    const textArb = fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...STRUCTURED_CHARS), maxLength: 300 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom(...NASTY), { maxLength: 30 }).map((a) => a.join('')) },
    );
    fc.assert(
      fc.property(textArb, optionsArb, splitsArb, (text, options, splits) => {
        tally.time(() => parseEveryWay(text, options, splits, property, physicalLines(text)));
      }),
      { seed: 0x7e47, numRuns: RUNS.randomText },
    );
    expect(tally.cases(property)).toBe(RUNS.randomText);
  });

  it(`random bytes (invalid UTF-8 too) give what their decoded text gives, in any chunks (${RUNS.randomBytes} cases)`, () => {
    const property = 'random bytes';
    const encoder = new TextEncoder();
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // structured text with random bytes (0x80-0xff: stray continuation and lead bytes) spliced in
      fc
        .tuple(fc.string({ unit: fc.constantFrom(...STRUCTURED_CHARS), maxLength: 200 }), fc.array(fc.tuple(fraction(fc), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 6 }))
        .map(([s, bytes]) => {
          const b = Array.from(encoder.encode(s));
          for (const [at, v] of bytes) b.splice(Math.floor(at * (b.length + 1)), 0, v);
          return Uint8Array.from(b);
        }),
    );
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    fc.assert(
      fc.property(bytesArb, optionsArb, splitsArb, (bytes, options, splits) => {
        tally.time(() => {
          const text = decoder.decode(bytes);
          const lines = physicalLines(text);
          const fromBytes = attempt(() => parseRatings(bytes, options));
          const chunks = attempt(() => parseChunks(splits.byteByByte ? byteByByte(bytes) : cutBytes(bytes, splits.byteCuts), options));
          const fromText = attempt(() => parseRatings(text, options));
          expectSameOutcome(fromText, fromBytes, expectSameResult, 'bytes vs decoded text');
          expectSameOutcome(fromText, chunks, expectSameResult, 'byte chunks vs decoded text');
          if (fromBytes.ok) checkDataset(fromBytes.value, options);
          tally.add(property, fromBytes.ok ? 'Dataset' : checkError(fromBytes.error, options.source ?? '<string>', lines));
        });
      }),
      { seed: 0xb17e5, numRuns: RUNS.randomBytes },
    );
    expect(tally.cases(property)).toBe(RUNS.randomBytes);
  });

  it(`random options, valid or not: an OptionError exactly when one is invalid (${RUNS.options} cases)`, () => {
    const property = 'random options';
    // Each option mostly valid (so that about half of the sets are), else one of the invalid values.
    const value = (valid: unknown[], invalid: unknown[]) =>
      fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });
    const rawArb = fc.record(
      {
        format: value(['auto', 'delimited', 'auto', 'delimited', 'ml100k', 'ml1m', 'mlcsv'], ['csv', '', 42, null]),
        delimiter: value(['\t', ',', ';', ' '], ['|', '::', '', 'ab', 9, null]),
        header: value([true, false], ['yes', 1, null]),
        columns: value([{ user: 0, item: 1, rating: 2 }, { user: 2, item: 0, rating: 1 }, {}, { user: 3 }], [{ user: -1 }, { item: 1.5 }, { user: 0, item: 0 }, { rating: NaN }, { user: '0' }, null, 'x', 7]),
        scale: value([{ lo: 1, hi: 5 }, { lo: -1, hi: 1e30 }], [{ lo: 5, hi: 1 }, { lo: 1, hi: 1 }, { lo: NaN, hi: 1 }, { lo: 0, hi: Infinity }, {}, null, 'x', 3]),
        duplicates: value(['keep', 'last', 'mean'], ['first', 1, null]),
        source: fc.constantFrom('x.csv', '', 'a:b'),
      },
      { requiredKeys: [] },
    );
    const expectedRowsArb = fc.option(value([0, 5, 1e6], [-1, 1.5, NaN, '3']), { nil: undefined });
    const text = '1,10,4\n2,10,5\n1,11,3\n';
    fc.assert(
      fc.property(rawArb, expectedRowsArb, (raw, expectedRows) => {
        tally.time(() => {
          const options = raw as ParseOptions;
          const valid = optionsValid(raw) && (expectedRows === undefined || (Number.isInteger(expectedRows) && (expectedRows as number) >= 0));
          const outcome = attempt(() => {
            const p = new RatingsParser(options, expectedRows as number | undefined);
            p.push(text);
            return p.finish();
          });
          if (!valid) {
            if (outcome.ok) throw new Error(`invalid options accepted: ${canonical(raw)}, expectedRows ${String(expectedRows)}`);
            tally.add(property, checkError(outcome.error, '', 0, { optionsMayFail: true }));
            expect(outcome.error).toBeInstanceOf(OptionError);
          } else {
            if (!outcome.ok) checkError(outcome.error, String(options.source ?? '<string>'), 3);
            else checkDataset(outcome.value, options);
            tally.add(property, outcome.ok ? 'Dataset' : 'valid options, data error');
          }
        });
      }),
      { seed: 0x0b7, numRuns: RUNS.options },
    );
  });
});

/** The documented rules for options, by the book (format and duplicates default with `??`: null is unset). */
function optionsValid(o: Record<string, unknown>): boolean {
  const format = o.format ?? 'auto';
  if (!['auto', 'ml100k', 'ml1m', 'mlcsv', 'delimited'].includes(format as string)) return false;
  const fixed = format !== 'auto' && format !== 'delimited';
  if (o.delimiter !== undefined && (fixed || !['\t', ',', ';', ' '].includes(o.delimiter as string))) return false;
  if (o.header !== undefined && typeof o.header !== 'boolean') return false;
  if (o.columns !== undefined) {
    if (fixed || typeof o.columns !== 'object' || o.columns === null) return false;
    const c = { user: 0, item: 1, rating: 2, ...(o.columns as object) } as Record<string, unknown>;
    for (const k of ['user', 'item', 'rating']) if (!Number.isInteger(c[k]) || (c[k] as number) < 0) return false;
    if (new Set([c.user, c.item, c.rating]).size < 3) return false;
  }
  if (o.scale !== undefined) {
    const s = o.scale as { lo?: unknown; hi?: unknown } | null;
    if (typeof s !== 'object' || s === null) return false;
    if (!(Number.isFinite(s.lo) && Number.isFinite(s.hi) && (s.lo as number) < (s.hi as number))) return false;
  }
  if (o.duplicates != null && !['keep', 'last', 'mean'].includes(o.duplicates as string)) return false;
  return true;
}
