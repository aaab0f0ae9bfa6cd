import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/util/crc32.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('crc32', () => {
  it('matches the standard check value and other known vectors', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('is unsigned and can be continued chunk by chunk', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, t) => (t * 31 + 7) & 0xff);
    const whole = crc32(bytes);
    expect(whole).toBeGreaterThanOrEqual(0);
    expect(whole).toBeLessThan(2 ** 32);
    expect(crc32(bytes.subarray(300), crc32(bytes.subarray(0, 300)))).toBe(whole);
  });

  it('works on views with an offset into a larger buffer', () => {
    const big = new Uint8Array(20);
    big.set(ascii('123456789'), 5);
    expect(crc32(big.subarray(5, 14))).toBe(0xcbf43926);
  });

  it('changes for every single-bit flip of a short message', () => {
    const base = ascii('latentrec');
    const c = crc32(base);
    for (let t = 0; t < base.length * 8; t++) {
      const m = base.slice();
      m[t >> 3] ^= 1 << (t & 7);
      expect(crc32(m)).not.toBe(c);
    }
  });
});
