// MovieLens 100k features. Small files are made up here in u.user / u.item / u.genre's layout
// (no MovieLens content in the repository); the real files are read from outside it when present.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Features } from '../../src/data/features.js';
import { loadMl100kFeatures } from '../../src/data/features-node.js';
import { ML100K_GENRES, ml100kItemFeatures, ml100kUserFeatures } from '../../src/data/ml100k-features.js';
import { DataError, ParseError } from '../../src/errors.js';
import { hasMl100k, ml100kDir, ml100kNote } from '../helpers.js';
import { rejection, thrown } from './helpers.js';

/** A row's feature names, sorted (independent of column numbering). */
function names(f: Features, id: string): string[] {
  const row = f.row(id);
  if (row === undefined) throw new Error(`no row for ${id}`);
  for (const [, weight] of row) expect(weight).toBe(1);
  return row.map(([name]) => name).sort();
}

/** A made-up u.item line: the given genre indexes flagged 1 among `count` flags. */
function itemLine(id: number, date: string, genres: number[], count = 19): string {
  const flags = Array.from({ length: count }, (_, g) => (genres.includes(g) ? '1' : '0'));
  return [id, `Made-up Film ${id}`, date, '', `http://example.org/film/${id}`, ...flags].join('|');
}

function parseError(fn: () => unknown): ParseError {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(ParseError);
  return err as ParseError;
}

describe('ml100kUserFeatures', () => {
  it('age groups, gender, occupation and zip region (worked by hand)', () => {
    const text = [
      '', // the real u.user starts with a blank line; line numbers must still count it
      '1|17|F|writer|02139',
      '2|18|M|programmer|T2N1N4',
      '3|24|F|none|99999',
      '4|25|M|artist|5',
      '5|34|F|doctor|10001-1234',
      '6|35|M|educator|3',
      '7|44|F|lawyer|4',
      '8|45|M|retired|6',
      '9|49|F|retired|7',
      '10|50|M|other|8',
      '11|55|F|other|1',
      '12|56|M|other|X1',
      '13|7|F|student|',
    ].join('\r\n');
    const f = ml100kUserFeatures(text);
    expect(f.size).toBe(13);
    const expected: Record<string, string[]> = {
      '1': ['age:under 18', 'gender:F', 'occupation:writer', 'zip:0'],
      '2': ['age:18-24', 'gender:M', 'occupation:programmer', 'zip:other'],
      '3': ['age:18-24', 'gender:F', 'occupation:none', 'zip:9'],
      '4': ['age:25-34', 'gender:M', 'occupation:artist', 'zip:5'],
      '5': ['age:25-34', 'gender:F', 'occupation:doctor', 'zip:1'],
      '6': ['age:35-44', 'gender:M', 'occupation:educator', 'zip:3'],
      '7': ['age:35-44', 'gender:F', 'occupation:lawyer', 'zip:4'],
      '8': ['age:45-49', 'gender:M', 'occupation:retired', 'zip:6'],
      '9': ['age:45-49', 'gender:F', 'occupation:retired', 'zip:7'],
      '10': ['age:50-55', 'gender:M', 'occupation:other', 'zip:8'],
      '11': ['age:50-55', 'gender:F', 'occupation:other', 'zip:1'],
      '12': ['age:56+', 'gender:M', 'occupation:other', 'zip:other'],
      '13': ['age:under 18', 'gender:F', 'occupation:student', 'zip:other'],
    };
    for (const [id, want] of Object.entries(expected)) expect(names(f, id)).toEqual(want);
    expect(f.ids.raw).toEqual(Object.keys(expected).sort((a, b) => Number(a) - Number(b)));
    // Counted by hand: 7 age groups, 2 genders, 10 occupations, 10 zip regions (1 twice, other thrice).
    expect(f.featureCount).toBe(7 + 2 + 10 + 10);
  });

  it('malformed lines name the file, the line and the field', () => {
    const ok = '1|30|F|writer|12345';
    const cases: Array<[string, string]> = [
      [`${ok}\n2|30|F|writer`, 'u.user:2: zip code (column 5): expected 5 fields separated by "|" (user id | age | gender | occupation | zip code), got 4'],
      [`${ok}\n2|30|F|writer|1|x`, 'u.user:2: column 6: expected 5 fields separated by "|" (user id | age | gender | occupation | zip code), got 6'],
      [`${ok}\n\n2|3O|F|writer|1`, 'u.user:3: age (column 2): age must be a whole number (got "3O")'],
      [`${ok}\n2|30.5|F|writer|1`, 'u.user:2: age (column 2): age must be a whole number (got "30.5")'],
      [`${ok}\n2|30|f|writer|1`, 'u.user:2: gender (column 3): gender must be M or F (got "f")'],
      [`${ok}\n2|30|F||1`, 'u.user:2: occupation (column 4): empty occupation'],
      [`${ok}\n|30|F|writer|1`, 'u.user:2: user id (column 1): empty user id'],
      [`${ok}\n1|31|M|writer|1`, 'u.user:2: user id (column 1): user "1" is already on line 1'],
    ];
    for (const [text, message] of cases) expect(parseError(() => ml100kUserFeatures(text)).message).toBe(message);
    expect(parseError(() => ml100kUserFeatures('1|x|F|a|1', 'dir/u.user')).message).toMatch(/^dir\/u\.user:1: age \(column 2\)/);
  });

  it('no users is a DataError', () => {
    const err = thrown(() => ml100kUserFeatures('\n\n'));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe('u.user has no users (no non-blank lines)');
  });
});

