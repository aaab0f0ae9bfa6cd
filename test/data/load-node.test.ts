import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadFolds, loadRatingsFile } from '../../src/data/load-node.js';
import { RatingsParser, parseRatings } from '../../src/data/parse.js';
import { holdoutSplit } from '../../src/data/splits.js';
import { DataError, OptionError, ParseError } from '../../src/errors.js';
import { expectSameDataset, hasMl100k, ml100kDir, ml100kReason } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'latentrec-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh directory under tmp holding the given files. */
function dir(name: string, files: Record<string, string>): string {
  const d = join(tmp, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(d, file), text);
  return d;
}

describe('loadRatingsFile', () => {
  it('streams a file into the same dataset as parseRatings, source = the path', async () => {
    let text = 'userId,movieId,rating,timestamp\r\n';
    for (let t = 0; t < 3000; t++) text += `${t % 50},${(t * 13) % 400},${((t % 10) + 1) / 2},0\r\n`;
    const path = join(tmp, 'ratings.csv');
    writeFileSync(path, text);
    const r = await loadRatingsFile(path);
    expect(r.summary).toMatchObject({ source: path, format: 'mlcsv', ratings: 3000, lines: 3001 });
    expectSameDataset(r.dataset, parseRatings(text).dataset);
  });

  describe('chunk boundaries', () => {
    afterEach(() => vi.restoreAllMocks());

    it('7-byte chunks: lines, \\r\\n, lone \\r and multi-byte ids split across chunks', async () => {
      // Mixed line ends and 2-, 3- and 4-byte characters so that 7-byte chunks cut through all of them.
      const ends = ['\n', '\r\n', '\r'];
      let text = 'user;item;rating;ts\r\n';
      for (let t = 0; t < 3000; t++) {
        text += `zoë${t % 61};電影${(t * 13) % 257};${(t % 9) / 2 + 1};"🎬 ${t}"${ends[t % 3]}`;
      }
      const path = join(tmp, 'chunks.csv');
      writeFileSync(path, text);
      const push = vi.spyOn(RatingsParser.prototype, 'push');
      const r = await loadRatingsFile(path, { chunkSize: 7 });
      const size = Buffer.byteLength(text);
      expect(push).toHaveBeenCalledTimes(Math.ceil(size / 7));
      const whole = parseRatings(text, { source: path });
      expect(r.summary).toEqual(whole.summary);
      expect(r.summary).toMatchObject({ delimiter: ';', header: true, ratings: 3000, lines: 3001 });
      expectSameDataset(r.dataset, whole.dataset);
    });

    it('a file over 1 MiB with the default chunk size', async () => {
      let text = '';
      for (let t = 0; t < 80000; t++) text += `${t % 997}\t${(t * 31) % 1999}\t${(t % 5) + 1}\t${881250949 + t}\n`;
      const size = Buffer.byteLength(text);
      expect(size).toBeGreaterThan(1 << 20);
      const path = join(tmp, 'big.data');
      writeFileSync(path, text);
      const push = vi.spyOn(RatingsParser.prototype, 'push');
      const r = await loadRatingsFile(path);
      expect(push).toHaveBeenCalledTimes(Math.ceil(size / (1 << 20)));
      const whole = parseRatings(text, { source: path });
      expect(r.summary).toEqual(whole.summary);
      expect(r.summary).toMatchObject({ format: 'ml100k', ratings: 80000 });
      expectSameDataset(r.dataset, whole.dataset);
    });

    it('chunkSize must be an integer >= 1', async () => {
      const path = join(tmp, 'tiny.data');
      writeFileSync(path, '1\t2\t3\n');
      for (const chunkSize of [0, -1, 1.5, Number.NaN]) {
        const err = await loadRatingsFile(path, { chunkSize }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OptionError);
        expect((err as OptionError).option).toBe('chunkSize');
      }
      expect((await loadRatingsFile(path, { chunkSize: 1 })).summary.ratings).toBe(1);
    });
  });

  it('errors name the path', async () => {
    const path = join(tmp, 'bad.dat');
    writeFileSync(path, '1::2::5::0\n1::3::five::0\n');
    const err = await loadRatingsFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as Error).message).toBe(`${path}:2: rating (column 3): rating is not a number (got "five")`);
    const empty = join(tmp, 'empty.data');
    writeFileSync(empty, '\n');
    await expect(loadRatingsFile(empty)).rejects.toThrow(`${empty} has no ratings`);
  });
});

