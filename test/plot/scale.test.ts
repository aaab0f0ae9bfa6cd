import { describe, expect, it } from 'vitest';
import { extent, linearScale, niceTicks } from '../../src/plot/scale.js';

describe('niceTicks', () => {
  it('0.68..1.05 with at most 8 intervals: step 0.05 from 0.65 to 1.05', () => {
    const t = niceTicks(0.68, 1.05, { maxIntervals: 8 });
    expect(t.step).toBe(0.05);
    expect(t.labels).toEqual(['0.65', '0.70', '0.75', '0.80', '0.85', '0.90', '0.95', '1.00', '1.05']);
    expect(t.min).toBeCloseTo(0.65, 12);
    expect(t.max).toBeCloseTo(1.05, 12);
    t.values.forEach((v, i) => expect(v).toBeCloseTo(0.65 + 0.05 * i, 12));
  });

  it('is not thrown off by floating-point noise at range ends that sit on a tick', () => {
    // 0.3 / 0.1 = 2.9999999999999996 and 0.07 / 0.01 = 7.000000000000001 in floating point
    expect(niceTicks(0.3, 0.7, { maxIntervals: 4 }).labels).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7']);
    expect(niceTicks(0.01, 0.07, { maxIntervals: 6 }).labels).toEqual(['0.01', '0.02', '0.03', '0.04', '0.05', '0.06', '0.07']);
  });

  it('0.68..1.05 with at most 5 intervals: step 0.1 from 0.6 to 1.1', () => {
    const t = niceTicks(0.68, 1.05, { maxIntervals: 5 });
    expect(t.step).toBe(0.1);
    expect(t.labels).toEqual(['0.6', '0.7', '0.8', '0.9', '1.0', '1.1']);
  });

  it('1..60 with at most 6 intervals: 0, 10, ..., 60', () => {
    const t = niceTicks(1, 60, { maxIntervals: 6 });
    expect(t.values).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(t.labels).toEqual(['0', '10', '20', '30', '40', '50', '60']);
  });

  it('a range across zero has a plain 0 tick, never -0', () => {
    // step 0.2 would need floor(-1.5) = -2 .. ceil(3.5) = 4, 6 intervals > 5; step 0.5 needs -1 .. 2
    const t = niceTicks(-0.3, 0.7, { maxIntervals: 5 });
    expect(t.step).toBe(0.5);
    expect(t.labels).toEqual(['-0.5', '0.0', '0.5', '1.0']);
    expect(Object.is(t.values[1], -0)).toBe(false);
  });

  it('integer ticks never step below 1', () => {
    expect(niceTicks(1, 3, { maxIntervals: 10 }).step).toBe(0.2);
    const t = niceTicks(1, 3, { maxIntervals: 10, integer: true });
    expect(t.values).toEqual([1, 2, 3]);
    expect(t.labels).toEqual(['1', '2', '3']);
  });

  it('widens a zero-width range around its value', () => {
    const t = niceTicks(5, 5, { maxIntervals: 8 });
    expect(t.min).toBeLessThan(5);
    expect(t.max).toBeGreaterThan(5);
    const z = niceTicks(0, 0, { maxIntervals: 4 });
    expect(z.values).toEqual([-1, -0.5, 0, 0.5, 1]);
  });

  it('always covers the range with the smallest 1-2-5 step that fits (random ranges)', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 500; trial++) {
      const scale = 10 ** Math.floor(random() * 12 - 6);
      const a = (random() * 2 - 1) * scale * 10;
      const b = a + random() * scale * 10;
      const maxIntervals = 2 + Math.floor(random() * 9);
      const t = niceTicks(a, b, { maxIntervals });
      const exponent = Math.floor(Math.log10(t.step) + 1e-9);
      const mantissa = Math.round(t.step / 10 ** exponent);
      expect([1, 2, 5]).toContain(mantissa);
      expect(t.min).toBeLessThanOrEqual(a + Math.abs(a) * 1e-12);
      expect(t.max).toBeGreaterThanOrEqual(b - Math.abs(b) * 1e-12);
      expect(t.values.length - 1).toBeLessThanOrEqual(maxIntervals);
      expect(t.labels.length).toBe(t.values.length);
      for (let i = 1; i < t.values.length; i++) expect(t.values[i]! - t.values[i - 1]!).toBeCloseTo(t.step, 9 - exponent);
      // the next smaller nice step would need more intervals than allowed
      const smaller = mantissa === 1 ? 5 * 10 ** (exponent - 1) : mantissa === 2 ? 10 ** exponent : 2 * 10 ** exponent;
      if (b - a > 0) {
        const needed = Math.ceil(b / smaller - 1e-9) - Math.floor(a / smaller + 1e-9);
        expect(needed).toBeGreaterThan(maxIntervals);
      }
    }
  });

  it('refuses a non-finite range', () => {
    expect(() => niceTicks(0, NaN, { maxIntervals: 5 })).toThrow(/finite/);
    expect(() => niceTicks(-Infinity, 1, { maxIntervals: 5 })).toThrow(/finite/);
  });
});

describe('linearScale', () => {
  it('maps a hand-worked x axis: 0..60 onto pixels 64..464', () => {
    const sx = linearScale([0, 60], [64, 464]);
    expect(sx(0)).toBe(64);
    expect(sx(60)).toBe(464);
    expect(sx(15)).toBeCloseTo(164, 12); // 64 + 15/60 * 400
  });

  it('maps a hand-worked y axis upside down: 0.65..1.05 onto pixels 383..44', () => {
    const sy = linearScale([0.65, 1.05], [383, 44]);
    expect(sy(0.65)).toBeCloseTo(383, 12);
    expect(sy(1.05)).toBeCloseTo(44, 12);
    expect(sy(0.85)).toBeCloseTo(213.5, 9); // halfway
    expect(sy(0.75)).toBeCloseTo(298.25, 9); // a quarter of 339 px above the bottom
  });

  it('refuses a zero-width domain', () => {
    expect(() => linearScale([1, 1], [0, 100])).toThrow(/distinct/);
  });
});

describe('extent', () => {
  it('skips non-finite values and pads by a fraction of the span', () => {
    expect(extent([1, NaN, 3, Infinity, -Infinity])).toEqual([1, 3]);
    expect(extent([1, NaN, 3], 0.5)).toEqual([0, 4]);
    expect(extent([NaN, Infinity])).toBeUndefined();
  });
});
