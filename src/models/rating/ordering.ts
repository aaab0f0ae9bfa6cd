// The order in which an epoch visits the ratings. The host rearranges the parallel arrays in
// engine memory; the kernel always walks them front to back.
import { groupRows } from '../../data/group.js';
import type { RatingsBlock } from '../../engine/index.js';
import { swapRatings } from '../../engine/swap-ratings.js';
import type { RandomSource } from '../../util/random.js';

/** Fisher–Yates over the three parallel arrays at once. */
export function shuffleTogether(r: RatingsBlock, random: RandomSource): void {
  const users = r.users.array(), items = r.items.array(), values = r.values.array();
  for (let t = r.count - 1; t > 0; t--) {
    swapRatings(users, items, values, t, random.nextInt(t + 1));
  }
}

/**
 * Stable counting sort by user id: Surprise's `all_ratings()` order (users in order of first
 * appearance, which is internal-id order; each user's ratings in input order).
 */
export function groupByUser(r: RatingsBlock, userCount: number): void {
  const users = r.users.array(), items = r.items.array(), values = r.values.array();
  const { rows } = groupRows(users, userCount);
  const u2 = rows.map((row) => users[row]);
  const i2 = rows.map((row) => items[row]);
  const v2 = Float32Array.from(rows, (row) => values[row]);
  users.set(u2);
  items.set(i2);
  values.set(v2);
}
