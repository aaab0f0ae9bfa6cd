// The js twin of assembly/ease.ts: the same loops in the same order of operations (its blocked
// lowerGram adds each element's terms in this unblocked loop's order). f64 throughout; B in f32.
import { choleskyRows } from './js-vector64.js';
import type { F32, F64, U32 } from './types.js';

export function easeGram(start: U32, cols: U32, users: number, Ah: F64, m: number): void {
  const st = start.array(), c = cols.array(), A = Ah.array();
  for (let u = 0; u < users; u++) {
    for (let a = st[u]; a < st[u + 1]; a++) {
      const row = c[a] * m;
      for (let b = st[u]; b <= a; b++) A[row + c[b]] += 1;
    }
  }
}

export function choleskyLower(Ah: F64, first: number, end: number, m: number): number {
  return choleskyRows(Ah.array(), first, end, m);
}

export function invertLower(Ah: F64, first: number, end: number, m: number, tmpH: F64): void {
  const A = Ah.array(), tmp = tmpH.array();
  for (let i = first; i < end; i++) {
    const ri = i * m;
    for (let j = 0; j <= i; j++) tmp[j] = A[ri + j];
    A.fill(0, ri, ri + i);
    for (let k = 0; k < i; k++) {
      const c = tmp[k], rk = k * m;
      for (let j = 0; j <= k; j++) A[ri + j] += c * A[rk + j];
    }
    const d = 1 / tmp[i];
    for (let j = 0; j < i; j++) A[ri + j] = A[ri + j] * -d;
    A[ri + i] = d;
  }
}

export function lowerGram(Ah: F64, first: number, end: number, m: number, tmpH: F64): void {
  const A = Ah.array(), tmp = tmpH.array();
  for (let k = first; k < end; k++) {
    const rk = k * m;
    for (let j = 0; j <= k; j++) tmp[j] = A[rk + j];
    for (let i = 0; i < k; i++) {
      const c = tmp[i], ri = i * m;
      for (let j = 0; j <= i; j++) A[ri + j] += c * tmp[j];
    }
    const c = tmp[k];
    for (let j = 0; j <= k; j++) A[rk + j] = c * tmp[j];
  }
}

export function easeWeights(Ah: F64, n: number, m: number, Bh: F32, s: number): void {
  const A = Ah.array(), B = Bh.array();
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const p = i <= j ? A[j * m + i] : A[i * m + j];
      B[j * s + i] = i === j ? 0 : -p / A[i * m + i];
    }
  }
}

export function sumRows(Bh: F32, s: number, rowsH: U32, count: number, outH: F32): void {
  const B = Bh.array(), rows = rowsH.array(), out = outH.array();
  out.fill(0, 0, s);
  for (let t = 0; t < count; t++) {
    const r = rows[t] * s;
    for (let f = 0; f < s; f++) out[f] = Math.fround(out[f] + B[r + f]);
  }
}
