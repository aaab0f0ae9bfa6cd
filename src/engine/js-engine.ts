// The pure-TypeScript twin of assembly/: the same loops in the same order of operations, with
// Math.fround after every f32 operation, so it agrees with the wasm kernels to float tolerance
// (often bit for bit). Dot products keep four lane partial sums, folded ((l0+l1)+l2)+l3.
import type { BiasedRates, Engine, F32, FactorBlock, Handle, RatingsBlock, U32 } from './types.js';

const f = Math.fround;

class ArrayHandle<T extends Float32Array | Uint32Array> implements Handle<T> {
  constructor(private readonly data: T) {}
  get length(): number {
    return this.data.length;
  }
  array(): T {
    return this.data;
  }
}

function dot(P: Float32Array, pu: number, Q: Float32Array, qi: number, stride: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < stride; k += 4) {
    s0 = f(s0 + f(P[pu + k] * Q[qi + k]));
    s1 = f(s1 + f(P[pu + k + 1] * Q[qi + k + 1]));
    s2 = f(s2 + f(P[pu + k + 2] * Q[qi + k + 2]));
    s3 = f(s3 + f(P[pu + k + 3] * Q[qi + k + 3]));
  }
  return f(f(f(s0 + s1) + s2) + s3);
}

function updatePair(
  P: Float32Array, pu: number, Q: Float32Array, qi: number, stride: number,
  e: number, lrP: number, regP: number, lrQ: number, regQ: number,
): void {
  for (let k = 0; k < stride; k++) {
    const p = P[pu + k];
    const q = Q[qi + k];
    P[pu + k] = f(p + f(lrP * f(f(e * q) - f(regP * p))));
    Q[qi + k] = f(q + f(lrQ * f(f(e * p) - f(regQ * q))));
  }
}

export class JsEngine implements Engine {
  readonly name = 'js' as const;
  readonly variant = 'js' as const;

  allocF32(length: number): F32 {
    return new ArrayHandle(new Float32Array(length));
  }
  allocU32(length: number): U32 {
    return new ArrayHandle(new Uint32Array(length));
  }
  // Plain arrays are collected by the garbage collector.
  mark(): number {
    return 0;
  }
  release(): void {}

  sgdEpochBiased(r: RatingsBlock, fb: FactorBlock, x: BiasedRates): number {
    const users = r.users.array(), items = r.items.array(), values = r.values.array();
    const P = fb.P.array(), Q = fb.Q.array(), bu = fb.bu.array(), bi = fb.bi.array();
    const stride = fb.stride;
    const mu = f(x.mu), lrBu = f(x.lrBu), lrBi = f(x.lrBi), lrPu = f(x.lrPu), lrQi = f(x.lrQi);
    const regBu = f(x.regBu), regBi = f(x.regBi), regPu = f(x.regPu), regQi = f(x.regQi);
    let sse = 0;
    for (let t = 0; t < r.count; t++) {
      const u = users[t], i = items[t];
      const pu = u * stride, qi = i * stride;
      const bU = bu[u], bI = bi[i];
      const e = f(values[t] - f(f(f(mu + bU) + bI) + dot(P, pu, Q, qi, stride)));
      sse += e * e;
      bu[u] = f(bU + f(lrBu * f(e - f(regBu * bU))));
      bi[i] = f(bI + f(lrBi * f(e - f(regBi * bI))));
      updatePair(P, pu, Q, qi, stride, e, lrPu, regPu, lrQi, regQi);
    }
    return sse;
  }

  sgdEpochPlain(r: RatingsBlock, fb: FactorBlock, x: BiasedRates): number {
    const users = r.users.array(), items = r.items.array(), values = r.values.array();
    const P = fb.P.array(), Q = fb.Q.array();
    const stride = fb.stride;
    const lrPu = f(x.lrPu), lrQi = f(x.lrQi), regPu = f(x.regPu), regQi = f(x.regQi);
    let sse = 0;
    for (let t = 0; t < r.count; t++) {
      const pu = users[t] * stride, qi = items[t] * stride;
      const e = f(values[t] - dot(P, pu, Q, qi, stride));
      sse += e * e;
      updatePair(P, pu, Q, qi, stride, e, lrPu, regPu, lrQi, regQi);
    }
    return sse;
  }

  predictPairs(users: U32, items: U32, count: number, fb: FactorBlock, mu: number, lo: number, hi: number, out: F32): void {
    const us = users.array(), is = items.array(), o = out.array();
    const P = fb.P.array(), Q = fb.Q.array(), bu = fb.bu.array(), bi = fb.bi.array();
    const stride = fb.stride;
    const m = f(mu), l = f(lo), h = f(hi);
    for (let t = 0; t < count; t++) {
      const u = us[t], i = is[t];
      const est = f(f(f(m + bu[u]) + bi[i]) + dot(P, u * stride, Q, i * stride, stride));
      o[t] = Math.min(h, Math.max(l, est));
    }
  }

  scoreItems(user: number, fb: FactorBlock, itemCount: number, base: number, out: F32): void {
    const o = out.array(), P = fb.P.array(), Q = fb.Q.array(), bi = fb.bi.array();
    const stride = fb.stride, b = f(base), pu = user * stride;
    for (let i = 0; i < itemCount; i++) o[i] = f(f(b + bi[i]) + dot(P, pu, Q, i * stride, stride));
  }
}
