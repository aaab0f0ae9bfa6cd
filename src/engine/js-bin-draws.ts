// The js twin of assembly/bin-draws.ts: xorshift32 draws of the blocked sampling orders (BPR, the
// hybrid), from a block's seed, uniformly from an item bin.
import { sortedContains } from '../util/sorted.js';

/** The most draws for one verified negative (then the last is kept). */
const MAX_DRAWS = 32;

export function xorshift32(x: number): number {
  x = (x ^ (x << 13)) >>> 0;
  x = (x ^ (x >>> 17)) >>> 0;
  return (x ^ (x << 5)) >>> 0;
}

/** One block's draws: its state starts from the seed mixed with a constant (the shuffle's stream differs). */
export class BinDraws {
  private x: number;

  constructor(seed: number) {
    const x = (seed ^ 0x5bd1e995) >>> 0;
    this.x = x !== 0 ? x : 0x9e3779b9;
  }

  /** The next item of the bin binItems[lo .. lo + size). */
  item(binItems: Uint32Array, lo: number, size: number): number {
    this.x = xorshift32(this.x);
    return binItems[lo + (this.x % size)];
  }

  /** A negative for user u from the bin, redrawn while the user has it when `verify` (at most MAX_DRAWS draws). */
  negative(binItems: Uint32Array, lo: number, size: number, verify: boolean, seenStart: Uint32Array, seenItems: Uint32Array, u: number): number {
    let j = 0;
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      j = this.item(binItems, lo, size);
      if (!verify || !sortedContains(seenItems, seenStart[u], seenStart[u + 1], j)) break;
    }
    return j;
  }
}