describe('ml100kItemFeatures', () => {
  it('genres and year periods (worked by hand)', () => {
    const text = [
      itemLine(1, '01-Jan-1959', [0]),
      itemLine(2, '31-Dec-1960', [1, 2]),
      itemLine(3, '15-Jul-1969', [4]),
      itemLine(4, '4-Feb-1971', [18]),
      itemLine(5, '01-Jan-1989', [5, 14]),
      itemLine(6, '01-Jan-1990', [8]),
      itemLine(7, '01-Jan-1994', [8, 16, 17]),
      itemLine(8, '01-Jan-1995', [1, 15, 16]),
      itemLine(9, '27-Jun-1999', [10]),
      itemLine(10, '', [0]),
      itemLine(11, '01-jan-2003', [3]),
    ].join('\n') + '\n';
    const f = ml100kItemFeatures(text);
    const expected: Record<string, string[]> = {
      '1': ['genre:unknown', 'year:<1960'],
      '2': ['genre:Action', 'genre:Adventure', 'year:1960s'],
      '3': ["genre:Children's", 'year:1960s'],
      '4': ['genre:Western', 'year:1970s'],
      '5': ['genre:Comedy', 'genre:Romance', 'year:1980s'],
      '6': ['genre:Drama', 'year:1990-1994'],
      '7': ['genre:Drama', 'genre:Thriller', 'genre:War', 'year:1990-1994'],
      '8': ['genre:Action', 'genre:Sci-Fi', 'genre:Thriller', 'year:1995-1999'],
      '9': ['genre:Film-Noir', 'year:1995-1999'],
      '10': ['genre:unknown'],
      '11': ['genre:Animation', 'year:2000-2004'],
    };
    expect(f.size).toBe(11);
    for (const [id, want] of Object.entries(expected)) expect(names(f, id)).toEqual(want);
  });

  it("genre names and their number from u.genre's text; an item may have no feature", () => {
    const genres = 'Alpha|0\r\nGamma, with comma|2\r\nBeta|1\r\n\r\n';
    const text = [itemLine(1, '01-Jan-1995', [0, 2], 3), itemLine(2, '', [], 3), itemLine(3, '', [1], 3)].join('\n');
    const f = ml100kItemFeatures(text, genres);
    expect(names(f, '1')).toEqual(['genre:Alpha', 'genre:Gamma, with comma', 'year:1995-1999']);
    expect(f.row('2')).toEqual([]);
    expect(names(f, '3')).toEqual(['genre:Beta']);
    // 19 flags against 3 genres is a field count error.
    const e = parseError(() => ml100kItemFeatures(itemLine(1, '', [0]), genres));
    expect(e.message).toMatch(/^u\.item:1: column 9: expected 8 fields separated by "\|" \(movie id \| .* \| Alpha flag \| Beta flag \| Gamma, with comma flag\), got 24$/);
  });

  it('without u.genre the 19 standard genres, in order', () => {
    expect(ML100K_GENRES).toHaveLength(19);
    for (let g = 0; g < 19; g++) {
      const f = ml100kItemFeatures(itemLine(1, '', [g]));
      expect(names(f, '1')).toEqual([`genre:${ML100K_GENRES[g]}`]);
    }
    expect([ML100K_GENRES[0], ML100K_GENRES[1], ML100K_GENRES[4], ML100K_GENRES[18]]).toEqual(['unknown', 'Action', "Children's", 'Western']);
  });

  it('malformed lines name the file, the line and the field', () => {
    const ok = itemLine(1, '01-Jan-1995', [1]);
    const badFlag = itemLine(2, '01-Jan-1995', [1]).replace(/\|0$/, '|2');
    const cases: Array<[string, RegExp | string]> = [
      [`${ok}\n${itemLine(2, '01-Jan-1995', [1]).replace(/\|0$/, '')}`, /^u\.item:2: Western flag \(column 24\): expected 24 fields separated by "\|" .*, got 23$/],
      [`${ok}\n${badFlag}`, 'u.item:2: Western flag (column 24): genre flag must be 0 or 1 (got "2")'],
      [`${ok}\n${itemLine(2, '01-Jan-1995', [1]).replace('|1|', '|yes|')}`, 'u.item:2: Action flag (column 7): genre flag must be 0 or 1 (got "yes")'],
      [`${ok}\n${itemLine(2, '1995-01-01', [1])}`, 'u.item:2: release date (column 3): release date must look like 01-Jan-1995 (got "1995-01-01")'],
      [`${ok}\n${itemLine(2, '01-Foo-1995', [1])}`, 'u.item:2: release date (column 3): release date must look like 01-Jan-1995 (got "01-Foo-1995")'],
      [`${ok}\n${itemLine(2, '32-Jan-1995', [1])}`, 'u.item:2: release date (column 3): release date must look like 01-Jan-1995 (got "32-Jan-1995")'],
      [`${ok}\n\n${itemLine(1, '', [1])}`, 'u.item:3: movie id (column 1): movie "1" is already on line 1'],
    ];
    for (const [text, message] of cases) {
      const e = parseError(() => ml100kItemFeatures(text));
      if (typeof message === 'string') expect(e.message).toBe(message);
      else expect(e.message).toMatch(message);
    }
  });

  it('malformed u.genre lines name the genre source', () => {
    const item = itemLine(1, '', [0], 2);
    const cases: Array<[string, string]> = [
      ['A|0\nB', 'g:2: index (column 2): expected 2 fields separated by "|" (genre | index), got 1'],
      ['A|0\nB|x', 'g:2: index (column 2): genre index must be a whole number (got "x")'],
      ['A|0\nB|0', 'g:2: index (column 2): genre index 0 is already on line 1'],
      ['A|0\nA|1', 'g:2: genre (column 1): genre "A" is already on line 1'],
      ['A|0\n|1', 'g:2: genre (column 1): empty genre name'],
    ];
    for (const [genres, message] of cases) {
      expect(parseError(() => ml100kItemFeatures(item, genres, 'i', 'g')).message).toBe(message);
    }
    const gap = thrown(() => ml100kItemFeatures(item, 'A|0\nC|2\n', 'i', 'g'));
    expect(gap).toBeInstanceOf(DataError);
    expect(gap.message).toBe('g: genre indexes must be 0..2 without gaps; index 1 is missing');
    expect(thrown(() => ml100kItemFeatures(item, '\n', 'i', 'g')).message).toBe('g has no genres (no non-blank lines)');
  });
});

