// User and movie features of MovieLens 100k, from u.user, u.item and u.genre (layouts in its
// README), for hybrid models. Browser-safe: the builders take the files' text. The files are
// latin-1; decode them as such (loadMl100kFeatures in ./features-node.js does).
import { DataError, ParseError } from '../errors.js';
import { Features } from './features.js';

/** The genres of u.item's 19 flag columns, in the order of u.genre (indexes 0..18). */
export const ML100K_GENRES: readonly string[] = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

const USER_COLUMNS = ['user id', 'age', 'gender', 'occupation', 'zip code'];
const ITEM_COLUMNS = ['movie id', 'movie title', 'release date', 'video release date', 'IMDb URL'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DATE_RE = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/;
const WHOLE_RE = /^\d+$/;

/**
 * User features, one row per line of u.user (`user id | age | gender | occupation | zip code`):
 * `age:<group>` (MovieLens 1M's groups: under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+),
 * `gender:M` or `gender:F`, `occupation:<name>`, and `zip:<first digit>`, or `zip:other` for a
 * code not starting with a digit (Canadian postal codes).
 * `ml100kUserFeatures('7|30|F|writer|20003\n').row('7')` →
 * `[['age:25-34', 1], ['gender:F', 1], ['occupation:writer', 1], ['zip:2', 1]]`.
 *
 * @param text - u.user's text (decoded as latin-1).
 * @param source - Name used in errors.
 * @returns One row per user, every weight 1.
 * @throws {@link ParseError} For a line without 5 '|'-separated fields, an empty or repeated id,
 *   an age that is not a whole number, a gender other than M or F, or an empty occupation.
 * @throws {@link DataError} When the text has no non-blank line.
 */
export function ml100kUserFeatures(text: string, source = 'u.user'): Features {
  const records: Array<[string, string[]]> = [];
  const seen = new Map<string, number>();
  for (const { lineNo, fields } of pipeLines(text, source, USER_COLUMNS)) {
    const error = (column: number, reason: string): ParseError =>
      new ParseError(source, lineNo, columnName(USER_COLUMNS, column), reason);
    const [id, ageText, gender, occupation, zip] = fields;
    checkNewId(id, 'user', seen, lineNo, error);
    if (!WHOLE_RE.test(ageText)) throw error(1, `age must be a whole number (got ${JSON.stringify(ageText)})`);
    if (gender !== 'M' && gender !== 'F') throw error(2, `gender must be M or F (got ${JSON.stringify(gender)})`);
    if (occupation === '') throw error(3, 'empty occupation');
    records.push([
      id,
      [`age:${ageGroup(Number(ageText))}`, `gender:${gender}`, `occupation:${occupation}`, `zip:${zipRegion(zip)}`],
    ]);
  }
  return nonEmpty(records, source, 'user');
}

/**
 * Movie features, one row per line of u.item (`movie id | movie title | release date |
 * video release date | IMDb URL | one 0/1 flag per genre`): `genre:<name>` for each flag 1 and
 * `year:<period>` from the release date (dd-Mon-yyyy): `year:<1960`, then decades (`year:1960s`,
 * `year:1970s`, `year:1980s`) and, from 1990 where most of its movies are, five-year periods
 * (`year:1990-1994`, `year:1995-1999`, ...). No release date, no year feature. Genre names and
 * their number come from u.genre's text (`name|index` lines) when given, else ML100K_GENRES.
 *
 * @param itemText - u.item's text (decoded as latin-1).
 * @param genreText - u.genre's text, or undefined for {@link ML100K_GENRES}.
 * @param source - Name of u.item in errors.
 * @param genreSource - Name of u.genre in errors.
 * @returns One row per movie, every weight 1.
 * @throws {@link ParseError} For a line with the wrong number of fields, an empty or repeated id,
 *   a genre flag other than 0 or 1, a malformed release date, or a bad u.genre line.
 * @throws {@link DataError} When a text has no non-blank line, or u.genre's indexes are not 0..n-1.
 */
export function ml100kItemFeatures(
  itemText: string,
  genreText?: string,
  source = 'u.item',
  genreSource = 'u.genre',
): Features {
  const genres = genreText === undefined ? ML100K_GENRES : parseGenres(genreText, genreSource);
  const columns = [...ITEM_COLUMNS, ...genres.map((g) => `${g} flag`)];
  const records: Array<[string, string[]]> = [];
  const seen = new Map<string, number>();
  for (const { lineNo, fields } of pipeLines(itemText, source, columns)) {
    const error = (column: number, reason: string): ParseError =>
      new ParseError(source, lineNo, columnName(columns, column), reason);
    const id = fields[0];
    checkNewId(id, 'movie', seen, lineNo, error);
    const features: string[] = [];
    for (let g = 0; g < genres.length; g++) {
      const flag = fields[ITEM_COLUMNS.length + g];
      if (flag === '1') features.push(`genre:${genres[g]}`);
      else if (flag !== '0') throw error(ITEM_COLUMNS.length + g, `genre flag must be 0 or 1 (got ${JSON.stringify(flag)})`);
    }
    const date = fields[2];
    if (date !== '') {
      const year = releaseYear(date);
      if (year === undefined) throw error(2, `release date must look like 01-Jan-1995 (got ${JSON.stringify(date)})`);
      features.push(`year:${yearPeriod(year)}`);
    }
    records.push([id, features]);
  }
  return nonEmpty(records, source, 'movie');
}

interface PipeLine {
  lineNo: number;
  /** Trimmed, exactly as many as the file's columns. */
  fields: string[];
}

/** The non-blank lines of a '|'-separated MovieLens file, checked to have one field per column. */
function* pipeLines(content: string, source: string, columns: readonly string[]): Generator<PipeLine> {
  const lines = content.split(/\r\n|\r|\n/);
  if (lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
  for (let t = 0; t < lines.length; t++) {
    if (lines[t].trim() === '') continue;
    const fields = lines[t].split('|').map((f) => f.trim());
    if (fields.length !== columns.length) {
      throw new ParseError(
        source,
        t + 1,
        columnName(columns, Math.min(fields.length, columns.length)),
        `expected ${columns.length} fields separated by "|" (${columns.join(' | ')}), got ${fields.length}`,
      );
    }
    yield { lineNo: t + 1, fields };
  }
}

/** `age (column 2)`; a column past the layout is just `column N`. */
function columnName(columns: readonly string[], column: number): string {
  return column < columns.length ? `${columns[column]} (column ${column + 1})` : `column ${column + 1}`;
}

function checkNewId(
  id: string,
  kind: string,
  seen: Map<string, number>,
  lineNo: number,
  error: (column: number, reason: string) => ParseError,
): void {
  if (id === '') throw error(0, `empty ${kind} id`);
  const earlier = seen.get(id);
  if (earlier !== undefined) throw error(0, `${kind} ${JSON.stringify(id)} is already on line ${earlier}`);
  seen.set(id, lineNo);
}

function nonEmpty(records: Array<[string, string[]]>, source: string, kind: string): Features {
  if (records.length === 0) throw new DataError(`${source} has no ${kind}s (no non-blank lines)`);
  return Features.fromRecords(records);
}

/** MovieLens 1M's age groups (its README), so that the two datasets' features match. */
function ageGroup(age: number): string {
  if (age < 18) return 'under 18';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 50) return '45-49';
  if (age < 56) return '50-55';
  return '56+';
}

function zipRegion(zip: string): string {
  const c = zip.charCodeAt(0);
  return c >= 48 && c <= 57 ? zip[0] : 'other';
}

/** The year of a dd-Mon-yyyy date, or undefined when the text is not one. */
function releaseYear(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const day = Number(m[1]);
  if (day < 1 || day > 31 || !MONTHS.includes(m[2].toLowerCase())) return undefined;
  return Number(m[3]);
}

/** Coarse where movies are few, finer in the 1990s where most of ML-100k's are. */
function yearPeriod(year: number): string {
  if (year < 1960) return '<1960';
  if (year < 1990) return `${year - (year % 10)}s`;
  const from = year - (year % 5);
  return `${from}-${from + 4}`;
}

/** u.genre's `name|index` lines as names by index; indexes must be 0..n-1, each once. */
function parseGenres(content: string, source: string): string[] {
  const columns = ['genre', 'index'];
  // By index in a Map, not a sparse array: names[4294967295] would be a property, not an element,
  // and that genre would vanish without an error.
  const nameOfIndex = new Map<number, string>();
  const lineOfIndex = new Map<number, number>();
  const lineOfName = new Map<string, number>();
  for (const { lineNo, fields } of pipeLines(content, source, columns)) {
    const error = (column: number, reason: string): ParseError =>
      new ParseError(source, lineNo, columnName(columns, column), reason);
    const [name, indexText] = fields;
    if (name === '') throw error(0, 'empty genre name');
    if (!WHOLE_RE.test(indexText)) throw error(1, `genre index must be a whole number (got ${JSON.stringify(indexText)})`);
    const index = Number(indexText);
    const sameIndex = lineOfIndex.get(index);
    if (sameIndex !== undefined) throw error(1, `genre index ${index} is already on line ${sameIndex}`);
    const sameName = lineOfName.get(name);
    if (sameName !== undefined) throw error(0, `genre ${JSON.stringify(name)} is already on line ${sameName}`);
    lineOfIndex.set(index, lineNo);
    lineOfName.set(name, lineNo);
    nameOfIndex.set(index, name);
  }
  if (nameOfIndex.size === 0) throw new DataError(`${source} has no genres (no non-blank lines)`);
  let last = 0;
  for (const index of nameOfIndex.keys()) last = Math.max(last, index);
  // n distinct indexes are 0..n-1 exactly when none of 0..n-1 is missing.
  for (let g = 0; g < nameOfIndex.size; g++) {
    if (!nameOfIndex.has(g)) throw new DataError(`${source}: genre indexes must be 0..${last} without gaps; index ${g} is missing`);
  }
  return Array.from({ length: nameOfIndex.size }, (_, g) => nameOfIndex.get(g) as string);
}
