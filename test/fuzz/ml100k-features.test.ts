// Property-based fuzzing of the MovieLens 100k feature parsers: u.user (ml100kUserFeatures), u.item
// with or without u.genre (ml100kItemFeatures).
//
// Files are generated near-valid, '|'-separated in MovieLens' layouts, with padding, unicode
// (latin-1 decoded) text, blank lines, a BOM and mixed line ends; now and then a bad line (field
// count, empty or repeated id, a bad age, gender, occupation, genre flag or release date; in
// u.genre a repeated or missing index or name, a huge index). The generator knows each line, so a
// tiny reference parse gives the exact features. Properties:
//   (a) nothing but ParseError (source, line, reason) or DataError naming the source;
//   (b) a valid file gives exactly the reference's features; a bad one fails on its first bad line
//       (u.genre's gaps are file-level: a DataError naming u.genre);
//   (c) the same file with other line ends, or a BOM, gives the same outcome;
//   (d) determinism.
// Then mutated files and random text, for (a), (c), (d).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Features } from '../../src/data/features.js';
import { ML100K_GENRES, ml100kItemFeatures, ml100kUserFeatures } from '../../src/data/ml100k-features.js';
import { DataError, ParseError } from '../../src/errors.js';
import { applyEdits, attempt, bits, canonical, checkError, editArb, expectSameOutcome, mulberry32, type Outcome, physicalLines, runs, Tally } from './helpers.js';

const tally = new Tally('ml100k features');
afterAll(() => tally.print());

const RUNS = { users: runs(3000), items: runs(4000), mutated: runs(2000), randomText: runs(1500) };

type Eol = '\n' | '\r\n' | '\r';
const eolArb = fc.constantFrom<Eol>('\n', '\n', '\r\n', '\r');

function picker(seed: number) {
  const r = mulberry32(seed);
  return { pick: <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)], chance: (p: number) => r() < p };
}

/** No '|' and no line break; trimmed, as the parser reads fields. */
function clean(text: string): string {
  return text.replace(/[|\r\n]/g, '_').trim();
}

/** Fields joined by '|', padded at random (fields are trimmed). */
function join(fields: readonly string[], seed: number): string {
  const { pick, chance } = picker(seed);
  const pad = () => (chance(0.1) ? pick([' ', '\t', '\u00a0']) : '');
  return fields.map((f) => pad() + f + pad()).join('|');
}

interface Piece {
  text: string;
  eol: Eol;
  /** The record this line makes, or 'skip' (blank), or 'bad' (the first one is the error). */
  cls: { type: 'skip' } | { type: 'bad' } | { type: 'record'; id: string; features: string[] };
}

/** The text, and the expected outcome from the pieces. */
function assemble(pieces: Piece[], bom: boolean, finalEol: boolean) {
  let text = bom ? '\ufeff' : '';
  let bad: number | undefined;
  const records: Array<[string, string[]]> = [];
  pieces.forEach((p, t) => {
    const line = t === 0 ? 1 : physicalLines(text) + 1;
    text += p.text;
    if (t < pieces.length - 1 || finalEol) text += p.eol;
    if (p.cls.type === 'bad' && bad === undefined) bad = line;
    if (p.cls.type === 'record' && bad === undefined) records.push([p.cls.id, p.cls.features]);
  });
  return { text, bad, records };
}

/** The rows a Features holds, as [id, [name, weight] in column order]. */
function rowsOf(f: Features): Array<[string, Array<[string, number]>]> {
  return f.ids.raw.map((id) => [id, f.row(id) as Array<[string, number]>]);
}

/** The reference's rows: names numbered by first appearance, each row's in that order, weight 1. */
function referenceRows(records: Array<[string, string[]]>): Array<[string, Array<[string, number]>]> {
  const order = new Map<string, number>();
  for (const [, features] of records) for (const f of features) if (!order.has(f)) order.set(f, order.size);
  return records.map(([id, features]) => [id, [...features].sort((a, b) => (order.get(a) as number) - (order.get(b) as number)).map((f): [string, number] => [f, 1])]);
}

function featuresKey(f: Features): string {
  return canonical([f.ids.raw, f.names.raw, Array.from(f.start), Array.from(f.cols), bits(f.vals)]);
}

