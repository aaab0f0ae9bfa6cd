// Property-based fuzzing of the feature-file parser (parseFeatures).
//
// Documents are generated near-valid: `id,feature[,weight]` rows, comma or tab separated, with
// padding, CSV quoting, unicode names, comments, blank lines, an optional header, a BOM and mixed
// line ends; now and then a bad line (wrong field count, empty id or name, a non-numeric, NaN,
// infinite or too large weight, the other separator, an unbalanced quote, an unknown id) or a
// repeated (id, feature) pair. The generator knows each line, so a tiny reference parse gives the
// exact outcome. Properties:
//   (a) nothing but the library's errors: ParseError naming source, line and reason, or the
//       file-level DataError (no rows) naming the source;
//   (b) a valid document gives exactly the reference's rows (ids and names in first-appearance
//       order, weights as float32); a bad one fails on its first bad line;
//   (c) the same document with '\r\n' or '\r' line ends, or a BOM, gives the same outcome;
//   (d) determinism.
// Then mutated documents and random text, for (a), (c), (d) and the CSR invariants.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Features, HEADER_ID_NAMES, parseFeatures, type FeatureParseOptions } from '../../src/data/features.js';
import { ParseError } from '../../src/errors.js';
import { applyEdits, attempt, bits, canonical, checkError, editArb, expectSameOutcome, joinLines, mulberry32, type Outcome, physicalLines, runs, Tally } from './helpers.js';

const tally = new Tally('features');
afterAll(() => tally.print());

const RUNS = { structured: runs(4000), mutated: runs(2000), randomText: runs(2000) };

type Sep = ',' | '\t';
type Kind = 'row' | 'blank' | 'comment' | 'fieldCount' | 'emptyId' | 'emptyName' | 'badWeight' | 'otherSep' | 'quote' | 'unknownId' | 'repeat';

interface LineSpec {
  kind: Kind;
  id: string;
  name: string;
  weight: string | undefined;
  bad: string;
  eol: '\n' | '\r\n' | '\r';
  seed: number;
}

interface Doc {
  sep: Sep;
  header: boolean;
  lines: LineSpec[];
  bom: boolean;
  finalEol: boolean;
  /** Some ids are known: the others are errors. */
  known: boolean;
  kind: 'user' | 'item';
  source: string;
  seed: number;
}

// Ids and names that repeat (so (id, feature) pairs do), need quoting, are unicode or long.
const IDS = ['1', '2', '10', '01', 'u1', 'zoë', '電影', 'a b', 'x,y', 'q"t', 'item', 'USER', '🎬', '4294967296', 'NaN'];
const NAMES = ['genre:Action', 'genre:Drama', 'year:1995', 'a', 'B', 'b', 'Film, Noir', 'say "hi"', '5" screen', 'tab\there', 'é', 'weight', 'genre:Sci-Fi', '  padded  ', 'x'.repeat(200)];
const WEIGHTS = ['1', '0.5', '-2', '1e3', '+.5', '3.4028234e38', '0', '-0', '1e-50', '2.', '007', '0.30000000000000004'];
const BAD_WEIGHTS = ['', '  ', 'abc', 'NaN', 'inf', '-Infinity', '1e39', '-1e309', '0x1', '1_0', '１', '.', '1e', '1'.repeat(3000) + 'x', '1,5'];

const textArb = (pool: string[]) =>
  fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...pool) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
  );

const lineSpecArb: fc.Arbitrary<LineSpec> = fc.record({
  kind: fc.oneof(
    { weight: 120, arbitrary: fc.constant<Kind>('row') },
    { weight: 10, arbitrary: fc.constant<Kind>('blank') },
    { weight: 10, arbitrary: fc.constant<Kind>('comment') },
    ...(['fieldCount', 'emptyId', 'emptyName', 'badWeight', 'otherSep', 'quote', 'unknownId', 'repeat'] as const).map((k) => ({
      weight: 1,
      arbitrary: fc.constant<Kind>(k),
    })),
  ),
  id: textArb(IDS),
  name: textArb(NAMES),
  weight: fc.option(fc.constantFrom(...WEIGHTS), { nil: undefined, freq: 2 }),
  bad: fc.constantFrom(...BAD_WEIGHTS),
  eol: fc.constantFrom<LineSpec['eol']>('\n', '\n', '\r\n', '\r'),
  seed: fc.nat(),
});

const SOURCES = ['<string>', 'item-features.csv', 'données/genres é.tsv', 'C:\\f:1.tsv'];

