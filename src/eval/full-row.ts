// The full protocol's per-user work on one row of scores (every item the model knows), without
// listing the candidates: the candidates are the row's items less a few excluded ones (the
// user's training items), so each count runs over the whole row in a kernel (assembly/rank-row.ts)
// and the excluded items' share is taken back on the host. Every result is what the
// candidate-by-candidate definitions of ranking.ts give, bit for bit: the counts are integers.
import { makeEngine, type Engine, type F32, type U32 } from '../engine/index.js';

/** Whether item a ranks before b: higher score first, ties by the lower item index (the full protocol's order). */
function before(scores: ArrayLike<number>, a: number, b: number): boolean {
  const sa = scores[a], sb = scores[b];
  return sa > sb || (sa === sb && a < b);
}

/** What the full protocol needs of one user's row besides the top-k metrics. */
export interface RowRanks {
  /** The place (1-based) of the best relevant item among the candidates. */
  place: number;
  /** AUC of the relevant items against the other candidates (ties ½); NaN when there are no others. */
  auc: number;
}

/**
 * One row at a time in an engine of its own: load() the scores, mark the excluded items in
 * excluded(), then ask. Its memory is allocated once, for rows of `n` scores.
 */
export class RowRanker {
  private readonly engine: Engine;
  private readonly row: F32;
  private readonly mask: U32;
  private readonly heap: U32;
  private readonly thresholds: F32;
  private readonly below: U32;
  private readonly equal: U32;
  private scores: Float32Array = new Float32Array(0);

  constructor(readonly n: number, k: number) {
    this.engine = rowEngine();
    const e = this.engine, cells = Math.max(1, n);
    this.row = e.allocF32(cells);
    this.mask = e.allocU32(Math.ceil(cells / 4));
    this.heap = e.allocU32(Math.max(1, Math.min(k, n)));
    this.thresholds = e.allocF32(cells);
    this.below = e.allocU32(cells);
    this.equal = e.allocU32(cells);
  }

  /** One byte per item, 1 = not a candidate: set before asking, cleared by the caller after. */
  excluded(): Uint8Array {
    const m = this.mask.array();
    return new Uint8Array(m.buffer, m.byteOffset, this.n);
  }

  /** Copies a row in: every count and comparison then reads these float32 values. */
  load(scores: Float32Array): void {
    const row = this.row.array();
    row.set(scores);
    this.scores = row; // never detached: the ranker allocates nothing after its constructor
  }

  /** The first candidate whose score is NaN, or −1. */
  firstNaN(): number {
    if (this.engine.rowCounts(this.row, this.n, this.thresholds, 0, this.below, this.equal) === 0) return -1;
    const s = this.scores, excluded = this.excluded();
    for (let i = 0; i < this.n; i++) if (s[i] !== s[i] && excluded[i] === 0) return i;
    return -1;
  }

  /**
   * The first min(k, candidates) candidates in the protocol's order, best first: what sorting
   * every candidate and keeping k gives. The kernel skips −Infinity scores, which rank last here
   * (in index order, as ties). `candidates` = n less the excluded items.
   */
  top(k: number, candidates: number): Uint32Array {
    const size = this.engine.rowTop(this.row, this.n, this.mask, k, this.heap);
    const want = Math.min(k, candidates), out = new Uint32Array(want);
    out.set(this.heap.array().subarray(0, size));
    const s = this.scores, excluded = this.excluded();
    for (let i = 0, at = size; i < this.n && at < want; i++) if (s[i] === -Infinity && excluded[i] === 0) out[at++] = i;
    return out;
  }

  /**
   * MRR's place and AUC from one count of the row against each relevant score (relevant items
   * are candidates; `marked` lists the excluded ones). AUC adds, over the relevant items, the
   * other candidates below (1) and equal (½): ranking.ts's auc, whose terms these are.
   */
  ranks(relevant: readonly number[], marked: readonly number[]): RowRanks {
    const s = this.scores, p = relevant.length, t = this.thresholds.array();
    for (let j = 0; j < p; j++) t[j] = s[relevant[j]];
    const nan = this.engine.rowCounts(this.row, this.n, this.thresholds, p, this.below, this.equal);
    const below = this.below.array(), equal = this.equal.array();
    let best = 0;
    for (let j = 1; j < p; j++) if (before(s, relevant[j], relevant[best])) best = j;
    // Candidates ahead of the best relevant item: every score above it, the equal ones of lower
    // index, less the excluded items among them.
    const b = relevant[best], top = s[b];
    let ahead = this.n - nan - below[best] - equal[best];
    if (equal[best] > 1) for (let i = 0; i < b; i++) if (s[i] === top) ahead++;
    for (const m of marked) if (before(s, m, b)) ahead--;

    const negatives = this.n - marked.length - p;
    if (negatives === 0) return { place: ahead + 1, auc: NaN };
    let count = 0;
    for (let j = 0; j < p; j++) {
      const r = t[j];
      let lt = below[j], eq = equal[j];
      for (const m of marked) {
        if (s[m] < r) lt--;
        else if (s[m] === r) eq--;
      }
      for (let x = 0; x < p; x++) {
        if (t[x] < r) lt--;
        else if (t[x] === r) eq--;
      }
      count += lt + 0.5 * eq;
    }
    return { place: ahead + 1, auc: count / (p * negatives) };
  }

  dispose(): void {
    this.engine.dispose();
  }
}

/** A wasm engine where the runtime compiles one (the counts are the same in either). */
function rowEngine(): Engine {
  try {
    return makeEngine('auto');
  } catch {
    return makeEngine('js');
  }
}