function expectSameFeatures(a: Features, b: Features): void {
  if (featuresKey(a) !== featuresKey(b)) expect(featuresKey(b)).toBe(featuresKey(a));
}

/**
 * Runs `parse` on the text, again, with other line ends and behind a BOM: one outcome (c, d),
 * returned after its error is checked (a). `sources` are the names an error may carry.
 */
function parseEveryWay(text: string, parse: (text: string) => Features, source: string, property: string, lines = physicalLines(text)): Outcome<Features> {
  const whole = attempt(() => parse(text));
  expectSameOutcome(whole, attempt(() => parse(text)), expectSameFeatures, `${property}: determinism`);
  for (const eol of ['\n', '\r\n', '\r']) {
    const other = text.replace(/\r\n|\r|\n/g, eol);
    if (other !== text) expectSameOutcome(whole, attempt(() => parse(other)), expectSameFeatures, `${property}: ${JSON.stringify(eol)} line ends`);
  }
  if (!text.startsWith('\ufeff')) expectSameOutcome(whole, attempt(() => parse('\ufeff' + text)), expectSameFeatures, `${property}: BOM`);
  if (whole.ok) tally.add(property, 'Features');
  else tally.add(property, checkError(whole.error, source, lines));
  return whole;
}

function checkAgainstReference(outcome: Outcome<Features>, expected: { bad: number | undefined; records: Array<[string, string[]]> }, what: string): void {
  if (expected.bad !== undefined) {
    if (outcome.ok) throw new Error(`${what}: expected an error on line ${expected.bad}, got ${featuresKey(outcome.value)}`);
    expect(outcome.error, (outcome.error as Error).message).toBeInstanceOf(ParseError);
    expect((outcome.error as ParseError).line, (outcome.error as Error).message).toBe(expected.bad);
    return;
  }
  if (expected.records.length === 0) {
    if (outcome.ok) throw new Error(`${what}: expected "no ...s"`);
    expect(outcome.error).toBeInstanceOf(DataError);
    return;
  }
  if (!outcome.ok) throw outcome.error;
  const got = canonical(rowsOf(outcome.value));
  const want = canonical(referenceRows(expected.records));
  if (got !== want) expect(got).toBe(want);
}

// ---------------------------------------------------------------------------------------------
// u.user

const AGES = ['0', '7', '17', '18', '24', '25', '34', '35', '44', '45', '49', '50', '55', '56', '73', '007', '123456789012345678901234567890'];
const BAD_AGES = ['', '-1', '1.5', 'abc', '2 3', '+5', '1e2', '٣', '１'];
const OCCUPATIONS = ['writer', 'technician', 'other', 'none', 'étudiant', 'air traffic', '電影', 'x'.repeat(500)];
const ZIPS = ['55414', 'T8H1N', '', 'V3N 4P3', '0', '9', 'é1', '00000'];

function ageGroup(age: number): string {
  return age < 18 ? 'under 18' : age < 25 ? '18-24' : age < 35 ? '25-34' : age < 45 ? '35-44' : age < 50 ? '45-49' : age < 56 ? '50-55' : '56+';
}

type UserKind = 'row' | 'blank' | 'fieldCount' | 'emptyId' | 'repeatId' | 'age' | 'gender' | 'occupation';
const userLineArb = fc.record({
  kind: fc.oneof(
    { weight: 100, arbitrary: fc.constant<UserKind>('row') },
    { weight: 8, arbitrary: fc.constant<UserKind>('blank') },
    ...(['fieldCount', 'emptyId', 'repeatId', 'age', 'gender', 'occupation'] as const).map((k) => ({ weight: 1, arbitrary: fc.constant<UserKind>(k) })),
  ),
  id: fc.oneof(fc.integer({ min: 1, max: 2000 }).map(String), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 })),
  age: fc.constantFrom(...AGES),
  gender: fc.constantFrom('M', 'F'),
  occupation: fc.oneof(fc.constantFrom(...OCCUPATIONS), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 })),
  zip: fc.oneof(fc.constantFrom(...ZIPS), fc.string({ unit: 'grapheme', maxLength: 5 })),
  bad: fc.constantFrom(...BAD_AGES),
  eol: eolArb,
  seed: fc.nat(),
});

