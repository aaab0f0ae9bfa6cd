// Cosine similarity of item factor vectors, for "because you liked X": the visitor's liked item
// closest to a recommendation in the model's latent space. Vectors and norms are taken once per
// model, so explaining ten recommendations costs ten times a few dot products.
import type { ModelState } from 'latentrec';

export class ItemVectors {
  private readonly row = new Map<string, number>();
  private readonly norms: Float32Array;

  constructor(private readonly state: Pick<ModelState, 'Q' | 'factors' | 'itemIds'>) {
    const { Q, factors: k, itemIds } = state;
    this.norms = new Float32Array(itemIds.length);
    itemIds.forEach((id, r) => {
      this.row.set(id, r);
      let sum = 0;
      for (let f = 0; f < k; f++) sum += Q[r * k + f] * Q[r * k + f];
      this.norms[r] = Math.sqrt(sum);
    });
  }

  /** In [-1, 1]; undefined when either item is unknown or has a zero vector. */
  cosine(a: string, b: string): number | undefined {
    const ra = this.row.get(a), rb = this.row.get(b);
    if (ra === undefined || rb === undefined) return undefined;
    const norm = this.norms[ra] * this.norms[rb];
    if (!(norm > 0)) return undefined;
    const { Q, factors: k } = this.state;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += Q[ra * k + f] * Q[rb * k + f];
    return dot / norm;
  }

  /** Of `candidates`, the one most similar to `item` (undefined when none is comparable). */
  closest(item: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined, bestScore = -Infinity;
    for (const candidate of candidates) {
      const score = this.cosine(item, candidate);
      if (score !== undefined && score > bestScore) [best, bestScore] = [candidate, score];
    }
    return best;
  }
}
