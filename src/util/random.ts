// The seeded generators of the project. Everything random (init, shuffles, splits, generated
// data) draws from a SeededRandom, so a seed reproduces a model bit for bit on one engine and
// both engines see the same stream. Two sources of 32-bit words:
//   Random   xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32: the general one;
//   MT19937  numpy's legacy RandomState (./mt19937.ts): Surprise's init, for exact parity.
// Only 32-bit integer operations and exact double arithmetic, so every JS engine gives the same
// stream.

/** What models, splits and generators draw from. */
export interface RandomSource {
  /**
   * The next uniform 32-bit unsigned integer.
   *
   * @returns An integer in [0, 2^32).
   */
  nextU32(): number;
  /**
   * A uniform number in [0, 1) with 53 random bits.
   *
   * @returns The number.
   */
  nextFloat(): number;
  /**
   * A uniform integer in [0, n), without bias.
   *
   * @param n - The bound, 1 <= n <= 2^32 (n <= 1 gives 0).
   * @returns The integer.
   */
  nextInt(n: number): number;
  /**
   * A normal draw.
   *
   * @param mean - The mean (default 0).
   * @param std - The standard deviation (default 1).
   * @returns The draw.
   */
  nextNormal(mean?: number, std?: number): number;
  /**
   * out[from .. to) = successive nextNormal(mean, std) draws: the same values, faster.
   *
   * @param out - The array to fill.
   * @param from - First index written.
   * @param to - One past the last index written.
   * @param mean - The mean.
   * @param std - The standard deviation.
   */
  fillNormal(out: Float32Array | Float64Array, from: number, to: number, mean: number, std: number): void;
}

/** The draws every seeded generator shares, from a subclass's 32-bit words. */
export abstract class SeededRandom implements RandomSource {
  // The second normal of each polar pair, held as a plain double with a flag: a field that took
  // both undefined and numbers would box every stored double (an allocation per draw).
  private cachedNormal = 0;
  private hasCachedNormal = false;

  /**
   * Uniform 32-bit unsigned integer.
   *
   * @returns An integer in [0, 2^32).
   */
  abstract nextU32(): number;

  /**
   * Uniform in [0, 1) with 53 random bits, from two words (numpy's random_double).
   *
   * @returns The number.
   */
  nextFloat(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Uniform integer in [0, n), 1 <= n <= 2^32, without bias: Lemire's multiply-shift with
   * rejection ("Fast random integer generation in an interval", 2019). For n <= 2^21 the product
   * is exact in a double; larger n use rejection of the tail and a remainder.
   *
   * @param n - The bound, 1 <= n <= 2^32 (n <= 1 gives 0).
   * @returns The integer.
   */
  nextInt(n: number): number {
    if (n <= 1) return 0;
    if (n <= 0x200000) {
      let m = this.nextU32() * n;
      let low = m >>> 0; // m mod 2^32, exact below 2^53
      if (low < n) {
        const threshold = (0x100000000 - n) % n;
        while (low < threshold) {
          m = this.nextU32() * n;
          low = m >>> 0;
        }
      }
      return Math.floor(m / 0x100000000);
    }
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /**
   * Normal(mean, std) by the Marsaglia polar method, in numpy's legacy order: each accepted pair
   * (x1, x2) yields f*x2 now and f*x1 on the next call.
   *
   * @param mean - The mean.
   * @param std - The standard deviation.
   * @returns The draw.
   */
  nextNormal(mean = 0, std = 1): number {
    if (this.hasCachedNormal) {
      this.hasCachedNormal = false;
      return mean + std * this.cachedNormal;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.nextFloat() - 1;
      x2 = 2 * this.nextFloat() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cachedNormal = f * x1;
    this.hasCachedNormal = true;
    return mean + std * (f * x2);
  }

  /**
   * out[from .. to) = successive nextNormal(mean, std) draws.
   *
   * @param out - The array to fill.
   * @param from - First index written.
   * @param to - One past the last index written.
   * @param mean - The mean.
   * @param std - The standard deviation.
   */
  fillNormal(out: Float32Array | Float64Array, from: number, to: number, mean: number, std: number): void {
    for (let t = from; t < to; t++) out[t] = this.nextNormal(mean, std);
  }

  /** The pending second normal of a polar pair, for a subclass's fillNormal (then cleared). */
  protected takeCachedNormal(): number | undefined {
    if (!this.hasCachedNormal) return undefined;
    this.hasCachedNormal = false;
    return this.cachedNormal;
  }

  /** Leaves z as the pending second normal (a subclass's fillNormal that ends mid-pair). */
  protected putCachedNormal(z: number): void {
    this.cachedNormal = z;
    this.hasCachedNormal = true;
  }

  /**
   * Fisher–Yates permutation of 0..n-1.
   *
   * @param n - The number of elements.
   * @returns A random ordering of 0..n-1.
   */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let t = 0; t < n; t++) p[t] = t;
    this.shuffle(p);
    return p;
  }

  /**
   * In-place Fisher–Yates shuffle.
   *
   * @param a - The array to shuffle (any array-like of numbers, typed arrays included).
   */
  shuffle(a: { length: number; [i: number]: number }): void {
    for (let t = a.length - 1; t > 0; t--) {
      const j = this.nextInt(t + 1);
      const tmp = a[t];
      a[t] = a[j];
      a[j] = tmp;
    }
  }
}

/**
 * The library's seeded generator: xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32.
 * Everything random in latentrec (initialization, shuffles, splits, generated data) draws from a
 * seeded generator, so a seed reproduces a model bit for bit on one engine; the stream uses only
 * 32-bit integer operations and exact double arithmetic, so every JavaScript engine gives the
 * same one. Use it for your own reproducible draws.
 *
 * @example
 * ```ts
 * import { Random } from 'latentrec';
 *
 * const random = new Random(42);
 * random.nextInt(6);        // an integer in 0..5
 * random.permutation(10);   // Uint32Array: 0..9 in a random order
 * ```
 */
export class Random extends SeededRandom {
  // State in a typed array: int32 values past V8's small-integer range would be boxed in fields.
  private readonly s = new Int32Array(4);

