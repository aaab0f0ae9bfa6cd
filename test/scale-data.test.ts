// The scale path (issue 7): the generator, the writer, and the loader's typed-array paths (the
// in-place line parser, the row blocks and the banded duplicate count) checked against the
// general path and plain references, at small sizes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { dedupeRatings, type DuplicatePolicy } from '../src/data/duplicates.js';
import { encodeRatingsTsv, generateScaleRatings } from '../src/data/generate-scale.js';
import { loadRatingsFile, writeRatingsFile } from '../src/data/load-node.js';
import { RatingsParser, parseRatings, splitFields, type Delimiter, type ParseOptions } from '../src/data/parse.js';
import { holdoutSplit } from '../src/data/splits.js';
import { DataError, OptionError, ParseError } from '../src/errors.js';
import { evaluate } from '../src/eval/cross-validate.js';
import { SVD } from '../src/index.js';
import { Random } from '../src/util/random.js';
import { expectSameDataset, triples } from './data/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'latentrec-scale-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SMALL = { ratings: 50_000, users: 1_000, items: 2_000, seed: 7 };

describe('generateScaleRatings', () => {
  const data = generateScaleRatings(SMALL);

  it('honours the counts; ratings are integers 1..5', () => {
    expect([data.size, data.userCount, data.itemCount]).toEqual([50_000, 1_000, 2_000]);
    expect(data.scale).toEqual({ lo: 1, hi: 5 });
    const seen = new Set<number>();
    for (let t = 0; t < data.size; t++) seen.add(data.ratings[t]);
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('has no repeated (user, item) pair', () => {
    const pairs = new Set<number>();
    for (let t = 0; t < data.size; t++) pairs.add(data.userIndex[t] * data.itemCount + data.itemIndex[t]);
    expect(pairs.size).toBe(data.size);
    expect(dedupeRatings(data.userIndex, data.itemIndex, data.ratings, data.userCount, data.itemCount, 'keep').found).toBe(0);
  });

  it('raw ids are the integers 1..users and 1..items, numbered by first appearance', () => {
    const sorted = (raw: readonly string[]) => raw.map(Number).sort((a, b) => a - b);
    expect(sorted(data.users.raw)).toEqual(Array.from({ length: 1_000 }, (_, k) => k + 1));
    expect(sorted(data.items.raw)).toEqual(Array.from({ length: 2_000 }, (_, k) => k + 1));
    let users = 0;
    let items = 0;
    let outOfOrder = 0;
    for (let t = 0; t < data.size; t++) {
      if (data.userIndex[t] > users || data.itemIndex[t] > items) outOfOrder++;
      if (data.userIndex[t] === users) users++;
      if (data.itemIndex[t] === items) items++;
    }
    expect(outOfOrder).toBe(0);
  });

  it('skews item popularity and user activity', () => {
    const perItem = new Array<number>(data.itemCount).fill(0);
    const perUser = new Array<number>(data.userCount).fill(0);
    for (let t = 0; t < data.size; t++) {
      perItem[data.itemIndex[t]]++;
      perUser[data.userIndex[t]]++;
    }
    const share = (counts: number[], fraction: number) =>
      counts
        .sort((a, b) => b - a)
        .slice(0, Math.ceil(counts.length * fraction))
        .reduce((a, b) => a + b, 0) / data.size;
    // Uniform draws would give 1% and 10%; the power law gives about 20% to the top 1% of items.
    expect(share(perItem, 0.01)).toBeGreaterThan(0.12);
    expect(share(perUser, 0.1)).toBeGreaterThan(0.25);
    expect(Math.min(...perItem)).toBeGreaterThanOrEqual(1);
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(20);
  });

  it('is deterministic per seed', () => {
    const again = generateScaleRatings(SMALL);
    expectSameDataset(again, data);
    const other = generateScaleRatings({ ...SMALL, seed: 8 });
    expect(Array.from(other.itemIndex.subarray(0, 100))).not.toEqual(Array.from(data.itemIndex.subarray(0, 100)));
  });

  it('dense users (more than a quarter of the items) still get distinct items, every item rated', () => {
    const dense = generateScaleRatings({ ratings: 600, users: 10, items: 80, seed: 3 });
    expect([dense.size, dense.userCount, dense.itemCount]).toEqual([600, 10, 80]);
    expect(dedupeRatings(dense.userIndex, dense.itemIndex, dense.ratings, 10, 80, 'keep').found).toBe(0);
  });

  it('has structure a factor model learns: SVD beats the global mean', () => {
    const { train, test } = holdoutSplit(data, { testRatio: 0.2, seed: 0 });
    const model = new SVD({ factors: 16, epochs: 20, engine: 'js' });
    model.fit(train);
    const mean = train.globalMean();
    let se = 0;
    for (let t = 0; t < test.size; t++) se += (test.ratings[t] - mean) ** 2;
    expect(evaluate(model, test).rmse).toBeLessThan(0.95 * Math.sqrt(se / test.size));
  });

  it('refuses impossible sizes', () => {
    expect(() => generateScaleRatings({ ratings: 10, users: 2, items: 20 })).toThrow(OptionError); // items unrated
    expect(() => generateScaleRatings({ ratings: 100, users: 2, items: 20 })).toThrow(OptionError); // > users * items
    expect(() => generateScaleRatings({ ratings: 100, users: 10, items: 20, minPerUser: 11 })).toThrow(OptionError);
    expect(() => generateScaleRatings({ ratings: 100, users: 10, items: 20, itemSkew: 0.5 })).toThrow(OptionError);
  });
});

describe('writeRatingsFile + loadRatingsFile', () => {
  const data = generateScaleRatings(SMALL);
  const path = join(tmp, 'scale.tsv');

  it('round-trips exactly, as an ml100k file with integer ids', async () => {
    await writeRatingsFile(path, data);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(data.size + 1); // the last line ends with '\n'
    expect(lines[0]).toBe(`${data.users.raw[data.userIndex[0]]}\t${data.items.raw[data.itemIndex[0]]}\t${data.ratings[0]}\t881250949`);
    expect(lines[0]).toMatch(/^\d+\t\d+\t[1-5]\t\d+$/);
    const { dataset, summary } = await loadRatingsFile(path);
    expect(summary).toMatchObject({ format: 'ml100k', ratings: data.size, users: 1_000, items: 2_000 });
    expect(summary.duplicates).toEqual({ policy: 'keep', found: 0, removed: 0 });
    expectSameDataset(dataset, data);
  });

  it('a tiny chunkSize gives the same dataset', async () => {
    const small = generateScaleRatings({ ratings: 3_000, users: 100, items: 300, seed: 1 });
    const file = join(tmp, 'small.tsv');
    await writeRatingsFile(file, small);
    for (const chunkSize of [7, 64]) expectSameDataset((await loadRatingsFile(file, { chunkSize })).dataset, small);
    expectSameDataset((await loadRatingsFile(path, { chunkSize: 4096 })).dataset, data);
  });

  it('string ids and fractional ratings round-trip; chunks never split a line', async () => {
    const rows: Array<[string, string, number]> = [];
    for (let t = 0; t < 500; t++) {
      rows.push([`user-with-a-long-name-${t % 37}`, `ítem ${(t * 7) % 101}`, [1, 2.5, Math.fround(10 / 3), 4.75, 5][t % 5]]);
    }
    const ds = Dataset.fromTriples(rows, { lo: 1, hi: 5 });
    const file = join(tmp, 'strings.tsv');
    await writeRatingsFile(file, ds, { timestamps: false });
    const loaded = await loadRatingsFile(file);
    expect(loaded.summary.format).toBe('delimited');
    expect(triples(loaded.dataset)).toEqual(rows);
    const chunks = [...encodeRatingsTsv(ds, { chunkBytes: 100 })];
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk[chunk.length - 1]).toBe(10);
  });

  it('refuses ids that would not read back the same', async () => {
    for (const bad of ['a\tb', 'a\nb', ' a', '']) {
      const ds = Dataset.fromTriples([[bad, 'x', 1]]);
      await expect(writeRatingsFile(join(tmp, 'bad.tsv'), ds)).rejects.toThrow(DataError);
    }
  });
});

/** The general path's reading of a valid line (what the parser did for every line before). */
function reference(line: string, delimiter: string): [string, string, number] {
  const f = splitFields(line, delimiter);
  return [f[0].trim(), f[1].trim(), Number(f[2].trim())];
}

describe("the parser's in-place path agrees with the general path", () => {
  const random = new Random(11);
  const pick = <T>(a: readonly T[]): T => a[random.nextInt(a.length)];
  const ids = ['7', '007', '0', '12', '123456789', '1234567890', '4294967296', 'ab', 'x7', 'a-very-long-identifier', 'zoë', '電影', '-3', '+4', '1e3', '12.0', '"q,1"'];
  const ratings = ['1', '5', '3.5', '.5', '4.', '2.25', '+4', '4e0', '0004', '3.000000000000001', '1234567890123456', '0.1'];
  const pad = ['', ' ', '  ', '\t'];

  for (const delimiter of ['\t', ',', '::', ' ']) {
    it(`delimiter ${JSON.stringify(delimiter)}: odd ids, ratings and spacing after the sampled lines`, () => {
      const sep = delimiter === ' ' ? ' \t ' : delimiter;
      const padding = delimiter === '\t' ? pad.slice(0, 3) : delimiter === ' ' ? [''] : pad;
      const lines: string[] = [];
      for (let t = 0; t < 12; t++) lines.push([t + 1, t + 2, (t % 5) + 1, 0].join(sep));
      for (let t = 0; t < 3000; t++) {
        const field = (text: string) => pick(padding) + text + pick(padding);
        lines.push([field(pick(ids)), field(pick(ids)), field(pick(ratings)), '9'].join(sep));
        if (t % 97 === 0) lines.push(pick(['', '   ', '\t']));
      }
      const text = lines.join(pick(['\n', '\r\n']));
      const options: ParseOptions = delimiter === '::' ? {} : { format: 'delimited', delimiter: delimiter as Delimiter };
      const { dataset } = parseRatings(text, options);
      const expected = lines.filter((l) => l.trim() !== '').map((l) => reference(l, delimiter));
      expect(triples(dataset)).toEqual(expected.map(([u, i, r]) => [u, i, Math.fround(r)]));
    });
  }

  it('errors after the sampled lines name the same line, field and reason as before', () => {
    const good = Array.from({ length: 20 }, (_, t) => `${t + 1}\t${t + 3}\t${(t % 5) + 1}`).join('\n');
    const cases: Array<[string, string, object?]> = [
      ['1\t2\t4x', 'rating (column 3): rating is not a number (got "4x")'],
      ['\t2\t4', 'user (column 1): empty user id'],
      ['1\t \t4', 'item (column 2): empty item id'],
      ['1\t2', 'rating (column 3): too few fields: expected at least 3 separated by tab, found 2'],
      ['1\t2\t', 'rating (column 3): empty rating'],
      ['1\t2\tnan', 'rating (column 3): rating must be a finite number (got "nan")'],
      ['1\t2\t6', 'rating (column 3): rating 6 is outside the rating scale 1..5', { scale: { lo: 1, hi: 5 } }],
      ['1\t2\t1e39', 'rating (column 3): rating must be a finite number (got "1e39", too large for a 32-bit float)'],
    ];
    for (const [line, message, options] of cases) {
      const err = (() => {
        try {
          parseRatings(`${good}\n${line}\n1\t2\t3\n`, options);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).message).toBe(`<string>:21: ${message}`);
    }
    const quoted = `${good.replaceAll('\t', ',')}\n1,2,3,"open\n`;
    expect(() => parseRatings(quoted)).toThrow(/^<string>:21: column 4: unterminated quoted field/);
  });

  it('the rows come out the same with no expected count, a wrong one, or the right one', () => {
    let text = '';
    for (let t = 0; t < 200_000; t++) text += `${(t * 7) % 3001}\t${(t * 13) % 997}\t${(t % 9) / 2 + 1}\n`;
    const whole = parseRatings(text).dataset; // counts its line breaks: one block
    for (const expected of [undefined, 0, 10, 150_000, 200_000, 2_000_000]) {
      const parser = new RatingsParser({}, expected);
      for (let at = 0; at < text.length; at += 65_536) parser.push(text.slice(at, at + 65_536));
      const { dataset } = parser.finish();
      expectSameDataset(dataset, whole);
      expect(dataset.ratings.length).toBe(200_000);
    }
    expect(() => new RatingsParser({}, -1)).toThrow(OptionError);
  });
});

describe('duplicates on the typed-array path', () => {
  it('a repeated pair after the sampled lines is counted, and resolved by each policy as before', async () => {
    let text = '';
    for (let t = 0; t < 30; t++) text += `${t + 1}\t${t + 100}\t${(t % 5) + 1}\t0\n`;
    text += '5\t104\t1\t0\n7\t106\t2\t0\n5\t104\t3\t0\n';
    const file = join(tmp, 'dup.data');
    writeFileSync(file, text);
    const keep = await loadRatingsFile(file);
    expect(keep.summary.duplicates).toEqual({ policy: 'keep', found: 3, removed: 0 });
    expect(keep.summary.ratings).toBe(33);
    const last = await loadRatingsFile(file, { duplicates: 'last' });
    expect(last.summary.duplicates).toEqual({ policy: 'last', found: 3, removed: 3 });
    expect(triples(last.dataset)[4]).toEqual(['5', '104', 3]);
    const mean = await loadRatingsFile(file, { duplicates: 'mean' });
    expect(mean.summary.duplicates).toEqual({ policy: 'mean', found: 3, removed: 3 });
    expect(triples(mean.dataset)[4]).toEqual(['5', '104', Math.fround(9 / 3)]);
    expect(triples(mean.dataset)[6]).toEqual(['7', '106', 2]);
  });

  it('over 1M rows (the counting sort in bands) matches a plain reference for every policy', () => {
    const random = new Random(5);
    const n = 1_200_000;
    const users = 20_000;
    const items = 300;
    const u = new Uint32Array(n);
    const i = new Uint32Array(n);
    const r = new Float32Array(n);
    for (let t = 0; t < n; t++) {
      // A skewed user draw so that bands hold different numbers of users.
      u[t] = Math.floor(users * random.nextFloat() ** 2);
      i[t] = random.nextInt(items);
      r[t] = random.nextInt(5) + 1;
    }
    // Reference: first row per packed key, in one Map (fine in a test, not in the loader).
    const firstRow = new Map<number, number>();
    const sums = new Float64Array(n);
    const counts = new Uint32Array(n);
    const lastRating = new Float32Array(n);
    let found = 0;
    for (let t = 0; t < n; t++) {
      const key = u[t] * items + i[t];
      const f = firstRow.get(key);
      if (f === undefined) {
        firstRow.set(key, t);
        sums[t] = r[t];
        counts[t] = 1;
        lastRating[t] = r[t];
      } else {
        found++;
        sums[f] += r[t];
        counts[f]++;
        lastRating[f] = r[t];
      }
    }
    expect(found).toBeGreaterThan(100_000);
    const kept = [...firstRow.values()].sort((a, b) => a - b);
    for (const policy of ['keep', 'last', 'mean'] as DuplicatePolicy[]) {
      const out = dedupeRatings(u, i, r, users, items, policy);
      expect(out.found).toBe(found);
      if (policy === 'keep') {
        expect(out.ratings).toBe(r);
        continue;
      }
      expect(out.removed).toBe(found);
      expect(out.ratings.length).toBe(kept.length);
      let wrong = 0;
      for (let k = 0; k < kept.length; k++) {
        const t = kept[k];
        const want = policy === 'last' ? lastRating[t] : Math.fround(sums[t] / counts[t]);
        if (out.userIndex[k] !== u[t] || out.itemIndex[k] !== i[t] || out.ratings[k] !== want) wrong++;
      }
      expect(wrong).toBe(0);
    }
  });
});
