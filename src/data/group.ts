// Rows grouped by a key (user, usually) with a stable counting sort: O(n + keys), no comparisons.

export interface Groups {
  /** Rows of key g are rows[start[g] .. start[g + 1]), in their original order. */
  start: Uint32Array;
  rows: Uint32Array;
}

export function groupRows(keys: Uint32Array, keyCount: number): Groups {
  const n = keys.length;
  const start = new Uint32Array(keyCount + 1);
  for (let t = 0; t < n; t++) start[keys[t] + 1]++;
  for (let g = 0; g < keyCount; g++) start[g + 1] += start[g];
  const next = start.slice(0, keyCount);
  const rows = new Uint32Array(n);
  for (let t = 0; t < n; t++) rows[next[keys[t]]++] = t;
  return { start, rows };
}
