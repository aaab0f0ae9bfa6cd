// loadRatingsFile's `inPlace` (issue 17): rows parsed straight into a shared wasm memory that the
// fit adopts, training on them without a copy. What must hold: the loaded dataset equals the
// plain load; a fit on it equals a fit on plain arrays of the same rows, bit for bit, on one and
// two threads; the rows afterwards are the same ratings (reordered); a second fit, on memory an
// earlier fit has written, equals a fresh fit of those rows; bad options are refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALS, Dataset, generateScaleRatings, OptionError, SVD } from '../src/index.js';
import { loadRatingsFile, writeRatingsFile } from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'latentrec-inplace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const file = join(tmp, 'ratings.tsv');
await writeRatingsFile(file, generateScaleRatings({ ratings: 60_000, users: 1_500, items: 900, seed: 3 }));

/** A dataset of plain (JS-heap) copies of the rows. */
function plainCopy(d: Dataset): Dataset {
  return new Dataset(d.users, d.items, d.userIndex.slice(), d.itemIndex.slice(), d.ratings.slice(), d.scale);
}

/** The rows as sorted "user item rating" keys: the same multiset whatever the order. */
function rowKeys(d: Dataset): string[] {
  return Array.from(d.ratings, (r, t) => `${d.userIndex[t]} ${d.itemIndex[t]} ${r}`).sort();
}

function expectSameModel(a: SVD, b: SVD): void {
  const sa = a.toState(), sb = b.toState();
  expect(Buffer.from(sa.P.buffer).equals(Buffer.from(sb.P.buffer))).toBe(true);
  expect(Buffer.from(sa.Q.buffer).equals(Buffer.from(sb.Q.buffer))).toBe(true);
  expect(Array.from(sa.bu)).toEqual(Array.from(sb.bu));
  expect(Array.from(sa.bi)).toEqual(Array.from(sb.bi));
  expect(Array.from(sa.seenStart)).toEqual(Array.from(sb.seenStart));
  expect(Array.from(sa.seenItems)).toEqual(Array.from(sb.seenItems));
}

describe('loadRatingsFile inPlace', () => {
  it('loads the same dataset as a plain load, into shared memory', async () => {
    const plain = (await loadRatingsFile(file)).dataset;
    const { dataset, summary } = await loadRatingsFile(file, { inPlace: true });
    expect(summary.inPlace).toBeUndefined();
    expect(dataset.userIndex.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(dataset.users.raw).toEqual(plain.users.raw);
    expect(dataset.items.raw).toEqual(plain.items.raw);
    expect(Array.from(dataset.userIndex)).toEqual(Array.from(plain.userIndex));
    expect(Array.from(dataset.itemIndex)).toEqual(Array.from(plain.itemIndex));
    expect(Array.from(dataset.ratings)).toEqual(Array.from(plain.ratings));
  });

  it('removes duplicates within the shared rows as the plain load does', async () => {
    const dup = join(tmp, 'dup.tsv');
    writeFileSync(dup, 'a\tx\t1\nb\tx\t2\na\ty\t3\na\tx\t5\nc\tz\t4\nb\tx\t1\n');
    for (const duplicates of ['last', 'mean'] as const) {
      const plain = await loadRatingsFile(dup, { duplicates });
      const inPlace = await loadRatingsFile(dup, { duplicates, inPlace: true });
      expect(inPlace.summary.duplicates).toEqual(plain.summary.duplicates);
      expect(inPlace.dataset.userIndex.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(inPlace.dataset.ratings)).toEqual(Array.from(plain.dataset.ratings));
      expect(Array.from(inPlace.dataset.itemIndex)).toEqual(Array.from(plain.dataset.itemIndex));
    }
  });

  for (const threads of [1, 2]) {
    it(`an SVD fit on the rows in place equals one on plain arrays (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const { dataset } = await loadRatingsFile(file, { inPlace: true });
      const plain = plainCopy(dataset);
      const before = rowKeys(dataset);
      const options = { factors: 8, epochs: 4, threads, seed: 5 };
      const a = new SVD(options), b = new SVD(options);
      const fitA = a.fit(dataset), fitB = b.fit(plain);
      expect(fitA.epochs.map((e) => e.trainRmse)).toEqual(fitB.epochs.map((e) => e.trainRmse));
      expectSameModel(a, b);
      // The fit trained where the rows lie: they are reordered, the same ratings.
      expect(Array.from(dataset.ratings)).not.toEqual(Array.from(plain.ratings));
      expect(rowKeys(dataset)).toEqual(before);

      // A second fit, on memory the first one wrote, equals a fresh fit of the rows as they are now.
      const again = plainCopy(dataset);
      const c = new SVD(options), d = new SVD(options);
      c.fit(dataset);
      d.fit(again);
      expectSameModel(c, d);
    });
  }

  it('a model that builds its own rows (ALS) leaves them as loaded', async () => {
    const { dataset } = await loadRatingsFile(file, { inPlace: true });
    const ratings = dataset.ratings.slice();
    const a = new ALS({ factors: 4, epochs: 2, seed: 1 });
    a.fit(dataset);
    expect(Array.from(dataset.ratings)).toEqual(Array.from(ratings));
    const b = new ALS({ factors: 4, epochs: 2, seed: 1 });
    b.fit(plainCopy(dataset));
    expect(Array.from(a.toState().Q)).toEqual(Array.from(b.toState().Q));
  });

  it('refuses an inPlace that is not a boolean, naming the option', async () => {
    await expect(loadRatingsFile(file, { inPlace: 'yes' as unknown as boolean })).rejects.toThrow(OptionError);
    await expect(loadRatingsFile(file, { inPlace: 'yes' as unknown as boolean })).rejects.toThrow(/inPlace/);
  });
});
