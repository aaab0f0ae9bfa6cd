// Worker threads for the kernels: Node's worker_threads or a browser's Web Workers, each with its
// own instance of the kernels over the engine's one shared WebAssembly.Memory. The calling thread
// publishes a round of blocks — of blocked SGD (no two share a user or an item), or kernel calls
// on ranges of rows no other block writes (ALS row solves, Gibbs rows) —, every thread — the caller too —
// takes blocks from an atomic counter until the round is done, and the caller blocks on
// Atomics.wait until the last one finishes. Nothing is posted per round: coordination is a few
// Int32 words in a SharedArrayBuffer, so a round costs microseconds.
//
// A worker that throws, exits, is terminated or stops answering must not hang the caller, which
// cannot take events while it blocks: failures are reported through the same words, silence is
// timed against a bound that scales with the work in flight (see STALL_FLOOR_MS), and either ends
// every worker and throws a LatentrecError; the event loop (and a SIGINT handler) then runs again.
//
// Where a pool cannot start (no SharedArrayBuffer, a browser page that is not cross-origin
// isolated, a thread that may not block — a browser's main thread —, or workers that do not come
// up), open() says why and the engine runs the same blocks on one thread: the same result, slower.

import { LatentrecError, OptionError } from '../errors.js';

/** The most threads a pool runs (the options' limit too). */
export const MAX_POOL_THREADS = 256;

/** Words of the control array. ERROR holds 1 + the index of the first worker that failed. */
const C = { GEN: 0, CMD: 1, NEXT: 2, DONE: 3, COUNT: 4, READY: 5, ERROR: 6, PARKED: 7, CAUSE: 8, CODE: 9, NOTE: 10 } as const;
const CMD_RUN = 0, CMD_EXIT = 1;
/** What the failed worker reported in CAUSE: an exception (text in the note), or process.exit (code in CODE). */
const CAUSE_THREW = 1, CAUSE_EXITED = 2;
/** Characters of the failed worker's exception message kept for the caller's error. */
const NOTE_CHARS = 240;
/**
 * Each worker's state word — b + 1 while it runs block b, 0 between blocks, −g once parked after
 * round g — sits on its own 64-byte line: a worker writes it twice per block, and sharing a line
 * with the control words (or another worker's state) would bounce that line between cores.
 */
const STATE_STRIDE = 16;

/**
 * Slots of the argument array: what a round runs (KIND), then for blocked SGD the ratings and
 * factor offsets and the rates; for a round of kernel calls (ROUND_CALL) the kernel (FN, an index
 * into CALL_KERNELS), its ARGC arguments from LIST, where each block's first, end and extra go
 * (FIRST_AT, END_AT, EXTRA_AT), and up to MAX_SCRATCH scratch arguments (SCRATCH: pairs of argument position and bytes
 * per thread) that each thread offsets by its part: worker w takes part w, the caller the last.
 * STRIDE is set for both: the stall bound's fallback scales with it.
 */
export const ARG = {
  BIASED: 0, USERS: 1, ITEMS: 2, VALUES: 3, P: 4, Q: 5, BU: 6, BI: 7, STRIDE: 8, MU: 9,
  LR_BU: 10, LR_BI: 11, LR_PU: 12, LR_QI: 13, REG_BU: 14, REG_BI: 15, REG_PU: 16, REG_QI: 17,
  KIND: 18, FN: 19, ARGC: 20, FIRST_AT: 21, END_AT: 22, SCRATCH_COUNT: 23, SCRATCH: 24, EXTRA_AT: 32, LIST: 33,
} as const;
/** Scratch arguments a kernel call can have, and arguments in all. */
export const MAX_SCRATCH = 4, MAX_CALL_ARGS = 40;
const ARG_COUNT = ARG.LIST + MAX_CALL_ARGS;
/**
 * ARG.KIND: a round of blocked SGD (table: first rating, count, seed) or of kernel calls (first,
 * work, end, and an extra argument such as a seed, placed at EXTRA_AT unless it is −1). The table
 * holds TABLE_STRIDE words per block, the second always the block's work for the stall bound.
 */
