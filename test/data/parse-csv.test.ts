// Header detection and header names, RFC 4180 quoting, line endings and option names of the
// OptionErrors: the CSV details a generic ratings file can throw at the parser.
import { describe, expect, it } from 'vitest';
import { RatingsParser, detectFormat, parseRatings, type ParseOptions } from '../../src/data/parse.js';
import { DataError, OptionError, ParseError } from '../../src/errors.js';
import { expectSameDataset, thrown, triples } from './helpers.js';

function parseError(text: string, options: ParseOptions = {}): ParseError {
  const err = thrown(() => parseRatings(text, { source: 'r.csv', ...options }));
  expect(err).toBeInstanceOf(ParseError);
  return err as ParseError;
}

describe('header detection', () => {
  it('a malformed first line is data: a ParseError naming line 1, not a dropped header', () => {
    const e = parseError('1,10,4x\n1,11,3\n2,10,5\n');
    expect(e).toMatchObject({ line: 1, field: 'rating (column 3)' });
    expect(e.message).toBe('r.csv:1: rating (column 3): rating is not a number (got "4x")');
    // Same with a numeric item only, and with tabs.
    expect(parseError('u1,10,x\nu1,11,3\n').line).toBe(1);
    expect(parseError('1\t10\tx\t0\n1\t11\t3\t0\n').line).toBe(1);
    // A known name ('movie') does not make a line with a numeric id a header.
    expect(parseError('1,movie,x\n1,2,3\n').line).toBe(1);
  });

  it('a line of names over numeric ratings is still a header', () => {
    expect(detectFormat(['a,b,x', 'c,d,2', 'e,f,1']).header).toBe(true);
    expect(parseRatings('u\ti\tr\tt\n1\t2\t3\t4\n').summary.header).toBe(true);
    // Known names make a header whatever follows (the bad line is then reported).
    expect(parseError('userId,movieId,rating\n1,2,x\n').line).toBe(2);
  });

  it('a file holding only a header has no ratings (DataError), with known names', () => {
    const cases: Array<[string, string]> = [
      ['userId,movieId,rating,timestamp', '1 line'],
      ['user,item,rating\n', '1 line'],
      ['USER;Item;Score\r\n\r\n', '2 lines'],
      ['uid\tiid\tstars\n', '1 line'],
    ];
    for (const [text, lines] of cases) {
      const err = thrown(() => parseRatings(text, { source: 'h.csv' }));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toBe(`h.csv has no ratings (${lines} read, the first non-empty one taken as a header)`);
    }
  });

  it('header: false keeps line 1 as data, header: true drops it', () => {
    expect(parseError('user,item,rating\n1,2,3\n', { header: false }).line).toBe(1);
    expect(triples(parseRatings('1,10,4x\n1,11,3\n', { header: true }).dataset)).toEqual([['1', '11', 3]]);
  });
});

