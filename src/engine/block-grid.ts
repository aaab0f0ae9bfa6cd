// LIBMF's grid (Chin, Zhuang, Juan & Lin 2015): users and items are cut into G bins each, the
// ratings are stored block by block, and an epoch visits the G x G blocks in G rounds of G blocks
// that share no user and no item. Blocks of one round can run on different threads at once and
// give the same result as running them one after another, so a fit's result depends on the grid
// and the seed only, never on the number of threads. One thread gains too: a block touches
// userCount/G user rows and itemCount/G item rows, which stay in cache while it runs.
import { swapRatings } from './swap-ratings.js';
import type { BlockGrid, BlockSchedule, RatingsBlock } from './types.js';

export type { BlockGrid, BlockSchedule };
import type { RandomSource } from '../util/random.js';


/** The largest grid side: G² blocks per epoch stay cheap to plan (65,536 at most). */
export const MAX_GRID_SIDE = 256;

/**
 * The grid side for a data set when none is given: about 4 MiB of factor rows per block (what
 * measured fastest on 200,000 x 50,000 with 20M ratings: 16 bins at k=64, 32 at k=128; with 1 MiB
 * blocks, an L2's worth, each user row is reused too rarely within a block), at least 8 bins so
 * rounds have blocks for up to 8 threads, at most MAX_GRID_SIDE, and never more bins than the
 * smaller of the user and item counts.
 */
export function defaultGridSide(userCount: number, itemCount: number, stride: number): number {
  const factorBytes = (userCount + itemCount) * stride * 4;
  const forCache = Math.ceil(factorBytes / BLOCK_FACTOR_BYTES);
  return Math.max(1, Math.min(MAX_GRID_SIDE, userCount, itemCount, Math.max(8, forCache)));
}

const BLOCK_FACTOR_BYTES = 4 << 20;

/** The grid side a fit uses: `bins` if given (else the default), cut to the user and item counts. */
export function gridSideFor(bins: number | undefined, userCount: number, itemCount: number, stride: number): number {
  return Math.max(1, Math.min(bins ?? defaultGridSide(userCount, itemCount, stride), userCount, itemCount));
}

/**
 * Cuts users and items into G bins of consecutive ids holding about n/G ratings each, and
 * reorders the ratings in place, block by block. Consecutive ids matter: a block's factor rows
 * are then two contiguous stretches of memory (few TLB misses, whole pages reused), which measured
 * 2-3x faster than bins of scattered ids at 200,000 x 50,000. Cutting by rating counts rather than
 * id counts keeps blocks even when ids are numbered by first appearance (popular items first).
 * The reorder is an in-place distribution (American flag sort): no copy of the ratings is made.
 */
export function buildGrid(r: RatingsBlock, userCount: number, itemCount: number, side: number): BlockGrid {
  if (!Number.isInteger(side) || side < 1 || side > MAX_GRID_SIDE) throw new RangeError(`buildGrid: side ${side} outside 1..${MAX_GRID_SIDE}`);
  const users = r.users.array(), items = r.items.array();
  return gridFromBins(r, binsByCount(users, r.count, userCount, side), binsByCount(items, r.count, itemCount, side), side);
}

/** The grid of given bins (user u in userBin[u], item i in itemBin[i], each < side): the ratings reordered in place, block by block. */
export function gridFromBins(r: RatingsBlock, userBin: ArrayLike<number>, itemBin: ArrayLike<number>, side: number): BlockGrid {
  const users = r.users.array(), items = r.items.array(), values = r.values.array();
  const n = r.count, blockCount = side * side;
  const blockOf = (t: number): number => userBin[users[t]] * side + itemBin[items[t]];
  const start = new Uint32Array(blockCount + 1);
  for (let t = 0; t < n; t++) start[blockOf(t) + 1]++;
  for (let b = 0; b < blockCount; b++) start[b + 1] += start[b];
  const next = start.slice(0, blockCount);
  for (let b = 0; b < blockCount; b++) {
    const end = start[b + 1];
    while (next[b] < end) {
      const t = next[b], home = blockOf(t);
      if (home === b) {
        next[b]++;
        continue;
      }
      // Swap rating t into the next free slot of its own block; the one coming back is checked next.
      swapRatings(users, items, values, t, next[home]++);
    }
  }
  return { side, start };
}

/** Bin of each id: runs of consecutive ids, a new bin starting once n/G more ratings are covered. */
export function binsByCount(ids: Uint32Array, n: number, count: number, side: number): Uint8Array {
  const perId = new Uint32Array(count);
  for (let t = 0; t < n; t++) perId[ids[t]]++;
  const bin = new Uint8Array(count); // side <= MAX_GRID_SIDE = 256
  let covered = 0;
  for (let id = 0; id < count; id++) {
    // The bin an id falls in is where the middle of its ratings lies, so one heavy id cannot push
    // every later id into the last bin.
    bin[id] = Math.min(side - 1, Math.floor(((covered + perId[id] / 2) * side) / n));
    covered += perId[id];
  }
  return bin;
}

/**
 * A random epoch plan: random permutations σ of the user bins and τ of the item bins, and the G
 * diagonals in random order; round r with diagonal s runs blocks (σ(j), τ((j + s) mod G)) for
 * j = 0 .. G−1 — distinct user bins and distinct item bins, so no two share a row. Every block
 * runs once per epoch, with its own shuffle seed.
 */
export function planEpoch(side: number, random: RandomSource): BlockSchedule {
  const sigma = permutation(side, random), tau = permutation(side, random), diagonals = permutation(side, random);
  const blocks = new Uint32Array(side * side), seeds = new Uint32Array(side * side);
  for (let r = 0; r < side; r++) {
    for (let j = 0; j < side; j++) {
      blocks[r * side + j] = sigma[j] * side + tau[(j + diagonals[r]) % side];
    }
  }
  for (let e = 0; e < seeds.length; e++) seeds[e] = random.nextU32();
  return { side, blocks, seeds };
}

/** A seeded Fisher–Yates permutation of 0 .. n−1. */
export function permutation(n: number, random: RandomSource): Uint32Array {
  const p = new Uint32Array(n);
  for (let t = 0; t < n; t++) p[t] = t;
  for (let t = n - 1; t > 0; t--) {
    const j = random.nextInt(t + 1);
    const x = p[t];
    p[t] = p[j];
    p[j] = x;
  }
  return p;
}
