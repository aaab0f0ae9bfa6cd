// The order in which an epoch visits the ratings. The host rearranges the parallel arrays in
// engine memory; the kernel always walks them front to back.
import type { RatingsBlock } from '../engine/index.js';
import type { RandomSource } from '../util/random.js';

/** Fisher–Yates over the three parallel arrays at once. */
export function shuffleTogether(r: RatingsBlock, random: RandomSource): void {
  const users = r.users.array(), items = r.items.array(), values = r.values.array();
  for (let t = r.count - 1; t > 0; t--) {
    const j = random.nextInt(t + 1);
    const u = users[t], i = items[t], v = values[t];
    users[t] = users[j];
    items[t] = items[j];
    values[t] = values[j];
    users[j] = u;
    items[j] = i;
    values[j] = v;
  }
}

/**
 * Stable counting sort by user id: Surprise's `all_ratings()` order (users in order of first
 * appearance, which is internal-id order; each user's ratings in input order).
 */
export function groupByUser(r: RatingsBlock, userCount: number): void {
  const users = r.users.array(), items = r.items.array(), values = r.values.array();
  const start = new Uint32Array(userCount + 1);
  for (let t = 0; t < r.count; t++) start[users[t] + 1]++;
  for (let u = 0; u < userCount; u++) start[u + 1] += start[u];
  const u2 = new Uint32Array(r.count), i2 = new Uint32Array(r.count), v2 = new Float32Array(r.count);
  for (let t = 0; t < r.count; t++) {
    const at = start[users[t]]++;
    u2[at] = users[t];
    i2[at] = items[t];
    v2[at] = values[t];
  }
  users.set(u2);
  items.set(i2);
  values.set(v2);
}