const userFileArb = fc.record({ lines: fc.array(userLineArb, { maxLength: 30 }), bom: fc.boolean(), finalEol: fc.boolean(), source: fc.constantFrom('u.user', 'ml-100k/u.user', 'users é.txt') });

function renderUsers(file: { lines: Array<typeof userLineArb extends fc.Arbitrary<infer T> ? T : never>; bom: boolean; finalEol: boolean }) {
  const seen = new Set<string>();
  const pieces: Piece[] = file.lines.map((l) => {
    const { pick, chance } = picker(l.seed);
    const id = clean(l.id) || 'x';
    const occupation = clean(l.occupation) || 'other';
    const zip = clean(l.zip);
    const fields = [id, l.age, l.gender, occupation, zip];
    let kind = l.kind;
    if (kind === 'repeatId' && seen.size === 0) kind = 'emptyId';
    switch (kind) {
      case 'blank':
        return { text: pick(['', ' ', '\t', '\u00a0']), eol: l.eol, cls: { type: 'skip' } };
      case 'row': {
        if (seen.has(id)) return { text: join(fields, l.seed), eol: l.eol, cls: { type: 'bad' } };
        seen.add(id);
        const z = zip.charCodeAt(0);
        const features = [`age:${ageGroup(Number(l.age))}`, `gender:${l.gender}`, `occupation:${occupation}`, `zip:${z >= 48 && z <= 57 ? zip[0] : 'other'}`];
        return { text: join(fields, l.seed), eol: l.eol, cls: { type: 'record', id, features } };
      }
      case 'fieldCount':
        return { text: join(chance(0.5) ? fields.slice(0, 1 + Math.floor(l.seed % 4)) : [...fields, 'extra'], l.seed), eol: l.eol, cls: { type: 'bad' } };
      case 'emptyId':
        fields[0] = pick(['', ' ']);
        break;
      case 'repeatId':
        fields[0] = [...seen][l.seed % seen.size];
        break;
      case 'age':
        fields[1] = l.bad;
        break;
      case 'gender':
        fields[2] = pick(['m', 'f', 'X', '', 'MF', 'Ⅿ']);
        break;
      case 'occupation':
        fields[3] = pick(['', '  ']);
        break;
    }
    return { text: join(fields, l.seed), eol: l.eol, cls: { type: 'bad' } };
  });
  return assemble(pieces, file.bom, file.finalEol);
}

// ---------------------------------------------------------------------------------------------
// u.item and u.genre

const DATES = ['01-Jan-1995', '1-jan-1995', '31-DEC-1959', '15-Mar-1960', '09-Sep-1989', '30-Jun-1990', '01-Jan-1994', '01-May-1997', '12-Oct-2003', '01-Jan-0000', '07-Feb-9999'];
const BAD_DATES = ['32-Jan-1995', '0-Jan-1995', '00-Jan-1995', '01-Foo-1995', '1995', '01-Jan-95', '01-January-1995', '01/01/1995', 'Jan-01-1995', '001-Jan-1995', '01-Jan-19955'];
const TITLES = ['Toy Story (1995)', 'GoldenEye (1995)', 'Amélie (2001)', 'Shanghai Triad (Yao a yao yao dao waipo qiao) (1995)', '', 'Se7en; "quoted", commas', 'x'.repeat(300)];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function yearPeriod(year: number): string {
  if (year < 1960) return '<1960';
  if (year < 1990) return `${Math.floor(year / 10) * 10}s`;
  const from = Math.floor(year / 5) * 5;
  return `${from}-${from + 4}`;
}

/** A u.genre text: the names with indexes 0..n-1 in some order, maybe damaged. */
type GenreDamage = 'none' | 'gap' | 'repeatIndex' | 'repeatName' | 'badIndex' | 'emptyName' | 'hugeIndex' | 'fieldCount';
const genreArb = fc.record({
  names: fc.uniqueArray(fc.oneof(fc.constantFrom(...ML100K_GENRES), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 })), {
    minLength: 1,
    maxLength: 22,
    selector: (s) => clean(s) || 'g',
  }),
  order: fc.array(fc.nat()),
  damage: fc.oneof({ weight: 12, arbitrary: fc.constant<GenreDamage>('none') }, fc.constantFrom<GenreDamage>('gap', 'repeatIndex', 'repeatName', 'badIndex', 'emptyName', 'hugeIndex', 'fieldCount')),
  huge: fc.constantFrom('4294967295', '4294967296', '99999999999', '1' + '0'.repeat(30), '9'.repeat(400)),
  trailingBlanks: fc.integer({ min: 0, max: 2 }),
  eol: eolArb,
  seed: fc.nat(),
});

