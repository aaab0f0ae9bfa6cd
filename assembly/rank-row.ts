// One user's row of scores (every item) in the full ranking protocol: counts against thresholds,
// and the k best candidates. The host (src/eval/full-row.ts) turns them into the metrics.
import { F32_BYTES, LANES } from "./layout";

/**
 * below[j] = #items with row[i] < thresholds[j], equal[j] = #items with row[i] == thresholds[j],
 * for j < m. Returns how many scores are NaN (counted in neither).
 */
export function rowCounts(row: usize, n: i32, thresholds: usize, m: i32, below: usize, equal: usize): i32 {
  const whole = n & ~(LANES - 1);
  let nan = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (let i = 0; i < whole; i += LANES) {
      const v = v128.load(row + <usize>(i * F32_BYTES));
      acc = i32x4.sub(acc, f32x4.ne(v, v)); // a true lane is -1
    }
    nan = lanesSum(acc);
  } else {
    for (let i = 0; i < whole; i++) {
      const s = load<f32>(row + <usize>(i * F32_BYTES));
      if (s != s) nan++;
    }
  }
  for (let i = whole; i < n; i++) {
    const s = load<f32>(row + <usize>(i * F32_BYTES));
    if (s != s) nan++;
  }
  for (let j = 0; j < m; j++) {
    const t = load<f32>(thresholds + <usize>(j * F32_BYTES));
    let lt = 0, eq = 0;
    if (ASC_FEATURE_SIMD) {
      const vt = f32x4.splat(t);
      let accLt = i32x4.splat(0), accEq = i32x4.splat(0);
      for (let i = 0; i < whole; i += LANES) {
        const v = v128.load(row + <usize>(i * F32_BYTES));
        accLt = i32x4.sub(accLt, f32x4.lt(v, vt));
        accEq = i32x4.sub(accEq, f32x4.eq(v, vt));
      }
      lt = lanesSum(accLt);
      eq = lanesSum(accEq);
    } else {
      for (let i = 0; i < whole; i++) {
        const s = load<f32>(row + <usize>(i * F32_BYTES));
        lt += i32(s < t);
        eq += i32(s == t);
      }
    }
    for (let i = whole; i < n; i++) {
      const s = load<f32>(row + <usize>(i * F32_BYTES));
      lt += i32(s < t);
      eq += i32(s == t);
    }
    store<u32>(below + <usize>(j << 2), lt);
    store<u32>(equal + <usize>(j << 2), eq);
  }
  return nan;
}

/**
 * The min(k, candidates) best candidates (mask byte 0) by score, ties to the lower index, NaN and
 * −Infinity skipped, into heap[0 ..) best first; returns how many. A size-k min-heap over one
 * pass: once it is full, index i (above every index in it) enters only by beating its worst
 * score, and four scores at a time are checked against it.
 */
export function rowTop(row: usize, n: i32, mask: usize, k: i32, heap: usize): i32 {
  let size = 0;
  let worst: f32 = -Infinity;
  let i = 0;
  while (i < n) {
    if (ASC_FEATURE_SIMD) {
      if (size == k && i + LANES <= n && !v128.any_true(f32x4.gt(v128.load(row + <usize>(i * F32_BYTES)), f32x4.splat(worst)))) {
        i += LANES;
        continue;
      }
    }
    const s = load<f32>(row + <usize>(i * F32_BYTES));
    if (s > worst && load<u8>(mask + <usize>i) == 0) {
      if (size < k) {
        let at = size++;
        store<u32>(heap + <usize>(at << 2), i);
        while (at > 0) {
          const parent = (at - 1) >> 1;
          if (!below(row, heapAt(heap, at), heapAt(heap, parent))) break;
          swap(heap, at, parent);
          at = parent;
        }
        if (size == k) worst = load<f32>(row + <usize>(heapAt(heap, 0) << 2));
      } else {
        store<u32>(heap, i);
        siftDown(row, heap, 0, size);
        worst = load<f32>(row + <usize>(heapAt(heap, 0) << 2));
      }
    }
    i++;
  }
  // Heapsort in place: the worst goes last, so the array ends best first.
  for (let end = size - 1; end > 0; end--) {
    swap(heap, 0, end);
    siftDown(row, heap, 0, end);
  }
  return size;
}

// "a ranks below b": a lower score, or the same score and a higher index.
// @ts-ignore: decorator
@inline
function below(row: usize, a: u32, b: u32): bool {
  const sa = load<f32>(row + (<usize>a << 2)), sb = load<f32>(row + (<usize>b << 2));
  return sa < sb || (sa == sb && a > b);
}

// @ts-ignore: decorator
@inline
function heapAt(heap: usize, at: i32): u32 {
  return load<u32>(heap + <usize>(at << 2));
}

// @ts-ignore: decorator
@inline
function swap(heap: usize, a: i32, b: i32): void {
  const t = heapAt(heap, a);
  store<u32>(heap + <usize>(a << 2), heapAt(heap, b));
  store<u32>(heap + <usize>(b << 2), t);
}

function siftDown(row: usize, heap: usize, at: i32, size: i32): void {
  for (;;) {
    const l = 2 * at + 1, r = l + 1;
    let min = at;
    if (l < size && below(row, heapAt(heap, l), heapAt(heap, min))) min = l;
    if (r < size && below(row, heapAt(heap, r), heapAt(heap, min))) min = r;
    if (min == at) return;
    swap(heap, at, min);
    at = min;
  }
}

// @ts-ignore: decorator
@inline
function lanesSum(a: v128): i32 {
  return i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1) + i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3);
}
