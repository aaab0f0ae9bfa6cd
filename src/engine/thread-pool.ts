// Worker threads for blocked SGD: Node's worker_threads or a browser's Web Workers, each with its
// own instance of the kernels over the engine's one shared WebAssembly.Memory. The calling thread
// publishes a round of blocks (no two share a user or an item), every thread — the caller too —
// takes blocks from an atomic counter until the round is done, and the caller blocks on
// Atomics.wait until the last one finishes. Nothing is posted per round: coordination is a few
// Int32 words in a SharedArrayBuffer, so a round costs microseconds.
//
// Where a pool cannot start (no SharedArrayBuffer, a browser page that is not cross-origin
// isolated, a thread that may not block — a browser's main thread —, or workers that do not come
// up), open() says why and the engine runs the same blocks on one thread: the same result, slower.

import { LatentrecError, OptionError } from '../errors.js';

/** The most threads a pool runs (the options' limit too). */
export const MAX_POOL_THREADS = 256;

/** Words of the control array. */
const C = { GEN: 0, CMD: 1, NEXT: 2, DONE: 3, COUNT: 4, READY: 5, ERROR: 6, PARKED: 7 } as const;
const CMD_RUN = 0, CMD_EXIT = 1;

/** Slots of the argument array: which kernel, the ratings and factor offsets, the SGD rates. */
export const ARG = {
  BIASED: 0, USERS: 1, ITEMS: 2, VALUES: 3, P: 4, Q: 5, BU: 6, BI: 7, STRIDE: 8, MU: 9,
  LR_BU: 10, LR_BI: 11, LR_PU: 12, LR_QI: 13, REG_BU: 14, REG_BI: 15, REG_PU: 16, REG_QI: 17,
} as const;
const ARG_COUNT = 18;

/** How long a worker may take to start before the fit goes on without it. */
const START_TIMEOUT_MS = 10_000;