const docArb: fc.Arbitrary<Doc> = fc.record({
  sep: fc.constantFrom<Sep>(',', '\t'),
  header: fc.boolean(),
  lines: fc.array(lineSpecArb, { maxLength: 30 }),
  bom: fc.boolean(),
  finalEol: fc.boolean(),
  known: fc.boolean(),
  kind: fc.constantFrom<'user' | 'item'>('user', 'item'),
  source: fc.constantFrom(...SOURCES),
  seed: fc.nat(),
});

function picker(seed: number) {
  const r = mulberry32(seed);
  return { pick: <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)], chance: (p: number) => r() < p };
}

/** What a field may hold: no line breaks; no tab with commas (it would switch the separator). */
function sanitize(text: string, sep: Sep): string {
  let s = text.replace(/[\r\n]/g, '_');
  if (sep === ',') s = s.replace(/\t/g, '_');
  s = s.trim();
  if (s === '' || s.startsWith('#')) s = 'x' + s;
  return s;
}

/** Fields (contents as the parser is to read them, already trimmed) joined into a line, padded and quoted at random. */
function joinFields(fields: readonly string[], sep: Sep, seed: number): string {
  const { pick, chance } = picker(seed);
  return fields
    .map((f) => {
      const quote = f.includes(sep) || f.includes('"') || chance(0.1);
      const pad = () => (chance(0.15) ? pick(sep === '\t' ? [' ', '  '] : [' ', '  ', '\u00a0']) : '');
      if (quote) return (chance(0.2) ? ' ' : '') + `"${f.replace(/"/g, '""')}"` + (chance(0.2) ? ' ' : '');
      return pad() + f + pad();
    })
    .join(sep);
}

type LineClass = { type: 'skip' } | { type: 'row'; id: string; name: string; weight: number } | { type: 'bad' };

interface Rendered {
  text: string;
  options: FeatureParseOptions;
  expected: { type: 'error'; line: number } | { type: 'empty' } | { type: 'rows'; rows: Array<[string, string, number]> };
}