describe('columns from header names', () => {
  it('takes the rating from the column named rating, not the default column 2', () => {
    const { dataset, summary } = parseRatings('user,item,timestamp,rating\n1,10,978300760,4\n2,10,978300761,2.5\n');
    expect(summary.header).toBe(true);
    expect(summary.columns).toEqual({ user: 0, item: 1, rating: 3 });
    expect(triples(dataset)).toEqual([
      ['1', '10', 4],
      ['2', '10', 2.5],
    ]);
  });

  it('case-insensitive names in any order, with header: true and with detection', () => {
    const text = 'Timestamp;MOVIE_ID;Stars;UserId\n0;m1;5;u1\n0;m2;3;u2\n';
    for (const options of [{}, { header: true }, { format: 'delimited', delimiter: ';' }] as ParseOptions[]) {
      const { dataset, summary } = parseRatings(text, options);
      expect(summary.columns).toEqual({ user: 3, item: 1, rating: 2 });
      expect(triples(dataset)).toEqual([
        ['u1', 'm1', 5],
        ['u2', 'm2', 3],
      ]);
    }
    expect(detectFormat(['customerId,product,rating_value', '1,2,3']).columns).toEqual({ user: 0, item: 1, rating: 2 });
  });

  it('a role without a known name keeps its default column; unknown names keep all defaults', () => {
    expect(parseRatings('who,movieId,value\n1,2,3\n').summary.columns).toEqual({ user: 0, item: 1, rating: 2 });
    expect(parseRatings('who,what,score,ts\na,b,3,9\n').summary.columns).toEqual({ user: 0, item: 1, rating: 2 });
    expect(parseRatings('u\ti\tr\tt\n1\t2\t3\t4\n').summary.columns).toEqual({ user: 0, item: 1, rating: 2 });
  });

  it('given columns win over header names, and no header means the defaults', () => {
    const text = 'user,item,timestamp,rating\n1,10,3,4\n';
    expect(parseRatings(text, { columns: { rating: 2 } }).summary.columns).toEqual({ user: 0, item: 1, rating: 2 });
    expect(parseRatings('1,2,3\n').summary.columns).toEqual({ user: 0, item: 1, rating: 2 });
  });

  it('a default column that a name already claims is a DataError asking for columns', () => {
    const err = thrown(() => parseRatings('rating,who,what\n4,a,b\n', { source: 'c.csv' }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/^c\.csv: .*columns/);
  });

  it('errors name the column taken from the header', () => {
    expect(parseError('user,item,timestamp,rating\n1,2,3,x\n').field).toBe('rating (column 4)');
  });
});

describe('quoted fields (RFC 4180) with , and ;', () => {
  it('quotes are stripped, delimiters inside them kept, "" is a quote', () => {
    expect(triples(parseRatings('"1","2","4"\n"Smith, J",42,5\n').dataset)).toEqual([
      ['1', '2', 4],
      ['Smith, J', '42', 5],
    ]);
    // ';' too, with spaces around a quoted field, and an empty quoted item.
    expect(triples(parseRatings('"say ""hi""";"x;y";3\n b ; "c" ;2\n').dataset)).toEqual([
      ['say "hi"', 'x;y', 3],
      ['b', 'c', 2],
    ]);
    expect(parseError('a;"";3\n').message).toBe('r.csv:1: item (column 2): empty item id');
  });

  it('detection sees quoted fields as one field each', () => {
    const text = 'user,item,rating\n"Smith, J",42,5\n"Doe, A",43,4\n';
    const { summary, dataset } = parseRatings(text);
    expect(summary).toMatchObject({ delimiter: ',', header: true, ratings: 2 });
    expect(dataset.users.raw).toEqual(['Smith, J', 'Doe, A']);
    expect(detectFormat(['"userId","movieId","rating"', '"1","2","4"']).header).toBe(true);
  });

  it('an unterminated quote is a ParseError naming the line and field', () => {
    const e = parseError('1,2,3\n"Smith, J,42,5\n');
    expect(e).toMatchObject({ line: 2, field: 'user (column 1)' });
    expect(e.message).toMatch(/^r\.csv:2: user \(column 1\): unterminated quoted field/);
    expect(parseError('1,2,3\n1,2,"4\n').field).toBe('rating (column 3)');
    expect(parseError('1,2,3,0\n1,2,3,"0\n').field).toBe('column 4');
    expect(parseError('1,2,3\n"a"b,2,3\n').message).toMatch(/^r\.csv:2: user \(column 1\): .*after the closing quote/);
  });

  it('quotes stay literal with tabs and whitespace, and inside an unquoted field', () => {
    expect(triples(parseRatings('"a\t"b"\t3\n').dataset)).toEqual([['"a', '"b"', 3]]);
    expect(triples(parseRatings('5" tv,b,3\n', { delimiter: ',' }).dataset)).toEqual([['5" tv', 'b', 3]]);
  });
});

describe('line endings', () => {
  it('lone \\r (old Mac) breaks lines; \\r\\n stays one break', () => {
    const { dataset, summary } = parseRatings('user,item,rating\r1,2,3\r1,3,4\r\n\r2,2,5\r');
    expect(triples(dataset)).toEqual([
      ['1', '2', 3],
      ['1', '3', 4],
      ['2', '2', 5],
    ]);
    expect(summary.lines).toBe(5);
    expect(parseError('1,2,3\r1,3,x\r').line).toBe(2);
  });

  it('\\r\\n split between chunks is one break, also with an empty chunk between', () => {
    const text = '1,2,3\r\n1,3,4\r\n\r\n2,2,5\r\n';
    const whole = parseRatings(text);
    expect(whole.summary.lines).toBe(4);
    for (let k = 0; k <= text.length; k++) {
      for (const middle of [[], ['']]) {
        const p = new RatingsParser();
        for (const c of [text.slice(0, k), ...middle, text.slice(k)]) p.push(c);
        const r = p.finish();
        expectSameDataset(r.dataset, whole.dataset);
        expect(r.summary).toEqual(whole.summary);
      }
      const p = new RatingsParser();
      const bytes = new TextEncoder().encode(text);
      p.push(bytes.subarray(0, k));
      p.push(new Uint8Array(0));
      p.push(bytes.subarray(k));
      expect(p.finish().summary).toEqual(whole.summary);
    }
  });
});

describe('OptionError names are ParseOptions keys', () => {
  const KEYS = ['format', 'delimiter', 'header', 'columns', 'scale', 'duplicates'];
  it.each<[string, ParseOptions]>([
    ['format', { format: 'csv' as never }],
    ['delimiter', { delimiter: '|' as never }],
    ['delimiter with a fixed format', { format: 'ml100k', delimiter: '\t' }],
    ['header', { header: 'yes' as never }],
    ['columns with a fixed format', { format: 'ml1m', columns: {} }],
    ['columns.user negative', { columns: { user: -1 } }],
    ['columns.item fractional', { columns: { item: 1.5 } }],
    ['columns.rating NaN', { columns: { rating: Number.NaN } }],
    ['columns clash', { columns: { item: 0 } }],
    ['scale', { scale: { lo: 1, hi: 1 } }],
    ['duplicates', { duplicates: 'first' as never }],
  ])('%s', (_name, options) => {
    const err = thrown(() => new RatingsParser(options));
    expect(err).toBeInstanceOf(OptionError);
    expect(KEYS).toContain((err as OptionError).option);
  });

  it('a bad column index is reported on columns, naming the role and value', () => {
    const err = thrown(() => parseRatings('1,2,3\n', { columns: { rating: -1 } })) as OptionError;
    expect(err.option).toBe('columns');
    expect(err.message).toContain('rating');
    expect(err.message).toContain('-1');
  });
});
