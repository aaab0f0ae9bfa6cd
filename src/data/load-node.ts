// Node-only loading: streams files from disk into RatingsParser.
import { createReadStream } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, OptionError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { encodeRatingsTsv, type EncodeOptions } from './generate-scale.js';
import { RatingsParser, type LoadResult, type ParseOptions } from './parse.js';
import type { Fold } from './splits.js';

/** Bytes read per chunk by default (the parser decodes them in smaller slices). */
const READ_CHUNK = 1 << 20;

export interface LoadFileOptions extends ParseOptions {
  /**
   * Bytes read per chunk, default 1 MiB. For tests (a few bytes make lines, '\r\n' pairs and UTF-8
   * characters straddle chunks) and for tuning memory against speed; the result does not depend on it.
   */
  chunkSize?: number;
}

/** Parses a ratings file by streaming it (source in errors and summary = the path as given). */
export async function loadRatingsFile(path: string, options: LoadFileOptions = {}): Promise<LoadResult> {
  const { chunkSize = READ_CHUNK, ...parseOptions } = options;
  // Checked here since createReadStream would take 0 or a fraction without complaint.
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new OptionError('chunkSize', 'an integer >= 1', chunkSize);
  let parser: RatingsParser | undefined;
  let stream: ReturnType<typeof createReadStream> | undefined;
  try {
    // A first, cheap pass counts the line breaks of a regular file, so that the parser puts the
    // rows in one block sized for them and never joins blocks (which would hold the rows twice).
    const lines = (await stat(path)).isFile() ? await countLineBreaks(path, chunkSize) : undefined;
    parser = new RatingsParser({ ...parseOptions, source: parseOptions.source ?? path }, lines);
    stream = createReadStream(path, { highWaterMark: chunkSize });
    for await (const chunk of stream) parser.push(chunk as Buffer);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new DataError(`cannot read ratings file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    throw err;
  } finally {
    stream?.destroy();
  }
  return parser.finish();
}

/**
 * Lines in a file, counted as its '\n' bytes or its '\r' bytes, whichever is more (so '\r\n' and
 * old Mac '\r' files count right; a mix may count short, which costs a copy, not a wrong result).
 */
async function countLineBreaks(path: string, chunkSize: number): Promise<number> {
  let lf = 0;
  let cr = 0;
  const stream = createReadStream(path, { highWaterMark: Math.max(chunkSize, READ_CHUNK) });
  try {
    for await (const chunk of stream) {
      lf += countByte(chunk as Buffer, 10);
      cr += countByte(chunk as Buffer, 13);
    }
  } finally {
    stream.destroy();
  }
  return Math.max(lf, cr);
}

/** Occurrences of a byte (Buffer.indexOf is memchr: far faster than a loop over the bytes). */
function countByte(bytes: Buffer, byte: number): number {
  let count = 0;
  for (let at = bytes.indexOf(byte); at >= 0; at = bytes.indexOf(byte, at + 1)) count++;
  return count;
}

/**
 * Writes a dataset as an ml100k-style file (`user\titem\trating\ttimestamp` per line, raw ids as
 * they are) in chunks of about 1 MiB, never as one string; written to `path + '.tmp'` and then
 * renamed, so an interrupted write leaves no partial file at `path`. Reads back with
 * `loadRatingsFile(path)` to the same arrays (ids are numbered by first appearance either way).
 *
 * @example
 *   await writeRatingsFile('/tmp/ratings.tsv', generateScaleRatings({ ratings: 1_000_000 }));
 */
export async function writeRatingsFile(path: string, dataset: Dataset, options: EncodeOptions = {}): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    for (const chunk of encodeRatingsTsv(dataset, options)) {
      for (let at = 0; at < chunk.length; ) at += (await file.write(chunk, at, chunk.length - at)).bytesWritten;
    }
    await file.close();
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await rename(tmp, path);
}

const FOLD_FILE_RE = /^u(\d+)\.(base|test)$/;

/**
 * Reads predefined folds u1.base/u1.test … uN.base/uN.test from a directory (as MovieLens 100k
 * ships them; Surprise's PredefinedKFold). Every pair must be present, numbered from 1. Each file
 * is its own Dataset with ids numbered by first appearance in that file, so a test set keeps its
 * own ids (models look test ratings up by raw id). Fold names are 'u1'..'uN'.
 * `options` apply to every file (`source` is each file's path).
 */
export async function loadFolds(dir: string, options: Omit<ParseOptions, 'source'> = {}): Promise<Fold[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new DataError(`cannot read the fold directory ${dir}: ${(err as Error).message}`);
  }
  const base = new Set<number>();
  const test = new Set<number>();
  let max = 0;
  for (const name of names) {
    const m = FOLD_FILE_RE.exec(name);
    if (!m) continue;
    const k = Number(m[1]);
    if (k < 1 || String(k) !== m[1]) continue;
    (m[2] === 'base' ? base : test).add(k);
    if (k > max) max = k;
  }
  if (max === 0) {
    throw new DataError(`no folds found in ${dir}: expected files u1.base and u1.test, u2.base and u2.test, ...`);
  }
  for (let k = 1; k <= max; k++) {
    const hasBase = base.has(k);
    const hasTest = test.has(k);
    if (hasBase && hasTest) continue;
    if (!hasBase && !hasTest) {
      throw new DataError(
        `folds in ${dir} must be numbered from 1 without gaps: u${k}.base and u${k}.test are missing ` +
          `(found up to u${max})`,
      );
    }
    const present = hasBase ? `u${k}.base` : `u${k}.test`;
    const missing = hasBase ? `u${k}.test` : `u${k}.base`;
    throw new DataError(`fold ${k} in ${dir} is incomplete: ${present} has no matching ${missing}`);
  }
  // Each file is named by its own path, whatever `source` the caller's options carry.
  const { source: _ignored, ...fileOptions } = options as ParseOptions;
  const folds: Fold[] = [];
  for (let k = 1; k <= max; k++) {
    const train = await loadRatingsFile(join(dir, `u${k}.base`), fileOptions);
    const testSet = await loadRatingsFile(join(dir, `u${k}.test`), fileOptions);
    folds.push({ train: train.dataset, test: testSet.dataset, name: `u${k}`, load: { train: train.summary, test: testSet.summary } });
  }
  return folds;
}
