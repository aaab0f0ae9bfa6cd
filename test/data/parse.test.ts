import { describe, expect, it } from 'vitest';
import { DataError, OptionError, ParseError } from '../../src/errors.js';
import { RatingsParser, detectFormat, parseRatings, type ParseOptions } from '../../src/data/parse.js';
import { expectSameDataset, thrown, triples } from './helpers.js';

const ML100K = '196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n196\t377\t5\t881250950\n';
const ML1M = '1::1193::5::978300760\r\n1::661::3::978302109\r\n2::1193::4::978298413\r\n';
const MLCSV = 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n2,1,0.5,964982224\n';
// Semicolons, a header, multi-byte ids (2-, 3- and 4-byte UTF-8), CRLF and blank lines.
const UNICODE = 'user;item;score\nzoë;電影;4\r\n\r\n🎬fan;電影;2.5\r\nzoë;café;1\n\n';
// Runs of spaces and tabs, leading/trailing whitespace.
const WHITESPACE = '  u1   i1  3 \nu2\ti2 4\n\tu1  i2\t  5\n';
// Quoted fields holding the delimiter and doubled quotes, a named header in another order, lone CR.
const QUOTED = 'item,"timestamp",user,rating\r"a, b",0,"say ""hi""",4\r\r"電影",1,zoë,2.5\r';

const CASES: Array<{ name: string; text: string; options: ParseOptions }> = [
  { name: 'ml100k', text: ML100K, options: { format: 'ml100k' } },
  { name: 'ml1m', text: ML1M, options: { format: 'ml1m' } },
  { name: 'mlcsv', text: MLCSV, options: { format: 'mlcsv' } },
  { name: 'delimited ; header utf-8', text: UNICODE, options: { format: 'delimited', delimiter: ';', header: true } },
  { name: 'delimited whitespace', text: WHITESPACE, options: { format: 'delimited', delimiter: ' ' } },
  { name: 'quoted csv, lone CR', text: QUOTED, options: { format: 'delimited', delimiter: ',', header: true } },
];

function parseChunks(chunks: Array<string | Uint8Array>, options: ParseOptions) {
  const parser = new RatingsParser(options);
  for (const c of chunks) parser.push(c);
  return parser.finish();
}