export const TABLE_STRIDE = 4;
export const ROUND_SGD = 0, ROUND_CALL = 1;
/**
 * The kernels a ROUND_CALL may run, each on a range of rows that no other block of the round
 * writes: every row's result is then the same whichever thread computes it.
 */
export const CALL_KERNELS = ['bfmSampleRows', 'alsSolveRows', 'alsExactRows', 'gramian', 'bprBlock', 'hybridBlock',
  'easeGram', 'choleskyLower', 'invertLower', 'invertLowerRows', 'lowerGramRows', 'easeWeights', 'sgdEpochSvdpp', 'scoreUserRows'] as const;
export type CallKernel = (typeof CALL_KERNELS)[number];

/** How long a worker may take to start before the fit goes on without it. */
const START_TIMEOUT_MS = 10_000;

// How long the caller waits for a worker that makes no progress before declaring it dead: a worker
// killed by terminate() runs no more JavaScript and says nothing, one stuck in a loop neither, and
// the caller, blocked in Atomics.wait, sees no 'exit' or 'error' event (nor SIGINT) until it
// returns. So it waits in steps of WAIT_STEP_MS, and fails once neither DONE nor PARKED has moved
// for STALL_FLOOR_MS + STALL_FACTOR × (the expected time of the largest block a worker is running).
// The expected time is that block's rating count × the slowest seconds per rating the caller
// measured on its own blocks during the pool's life: the same kernels, factor count and machine
// load as the workers, so the bound follows k, the build and the load by itself.
// - The floor covers what does not scale with the block: waking a worker and getting it a core.
//   Linux's scheduler runs every runnable thread within about a tenth of a second even with
//   dozens of them per core; 2 s is far above that and still "within seconds" for a dead worker.
// - The factor covers a worker slower per rating than the caller was: its block may be larger
//   and colder in cache (up to ~3x per rating), still on the baseline wasm tier (~2-3x), or on a
//   core shared with an SMT sibling or another process (~2x). 20 leaves room above their product
//   (~12x). Worked case, k = 4096: 6.2 µs per rating measured on this 2-core machine (simd build,
//   one thread), 12.2 µs on the scalar build (which has no threads, but stands for a machine half
//   as fast); with two other busy processes on the 2 cores each fit thread gets half a core: ~25
//   µs per rating, and the caller measures that, since it runs under the same load. A 100,000-
//   rating block then takes ~2.5 s and the bound is 2 + 20 × 2.5 = 52 s: a worker is declared dead
//   only after 20 times what the same work took the caller, which no legitimately slow block
//   needs. The slowest rate is kept, so a load spike once seen keeps the bound up.
// - The rate is measured per round over all the caller's blocks (one pair of clock reads per
//   round, none in the workers): a hiccup of h seconds on the caller inflates the bound by about
//   STALL_FACTOR × h × (largest block / caller's ratings that round), a few h: a later hang is
//   found somewhat later, never a live worker declared dead.
// - A step that took much longer than asked means this thread was not running (the process was
//   stopped with Ctrl-Z, a laptop slept, a VM was paused): only awake waiting counts, so workers
//   stopped along with it get the whole bound again once it runs.
const WAIT_STEP_MS = 100;
const STALL_FLOOR_MS = 2_000;
const STALL_FACTOR = 20;
/**
 * Seconds per rating per factor lane assumed until the caller has timed a rating of its own (it
 * runs block 0 of every round, but small data can leave its blocks empty): 30 ns, ten times the
 * scalar build's 3 ns measured at k = 4096 on this 2-core machine (1.5 ns on simd), for a slower
 * and loaded machine.
 */
const FALLBACK_SECONDS_PER_RATING_LANE = 30e-9;

