// Grouping rows by key with counting sorts: each key's values in input order (groupValues) or
// ascending (sortedGroupValues), checked against grouping by hand and a comparison sort.
import { describe, expect, it } from 'vitest';
import { groupValues, sortedGroupValues } from '../../src/data/group.js';
import { mulberry32 } from '../prng.js';

describe('grouping by key', () => {
  it('sortedGroupValues: every key\'s values ascending (repeats kept), the starts as groupValues gives', () => {
    const rand = mulberry32(4), n = 5_000, keys = new Uint32Array(n), values = new Uint32Array(n);
    for (let t = 0; t < n; t++) {
      keys[t] = Math.floor(rand() * 97);
      values[t] = Math.floor(rand() * 300);
    }
    const plain = groupValues(keys, 100, values), sorted = sortedGroupValues(keys, 100, values, 300);
    expect(Array.from(sorted.start)).toEqual(Array.from(plain.start));
    for (let key = 0; key < 100; key++) {
      const by = (g: { start: Uint32Array; values: Uint32Array }) => Array.from(g.values.subarray(g.start[key], g.start[key + 1]));
      const expected = values.filter((_, t) => keys[t] === key);
      expect(by(plain)).toEqual(Array.from(expected));
      expect(by(sorted)).toEqual(Array.from(expected).sort((a, b) => a - b));
    }
  });
});
