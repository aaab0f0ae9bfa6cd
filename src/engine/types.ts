import type { RowRange } from './row-ranges.js';
// The kernel interface. Two implementations: the wasm engine (the product) and the js engine
// (the same algorithm in plain TypeScript with the same order of operations, for tests and the
// benchmark). Models see only typed arrays and handles, never offsets.

/** LIBMF's grid of blocks over the ratings (built by block-grid.ts). */
export interface BlockGrid {
  /** G: users and items are each cut into this many bins. */
  side: number;
  /** Block b = (user bin ⌊b/G⌋, item bin b mod G) holds ratings start[b] .. start[b+1]. */
  start: Uint32Array;
}

/** One epoch's plan: G rounds of G blocks; the blocks of a round share no user and no item. */
export interface BlockSchedule {
  side: number;
  /** Rounds one after another: entry r·G + j is the j-th block of round r (an index into the grid). */
  blocks: Uint32Array;
  /** The in-block shuffle seed of each entry of `blocks`. */
  seeds: Uint32Array;
}

/** The engine an engine object is: the WebAssembly kernels or their pure-TypeScript twins. */
export type EngineName = 'wasm' | 'js';
/**
 * The engine a caller asks for: 'wasm' or 'js', or 'auto' — wasm where this runtime compiles it,
 * else the js engine with a note saying why (a Content-Security-Policy without 'wasm-unsafe-eval').
 */
export type EngineChoice = EngineName | 'auto';
/** What an engine runs: one of the three wasm builds, or the js twin. */
export type EngineVariant = 'relaxed' | 'simd' | 'scalar' | 'js';

/** A typed array that lives in an engine's memory. Call `array()` for a current view. */
export interface Handle<T extends Float32Array | Uint32Array | Float64Array> {
  readonly length: number;
  array(): T;
}
export type F32 = Handle<Float32Array>;
export type U32 = Handle<Uint32Array>;
export type F64 = Handle<Float64Array>;

export interface RatingsBlock {
  users: U32;
  items: U32;
  values: F32;
  count: number;
}

/** Factor rows are `stride` floats apart (a multiple of 4; padding lanes stay zero). */
export interface FactorBlock {
  P: F32;
  Q: F32;
  bu: F32;
  bi: F32;
  stride: number;
}

export interface BiasedRates {
  mu: number;
  lrBu: number;
  lrBi: number;
  lrPu: number;
  lrQi: number;
  regBu: number;
  regBi: number;
  regPu: number;
  regQi: number;
}

export interface SvdppRates extends BiasedRates {
  lrYj: number;
  regYj: number;
}

/**
 * Ratings grouped by user: rows start[u] .. start[u+1] of items/values belong to user u; an
 * epoch visits the users order[0 .. count).
 */
export interface UserGroups {
  order: U32;
  count: number;
  start: U32;
  items: U32;
  values: F32;
}

/**
 * Rows first .. end of an exact ALS half-step (assembly/ials.ts): each row x of `rows` solves
 * (a·YᵀY + Σ_j (w0 + alpha·r_j) y_j y_jᵀ + λ_row I) x = Σ_j (1 + alpha·r_j) y_j.
 */
export interface ExactRowSolve {
  rows: SparseRows;
  first: number;
  end: number;
  a: number;
  w0: number;
  alpha: number;
}

/** A sparse matrix by rows (CSR): row r holds cols[start[r] .. start[r+1]) with their vals. */
export interface SparseRows {
  start: U32;
  cols: U32;
  vals: F32;
  rowCount: number;
}

/** One side (users or items) of the hybrid model: entity rows of features, and their parameters. */
export interface FeatureSide {
  /** Row r = entity r's features (columns) and weights. */
  features: SparseRows;
  /** Feature embeddings (features x stride) and biases (features). */
  E: F32;
  b: F32;
  /** Adagrad accumulators of E and b, same shapes; they start at 1 (padding lanes too). */
  gE: F32;
  gb: F32;
}

/** Where blocked BPR draws negatives: items by bin (binItems[binStart[b] .. binStart[b + 1]), itemBin[i]) and each user's items, sorted (CSR). */
export interface BprSampler {
  binItems: U32;
  binStart: U32;
  itemBin: U32;
  seenStart: U32;
  seenItems: U32;
  /** Redraw (at most 32 times) a negative the user has. */
  verify: boolean;
}

/**
 * The hybrid's loss, as LightFM names them: 'logistic' (pointwise), 'bpr' (one sampled negative)
 * or 'warp' (negatives drawn until one ranks above the positive, weighted by the rank estimate).
 */