// Plain JavaScript (no imports, no bundler helpers), started from a string: no worker file to
// ship, resolve or bundle. Each block: shuffle in place with its seed, then one SGD pass. Built by
// a function, not at module level: a bundle that takes only hardwareThreads or MAX_POOL_THREADS
// from this module then drops it (a top-level call must be kept).
const workerSource = (): string => `'use strict';
const C = ${JSON.stringify(C)}, A = ${JSON.stringify(ARG)}, CALL = ${ROUND_CALL}, KERNELS = ${JSON.stringify(CALL_KERNELS)}, TS = ${TABLE_STRIDE};
function serve(init, node) {
  const ctrl = new Int32Array(init.control), args = new Float64Array(init.args);
  const table = new Uint32Array(init.table), sums = new Float64Array(init.sums);
  const note = new Uint16Array(init.note), states = new Int32Array(init.states), me = init.index * ${STATE_STRIDE};
  let finished = false;
  // Reported through the control words (the caller is blocked and cannot take events). The first
  // worker to fail owns CAUSE, CODE and NOTE; every failure releases the caller's waits.
  const fail = (cause, code, text) => {
    finished = true;
    if (Atomics.compareExchange(ctrl, C.ERROR, 0, init.index + 1) === 0) {
      const length = Math.min(text.length, note.length);
      for (let c = 0; c < length; c++) note[c] = text.charCodeAt(c);
      Atomics.store(ctrl, C.CAUSE, cause);
      Atomics.store(ctrl, C.CODE, code);
      Atomics.store(ctrl, C.NOTE, length);
    }
    Atomics.store(ctrl, C.DONE, 1 << 30);
    Atomics.store(ctrl, C.PARKED, 1 << 30);
    Atomics.notify(ctrl, C.DONE);
    Atomics.notify(ctrl, C.PARKED);
    Atomics.notify(ctrl, C.READY);
  };
  // process.exit() in a worker ends its thread and runs this first; terminate() runs nothing, and
  // the caller's stall bound finds it.
  if (node) node.on('exit', (code) => { if (!finished) fail(${CAUSE_EXITED}, code | 0, ''); });
  try {
    const k = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports;
    Atomics.add(ctrl, C.READY, 1);
    Atomics.notify(ctrl, C.READY);
    let seen = 0;
    for (;;) {
      Atomics.wait(ctrl, C.GEN, seen);
      seen = Atomics.load(ctrl, C.GEN);
      if (Atomics.load(ctrl, C.CMD) === ${CMD_EXIT}) {
        finished = true;
        return;
      }
      const count = Atomics.load(ctrl, C.COUNT);
      for (;;) {
        const b = Atomics.add(ctrl, C.NEXT, 1);
        if (b >= count) break;
        // Plain stores: only read by the caller when it suspects a stall; the DONE add orders them.
        states[me] = b + 1;
        if (args[A.KIND] === CALL) {
          // One kernel call on rows table[TS·b] .. table[TS·b + 2], with this worker's own scratch.
          const list = [];
          for (let a = 0; a < args[A.ARGC]; a++) list.push(args[A.LIST + a]);
          list[args[A.FIRST_AT]] = table[TS * b];
          list[args[A.END_AT]] = table[TS * b + 2];
          if (args[A.EXTRA_AT] >= 0) list[args[A.EXTRA_AT]] = table[TS * b + 3];
          for (let x = 0; x < args[A.SCRATCH_COUNT]; x++) list[args[A.SCRATCH + 2 * x]] += init.index * args[A.SCRATCH + 2 * x + 1];
          const result = k[KERNELS[args[A.FN]]](...list);
          sums[b] = typeof result === 'number' ? result : 0;
          states[me] = 0;
          if (Atomics.add(ctrl, C.DONE, 1) + 1 === count) Atomics.notify(ctrl, C.DONE);
          continue;
        }
        const first = table[TS * b], n = table[TS * b + 1], seed = table[TS * b + 2];
        const u = args[A.USERS] + 4 * first, i = args[A.ITEMS] + 4 * first, v = args[A.VALUES] + 4 * first;
        k.shuffleRatings(u, i, v, n, seed);
        sums[b] = args[A.BIASED] === 1
          ? k.sgdEpochBiased(u, i, v, n, args[A.P], args[A.Q], args[A.BU], args[A.BI], args[A.STRIDE], args[A.MU],
              args[A.LR_BU], args[A.LR_BI], args[A.LR_PU], args[A.LR_QI], args[A.REG_BU], args[A.REG_BI], args[A.REG_PU], args[A.REG_QI])
          : k.sgdEpochPlain(u, i, v, n, args[A.P], args[A.Q], args[A.STRIDE], args[A.LR_PU], args[A.LR_QI], args[A.REG_PU], args[A.REG_QI]);
        states[me] = 0;
        if (Atomics.add(ctrl, C.DONE, 1) + 1 === count) Atomics.notify(ctrl, C.DONE);
      }
      // Out of the claim loop for this round: the caller publishes the next only once every
      // worker is here, so no claim can straddle two rounds.
      states[me] = -seen;
      Atomics.add(ctrl, C.PARKED, 1);
      Atomics.notify(ctrl, C.PARKED);
    }
  } catch (err) {
    // Not rethrown, which in Node would become an 'error' event the blocked caller cannot take.
    fail(${CAUSE_THREW}, 0, err instanceof Error ? err.name + ': ' + err.message : String(err));
  }
}
const node = globalThis.process;
if (typeof node === 'object' && typeof node.getBuiltinModule === 'function') serve(node.getBuiltinModule('node:worker_threads').workerData, node);
else self.onmessage = (event) => (event.data === 'ping' ? self.postMessage('pong') : serve(event.data));
`;

