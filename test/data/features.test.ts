import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IdMap } from '../../src/data/dataset.js';
import { Features, parseFeatures, type FeatureParseOptions } from '../../src/data/features.js';
import { loadFeaturesFile } from '../../src/data/features-node.js';
import { DataError, OptionError, ParseError } from '../../src/errors.js';
import { mulberry32 } from '../prng.js';
import { rejection, thrown } from './helpers.js';

/** Every row as [id, [name, weight][]], in row order: what a Features holds, independent of numbering. */
function dump(f: Features): Array<[string, Array<[string, number]>]> {
  return f.ids.raw.map((id) => [id, f.row(id) as Array<[string, number]>]);
}

function csr(f: Features) {
  return {
    ids: f.ids.raw,
    names: f.names.raw,
    start: Array.from(f.start),
    cols: Array.from(f.cols),
    vals: Array.from(f.vals),
  };
}

describe('Features.fromRecords', () => {
  it('lays records out as CSR (worked by hand)', () => {
    const f = Features.fromRecords([
      ['u1', ['a', ['b', 2]]],
      ['u2', [['c', 0.5]]],
      ['u3', ['b']],
    ]);
    // names numbered by first appearance: a=0, b=1, c=2
    expect(csr(f)).toEqual({
      ids: ['u1', 'u2', 'u3'],
      names: ['a', 'b', 'c'],
      start: [0, 2, 3, 4],
      cols: [0, 1, 2, 1],
      vals: [1, 2, 0.5, 1],
    });
    expect(f.size).toBe(3);
    expect(f.featureCount).toBe(3);
    expect(f.row('u1')).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(f.row('u2')).toEqual([['c', 0.5]]);
    expect(f.row('nobody')).toBeUndefined();
  });

  it('an id in several records accumulates its features; records need not be grouped', () => {
    const f = Features.fromRecords([
      ['x', ['p']],
      ['y', ['q']],
      ['x', [['r', 3]]],
      ['y', ['p']],
    ]);
    // p=0, q=1, r=2; x: p, r; y: q, p → sorted p, q
    expect(csr(f)).toEqual({
      ids: ['x', 'y'],
      names: ['p', 'q', 'r'],
      start: [0, 2, 4],
      cols: [0, 2, 0, 1],
      vals: [1, 3, 1, 1],
    });
  });

  it('columns are sorted ascending within each row whatever the order given', () => {
    const f = Features.fromRecords([
      ['first', ['c', 'b', 'a']], // c=0, b=1, a=2
      ['second', [['a', 1], ['c', 3], ['b', 2]]],
    ]);
    expect(Array.from(f.cols)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(f.vals)).toEqual([1, 1, 1, 3, 2, 1]);
    expect(f.row('second')).toEqual([
      ['c', 3],
      ['b', 2],
      ['a', 1],
    ]);
  });

  it('numeric ids are strings; names are case-sensitive; an empty record still makes a row', () => {
    const f = Features.fromRecords([
      [7, ['Genre', 'genre']],
      ['8', []],
    ]);
    expect(f.ids.raw).toEqual(['7', '8']);
    expect(f.row(7)).toEqual([
      ['Genre', 1],
      ['genre', 1],
    ]);
    expect(f.row('8')).toEqual([]);
    expect(Array.from(f.start)).toEqual([0, 2, 2]);
  });

  it('no records: an empty matrix', () => {
    expect(csr(Features.fromRecords([]))).toEqual({ ids: [], names: [], start: [0], cols: [], vals: [] });
  });

  it('matches a naive map on random records (ids repeated across records, shuffled)', () => {
    const rand = mulberry32(42);
    for (let trial = 0; trial < 20; trial++) {
      const expected = new Map<string, Map<string, number>>();
      const pairs: Array<[string, string, number]> = [];
      for (let t = 0; t < 200; t++) {
        const id = `e${Math.floor(rand() * 15)}`;
        const name = `f${Math.floor(rand() * 25)}`;
        if (expected.get(id)?.has(name)) continue;
        const weight = Math.fround(rand() * 4 - 2);
        if (!expected.has(id)) expected.set(id, new Map());
        expected.get(id)!.set(name, weight);
        pairs.push([id, name, weight]);
      }
      // Records of 1..3 pairs of the same id, in pair order, so ids recur across records.
      const records: Array<[string, Array<[string, number]>]> = [];
      for (let t = 0; t < pairs.length; ) {
        const [id] = pairs[t];
        const run: Array<[string, number]> = [];
        while (t < pairs.length && pairs[t][0] === id && run.length < 1 + Math.floor(rand() * 3)) {
          run.push([pairs[t][1], pairs[t][2]]);
          t++;
        }
        records.push([id, run]);
      }
      const f = Features.fromRecords(records);
      expect(f.ids.raw).toEqual([...new Set(pairs.map((p) => p[0]))]);
      expect(f.names.raw).toEqual([...new Set(pairs.map((p) => p[1]))]);
      expect(f.cols.length).toBe(pairs.length);
      for (const [id, row] of expected) {
        expect(new Map(f.row(id))).toEqual(row);
        const r = f.ids.get(id);
        for (let k = f.start[r] + 1; k < f.start[r + 1]; k++) expect(f.cols[k]).toBeGreaterThan(f.cols[k - 1]);
      }
    }
  });

  it('errors name the id and the feature', () => {
    const cases: Array<[Parameters<typeof Features.fromRecords>[0], RegExp]> = [
      [[['u1', ['']]], /id "u1": empty feature name/],
      [[['u1', [['  ', 2]]]], /id "u1": empty feature name/],
      [[['u1', [['a', NaN]]]], /id "u1": the weight of feature "a" is NaN; weights must be finite/],
      [[['u1', [['a', Infinity]]]], /id "u1": the weight of feature "a" is Infinity/],
      [[['u1', [['a', 1e39]]]], /feature "a" is 1e\+39; .*32-bit float/],
      [[['u1', ['a', ['a', 2]]]], /id "u1": feature "a" is given twice/],
      [[['u1', ['a']], ['u2', ['a']], ['u1', ['a']]], /id "u1": feature "a" is given twice/],
      [[[5, [['b', '1' as unknown as number]]]], /id "5": the weight of feature "b" is 1; weights must be finite numbers/],
    ];
    for (const [records, message] of cases) {
      const err = thrown(() => Features.fromRecords(records));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(message);
    }
  });
});