function render(doc: Doc): Rendered {
  const { sep } = doc;
  const knownIds = doc.known ? new Set(IDS.filter((_, t) => t % 3 !== 2).map((id) => sanitize(id, sep))) : undefined;
  const pieces: Array<{ text: string; cls: LineClass; eol: string }> = [];
  if (doc.header) {
    const { pick, chance } = picker(doc.seed);
    const names = [pick(HEADER_ID_NAMES), 'feature', ...(chance(0.5) ? ['weight'] : [])].map((n) => (chance(0.3) ? n.toUpperCase() : n));
    pieces.push({ text: joinFields(names, sep, doc.seed), cls: { type: 'skip' }, eol: '\n' });
  }
  const rows: Array<{ id: string; name: string; text: string }> = [];
  for (const spec of doc.lines) {
    const { pick, chance } = picker(spec.seed);
    let id = sanitize(spec.id, sep);
    const name = sanitize(spec.name, sep);
    let kind = spec.kind;
    if (kind === 'unknownId' && !knownIds) kind = 'badWeight';
    if (kind === 'repeat' && rows.length === 0) kind = 'fieldCount';
    // The first data line decides the separator: it must be a row holding `sep` (or the header).
    const first = !doc.header && !pieces.some((p) => p.cls.type !== 'skip' || (p.text.trimStart() !== '' && !p.text.trimStart().startsWith('#')));
    if (first && kind !== 'row' && kind !== 'blank' && kind !== 'comment') kind = 'row';
    if (first && kind === 'row' && knownIds && !knownIds.has(id)) id = [...knownIds][0];
    const weightText = spec.weight;
    const fields = (w: string | undefined) => (w === undefined ? [id, name] : [id, name, w]);
    let text: string;
    let cls: LineClass = { type: 'bad' };
    switch (kind) {
      case 'blank':
        text = pick(['', ' ', '\t', '  \u00a0', '\ufeff']);
        if (sep === ',' && text.includes('\t')) text = ' ';
        cls = { type: 'skip' };
        break;
      case 'comment':
        text = pick(['#', '# a comment, with commas', '  #\tand "tabs', '#1,a']).replace(/\t/g, sep === ',' ? ' ' : '\t');
        cls = { type: 'skip' };
        break;
      case 'row': {
        text = joinFields(fields(weightText), sep, spec.seed);
        const known = !knownIds || knownIds.has(id);
        const dup = rows.some((r) => r.id === id && r.name === name);
        cls = known && !dup ? { type: 'row', id, name, weight: weightText === undefined ? 1 : Number(weightText) } : { type: 'bad' };
        if (cls.type === 'row') rows.push({ id, name, text });
        break;
      }
      case 'fieldCount':
        text = chance(0.5) ? joinFields([id], sep, spec.seed) : joinFields([id, name, '1', 'extra', ...(chance(0.3) ? ['more'] : [])], sep, spec.seed);
        // A lone field with commas in a tab file is a separator error: either way, this line.
        break;
      case 'emptyId':
        text = joinFields(['', name], sep, spec.seed).replace(/^"/, chance(0.5) ? '"' : '  "');
        break;
      case 'emptyName':
        text = joinFields([id, ''], sep, spec.seed);
        break;
      case 'badWeight': {
        const bad = sep === ',' && spec.bad.includes(',') ? 'abc' : spec.bad;
        text = joinFields([id, name, bad], sep, spec.seed);
        break;
      }
      case 'otherSep':
        text = sep === ',' ? `${id.replace(/[",]/g, '_')}\t${name.replace(/[",]/g, '_')}` : `${id.replace(/[\t",]/g, '_')},${name.replace(/[\t",]/g, '_')}`;
        break;
      case 'quote':
        text = joinFields([id, name], sep, spec.seed) + sep + pick(['"open', '"a"b', '"x""']);
        break;
      case 'unknownId': {
        const unknown = IDS.map((x) => sanitize(x, sep)).find((x) => !knownIds?.has(x)) as string;
        text = joinFields([unknown, name], sep, spec.seed);
        break;
      }
      case 'repeat': {
        const earlier = rows[spec.seed % rows.length];
        text = earlier.text;
        break;
      }
    }
    pieces.push({ text, cls, eol: spec.eol });
  }

  const { text, starts } = joinLines(pieces, doc.bom, doc.finalEol);
  const options: FeatureParseOptions = { source: doc.source, kind: doc.kind, ...(knownIds && { knownIds, knownIdsHint: 'it is not in the ratings' }) };
  const out: Array<[string, string, number]> = [];
  for (let t = 0; t < pieces.length; t++) {
    const cls = pieces[t].cls;
    if (cls.type === 'bad') return { text, options, expected: { type: 'error', line: lineOf(text, t === 0 ? 0 : starts[t]) } };
    if (cls.type === 'row') out.push([cls.id, cls.name, Math.fround(cls.weight)]);
  }
  return { text, options, expected: out.length === 0 ? { type: 'empty' } : { type: 'rows', rows: out } };
}

/** The 1-based physical line starting at offset `at`. */
function lineOf(text: string, at: number): number {
  return at === 0 ? 1 : physicalLines(text.slice(0, at)) + 1;
}

/** Everything a Features holds, float32 weights by their bits. */
function featuresKey(f: Features): string {
  return canonical([f.ids.raw, f.names.raw, Array.from(f.start), Array.from(f.cols), bits(f.vals)]);
}

function expectSameFeatures(a: Features, b: Features): void {
  if (featuresKey(a) !== featuresKey(b)) expect(featuresKey(b)).toBe(featuresKey(a));
}

/** The CSR invariants, whatever the input (the constructor checks them too: this is independent). */
function checkFeatures(f: Features): void {
  const n = f.ids.size;
  const fail = (what: string): never => {
    throw new Error(`Features invariant broken: ${what}`);
  };
  if (n === 0 || f.vals.length === 0) fail('no rows');
  if (f.start.length !== n + 1 || f.start[0] !== 0 || f.start[n] !== f.cols.length || f.cols.length !== f.vals.length) fail('offsets');
  for (let r = 0; r < n; r++) {
    if (f.start[r + 1] < f.start[r]) fail('decreasing start');
    for (let k = f.start[r]; k < f.start[r + 1]; k++) {
      if (f.cols[k] >= f.names.size || (k > f.start[r] && f.cols[k] <= f.cols[k - 1])) fail(`column at ${k}`);
      if (!Number.isFinite(f.vals[k])) fail(`weight ${f.vals[k]}`);
    }
  }
  for (const ids of [f.ids.raw, f.names.raw]) {
    if (new Set(ids).size !== ids.length) fail('not distinct');
    for (const id of ids) if (typeof id !== 'string' || id === '') fail(`id ${JSON.stringify(id)}`);
  }
  for (const name of f.names.raw) if (name.trim() === '') fail('blank feature name');
}

/**
 * Parses the text, a second time, with its line ends all '\r\n' and all '\r', and behind a BOM:
 * the same outcome every time (c, d), which is returned after its error (if any) is checked (a).
 */
function parseEveryWay(text: string, options: FeatureParseOptions, property: string): Outcome<Features> {
  const whole = attempt(() => parseFeatures(text, options));
  expectSameOutcome(whole, attempt(() => parseFeatures(text, options)), expectSameFeatures, `${property}: determinism`);
  for (const eol of ['\n', '\r\n', '\r']) {
    const other = text.replace(/\r\n|\r|\n/g, eol);
    if (other !== text) expectSameOutcome(whole, attempt(() => parseFeatures(other, options)), expectSameFeatures, `${property}: ${JSON.stringify(eol)} line ends`);
  }
  if (!text.startsWith('\ufeff')) expectSameOutcome(whole, attempt(() => parseFeatures('\ufeff' + text, options)), expectSameFeatures, `${property}: BOM`);
  if (whole.ok) {
    checkFeatures(whole.value);
    tally.add(property, 'Features');
  } else {
    tally.add(property, checkError(whole.error, options.source ?? '<string>', physicalLines(text)));
  }
  return whole;
}

function checkAgainstReference(r: Rendered, outcome: Outcome<Features>): void {
  const e = r.expected;
  if (e.type === 'error') {
    if (outcome.ok) throw new Error(`expected an error on line ${e.line}, got ${featuresKey(outcome.value)}`);
    expect(outcome.error).toBeInstanceOf(ParseError);
    expect((outcome.error as ParseError).line, (outcome.error as Error).message).toBe(e.line);
    return;
  }
  if (e.type === 'empty') {
    if (outcome.ok) throw new Error('expected "no feature rows"');
    expect((outcome.error as Error).message).toMatch(/ has no feature rows \(/);
    return;
  }
  if (!outcome.ok) throw outcome.error;
  const f = outcome.value;
  // The reference layout: ids and names by first appearance, each row's entries by column.
  const ids: string[] = [];
  const names: string[] = [];
  for (const [id, name] of e.rows) {
    if (!ids.includes(id)) ids.push(id);
    if (!names.includes(name)) names.push(name);
  }
  const rows = ids.map((id) =>
    e.rows
      .filter((x) => x[0] === id)
      .map((x): [number, number] => [names.indexOf(x[1]), x[2]])
      .sort((a, b) => a[0] - b[0]),
  );
  const got = canonical([f.ids.raw, f.names.raw, f.ids.raw.map((_, r) => Array.from({ length: f.start[r + 1] - f.start[r] }, (_, j) => [f.cols[f.start[r] + j], f.vals[f.start[r] + j]]))]);
  const want = canonical([ids, names, rows]);
  if (got !== want) expect(got).toBe(want);
}

/** Tokens inserted by the mutations. */
const NASTY = ['\r', '\n', '\r\n', '"', ',', '\t', ' ', '#', '\ufeff', '\u00a0', '\0', 'NaN', '1e39', '\ud83c', 'id,feature\n', '"a""b"', ',,,', 'x'.repeat(3000), '1'.repeat(3000) + 'x'];

describe('feature file parser fuzzing (fast-check, fixed seeds)', () => {
  it(`near-valid documents match the reference parse, whatever the line ends (${RUNS.structured} cases)`, () => {
    const property = 'near-valid documents';
    fc.assert(
      fc.property(docArb, (doc) => {
        tally.time(() => {
          const r = render(doc);
          checkAgainstReference(r, parseEveryWay(r.text, r.options, property));
        });
      }),
      { seed: 0xfea7, numRuns: RUNS.structured },
    );
    expect(tally.cases(property)).toBe(RUNS.structured);
  });

  it(`mutated documents (${RUNS.mutated} cases)`, () => {
    const property = 'mutated documents';
    const edit = editArb(fc, NASTY, 8);
    fc.assert(
      fc.property(docArb, fc.array(edit, { minLength: 1, maxLength: 4 }), (doc, edits) => {
        tally.time(() => {
          const r = render(doc);
          parseEveryWay(applyEdits(r.text, edits), r.options, property);
        });
      }),
      { seed: 0xfea8, numRuns: RUNS.mutated },
    );
    expect(tally.cases(property)).toBe(RUNS.mutated);
  });

  it(`random text (${RUNS.randomText} cases)`, () => {
    const property = 'random text';
    const chars = ['1', 'a', 'é', ',', '\t', ' ', '"', '#', '\r', '\n', '.', 'e', '-', ':', '\ufeff'];
    const textArb = fc.oneof(fc.string({ unit: fc.constantFrom(...chars), maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 150 }));
    fc.assert(
      fc.property(textArb, fc.constantFrom(...SOURCES), (text, source) => {
        tally.time(() => parseEveryWay(text, { source }, property));
      }),
      { seed: 0xfea9, numRuns: RUNS.randomText },
    );
    expect(tally.cases(property)).toBe(RUNS.randomText);
  });
});