interface WorkerHandle {
  terminate(): unknown;
  postMessage?(message: unknown): void;
}

interface BrowserWorker extends WorkerHandle {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error', listener: (event: { data?: unknown; message?: string }) => void): void;
}

/** Browser workers started by prepareThreads() and not attached to an engine right now. */
const idleWorkers: BrowserWorker[] = [];
let workerUrl: string | undefined;

/**
 * Starts worker threads ahead of fits, for browsers: a Web Worker does not start while the thread
 * that made it blocks, and a fit blocks its thread, so a fit in a Web Worker can only use workers
 * that are already up. Call it (awaited) in the worker that fits, on a cross-origin-isolated page;
 * fits then use up to `threads − 1` of them next to their own thread. Resolves to the number of
 * threads fits can use (1 where threads cannot run, see threadsUnavailableReason()). In Node it
 * does nothing: fits start their workers themselves.
 * @param threads - The threads fits should be able to use, the calling one included (e.g. navigator.hardwareConcurrency).
 * @returns The threads fits can use: `threads` where they start, else 1.
 * @example
 * ```ts
 * await prepareThreads(navigator.hardwareConcurrency);
 * new SVD({ threads: 'auto' }).fit(data);
 * ```
 */
export async function prepareThreads(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_POOL_THREADS) {
    throw new OptionError('threads', `an integer in [1, ${MAX_POOL_THREADS}]`, threads);
  }
  const { reason, reuse } = platform();
  if (reason !== undefined) return 1;
  if (!reuse) return threads; // Node: fits start their own workers
  const Worker = (globalThis as { Worker?: new (url: string) => BrowserWorker }).Worker!;
  workerUrl ??= URL.createObjectURL(new Blob([workerSource()], { type: 'text/javascript' }));
  const made: BrowserWorker[] = [];
  try {
    for (let w = idleWorkers.length + made.length + 1; w < threads; w++) made.push(new Worker(workerUrl));
    await Promise.all(made.map((worker) => answers(worker)));
  } catch (err) {
    for (const worker of made) worker.terminate();
    throw new LatentrecError(`prepareThreads: workers could not start (${(err as Error).message}); fits run on one thread`);
  }
  idleWorkers.push(...made);
  return idleWorkers.length + 1;
}

