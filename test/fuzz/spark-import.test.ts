// Property-based fuzzing of the Spark ALS import (importSparkAls: userFactors and itemFactors as
// JSON lines).
//
// Files are generated near-valid: `{"id": ..., "features": [...]}` rows with numeric and string
// ids (unicode, escapes, 1.0 and 1e2 and -0 as ids), JSON numbers in every notation, extra keys,
// keys in either order, whitespace, blank lines, a BOM and CRLF; now and then a bad line
// (malformed JSON, not an object, a missing, null, fractional, unsafe or repeated id, missing or
// non-array or empty features, a rank differing from the first row's or from the other file's,
// a non-number, infinite or too large value, more than MAX_FACTORS values). Properties:
//   (a) nothing but ParseError (source, line, reason) and OptionError for a bad scale;
//   (b) a valid pair of files gives exactly the reference's state (ids as strings, float32
//       factors, zero biases, unbiased, trainMean the scale's midpoint), and that state is a valid
//       model (checkModelState, no NaN prediction) that round-trips through a model file; a bad
//       pair fails on its first bad line, in the user file first;
//   (c) the same files with CRLF line ends, or a BOM, give the same outcome; (d) determinism.
// Then mutated files, random text and random JSON values.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { OptionError, ParseError } from '../../src/errors.js';
import { decodeModel, encodeModel } from '../../src/index.js';
import type { ModelState } from '../../src/index.js';
import { importSparkAls, type SparkImportOptions } from '../../src/index.js';
import { MAX_FACTORS } from '../../src/index.js';
import { expectSameState, expectUsable } from '../io/helpers.js';
import { applyEdits, attempt, bits, canonical, checkError, editArb, expectSameOutcome, mulberry32, type Outcome, physicalLines, runs, Tally } from './helpers.js';

const tally = new Tally('spark import');
afterAll(() => tally.print());

const RUNS = { structured: runs(3000), mutated: runs(2000), randomText: runs(1500), options: runs(300) };

type Kind =
  | 'row'
  | 'blank'
  | 'malformed'
  | 'notObject'
  | 'noId'
  | 'badId'
  | 'repeatId'
  | 'noFeatures'
  | 'featuresNotArray'
  | 'rank'
  | 'notNumber'
  | 'nonFinite'
  | 'tooLarge'
  | 'tooMany';

interface RowSpec {
  kind: Kind;
  id: { text: string; key: string | undefined };
  values: Array<{ text: string; value: number }>;
  seed: number;
}

/** JSON id texts and the key they give (undefined: not a valid id). */
const ID_TEXTS: Array<[string, string | undefined]> = [
  ['1', '1'],
  ['7', '7'],
  ['1.0', '1'],
  ['1e2', '100'],
  ['-0', '0'],
  ['-12', '-12'],
  ['9007199254740991', '9007199254740991'],
  ['"1"', '1'],
  ['"anna"', 'anna'],
  ['"Am\\u00e9lie (2001)"', 'Amélie (2001)'],
  ['"say \\"hi\\""', 'say "hi"'],
  ['"line\\nbreak"', 'line\nbreak'],
  ['""', ''],
  ['"🎬"', '🎬'],
];
const BAD_IDS = ['1.5', '9007199254740993', '1e300', 'true', 'null', '{}', '[1]', '-1e-7'];

// (Mostly distinct: a repeated id is an error, and the pool's ids repeat often: 1, 1.0 and "1" are one.)
const idArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...ID_TEXTS).map(([text, key]) => ({ text, key })) },
  { weight: 8, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((n) => ({ text: String(n), key: String(n) })) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => ({ text: JSON.stringify(s), key: s })) },
);

/** JSON number texts of a factor, in many notations; the value is what JSON.parse reads. */
const valueArb = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((v) => JSON.stringify(v)).map((text) => ({ text, value: JSON.parse(text) as number })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('0', '-0', '0.1', '-2.5e-3', '1E2', '1e-45', '1e-50', '3.4e3', '9.99e14', '-9.99e14', '0.30000000000000004', '123456789.123456789')
      .map((text) => ({ text, value: JSON.parse(text) as number })),
  },
);

