// The bugs the parser fuzzing found, each pinned by its smallest input.
import { describe, expect, it } from 'vitest';
import { parseFeatures } from '../../src/data/features.js';
import { ml100kItemFeatures } from '../../src/data/ml100k-features.js';
import { parseRatings, RatingsParser, type ParseOptions } from '../../src/data/parse.js';
import { DataError, OptionError, ParseError } from '../../src/errors.js';
import { checkModelState } from '../../src/index.js';
import { importSparkAls } from '../../src/index.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

/** Milliseconds `fn` takes. */
function timed(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

describe('regressions found by the parser fuzzing', () => {
  // The number pattern `\d+\.?\d*` backtracked over every split of a digit run: 100k digits then
  // a letter took 14 s (quadratic), in a rating, a header's detection and a feature weight.
  it('a long digit run that is not a number is refused in linear time', () => {
    const field = '1'.repeat(200_000) + 'x';
    let err: Error | undefined;
    expect(timed(() => (err = thrown(() => parseRatings(`u\ti\t${field}\n`, { format: 'ml100k', source: 'r.tsv' }))))).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ParseError);
    expect(err?.message).toMatch(/^r\.tsv:1: rating \(column 3\): rating is not a number/);
    // the header detection looks at the same field
    expect(timed(() => thrown(() => parseRatings(`a,b,${field}\nc,d,${field}\n`)))).toBeLessThan(1000);
    expect(timed(() => thrown(() => parseFeatures(`1,a,${field}\n`)))).toBeLessThan(1000);
  });

  // TextDecoder stripped a BOM from bytes, then the parser stripped one from line 1 again: bytes
  // and strings differed (a lone BOM was 0 lines read from bytes, 1 from a string; two BOMs
  // before a quoted field read it quoted from bytes, literally from a string).
  it('bytes and strings give the same result around a BOM', () => {
    const options: ParseOptions = { source: 'bom.csv' };
    const fromString = thrown(() => parseRatings('\ufeff', options)).message;
    expect(fromString).toBe('bom.csv has no ratings (1 line read)');
    expect(thrown(() => parseRatings(new TextEncoder().encode('\ufeff'), options)).message).toBe(fromString);
    const text = '\ufeff\ufeff"a,b",i,3\nc,i,4\n';
    const a = parseRatings(text, { format: 'delimited', delimiter: ',' });
    const p = new RatingsParser({ format: 'delimited', delimiter: ',' });
    p.push(new TextEncoder().encode(text));
    const b = p.finish();
    expect(b.dataset.users.raw).toEqual(a.dataset.users.raw);
  });

  // `columns: null` and `scale: null` (from JavaScript or parsed JSON) were TypeErrors; a string
  // for columns was silently the default columns.
  it('columns and scale that are not objects are OptionErrors', () => {
    for (const options of [{ columns: null }, { columns: 'x' }, { scale: null }] as unknown as ParseOptions[]) {
      const err = thrown(() => parseRatings('1,2,3\n', options));
      expect(err, String(err)).toBeInstanceOf(OptionError);
      expect(err.message).toMatch(/^option (columns|scale) must be an object/);
    }
  });

  // A u.genre index beyond 2^32 - 2 is no array index: names[index] made a property, the genre
  // vanished and the file was accepted.
  it('a u.genre index far past the genres is a gap, not a genre silently dropped', () => {
    for (const index of ['4294967295', '99999999999', '9'.repeat(400)]) {
      const err = thrown(() => ml100kItemFeatures('1|t||||0\n', `A|0\nB|${index}\n`, 'u.item', 'u.genre'));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(/^u\.genre: genre indexes must be 0\.\.\S+ without gaps; index 1 is missing$/);
    }
  });

  // A scale of 1e15..2e15 made an imported state whose trainMean (the midpoint) no model file can
  // hold; lo 1e308, hi 1.7e308 made it Infinity.
  it('a Spark import refuses a scale beyond the model parameter limit', () => {
    for (const scale of [{ lo: 1e15, hi: 2e15 }, { lo: 1e308, hi: 1.7e308 }]) {
      expect(thrown(() => importSparkAls('{"id":1,"features":[1]}', '{"id":2,"features":[1]}', { scale }))).toBeInstanceOf(OptionError);
    }
    checkModelState(importSparkAls('{"id":1,"features":[1]}', '{"id":2,"features":[1]}', { scale: { lo: -9e14, hi: 9e14 } }));
  });

  // JSON.parse counted the '\r' of a CRLF line end in its positions.
  it('a Spark file with CRLF line ends has the LF file\'s error messages', () => {
    const lf = thrown(() => importSparkAls('{"id":1,"features":[1]}\n{\n', '')).message;
    expect(thrown(() => importSparkAls('{"id":1,"features":[1]}\r\n{\r\n', '')).message).toBe(lf);
    expect(lf).toMatch(/^userFactors:2: \(json\): malformed JSON/);
  });
});

describe('null options from JavaScript callers mean the defaults', () => {
  it('parseRatings, parseFeatures and importSparkAls accept null options (no TypeError)', () => {
    const nothing = null as unknown as undefined;
    expect(parseRatings('1\t2\t3\t0\n', nothing).dataset.size).toBe(1);
    expect(parseFeatures('a,b\n', nothing).ids.raw).toEqual(['a']);
    expect(importSparkAls('{"id":1,"features":[1]}', '{"id":2,"features":[1]}', nothing).factors).toBe(1);
  });
});
