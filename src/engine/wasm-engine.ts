// The one host file that knows offsets into linear memory. Each engine owns one
// WebAssembly.Memory and a bump allocator over it; every array is 16-byte aligned, and views are
// re-made after the memory grows (growth detaches the old ArrayBuffer).
//
// The three single-thread builds are imported here, one generated module each; the two builds over
// shared memory are not: an engine gets them, with the worker pool, from the ThreadSupport it is
// made with (wasmThreadSupport in wasm-threads.ts), so a bundle of a model that never runs on
// threads carries neither those builds nor the pool.
import { relaxedBase64 } from './kernels-relaxed.generated.js';
import { scalarBase64 } from './kernels-scalar.generated.js';
import { simdBase64 } from './kernels-simd.generated.js';
import { LatentrecError } from '../errors.js';
import { RESIDENT_ROWS_AT, residentMemoryOf, type ResidentMemory } from '../util/resident-memory.js';
import type { BlockGrid, BlockSchedule } from './block-grid.js';
import { MAX_GRID_SIDE } from './block-grid.js';
import { ARG, CALL_KERNELS, MAX_CALL_ARGS, MAX_SCRATCH, ROUND_CALL, ROUND_SGD, TABLE_STRIDE, type CallKernel, type ThreadPool } from './thread-pool.js';
import type { BfmBlock, BfmGroupPrior, BfmPrior, BfmSide, BiasedRates, BprSampler, Engine, ExactRowSolve, F32, F64, FactorBlock, FeatureSide, Handle, HybridBlockPass, HybridPass, RatingsBlock, SparseRows, SvdppRates, U32, UserGroups } from './types.js';
import { threadPart } from './types.js';
import { CG_ROWS_PER_CALL, EXACT_ROWS_PER_CALL, orderRanges, SVDPP_USERS_PER_CALL, workRanges, type RowRange } from './row-ranges.js';

const PAGE = 65536;
/** Every array starts on a 64-byte cache line (SIMD needs 16; threads' parts must not share a line). */
const ALIGN = 64;
/** Nothing below this offset is handed out, nor below the module's own static data (heapBase). */
const HEAP_START = 1024;
export const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit
/** The most memory a wasm32 engine can have, in bytes: MAX_PAGES × PAGE, written out (a bundler keeps a top-level product of two names). */
export const WASM_MEMORY_LIMIT = 4_294_967_296;

/** The exports of every build (the threads builds too). */
export interface Kernels {
  sgdEpochBiased(
    users: number, items: number, values: number, count: number,
    P: number, Q: number, bu: number, bi: number, stride: number,
    mu: number, lrBu: number, lrBi: number, lrPu: number, lrQi: number,
    regBu: number, regBi: number, regPu: number, regQi: number,
  ): number;
  sgdEpochPlain(
    users: number, items: number, values: number, count: number,
    P: number, Q: number, stride: number,
    lrPu: number, lrQi: number, regPu: number, regQi: number,
  ): number;
  sgdEpochSvdpp(
    userOrder: number, first: number, end: number, start: number, items: number, values: number,
    P: number, Q: number, Y: number, bu: number, bi: number, stride: number, z: number, acc: number,
    mu: number, lrBu: number, lrBi: number, lrPu: number, lrQi: number, lrYj: number,
    regBu: number, regBi: number, regPu: number, regQi: number, regYj: number,
  ): number;
  implicitUserFactors(userCount: number, start: number, items: number, P: number, Y: number, stride: number, out: number): void;
  sgdEpochBpr(
    users: number, positives: number, negatives: number, count: number,
    P: number, Q: number, bi: number, stride: number, lr: number, reg: number, regBias: number,
  ): number;
  sparseTimesDense(start: number, cols: number, vals: number, rowCount: number, X: number, Y: number, stride: number): void;
  sparseTransposeTimesDense(start: number, cols: number, vals: number, rowCount: number, Y: number, Z: number, stride: number): void;
  predictPairs(
    users: number, items: number, count: number,
    P: number, Q: number, bu: number, bi: number, stride: number,
    mu: number, lo: number, hi: number, out: number,
  ): number;
  scoreItems(p: number, Q: number, bi: number, itemCount: number, stride: number, base: number, out: number): number;
  scoreUserRows(users: number, first: number, end: number, P: number, Q: number, bi: number, bases: number, itemCount: number, stride: number, out: number): void;
  rowCounts(row: number, n: number, thresholds: number, m: number, below: number, equal: number): number;
  rowTop(row: number, n: number, mask: number, k: number, heap: number): number;
  heapBase(): number;
  alsSolveRows(
    start: number, cols: number, vals: number, first: number, end: number, X: number, Y: number, gram: number,
    stride: number, k: number, alpha: number, lambda: number, steps: number, r: number, p: number, ap: number,
  ): number;
  gramian(Y: number, rows: number, stride: number, k: number, gram: number, first: number, end: number): void;
  hybridEpoch(
    loss: number, users: number, positives: number, first: number, count: number,
    candidates: number, slots: number, warpWeights: number, seenStart: number, seenItems: number,
    uStart: number, uCols: number, uVals: number, UE: number, ub: number, UEg: number, ubg: number,
    iStart: number, iCols: number, iVals: number, IE: number, ib: number, IEg: number, ibg: number,
    stride: number, lr: number, userReg: number, itemReg: number, adagrad: number, scratch: number,
  ): number;
  hybridBlock(
    loss: number, users: number, items: number, values: number, first: number, end: number, seed: number,
    slots: number, warpWeights: number, seenStart: number, seenItems: number, binItems: number, binStart: number, itemBin: number,
    uStart: number, uCols: number, uVals: number, UE: number, ub: number, UEg: number, ubg: number,
    iStart: number, iCols: number, iVals: number, IE: number, ib: number, IEg: number, ibg: number,
    stride: number, lr: number, userReg: number, itemReg: number, adagrad: number, scratch: number, draws: number,
  ): number;
  dotRows(x: number, M: number, rowCount: number, stride: number, out: number): number;
  bfmSampleRows(
    start: number, cols: number, slots: number, rowFirst: number, rowEnd: number, W: number, V: number, Vo: number, stride: number, k: number,
    e: number, alpha: number, muW: number, lambdaW: number, muV: number, lambdaV: number, normals: number, h: number, eb: number,
  ): void;
  shuffleRatings(users: number, items: number, values: number, count: number, seed: number): void;
  bprBlock(
    users: number, items: number, values: number, negatives: number, first: number, end: number, seed: number,
    binItems: number, binStart: number, itemBin: number, seenStart: number, seenItems: number, verify: number,
    P: number, Q: number, bi: number, stride: number, lr: number, reg: number, regBias: number,
  ): number;
  bfmRowSums(rowStart: number, rowCols: number, rowVals: number, R: number, W: number, V: number, k: number, lin: number, q: number, self: number): void;
  bfmPredict(table: number, blocks: number, k: number, n: number, w0: number, out: number): void;
  bfmGatherQ(table: number, blocks: number, f: number, n: number, qsum: number): void;
  alsExactRows(
    start: number, cols: number, vals: number, first: number, end: number, X: number, Y: number, gram: number, stride: number, k: number,
    a: number, w0: number, alpha: number, lambdas: number, A: number, h: number, b: number,
  ): number;
  easeGram(start: number, cols: number, users: number, A: number, m: number, first: number, end: number): void;
  choleskyLower(A: number, first: number, end: number, m: number, from: number, to: number): number;
  invertLower(A: number, first: number, end: number, m: number, tmp: number, from: number, to: number): void;
  invertLowerRows(A: number, first: number, end: number, m: number, tmp: number, to: number): void;
  lowerGramRows(A: number, first: number, end: number, m: number, W: number, a: number, b: number): void;
  lowerGramPanel(A: number, a: number, b: number, m: number, W: number): void;
  easeWeights(A: number, n: number, m: number, B: number, s: number, first: number, end: number): void;
  sumRows(B: number, s: number, rows: number, count: number, out: number): void;
  bfmDrawLinear(
    ratingStart: number, slots: number, R: number, colStart: number, colRows: number, colVals: number, F: number, group: number,
    W: number, e: number, alpha: number, muW: number, lambdaW: number, normals: number, scratch: number,
  ): void;
  bfmDrawFactor(
    ratingStart: number, slots: number, R: number, colStart: number, colRows: number, colVals: number, F: number, group: number,
    V: number, k: number, f: number, q: number, qsum: number, e: number, alpha: number, muV: number, lambdaV: number, normals: number, scratch: number,
  ): void;
}