describe('the Features constructor checks the layout', () => {
  const ids = IdMap.from(['a', 'b']);
  const names = IdMap.from(['x', 'y']);
  const u32 = (xs: number[]) => Uint32Array.from(xs);
  const f32 = (xs: number[]) => Float32Array.from(xs);

  it('accepts a valid layout', () => {
    const f = new Features(ids, names, u32([0, 1, 3]), u32([1, 0, 1]), f32([1, 2, 3]));
    expect(f.row('b')).toEqual([
      ['x', 2],
      ['y', 3],
    ]);
  });

  it.each([
    ['start of the wrong length', [0, 3], [1, 0, 1], [1, 2, 3], /ids\.size \+ 1 = 3 offsets \(got 2\)/],
    ['cols and vals of different lengths', [0, 1, 3], [1, 0, 1], [1, 2], /same length/],
    ['start not ending at cols.length', [0, 1, 2], [1, 0, 1], [1, 2, 3], /from 0 to cols\.length = 3/],
    ['column out of range', [0, 1, 3], [2, 0, 1], [1, 2, 3], /column 2 of row 0 is not below featureCount = 2/],
    ['unsorted columns', [0, 1, 3], [1, 1, 0], [1, 2, 3], /columns of row 1 \(id "b"\) must be ascending and distinct/],
    ['repeated column', [0, 1, 3], [1, 1, 1], [1, 2, 3], /columns of row 1 \(id "b"\) must be ascending and distinct/],
    ['non-finite weight', [0, 1, 3], [1, 0, 1], [1, NaN, 3], /weight at entry 1 \(row 1\) is NaN/],
  ])('%s', (_name, start, cols, vals, message) => {
    const err = thrown(() => new Features(ids, names, u32(start), u32(cols), f32(vals)));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(message);
  });

  it('a start that decreases in the middle', () => {
    const three = IdMap.from(['a', 'b', 'c']);
    const err = thrown(() => new Features(three, names, u32([0, 2, 1, 2]), u32([0, 1]), f32([1, 1])));
    expect(err.message).toMatch(/start must not decrease \(row 1: 2 then 1\)/);
  });
});