type GenreSpec = typeof genreArb extends fc.Arbitrary<infer T> ? T : never;

/** The u.genre text and what it must give: the names by index, an error line, or a file-level error. */
function renderGenres(g: GenreSpec): { text: string; names?: string[]; badLine?: number; fileError?: boolean } {
  const names = g.names.map((n) => clean(n) || 'g');
  const lines = names.map((name, index) => ({ name, index: String(index) }));
  // Shuffle (the order of u.genre's lines does not matter, only the indexes).
  for (let t = lines.length - 1; t > 0; t--) {
    const k = (g.order[t] ?? t) % (t + 1);
    [lines[t], lines[k]] = [lines[k], lines[t]];
  }
  let badLine: number | undefined;
  let fileError = false;
  const last = lines.length; // 1-based line of the last genre line
  switch (g.damage) {
    case 'gap': {
      // One line renumbered past the end (two past, if it held the last index): a gap, file-level.
      const t = g.seed % lines.length;
      lines[t].index = String(Number(lines[t].index) === lines.length - 1 ? lines.length + 1 : lines.length);
      fileError = true;
      break;
    }
    case 'repeatIndex':
      lines.push({ name: `${names[0]}-again`, index: lines[g.seed % lines.length].index });
      badLine = last + 1;
      break;
    case 'repeatName':
      lines.push({ name: lines[g.seed % lines.length].name, index: String(lines.length) });
      badLine = last + 1;
      break;
    case 'badIndex':
      lines[lines.length - 1].index = picker(g.seed).pick(['', '-1', '1.0', 'x', '1e1', '+1']);
      badLine = last;
      break;
    case 'emptyName':
      lines[lines.length - 1].name = '';
      badLine = last;
      break;
    case 'hugeIndex':
      // An index far past the genres: they cannot be 0..n-1 without a gap (file-level).
      lines.push({ name: `${names[0]}-huge`, index: g.huge });
      fileError = true;
      break;
    case 'fieldCount':
      lines.push({ name: `${names[0]}|x`, index: String(lines.length) });
      badLine = last + 1;
      break;
    case 'none':
      break;
  }
  let text = lines.map((l) => join([l.name, l.index], g.seed)).join(g.eol) + g.eol.repeat(g.trailingBlanks + 1);
  if (g.seed % 7 === 0) text = text.replace(/\r\n|\r|\n/g, '\r\n');
  if (badLine !== undefined) return { text, badLine };
  if (fileError) return { text, fileError };
  return { text, names };
}

type ItemKind = 'row' | 'blank' | 'fieldCount' | 'emptyId' | 'repeatId' | 'flag' | 'date';
const itemLineArb = fc.record({
  kind: fc.oneof(
    { weight: 100, arbitrary: fc.constant<ItemKind>('row') },
    { weight: 8, arbitrary: fc.constant<ItemKind>('blank') },
    ...(['fieldCount', 'emptyId', 'repeatId', 'flag', 'date'] as const).map((k) => ({ weight: 1, arbitrary: fc.constant<ItemKind>(k) })),
  ),
  id: fc.oneof(fc.integer({ min: 1, max: 1682 }).map(String), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 })),
  title: fc.oneof(fc.constantFrom(...TITLES), fc.string({ unit: 'grapheme', maxLength: 10 })),
  date: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...DATES) }, { weight: 1, arbitrary: fc.constant('') }),
  badDate: fc.constantFrom(...BAD_DATES),
  flags: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
  eol: eolArb,
  seed: fc.nat(),
});

const itemFileArb = fc.record({
  lines: fc.array(itemLineArb, { maxLength: 25 }),
  genres: fc.option(genreArb, { nil: undefined, freq: 3 }),
  bom: fc.boolean(),
  finalEol: fc.boolean(),
  source: fc.constantFrom('u.item', 'ml-100k/u.item', 'films é.txt'),
  genreSource: fc.constantFrom('u.genre', 'g:1.txt'),
});

