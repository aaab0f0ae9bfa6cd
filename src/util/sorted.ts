// Membership in a sorted run of a typed array (users' item lists, kept sorted for sampling).

/** Whether sorted[lo..hi) holds x (binary search). */
export function sortedContains(sorted: ArrayLike<number>, lo: number, hi: number, x: number): boolean {
  const end = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < end && sorted[lo] === x;
}
