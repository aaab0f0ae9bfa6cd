// The n best-scoring indices without sorting everything: a size-n min-heap over one pass,
// O(N log n). Ties go to the lower index, so results are deterministic.

/**
 * Indices of the n highest scores among those `keep(i)` accepts, best first (all of them when
 * fewer than n). Skips NaN and -Infinity scores.
 */
export function topK(scores: ArrayLike<number>, n: number, keep: (i: number) => boolean = () => true): Uint32Array {
  // No more than every index can be returned: a huge n must not size the heap.
  const heap = new Uint32Array(Math.min(n, scores.length));
  let size = 0;
  // "a ranks below b": lower score, or the same score and a higher index.
  const below = (a: number, b: number) => scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1, r = l + 1;
      let min = at;
      if (l < size && below(heap[l], heap[min])) min = l;
      if (r < size && below(heap[r], heap[min])) min = r;
      if (min === at) return;
      const t = heap[at];
      heap[at] = heap[min];
      heap[min] = t;
      at = min;
    }
  };
  if (n === 0) return heap;
  // Once the heap is full, index i (above every index in it) enters only by beating its worst
  // score: one comparison rejects most indices before keep() is asked.
  let worst = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!(s > worst) || !keep(i)) continue;
    if (size < n) {
      let at = size++;
      heap[at] = i;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!below(heap[at], heap[parent])) break;
        const t = heap[at];
        heap[at] = heap[parent];
        heap[parent] = t;
        at = parent;
      }
      if (size === n) worst = scores[heap[0]];
    } else {
      heap[0] = i;
      siftDown(0);
      worst = scores[heap[0]];
    }
  }
  // Pop the heap from the worst up to get best first.
  const out = new Uint32Array(size);
  for (let k = size - 1; k >= 0; k--) {
    out[k] = heap[0];
    heap[0] = heap[--size];
    siftDown(0);
  }
  return out;
}