const rowArb = (k: number): fc.Arbitrary<RowSpec> =>
  fc.record({
    kind: fc.oneof(
      { weight: 1500, arbitrary: fc.constant<Kind>('row') },
      { weight: 100, arbitrary: fc.constant<Kind>('blank') },
      ...(['malformed', 'notObject', 'noId', 'badId', 'repeatId', 'noFeatures', 'featuresNotArray', 'rank', 'notNumber', 'nonFinite', 'tooLarge'] as const).map((kind) => ({
        weight: 10,
        arbitrary: fc.constant<Kind>(kind),
      })),
      { weight: 1, arbitrary: fc.constant<Kind>('tooMany') },
    ),
    id: idArb,
    values: fc.array(valueArb, { minLength: k, maxLength: k }),
    seed: fc.nat(),
  });

interface FileSpec {
  rows: RowSpec[];
  bom: boolean;
  crlf: boolean;
  finalEol: boolean;
}

const fileArb = (k: number): fc.Arbitrary<FileSpec> =>
  fc.record({ rows: fc.array(rowArb(k), { maxLength: 12 }), bom: fc.boolean(), crlf: fc.boolean(), finalEol: fc.boolean() });

const caseArb = fc
  .record({ k: fc.integer({ min: 1, max: 6 }), itemK: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) }) })
  .chain(({ k, itemK }) =>
    fc.record({
      k: fc.constant(k),
      users: fileArb(k),
      items: fileArb(itemK ?? k),
      scale: fc.option(fc.constantFrom({ lo: 1, hi: 5 }, { lo: 0, hi: 1 }, { lo: -10, hi: 10 }, { lo: 0.5, hi: 5 }), { nil: undefined }),
      names: fc.option(fc.record({ users: fc.constantFrom('users.json', 'userFactors/part-0000.json'), items: fc.constantFrom('items.json', 'itemFactors/part-0000.json') }), { nil: undefined }),
    }),
  );

function picker(seed: number) {
  const r = mulberry32(seed);
  return { pick: <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)], chance: (p: number) => r() < p };
}

/** One JSON object line: keys in either order, maybe extra keys, random whitespace. */
function objectLine(parts: Array<[string, string]>, seed: number): string {
  const { pick, chance } = picker(seed);
  const ws = () => (chance(0.2) ? pick([' ', '  ', '\t']) : '');
  const entries = [...parts];
  if (chance(0.5)) entries.reverse();
  if (chance(0.2)) entries.splice(chance(0.5) ? 0 : entries.length, 0, [pick(['"extra"', '"rank"', '"id2"']), pick(['1', '"x"', 'null', '[1,2]', '{"a":[]}'])]);
  return ws() + '{' + entries.map(([key, value]) => `${ws()}${key}${ws()}:${ws()}${value}${ws()}`).join(',') + '}' + ws();
}

function featuresText(values: RowSpec['values'], seed: number): string {
  const { chance } = picker(seed ^ 0x9e3779b9);
  return '[' + values.map((v) => (chance(0.1) ? ` ${v.text} ` : v.text)).join(',') + ']';
}

interface FileRef {
  text: string;
  /** First bad line (1-based), if any. */
  bad: number | undefined;
  ids: string[];
  values: number[];
  /** The rank of the first row, or -1. */
  k: number;
}

