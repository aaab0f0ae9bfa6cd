// Loading on several threads (issue 17): parts of whole lines parsed by worker threads, joined in
// file order. What must hold: the dataset and summary equal a single thread's, for every format
// the fast path takes and wherever the parts are cut (fuzzed down to a few bytes per part, so a
// cut falls at every position of a line, between '\r' and '\n', inside a header); files the fast
// path does not take give the single thread's result or its error; a file that grows or shrinks
// while being read is a clear error; the progress callback sees every byte.
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, OptionError, ParseError } from '../../src/index.js';
import { loadRatingsFile, type LoadFileOptions } from '../../src/node.js';
import { Random } from '../../src/util/random.js';

const tmp = mkdtempSync(join(tmpdir(), 'latentrec-parallel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let files = 0;
function fileWith(text: string): string {
  const path = join(tmp, `f${files++}.txt`);
  writeFileSync(path, text);
  return path;
}

/** Loads with one thread and with `threads`, cut every `partBytes`; both results, as plain values. */
async function both(path: string, partBytes: number, options: LoadFileOptions = {}, threads = 2) {
  const one = await loadRatingsFile(path, { ...options, threads: 1 });
  const many = await loadRatingsFile(path, { ...options, threads, partBytes });
  return { one, many };
}

function expectSame(a: Awaited<ReturnType<typeof loadRatingsFile>>, b: Awaited<ReturnType<typeof loadRatingsFile>>): void {
  const { threads: _a, ...sa } = a.summary;
  const { threads: _b, ...sb } = b.summary;
  expect(sb).toEqual(sa);
  expect(b.dataset.users.raw).toEqual(a.dataset.users.raw);
  expect(b.dataset.items.raw).toEqual(a.dataset.items.raw);
  expect(Array.from(b.dataset.userIndex)).toEqual(Array.from(a.dataset.userIndex));
  expect(Array.from(b.dataset.itemIndex)).toEqual(Array.from(a.dataset.itemIndex));
  expect(Array.from(b.dataset.ratings)).toEqual(Array.from(a.dataset.ratings));
  expect(b.dataset.times ? Array.from(b.dataset.times) : undefined).toEqual(a.dataset.times ? Array.from(a.dataset.times) : undefined);
  expect(b.dataset.scale).toEqual(a.dataset.scale);
}

interface Shape {
  delimiter: string;
  header?: string;
  crlf?: boolean;
  blankLines?: boolean;
  finalBreak?: boolean;
  stringIds?: boolean;
  decimals?: boolean;
  times?: boolean;
}

/** A random ratings text of `lines` rows in the given shape (ids repeat, so duplicates occur). */
function ratingsText(random: Random, lines: number, shape: Shape): string {
  const eol = shape.crlf ? '\r\n' : '\n';
  const out: string[] = [];
  if (shape.header) out.push(shape.header);
  for (let t = 0; t < lines; t++) {
    if (shape.blankLines && random.nextInt(7) === 0) out.push(random.nextInt(2) === 0 ? '' : ' \t ');
    const u = random.nextInt(40), i = random.nextInt(60);
    // Leading zeros and long numbers make string keys even among numeric ids.
    const user = shape.stringIds ? `u${u}` : random.nextInt(10) === 0 ? `0${u}` : random.nextInt(10) === 0 ? `${u}0000000000` : `${u + 1}`;
    const item = shape.stringIds ? `item-${i}` : `${i * 37 + 1}`;
    const rating = shape.decimals ? (1 + random.nextInt(9) / 2).toFixed(1) : `${1 + random.nextInt(5)}`;
    const fields = [user, item, rating];
    if (shape.times) fields.push(`${881250949 + random.nextInt(1000000)}`);
    out.push(fields.join(shape.delimiter === ' ' ? '  ' : shape.delimiter));
  }
  return out.join(eol) + (shape.finalBreak === false ? '' : eol);
}

const SHAPES: [string, Shape, LoadFileOptions][] = [
  ['ml100k tabs with times', { delimiter: '\t', times: true }, { timestamps: true }],
  ['tabs, CRLF, blank lines, no final break', { delimiter: '\t', crlf: true, blankLines: true, finalBreak: false }, {}],
  ['csv with a header, decimals', { delimiter: ',', header: 'userId,movieId,rating,timestamp', decimals: true, times: true }, {}],
  ['ml-1m "::"', { delimiter: '::', times: true }, {}],
  ['whitespace-separated string ids', { delimiter: ' ', stringIds: true }, {}],
  ['semicolons with string ids and duplicates kept last', { delimiter: ';', stringIds: true }, { duplicates: 'last' }],
  ['tabs, duplicates averaged', { delimiter: '\t' }, { duplicates: 'mean' }],
];

describe('loadRatingsFile on several threads', () => {
  for (const [name, shape, options] of SHAPES) {
    it(`equals one thread wherever the parts are cut: ${name}`, async () => {
      const random = new Random(name.length);
      const path = fileWith(ratingsText(random, 80, shape));
      for (const partBytes of [1, 5, 64]) {
        const { one, many } = await both(path, partBytes, options, 1 + (partBytes % 3) + 1);
        expectSame(one, many);
        expect(many.summary.threads).toBeGreaterThan(1);
      }
    });
  }

  it('equals one thread at random cuts of random files (fuzz)', async () => {
    const random = new Random(99);
    for (let round = 0; round < 12; round++) {
      const shape: Shape = {
        delimiter: ['\t', ',', '::', ' '][random.nextInt(4)],
        crlf: random.nextInt(3) === 0,
        blankLines: random.nextInt(2) === 0,
        finalBreak: random.nextInt(3) !== 0,
        stringIds: random.nextInt(3) === 0,
        decimals: random.nextInt(2) === 0,
        times: random.nextInt(2) === 0,
      };
      const path = fileWith(ratingsText(random, 50 + random.nextInt(400), shape));
      const { one, many } = await both(path, 1 + random.nextInt(200), { timestamps: shape.times ? 'if-present' : false }, 2 + random.nextInt(3));
      expectSame(one, many);
    }
  });

  it('loads in place on several threads as on one', async () => {
    const path = fileWith(ratingsText(new Random(4), 500, { delimiter: '\t', times: true, blankLines: true }));
    const one = await loadRatingsFile(path, { threads: 1 });
    const many = await loadRatingsFile(path, { threads: 2, partBytes: 97, inPlace: true });
    expectSame(one, many);
    expect(many.summary.threads).toBe(3); // two workers and the caller
    expect(many.dataset.userIndex.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  const fallbacks: [string, string][] = [
    ['a quoted field', 'a,x,1\nb,y,2\n"c,d",z,3\n'.repeat(20)],
    ['a non-ASCII id', 'a\tx\t1\n'.repeat(30) + 'José\ty\t2\n' + 'b\tz\t3\n'.repeat(30)],
    ['old Mac line breaks', 'a\tx\t1\r'.repeat(60)],
    ['a rating beyond the fast path', 'a\tx\t1\n'.repeat(30) + 'b\ty\t2e0\n' + 'c\tz\t3\n'.repeat(30)],
  ];
  for (const [name, text] of fallbacks) {
    it(`gives the single thread's result for ${name}`, async () => {
      const path = fileWith(text);
      const { one, many } = await both(path, 16);
      expectSame(one, many);
      expect(many.summary.threads).toBe(1);
    });
  }

  it("gives the single thread's error, with its line, for a bad line in a worker's part", async () => {
    const path = fileWith('a\tx\t1\n'.repeat(50) + 'b\ty\tfive\n' + 'c\tz\t3\n'.repeat(50));
    const one = await loadRatingsFile(path, { threads: 1 }).catch((e: unknown) => e);
    const many = await loadRatingsFile(path, { threads: 2, partBytes: 20 }).catch((e: unknown) => e);
    expect(one).toBeInstanceOf(ParseError);
    expect(many).toBeInstanceOf(ParseError);
    expect((many as Error).message).toBe((one as Error).message);
    expect((many as Error).message).toMatch(/:51: /);
  });

  for (const threads of [1, 2]) {
    it(`refuses a file that grows or shrinks while being read (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const text = ratingsText(new Random(5), 400, { delimiter: '\t' });
      const growing = fileWith(text);
      let grown = false;
      const grow = loadRatingsFile(growing, {
        threads, partBytes: 512, chunkSize: 512,
        onProgress: () => {
          if (!grown) appendFileSync(growing, '9\t9\t9\n');
          grown = true;
        },
      });
      await expect(grow).rejects.toThrow(DataError);
      await expect(loadRatingsFile(growing, { threads, partBytes: 512, chunkSize: 512, onProgress: () => appendFileSync(growing, '9\t9\t9\n') })).rejects.toThrow(/changed while being read/);

      const shrinking = fileWith(text);
      let cut = false;
      const shrink = loadRatingsFile(shrinking, {
        threads, partBytes: 512, chunkSize: 512,
        onProgress: () => {
          if (!cut) truncateSync(shrinking, 1000);
          cut = true;
        },
      });
      await expect(shrink).rejects.toThrow(/changed while being read/);
    });
  }

  it('reports progress up to the whole file, in order', async () => {
    const text = ratingsText(new Random(6), 600, { delimiter: '\t' });
    const path = fileWith(text);
    for (const threads of [1, 3]) {
      const seen: number[] = [];
      await loadRatingsFile(path, { threads, partBytes: 700, chunkSize: 700, onProgress: (bytes, total) => {
        expect(total).toBe(text.length);
        seen.push(bytes);
      } });
      expect(seen.length).toBeGreaterThan(2);
      expect(seen[seen.length - 1]).toBe(text.length);
      for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThan(seen[k - 1]);
    }
  });

  it('refuses bad thread and part options, naming them', async () => {
    const path = fileWith('a\tx\t1\n');
    for (const threads of [0, 1.5, 'all', 257] as unknown[]) {
      await expect(loadRatingsFile(path, { threads: threads as number })).rejects.toThrow(OptionError);
    }
    await expect(loadRatingsFile(path, { partBytes: 0 })).rejects.toThrow(/partBytes/);
    await expect(loadRatingsFile(path, { onProgress: 5 as unknown as () => void })).rejects.toThrow(/onProgress/);
  });
});