  /**
   * A generator whose stream is fixed by `seed`.
   *
   * @param seed - The seed; taken as an unsigned 32-bit integer (`seed >>> 0`), so seeds equal modulo 2^32 give the same stream.
   */
  constructor(seed: number) {
    super();
    let x = seed >>> 0;
    for (let k = 0; k < 4; k++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[k] = z ^ (z >>> 16);
    }
  }

  /**
   * Uniform 32-bit unsigned integer: the next word of xoshiro128**.
   *
   * @returns An integer in [0, 2^32).
   */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * The polar method of nextNormal with xoshiro128**'s state in locals: the same draws (each
   * 53-bit float from two words, as nextFloat), about four times faster than a call per value,
   * which matters when initializing millions of factors.
   *
   * @param out - The array to fill.
   * @param from - First index written.
   * @param to - One past the last index written.
   * @param mean - The mean.
   * @param std - The standard deviation.
   */
  override fillNormal(out: Float32Array | Float64Array, from: number, to: number, mean: number, std: number): void {
    let t = from;
    const pending = this.takeCachedNormal();
    if (pending !== undefined && t < to) out[t++] = mean + std * pending;
    else if (pending !== undefined) this.putCachedNormal(pending);
    const s = this.s;
    let s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    while (t < to) {
      let x1: number, x2: number, r2: number;
      do {
        // Four words: two 53-bit floats. The xoshiro128** step is written out (a closure over
        // the state measured slower than the calls it replaces).
        let a = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 5;
        let x = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= x; s3 = rotl(s3, 11);
        let b = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 6;
        x = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= x; s3 = rotl(s3, 11);
        x1 = 2 * ((a * 67108864 + b) / 9007199254740992) - 1;
        a = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 5;
        x = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= x; s3 = rotl(s3, 11);
        b = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 6;
        x = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= x; s3 = rotl(s3, 11);
        x2 = 2 * ((a * 67108864 + b) / 9007199254740992) - 1;
        r2 = x1 * x1 + x2 * x2;
      } while (r2 >= 1 || r2 === 0);
      const f = Math.sqrt((-2 * Math.log(r2)) / r2);
      out[t++] = mean + std * (f * x2);
      if (t < to) out[t++] = mean + std * (f * x1);
      else this.putCachedNormal(f * x1);
    }
    s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
