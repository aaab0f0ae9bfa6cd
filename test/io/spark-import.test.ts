import { describe, expect, it } from 'vitest';
import { OptionError, ParseError } from '../../src/errors.js';
import { checkModelState, decodeModel, encodeModel } from '../../src/index.js';
import { importSparkAls } from '../../src/index.js';
import { expectSameState } from './helpers.js';
import { thrownBy } from '../helpers.js';

// What `alsModel.userFactors.write.json(...)` produces (rank 3), with numeric and string ids.
const USERS = [
  '{"id":1,"features":[0.5,-0.25,1.0]}',
  '{"id":7,"features":[0.0,2.0,-1.5]}',
  '{"id":"anna","features":[1e-3,0.1,0.2]}',
].join('\n');
const ITEMS = '{"id":10,"features":[1.0,0.5,0.0]}\r\n{"features":[0.2,0.3,0.4],"id":"Amélie (2001)"}\r\n';

const parseError = (fn: () => unknown): ParseError => thrownBy(ParseError, fn);

describe('importSparkAls', () => {
  it('reads factors and ids, unbiased, with the default 1..5 scale', () => {
    const s = importSparkAls(USERS, ITEMS);
    expect(s.kind).toBe('imported');
    expect(s.factors).toBe(3);
    expect(s.biased).toBe(false);
    expect(s.mu).toBe(0);
    expect(s.scale).toEqual({ lo: 1, hi: 5 });
    expect(s.trainMean).toBe(3);
    expect(s.userIds).toEqual(['1', '7', 'anna']);
    expect(s.itemIds).toEqual(['10', 'Amélie (2001)']);
    expect(Array.from(s.P)).toEqual([0.5, -0.25, 1, 0, 2, -1.5, Math.fround(1e-3), Math.fround(0.1), Math.fround(0.2)]);
    expect(Array.from(s.Q)).toEqual([1, 0.5, 0, Math.fround(0.2), Math.fround(0.3), Math.fround(0.4)]);
    expect(Array.from(s.bu)).toEqual([0, 0, 0]);
    expect(Array.from(s.bi)).toEqual([0, 0]);
    expect(Array.from(s.seenStart)).toEqual([0, 0, 0, 0]);
    expect(s.seenItems.length).toBe(0);
    expect(s.options).toEqual({ format: 'spark-als', rank: 3, scale: { lo: 1, hi: 5 } });
    // p_1 . q_10 = 0.5*1 + -0.25*0.5 + 1*0 = 0.375: Spark's prediction, before clipping to the scale.
    expect(s.P[0] * s.Q[0] + s.P[1] * s.Q[1] + s.P[2] * s.Q[2]).toBeCloseTo(0.375, 12);
    checkModelState(s);
    expectSameState(decodeModel(encodeModel(s)), s);
  });

  it('uses the given scale (trainMean = its midpoint), skips blank lines and a BOM', () => {
    const s = importSparkAls('\ufeff{"id":1,"features":[1]}\n\n   \n{"id":2,"features":[2]}\n', '{"id":3,"features":[3]}', { scale: { lo: 0, hi: 1 } });
    expect(s.scale).toEqual({ lo: 0, hi: 1 });
    expect(s.trainMean).toBe(0.5);
    expect(s.userIds).toEqual(['1', '2']);
  });

  it('refuses a scale without lo < hi', () => {
    expect(() => importSparkAls(USERS, ITEMS, { scale: { lo: 5, hi: 5 } })).toThrow(OptionError);
    expect(() => importSparkAls(USERS, ITEMS, { scale: { lo: NaN, hi: 5 } })).toThrow(/scale must be an object \{lo, hi\} with finite lo < hi/);
  });

  const errors: [string, string, string, number, string, RegExp][] = [
    // [what, users, items, source, line, field, reason]
    ['malformed JSON', '{"id":1,"features":[1,2]}\n{"id":2,"features":[1,2]', 'userFactors', 2, '(json)', /malformed JSON/],
    ['a line that is not an object', '[1,2]', 'userFactors', 1, '(json)', /expected a JSON object .* got an array/],
    ['a missing id', '{"features":[1,2]}', 'userFactors', 1, 'id', /missing id/],
    ['a null id', '{"id":null,"features":[1,2]}', 'userFactors', 1, 'id', /missing id/],
    ['a fractional id', '{"id":1.5,"features":[1,2]}', 'userFactors', 1, 'id', /id must be an integer or a string \(got 1.5\)/],
    ['an object id', '{"id":{},"features":[1,2]}', 'userFactors', 1, 'id', /id must be an integer or a string/],
    ['missing features', '{"id":1,"features":[1,2]}\n{"id":2}', 'userFactors', 2, 'features', /missing features/],
    ['features not an array', '{"id":1,"features":"1,2"}', 'userFactors', 1, 'features', /features must be an array of numbers \(got string\)/],
    ['empty features', '{"id":1,"features":[]}', 'userFactors', 1, 'features', /features is empty/],
    ['inconsistent lengths', '{"id":1,"features":[1,2]}\n\n{"id":2,"features":[1,2,3]}', 'userFactors', 3, 'features', /has 3 values but line 1 has 2/],
    ['a string feature', '{"id":1,"features":[1,"2"]}', 'userFactors', 1, 'features[1]', /not a number \(got "2"\)/],
    ['a null feature (Spark writes NaN as null)', '{"id":1,"features":[null,2]}', 'userFactors', 1, 'features[0]', /not a number \(got null\)/],
    ['an infinite feature', '{"id":1,"features":[1,-1e999]}', 'userFactors', 1, 'features[1]', /not a finite number \(-Infinity\)/],
    ['an absurd feature', '{"id":1,"features":[1e20,1]}', 'userFactors', 1, 'features[0]', /beyond ±1000000000000000/],
    ['duplicate ids', '{"id":1,"features":[1,2]}\n{"id":2,"features":[1,2]}\n{"id":"1","features":[3,4]}', 'userFactors', 3, 'id', /duplicate id "1" \(first on line 1\)/],
    ['empty input', '\n  \n', 'userFactors', 1, '(input)', /no factor rows: the input is empty/],
  ];
  for (const [what, users, source, line, field, reason] of errors) {
    it(`names line and field for ${what}`, () => {
      const err = parseError(() => importSparkAls(users, '{"id":1,"features":[1,2]}'));
      expect({ source: err.source, line: err.line, field: err.field }).toEqual({ source, line, field });
      expect(err.reason).toMatch(reason);
      expect(err.message).toBe(`${source}:${line}: ${field}: ${err.reason}`);
    });
  }

  it('checks the item factors too, against the user factors rank, with custom source names', () => {
    const source = { users: 'out/userFactors/part-0.json', items: 'out/itemFactors/part-0.json' };
    let err = parseError(() => importSparkAls('{"id":1,"features":[1,2]}', '{"id":1,"features":[1,2,3]}', { source }));
    expect(err.message).toBe('out/itemFactors/part-0.json:1: features: has 3 values but the factors in out/userFactors/part-0.json have 2; both must come from the same model');
    err = parseError(() => importSparkAls('{"id":1,"features":[1,2]}', '{"id":1,"features":[1,2]}\n{"id":1,"features":[1,2]}', { source }));
    expect(err.message).toMatch(/^out\/itemFactors\/part-0.json:2: id: duplicate id "1"/);
    err = parseError(() => importSparkAls('{"id":1,"features":[1,2]}', ''));
    expect(err.source).toBe('itemFactors');
    err = parseError(() => importSparkAls('', ''));
    expect(err.source).toBe('userFactors');
  });

  it('allows the same id among users and among items', () => {
    const s = importSparkAls('{"id":1,"features":[1]}', '{"id":1,"features":[2]}');
    expect(s.userIds).toEqual(['1']);
    expect(s.itemIds).toEqual(['1']);
  });
});
