// numpy's legacy RandomState(seed): MT19937 (Matsumoto & Nishimura 1998) seeded by init_genrand,
// doubles from two draws (a>>5, b>>6), Gaussians by the polar method returning f*x2 first and
// caching f*x1. Surprise draws its initial factors from exactly this stream (p first, then q),
// so with `rng: 'mt19937'` and Surprise's order a model starts where Surprise's starts.
import type { RandomSource } from './random.js';

const N = 624;
const M = 397;

export class MT19937 implements RandomSource {
  private readonly mt = new Uint32Array(N);
  private index = N;
  private cachedGauss: number | undefined;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i (mod 2^32), split to stay exact in doubles.
      mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
  }

  nextU32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  nextFloat(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  nextInt(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  nextNormal(mean = 0, std = 1): number {
    if (this.cachedGauss !== undefined) {
      const g = this.cachedGauss;
      this.cachedGauss = undefined;
      return mean + std * g;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.nextFloat() - 1;
      x2 = 2 * this.nextFloat() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cachedGauss = f * x1;
    return mean + std * (f * x2);
  }
}