/** A file's text and its reference reading; `otherK` is the user file's rank, for the item file. */
function renderFile(f: FileSpec, otherK: number | undefined): FileRef {
  const lines: string[] = [];
  const ids: string[] = [];
  const values: number[] = [];
  const keys = new Set<string>();
  let bad: number | undefined;
  let k = -1;
  for (const row of f.rows) {
    const lineNo = lines.length + 1;
    const { pick } = picker(row.seed);
    const idText = row.id.text;
    const features = featuresText(row.values, row.seed);
    let line: string;
    let ok = false;
    switch (row.kind) {
      case 'blank':
        lines.push(pick(['', ' ', '\t', '\u00a0']));
        continue;
      case 'row': {
        line = objectLine([['"id"', idText], ['"features"', features]], row.seed);
        const key = row.id.key as string;
        const rank = row.values.length;
        ok = !keys.has(key) && (k < 0 ? rank >= 1 && (otherK === undefined || rank === otherK) : rank === k);
        if (ok) {
          if (k < 0) k = rank;
          keys.add(key);
          ids.push(key);
          for (const v of row.values) values.push(v.value);
        }
        break;
      }
      case 'malformed': {
        const good = objectLine([['"id"', idText], ['"features"', features]], row.seed);
        const withFeatures = (text: string) => objectLine([['"id"', idText], ['"features"', text]], row.seed);
        line = pick([
          good.trimEnd().slice(0, -1), // no closing brace
          good.replace('{', "{'x':1,"), // single quotes
          withFeatures(features.slice(0, -1) + ',]'), // a trailing comma
          withFeatures('[NaN,' + features.slice(1)), // NaN is not JSON
          good + '}',
          `${good} ${good}`,
          good.replace(/"id"/, 'id'), // an unquoted key
        ]);
        break;
      }
      case 'notObject':
        line = pick(['[1,2,3]', '42', '"id"', 'null', 'true', `[${objectLine([['"id"', idText], ['"features"', features]], row.seed)}]`]);
        break;
      case 'noId':
        line = objectLine(pick([[['"features"', features]], [['"id"', 'null'], ['"features"', features]], [['"ID"', idText], ['"features"', features]]]) as Array<[string, string]>, row.seed);
        break;
      case 'badId':
        line = objectLine([['"id"', pick(BAD_IDS)], ['"features"', features]], row.seed);
        break;
      case 'repeatId':
        line = ids.length > 0 ? objectLine([['"id"', JSON.stringify(ids[row.seed % ids.length])], ['"features"', features]], row.seed) : '{}';
        break;
      case 'noFeatures':
        line = objectLine(pick([[['"id"', idText]], [['"id"', idText], ['"features"', 'null']], [['"id"', idText], ['"factors"', features]]]) as Array<[string, string]>, row.seed);
        break;
      case 'featuresNotArray':
        line = objectLine([['"id"', idText], ['"features"', pick(['"0.1,0.2"', '{"0":0.1}', '0.5', 'true'])]], row.seed);
        break;
      case 'rank': {
        // One value more or fewer than the first row (or, as the first row, than the other file; or none at all).
        const n = k >= 0 ? (row.seed % 2 === 0 || k === 1 ? k + 1 : k - 1) : otherK !== undefined ? otherK + 1 : 0;
        line = objectLine([['"id"', idText], ['"features"', `[${Array.from({ length: n }, () => '0.5').join(',')}]`]], row.seed);
        break;
      }
      case 'notNumber':
        line = objectLine([['"id"', idText], ['"features"', features.replace(/^\[[^,\]]*/, '[' + pick(['"0.1"', 'null', 'true', '[0.1]', '{}']))]], row.seed);
        break;
      case 'nonFinite':
        line = objectLine([['"id"', idText], ['"features"', features.replace(/^\[[^,\]]*/, '[' + pick(['1e999', '-1e400', '1E309']))]], row.seed);
        break;
      case 'tooLarge':
        line = objectLine([['"id"', idText], ['"features"', features.replace(/^\[[^,\]]*/, '[' + pick(['1e15', '-1e15', '1.5e20', '3.5e38', '1e300']))]], row.seed);
        break;
      case 'tooMany':
        line = objectLine([['"id"', idText], ['"features"', `[${Array.from({ length: MAX_FACTORS + 1 + (row.seed % 3) }, () => '0').join(',')}]`]], row.seed);
        // As the first row, beyond MAX_FACTORS; later, a rank differing from the first row's.
        break;
    }
    if (!ok && bad === undefined) bad = lineNo;
    lines.push(line);
  }
  const eol = f.crlf ? '\r\n' : '\n';
  const text = (f.bom ? '\ufeff' : '') + lines.join(eol) + (f.finalEol && lines.length > 0 ? eol : '');
  return { text, bad, ids, values, k };
}

interface Reference {
  userText: string;
  itemText: string;
  expected: { type: 'error'; source: 'users' | 'items'; line: number } | { type: 'state'; state: ModelState };
}

