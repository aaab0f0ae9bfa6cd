// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): the closed-form
// item–item model B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, for binary X (a user's repeated
// interactions with an item count once; their values are not used). A user's score for item i is
// Σ_j B[j][i] over the user's items j, so a new user needs no fold-in: their items are the model
// of them. The inverse is computed in f64 in wasm (assembly/ease.ts: Gram, Cholesky, L⁻¹, LᵀL).
//
// Memory: one items x items f64 buffer for the inverse and the f32 weights, 12 bytes per item
// pair (1,682 items: 34 MB; 17,000: 3.5 GB); time grows as items³ (README, "Implicit feedback").
//
// Threads: each O(n³) step goes in panels of PANEL rows. A panel's rows against the rows above it
// — almost all the work — are ranges of rows on the engine's threads; the panel against itself
// runs on one. Every element is computed in the unblocked loop's order (assembly/ease.ts), so the
// model is the same bits for any thread count and equals the js engine's.
import { groupValues } from '../../data/group.js';
import type { Dataset } from '../../data/dataset.js';
import { hardwareThreads, strideFor, threadPart, wasmThreadSupport, type EngineChoice, type RowRange, type WasmVariant } from '../../engine/index.js';
import { MAX_POOL_THREADS } from '../../engine/thread-pool.js';
import type { Threading } from '../core/fit-loop.js';
import { WASM_MEMORY_LIMIT } from '../../engine/wasm-engine.js';
import { DataError, LatentrecError } from '../../errors.js';
import { optionsObject } from '../core/arguments.js';
import type { FitSession, ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { fitMemoryBytes } from '../core/memory-limit.js';
import { checkOptionKeys, positive, resolveCommon, threadsOption } from '../core/options.js';
import { historyRows, type ItemItem } from '../core/item-item.js';
import type { CommonFitOptions } from '../core/types.js';
import { RankingBase } from './ranking-base.js';

/** Options of {@link EASE}: no factors, epochs or seed; the model is computed in closed form. */
export interface EaseOptions {
  /**
   * L2 regularization λ added to the Gram matrix's diagonal (default 200; Steck's ML-20M choice
   * is 500). A finite number > 0.
   * @defaultValue 200
   */
  reg?: number;
  /**
   * The engine: 'auto' (wasm where it compiles, else js), 'wasm' or 'js' (see {@link CommonOptions.engine}).
   * @defaultValue 'auto'
   */
  engine?: EngineChoice;
  /** Force the wasm build the model serves on (default the best this runtime runs). */
  wasmVariant?: WasmVariant;
  /**
   * Threads for the Gram matrix and the inverse (the caller's included; wasm engine only): an
   * integer 1..256, or 'auto' (default) — every core from EASE_AUTO_THREADS_MIN_ITEMS items. The
   * model is the same bits for any count.
   * @defaultValue 'auto'
   */
  threads?: number | 'auto';
}

/** With threads 'auto', catalogues this large get every core (a fit of 500 items takes about 50 ms, a worker about 40 ms to start). */
export const EASE_AUTO_THREADS_MIN_ITEMS = 500;

const EASE_THREADING: Threading = {
  support: wasmThreadSupport,
  threadsFor(shape, train) {
    if (shape.engine === 'js' || shape.threads === undefined || shape.threads === 1) return 1;
    if (shape.threads !== 'auto') return shape.threads;
    return train.itemCount >= EASE_AUTO_THREADS_MIN_ITEMS ? Math.min(hardwareThreads(), MAX_POOL_THREADS) : 1;
  },
};

/** The defaults of {@link EASE}'s options. */
export const EASE_DEFAULTS = {
  /** L2 regularization λ. */
  reg: 200,
  /** Threads of the fit. */
  threads: 'auto',
} as const;

/** Every key EaseOptions has. */
export const EASE_OPTION_KEYS = ['reg', 'engine', 'wasmVariant', 'threads'] as const satisfies readonly (keyof EaseOptions)[];

/**
 * Engine bytes a fit of `items` items needs on `threads` threads: the f64 inverse (rows padded
 * to 2), the f32 weights (rows padded to 4), a panel's copy and four scratch rows per thread.
 */
export function easeMemoryBytes(items: number, threads: number): number {
  const m = items + (items & 1), s = strideFor(items);
  return 8 * items * m + 4 * items * s + 8 * PANEL * m + 8 * threads * threadPart(Math.max(4 * m, PANEL_RANGE_ROWS * TILE), 8);
}

/** The largest catalogue whose EASE fit fits in `limit` bytes beside `fixed` bytes of other data. */
function largestItems(limit: number, fixed: number, threads: number): number {
  let lo = 0, hi = 1 << 20;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (easeMemoryBytes(mid, threads) + fixed <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): the closed-form
 * item–item model B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, for binary X (values are not used;
 * a repeated interaction counts once). A user's score for item i sums B[j][i] over the user's
 * items j, so a new user needs no solve: their items are the model of them. Memory is 12 bytes
 * per item pair and time grows as items³: for catalogues up to some tens of thousands of items
 * (on wasm, a fit beyond wasm32's 4 GiB is refused with a DataError naming the largest catalogue that fits). similarItems
 * gives partial correlations; similarUsers refuses (there are no user vectors), and so does
 * userScorer (it returns undefined).
 *
 * @example
 * ```ts
 * import { Dataset, EASE } from 'latentrec';
 *
 * const clicks = Dataset.fromTriples([
 *   ['u1', 'a', 1], ['u1', 'b', 1], ['u2', 'a', 1], ['u2', 'c', 1],
 *   ['u3', 'b', 1], ['u3', 'c', 1], ['u3', 'd', 1], ['u4', 'd', 1],
 * ]);
 * const model = new EASE({ reg: 1 });
 * model.fit(clicks);
 * console.log(model.recommend('u1', { n: 2 }));
 * console.log(model.similarItems('a', { n: 2 })); // partial correlations in [-1, 1]
 * ```
 */
export class EASE extends RankingBase {
  protected readonly stateKind = 'ease' as const;
  protected override readonly partialFitRefusal = 'EASE is solved in closed form from the Gram matrix of all the interactions, which the model does not keep; fit it again on all the data';
  protected readonly shape: ModelShape;
  /** The resolved options (every default filled in), as saved with the model. */
  readonly options: {
    /** L2 regularization λ. */
    reg: number;
    /** The engine asked for. */
    engine: EngineChoice;
    /** The wasm build asked for, or undefined for the best this runtime supports. */
    wasmVariant: WasmVariant | undefined;
    /** Threads asked for ('auto', or a count). */
    threads: number | 'auto';
  };

  /**
   * An unfitted EASE.
   * @param given - The EASE options; unset ones take {@link EASE_DEFAULTS}.
   * @throws {@link OptionError} when an option is out of its range or of the wrong type, or is
   * not an option of EASE ({@link UnknownOptionError}, naming the option it probably meant).
   */
  constructor(given: EaseOptions = {}) {
    super();
    const options = optionsObject('EASE options', given);
    checkOptionKeys('EASE', options, EASE_OPTION_KEYS);
    const common = resolveCommon(options, { factors: 0, epochs: 0, rng: 'mt19937' });
    const threads = threadsOption(options.threads ?? EASE_DEFAULTS.threads);
    this.options = { reg: positive('reg', options.reg ?? EASE_DEFAULTS.reg), engine: common.engine, wasmVariant: common.wasmVariant, threads };
    this.shape = { factors: 0, biased: false, epochs: 0, engine: common.engine, wasmVariant: common.wasmVariant, seed: 0, rng: common.rng, threads, threading: EASE_THREADING };
  }

  /** The inverse's buffer and the weights, beyond the ratings the fit loop counts. */
  protected override extraMemoryBytes(train: Dataset): number {
    return easeMemoryBytes(train.itemCount, this.threadsAtMost()) + 4 * (train.size + train.userCount + 1);
  }

  /** Refused before anything is allocated when the items x items matrices cannot fit in wasm32 memory. */
  protected override beginFit<O extends CommonFitOptions>(train: Dataset, options: O): FitSession<O> {
    if (this.shape.engine !== 'js') {
      // The fit loop's estimate (ratings, empty factor rows, this model's extra); all but the items² part is fixed.
      const need = fitMemoryBytes(train, strideFor(0), this.extraMemoryBytes(train));
      const fixed = need - easeMemoryBytes(train.itemCount, this.threadsAtMost());
      if (need > WASM_MEMORY_LIMIT) {
        const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
        throw new DataError(
          `EASE: ${train.itemCount.toLocaleString('en-US')} items need about ${gb(need)} of WebAssembly memory ` +
            `(an items x items matrix, 12 bytes per item pair), beyond wasm32's 4 GiB: the largest catalogue that fits is ` +
            `${largestItems(WASM_MEMORY_LIMIT, fixed, this.threadsAtMost()).toLocaleString('en-US')} items; keep the most popular items, or use engine 'js'`,
        );
      }
    }
    return { train, options };
  }

  protected initialize(): void {}

  /** The most threads a fit can run on (the memory estimate's scratch rows). */
  private threadsAtMost(): number {
    return this.options.threads === 'auto' ? Math.min(hardwareThreads(), MAX_POOL_THREADS) : this.options.threads;
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const { engine, train } = setup;
    const n = train.itemCount, m = n + (n & 1), s = strideFor(n);
    // The weights first: they outlive the scratch released below.
    const weights = engine.allocF32(n * s);
    const mark = engine.mark();
    try {
      const { start, cols } = distinctItems(train);
      const startH = engine.allocU32(start.length), colsH = engine.allocU32(Math.max(1, cols.length));
      startH.array().set(start);
      colsH.array().set(cols);
      const A = engine.allocF64(n * m), tmp = engine.allocF64(engine.threads * threadPart(Math.max(4 * m, PANEL_RANGE_ROWS * TILE), 8)), W = engine.allocF64(PANEL * m);
      A.array().fill(0);
      engine.easeGram(startH, colsH, train.userCount, A, m, gramRanges(start, cols, n));
      const a = A.array();
      for (let i = 0; i < n; i++) a[i * m + i] += this.options.reg;
      // L, then L⁻¹, then P = L⁻ᵀL⁻¹, panel by panel: each panel's rows against the rows above it
      // on the threads (the rows above are done), then the panel against itself.
      for (const [first, end] of panels(n)) {
        if (first > 0) engine.choleskyLower(A, m, 0, first, panelRanges(first, end, first * first));
        const failed = engine.choleskyLower(A, m, first, n, [[first, end, (end - first) * first * (end - first)]]);
        if (failed !== 0) {
          throw new LatentrecError(`EASE: XᵀX + λI is not positive definite in floating point at item ${failed - 1} (reg ${this.options.reg}); raise reg`);
        }
      }
      for (const [first, end] of panels(n)) {
        if (first > 0) engine.invertLowerRows(A, m, first, panelRanges(first, end, first * first), tmp);
        engine.invertLower(A, m, first, n, [[first, end, (end - first) * first * (end - first)]], tmp);
      }
      const w = W.array();
      for (const [first, end] of panels(n)) {
        // The panel's rows of X, before the panel's steps overwrite them.
        for (let k = first; k < end; k++) w.set(a.subarray(k * m, k * m + k + 1), (k - first) * m);
        if (first > 0) engine.lowerGramRows(A, m, W, first, end, triangleRanges(first, end - first));
        engine.lowerGramPanel(A, first, end, m, W);
      }
      weights.array().fill(0);
      engine.easeWeights(A, n, m, weights, s, triangleRanges(n, 0));
    } finally {
      engine.release(mark);
    }
    const itemItem: ItemItem = { weights, stride: s };
    return {
      epoch: () => ({ value: 0, kind: 'misranked' }),
      predictionFactors: () => setup.factors,
      finish: () => ({ mu: 0, itemItem }),
      bounded: () => true,
    };
  }
}

/** Rows per panel of the O(n³) steps: the panel against itself (about 3·PANEL/n of a step) runs on one thread. */
const PANEL = 64;

/** The panels of an n x n step: PANEL rows each (the last may be shorter). */
function panels(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let first = 0; first < n; first += PANEL) out.push([first, Math.min(n, first + PANEL)]);
  return out;
}

/** Rows per range of a panel: whole four-row groups, each column tile of the rows above loaded once for 16 rows. */
const PANEL_RANGE_ROWS = 16;
/** Columns per tile in assembly/ease.ts (invertLowerRows' scratch: TILE doubles per row of a range). */
const TILE = 256;

/** A panel's rows first .. end in ranges of PANEL_RANGE_ROWS, each `work` multiply-adds a row. */
function panelRanges(first: number, end: number, work: number): RowRange[] {
  const out: RowRange[] = [];
  for (let r = first; r < end; r += PANEL_RANGE_ROWS) {
    const last = Math.min(end, r + PANEL_RANGE_ROWS);
    out.push([r, last, work * (last - r)]);
  }
  return out;
}

/**
 * Rows 0 .. rows in about 32 ranges of equal work when row i costs (i + 1)·perRow + rows (a
 * triangle's row: lowerGramRows with perRow the panel's steps; easeWeights with perRow 0): short
 * calls that balance the threads.
 */
function triangleRanges(rows: number, perRow: number): RowRange[] {
  const cost = (i: number) => (i + 1) * perRow + rows;
  let total = 0;
  for (let i = 0; i < rows; i++) total += cost(i);
  return cutRanges(rows, cost, total / 32);
}

/** The Gram matrix's rows (items) in about 64 ranges of equal pairs: row i gets one pair per item a user has at or below i. */
function gramRanges(start: Uint32Array, cols: Uint32Array, n: number): RowRange[] {
  const pairs = new Float64Array(n);
  for (let u = 0; u + 1 < start.length; u++) for (let a = start[u]; a < start[u + 1]; a++) pairs[cols[a]] += a - start[u] + 1;
  let total = 0;
  for (let i = 0; i < n; i++) total += pairs[i] + 1;
  return cutRanges(n, (i) => pairs[i] + 1, total / 64);
}

/** Consecutive rows 0 .. rows cut where the running cost reaches `target`. */
function cutRanges(rows: number, cost: (i: number) => number, target: number): RowRange[] {
  const out: RowRange[] = [];
  let first = 0, work = 0;
  for (let i = 0; i < rows; i++) {
    work += cost(i);
    if (work >= target || i === rows - 1) {
      out.push([first, i + 1, work]);
      first = i + 1;
      work = 0;
    }
  }
  return out;
}

/** Each user's distinct items, ascending (CSR): the rows of binary X, as serving adds them (historyRows). */
function distinctItems(train: Dataset): { start: Uint32Array; cols: Uint32Array } {
  const { start: s, values } = groupValues(train.userIndex, train.userCount, train.itemIndex);
  const start = new Uint32Array(train.userCount + 1), out = new Uint32Array(values.length);
  for (let u = 0; u < train.userCount; u++) {
    const items = historyRows(values.subarray(s[u], s[u + 1]));
    out.set(items, start[u]);
    start[u + 1] = start[u] + items.length;
  }
  return { start, cols: out.subarray(0, start[train.userCount]) };
}
