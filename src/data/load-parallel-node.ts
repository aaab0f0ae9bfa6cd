// Parsing a ratings file on every core (issue 17). The file is cut into parts at line starts
// (found by small reads around evenly spaced cuts); the workers first count each part's line
// breaks, which size the row arrays and give each part its first row. The calling thread then
// parses the first part — the lines that settle the format and the header — with RatingsParser;
// worker threads parse the others with the fast path (parse-worker-source.ts), writing each
// part's rows straight into the shared row arrays at the part's first line, with ids local to
// the part. In file order the caller then interns each part's ids as they first appear there, and
// a worker maps the part's rows to those ids and moves them down to follow the rows before (one
// part at a time, since the parts' places can overlap).
// The dataset is therefore the one a single thread makes, bit for bit, and the rows are written
// once, by the threads in parallel. Any line the fast path does not take makes a worker give up,
// and the caller parses the whole file again on one thread (same result, or the same error).
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { DataError, LatentrecError } from '../errors.js';
import { groupStarts } from './group.js';
import { parseWorkerSource } from './parse-worker-source.js';
import type { FastPathSettings, ParsedKeys, RatingsParser, RowArrays } from './parse.js';

/** The first part, parsed on the calling thread: at least this many bytes, to a line break. */
export const FIRST_PART_BYTES = 1 << 20;
/** Parts per thread (for balance), each at most MAX_PART_BYTES. */
const PARTS_PER_THREAD = 8;
const MAX_PART_BYTES = 64 << 20;

/** Where the parts of a file start (line starts, the first 0, then `size`), and the '\n's before each. */
export interface FileParts {
  /** Line breaks in the file: '\n' and '\r' bytes. */
  lf: number;
  cr: number;
  /** Part p is bytes [starts[p], starts[p + 1]); the last entry is the file's size. */
  starts: number[];
  /** '\n' bytes before starts[p]. */
  linesBefore: number[];
}

/** Nominal cuts: the first part's end, then every `partBytes` (default from the size and threads). */
export function partCuts(size: number, threads: number, partBytes?: number): number[] {
  const step = partBytes ?? Math.min(MAX_PART_BYTES, Math.max(FIRST_PART_BYTES, Math.ceil((size - FIRST_PART_BYTES) / (threads * PARTS_PER_THREAD))));
  const cuts: number[] = [];
  for (let at = Math.min(FIRST_PART_BYTES, partBytes ?? FIRST_PART_BYTES); at < size; at += step) cuts.push(at);
  return cuts;
}

/**
 * The first line start at or after each cut (just past the first '\n' at or after cut − 1; a cut
 * inside a long line moves to its end), read from small windows around the cuts. Returns the
 * part starts: 0, the distinct line starts, then `size`.
 */
export async function partStarts(path: string, size: number, cuts: readonly number[]): Promise<number[]> {
  const starts = [0];
  const file = await open(path, 'r');
  try {
    const window = Buffer.allocUnsafe(WINDOW);
    for (const cut of cuts) {
      let from = Math.max(cut - 1, starts[starts.length - 1]);
      let start = size;
      while (from < size) {
        const { bytesRead } = await file.read(window, 0, Math.min(WINDOW, size - from), from);
        if (bytesRead === 0) break;
        const at = window.subarray(0, bytesRead).indexOf(10);
        if (at >= 0) {
          start = from + at + 1;
          break;
        }
        from += bytesRead;
      }
      if (start >= size) break;
      if (start > starts[starts.length - 1]) starts.push(start);
    }
  } finally {
    await file.close();
  }
  starts.push(size);
  return starts;
}

const WINDOW = 1 << 16;

/** Worker threads for one load: they count the parts' lines, then parse them (parseInParallel). */
export class ParseWorkers {
  readonly workers: Worker[] = [];

  constructor(threads: number) {
    for (let w = 0; w < threads; w++) this.workers.push(new Worker(parseWorkerSource(), { eval: true }));
  }

