// numpy's legacy RandomState(seed): MT19937 (Matsumoto & Nishimura 1998) seeded by init_genrand;
// doubles and polar-method Gaussians come from SeededRandom, which follows numpy's legacy order.
// Surprise draws its initial factors from exactly this stream (p first, then q), so with
// `rng: 'mt19937'` and Surprise's order a model starts where Surprise's starts.
import { SeededRandom } from './random.js';

const N = 624;
const M = 397;

/** numpy's legacy RandomState(seed) stream, for Surprise's initialization (`rng: 'mt19937'`). */
export class MT19937 extends SeededRandom {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    super();
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i (mod 2^32), split to stay exact in doubles.
      mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
  }

  /** Regenerates all 624 words (the reference genrand's three loops, no modulo in the hot path). */
  private twist(): void {
    const mt = this.mt;
    let k = 0;
    for (; k < N - M; k++) mt[k] = mt[k + M] ^ mix(mt[k], mt[k + 1]);
    for (; k < N - 1; k++) mt[k] = mt[k + M - N] ^ mix(mt[k], mt[k + 1]);
    mt[N - 1] = mt[M - 1] ^ mix(mt[N - 1], mt[0]);
    this.index = 0;
  }

  nextU32(): number {
    const mt = this.mt;
    if (this.index >= N) this.twist();
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

function mix(upper: number, lower: number): number {
  const y = (upper & 0x80000000) | (lower & 0x7fffffff);
  return (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
}
