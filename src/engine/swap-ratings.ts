// Ratings are three parallel arrays: moving one means moving all three.

/** Swaps ratings a and b of the parallel users/items/values arrays. */
export function swapRatings(users: Uint32Array, items: Uint32Array, values: Float32Array, a: number, b: number): void {
  const u = users[a], i = items[a], v = values[a];
  users[a] = users[b];
  items[a] = items[b];
  values[a] = values[b];
  users[b] = u;
  items[b] = i;
  values[b] = v;
}