/** Resolves once the worker answers a ping: it is running and will take its engine by message. */
function answers(worker: BrowserWorker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    worker.addEventListener('message', (event) => {
      if (event.data !== 'pong') return;
      clearTimeout(timer);
      resolve();
    });
    worker.addEventListener('error', (event) => {
      clearTimeout(timer);
      reject(new Error(event.message ?? 'a worker failed to start'));
    });
    worker.postMessage('ping');
  });
}

/** Starts one worker; `heard` gets what the runtime later reports of it ('error' or 'exit' events). */
type Spawn = (init: Record<string, unknown>, heard: (what: string) => void) => WorkerHandle;

/** Why this runtime cannot run a pool, or undefined when it can; `spawn` starts one worker. */
function platform(): { spawn?: Spawn; reason?: string; reuse?: boolean } {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return { reason: 'SharedArrayBuffer is not available (a browser page must be cross-origin isolated: COOP same-origin + COEP require-corp)' };
  }
  // Node first (as the worker source decides too): worker_threads through process.getBuiltinModule
  // (Node 20.16+), so this browser-safe module has no import of a Node built-in.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const threads = proc?.getBuiltinModule?.('node:worker_threads') as
    | {
        Worker: new (source: string, options: { eval: true; workerData: unknown }) => WorkerHandle & {
          unref(): void;
          on(event: 'error', listener: (err: Error) => void): void;
          on(event: 'exit', listener: (code: number) => void): void;
        };
      }
    | undefined;
  if (threads) {
    return {
      spawn: (init, heard) => {
        const worker = new threads.Worker(workerSource(), { eval: true, workerData: init });
        worker.unref(); // a pool left open never keeps the process alive
        // Without a listener an 'error' event would end the process. These events arrive only
        // when the caller's event loop runs (between fitAsync's epochs, or after a failed round
        // returned): they name the cause in later messages; detection never waits for them.
        worker.on('error', (err: Error) => heard(`it failed: ${err.message}`));
        worker.on('exit', (code: number) => heard(`it exited with code ${code}`));
        return worker;
      },
    };
  }
  const g = globalThis as { Worker?: new (url: string) => { postMessage(m: unknown): void; terminate(): void }; crossOriginIsolated?: boolean; URL?: typeof URL; Blob?: typeof Blob };
  if (typeof g.Worker === 'function') {
    if (g.crossOriginIsolated === false) return { reason: 'the page is not cross-origin isolated (COOP same-origin + COEP require-corp), so workers cannot share memory' };
    if (!mayBlock()) return { reason: 'this thread may not block (a browser\'s main thread): fit in a Web Worker to use threads' };
    // A browser does not start a Web Worker while the thread that made it blocks, and a fit
    // blocks: workers must be up before it, started by prepareThreads() (awaited).
    return {
      spawn: () => {
        const worker = idleWorkers.pop();
        if (!worker) throw new Error('no prepared workers: in a browser, await prepareThreads(n) before fitting (workers cannot start while a fit blocks its thread)');
        return worker;
      },
      reuse: true,
    };
  }
  return { reason: 'no worker threads here (Node needs 20.16 or later for process.getBuiltinModule; browsers need Worker)' };
}

function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether this runtime can run a pool at all (shared memory, workers, a thread that may block). */
export function threadsUnavailableReason(): string | undefined {
  return platform().reason;
}

/** The number of cores this runtime reports (navigator.hardwareConcurrency, Node's availableParallelism). */
export function hardwareThreads(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  const os = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:os') as
    | { availableParallelism?: () => number; cpus(): unknown[] }
    | undefined;
  return Math.max(1, os?.availableParallelism?.() ?? os?.cpus().length ?? 1);
}