describe('parse each format from strings', () => {
  it('ml100k', () => {
    const { dataset, summary } = parseRatings(ML100K, { format: 'ml100k' });
    expect(triples(dataset)).toEqual([
      ['196', '242', 3],
      ['186', '302', 3],
      ['22', '377', 1],
      ['196', '377', 5],
    ]);
    expect(dataset.users.raw).toEqual(['196', '186', '22']);
    expect(dataset.items.raw).toEqual(['242', '302', '377']);
    expect(Array.from(dataset.userIndex)).toEqual([0, 1, 2, 0]);
    expect(summary).toMatchObject({
      source: '<string>',
      format: 'ml100k',
      delimiter: '\t',
      header: false,
      lines: 4,
      ratings: 4,
      users: 3,
      items: 3,
      scale: { lo: 1, hi: 5 },
      scaleInferred: true,
      duplicates: { policy: 'keep', found: 0, removed: 0 },
    });
  });

  it('ml1m (:: and CRLF)', () => {
    const { dataset, summary } = parseRatings(ML1M, { format: 'ml1m' });
    expect(triples(dataset)).toEqual([
      ['1', '1193', 5],
      ['1', '661', 3],
      ['2', '1193', 4],
    ]);
    expect(summary).toMatchObject({ format: 'ml1m', delimiter: '::', header: false, lines: 3 });
  });

  it('mlcsv (header, half stars)', () => {
    const { dataset, summary } = parseRatings(MLCSV, { format: 'mlcsv' });
    expect(triples(dataset)).toEqual([
      ['1', '1', 4],
      ['1', '3', 4.5],
      ['2', '1', 0.5],
    ]);
    expect(summary).toMatchObject({ format: 'mlcsv', delimiter: ',', header: true, lines: 4, scale: { lo: 0.5, hi: 4.5 } });
  });

  it('delimited with a header, multi-byte ids, CRLF and blank lines', () => {
    const { dataset, summary } = parseRatings(UNICODE, { format: 'delimited', delimiter: ';', header: true });
    expect(triples(dataset)).toEqual([
      ['zoë', '電影', 4],
      ['🎬fan', '電影', 2.5],
      ['zoë', 'café', 1],
    ]);
    expect(summary).toMatchObject({ format: 'delimited', delimiter: ';', header: true, lines: 6, users: 2, items: 2 });
  });

  it('delimited on runs of whitespace', () => {
    const { dataset } = parseRatings(WHITESPACE, { format: 'delimited', delimiter: ' ' });
    expect(triples(dataset)).toEqual([
      ['u1', 'i1', 3],
      ['u2', 'i2', 4],
      ['u1', 'i2', 5],
    ]);
  });

  it('quoted csv: header names place the columns, lone CR line ends', () => {
    const { dataset, summary } = parseRatings(QUOTED);
    expect(triples(dataset)).toEqual([
      ['say "hi"', 'a, b', 4],
      ['zoë', '電影', 2.5],
    ]);
    expect(summary).toMatchObject({ delimiter: ',', header: true, columns: { user: 2, item: 0, rating: 3 }, lines: 4 });
  });

  it('delimited with custom columns', () => {
    const text = 'ts,rating,item,user\n1,4,a,x\n2,2,b,y\n';
    const { dataset, summary } = parseRatings(text, {
      format: 'delimited',
      delimiter: ',',
      columns: { user: 3, item: 2, rating: 1 },
    });
    expect(summary.header).toBe(true);
    expect(triples(dataset)).toEqual([
      ['x', 'a', 4],
      ['y', 'b', 2],
    ]);
  });

  it('a given scale is kept and reported as not inferred', () => {
    const { summary, dataset } = parseRatings(ML100K, { scale: { lo: 1, hi: 5 } });
    expect(summary.scale).toEqual({ lo: 1, hi: 5 });
    expect(summary.scaleInferred).toBe(false);
    expect(dataset.scale).toEqual({ lo: 1, hi: 5 });
  });

  it('bytes: ArrayBuffer and Uint8Array, BOM stripped', () => {
    const bytes = new TextEncoder().encode('\uFEFF' + UNICODE);
    const a = parseRatings(bytes.buffer.slice(0), { format: 'delimited', delimiter: ';', header: true });
    const b = parseRatings(UNICODE, { format: 'delimited', delimiter: ';', header: true });
    expectSameDataset(a.dataset, b.dataset);
    const c = parseRatings('\uFEFF' + UNICODE, { delimiter: ';' });
    expectSameDataset(c.dataset, b.dataset);
  });
});

describe('chunked input gives the same Dataset as one push', () => {
  for (const { name, text, options } of CASES) {
    it(`${name}: bytes split at every offset, and byte by byte`, () => {
      const whole = parseChunks([text], options);
      const bytes = new TextEncoder().encode(text);
      for (let k = 0; k <= bytes.length; k++) {
        const r = parseChunks([bytes.subarray(0, k), bytes.subarray(k)], options);
        expectSameDataset(r.dataset, whole.dataset);
        expect(r.summary).toEqual(whole.summary);
      }
      const single: Uint8Array[] = [];
      for (let k = 0; k < bytes.length; k++) single.push(bytes.subarray(k, k + 1));
      const r = parseChunks(single, options);
      expectSameDataset(r.dataset, whole.dataset);
      expect(r.summary).toEqual(whole.summary);
    });

    it(`${name}: strings split at every offset, three ways`, () => {
      const whole = parseChunks([text], options);
      for (let k = 0; k <= text.length; k++) {
        const j = Math.min(text.length, k + 3);
        const r = parseChunks([text.slice(0, k), text.slice(k, j), text.slice(j)], options);
        expectSameDataset(r.dataset, whole.dataset);
        expect(r.summary).toEqual(whole.summary);
      }
    });
  }

  it('awkward splits: mid-line, between \\r and \\n, inside a 4-byte character', () => {
    const bytes = new TextEncoder().encode(UNICODE);
    const crlf = UNICODE.indexOf('\r\n');
    const crAt = new TextEncoder().encode(UNICODE.slice(0, crlf)).length + 1; // after '\r'
    const emojiAt = new TextEncoder().encode(UNICODE.slice(0, UNICODE.indexOf('🎬'))).length + 2; // inside 🎬
    const cuts = [5, crAt, emojiAt, emojiAt + 1].sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let prev = 0;
    for (const c of cuts) {
      chunks.push(bytes.subarray(prev, c));
      prev = c;
    }
    chunks.push(bytes.subarray(prev));
    const options: ParseOptions = { delimiter: ';' };
    expectSameDataset(parseChunks(chunks, options).dataset, parseRatings(UNICODE, options).dataset);
  });

  it('many lines across many chunks (growth of the typed arrays)', () => {
    let text = '';
    for (let t = 0; t < 5000; t++) text += `u${t % 97}\ti${(t * 7) % 301}\t${(t % 5) + 1}\t0\n`;
    const whole = parseRatings(text);
    expect(whole.dataset.size).toBe(5000);
    const bytes = new TextEncoder().encode(text);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 777) chunks.push(bytes.subarray(at, at + 777));
    expectSameDataset(parseChunks(chunks, {}).dataset, whole.dataset);
  });
});

