// Node-only loading: streams files from disk into RatingsParser.
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, LatentrecError, OptionError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { encodeRatingsTsv, type EncodeOptions } from './generate-scale.js';
import { RatingsParser, type LoadResult, type ParseOptions, type RowArrays } from './parse.js';
import { parseInParallel, ParseWorkers, partCuts, partStarts, type FileParts } from './load-parallel-node.js';
import { maxResidentRows, residentRows } from '../util/resident-memory.js';
import type { Fold } from './splits.js';

/** Bytes read per chunk by default (the parser decodes them in smaller slices). */
const READ_CHUNK = 1 << 20;

/**
 * Options of {@link loadRatingsFile}: the {@link ParseOptions} (`source` defaults to the path)
 * plus how the file is read. Each is checked before the file is opened ({@link OptionError}).
 */
export interface LoadFileOptions extends ParseOptions {
  /**
   * Bytes read per chunk, default 1 MiB. For tests (a few bytes make lines, '\r\n' pairs and UTF-8
   * characters straddle chunks) and for tuning memory against speed; the result does not depend on it.
   * An integer >= 1.
   *
   * @defaultValue 1048576
   */
  chunkSize?: number;
  /**
   * Load the rows straight into a shared WebAssembly.Memory that a wasm fit adopts, training on
   * them where they lie: no copy, so a fit's peak memory holds each rating once (12 bytes) instead
   * of twice. The fit reorders the rows (the same ratings in another order: split or write the
   * data before fitting, not after). The file must be a regular file, and its rows fit wasm32's
   * 4 GiB: otherwise refused before parsing, with the most ratings that fit. Where shared memory
   * is missing the rows are plain arrays and `summary.inPlace` says why. Default false.
   *
   * @defaultValue false
   */
  inPlace?: boolean;
  /**
   * Threads that parse a regular file: 'auto' (the default) uses every core for files from 32 MiB,
   * one thread below. Parts of whole lines are parsed on worker threads and joined in file order,
   * so the dataset is the one a single thread makes; a file with lines only the general parser
   * takes (quoted fields, non-ASCII ids, old Mac line breaks, errors) is parsed on one thread.
   * A number is an integer from 1 to 256.
   *
   * @defaultValue 'auto'
   */
  threads?: number | 'auto';
  /** Bytes per part parsed by a worker (default from the size and threads); for tests and tuning. An integer >= 1. */
  partBytes?: number;
  /** Called as the file is read: bytes parsed so far, of the file's size (undefined for a pipe). */
  onProgress?: (bytes: number, totalBytes: number | undefined) => void;
}

/** Files from this size are parsed on every core by default. */
const PARALLEL_FROM_BYTES = 32 << 20;

/**
 * Parses a ratings file by streaming it (source in errors and summary = the path as given).
 * The formats are {@link parseRatings}'s: MovieLens 100k `u.data`, 1M/10M `ratings.dat`,
 * latest/25M `ratings.csv`, or delimited text, detected by default. The file is never held whole
 * in memory: its line breaks are counted first, so the rows are stored once (12 bytes a rating);
 * by default, files from 32 MiB are parsed on every core (`threads`). Also reads a pipe or other non-regular
 * file, on one thread.
 *
 * @param path - The file.
 * @param options - How to read it (see {@link LoadFileOptions}).
 * @returns The dataset and a summary of how it was read.
 * @throws {@link OptionError} When an option is invalid, or `inPlace` is asked of a file that is
 *   not regular.
 * @throws {@link ParseError} For a malformed line (the path, 1-based line and field).
 * @throws {@link DataError} When the file is missing or unreadable, holds no rating, its format
 *   cannot be detected, the times were asked for and it has none, it changed while being read,
 *   or (`inPlace`) it has more lines than wasm32 memory holds.
 *
 * @example
 * ```ts
 * import { loadRatingsFile } from 'latentrec/node';
 *
 * const { dataset, summary } = await loadRatingsFile('ml-100k/u.data'); // format detected
 * summary.format;   // 'ml100k'
 * dataset.size;     // 100000
 *
 * // Other text: name the delimiter and columns, fix the scale, average repeated ratings.
 * const other = await loadRatingsFile('ratings.tsv', {
 *   format: 'delimited', delimiter: '\t', columns: { user: 1, item: 0, rating: 2 },
 *   scale: { lo: 1, hi: 10 }, duplicates: 'mean',
 * });
 * ```
 */