export class ThreadPool {
  /** Per-round inputs the engine fills: blocks as (first rating, count, seed) triplets, and the kernel arguments. */
  readonly table: Uint32Array;
  readonly args: Float64Array;
  /** Each block's sum of squared errors, by its position in the round. */
  readonly sums: Float64Array;
  private readonly ctrl: Int32Array;
  private readonly note: Uint16Array;
  private readonly states: Int32Array;
  private closed = false;
  /** Why the pool failed (the message thrown); set once, and every later round refuses with it. */
  private failure: string | undefined;
  /** What Node reported of each worker ('error', 'exit') while the pool was open, by worker index. */
  private readonly heard: (string | undefined)[] = [];
  /** Rounds published so far (the R of "round R" in messages), and what the current one runs. */
  private rounds = 0;
  private work = 'blocked SGD';
  /** The slowest seconds per rating the caller has measured on its own blocks (0: none yet). */
  private secondsPerRating = 0;

  private constructor(
    private readonly workers: WorkerHandle[],
    /** Prepared browser workers go back to the idle list on close instead of ending. */
    private readonly reuse: boolean,
    buffers: { control: SharedArrayBuffer; args: SharedArrayBuffer; table: SharedArrayBuffer; sums: SharedArrayBuffer; note: SharedArrayBuffer; states: SharedArrayBuffer },
  ) {
    this.ctrl = new Int32Array(buffers.control);
    this.args = new Float64Array(buffers.args);
    this.table = new Uint32Array(buffers.table);
    this.sums = new Float64Array(buffers.sums);
    this.note = new Uint16Array(buffers.note);
    this.states = new Int32Array(buffers.states);
  }