function reference(c: typeof caseArb extends fc.Arbitrary<infer T> ? T : never): Reference {
  const users = renderFile(c.users, undefined);
  const items = renderFile(c.items, users.k >= 0 ? users.k : undefined);
  const userText = users.text;
  const itemText = items.text;
  const error = (source: 'users' | 'items', line: number): Reference => ({ userText, itemText, expected: { type: 'error', source, line } });
  // The user file is read whole first; an empty file fails on line 1.
  if (users.bad !== undefined) return error('users', users.bad);
  if (users.ids.length === 0) return error('users', 1);
  if (items.bad !== undefined) return error('items', items.bad);
  if (items.ids.length === 0) return error('items', 1);
  const scale = c.scale ?? { lo: 1, hi: 5 };
  const k = users.k;
  return {
    userText,
    itemText,
    expected: {
      type: 'state',
      state: {
        kind: 'imported',
        options: { format: 'spark-als', rank: k, scale: { ...scale } },
        factors: k,
        biased: false,
        mu: 0,
        trainMean: (scale.lo + scale.hi) / 2,
        scale: { ...scale },
        userIds: users.ids,
        itemIds: items.ids,
        P: Float32Array.from(users.values),
        Q: Float32Array.from(items.values),
        bu: new Float32Array(users.ids.length),
        bi: new Float32Array(items.ids.length),
        seenStart: new Uint32Array(users.ids.length + 1),
        seenItems: new Uint32Array(0),
      },
    },
  };
}

function stateKey(s: ModelState): string {
  return canonical([s.kind, s.options, s.factors, s.biased, s.mu, s.trainMean, s.scale, s.userIds, s.itemIds, bits(s.P), bits(s.Q), bits(s.bu), bits(s.bi), Array.from(s.seenStart), Array.from(s.seenItems)]);
}

function expectSameModel(a: ModelState, b: ModelState): void {
  if (stateKey(a) !== stateKey(b)) expect(stateKey(b)).toBe(stateKey(a));
}

/** Imports, again, with CRLF line ends and behind BOMs: one outcome (c, d), its error checked (a). */
function importEveryWay(userText: string, itemText: string, options: SparkImportOptions, property: string): Outcome<ModelState> {
  const whole = attempt(() => importSparkAls(userText, itemText, options));
  expectSameOutcome(whole, attempt(() => importSparkAls(userText, itemText, options)), expectSameModel, `${property}: determinism`);
  const crlf = (t: string) => t.replace(/\r?\n/g, '\r\n');
  if (crlf(userText) !== userText || crlf(itemText) !== itemText) {
    expectSameOutcome(whole, attempt(() => importSparkAls(crlf(userText), crlf(itemText), options)), expectSameModel, `${property}: CRLF`);
  }
  const bom = (t: string) => (t.startsWith('\ufeff') ? t : '\ufeff' + t);
  expectSameOutcome(whole, attempt(() => importSparkAls(bom(userText), bom(itemText), options)), expectSameModel, `${property}: BOM`);
  if (whole.ok) {
    // A valid model: checks pass, no prediction is NaN, and it round-trips through a model file.
    expectUsable(whole.value);
    expectSameState(decodeModel(encodeModel(whole.value)), whole.value);
    tally.add(property, 'ModelState');
  } else {
    const err = whole.error;
    const users = options.source?.users ?? 'userFactors';
    const items = options.source?.items ?? 'itemFactors';
    const source = err instanceof ParseError && err.source === items ? items : users;
    tally.add(property, checkError(err, source, physicalLines(source === items ? itemText : userText), { optionsMayFail: true }));
  }
  return whole;
}

