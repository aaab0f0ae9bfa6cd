// The seeded generators of the project. Everything random (init, shuffles, splits, generated
// data) draws from a SeededRandom, so a seed reproduces a model bit for bit on one engine and
// both engines see the same stream. Two sources of 32-bit words:
//   Random   xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32: the general one;
//   MT19937  numpy's legacy RandomState (./mt19937.ts): Surprise's init, for exact parity.
// Only 32-bit integer operations and exact double arithmetic, so every JS engine gives the same
// stream.

/** What models, splits and generators draw from. */
export interface RandomSource {
  nextU32(): number;
  nextFloat(): number;
  nextInt(n: number): number;
  nextNormal(mean?: number, std?: number): number;
}

export abstract class SeededRandom implements RandomSource {
  private cachedNormal: number | undefined;

  /** Uniform 32-bit unsigned integer. */
  abstract nextU32(): number;

  /** Uniform in [0, 1) with 53 random bits, from two words (numpy's random_double). */
  nextFloat(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
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

  /**
   * Normal(mean, std) by the Marsaglia polar method, in numpy's legacy order: each accepted pair
   * (x1, x2) yields f*x2 now and f*x1 on the next call.
   */
  nextNormal(mean = 0, std = 1): number {
    if (this.cachedNormal !== undefined) {
      const z = this.cachedNormal;
      this.cachedNormal = undefined;
      return mean + std * z;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.nextFloat() - 1;
      x2 = 2 * this.nextFloat() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cachedNormal = f * x1;
    return mean + std * (f * x2);
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

export class Random extends SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    super();
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
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