describe('parseFeatures', () => {
  const EXPECTED: Array<[string, Array<[string, number]>]> = [
    ['1', [['genre:Action', 1], ['year:1995', 0.5]]],
    ['2', [['genre:Action', 1], ['genre:Film, Noir', 2]]],
  ];

  it.each([
    ['comma', '1,genre:Action\n1,year:1995,0.5\n2,genre:Action\n2,"genre:Film, Noir",2\n'],
    ['tab', '1\tgenre:Action\n1\tyear:1995\t0.5\n2\tgenre:Action\n2\tgenre:Film, Noir\t2\n'],
    ['CRLF and no final newline', '1,genre:Action\r\n1,year:1995,0.5\r\n2,genre:Action\r\n2,"genre:Film, Noir",2'],
    ['lone CR', '1,genre:Action\r1,year:1995,0.5\r2,genre:Action\r2,"genre:Film, Noir",2\r'],
    ['BOM and header', '\uFEFFitem,feature,weight\n1,genre:Action\n1,year:1995,0.5\n2,genre:Action\n2,"genre:Film, Noir",2\n'],
    [
      'comments, blank lines, blanks around fields',
      '# items\n\n  # indented comment\n 1 , genre:Action \n1,year:1995, 0.5\n\n2,genre:Action\n2, "genre:Film, Noir" ,2\n',
    ],
    ['a header after comments', '# made by hand\nID\tFeature\n1\tgenre:Action\n1\tyear:1995\t.5\n2\tgenre:Action\n2\tgenre:Film, Noir\t2e0\n'],
    ['ids not grouped', '1,genre:Action\n2,genre:Action\n2,"genre:Film, Noir",2\n1,year:1995,0.5\n'],
  ])('%s', (_name, text) => {
    expect(dump(parseFeatures(text))).toEqual(EXPECTED);
  });

  it('every header name is recognized, case-insensitively; others are data', () => {
    for (const name of ['id', 'user', 'user_id', 'userId', 'item', 'item_id', 'itemId', 'ITEM', 'Id']) {
      const f = parseFeatures(`${name},FEATURE\n1,a\n`);
      expect(f.ids.raw).toEqual(['1']);
    }
    // Not a header: the second field is not `feature`, or the line is not the first data line.
    expect(parseFeatures('id,features\n1,a\n').ids.raw).toEqual(['id', '1']);
    expect(parseFeatures('movie,feature\n1,a\n').ids.raw).toEqual(['movie', '1']);
    expect(parseFeatures('1,a\nid,feature\n').ids.raw).toEqual(['1', 'id']);
  });

  it('quoted fields: "" escapes, the separator inside, a literal quote in an unquoted field, blanks kept inside', () => {
    const f = parseFeatures('"1,2","say ""hi"", then go"\n3,5" screen\n4,"  padded "\n');
    expect(dump(f)).toEqual([
      ['1,2', [['say "hi", then go', 1]]],
      ['3', [['5" screen', 1]]],
      ['4', [['  padded ', 1]]],
    ]);
  });

  it('quotes in a tab-separated file; an empty field before a quoted one', () => {
    const f = parseFeatures('1\t"a\tb"\t2\n2\t"x, y"\n');
    expect(dump(f)).toEqual([
      ['1', [['a\tb', 2]]],
      ['2', [['x, y', 1]]],
    ]);
    const err = thrown(() => parseFeatures('1\ta\n\t"b"\n', { source: 'f.tsv' }));
    expect(err.message).toBe('f.tsv:2: id (column 1): empty item id');
  });

  it('weights: negative, zero, exponent; stored as float32', () => {
    const f = parseFeatures('u,a,-1.5\nu,b,0\nu,c,1e-3\nu,d,+2\n');
    expect(f.row('u')).toEqual([
      ['a', -1.5],
      ['b', 0],
      ['c', Math.fround(1e-3)],
      ['d', 2],
    ]);
  });

  it('gives the same matrix as fromRecords on random files (tab or comma, names with commas and quotes)', () => {
    const rand = mulberry32(7);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const names = ['plain', 'with, comma', 'with "quote"', 'Case', 'case', 'spaces inside', 'ünïcödé', '#not a comment'];
    for (let trial = 0; trial < 30; trial++) {
      const sep = rand() < 0.5 ? '\t' : ',';
      const records: Array<[string, Array<[string, number]>]> = [];
      const used = new Set<string>();
      let text = rand() < 0.5 ? `user${sep}feature\n` : '';
      for (let t = 0; t < 40; t++) {
        const id = `u${Math.floor(rand() * 6)}`;
        const name = pick(names);
        if (used.has(`${id}\0${name}`)) continue;
        used.add(`${id}\0${name}`);
        const weighted = rand() < 0.5;
        const weight = weighted ? Math.round(rand() * 100) / 10 : 1;
        records.push([id, [[name, weight]]]);
        const quoted = `"${name.replaceAll('"', '""')}"`;
        const field = name.includes(',') || rand() < 0.3 ? quoted : name;
        text += `${id}${sep}${field}${weighted ? `${sep}${weight}` : ''}${pick(['\n', '\r\n'])}`;
        if (rand() < 0.1) text += '# a comment\n\n';
      }
      expect(dump(parseFeatures(text))).toEqual(dump(Features.fromRecords(records)));
    }
  });
});

