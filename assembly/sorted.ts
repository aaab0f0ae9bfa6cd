// Membership in a sorted run of u32 (each user's items, kept sorted for sampling): the kernels'
// copy of src/util/sorted.ts's sortedContains.

// Whether sorted[lo .. hi) holds v (binary search).
// @ts-ignore: decorator
@inline
export function sortedHas(sorted: usize, lo: u32, hi: u32, v: u32): bool {
  const end = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<u32>(sorted + (<usize>mid << 2)) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo < end && load<u32>(sorted + (<usize>lo << 2)) == v;
}

// Whether item c is among user u's items: seenItems[seenStart[u] .. seenStart[u + 1]), sorted.
// @ts-ignore: decorator
@inline
export function isSeen(seenStart: usize, seenItems: usize, u: u32, c: u32): bool {
  const at = seenStart + (<usize>u << 2);
  return sortedHas(seenItems, load<u32>(at), load<u32>(at, 4), c);
}