/** The loss codes of assembly/hybrid.ts. */
const HYBRID_LOSS_CODES = { logistic: 0, bpr: 1, warp: 2 } as const;

/**
 * The three builds of the kernels, fastest first: 'relaxed' (SIMD whose multiply-adds are
 * f32x4.relaxed_madd, which the runtime may fuse into one rounding: last bits differ from the
 * other builds and can differ between machines), 'simd' (f32x4) and 'scalar'. 'simd' and 'scalar'
 * round every product and sum separately, in the js engine's order, the same in every runtime.
 */
export type WasmVariant = 'relaxed' | 'simd' | 'scalar';

/** Every build, best first: the order in which createEngine('wasm') tries them. */
export const WASM_VARIANTS: readonly WasmVariant[] = ['relaxed', 'simd', 'scalar'];

const BASE64: Readonly<Record<WasmVariant, string>> = { relaxed: relaxedBase64, simd: simdBase64, scalar: scalarBase64 };
/** What a build needs of the runtime, for the error when it is forced and refused. */
const NEEDS: Readonly<Record<WasmVariant, string>> = {
  relaxed: 'it needs WebAssembly relaxed SIMD: Chromium runs it by default, Node 20 only with --experimental-wasm-relaxed-simd',
  simd: 'it needs WebAssembly SIMD',
  scalar: 'it needs WebAssembly',
};

const modules: Partial<Record<WasmVariant, WebAssembly.Module>> = {};
const support: Partial<Record<WasmVariant, boolean>> = {};
/** Why the runtime refused to compile a build it validates, once seen (see wasmRefusal). */
let refusal: string | undefined;

/** The advice every refusal carries: what a page's policy must allow for the wasm engine. */
export const CSP_ADVICE =
  "a Content-Security-Policy that blocks WebAssembly needs 'wasm-unsafe-eval' in script-src " +
  "(e.g. script-src 'self' 'wasm-unsafe-eval'); or use engine 'js'";

export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Whether this runtime runs the build: it validates it and compiles it. Both are asked: a page
 * whose Content-Security-Policy lacks 'wasm-unsafe-eval' validates every build but refuses to
 * compile any. Each build is detected once; the module compiled here is the one engines use.
 */
function supported(variant: WasmVariant): boolean {
  if (support[variant] === undefined) {
    const bytes = decodeBase64(BASE64[variant]);
    if (!WebAssembly.validate(bytes)) {
      support[variant] = false;
    } else {
      try {
        modules[variant] ??= new WebAssembly.Module(bytes);
        support[variant] = true;
      } catch (err) {
        support[variant] = false;
        refusal ??= `this runtime refuses to compile WebAssembly (${(err as Error).message})`;
      }
    }
  }
  return support[variant];
}

/**
 * Why this runtime refuses to compile the wasm builds it validates — in a browser, a
 * Content-Security-Policy without 'wasm-unsafe-eval' — or undefined where nothing was refused.
 */
export function wasmRefusal(): string | undefined {
  wasmVariants();
  return refusal;
}

/**
 * The wasm builds this runtime can run, best first: e.g. ['relaxed', 'simd', 'scalar'] in
 * Chromium, ['simd', 'scalar'] in Node 20 (['relaxed', 'simd', 'scalar'] with
 * --experimental-wasm-relaxed-simd). createEngine('wasm') uses the first.
 */
export function wasmVariants(): WasmVariant[] {
  return WASM_VARIANTS.filter(supported);
}