// Plain JavaScript (no imports, no bundler helpers), started from a string: no worker file to
// ship, resolve or bundle. Each block: shuffle in place with its seed, then one SGD pass.
const WORKER_SOURCE = `'use strict';
const C = ${JSON.stringify(C)}, A = ${JSON.stringify(ARG)};
function serve(init) {
  const ctrl = new Int32Array(init.control), args = new Float64Array(init.args);
  const table = new Uint32Array(init.table), sums = new Float64Array(init.sums);
  try {
    const k = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports;
    Atomics.add(ctrl, C.READY, 1);
    Atomics.notify(ctrl, C.READY);
    let seen = 0;
    for (;;) {
      Atomics.wait(ctrl, C.GEN, seen);
      seen = Atomics.load(ctrl, C.GEN);
      if (Atomics.load(ctrl, C.CMD) === ${CMD_EXIT}) return;
      const count = Atomics.load(ctrl, C.COUNT);
      for (;;) {
        const b = Atomics.add(ctrl, C.NEXT, 1);
        if (b >= count) break;
        const first = table[3 * b], n = table[3 * b + 1], seed = table[3 * b + 2];
        const u = args[A.USERS] + 4 * first, i = args[A.ITEMS] + 4 * first, v = args[A.VALUES] + 4 * first;
        k.shuffleRatings(u, i, v, n, seed);
        sums[b] = args[A.BIASED] === 1
          ? k.sgdEpochBiased(u, i, v, n, args[A.P], args[A.Q], args[A.BU], args[A.BI], args[A.STRIDE], args[A.MU],
              args[A.LR_BU], args[A.LR_BI], args[A.LR_PU], args[A.LR_QI], args[A.REG_BU], args[A.REG_BI], args[A.REG_PU], args[A.REG_QI])
          : k.sgdEpochPlain(u, i, v, n, args[A.P], args[A.Q], args[A.STRIDE], args[A.LR_PU], args[A.LR_QI], args[A.REG_PU], args[A.REG_QI]);
        if (Atomics.add(ctrl, C.DONE, 1) + 1 === count) Atomics.notify(ctrl, C.DONE);
      }
      // Out of the claim loop for this round: the caller publishes the next only once every
      // worker is here, so no claim can straddle two rounds.
      Atomics.add(ctrl, C.PARKED, 1);
      Atomics.notify(ctrl, C.PARKED);
    }
  } catch (err) {
    // Reported through the control words (the caller is blocked and cannot take events); not
    // rethrown, which in Node would become an unhandled 'error' event on the Worker.
    Atomics.store(ctrl, C.ERROR, 1);
    Atomics.store(ctrl, C.DONE, 1 << 30);
    Atomics.store(ctrl, C.PARKED, 1 << 30);
    Atomics.notify(ctrl, C.DONE);
    Atomics.notify(ctrl, C.PARKED);
    Atomics.notify(ctrl, C.READY);
  }
}
const node = globalThis.process;
if (typeof node === 'object' && typeof node.getBuiltinModule === 'function') serve(node.getBuiltinModule('node:worker_threads').workerData);
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

/** The last error a Node worker reported (its 'error' event), for the message of a failed fit. */
let workerFailure: string | undefined;

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
 *
 *   await prepareThreads(navigator.hardwareConcurrency);
 *   new SVD({ threads: 'auto' }).fit(data);
 */
export async function prepareThreads(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_POOL_THREADS) {
    throw new OptionError('threads', `an integer in [1, ${MAX_POOL_THREADS}]`, threads);
  }
  const { reason, reuse } = platform();
  if (reason !== undefined) return 1;
  if (!reuse) return threads; // Node: fits start their own workers
  const Worker = (globalThis as { Worker?: new (url: string) => BrowserWorker }).Worker!;
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
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

type Spawn = (init: Record<string, unknown>) => WorkerHandle;

/** Why this runtime cannot run a pool, or undefined when it can; `spawn` starts one worker. */
function platform(): { spawn?: Spawn; reason?: string; reuse?: boolean } {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return { reason: 'SharedArrayBuffer is not available (a browser page must be cross-origin isolated: COOP same-origin + COEP require-corp)' };
  }
  // Node first (as the worker source decides too): worker_threads through process.getBuiltinModule
  // (Node 20.16+), so this browser-safe module has no import of a Node built-in.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const threads = proc?.getBuiltinModule?.('node:worker_threads') as
    | { Worker: new (source: string, options: { eval: true; workerData: unknown }) => WorkerHandle & { unref(): void; on(event: 'error', listener: (err: Error) => void): void } }
    | undefined;
  if (threads) {
    return {
      spawn: (init) => {
        const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: init });
        worker.unref(); // a pool left open never keeps the process alive
        // Without a listener an 'error' event would end the process; the failure itself reaches
        // the caller through the control words.
        worker.on('error', (err: Error) => {
          workerFailure = err.message;
        });
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
  private closed = false;

  private constructor(
    private readonly workers: WorkerHandle[],
    /** Prepared browser workers go back to the idle list on close instead of ending. */
    private readonly reuse: boolean,
    buffers: { control: SharedArrayBuffer; args: SharedArrayBuffer; table: SharedArrayBuffer; sums: SharedArrayBuffer },
  ) {
    this.ctrl = new Int32Array(buffers.control);
    this.args = new Float64Array(buffers.args);
    this.table = new Uint32Array(buffers.table);
    this.sums = new Float64Array(buffers.sums);
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
      table: new SharedArrayBuffer(maxBlocks * 3 * 4),
      sums: new SharedArrayBuffer(maxBlocks * 8),
    };
    const workers: WorkerHandle[] = [];
    const pool = new ThreadPool(workers, reuse === true, buffers);
    const init = { module, memory, ...buffers };
    try {
      for (let w = 1; w < threads; w++) {
        const worker = spawn(init);
        workers.push(worker);
        // A prepared browser worker is told its engine by message: it is running, so it gets it
        // while this thread blocks.
        if (reuse) worker.postMessage!(init);
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
      const why = ctrl[C.ERROR] !== 0 ? 'a worker failed to start' : `workers did not start within ${START_TIMEOUT_MS / 1000} s`;
      pool.close();
      return { reason: why };
    }
    return { pool };
  }

  /**
   * Runs the `count` blocks of `table` on every thread; `runHere(b)` runs block b on the calling
   * thread and returns its sum of squared errors (the workers write theirs into `sums`).
   */
  runRound(count: number, runHere: (block: number) => number): void {
    const ctrl = this.ctrl;
    // Publish in this order: a worker that takes a block must see its table and arguments.
    Atomics.store(ctrl, C.COUNT, count);
    Atomics.store(ctrl, C.DONE, 0);
    Atomics.store(ctrl, C.PARKED, 0);
    Atomics.store(ctrl, C.NEXT, 0);
    Atomics.store(ctrl, C.CMD, CMD_RUN);
    Atomics.add(ctrl, C.GEN, 1);
    Atomics.notify(ctrl, C.GEN);
    for (;;) {
      const b = Atomics.add(ctrl, C.NEXT, 1);
      if (b >= count) break;
      this.sums[b] = runHere(b);
      Atomics.add(ctrl, C.DONE, 1);
    }
    for (let done; (done = Atomics.load(ctrl, C.DONE)) < count; ) Atomics.wait(ctrl, C.DONE, done, 1000);
    for (let parked; (parked = Atomics.load(ctrl, C.PARKED)) < this.workers.length; ) Atomics.wait(ctrl, C.PARKED, parked, 1000);
    if (Atomics.load(ctrl, C.ERROR) !== 0) {
      this.close();
      throw new LatentrecError(`a worker thread failed during blocked SGD${workerFailure ? ` (${workerFailure})` : ''}; fit with threads: 1 to go on without workers`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, C.CMD, CMD_EXIT);
    Atomics.add(this.ctrl, C.GEN, 1);
    Atomics.notify(this.ctrl, C.GEN);
    if (this.reuse && Atomics.load(this.ctrl, C.ERROR) === 0) idleWorkers.push(...(this.workers as BrowserWorker[]));
    else for (const worker of this.workers) worker.terminate();
  }
}