describe('parseFeatures errors name the file, the line and the field', () => {
  function parseError(text: string, options: FeatureParseOptions = {}): ParseError {
    const err = thrown(() => parseFeatures(text, { source: 'f.csv', ...options }));
    expect(err).toBeInstanceOf(ParseError);
    return err as ParseError;
  }

  it('wrong number of fields', () => {
    const many = parseError('1,a\n2,b,c,d,e\n');
    expect(many.message).toBe(
      'f.csv:2: column 4: expected 2 or 3 fields (id, feature[, weight]), got 5 (fields are separated by commas); ' +
        'double-quote a feature name that holds a comma',
    );
    expect(many).toMatchObject({ source: 'f.csv', line: 2, field: 'column 4' });
    expect(parseError('1\ta\n\n2\n').message).toBe(
      'f.csv:3: feature (column 2): expected 2 or 3 fields (id, feature[, weight]), got 1 (fields are separated by tabs)',
    );
    expect(parseError('1\ta\t1\tx\n').message).toMatch(/^f\.csv:1: column 4: expected 2 or 3 fields .*got 4 \(fields are separated by tabs\)$/);
  });

  it('empty id, empty feature name', () => {
    expect(parseError('1,a\n ,b\n').message).toBe('f.csv:2: id (column 1): empty item id');
    expect(parseError(',b\n', { kind: 'user' }).message).toBe('f.csv:1: id (column 1): empty user id');
    expect(parseError('1,a\n2,  \n').message).toBe('f.csv:2: feature (column 2): empty feature name');
    expect(parseError('1,a\n2,""\n').message).toBe('f.csv:2: feature (column 2): empty feature name');
  });

  it('weight not a finite number, quoting the text', () => {
    expect(parseError('1,a,1\n1,b,abc\n').message).toBe(
      'f.csv:2: weight (column 3): weight must be a finite number (got "abc"); double-quote a feature name that holds a comma',
    );
    expect(parseError('1\ta\tabc\n').message).toBe('f.csv:1: weight (column 3): weight must be a finite number (got "abc")');
    expect(parseError('1,a,NaN\n').message).toBe('f.csv:1: weight (column 3): weight must be a finite number (got "NaN")');
    expect(parseError('1,a,-inf\n').message).toBe('f.csv:1: weight (column 3): weight must be a finite number (got "-inf")');
    expect(parseError('1,a,1e39\n').message).toBe(
      'f.csv:1: weight (column 3): weight must be a finite number (got "1e39", too large for a 32-bit float)',
    );
    expect(parseError('1,a,0x10\n').field).toBe('weight (column 3)');
    expect(parseError('1,a,\n').message).toBe('f.csv:1: weight (column 3): empty weight (leave the third field out for weight 1)');
  });

  it('duplicate (id, feature) names the line of the first occurrence', () => {
    const e = parseError('# c\n1,a\n2,a\n1,b\n\n1, a ,2\n', { kind: 'user' });
    expect(e.message).toBe('f.csv:6: feature (column 2): duplicate feature "a" for user "1": already given on line 2');
    // Case-sensitive names are different features.
    expect(parseFeatures('1,a\n1,A\n').row('1')).toEqual([
      ['a', 1],
      ['A', 1],
    ]);
  });

  it('unknown id with knownIds, with and without a hint', () => {
    const knownIds = new Set(['1', '2']);
    expect(parseError('1,a\n9999,b\n', { knownIds, kind: 'user', knownIdsHint: 'it is in neither the training nor the test data' }).message).toBe(
      'f.csv:2: id (column 1): unknown user "9999": it is in neither the training nor the test data',
    );
    expect(parseError('2,a\n3,b\n', { knownIds }).message).toBe('f.csv:2: id (column 1): unknown item "3"');
    // An IdMap works as the set of known ids.
    expect(parseFeatures('2,a\n', { knownIds: IdMap.from(['2']) }).size).toBe(1);
  });

  it('mixed separators', () => {
    expect(parseError('1,a\n2\tb\n').message).toBe(
      'f.csv:2: separator: this line holds a tab, but line 1 (the first data line) separates fields with commas; ' +
        'use one separator throughout the file',
    );
    expect(parseError('# c\nid\tfeature\n1\ta\n2,b\n').message).toBe(
      'f.csv:4: separator: this line has commas but no tab, while line 2 (the first data line) separates fields with tabs; ' +
        'use one separator throughout the file',
    );
  });

  it('malformed quotes', () => {
    expect(parseError('1,"a\n').message).toBe(`f.csv:1: feature (column 2): unterminated quoted field: no closing '"' on this line`);
    expect(parseError('"1"x,a\n').message).toBe('f.csv:1: id (column 1): unexpected "x" after the closing quote');
  });

  it('a BOM before a quoted first field is not part of it', () => {
    expect(dump(parseFeatures('\uFEFF"1, one",a\n'))).toEqual([['1, one', [['a', 1]]]]);
  });

  it('line numbers count comments, blank lines, CRLF and a BOM line', () => {
    expect(parseError('\uFEFF# c\r\n\r\nid,feature\r\n1,a\r\n1,a\r\n').line).toBe(5);
  });

  it('no feature rows is a DataError naming the source', () => {
    for (const [text, read] of [
      ['', '0 lines read'],
      ['\n\n', '2 lines read'],
      ['# only a comment\n', '1 line read'],
      ['id,feature\n', '1 line read, one of them a header'],
    ]) {
      const err = thrown(() => parseFeatures(text, { source: 'empty.csv' }));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(/^empty\.csv has no feature rows/);
      expect(err.message).toContain(read);
    }
    expect(thrown(() => parseFeatures('')).message).toMatch(/^<string> has no feature rows/);
  });

  it('an invalid kind is an OptionError', () => {
    const err = thrown(() => parseFeatures('1,a\n', { kind: 'movie' as never }));
    expect(err).toBeInstanceOf(OptionError);
    expect((err as OptionError).option).toBe('kind');
  });
});