const NASTY = ['\n', '\r', '\r\n', '{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '1e999', 'NaN', '-', '.', 'null', '\ufeff', '\u2028', '\0', '\ud83c', '{"id":1,"features":[1]}\n', '9'.repeat(30)];

describe('Spark ALS import fuzzing (fast-check, fixed seeds)', () => {
  it(`near-valid JSON lines match the reference state, a valid model (${RUNS.structured} cases)`, () => {
    const property = 'near-valid files';
    fc.assert(
      fc.property(caseArb, (c) => {
        tally.time(() => {
          const r = reference(c);
          const users = c.names?.users ?? 'userFactors';
          const items = c.names?.items ?? 'itemFactors';
          const options: SparkImportOptions = { ...(c.scale && { scale: c.scale }), ...(c.names && { source: c.names }) };
          const outcome = importEveryWay(r.userText, r.itemText, options, property);
          const e = r.expected;
          if (e.type === 'error') {
            if (outcome.ok) throw new Error(`expected an error in ${e.source} line ${e.line}`);
            const err = outcome.error as ParseError;
            expect(err, err.message).toBeInstanceOf(ParseError);
            expect([err.source, err.line], err.message).toEqual([e.source === 'users' ? users : items, e.line]);
          } else {
            if (!outcome.ok) throw outcome.error;
            expectSameModel(e.state, outcome.value);
          }
        });
      }),
      { seed: 0x5a4c, numRuns: RUNS.structured },
    );
    expect(tally.cases(property)).toBe(RUNS.structured);
  });

  it(`mutated files (${RUNS.mutated} cases)`, () => {
    const property = 'mutated files';
    const edit = editArb(fc, NASTY, 6);
    fc.assert(
      fc.property(caseArb, fc.array(edit, { maxLength: 3 }), fc.array(edit, { maxLength: 3 }), (c, ue, ie) => {
        tally.time(() => {
          const r = reference(c);
          importEveryWay(applyEdits(r.userText, ue), applyEdits(r.itemText, ie), c.scale ? { scale: c.scale } : {}, property);
        });
      }),
      { seed: 0x5a4d, numRuns: RUNS.mutated },
    );
    expect(tally.cases(property)).toBe(RUNS.mutated);
  });

  it(`random text and random JSON values per line (${RUNS.randomText} cases)`, () => {
    const property = 'random text / JSON';
    const textArb = fc.oneof(
      fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', 'i', 'd', ':', ',', '1', '.', 'e', '-', ' ', '\n', '\r', 'f'), maxLength: 150 }),
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }).map((vs) => vs.map((v) => JSON.stringify(v)).join('\n')),
      fc.array(fc.record({ id: fc.jsonValue({ maxDepth: 1 }), features: fc.oneof(fc.array(fc.double(), { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: [] }), { maxLength: 6 }).map((vs) => vs.map((v) => JSON.stringify(v)).join('\n')),
      fc.string({ unit: 'binary', maxLength: 100 }),
    );
    fc.assert(
      fc.property(textArb, textArb, (u, i) => {
        tally.time(() => importEveryWay(u, i, {}, property));
      }),
      { seed: 0x5a4e, numRuns: RUNS.randomText },
    );
    expect(tally.cases(property)).toBe(RUNS.randomText);
  });

  it(`random scales and non-string inputs: OptionError or ParseError naming the input (${RUNS.options} cases)`, () => {
    const property = 'scales and input types';
    const good = '{"id":1,"features":[0.5]}';
    const scaleArb = fc.oneof(
      fc.record({ lo: fc.double(), hi: fc.double() }),
      fc.record({ lo: fc.double({ min: -10, max: 10 }), hi: fc.double({ min: -10, max: 10 }) }),
      fc.record({ lo: fc.double({ min: -10, max: 10 }), hi: fc.double({ min: -10, max: 10 }) }),
      fc.constantFrom({ lo: 1e308, hi: 1.7e308 }, { lo: -1.7e308, hi: 1.7e308 }, { lo: 1e15, hi: 2e15 }, { lo: 0, hi: 1e16 }, { lo: -0, hi: 0 }, { lo: 5, hi: 1 }),
    );
    const inputArb = fc.oneof({ weight: 6, arbitrary: fc.constant<unknown>(good) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 42, ['a'], new Uint8Array([123, 125])) });
    fc.assert(
      fc.property(scaleArb, inputArb, inputArb, (scale, u, i) => {
        tally.time(() => {
          const outcome = attempt(() => importSparkAls(u as string, i as string, { scale }));
          if (outcome.ok) {
            expectUsable(outcome.value);
            tally.add(property, 'ModelState');
            return;
          }
          const err = outcome.error;
          if (err instanceof OptionError) {
            expect(Number.isFinite(scale.lo) && Number.isFinite(scale.hi) && scale.lo < scale.hi && Math.abs(scale.lo) < 1e15 && Math.abs(scale.hi) < 1e15, err.message).toBe(false);
          }
          const source = err instanceof ParseError && err.source === 'itemFactors' ? 'itemFactors' : 'userFactors';
          // A non-string input is reported on "line 0" (there are no lines).
          tally.add(property, checkError(err, source, 1, { optionsMayFail: true, minLine: 0 }));
        });
      }),
      { seed: 0x5a4f, numRuns: RUNS.options },
    );
    expect(tally.cases(property)).toBe(RUNS.options);
  });
});
