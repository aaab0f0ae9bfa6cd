// The model the page serves from, with what the page derives from it once: items in order of
// popularity (the rate list's order) and item vectors (for "because you liked X").
import { FactorModel, type Recommendation } from 'latentrec';
import { ItemVectors } from './item-vectors.js';

/** The raw id the visitor is folded in under; re-folding it replaces their previous vector. */
export const VISITOR = 'visitor';
/** Stars from which a rating counts as "liked" (the rate list always offers 1..5). */
export const LIKED_FROM = 4;
const TOP_N = 10;
/**
 * Fold-ins run at load, untimed. Fold-in's ridge solve is plain JavaScript: its first calls run
 * in the interpreter (5-15 ms each for k=64) until the JIT has compiled it, after which a call
 * takes about 0.5 ms. Warming up at load keeps the visitor's first clicks as fast as the rest.
 */
const WARM_UP_ROUNDS = 12;

export interface Ranking {
  recommendations: Recommendation[];
  /** Wall time of foldIn + recommend only, from performance.now(). */
  milliseconds: number;
}

export class ServedModel {
  /** Every item the model knows, most rated in training first. */
  readonly itemsByPopularity: readonly string[];
  readonly vectors: ItemVectors;
  /** "SVD, k=64, 943 users, 1,682 items", for the page header. */
  readonly summary: string;

  constructor(
    readonly model: FactorModel,
    /** Where the model came from, for the page header. */
    readonly origin: string,
  ) {
    const state = model.toState();
    this.vectors = new ItemVectors(state);
    const counts = model.itemCounts();
    const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
    this.itemsByPopularity = order.map((i) => model.itemIds[i]);
    const count = (n: number) => n.toLocaleString('en');
    this.summary = `${state.kind.toUpperCase()}, k=${state.factors}, ${count(state.userIds.length)} users, ${count(state.itemIds.length)} items`;
    this.warmUp();
  }

  /** The visitor's slot is overwritten by their first real fold-in (its ratings and seen items too). */
  private warmUp(): void {
    const popular = this.itemsByPopularity.slice(0, 8);
    if (popular.length === 0) return;
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      const ratings = new Map(popular.slice(0, 1 + (round % popular.length)).map((id, at) => [id, 1 + ((round + at) % 5)]));
      this.rank(ratings);
    }
  }

  static fromBytes(bytes: Uint8Array, origin: string): ServedModel {
    // Plain SIMD, not relaxed SIMD even where the browser has it: the page's top 10 must match
    // Node's bit for bit (relaxed multiply-adds may round differently), and scoring 1,682 items
    // takes well under a millisecond either way.
    return new ServedModel(FactorModel.load(bytes, { wasmVariant: 'simd' }), origin);
  }

  get itemCount(): number {
    return this.itemsByPopularity.length;
  }

  /**
   * Folds the visitor in from all their ratings so far and ranks the whole catalogue. Rated items
   * are left out by recommend() itself: fold-in records them as the visitor's seen items.
   */
  rank(ratings: ReadonlyMap<string, number>): Ranking {
    const pairs = [...ratings];
    const start = performance.now();
    this.model.foldIn(pairs, { user: VISITOR });
    const recommendations = this.model.recommend(VISITOR, { n: TOP_N });
    return { recommendations, milliseconds: performance.now() - start };
  }

  /** The visitor's liked item closest to `item`, or undefined when they like nothing yet. */
  becauseOf(item: string, ratings: ReadonlyMap<string, number>): string | undefined {
    const liked = [...ratings].filter(([, stars]) => stars >= LIKED_FROM).map(([id]) => id);
    return this.vectors.closest(item, liked);
  }
}