export type HybridLoss = 'logistic' | 'bpr' | 'warp';

/** One hybrid pass over triples first .. first+count of (users, positives). */
export interface HybridPass {
  loss: HybridLoss;
  users: U32;
  positives: U32;
  first: number;
  count: number;
  /** `slots` candidate negatives per triple, triple t's at (t − first)·slots. */
  candidates: U32;
  slots: number;
  /** WARP: the loss weight of the (s+1)-th draw, ln⌊(n−1)/(s+1)⌋ (at least 0). */
  warpWeights: F32;
  /** Each user's training items, sorted (CSR), for WARP's check of violating draws. */
  seenStart: U32;
  seenItems: U32;
  lr: number;
  userReg: number;
  itemReg: number;
  adagrad: boolean;
  /** Four rows of `stride` floats. */
  scratch: F32;
}

/**
 * One epoch of the hybrid's blocked order (see Engine.hybridBlocks): the pass's settings, where
 * candidates come from (items by bin, as BprSampler), and per-thread scratch — `scratch` one part
 * of threadPart(4·stride, 4) floats per engine thread, `draws` one of threadPart(slots, 4) ids.
 */
export interface HybridBlockPass {
  loss: HybridLoss;
  slots: number;
  warpWeights: F32;
  seenStart: U32;
  seenItems: U32;
  binItems: U32;
  binStart: U32;
  itemBin: U32;
  lr: number;
  userReg: number;
  itemReg: number;
  adagrad: boolean;
  scratch: F32;
  draws: U32;
}

/**
 * An engine: the memory a model's parameters live in and the kernels that train and score them.
 * Made by {@link createEngine}; the models make their own. Two implementations keep the same
 * contract with the same order of operations: the wasm builds and the pure-TypeScript twin. The
 * kernel methods are internal (the contract between the models and the engines) and may change
 * in any release.
 */