  /** Total threads running rounds: the workers and the caller. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `threads − 1` workers on `memory` (shared) with `module` (a threads build), for rounds
   * of at most `maxBlocks` blocks; or says why it cannot.
   */
  static open(threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, maxBlocks: number): { pool?: ThreadPool; reason?: string } {
    const { spawn, reason, reuse } = platform();
    if (!spawn) return { reason };
    const buffers = {
      control: new SharedArrayBuffer(Object.keys(C).length * 4),
      args: new SharedArrayBuffer(ARG_COUNT * 8),
      table: new SharedArrayBuffer(maxBlocks * TABLE_STRIDE * 4),
      sums: new SharedArrayBuffer(maxBlocks * 8),
      note: new SharedArrayBuffer(NOTE_CHARS * 2),
      states: new SharedArrayBuffer(Math.max(1, threads - 1) * STATE_STRIDE * 4),
    };
    const workers: WorkerHandle[] = [];
    const pool = new ThreadPool(workers, reuse === true, buffers);
    const init = { module, memory, ...buffers };
    try {
      for (let w = 1; w < threads; w++) {
        const index = workers.length;
        const worker = spawn({ ...init, index }, (what) => {
          // After close, workers end (and report it) as they were told to.
          if (!pool.closed) pool.heard[index] ??= what;
        });
        workers.push(worker);
        // A prepared browser worker is told its engine by message: it is running, so it gets it
        // while this thread blocks.
        if (reuse) worker.postMessage!({ ...init, index });
      }
    } catch (err) {
      if (workers.length === 0) {
        pool.close();
        return { reason: `workers could not start (${(err as Error).message})` };
      }
      // Fewer prepared workers than asked for: run on those there are.
    }
    const ctrl = pool.ctrl, deadline = performance.now() + START_TIMEOUT_MS;
    for (let ready; (ready = Atomics.load(ctrl, C.READY)) < workers.length && ctrl[C.ERROR] === 0; ) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      Atomics.wait(ctrl, C.READY, ready, left);
    }
    if (Atomics.load(ctrl, C.READY) < workers.length) {
      const why = ctrl[C.ERROR] !== 0 ? `a worker failed to start (${pool.reported()})` : `workers did not start within ${START_TIMEOUT_MS / 1000} s`;
      pool.failure = why; // not handed to another engine: a slow starter may still come up
      pool.close();
      return { reason: why };
    }
    return { pool };
  }

  /**
   * Runs the `count` blocks of `table` on every thread; `runHere(b)` runs block b on the calling
   * thread and returns its sum of squared errors (the workers write theirs into `sums`). Throws a
   * LatentrecError, having ended every worker, when a worker fails, exits or stops answering; the
   * pool then refuses further rounds. `what` names the work in those messages.
   */
  runRound(count: number, runHere: (block: number) => number, what = 'blocked SGD'): void {
    if (this.closed) {
      throw new LatentrecError(
        `${what} cannot run on this engine's worker threads: they were stopped (${this.failure ?? 'the engine was disposed'}); ` +
          'a new engine (a new fit) starts new ones, or fit with threads: 1',
      );
    }
    const round = ++this.rounds;
    this.work = what;
    // A worker that died while the event loop ran (between fitAsync's epochs) is known already.
    const gone = this.heard.findIndex((what) => what !== undefined);
    if (gone >= 0) this.fail(`${this.workerName([gone])} ended before round ${round} of ${what} (${this.heard[gone]})`);
    const ctrl = this.ctrl;
    // Publish in this order: a worker that takes a block must see its table and arguments. Block 0
    // is the caller's (NEXT starts at 1), so every round times some of the caller's own work.
    Atomics.store(ctrl, C.COUNT, count);
    Atomics.store(ctrl, C.DONE, 0);
    Atomics.store(ctrl, C.PARKED, 0);
    Atomics.store(ctrl, C.NEXT, 1);
    Atomics.store(ctrl, C.CMD, CMD_RUN);
    Atomics.add(ctrl, C.GEN, 1);
    Atomics.notify(ctrl, C.GEN);
    const start = performance.now();
    let ratings = 0;
    try {
      for (let b = 0; b < count; b = Atomics.add(ctrl, C.NEXT, 1)) {
        this.sums[b] = runHere(b);
        ratings += this.table[TABLE_STRIDE * b + 1];
        Atomics.add(ctrl, C.DONE, 1);
      }
    } catch (err) {
      // The caller's own block failed (a kernel trap): the workers may be mid-round, so this pool
      // can never publish another round.
      this.failure = `the calling thread failed during round ${round} of ${what} (${(err as Error).message})`;
      this.close();
      throw err;
    }
    if (ratings > 0) this.secondsPerRating = Math.max(this.secondsPerRating, (performance.now() - start) / 1000 / ratings);
    this.waitFor(C.DONE, count, round);
    this.waitFor(C.PARKED, this.workers.length, round);
    if (Atomics.load(ctrl, C.ERROR) !== 0) {
      const index = Atomics.load(ctrl, C.ERROR) - 1;
      const how = Atomics.load(ctrl, C.CAUSE) === CAUSE_EXITED ? `exited (code ${Atomics.load(ctrl, C.CODE)})` : `failed (${this.reported()})`;
      this.fail(`${this.workerName([index])} ${how} during round ${round} of ${what}`);
    }
  }

  /**
   * Waits until ctrl[word] reaches `target`; a failing worker raises both DONE and PARKED past any
   * target. The common case (the workers are done when the caller is) returns at the first load.
   */
  private waitFor(word: number, target: number, round: number): void {
    const ctrl = this.ctrl;
    let seen = Atomics.load(ctrl, word);
    if (seen >= target) return;
    let quietMs = 0, boundMs = 0;
    for (;;) {
      const stepStart = performance.now();
      Atomics.wait(ctrl, word, seen, WAIT_STEP_MS);
      const now = Atomics.load(ctrl, word);
      if (now >= target) return;
      if (now !== seen) {
        seen = now;
        quietMs = 0;
        continue;
      }
      quietMs += Math.min(performance.now() - stepStart, 2 * WAIT_STEP_MS);
      // Never lowered within a wait: a worker's state read between its claim and its store must
      // not shrink the bound.
      boundMs = Math.max(boundMs, this.stallBoundMs());
      if (quietMs > boundMs) this.fail(this.stallMessage(round, quietMs));
    }
  }

  /** Seconds one rating takes on this machine now: the caller's slowest measurement, or the fallback. */
  private ratingSeconds(): number {
    return this.secondsPerRating > 0 ? this.secondsPerRating : FALLBACK_SECONDS_PER_RATING_LANE * this.args[ARG.STRIDE];
  }

  /** Ratings of the largest block a worker is running (0 when none is). */
  private largestRunningBlock(): number {
    let largest = 0;
    for (let w = 0; w < this.workers.length; w++) {
      const state = this.states[w * STATE_STRIDE];
      if (state > 0) largest = Math.max(largest, this.table[TABLE_STRIDE * (state - 1) + 1]);
    }
    return largest;
  }

  private stallBoundMs(): number {
    return STALL_FLOOR_MS + STALL_FACTOR * this.largestRunningBlock() * this.ratingSeconds() * 1000;
  }

  private stallMessage(round: number, quietMs: number): string {
    // Who has not parked after this round, and what it runs.
    const stuck: number[] = [], running: number[] = [];
    for (let w = 0; w < this.workers.length; w++) {
      const state = this.states[w * STATE_STRIDE];
      if (state === -Atomics.load(this.ctrl, C.GEN)) continue;
      stuck.push(w);
      if (state > 0) running.push(this.table[TABLE_STRIDE * (state - 1) + 1]);
    }
    const block = running.length > 0 ? Math.max(...running) : 0;
    const doing = block > 0
      ? `running a block of ${block.toLocaleString('en-US')} ratings, which takes ${block * this.ratingSeconds() >= 0.001 ? 'about ' : ''}${duration(block * this.ratingSeconds())} here`
      : 'not running a block';
    const heard = stuck.map((w) => this.heard[w]).filter((what) => what !== undefined);
    return (
      `${this.workerName(stuck)} stopped answering during round ${round} of ${this.work} ` +
      `(no answer for ${duration(quietMs / 1000)}; ${stuck.length > 1 ? 'they were' : 'it was'} ${doing}${heard.length > 0 ? `; ${heard.join('; ')}` : ''})`
    );
  }

  /** "worker thread 2 of 3" (numbered from 1; the caller is not counted). */
  private workerName(indexes: number[]): string {
    const of = `of ${this.workers.length}`;
    if (indexes.length === 0) return `a worker thread (${of})`;
    return indexes.length === 1 ? `worker thread ${indexes[0] + 1} ${of}` : `worker threads ${indexes.map((w) => w + 1).join(', ')} ${of}`;
  }

  /** The exception text the failed worker left in the note (or what Node reported of it). */
  private reported(): string {
    const length = Atomics.load(this.ctrl, C.NOTE);
    if (length > 0) return String.fromCharCode(...this.note.subarray(0, length));
    return this.heard.find((what) => what !== undefined) ?? 'no message';
  }

  /** Ends every worker (the hung ones too) and throws; later rounds refuse with the same reason. */
  private fail(what: string): never {
    this.failure = what;
    this.close();
    throw new LatentrecError(`${what}; every worker thread was stopped. Fit with threads: 1 to train without worker threads`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, C.CMD, CMD_EXIT);
    Atomics.add(this.ctrl, C.GEN, 1);
    Atomics.notify(this.ctrl, C.GEN);
    // A worker of a failed pool may be hung or mid-block: never hand it to another engine.
    if (this.reuse && this.failure === undefined && Atomics.load(this.ctrl, C.ERROR) === 0) idleWorkers.push(...(this.workers as BrowserWorker[]));
    else for (const worker of this.workers) worker.terminate();
  }
}

/** A duration for a message: "2.0 s", "about 0.0031 s", "under a millisecond". */
function duration(seconds: number): string {
  return seconds >= 10 ? `${seconds.toFixed(0)} s` : seconds >= 0.001 ? `${seconds.toPrecision(2)} s` : 'under a millisecond';
}
