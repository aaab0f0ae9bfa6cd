// The random draws of the blocked sampling orders (BPR, the hybrid): each block draws its items
// by xorshift32 from its seed mixed with a constant (so the stream differs from its shuffle's),
// uniformly from an item bin. The js twin is src/engine/js-bin-draws.ts.
import { isSeen } from "./sorted";

// The most draws for one verified negative: a user who has most items of a bin would otherwise
// loop for long (or forever, with all of them); after this many the last draw is kept.
// @ts-ignore: decorator
@inline const MAX_DRAWS: i32 = 32;

// @ts-ignore: decorator
@inline export function xorshift32(x: u32): u32 {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

// A block's first draw state.
// @ts-ignore: decorator
@inline export function drawState(seed: u32): u32 {
  const x = seed ^ 0x5bd1e995;
  return x != 0 ? x : 0x9e3779b9;
}

// The item at draw state x from the bin binItems[lo .. lo + size).
// @ts-ignore: decorator
@inline export function binItem(binItems: usize, lo: u32, size: u32, x: u32): u32 {
  return load<u32>(binItems + (<usize>(lo + x % size) << 2));
}

// Stores at `out` a negative for user u from the bin binItems[lo .. lo + size), redrawn while the
// user has it when `verify` (at most MAX_DRAWS draws, then the last is kept); returns the state.
// @ts-ignore: decorator
@inline export function drawNegative(
  x: u32, binItems: usize, lo: u32, size: u32, verify: bool, seenStart: usize, seenItems: usize, u: u32, out: usize
): u32 {
  let j: u32 = 0;
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    x = xorshift32(x);
    j = binItem(binItems, lo, size, x);
    if (!verify || !isSeen(seenStart, seenItems, u, j)) break;
  }
  store<u32>(out, j);
  return x;
}