export interface Engine {
  /** 'wasm' or 'js'. */
  readonly name: EngineName;
  /** The wasm build this engine runs ('relaxed', 'simd', 'scalar'), or 'js'. */
  readonly variant: EngineVariant;
  /** Threads that run blocked SGD, blocked BPR and the hybrid, ALS row solves, Gibbs rows and EASE's steps: 1 unless a wasm engine was made with a thread pool. */
  readonly threads: number;
  /** Why fewer threads run than were asked for (no shared memory, a thread that may not block, ...). */
  readonly threadsNote?: string;
  /** Why this engine is not the one asked for: set on the js engine that 'auto' fell back to. */
  readonly note?: string;
  /** Stops the engine's worker threads, if any. The engine's memory stays readable. */
  dispose(): void;
  /**
   * The rows as a RatingsBlock without a copy, where they already lie in this engine's memory (a
   * wasm engine made with `memory`, on loadRatingsFile's `inPlace` rows); else undefined.
   * @internal
   */
  rowsInMemory?(users: Uint32Array, items: Uint32Array, values: Float32Array): RatingsBlock | undefined;
  /** @internal */
  allocF32(length: number): F32;
  /** @internal */
  allocU32(length: number): U32;
  /**
   * 8-byte floats: the relation-block sampler keeps its state in f64 (assembly/bfm-blocks.ts).
   * @internal
   */
  allocF64(length: number): F64;
  /**
   * Scratch space: `release(mark())` frees everything allocated after the mark (a stack), so
   * repeated scoring calls do not grow memory. Handles from after the mark must not be used again.
   * @internal
   */
  mark(): number;
  /** @internal */
  release(mark: number): void;
  /**
   * One SGD pass of biased MF; returns the pass's sum of squared errors.
   * @internal
   */
  sgdEpochBiased(r: RatingsBlock, f: FactorBlock, rates: BiasedRates): number;
  /**
   * One SGD pass of plain MF (biases untouched); returns the pass's sum of squared errors.
   * @internal
   */
  sgdEpochPlain(r: RatingsBlock, f: FactorBlock, rates: BiasedRates): number;
  /**
   * Shuffles ratings first .. first+count in place (Fisher–Yates driven by xorshift32 from `seed`).
   * @internal
   */
  shuffleRatings(r: RatingsBlock, first: number, count: number, seed: number): void;
  /**
   * One blocked SGD epoch (biased or plain MF) over ratings stored in `grid` order: for each
   * entry of the plan, the block is shuffled with its seed, then passed over once. Blocks of one
   * round may run on different threads; the result is the same as running the entries in order.
   * Returns the sum of squared errors (block sums added in plan order).
   * @internal
   */
  sgdBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, f: FactorBlock, rates: BiasedRates, biased: boolean): number;
  /**
   * One SGD pass of SVD++ over user groups; Y holds the implicit factors y_j (items x stride),
   * z and acc are scratch, one row of threadPart(stride, 4) floats per engine thread. The users
   * are visited in ranges of the order (row-ranges.ts orderRanges): on one thread one after
   * another; on several at once, items shared by users on two threads taking both updates as
   * they come (Hogwild). Returns the pass's sum of squared errors (range sums added in order).
   * @internal
   */
  sgdEpochSvdpp(g: UserGroups, f: FactorBlock, Y: F32, z: F32, acc: F32, rates: SvdppRates): number;
  /**
   * One BPR pass over (user, positive, negative) triples: P, Q and the item biases of `f` are
   * updated; returns how many triples were already ranked right (x_uij > 0).
   * @internal
   */
  sgdEpochBpr(users: U32, positives: U32, negatives: U32, count: number, f: FactorBlock, lr: number, reg: number, regBias: number): number;
  /**
   * One epoch of BPR's blocked order over (user, positive) pairs `r` stored in `grid` order (see
   * assembly/bpr.ts bprBlock): for each entry of the plan the block is shuffled with its seed, its
   * negatives drawn from the positive's item bin, then passed over once. Blocks of one round may
   * run on different threads; the result is the same as running the entries in order. Returns
   * how many triples were already ranked right.
   * @internal
   */
  bprBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, negatives: U32, sampler: BprSampler, f: FactorBlock, lr: number, reg: number, regBias: number): number;
  /**
   * One pass of the LightFM-style hybrid model (see assembly/hybrid.ts); returns how many triples
   * were ranked wrong (WARP: found a violating draw).
   * @internal
   */
  hybridEpoch(pass: HybridPass, user: FeatureSide, item: FeatureSide, stride: number): number;
  /**
   * One epoch of the hybrid's blocked order over (user, positive) pairs `r` stored in `grid` order
   * (see assembly/hybrid.ts hybridBlock): for each entry of the plan the block is shuffled with its
   * seed, its candidates drawn from the positive's item bin, then passed over once. Blocks of one
   * round may run on different threads: the same result as running the entries in order when no
   * feature is shared by two users or two items; otherwise shared features take concurrent
   * (Hogwild) updates. Returns how many triples were ranked wrong.
   * @internal
   */
  hybridBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, pass: HybridBlockPass, user: FeatureSide, item: FeatureSide, stride: number): number;
  /**
   * Weighted ALS: solves every row of X (the rows of `a`) against fixed Y by `steps` conjugate
   * gradient steps from its current value; gram = YᵀY (k rows of `stride`). r, p, ap: scratch, one
   * row of `stride` floats per engine thread (an engine with worker threads solves ranges of rows
   * on each, to the same bits). Returns the sum of the final squared residual norms.
   * @internal
   */
  alsSolveRows(a: SparseRows, X: F32, Y: F32, gram: F32, stride: number, k: number, alpha: number, lambda: number, steps: number, r: F32, p: F32, ap: F32): number;
  /**
   * Exact ALS row solves in f64 by Cholesky (see ExactRowSolve): X's rows first .. end, with
   * gram = YᵀY (f32, from gramian), per-row λ in `lambdas`, scratch A (k x m doubles, m = k rounded
   * up to even), h (4 x m doubles) and b (m doubles), each one part per engine thread (an engine with worker
   * threads solves ranges of rows on each, to the same bits). 0, or 1 + the first row whose system
   * was not positive definite.
   * @internal
   */
  alsExactRows(solve: ExactRowSolve, X: F32, Y: F32, gram: F32, stride: number, k: number, lambdas: F64, A: F64, h: F64, b: F64): number;
  /**
   * gram = Yᵀ Y over the first `rows` rows of Y (k rows of `stride` floats).
   * @internal
   */
  gramian(Y: F32, rows: number, stride: number, k: number, gram: F32): void;
  /**
   * out_u = p_u + |I_u|^-1/2 sum_{j in I_u} y_j for users 0 .. userCount.
   * @internal
   */
  implicitUserFactors(userCount: number, start: U32, items: U32, P: F32, Y: F32, stride: number, out: F32): void;
  /**
   * Y[r] = sum_t vals[t] X[cols[t]] (dense rows of `stride` floats).
   * @internal
   */
  sparseTimesDense(a: SparseRows, X: F32, Y: F32, stride: number): void;
  /**
   * Z[cols[t]] += vals[t] Y[r]; Z is zeroed first.
   * @internal
   */
  sparseTransposeTimesDense(a: SparseRows, Y: F32, Z: F32, stride: number): void;
  /**
   * out[t] = clamp(mu + bu[u] + bi[i] + p_u . q_i, lo, hi) for the first `count` pairs.
   * @internal
   */
  predictPairs(users: U32, items: U32, count: number, f: FactorBlock, mu: number, lo: number, hi: number, out: F32): void;
  /**
   * out[r] = M[row] . M[r] for r < rowCount (M is P or Q of `f`; similarity search).
   * @internal
   */
  dotRows(M: F32, row: number, rowCount: number, stride: number, out: F32): void;
  /**
   * out[i] = base + bi[i] + p_user . q_i for every item (ranking scores, unclipped).
   * @internal
   */
  scoreItems(user: number, f: FactorBlock, itemCount: number, base: number, out: F32): void;
  /**
   * scoreItems for `count` users at once: row t of `out` (itemCount floats) = bases[t] + bi[i] +
   * p_{users[t]} . q_i, the bits scoreItems gives. Ranges of users run on the engine's threads.
   * @internal
   */
  scoreUsers(users: U32, count: number, f: FactorBlock, bases: F32, itemCount: number, out: F32): void;
  /**
   * Counts over the first n scores of `row`: below[j] = #scores < thresholds[j] and equal[j] =
   * #scores == thresholds[j] for j < m. Returns how many scores are NaN (counted in neither).
   * @internal
   */
  rowCounts(row: F32, n: number, thresholds: F32, m: number, below: U32, equal: U32): number;
  /**
   * The min(k, candidates) best of the first n scores of `row` whose byte in `mask` (a U32 read as
   * bytes) is 0, into heap[0 ..) best first (ties to the lower index; NaN and −Infinity skipped).
   * Returns how many.
   * @internal
   */
  rowTop(row: F32, n: number, mask: U32, k: number, heap: U32): number;
  /**
   * One Gibbs pass over the rows of one side of a Bayesian factorization machine (see
   * assembly/bfm.ts): each row's linear term and factors drawn from their conditionals, the
   * residuals `e` kept current. `normals` holds k + 1 standard normals per row; h (k x n4) and
   * eb (n4) are scratch for the longest row, one such part per thread of the engine (`threads`
   * equal parts): an engine with worker threads draws ranges of rows on each, to the same bits.
   * @internal
   */
  bfmSampleRows(side: BfmSide, Vo: F32, stride: number, k: number, e: F32, alpha: number, prior: BfmPrior, normals: F32, h: F32, eb: F32): void;
  /**
   * EASE (assembly/ease.ts) on an n x n f64 buffer A whose rows are m doubles apart: A's lower
   * triangle += XᵀX for binary X given by user rows (cols[start[u] .. start[u+1]), ascending), the
   * rows of each range on the engine's threads.
   * @internal
   */
  easeGram(start: U32, cols: U32, users: number, A: F64, m: number, ranges: readonly RowRange[]): void;
  /**
   * The Cholesky factor of A's lower triangle in place, for the rows of each range: columns
   * from .. min(i, to) of row i, then its pivot when i < to (the rows a range reads are done).
   * 0, or 1 + the first row whose pivot is not positive.
   * @internal
   */
  choleskyLower(A: F64, m: number, from: number, to: number, ranges: readonly RowRange[]): number;
  /**
   * L⁻¹ in place of lower-triangular L for the rows of each range: the terms k in from .. min(i, to), then row i's scaling when i < to (tmp: threadPart(4m, 8) doubles per thread).
   * @internal
   */
  invertLower(A: F64, m: number, from: number, to: number, ranges: readonly RowRange[], tmp: F64): void;
  /**
   * invertLower's terms k < to for the rows of each range (all at or below `to`), by column tiles (tmp: per thread, 256 doubles per row of a range, and at least 4m).
   * @internal
   */
  invertLowerRows(A: F64, m: number, to: number, ranges: readonly RowRange[], tmp: F64): void;
  /**
   * The steps a .. b of XᵀX in place of lower-triangular X on the rows of each range (all below a), from the panel's rows of X copied to W.
   * @internal
   */
  lowerGramRows(A: F64, m: number, W: F64, a: number, b: number, ranges: readonly RowRange[]): void;
  /**
   * The steps a .. b of XᵀX on the panel's own rows a .. b, from W.
   * @internal
   */
  lowerGramPanel(A: F64, a: number, b: number, m: number, W: F64): void;
  /**
   * EASE's weights B[j][i] = −P[j][i] / P[i][i] (i ≠ j; 0 on the diagonal), rows s floats apart, from P's lower triangle in A, for the rows of each range.
   * @internal
   */
  easeWeights(A: F64, n: number, m: number, B: F32, s: number, ranges: readonly RowRange[]): void;
  /**
   * out[0 .. s) = Σ_t B[rows[t]] in list order (rows of s floats).
   * @internal
   */
  sumRows(B: F32, s: number, rows: U32, count: number, out: F32): void;
  /**
   * A relation block's lin, q and self for every row (assembly/bfm-blocks.ts).
   * @internal
   */
  bfmRowSums(block: BfmBlock, k: number): void;
  /**
   * ŷ of every rating from the blocks' row sums.
   * @internal
   */
  bfmPredict(blocks: readonly BfmBlock[], k: number, n: number, w0: number, out: F64): void;
  /**
   * qsum[t] = Σ_b q_bf[r_b(t)] for factor f.
   * @internal
   */
  bfmGatherQ(blocks: readonly BfmBlock[], f: number, n: number, qsum: F64): void;
  /**
   * Every linear term of a block from its conditional; the residuals follow. scratch: 8·rows.
   * @internal
   */
  bfmDrawLinear(block: BfmBlock, e: F64, alpha: number, prior: BfmGroupPrior, normals: F64, scratch: F64): void;
  /**
   * Factor f of every feature of a block from its conditional; residuals, qsum and q follow. scratch: 8·rows.
   * @internal
   */
  bfmDrawFactor(block: BfmBlock, k: number, f: number, qsum: F64, e: F64, alpha: number, prior: BfmGroupPrior, normals: F64, scratch: F64): void;
}