/** Whether this runtime validates the SIMD build (detected once). */
export function wasmSimdSupported(): boolean {
  return supported('simd');
}

/** The build to run: `requested` if given and this runtime can run it (else an error), or the best supported. */
export function resolveWasmVariant(requested?: WasmVariant): WasmVariant {
  if (requested === undefined) {
    const best = wasmVariants()[0];
    if (best === undefined) {
      throw new LatentrecError(
        refusal === undefined ? "this runtime validates none of the wasm builds (relaxed, simd, scalar); use engine 'js'" : `${refusal}: ${CSP_ADVICE}`,
      );
    }
    return best;
  }
  if (!WASM_VARIANTS.includes(requested)) {
    throw new LatentrecError(`unknown wasm variant ${JSON.stringify(requested)}; one of ${WASM_VARIANTS.join(', ')}`);
  }
  if (!supported(requested)) {
    const available = wasmVariants();
    throw new LatentrecError(
      refusal !== undefined && available.length === 0 ? `wasm variant "${requested}": ${refusal}: ${CSP_ADVICE}`
      : `wasm variant "${requested}" is not supported by this runtime (${NEEDS[requested]}); ` +
        `supported: ${available.length > 0 ? available.join(', ') : 'none (use engine \'js\')'}`,
    );
  }
  return requested;
}

function compiled(variant: WasmVariant): WebAssembly.Module {
  // The modules are ~9 KB, well under browsers' limit for synchronous compilation; resolveWasmVariant
  // compiled this one already (supported()).
  return (modules[variant] ??= new WebAssembly.Module(decodeBase64(BASE64[variant])));
}

/** An engine's memory and kernels over shared memory, with the pool of worker threads that runs them. */
export interface SharedKernels {
  memory: WebAssembly.Memory;
  kernels: Kernels;
  /** Undefined when no worker could start: the engine then runs the blocks itself, and `reason` says why. */
  pool: ThreadPool | undefined;
  reason?: string;
}

/**
 * What lets a wasm engine run blocked SGD on worker threads: the builds over shared memory and the
 * pool (wasmThreadSupport, in wasm-threads.ts). Handed to the engine rather than imported by it,
 * so that only code that can ask for threads (createEngine, the models that run blocked SGD)
 * carries the -threads builds and the pool.
 */
export interface ThreadSupport {
  /**
   * The `variant`'s threads build over a fresh shared memory with up to `threads − 1` workers for
   * rounds of at most `maxBlocks` blocks, or why this runtime or build cannot have them.
   * @internal
   */
  open(variant: WasmVariant, threads: number, maxBlocks: number, memory?: WebAssembly.Memory): SharedKernels | { reason: string };
}

/** What a wasm engine is made with besides its build. */
export interface WasmEngineOptions {
  /**
   * Threads for blocked SGD, BPR and the hybrid, ALS row solves, Gibbs rows and EASE's steps, the caller included: with more than 1 the engine's
   * memory is shared and `threads − 1` workers run the same kernels on it. Where that cannot be
   * done the engine runs on one thread and says why in `threadsNote`. Default 1.
   */
  threads?: number;
  /** What runs those threads; without it the engine has one thread and says why (createEngine always gives it). */
  threadSupport?: ThreadSupport;
  /**
   * A shared memory holding a dataset's rows (loadRatingsFile's `inPlace`): the engine runs on it,
   * allocating above the rows, and `rowsInMemory` hands the rows to kernels without a copy. Needs
   * `threadSupport` (the shared-memory builds); where it cannot be adopted — no thread support, the
   * scalar build, another engine on it — the engine has its own memory, as without it.
   * @internal
   */
  memory?: ResidentMemory;
}

class MemoryHandle<T extends Float32Array | Uint32Array | Float64Array> implements Handle<T> {
  private view: T | undefined;
  constructor(
    private readonly engine: WasmEngine,
    readonly byteOffset: number,
    readonly length: number,
    private readonly make: (buffer: ArrayBuffer, offset: number, length: number) => T,
  ) {}
  array(): T {
    const buffer = this.engine.memory.buffer;
    if (this.view === undefined || this.view.buffer !== buffer) {
      this.view = this.make(buffer, this.byteOffset, this.length);
    }
    return this.view;
  }
}

const makeF32 = (b: ArrayBuffer, o: number, n: number): Float32Array => new Float32Array(b, o, n);
const makeU32 = (b: ArrayBuffer, o: number, n: number): Uint32Array => new Uint32Array(b, o, n);
const makeF64 = (b: ArrayBuffer, o: number, n: number): Float64Array => new Float64Array(b, o, n);

function offsetOf(h: Handle<Float32Array | Uint32Array | Float64Array>): number {
  return (h as MemoryHandle<Float32Array | Uint32Array | Float64Array>).byteOffset;
}

export class WasmEngine implements Engine {
  readonly name = 'wasm' as const;
  readonly variant: WasmVariant;
  readonly memory: WebAssembly.Memory;
  readonly threads: number;
  readonly threadsNote?: string;
  private readonly k: Kernels;
  private readonly base: number;
  private readonly pool: ThreadPool | undefined;
  /** The resident memory this engine runs on, until disposed. */
  private adopted: ResidentMemory | undefined;
  private top: number;
  /** The highest `top` so far: memory above it was never handed out, so it is still zero. */
  private highWater: number;

