// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): the closed-form
// item–item model B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, for binary X (a user's repeated
// interactions with an item count once; their values are not used). A user's score for item i is
// Σ_j B[j][i] over the user's items j, so a new user needs no fold-in: their items are the model
// of them. The inverse is computed in f64 in wasm (assembly/ease.ts: Gram, Cholesky, L⁻¹, LᵀL).
//
// Memory: one items x items f64 buffer for the inverse and the f32 weights, 12 bytes per item
// pair (1,682 items: 34 MB; 17,000: 3.5 GB); time grows as items³ (1,447 items: about 1.2 s here; README, "Implicit feedback").
import { groupValues } from '../../data/group.js';
import type { Dataset } from '../../data/dataset.js';
import { strideFor, type EngineName, type WasmVariant } from '../../engine/index.js';
import { WASM_MEMORY_LIMIT } from '../../engine/wasm-engine.js';
import { DataError, LatentrecError } from '../../errors.js';
import { optionsObject } from '../core/arguments.js';
import type { FitSession, ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { fitMemoryBytes } from '../core/memory-limit.js';
import { checkOptionKeys, positive, resolveCommon } from '../core/options.js';
import { historyRows, type ItemItem } from '../core/item-item.js';
import type { CommonFitOptions } from '../core/types.js';
import { RankingBase } from './ranking-base.js';

export interface EaseOptions {
  /** L2 regularization λ added to the Gram matrix's diagonal (default 200; Steck's ML-20M choice is 500). */
  reg?: number;
  engine?: EngineName;
  /** Force the wasm build the model serves on (default the best this runtime runs). */
  wasmVariant?: WasmVariant;
}

export const EASE_DEFAULTS = { reg: 200 } as const;

/** Every key EaseOptions has. */
export const EASE_OPTION_KEYS = ['reg', 'engine', 'wasmVariant'] as const satisfies readonly (keyof EaseOptions)[];

/** Engine bytes a fit of `items` items needs: the f64 inverse (rows padded to 2), the f32 weights (rows padded to 4), scratch rows. */
export function easeMemoryBytes(items: number): number {
  const m = items + (items & 1), s = strideFor(items);
  return 8 * items * m + 4 * items * s + 8 * 4 * m;
}

/** The largest catalogue whose EASE fit fits in `limit` bytes beside `fixed` bytes of other data. */
function largestItems(limit: number, fixed: number): number {
  let lo = 0, hi = 1 << 20;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (easeMemoryBytes(mid) + fixed <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class EASE extends RankingBase {
  protected readonly stateKind = 'ease' as const;
  protected readonly shape: ModelShape;
  readonly options: { reg: number; engine: EngineName; wasmVariant: WasmVariant | undefined };

  constructor(given: EaseOptions = {}) {
    super();
    const options = optionsObject('EASE options', given);
    checkOptionKeys('EASE', options, EASE_OPTION_KEYS);
    const common = resolveCommon(options, { factors: 0, epochs: 0, rng: 'mt19937' });
    this.options = { reg: positive('reg', options.reg ?? EASE_DEFAULTS.reg), engine: common.engine, wasmVariant: common.wasmVariant };
    this.shape = { factors: 0, biased: false, epochs: 0, engine: common.engine, wasmVariant: common.wasmVariant, seed: 0, rng: common.rng };
  }

  /** The inverse's buffer and the weights, beyond the ratings the fit loop counts. */
  protected override extraMemoryBytes(train: Dataset): number {
    return easeMemoryBytes(train.itemCount) + 4 * (train.size + train.userCount + 1);
  }

  /** Refused before anything is allocated when the items x items matrices cannot fit in wasm32 memory. */
  protected override beginFit<O extends CommonFitOptions>(train: Dataset, options: O): FitSession<O> {
    if (this.shape.engine === 'wasm') {
      // The fit loop's estimate (ratings, empty factor rows, this model's extra); all but the items² part is fixed.
      const need = fitMemoryBytes(train, strideFor(0), this.extraMemoryBytes(train));
      const fixed = need - easeMemoryBytes(train.itemCount);
      if (need > WASM_MEMORY_LIMIT) {
        const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
        throw new DataError(
          `EASE: ${train.itemCount.toLocaleString('en-US')} items need about ${gb(need)} of WebAssembly memory ` +
            `(an items x items matrix, 12 bytes per item pair), beyond wasm32's 4 GiB: the largest catalogue that fits is ` +
            `${largestItems(WASM_MEMORY_LIMIT, fixed).toLocaleString('en-US')} items; keep the most popular items, or use engine 'js'`,
        );
      }
    }
    return { train, options };
  }

  protected initialize(): void {}

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
      const A = engine.allocF64(n * m), tmp = engine.allocF64(4 * m);
      A.array().fill(0);
      engine.easeGram(startH, colsH, train.userCount, A, m);
      const a = A.array();
      for (let i = 0; i < n; i++) a[i * m + i] += this.options.reg;
      for (const [first, end] of rowRanges(n)) {
        const failed = engine.choleskyLower(A, first, end, m);
        if (failed !== 0) {
          throw new LatentrecError(`EASE: XᵀX + λI is not positive definite in floating point at item ${failed - 1} (reg ${this.options.reg}); raise reg`);
        }
      }
      for (const [first, end] of rowRanges(n)) engine.invertLower(A, first, end, m, tmp);
      for (const [first, end] of rowRanges(n)) engine.lowerGram(A, first, end, m, tmp);
      weights.array().fill(0);
      engine.easeWeights(A, n, m, weights, s);
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

/**
 * The rows of an n x n step in ranges of about equal work (the steps cost about i² at row i), 64
 * ranges at most and multiples of 4 rows (lowerGram's blocks): short calls, so V8 runs all but the
 * first few in optimized code.
 */
function rowRanges(n: number): [number, number][] {
  const ranges: [number, number][] = [];
  let first = 0;
  for (let r = 1; r <= 64 && first < n; r++) {
    const end = r === 64 ? n : Math.min(n, Math.ceil((n * Math.cbrt(r / 64)) / 4) * 4);
    if (end > first) ranges.push([first, end]);
    first = end;
  }
  return ranges;
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