/**
 * A relation block of a Bayesian FM: each rating points at one of its rows (rowOf), and a row is
 * a sparse vector of features (by rows, CSR, and by features, CSC), with the features' parameters
 * and the rows' sums.
 */
export interface BfmBlock {
  rowOf: U32;
  rowCount: number;
  /** The ratings of row r: slots[ratingStart[r] .. ratingStart[r + 1]) (their indexes). */
  ratingStart: U32;
  slots: U32;
  rowStart: U32;
  rowCols: U32;
  rowVals: F64;
  featureCount: number;
  colStart: U32;
  colRows: U32;
  colVals: F64;
  /** The hyperprior group of each feature. */
  group: U32;
  /** Linear terms (F) and factors (F x k, row-major). */
  W: F64;
  V: F64;
  /** Row sums: lin (R), q (k x R, factor-major), self (R). */
  lin: F64;
  q: F64;
  self: F64;
}

/** Per group g: w ~ N(muW[g], 1/lambdaW[g]); v_f ~ N(muV[g·k + f], 1/lambdaV[g·k + f]). */
export interface BfmGroupPrior {
  muW: F64;
  lambdaW: F64;
  muV: F64;
  lambdaV: F64;
}

/** One side (users or items) of a Bayesian FM: its ratings by row, and its parameters. */
export interface BfmSide {
  /** Ratings of row r: start[r] .. start[r + 1]. */
  start: U32;
  /** The other side's row of each rating. */
  cols: U32;
  /** Where each rating's residual is in `e`. */
  slots: U32;
  rowCount: number;
  /** Linear terms, one per row. */
  W: F32;
  /** Factors, rows of `stride` floats. */
  V: F32;
}

/** The side's prior: w ~ N(muW, 1/lambdaW), v_f ~ N(muV[f], 1/lambdaV[f]). */
export interface BfmPrior {
  muW: number;
  lambdaW: number;
  muV: F32;
  lambdaV: F32;
}

export const LANES = 4;

/**
 * The length of one thread's part of a scratch array: `elements` of `bytes` each, rounded up to
 * whole 64-byte cache lines. Parts that shared a line would have two cores write the same line
 * for every row (false sharing: ALS's CG on two threads measured 1.2x instead of 1.7x).
 */
export function threadPart(elements: number, bytes: 4 | 8): number {
  const perLine = 64 / bytes;
  return Math.ceil(elements / perLine) * perLine;
}

/** Row stride in floats for k factors: k rounded up to whole v128 lanes. */
export function strideFor(k: number): number {
  return Math.ceil(k / LANES) * LANES;
}