describe('auto-detection', () => {
  it.each([
    ['ml100k', ML100K, { format: 'ml100k', delimiter: '\t', header: false }],
    ['ml1m', ML1M, { format: 'ml1m', delimiter: '::', header: false }],
    ['mlcsv', MLCSV, { format: 'mlcsv', delimiter: ',', header: true }],
    ['semicolon with header', UNICODE, { format: 'delimited', delimiter: ';', header: true }],
    ['whitespace', WHITESPACE, { format: 'delimited', delimiter: ' ', header: false }],
    ['comma without header', '1,2,3\n2,3,4\n', { format: 'delimited', delimiter: ',', header: false }],
    ['tab with 3 fields', '1\t2\t3\n2\t3\t4\n', { format: 'delimited', delimiter: '\t', header: false }],
    ['tab with a header', 'u\ti\tr\tt\n1\t2\t3\t4\n', { format: 'delimited', delimiter: '\t', header: true }],
    ['comma with spaces after commas', 'a, b, 1\nc, d, 2\n', { format: 'delimited', delimiter: ',', header: false }],
  ])('%s', (_name, text, expected) => {
    const { summary } = parseRatings(text);
    expect({ format: summary.format, delimiter: summary.delimiter, header: summary.header }).toEqual(expected);
  });

  it('auto gives the same dataset as the explicit format', () => {
    for (const { text, options } of CASES) {
      expectSameDataset(parseRatings(text).dataset, parseRatings(text, options).dataset);
    }
  });

  it('no header when a later sampled line is not numeric either', () => {
    expect(detectFormat(['a,b,x', 'c,d,y', 'e,f,1']).header).toBe(false);
    expect(detectFormat(['a,b,x', 'c,d,2', 'e,f,1']).header).toBe(true);
  });

  it('options override the detection', () => {
    expect(detectFormat(['1,2,3', '4,5,6'], { header: true }).header).toBe(true);
    expect(detectFormat(['1 2,3', '4 5,6'], { delimiter: ' ' }).delimiter).toBe(' ');
  });

  it('the parser exposes the detection', () => {
    const p = new RatingsParser();
    p.push(ML1M);
    p.finish();
    expect(p.detected).toEqual({ format: 'ml1m', delimiter: '::', header: false, columns: { user: 0, item: 1, rating: 2 } });
  });

  it('an undetectable delimiter is a DataError naming the source', () => {
    const err = thrown(() => parseRatings('a|b|c\nd|e|f\n', { source: 'pipes.txt' }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain('pipes.txt');
    expect(err.message).toContain('delimiter');
  });
});

describe('errors name the source, the line and the field', () => {
  function parseError(text: string, options: ParseOptions = {}): ParseError {
    const err = thrown(() => parseRatings(text, { source: 'r.txt', ...options }));
    expect(err).toBeInstanceOf(ParseError);
    return err as ParseError;
  }

  it('too few fields', () => {
    const e = parseError('1\t2\t3\t0\n4\t5\n');
    expect(e.message).toMatch(/^r\.txt:2: rating \(column 3\): too few fields/);
    expect(e).toMatchObject({ source: 'r.txt', line: 2, field: 'rating (column 3)' });
    const e2 = parseError('1::2::3\n4\n', { format: 'ml1m' });
    expect(e2.message).toMatch(/^r\.txt:2: item \(column 2\): too few fields/);
  });

  it('too few fields for custom columns', () => {
    const e = parseError('a,b,c\n', { delimiter: ',', columns: { rating: 3 } });
    expect(e.message).toMatch(/^r\.txt:1: rating \(column 4\): too few fields: expected at least 4/);
  });

  it('empty user or item id', () => {
    expect(parseError('1\t2\t3\n\t5\t3\n').message).toBe('r.txt:2: user (column 1): empty user id');
    expect(parseError('1,2,3\n1, ,3\n').message).toBe('r.txt:2: item (column 2): empty item id');
  });

  it('non-numeric rating', () => {
    const e = parseError('1,2,3\n1,3,abc\n');
    expect(e.message).toBe('r.txt:2: rating (column 3): rating is not a number (got "abc")');
    expect(parseError('1,2,3\n1,3,\n').message).toBe('r.txt:2: rating (column 3): empty rating');
    expect(parseError('1,2,3\n1,3,0x10\n').message).toContain('not a number');
  });

  it('NaN / Infinity rating', () => {
    expect(parseError('1,2,3\n1,3,4\n1,4,NaN\n').message).toMatch(/^r\.txt:3: rating \(column 3\): rating must be a finite number/);
    expect(parseError('1,2,3\n1,4,-Infinity\n').message).toMatch(/^r\.txt:2: rating \(column 3\): .*finite/);
    expect(parseError('1,2,3\n1,4,inf\n').message).toMatch(/^r\.txt:2: rating \(column 3\): .*finite/);
    expect(parseError('1,2,3\n1,4,1e39\n').message).toMatch(/^r\.txt:2: rating \(column 3\): .*finite.*32-bit/);
  });

  it('rating outside a given scale names the scale', () => {
    const e = parseError('1,2,3\n1,3,6\n', { scale: { lo: 1, hi: 5 } });
    expect(e.message).toBe('r.txt:2: rating (column 3): rating 6 is outside the rating scale 1..5');
    expect(parseError('1,2,0.5\n', { scale: { lo: 1, hi: 5 } }).line).toBe(1);
  });

  it('line numbers count blank lines, CRLF, the header and chunk boundaries', () => {
    expect(parseError('\r\n1,2,3\r\n\r\n1,2,x\r\n').message).toMatch(/^r\.txt:4: /);
    expect(parseError('userId,movieId,rating,timestamp\n1,1,4,0\n\n1,2,bad,0\n').line).toBe(4);
    const p = new RatingsParser({ source: 'chunks.csv' });
    for (const c of ['1,2', ',3\n1,', '3,4\n\n', '1,4', ',oops\n']) p.push(c);
    const err = thrown(() => p.finish());
    expect(err.message).toMatch(/^chunks\.csv:4: rating \(column 3\)/);
  });

  it('an error past the detection sample is reported while pushing', () => {
    let text = '';
    for (let t = 0; t < 20; t++) text += `${t},1,3\n`;
    text += '21,1,z\n';
    expect(parseError(text).line).toBe(21);
  });

  it('no ratings is a DataError naming the source', () => {
    for (const text of ['', '\n\n', '\r\n  \r\n', 'userId,movieId,rating,timestamp\n']) {
      const err = thrown(() => parseRatings(text, { source: 'empty.csv' }));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(/^empty\.csv has no ratings/);
    }
    expect(thrown(() => parseRatings('')).message).toMatch(/^<string> has no ratings/);
  });

  it('invalid options are OptionErrors naming the option', () => {
    const cases: Array<[ParseOptions, string]> = [
      [{ format: 'csv' as never }, 'format'],
      [{ delimiter: '|' as never }, 'delimiter'],
      [{ format: 'ml1m', delimiter: ',' }, 'delimiter'],
      [{ format: 'mlcsv', columns: { user: 1 } }, 'columns'],
      [{ columns: { rating: -1 } }, 'columns'],
      [{ columns: { user: 1 } }, 'columns'],
      [{ scale: { lo: 5, hi: 1 } }, 'scale'],
      [{ duplicates: 'first' as never }, 'duplicates'],
    ];
    for (const [options, option] of cases) {
      const err = thrown(() => new RatingsParser(options));
      expect(err).toBeInstanceOf(OptionError);
      expect((err as OptionError).option).toBe(option);
    }
  });

  it('push after finish is refused', () => {
    const p = new RatingsParser();
    p.push('1,2,3\n');
    p.finish();
    expect(() => p.push('1,2,3\n')).toThrow(/after finish/);
  });
});