  /** `variant` forces a build (refused with a LatentrecError when this runtime cannot run it); by default the best supported. */
  constructor(variant?: WasmVariant, options: WasmEngineOptions = {}) {
    this.variant = resolveWasmVariant(variant);
    const wanted = options.threads ?? 1;
    // Two engines on one resident memory would allocate over each other: the second copies.
    const adopt = options.memory && !options.memory.busy && options.threadSupport ? options.memory : undefined;
    const shared =
      wanted <= 1 && !adopt ? undefined
      : options.threadSupport ? options.threadSupport.open(this.variant, wanted, MAX_GRID_SIDE, adopt?.memory)
      : { reason: 'this engine was made without thread support (createEngine gives it, and the models that run blocked SGD)' };
    if (shared && 'memory' in shared) {
      this.memory = shared.memory;
      this.k = shared.kernels;
      this.pool = shared.pool;
      this.threadsNote = shared.reason === undefined || wanted <= 1 ? undefined : `running on 1 thread instead of ${wanted}: ${shared.reason}`;
      if (adopt) {
        // The build's static data lies below __heap_base, written at instantiation: it must end
        // below the rows (it is a few KiB; the rows start at 1 MiB).
        if (this.k.heapBase() > RESIDENT_ROWS_AT) throw new LatentrecError(`wasm engine: the kernels' static data (${this.k.heapBase()} bytes) reaches into the resident rows`);
        adopt.busy = true;
        this.adopted = adopt;
      }
    } else {
      // No `maximum`: a large reservation can fail up front on 32-bit or mobile browsers; growth
      // is checked against the wasm32 limit in reserve().
      this.memory = new WebAssembly.Memory({ initial: 1 });
      this.k = new WebAssembly.Instance(compiled(this.variant), { env: { memory: this.memory } }).exports as unknown as Kernels;
      if (shared && wanted > 1) this.threadsNote = `running on 1 thread instead of ${wanted}: ${shared.reason}`;
    }
    this.threads = this.pool?.threads ?? 1;
    // Static data (lookup tables of Mathf.exp, ...) lives below __heap_base: never hand it out;
    // nor an adopted memory's rows. What an earlier engine used there is not zero any more.
    this.base = Math.max(HEAP_START, Math.ceil(this.k.heapBase() / ALIGN) * ALIGN, this.adopted?.rowsEnd ?? 0);
    this.top = this.base;
    this.highWater = Math.max(this.base, this.adopted?.dirtyEnd ?? 0);
  }

  dispose(): void {
    this.pool?.close();
    if (this.adopted) {
      this.adopted.dirtyEnd = Math.max(this.adopted.dirtyEnd, this.highWater);
      this.adopted.busy = false;
      this.adopted = undefined;
    }
  }

  /**
   * The rows as kernel arguments without a copy, when all three arrays are the resident rows of
   * this engine's adopted memory; else undefined. Kernels may reorder them (blocked SGD does).
   */
  rowsInMemory(users: Uint32Array, items: Uint32Array, values: Float32Array): RatingsBlock | undefined {
    const adopted = this.adopted;
    if (adopted === undefined || residentMemoryOf({ userIndex: users, itemIndex: items, ratings: values }) !== adopted) return undefined;
    return {
      users: new MemoryHandle(this, users.byteOffset, users.length, makeU32),
      items: new MemoryHandle(this, items.byteOffset, items.length, makeU32),
      values: new MemoryHandle(this, values.byteOffset, values.length, makeF32),
      count: values.length,
    };
  }

  /** Bytes handed out so far (the engine's share of memory). */
  get bytesAllocated(): number {
    return this.top;
  }