function renderItems(lines: Array<typeof itemLineArb extends fc.Arbitrary<infer T> ? T : never>, genres: readonly string[], bom: boolean, finalEol: boolean) {
  const seen = new Set<string>();
  const pieces: Piece[] = lines.map((l) => {
    const { pick, chance } = picker(l.seed);
    const id = clean(l.id) || 'x';
    const flags = genres.map((_, g) => (l.flags[g % l.flags.length] ? '1' : '0'));
    const fields = [id, clean(l.title), l.date, '', 'http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)', ...flags];
    let kind = l.kind;
    if (kind === 'repeatId' && seen.size === 0) kind = 'emptyId';
    switch (kind) {
      case 'blank':
        return { text: pick(['', ' ', '\t']), eol: l.eol, cls: { type: 'skip' } };
      case 'row': {
        if (seen.has(id)) return { text: join(fields, l.seed), eol: l.eol, cls: { type: 'bad' } };
        seen.add(id);
        const features = genres.filter((_, g) => flags[g] === '1').map((name) => `genre:${name}`);
        if (l.date !== '') {
          const m = /^(\d+)-(\w+)-(\d+)$/.exec(l.date) as RegExpExecArray;
          if (!MONTHS.includes(m[2].toLowerCase())) throw new Error('bad test date');
          features.push(`year:${yearPeriod(Number(m[3]))}`);
        }
        return { text: join(fields, l.seed), eol: l.eol, cls: { type: 'record', id, features } };
      }
      case 'fieldCount':
        return { text: join(chance(0.5) ? fields.slice(0, -1) : [...fields, '0'], l.seed), eol: l.eol, cls: { type: 'bad' } };
      case 'emptyId':
        fields[0] = '';
        break;
      case 'repeatId':
        fields[0] = [...seen][l.seed % seen.size];
        break;
      case 'flag':
        fields[5 + (l.seed % genres.length)] = pick(['2', '', 'x', '01', '-1', 'yes']);
        break;
      case 'date':
        fields[2] = l.badDate;
        break;
    }
    return { text: join(fields, l.seed), eol: l.eol, cls: { type: 'bad' } };
  });
  return assemble(pieces, bom, finalEol);
}

// ---------------------------------------------------------------------------------------------