describe('loadFeaturesFile', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'latentrec-features-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads UTF-8 and gives what parseFeatures gives; errors name the path', async () => {
    const text = '\uFEFFuser\tfeature\r\nzoë\tcity:Zürich\r\n🎬fan\tlikes:電影\t2\r\n';
    const path = join(tmp, 'users.tsv');
    writeFileSync(path, text);
    const f = await loadFeaturesFile(path, { kind: 'user' });
    expect(dump(f)).toEqual([
      ['zoë', [['city:Zürich', 1]]],
      ['🎬fan', [['likes:電影', 2]]],
    ]);
    const bad = join(tmp, 'bad.tsv');
    writeFileSync(bad, 'a\tx\nb\tx\tmany\n');
    const err = await rejection(loadFeaturesFile(bad, { kind: 'user' }));
    expect(err).toBeInstanceOf(ParseError);
    expect(err.message).toBe(`${bad}:2: weight (column 3): weight must be a finite number (got "many")`);
  });

  it('passes knownIds on', async () => {
    const path = join(tmp, 'items.csv');
    writeFileSync(path, '1,a\n2,b\n');
    const err = await rejection(loadFeaturesFile(path, { knownIds: new Set(['1']), knownIdsHint: 'not rated' }));
    expect(err.message).toBe(`${path}:2: id (column 1): unknown item "2": not rated`);
  });

  it('a missing file is a DataError naming the kind and the path', async () => {
    const path = join(tmp, 'nope.csv');
    const err = await rejection(loadFeaturesFile(path, { kind: 'user' }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`cannot read user features file ${path}: no such file`);
    const err2 = await rejection(loadFeaturesFile(path));
    expect(err2.message).toBe(`cannot read item features file ${path}: no such file`);
  });
});