  private reserve(bytes: number): number {
    const offset = Math.ceil(this.top / ALIGN) * ALIGN;
    const end = offset + Math.ceil(bytes / ALIGN) * ALIGN;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) {
        throw new RangeError(
          `wasm engine: ${end} bytes needed, beyond the 4 GiB of wasm32 memory; use fewer factors or less data`,
        );
      }
      try {
        this.memory.grow(pages);
      } catch {
        throw new RangeError(
          `wasm engine: could not grow memory to ${end} bytes (the runtime refused); use fewer factors or less data`,
        );
      }
    }
    this.top = end;
    // Scratch released with release() is handed out again: zero it, so padding lanes start at 0
    // as the kernel contract says. Memory never handed out is zero already (fresh pages from
    // memory.grow are), so a fit's large arrays cost no fill.
    const used = Math.min(end, this.highWater);
    if (used > offset) new Uint8Array(this.memory.buffer, offset, used - offset).fill(0);
    this.highWater = Math.max(this.highWater, end);
    return offset;
  }

  mark(): number {
    return this.top;
  }
  release(mark: number): void {
    if (mark < this.base || mark > this.top) throw new RangeError(`wasm engine: release(${mark}) outside [${this.base}, ${this.top}]`);
    this.top = mark;
  }

  allocF32(length: number): F32 {
    return new MemoryHandle(this, this.reserve(length * 4), length, makeF32);
  }
  allocU32(length: number): U32 {
    return new MemoryHandle(this, this.reserve(length * 4), length, makeU32);
  }
  allocF64(length: number): F64 {
    return new MemoryHandle(this, this.reserve(length * 8), length, makeF64);
  }

  sgdEpochBiased(r: RatingsBlock, f: FactorBlock, x: BiasedRates): number {
    return this.k.sgdEpochBiased(
      offsetOf(r.users), offsetOf(r.items), offsetOf(r.values), r.count,
      offsetOf(f.P), offsetOf(f.Q), offsetOf(f.bu), offsetOf(f.bi), f.stride,
      x.mu, x.lrBu, x.lrBi, x.lrPu, x.lrQi, x.regBu, x.regBi, x.regPu, x.regQi,
    );
  }

  sgdEpochPlain(r: RatingsBlock, f: FactorBlock, x: BiasedRates): number {
    return this.k.sgdEpochPlain(
      offsetOf(r.users), offsetOf(r.items), offsetOf(r.values), r.count,
      offsetOf(f.P), offsetOf(f.Q), f.stride, x.lrPu, x.lrQi, x.regPu, x.regQi,
    );
  }

  shuffleRatings(r: RatingsBlock, first: number, count: number, seed: number): void {
    const at = 4 * first;
    this.k.shuffleRatings(offsetOf(r.users) + at, offsetOf(r.items) + at, offsetOf(r.values) + at, count, seed);
  }

  sgdBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, f: FactorBlock, x: BiasedRates, biased: boolean): number {
    const users = offsetOf(r.users), items = offsetOf(r.items), values = offsetOf(r.values);
    const P = offsetOf(f.P), Q = offsetOf(f.Q), bu = offsetOf(f.bu), bi = offsetOf(f.bi), stride = f.stride, k = this.k;
    const run = (entry: number): number => {
      const b = plan.blocks[entry], first = grid.start[b], count = grid.start[b + 1] - first, at = 4 * first;
      k.shuffleRatings(users + at, items + at, values + at, count, plan.seeds[entry]);
      return biased
        ? k.sgdEpochBiased(users + at, items + at, values + at, count, P, Q, bu, bi, stride, x.mu, x.lrBu, x.lrBi, x.lrPu, x.lrQi, x.regBu, x.regBi, x.regPu, x.regQi)
        : k.sgdEpochPlain(users + at, items + at, values + at, count, P, Q, stride, x.lrPu, x.lrQi, x.regPu, x.regQi);
    };
    let sse = 0;
    const pool = this.pool, side = plan.side;
    if (!pool || side < 2) {
      for (let entry = 0; entry < plan.blocks.length; entry++) sse += run(entry);
      return sse;
    }
    const a = pool.args;
    a[ARG.KIND] = ROUND_SGD;
    a[ARG.BIASED] = biased ? 1 : 0;
    a[ARG.USERS] = users; a[ARG.ITEMS] = items; a[ARG.VALUES] = values;
    a[ARG.P] = P; a[ARG.Q] = Q; a[ARG.BU] = bu; a[ARG.BI] = bi; a[ARG.STRIDE] = stride; a[ARG.MU] = x.mu;
    a[ARG.LR_BU] = x.lrBu; a[ARG.LR_BI] = x.lrBi; a[ARG.LR_PU] = x.lrPu; a[ARG.LR_QI] = x.lrQi;
    a[ARG.REG_BU] = x.regBu; a[ARG.REG_BI] = x.regBi; a[ARG.REG_PU] = x.regPu; a[ARG.REG_QI] = x.regQi;
    for (let round = 0; round < side; round++) {
      for (let j = 0; j < side; j++) {
        const entry = round * side + j, b = plan.blocks[entry];
        pool.table[TABLE_STRIDE * j] = grid.start[b];
        pool.table[TABLE_STRIDE * j + 1] = grid.start[b + 1] - grid.start[b];
        pool.table[TABLE_STRIDE * j + 2] = plan.seeds[entry];
      }
      pool.runRound(side, (j) => run(round * side + j));
      for (let j = 0; j < side; j++) sse += pool.sums[j];
    }
    return sse;
  }

  bprBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, negatives: U32, sampler: BprSampler, f: FactorBlock, lr: number, reg: number, regBias: number): number {
    const list = [
      offsetOf(r.users), offsetOf(r.items), offsetOf(r.values), offsetOf(negatives), 0, 0, 0,
      offsetOf(sampler.binItems), offsetOf(sampler.binStart), offsetOf(sampler.itemBin), offsetOf(sampler.seenStart), offsetOf(sampler.seenItems), sampler.verify ? 1 : 0,
      offsetOf(f.P), offsetOf(f.Q), offsetOf(f.bi), f.stride, lr, reg, regBias,
    ];
    return this.blockRounds('bprBlock', list, { first: 4, end: 5, extra: 6, scratch: [], stride: f.stride }, grid, plan, 'blocked BPR');
  }

  /**
   * A blocked epoch of kernel calls: round by round of the plan, each block's ratings a range
   * (its seed the extra argument) on the threads. Returns the sum of the calls' results.
   */
  private blockRounds(kernel: CallKernel, list: number[], at: CallLayout, grid: BlockGrid, plan: BlockSchedule, what: string): number {
    const side = plan.side;
    let sum = 0;
    for (let round = 0; round < side; round++) {
      const ranges: Range[] = [];
      for (let j = 0; j < side; j++) {
        const entry = round * side + j, b = plan.blocks[entry], first = grid.start[b], end = grid.start[b + 1];
        ranges.push([first, end, end - first, plan.seeds[entry]]);
      }
      for (const part of this.callRanges(kernel, list, at, ranges, what)) sum += part;
    }
    return sum;
  }

  sgdEpochSvdpp(g: UserGroups, f: FactorBlock, Y: F32, z: F32, acc: F32, x: SvdppRates): number {
    const list = [
      offsetOf(g.order), 0, 0, offsetOf(g.start), offsetOf(g.items), offsetOf(g.values),
      offsetOf(f.P), offsetOf(f.Q), offsetOf(Y), offsetOf(f.bu), offsetOf(f.bi), f.stride, offsetOf(z), offsetOf(acc),
      x.mu, x.lrBu, x.lrBi, x.lrPu, x.lrQi, x.lrYj, x.regBu, x.regBi, x.regPu, x.regQi, x.regYj,
    ];
    const part = 4 * threadPart(f.stride, 4);
    const ranges = orderRanges(g.order.array().subarray(0, g.count), g.start.array(), SVDPP_USERS_PER_CALL);
    let sse = 0;
    for (const range of this.callRanges('sgdEpochSvdpp', list, { first: 1, end: 2, scratch: [[12, part], [13, part]], stride: f.stride }, ranges, 'SVD++ users')) sse += range;
    return sse;
  }

  sgdEpochBpr(users: U32, positives: U32, negatives: U32, count: number, f: FactorBlock, lr: number, reg: number, regBias: number): number {
    // BPR_TRIPLES_PER_CALL triples a call, one after another (the same pass): a pass in one call
    // would run to its end in V8's baseline compiler, the first epoch about twice as slow.
    let correct = 0;
    for (let first = 0; first < count; first += BPR_TRIPLES_PER_CALL) {
      const at = 4 * first;
      correct += this.k.sgdEpochBpr(
        offsetOf(users) + at, offsetOf(positives) + at, offsetOf(negatives) + at, Math.min(BPR_TRIPLES_PER_CALL, count - first),
        offsetOf(f.P), offsetOf(f.Q), offsetOf(f.bi), f.stride, lr, reg, regBias,
      );
    }
    return correct;
  }


  alsSolveRows(a: SparseRows, X: F32, Y: F32, gram: F32, stride: number, k: number, alpha: number, lambda: number, steps: number, r: F32, p: F32, ap: F32): number {
    // A range of rows a call: one call over every row would run to its end in V8's baseline
    // compiler (the first epoch about 3x slower); later calls run the optimized code. The ranges
    // are spread over the threads, each with its own part of the scratch rows.
    const list = [
      offsetOf(a.start), offsetOf(a.cols), offsetOf(a.vals), 0, 0, offsetOf(X), offsetOf(Y), offsetOf(gram), stride, k,
      alpha, lambda, steps, offsetOf(r), offsetOf(p), offsetOf(ap),
    ];
    const bytes = 4 * Math.floor(r.length / this.threads), ranges = workRanges(a.start.array(), 0, a.rowCount, k / 2, CG_ROWS_PER_CALL);
    const residuals = this.callRanges('alsSolveRows', list, { first: 3, end: 4, scratch: [[13, bytes], [14, bytes], [15, bytes]], stride }, ranges, 'ALS row solves');
    let residual = 0;
    for (const part of residuals) residual += part;
    return residual;
  }

  hybridBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, p: HybridBlockPass, user: FeatureSide, item: FeatureSide, stride: number): number {
    const list = [
      HYBRID_LOSS_CODES[p.loss], offsetOf(r.users), offsetOf(r.items), offsetOf(r.values), 0, 0, 0,
      p.slots, offsetOf(p.warpWeights), offsetOf(p.seenStart), offsetOf(p.seenItems), offsetOf(p.binItems), offsetOf(p.binStart), offsetOf(p.itemBin),
      ...featureSideArgs(user), ...featureSideArgs(item), stride, p.lr, p.userReg, p.itemReg, p.adagrad ? 1 : 0, offsetOf(p.scratch), offsetOf(p.draws),
    ];
    const scratch: [number, number][] = [[33, 4 * threadPart(4 * stride, 4)], [34, 4 * threadPart(p.slots, 4)]];
    return this.blockRounds('hybridBlock', list, { first: 4, end: 5, extra: 6, scratch, stride }, grid, plan, 'blocked hybrid');
  }

  hybridEpoch(p: HybridPass, user: FeatureSide, item: FeatureSide, stride: number): number {
    return this.k.hybridEpoch(
      HYBRID_LOSS_CODES[p.loss], offsetOf(p.users), offsetOf(p.positives), p.first, p.count,
      offsetOf(p.candidates), p.slots, offsetOf(p.warpWeights), offsetOf(p.seenStart), offsetOf(p.seenItems),
      ...featureSideArgs(user), ...featureSideArgs(item), stride, p.lr, p.userReg, p.itemReg, p.adagrad ? 1 : 0, offsetOf(p.scratch),
    );
  }

  gramian(Y: F32, rows: number, stride: number, k: number, gram: F32): void {
    // Ranges of gram rows, GRAM_ROWS_PER_CALL each, on the threads.
    const ranges: Range[] = [];
    for (let first = 0; first < k; first += GRAM_ROWS_PER_CALL) ranges.push([first, Math.min(k, first + GRAM_ROWS_PER_CALL), rows]);
    this.callRanges('gramian', [offsetOf(Y), rows, stride, k, offsetOf(gram), 0, 0], { first: 5, end: 6, scratch: [], stride }, ranges, 'Gram matrices');
  }

  bfmSampleRows(side: BfmSide, Vo: F32, stride: number, k: number, e: F32, alpha: number, prior: BfmPrior, normals: F32, h: F32, eb: F32): void {
    const threads = this.threads;
    // h and eb hold one part per thread; the calling thread takes the last.
    const hBytes = 4 * Math.floor(h.length / threads), ebBytes = 4 * Math.floor(eb.length / threads);
    const list = [
      offsetOf(side.start), offsetOf(side.cols), offsetOf(side.slots), 0, side.rowCount, offsetOf(side.W), offsetOf(side.V), offsetOf(Vo), stride, k,
      offsetOf(e), alpha, prior.muW, prior.lambdaW, offsetOf(prior.muV), offsetOf(prior.lambdaV), offsetOf(normals), offsetOf(h), offsetOf(eb),
    ];
    // Ranges of about equal ratings, so the threads of a Gibbs pass finish together.
    const ranges = this.pool ? workRanges(side.start.array(), 0, side.rowCount, 0, side.rowCount) : [[0, side.rowCount, 0] as Range];
    this.callRanges('bfmSampleRows', list, { first: 3, end: 4, scratch: [[17, hBytes], [18, ebBytes]], stride }, ranges, 'Gibbs rows');
  }

  /**
   * Runs `kernel` once per range, the ranges spread over the engine's threads (each range's rows
   * written by its call alone): `list` is its arguments, the range's first and end go to
   * positions `at.first` and `at.end`, and each scratch argument [position, bytes] is offset by
   * the thread's part (a worker w takes part w, the calling thread the last). Returns each call's
   * result, in range order, so sums over them do not depend on the thread count.
   */
  private callRanges(kernel: CallKernel, list: number[], at: CallLayout, ranges: readonly Range[], what: string): Float64Array {
    const results = new Float64Array(ranges.length);
    const fn = this.k[kernel] as (...args: number[]) => number | void;
    const part = this.threads - 1;
    const here = ([first, end, , extra]: Range): number => {
      const args = list.slice();
      args[at.first] = first;
      args[at.end] = end;
      if (at.extra !== undefined) args[at.extra] = extra ?? 0;
      for (const [position, bytes] of at.scratch) args[position] += part * bytes;
      return fn(...args) ?? 0;
    };
    const pool = this.pool;
    if (!pool || ranges.length < 2) {
      ranges.forEach((range, j) => (results[j] = here(range)));
      return results;
    }
    if (list.length > MAX_CALL_ARGS || at.scratch.length > MAX_SCRATCH) throw new RangeError(`callRanges: ${kernel} has more arguments than a round carries`);
    const a = pool.args;
    a[ARG.KIND] = ROUND_CALL;
    a[ARG.FN] = CALL_KERNELS.indexOf(kernel);
    a[ARG.ARGC] = list.length;
    a[ARG.FIRST_AT] = at.first;
    a[ARG.END_AT] = at.end;
    a[ARG.STRIDE] = at.stride;
    a[ARG.SCRATCH_COUNT] = at.scratch.length;
    at.scratch.forEach(([position, bytes], x) => {
      a[ARG.SCRATCH + 2 * x] = position;
      a[ARG.SCRATCH + 2 * x + 1] = bytes;
    });
    list.forEach((value, x) => (a[ARG.LIST + x] = value));
    a[ARG.EXTRA_AT] = at.extra ?? -1;
    const capacity = pool.table.length / TABLE_STRIDE;
    for (let done = 0; done < ranges.length; done += capacity) {
      const count = Math.min(capacity, ranges.length - done);
      for (let j = 0; j < count; j++) {
        const [first, end, work, extra] = ranges[done + j];
        pool.table[TABLE_STRIDE * j] = first;
        pool.table[TABLE_STRIDE * j + 1] = work; // what the stall bound scales with
        pool.table[TABLE_STRIDE * j + 2] = end;
        pool.table[TABLE_STRIDE * j + 3] = extra ?? 0;
      }
      pool.runRound(count, (j) => here(ranges[done + j]), what);
      for (let j = 0; j < count; j++) results[done + j] = pool.sums[j];
    }
    return results;
  }

  alsExactRows(s: ExactRowSolve, X: F32, Y: F32, gram: F32, stride: number, k: number, lambdas: F64, A: F64, h: F64, b: F64): number {
    const threads = this.threads;
    const list = [
      offsetOf(s.rows.start), offsetOf(s.rows.cols), offsetOf(s.rows.vals), 0, 0, offsetOf(X), offsetOf(Y), offsetOf(gram), stride, k,
      s.a, s.w0, s.alpha, offsetOf(lambdas), offsetOf(A), offsetOf(h), offsetOf(b),
    ];
    const ranges = workRanges(s.rows.start.array(), s.first, s.end, k / 3, EXACT_ROWS_PER_CALL);
    const parts = (x: F64) => 8 * Math.floor(x.length / threads);
    const failed = this.callRanges('alsExactRows', list, { first: 3, end: 4, scratch: [[14, parts(A)], [15, parts(h)], [16, parts(b)]], stride }, ranges, 'ALS row solves');
    return failed.find((row) => row !== 0) ?? 0;
  }
  // EASE's steps: ranges of rows on the threads. A range's work (for the stall bound) is its
  // multiply-adds, at the fallback's rate for a stride of one lane until the caller has timed some.
  easeGram(start: U32, cols: U32, users: number, A: F64, m: number, ranges: readonly RowRange[]): void {
    this.callRanges('easeGram', [offsetOf(start), offsetOf(cols), users, offsetOf(A), m, 0, 0], { first: 5, end: 6, scratch: [], stride: 1 }, ranges, 'the Gram matrix');
  }
  choleskyLower(A: F64, m: number, from: number, to: number, ranges: readonly RowRange[]): number {
    const failed = this.callRanges('choleskyLower', [offsetOf(A), 0, 0, m, from, to], { first: 1, end: 2, scratch: [], stride: 1 }, ranges, 'Cholesky rows');
    return failed.find((row) => row !== 0) ?? 0;
  }
  invertLower(A: F64, m: number, from: number, to: number, ranges: readonly RowRange[], tmp: F64): void {
    const list = [offsetOf(A), 0, 0, m, offsetOf(tmp), from, to];
    this.callRanges('invertLower', list, { first: 1, end: 2, scratch: [[4, 8 * Math.floor(tmp.length / this.threads)]], stride: 1 }, ranges, 'triangular inverse rows');
  }
  invertLowerRows(A: F64, m: number, to: number, ranges: readonly RowRange[], tmp: F64): void {
    const list = [offsetOf(A), 0, 0, m, offsetOf(tmp), to];
    this.callRanges('invertLowerRows', list, { first: 1, end: 2, scratch: [[4, 8 * Math.floor(tmp.length / this.threads)]], stride: 1 }, ranges, 'triangular inverse rows');
  }
  lowerGramRows(A: F64, m: number, W: F64, a: number, b: number, ranges: readonly RowRange[]): void {
    this.callRanges('lowerGramRows', [offsetOf(A), 0, 0, m, offsetOf(W), a, b], { first: 1, end: 2, scratch: [], stride: 1 }, ranges, 'inverse Gram rows');
  }
  lowerGramPanel(A: F64, a: number, b: number, m: number, W: F64): void {
    this.k.lowerGramPanel(offsetOf(A), a, b, m, offsetOf(W));
  }
  easeWeights(A: F64, n: number, m: number, B: F32, s: number, ranges: readonly RowRange[]): void {
    this.callRanges('easeWeights', [offsetOf(A), n, m, offsetOf(B), s, 0, 0], { first: 5, end: 6, scratch: [], stride: 1 }, ranges, 'EASE weights');
  }
  sumRows(B: F32, s: number, rows: U32, count: number, out: F32): void {
    this.k.sumRows(offsetOf(B), s, offsetOf(rows), count, offsetOf(out));
  }
  bfmRowSums(b: BfmBlock, k: number): void {
    this.k.bfmRowSums(offsetOf(b.rowStart), offsetOf(b.rowCols), offsetOf(b.rowVals), b.rowCount, offsetOf(b.W), offsetOf(b.V), k, offsetOf(b.lin), offsetOf(b.q), offsetOf(b.self));
  }

  bfmPredict(blocks: readonly BfmBlock[], k: number, n: number, w0: number, out: F64): void {
    this.withBlockTable(blocks, (table) => this.k.bfmPredict(table, blocks.length, k, n, w0, offsetOf(out)));
  }

  bfmGatherQ(blocks: readonly BfmBlock[], f: number, n: number, qsum: F64): void {
    this.withBlockTable(blocks, (table) => this.k.bfmGatherQ(table, blocks.length, f, n, offsetOf(qsum)));
  }

  bfmDrawLinear(b: BfmBlock, e: F64, alpha: number, prior: BfmGroupPrior, normals: F64, scratch: F64): void {
    this.k.bfmDrawLinear(
      offsetOf(b.ratingStart), offsetOf(b.slots), b.rowCount, offsetOf(b.colStart), offsetOf(b.colRows), offsetOf(b.colVals), b.featureCount, offsetOf(b.group),
      offsetOf(b.W), offsetOf(e), alpha, offsetOf(prior.muW), offsetOf(prior.lambdaW), offsetOf(normals), offsetOf(scratch),
    );
  }

  bfmDrawFactor(b: BfmBlock, k: number, f: number, qsum: F64, e: F64, alpha: number, prior: BfmGroupPrior, normals: F64, scratch: F64): void {
    this.k.bfmDrawFactor(
      offsetOf(b.ratingStart), offsetOf(b.slots), b.rowCount, offsetOf(b.colStart), offsetOf(b.colRows), offsetOf(b.colVals), b.featureCount, offsetOf(b.group),
      offsetOf(b.V), k, f, offsetOf(b.q), offsetOf(qsum), offsetOf(e), alpha, offsetOf(prior.muV), offsetOf(prior.lambdaV), offsetOf(normals), offsetOf(scratch),
    );
  }

  /** The blocks' table for the kernels that read every block (assembly/bfm-blocks.ts): rowOf, q, lin, self, rows. */
  private withBlockTable(blocks: readonly BfmBlock[], run: (table: number) => void): void {
    const mark = this.mark();
    try {
      const table = this.allocU32(blocks.length * 5);
      const t = table.array();
      blocks.forEach((b, i) => t.set([offsetOf(b.rowOf), offsetOf(b.q), offsetOf(b.lin), offsetOf(b.self), b.rowCount], i * 5));
      run(offsetOf(table));
    } finally {
      this.release(mark);
    }
  }

  implicitUserFactors(userCount: number, start: U32, items: U32, P: F32, Y: F32, stride: number, out: F32): void {
    this.k.implicitUserFactors(userCount, offsetOf(start), offsetOf(items), offsetOf(P), offsetOf(Y), stride, offsetOf(out));
  }

  sparseTimesDense(a: SparseRows, X: F32, Y: F32, stride: number): void {
    this.k.sparseTimesDense(offsetOf(a.start), offsetOf(a.cols), offsetOf(a.vals), a.rowCount, offsetOf(X), offsetOf(Y), stride);
  }

  sparseTransposeTimesDense(a: SparseRows, Y: F32, Z: F32, stride: number): void {
    Z.array().fill(0);
    this.k.sparseTransposeTimesDense(offsetOf(a.start), offsetOf(a.cols), offsetOf(a.vals), a.rowCount, offsetOf(Y), offsetOf(Z), stride);
  }

  predictPairs(users: U32, items: U32, count: number, f: FactorBlock, mu: number, lo: number, hi: number, out: F32): void {
    this.k.predictPairs(
      offsetOf(users), offsetOf(items), count,
      offsetOf(f.P), offsetOf(f.Q), offsetOf(f.bu), offsetOf(f.bi), f.stride, mu, lo, hi, offsetOf(out),
    );
  }

  dotRows(M: F32, row: number, rowCount: number, stride: number, out: F32): void {
    this.k.dotRows(offsetOf(M) + row * stride * 4, offsetOf(M), rowCount, stride, offsetOf(out));
  }

  scoreItems(user: number, f: FactorBlock, itemCount: number, base: number, out: F32): void {
    this.k.scoreItems(offsetOf(f.P) + user * f.stride * 4, offsetOf(f.Q), offsetOf(f.bi), itemCount, f.stride, base, offsetOf(out));
  }

  rowCounts(row: F32, n: number, thresholds: F32, m: number, below: U32, equal: U32): number {
    return this.k.rowCounts(offsetOf(row), n, offsetOf(thresholds), m, offsetOf(below), offsetOf(equal));
  }

  rowTop(row: F32, n: number, mask: U32, k: number, heap: U32): number {
    return this.k.rowTop(offsetOf(row), n, offsetOf(mask), k, offsetOf(heap));
  }

  scoreUsers(users: U32, count: number, f: FactorBlock, bases: F32, itemCount: number, out: F32): void {
    const list = [offsetOf(users), 0, 0, offsetOf(f.P), offsetOf(f.Q), offsetOf(f.bi), offsetOf(bases), itemCount, f.stride, offsetOf(out)];
    const ranges: Range[] = [];
    for (let first = 0; first < count; first += SCORE_USERS_PER_CALL) {
      const end = Math.min(count, first + SCORE_USERS_PER_CALL);
      ranges.push([first, end, (end - first) * itemCount]);
    }
    this.callRanges('scoreUserRows', list, { first: 1, end: 2, scratch: [], stride: f.stride }, ranges, 'scores');
  }
}

type Range = RowRange;

/** A hybrid feature side as kernel arguments: features (start, cols, vals), E, b, and their accumulators. */
function featureSideArgs(x: FeatureSide): [number, number, number, number, number, number, number] {
  return [
    offsetOf(x.features.start), offsetOf(x.features.cols), offsetOf(x.features.vals),
    offsetOf(x.E), offsetOf(x.b), offsetOf(x.gE), offsetOf(x.gb),
  ];
}

/** Triples of one sgdEpochBpr call (see WasmEngine.sgdEpochBpr). */
const BPR_TRIPLES_PER_CALL = 65_536;

/** Users of one scoreUserRows call: each block of items is read from memory once per 16 users. */
const SCORE_USERS_PER_CALL = 16;

/** Gram rows per gramian call: 64 factors make four calls, enough for two to four threads. */
const GRAM_ROWS_PER_CALL = 16;

/** Where a kernel call takes its row range and per-thread scratch (see WasmEngine.callRanges). */
interface CallLayout {
  first: number;
  end: number;
  /** Where a range's fourth word goes (a block's seed), if the kernel takes one. */
  extra?: number;
  scratch: [position: number, bytes: number][];
  stride: number;
}
