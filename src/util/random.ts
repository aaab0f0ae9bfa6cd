// The one seeded generator of the project (init, shuffles, splits, generated data), so a seed
// reproduces a model bit for bit on one engine and both engines see the same random stream.
// xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32; 32-bit integer ops only, so it
// gives the same stream in every JavaScript engine.

/** What models, splits and generators draw from. */
export interface RandomSource {
  nextU32(): number;
  nextFloat(): number;
  nextInt(n: number): number;
  nextNormal(mean?: number, std?: number): number;
}

export class Random implements RandomSource {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), 1 <= n <= 2^32, without modulo bias (rejection of the tail). */
  nextInt(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Normal(mean, std) by the Marsaglia polar method; pairs are used in order. */
  nextNormal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let x: number, y: number, s: number;
    do {
      x = 2 * this.nextFloat() - 1;
      y = 2 * this.nextFloat() - 1;
      s = x * x + y * y;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = y * m;
    return mean + std * x * m;
  }

  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let t = 0; t < n; t++) p[t] = t;
    this.shuffle(p);
    return p;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle(a: { length: number; [i: number]: number }): void {
    for (let t = a.length - 1; t > 0; t--) {
      const j = this.nextInt(t + 1);
      const tmp = a[t];
      a[t] = a[j];
      a[j] = tmp;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