export async function loadRatingsFile(path: string, options: LoadFileOptions = {}): Promise<LoadResult> {
  const { chunkSize = READ_CHUNK, inPlace = false, threads = 'auto', partBytes, onProgress, ...parseOptions } = options;
  // Checked here since createReadStream would take 0 or a fraction without complaint.
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new OptionError('chunkSize', 'an integer >= 1', chunkSize);
  if (typeof inPlace !== 'boolean') throw new OptionError('inPlace', 'true or false', inPlace);
  if (threads !== 'auto' && (!Number.isInteger(threads) || threads < 1 || threads > MAX_PARSE_THREADS)) {
    throw new OptionError('threads', `'auto' or an integer from 1 to ${MAX_PARSE_THREADS}`, threads);
  }
  if (partBytes !== undefined && (!Number.isInteger(partBytes) || partBytes < 1)) throw new OptionError('partBytes', 'an integer >= 1', partBytes);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new OptionError('onProgress', 'a function', onProgress);
  let parser: RatingsParser | undefined;
  let stream: ReturnType<typeof createReadStream> | undefined;
  let inPlaceNote: string | undefined;
  let duplicatesFound: number | undefined;
  let threadsUsed = 1;
  let pool: ParseWorkers | undefined;
  try {
    // A first, cheap pass counts the line breaks of a regular file, so that the parser puts the
    // rows in one block sized for them and never joins blocks (which would hold the rows twice).
    const info = await stat(path);
    const regular = info.isFile();
    const size = regular ? info.size : undefined;
    const parseThreads = threads === 'auto' ? (size !== undefined && size >= PARALLEL_FROM_BYTES ? availableParallelism() : 1) : threads;
    // On several threads the workers count the lines of the parts they will parse.
    let parts: FileParts | undefined;
    if (size !== undefined && parseThreads > 1 && typeof SharedArrayBuffer === 'function') {
      const starts = await partStarts(path, size, partCuts(size, parseThreads, partBytes));
      if (starts.length > 2) {
        pool = new ParseWorkers(Math.min(parseThreads, starts.length - 2));
        parts = await pool.survey(path, starts);
      }
    }
    const lines = parts ? Math.max(parts.lf, parts.cr) : regular ? await countLineBreaks(path, chunkSize) : undefined;
    let rowArrays: RowArrays | undefined;
    if (inPlace) {
      if (lines === undefined) throw new OptionError('inPlace', 'used with a regular file (its lines are counted first)', `${path}, not a regular file`);
      if (lines + 1 > maxResidentRows()) {
        throw new DataError(
          `${path} has ${lines} lines; loaded in place, wasm32 memory holds at most ${maxResidentRows()} ratings ` +
            `(12 bytes each, of 4 GiB): use a smaller file, or load it without inPlace for the js engine`,
        );
      }
      const made = residentRows(lines + 1);
      if ('reason' in made) inPlaceNote = `loaded into plain arrays: ${made.reason}`;
      else rowArrays = made;
    }
    // Parts parsed on other threads write their rows straight into shared arrays.
    if (parts && lines !== undefined) rowArrays = sharedRowArrays(lines + 1, rowArrays, parseOptions.timestamps ? true : false);
    const source = parseOptions.source ?? path;
    parser = new RatingsParser({ ...parseOptions, source }, lines, rowArrays);
    let parsed = false;
    if (parts && pool && rowArrays && size !== undefined) {
      const outcome = await parseInParallel(parser, { path, size, parts, pool, rows: rowArrays, onBytes: (bytes) => onProgress?.(bytes, size) });
      if (typeof outcome !== 'string') {
        parsed = true;
        duplicatesFound = outcome.duplicatesFound;
        threadsUsed = outcome.threads;
        checkUnchanged(path, size, (await stat(path)).size, 'when it was parsed');
      } else {
        // A line only the general parser takes: the whole file again, on this thread.
        parser = new RatingsParser({ ...parseOptions, source }, lines, rowArrays);
      }
    }
    if (!parsed) {
      stream = createReadStream(path, { highWaterMark: chunkSize });
      let bytes = 0;
      for await (const chunk of stream) {
        parser.push(chunk as Buffer);
        bytes += (chunk as Buffer).length;
        onProgress?.(bytes, size);
      }
      if (size !== undefined) checkUnchanged(path, size, bytes, 'were read');
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Any refusal of the file system (ENOENT, EACCES, EISDIR, EPERM, EMFILE, EIO, ...) names the file.
    if (typeof code === 'string' && !(err instanceof LatentrecError)) {
      throw new DataError(`cannot read ratings file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    throw err;
  } finally {
    stream?.destroy();
    await pool?.close();
  }
  const result = parser.finish(duplicatesFound);
  if (inPlaceNote) result.summary.inPlace = inPlaceNote;
  result.summary.threads = threadsUsed;
  return result;
}

/**
 * Row arrays in shared memory for `rows` rows: the resident ones when loading in place (times, if
 * kept, beside them), else fresh. A dataset parsed on several threads therefore holds views of a
 * SharedArrayBuffer (slice() them to post them to a worker as a transfer).
 */
function sharedRowArrays(rows: number, resident: RowArrays | undefined, timed: boolean): RowArrays {
  const times = timed ? new Float64Array(new SharedArrayBuffer(rows * 8)) : undefined;
  if (resident) return { ...resident, times };
  return {
    users: new Uint32Array(new SharedArrayBuffer(rows * 4)),
    items: new Uint32Array(new SharedArrayBuffer(rows * 4)),
    ratings: new Float32Array(new SharedArrayBuffer(rows * 4)),
    times,
  };
}

/** Parse threads at most (the kernels' pool has the same limit). */
const MAX_PARSE_THREADS = 256;

/** A regular file must read as the size it had when the load started: else the rows are of no one version of it. */
function checkUnchanged(path: string, size: number, now: number, what: string): void {
  if (now !== size) {
    throw new DataError(
      `${path} changed while being read: it had ${size} bytes when the load started, and ${now} ${what}; ` +
        `load a file nothing is writing to (copy it first)`,
    );
  }
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
 * @param path - The file to write (replaced if it exists).
 * @param dataset - The ratings.
 * @param options - Whether to write the timestamp column (default true; 881250949 + row) and the chunk size.
 * @returns A promise that resolves once the file is complete and renamed into place.
 * @throws {@link OptionError} When an option is invalid.
 * @throws {@link DataError} When a raw id cannot be written to a tab-separated file (empty,
 *   surrounding whitespace, a tab or line break); the temporary file is removed.
 *
 * @example
 * ```ts
 * import { generateScaleRatings } from 'latentrec';
 * import { writeRatingsFile } from 'latentrec/node';
 *
 * await writeRatingsFile('/tmp/ratings.tsv', generateScaleRatings({ ratings: 1_000_000 }));
 * ```
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
 *
 * @param dir - The directory holding the fold files.
 * @param options - Parse options for every file.
 * @returns The folds, 'u1' first, each with its files' load summaries; pass them to {@link crossValidate}.
 * @throws {@link DataError} When the directory cannot be read, holds no fold, the folds are not
 *   numbered from 1 without gaps, a fold lacks its .base or .test file, or a file cannot be loaded.
 * @throws {@link ParseError} For a malformed line of any file.
 * @throws {@link OptionError} When an option is invalid.
 *
 * @example
 * ```ts
 * import { SVD, crossValidate } from 'latentrec';
 * import { loadFolds } from 'latentrec/node';
 *
 * const folds = await loadFolds('ml-100k'); // u1.base/u1.test … u5.base/u5.test
 * crossValidate(() => new SVD(), folds).mean.rmse;
 * ```
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