  /**
   * The line breaks of each part, counted on the workers, and so where each part's lines start
   * among the file's. Throws a DataError when the file is shorter than `starts` says.
   */
  async survey(path: string, starts: readonly number[]): Promise<FileParts> {
    const parts = starts.length - 1;
    const counts = await this.run<{ lf: number; cr: number }>(parts, (part) => ({ kind: 'survey', part, path, start: starts[part], end: starts[part + 1] }), path);
    const linesBefore = [0];
    let lf = 0, cr = 0;
    for (const c of counts) {
      lf += c.lf;
      cr += c.cr;
      linesBefore.push(lf);
    }
    return { lf, cr, starts: [...starts], linesBefore };
  }

  /** Runs `count` independent jobs over the workers; their answers in job order. */
  private run<T>(count: number, job: (index: number) => object, path: string): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      const out: T[] = new Array(count);
      let next = 0, done = 0, settled = false;
      const listeners: (() => void)[] = [];
      const end = (error?: unknown) => {
        if (settled) return;
        settled = true;
        for (const off of listeners) off();
        if (error !== undefined) reject(error);
        else resolve(out);
      };
      for (const worker of this.workers) {
        const onMessage = (reply: T & { part: number; changed?: boolean; bail?: string }) => {
          if (reply.changed) return end(new DataError(`${path} changed while being read: it is shorter than when the load started`));
          // A survey has no line to give up on: a bail here is the worker's own failure.
          if (reply.bail !== undefined) return end(new LatentrecError(reply.bail));
          out[reply.part] = reply;
          if (++done === count) return end();
          if (next < count) worker.postMessage(job(next++));
        };
        const onError = (err: Error) => end(new LatentrecError(`a parse worker failed: ${err.message}`));
        const onExit = (code: number) => end(new LatentrecError(`a parse worker exited (code ${code}) before the file was read`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        listeners.push(() => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        });
        if (next < count) worker.postMessage(job(next++));
      }
      if (count === 0) end();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** What parseInParallel needs: the file, its parts, the workers and the shared row arrays. */
export interface ParallelParse {
  /** The file. */
  path: string;
  /** The file's size when the load started; the parts cover exactly these bytes. */
  size: number;
  /** Where the parts start, and their line counts. */
  parts: FileParts;
  /** The workers that surveyed the parts: they parse them now. */
  pool: ParseWorkers;
  /** The parser's row arrays: shared memory, at least lf + 1 rows (the parser was made with them). */
  rows: RowArrays;
  /** Called as parts are parsed, with the bytes parsed so far. */
  onBytes?: (bytes: number) => void;
}

type WorkerReply = ParsedKeys & { part: number; bail?: string; changed?: boolean; remapped?: boolean; found?: number };

/** What the workers found: duplicate rows, when the parser counts them only (the 'keep' policy). */
export interface ParallelOutcome {
  /** Threads that parsed: the workers and the calling thread, or 1 when it parsed every part itself. */
  threads: number;
  duplicatesFound?: number;
}

/** Bands of users for counting duplicates: at least this many (each is a pass over the user ids), about equal rows. */
const COUNT_BANDS = 2;

/**
 * Parses the file into `parser` on `threads` workers. Returns what they found when done, or why the
 * fast path gave up (then `parser` holds a partial parse and must be thrown away).
 */
export async function parseInParallel(parser: RatingsParser, plan: ParallelParse): Promise<ParallelOutcome | string> {
  const { path, size, parts: { starts, linesBefore }, rows } = plan;
  const parts = starts.length - 1;
  if (parts < 2) return 'the file is one part';
  const workers = plan.pool.workers;
  for (const worker of workers) worker.postMessage({ kind: 'rows', users: rows.users, items: rows.items, ratings: rows.ratings, times: rows.times });
  // Parts are parsed here until the format is settled (the first usually does).
  let settings: FastPathSettings | string = 'no part read';
  let here = 0;
  const file = await open(path, 'r');
  try {
    while (here < parts && typeof settings === 'string') {
      const bytes = Buffer.allocUnsafe(starts[here + 1] - starts[here]);
      for (let got = 0; got < bytes.length; ) {
        const { bytesRead } = await file.read(bytes, got, bytes.length - got, starts[here] + got);
        if (bytesRead === 0) throw new DataError(`${path} changed while being read: it is shorter than the ${size} bytes it had when the load started`);
        got += bytesRead;
      }
      parser.push(bytes);
      here++;
      plan.onBytes?.(starts[here]);
      settings = parser.fastPathSettings(rows);
    }
  } finally {
    await file.close();
  }
  if (here === parts) return { threads: 1 };
  if (typeof settings === 'string') return settings;
  const fastPath = settings;
  return await new Promise<ParallelOutcome | string>((resolve, reject) => {
    const keys = new Map<number, WorkerReply>();
    const idle: Worker[] = [];
    let nextParse = here, nextAppend = here, remapping = false, settled = false, counting = 0, found = 0;
    const finish = (outcome: ParallelOutcome | string | undefined, error?: unknown) => {
      if (settled) return;
      settled = true;
      if (error !== undefined) reject(error);
      else resolve(outcome as ParallelOutcome | string);
    };
    // Every part is in place: count the duplicates on the workers, by bands of users.
    const countDuplicates = () => {
      const rowsNow = parser.rowsToCount();
      if (rowsNow === undefined) return finish({ threads: workers.length + 1 });
      const { users, userCount, itemCount } = rowsNow, n = users.length;
      const start = groupStarts(users, userCount);
      const bandCount = Math.max(COUNT_BANDS, workers.length), bands: [number, number][] = [];
      for (let u0 = 0, b = 1; u0 < userCount; b++) {
        let u1 = u0 + 1;
        while (u1 < userCount && start[u1] < (n * b) / bandCount) u1++;
        bands.push([u0, u1]);
        u0 = u1;
      }
      const per = Math.ceil(bands.length / workers.length);
      for (let w = 0; w < workers.length && w * per < bands.length; w++) {
        counting++;
        workers[w].postMessage({ kind: 'count', part: -1, start, n, bands: bands.slice(w * per, (w + 1) * per), itemCount });
      }
    };
    const changed = () => new DataError(`${path} changed while being read: its lines are not where a first pass found them (${size} bytes when the load started)`);
    // The next part whose ids are known is mapped and moved down, one at a time: its new place
    // may overlap the place of the part before.
    const pump = () => {
      while (idle.length > 0) {
        const worker = idle[idle.length - 1];
        const ready = keys.get(nextAppend);
        if (!remapping && ready) {
          keys.delete(nextAppend);
          const { userOf, itemOf, at } = parser.appendKeys(ready);
          worker.postMessage({ kind: 'remap', part: nextAppend, from: linesBefore[nextAppend], to: at, rows: ready.rows, userOf, itemOf }, [userOf.buffer as ArrayBuffer, itemOf.buffer as ArrayBuffer]);
          plan.onBytes?.(starts[nextAppend + 1]);
          nextAppend++;
          remapping = true;
        } else if (nextParse < parts) {
          const p = nextParse++;
          // Slots for every line of the part (the last may end without a '\n').
          const slots = linesBefore[p + 1] - linesBefore[p] + (p === parts - 1 ? 1 : 0);
          worker.postMessage({ kind: 'parse', part: p, path, start: starts[p], end: starts[p + 1], slot: linesBefore[p], slots, s: fastPath });
        } else {
          return;
        }
        idle.pop();
      }
    };
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => {
        if (settled) return;
        if (reply.bail !== undefined) return finish(reply.bail);
        if (reply.changed) return finish(undefined, changed());
        if (reply.found !== undefined) {
          found += reply.found;
          if (--counting === 0) finish({ threads: workers.length + 1, duplicatesFound: found });
          return;
        }
        if (reply.remapped) {
          remapping = false;
          if (nextAppend === parts) return countDuplicates();
        } else {
          keys.set(reply.part, reply);
        }
        idle.push(worker);
        try {
          pump();
        } catch (err) {
          finish(undefined, err);
        }
      });
      worker.on('error', (err) => finish(undefined, new LatentrecError(`a parse worker failed: ${err.message}`)));
      worker.on('exit', (code) => finish(undefined, new LatentrecError(`a parse worker exited (code ${code}) before the file was parsed`)));
      idle.push(worker);
    }
    pump();
  });
}
