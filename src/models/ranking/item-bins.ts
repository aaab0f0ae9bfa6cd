// The item side of the blocked order of the sampling models (BPR, the hybrid): items in seeded
// random bins of equal size. Bins by interaction counts, as the rating models use, would put the
// few most popular items in one bin, and a bin's negatives would be popular items only.
import { gridSideFor, MAX_GRID_SIDE, permutation, type Engine, type U32 } from '../../engine/index.js';
import { binsOption, oneOf, orderThreadsOption } from '../core/options.js';
import type { RandomSource } from '../../util/random.js';

/** The orders of the sampling models: LIBMF's blocked grid, or every interaction shuffled. */
export type SamplingOrder = 'blocked' | 'shuffle';

/** order, then threads and bins (above 1 and set only with order 'blocked'). */
export function samplingOrderOptions(
  given: { order?: SamplingOrder; threads?: number | 'auto'; bins?: number },
  fallback: SamplingOrder,
): { order: SamplingOrder; threads: number | 'auto'; bins: number | undefined } {
  const order = oneOf<SamplingOrder>('order', given.order ?? fallback, ['blocked', 'shuffle']);
  return { order, threads: orderThreadsOption(given.threads, order), bins: binsOption(given.bins, order, MAX_GRID_SIDE) };
}

/** The fewest items an item bin holds: a negative is drawn from a real sample of the catalogue (a bin of two items would offer one negative). */
export const MIN_BIN_ITEMS = 64;

/** Items by bin (binItems[binStart[b] .. binStart[b + 1])) and each item's bin. */
export interface ItemBins {
  binItems: U32;
  binStart: U32;
  itemBin: U32;
}

/**
 * Bins per side: as the rating models' grid (about 4 MiB of factor rows a block, at least 8 bins),
 * or, with `blockBytes`, about that many bytes of parameters a block (`rowBytes` per user or item);
 * never bins below MIN_BIN_ITEMS items (a small catalogue is one block).
 */
export function samplingGridSide(bins: number | undefined, userCount: number, items: number, stride: number, perBlock?: { rowBytes: number; blockBytes: number }): number {
  const wanted = bins ?? (perBlock ? Math.max(8, Math.ceil(((userCount + items) * perBlock.rowBytes) / perBlock.blockBytes)) : undefined);
  return Math.max(1, Math.min(gridSideFor(wanted === undefined ? undefined : Math.min(wanted, MAX_GRID_SIDE), userCount, items, stride), Math.floor(items / MIN_BIN_ITEMS)));
}

/**
 * Items 0 .. items − 1 in `side` bins of equal size (±1) over a seeded random order; `itemCount`
 * (at least `items`) sizes itemBin, whose entries past `items` (items no interaction names: the
 * hybrid's cold items) are bin 0 and never read.
 */
export function itemBins(engine: Engine, items: number, itemCount: number, side: number, random: RandomSource): ItemBins {
  const order = engine.allocU32(items), itemBin = engine.allocU32(itemCount), binStart = engine.allocU32(side + 1);
  const binItems = order.array(), binOf = itemBin.array(), starts = binStart.array();
  binItems.set(permutation(items, random));
  // Position p of the order is in bin ⌊p·G/items⌋: G runs of equal size (±1).
  for (let b = 0; b <= side; b++) starts[b] = Math.ceil((b * items) / side);
  for (let p = 0; p < items; p++) binOf[binItems[p]] = Math.floor((p * side) / items);
  return { binItems: order, binStart, itemBin };
}