describe('MovieLens 100k feature parsers fuzzing (fast-check, fixed seeds)', () => {
  it(`u.user: near-valid files match the reference features (${RUNS.users} cases)`, () => {
    const property = 'u.user near-valid';
    fc.assert(
      fc.property(userFileArb, (file) => {
        tally.time(() => {
          const r = renderUsers(file);
          const outcome = parseEveryWay(r.text, (t) => ml100kUserFeatures(t, file.source), file.source, property);
          checkAgainstReference(outcome, r, 'u.user');
        });
      }),
      { seed: 0x05e4, numRuns: RUNS.users },
    );
    expect(tally.cases(property)).toBe(RUNS.users);
  });

  it(`u.item with or without u.genre: near-valid files match the reference features (${RUNS.items} cases)`, () => {
    const property = 'u.item (+ u.genre) near-valid';
    fc.assert(
      fc.property(itemFileArb, (file) => {
        tally.time(() => {
          const g = file.genres ? renderGenres(file.genres) : undefined;
          const genreNames = g?.names ?? (g ? ['A', 'B'] : ML100K_GENRES);
          const r = renderItems(file.lines, genreNames, file.bom, file.finalEol);
          const parse = (t: string) => ml100kItemFeatures(t, g?.text, file.source, file.genreSource);
          if (g && g.names === undefined) {
            const whole = attempt(() => parse(r.text));
            // u.genre is read first: its error, whatever u.item holds.
            if (whole.ok) throw new Error(`a damaged u.genre was accepted: ${JSON.stringify(g.text)}`);
            tally.add(property, checkError(whole.error, file.genreSource, physicalLines(g.text)));
            if (g.badLine !== undefined) expect((whole.error as ParseError).line, (whole.error as Error).message).toBe(g.badLine);
            else expect(whole.error, (whole.error as Error).message).toBeInstanceOf(DataError);
            return;
          }
          const outcome = parseEveryWay(r.text, parse, file.source, property);
          checkAgainstReference(outcome, r, 'u.item');
        });
      }),
      { seed: 0x17e3, numRuns: RUNS.items },
    );
    expect(tally.cases(property)).toBe(RUNS.items);
  });

  const NASTY = ['|', '||', '\r', '\n', '\r\n', ' ', '\ufeff', '\0', '1', '0', '-', 'M', 'F', '01-Jan-1995', '32-Jan-1995', '9'.repeat(30), 'é', '\ud83c'];
  const edit = editArb(fc, NASTY, 6);

  it(`mutated u.user, u.item and u.genre files (${RUNS.mutated} cases)`, () => {
    const property = (which: string) => `mutated ${which}`;
    const caseArb = fc.oneof(
      fc.record({ which: fc.constant('user' as const), file: userFileArb, edits: fc.array(edit, { minLength: 1, maxLength: 4 }) }),
      fc.record({ which: fc.constant('item' as const), file: itemFileArb, edits: fc.array(edit, { minLength: 1, maxLength: 4 }), genreEdits: fc.array(edit, { maxLength: 2 }) }),
    );
    fc.assert(
      fc.property(caseArb, (c) => {
        tally.time(() => {
          if (c.which === 'user') {
            const text = applyEdits(renderUsers(c.file).text, c.edits);
            parseEveryWay(text, (t) => ml100kUserFeatures(t, c.file.source), c.file.source, property('u.user'));
            return;
          }
          const g = c.file.genres ? renderGenres(c.file.genres) : undefined;
          const genreText = g ? applyEdits(g.text, c.genreEdits) : undefined;
          const text = applyEdits(renderItems(c.file.lines, g?.names ?? ML100K_GENRES, c.file.bom, c.file.finalEol).text, c.edits);
          const outcome = attempt(() => ml100kItemFeatures(text, genreText, c.file.source, c.file.genreSource));
          const name = property(genreText === undefined ? 'u.item' : 'u.item + u.genre');
          if (outcome.ok) {
            tally.add(name, 'Features');
            return;
          }
          // The error names whichever file it is about.
          const err = outcome.error as Error;
          const fromGenres = genreText !== undefined && err.message.startsWith(c.file.genreSource) && !err.message.startsWith(c.file.source);
          tally.add(name, checkError(err, fromGenres ? c.file.genreSource : c.file.source, physicalLines(fromGenres ? (genreText as string) : text)));
        });
      }),
      { seed: 0x3a7, numRuns: RUNS.mutated },
    );
    expect(tally.cases(property('u.user')) + tally.cases(property('u.item')) + tally.cases(property('u.item + u.genre'))).toBe(RUNS.mutated);
  });

  it(`random text as u.user, u.item and u.genre (${RUNS.randomText} cases)`, () => {
    const property = (which: string) => `random text as ${which}`;
    const chars = ['|', '1', '0', 'M', 'F', '-', 'a', 'J', 'n', ' ', '\n', '\r', 'é', '\ufeff', '9'];
    const textArb = fc.oneof(fc.string({ unit: fc.constantFrom(...chars), maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 120 }));
    fc.assert(
      fc.property(textArb, fc.constantFrom('u.user', 'u.item', 'u.genre'), (text, which) => {
        tally.time(() => {
          if (which === 'u.user') parseEveryWay(text, (t) => ml100kUserFeatures(t, 'u.user'), 'u.user', property(which));
          else if (which === 'u.item') parseEveryWay(text, (t) => ml100kItemFeatures(t, undefined, 'u.item'), 'u.item', property(which));
          else {
            const outcome = attempt(() => ml100kItemFeatures('1|t||||0\n', text, 'u.item', 'u.genre'));
            const source = !outcome.ok && (outcome.error as Error).message.startsWith('u.genre') ? 'u.genre' : 'u.item';
            tally.add(property(which), outcome.ok ? 'Features' : checkError(outcome.error, source, Math.max(physicalLines(text), 1)));
          }
        });
      }),
      { seed: 0x7a7, numRuns: RUNS.randomText },
    );
    expect(tally.cases(property('u.user')) + tally.cases(property('u.item')) + tally.cases(property('u.genre'))).toBe(RUNS.randomText);
  });
});