describe('loadFolds', () => {
  it('reads u1..uN pairs, each file with its own ids', async () => {
    const d = dir('folds-ok', {
      'u1.base': '7\t1\t5\t0\n8\t2\t3\t0\n',
      'u1.test': '8\t1\t4\t0\n',
      'u2.base': '8\t1\t4\t0\n7\t2\t3\t0\n',
      'u2.test': '7\t1\t5\t0\n',
      'ua.base': 'ignored\n',
      'README': 'x',
    });
    const folds = await loadFolds(d);
    expect(folds.map((f) => f.name)).toEqual(['u1', 'u2']);
    expect(folds[0].train.users.raw).toEqual(['7', '8']);
    expect(folds[0].test.users.raw).toEqual(['8']);
    expect(folds[0].test.userIndex[0]).toBe(0);
    expect(folds[1].train.users.raw).toEqual(['8', '7']);
  });

  it('a DataError naming the dir when no fold is found', async () => {
    const d = dir('folds-none', { 'u.data': '1\t2\t3\t0\n' });
    const err = await loadFolds(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(`no folds found in ${d}`);
    await expect(loadFolds(join(tmp, 'does-not-exist'))).rejects.toThrow(/cannot read the fold directory .*does-not-exist/);
  });

  it('a DataError naming the dir and the missing half', async () => {
    const d = dir('folds-half', { 'u1.base': '1\t2\t3\n', 'u1.test': '1\t2\t3\n', 'u2.base': '1\t2\t3\n' });
    const err = await loadFolds(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(`fold 2 in ${d} is incomplete: u2.base has no matching u2.test`);
    const gap = dir('folds-gap', { 'u2.base': '1\t2\t3\n', 'u2.test': '1\t2\t3\n' });
    await expect(loadFolds(gap)).rejects.toThrow(/numbered from 1 without gaps: u1\.base and u1\.test are missing/);
  });
});

describe.skipIf(!hasMl100k)(`MovieLens 100k${ml100kReason}`, () => {
  it('u.data: 943 users, 1682 items, 100000 ratings, scale 1..5', async () => {
    const { dataset, summary } = await loadRatingsFile(join(ml100kDir, 'u.data'));
    expect(summary).toMatchObject({
      format: 'ml100k',
      delimiter: '\t',
      header: false,
      lines: 100000,
      ratings: 100000,
      users: 943,
      items: 1682,
      scale: { lo: 1, hi: 5 },
      scaleInferred: true,
      duplicates: { policy: 'keep', found: 0, removed: 0 },
    });
    expect(dataset.users.raw[0]).toBe('196');
    expect(dataset.globalMean()).toBeCloseTo(3.52986, 5);
    const fold = holdoutSplit(dataset, { testRatio: 0.2, seed: 0 });
    expect(fold.test.size).toBe(20000);
    expect(fold.train.size).toBe(80000);
  });

  it('loadFolds: 5 folds, u1.base 80000 / u1.test 20000, first user of u1.base is "1"', async () => {
    const folds = await loadFolds(ml100kDir);
    expect(folds.map((f) => f.name)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    for (const f of folds) {
      expect(f.train.size).toBe(80000);
      expect(f.test.size).toBe(20000);
    }
    expect(folds[0].train.users.raw[0]).toBe('1');
    expect(folds[0].train.userIndex[0]).toBe(0);
    expect(folds[0].train.globalMean()).toBeCloseTo(3.52835, 5);
  });
});