describe('loadMl100kFeatures', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'latentrec-ml100k-features-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function dir(name: string, files: Record<string, Buffer>): string {
    const d = join(tmp, name);
    mkdirSync(d, { recursive: true });
    for (const [file, bytes] of Object.entries(files)) writeFileSync(join(d, file), bytes);
    return d;
  }

  it('decodes latin-1 (an accented genre and occupation), u.genre optional', async () => {
    const userText = '1|30|F|artisté|12345\n2|60|M|none|K1A0B1\n';
    const genreText = 'Drame|0\nÉpique|1\n';
    // Titles are not features, so a made-up accented id shows that u.item is decoded as latin-1 too.
    const itemText = `${itemLine(1, '01-Jan-1996', [1], 2).replace('Made-up', 'Café')}\n${itemLine(2, '', [0, 1], 2).replace(/^2/, 'ñ2')}\n`;
    const d = dir('latin1', {
      'u.user': Buffer.from(userText, 'latin1'),
      'u.item': Buffer.from(itemText, 'latin1'),
      'u.genre': Buffer.from(genreText, 'latin1'),
    });
    const { users, items } = await loadMl100kFeatures(d);
    expect(names(users, '1')).toEqual(['age:25-34', 'gender:F', 'occupation:artisté', 'zip:1']);
    expect(names(users, '2')).toEqual(['age:56+', 'gender:M', 'occupation:none', 'zip:other']);
    expect(names(items, '1')).toEqual(['genre:Épique', 'year:1995-1999']);
    expect(names(items, 'ñ2')).toEqual(['genre:Drame', 'genre:Épique']);

    // Without u.genre: the standard 19, so these 2-flag lines are the wrong width, reported with the path.
    const noGenre = dir('no-genre', { 'u.user': Buffer.from(userText, 'latin1'), 'u.item': Buffer.from(itemText, 'latin1') });
    const err = await rejection(loadMl100kFeatures(noGenre));
    expect(err).toBeInstanceOf(ParseError);
    expect(err.message).toMatch(new RegExp(`^${escape(join(noGenre, 'u.item'))}:1: .*expected 24 fields`));
    const standard = dir('standard', {
      'u.user': Buffer.from(userText, 'latin1'),
      'u.item': Buffer.from(`${itemLine(5, '', [3, 7])}\n`, 'latin1'),
    });
    expect(names((await loadMl100kFeatures(standard)).items, '5')).toEqual(['genre:Animation', 'genre:Documentary']);
  });

  it('a missing u.user or u.item is a DataError naming the path', async () => {
    const d = dir('missing', { 'u.user': Buffer.from('1|30|F|writer|1\n') });
    const err = await rejection(loadMl100kFeatures(d));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`cannot read MovieLens 100k movie file ${join(d, 'u.item')}: no such file`);
    const err2 = await rejection(loadMl100kFeatures(join(tmp, 'nowhere')));
    expect(err2.message).toMatch(/^cannot read MovieLens 100k (user|movie) file .*nowhere.*: no such file$/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe.skipIf(!hasMl100k)(`MovieLens 100k's real u.user and u.item${ml100kNote}`, () => {
  // Read here only when present: the describe body runs at collection even when skipped.
  const read = (file: string) => (hasMl100k ? readFileSync(join(ml100kDir, file), 'latin1') : '');
  const userLines = read('u.user')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('|'));
  const itemLines = read('u.item')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('|'));
  const genreNames = read('u.genre')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('|')[0]);

  it('943 users, each with one age group, gender, occupation and zip region, as computed here', async () => {
    const { users } = await loadMl100kFeatures(ml100kDir);
    expect(users.size).toBe(943);
    expect(userLines).toHaveLength(943);
    // MovieLens 1M's groups by their lower bounds (a table, not the library's if-chain).
    const groups: Array<[number, string]> = [[56, '56+'], [50, '50-55'], [45, '45-49'], [35, '35-44'], [25, '25-34'], [18, '18-24'], [0, 'under 18']];
    for (const [id, age, gender, occupation, zip] of userLines) {
      const row = names(users, id);
      expect(row).toHaveLength(4);
      for (const prefix of ['age:', 'gender:', 'occupation:', 'zip:']) {
        expect(row.filter((n) => n.startsWith(prefix))).toHaveLength(1);
      }
      const group = groups.find(([lo]) => Number(age) >= lo)![1];
      const region = /^[0-9]/.test(zip) ? zip[0] : 'other';
      expect(row).toEqual([`age:${group}`, `gender:${gender}`, `occupation:${occupation}`, `zip:${region}`].sort());
    }
    const rows = users.ids.raw.map((id) => names(users, id));
    const count = (name: string) => rows.filter((row) => row.includes(name)).length;
    expect(count('gender:F')).toBe(userLines.filter((l) => l[2] === 'F').length);
    expect(count('zip:other')).toBe(userLines.filter((l) => !/^\d/.test(l[4])).length);
    expect(count('zip:other')).toBeGreaterThan(0);
    const occupations = new Set(userLines.map((l) => l[3]));
    const regions = new Set(userLines.map((l) => (/^\d/.test(l[4]) ? l[4][0] : 'other')));
    const ages = new Set(userLines.map((l) => groups.find(([lo]) => Number(l[1]) >= lo)![1]));
    expect(users.featureCount).toBe(ages.size + 2 + occupations.size + regions.size);
  });

  it('1682 items; each genre count equals the lines with that flag 1; every item has a genre; years as computed here', async () => {
    const { items } = await loadMl100kFeatures(ml100kDir);
    expect(items.size).toBe(1682);
    expect(itemLines).toHaveLength(1682);
    expect(genreNames).toEqual([...ML100K_GENRES]);
    const rows = items.ids.raw.map((id) => names(items, id));
    const withFeature = (name: string) => rows.filter((row) => row.includes(name)).length;
    const actionColumn = 5 + genreNames.indexOf('Action');
    expect(withFeature('genre:Action')).toBe(itemLines.filter((l) => l[actionColumn] === '1').length);
    for (let g = 0; g < genreNames.length; g++) {
      expect(withFeature(`genre:${genreNames[g]}`)).toBe(itemLines.filter((l) => l[5 + g] === '1').length);
    }
    const periods: Array<[number, number, string]> = [
      [0, 1959, '<1960'], [1960, 1969, '1960s'], [1970, 1979, '1970s'], [1980, 1989, '1980s'], [1990, 1994, '1990-1994'], [1995, 1999, '1995-1999'],
    ];
    let withoutYear = 0;
    for (const line of itemLines) {
      const row = names(items, line[0]);
      expect(row.filter((n) => n.startsWith('genre:')).length).toBeGreaterThanOrEqual(1);
      const years = row.filter((n) => n.startsWith('year:'));
      if (line[2] === '') {
        withoutYear++;
        expect(years).toEqual([]);
      } else {
        const year = Number(line[2].slice(-4));
        expect(years).toEqual([`year:${periods.find(([lo, hi]) => year >= lo && year <= hi)![2]}`]);
      }
    }
    expect(rows.filter((row) => !row.some((n) => n.startsWith('year:'))).length).toBe(withoutYear);
    // The builder from text (default genre names) agrees with the loader.
    const fromText = ml100kItemFeatures(read('u.item'));
    for (const id of items.ids.raw) expect(fromText.row(id)).toEqual(items.row(id));
  });
});
