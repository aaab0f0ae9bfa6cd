// The js twin of assembly/ease.ts: the same loops in the same order of operations (its four-row
// blocks add each element's terms in this unblocked loop's order). f64 throughout; B in f32.
import { dot64 } from './js-vector64.js';
import type { F32, F64, U32 } from './types.js';

export function easeGram(start: U32, cols: U32, users: number, Ah: F64, m: number, first: number, end: number): void {
  const st = start.array(), c = cols.array(), A = Ah.array();
  for (let u = 0; u < users; u++) {
    for (let a = st[u]; a < st[u + 1]; a++) {
      if (c[a] < first || c[a] >= end) continue;
      const row = c[a] * m;
      for (let b = st[u]; b <= a; b++) A[row + c[b]] += 1;
    }
  }
}

export function choleskyLower(Ah: F64, first: number, end: number, m: number, from: number, to: number): number {
  const A = Ah.array();
  for (let i = first; i < end; i++) {
    const ri = i * m;
    for (let j = from; j < Math.min(i, to); j++) A[ri + j] = (A[ri + j] - dot64(A, ri, A, j * m, j)) / A[j * m + j];
    if (i >= to) continue;
    const d = A[ri + i] - dot64(A, ri, A, ri, i);
    if (!(d > 0)) return i + 1;
    A[ri + i] = Math.sqrt(d);
  }
  return 0;
}

export function invertLower(Ah: F64, first: number, end: number, m: number, tmpH: F64, from: number, to: number): void {
  const A = Ah.array(), tmp = tmpH.array();
  for (let i = first; i < end; i++) {
    const ri = i * m, hi = Math.min(i, to);
    for (let k = from; k < hi; k++) tmp[k] = A[ri + k];
    A.fill(0, ri + from, ri + Math.max(from, hi));
    for (let k = from; k < hi; k++) {
      const c = tmp[k], rk = k * m;
      for (let j = 0; j <= k; j++) A[ri + j] += c * A[rk + j];
    }
    if (i >= to) continue;
    const d = 1 / A[ri + i];
    for (let j = 0; j < i; j++) A[ri + j] = A[ri + j] * -d;
    A[ri + i] = d;
  }
}

export function lowerGramRows(Ah: F64, first: number, end: number, m: number, Wh: F64, a: number, b: number): void {
  const A = Ah.array(), W = Wh.array();
  for (let i = first; i < end; i++) {
    const ri = i * m;
    for (let k = a; k < b; k++) {
      const w = (k - a) * m, c = W[w + i];
      for (let j = 0; j <= i; j++) A[ri + j] += c * W[w + j];
    }
  }
}

export function lowerGramPanel(Ah: F64, a: number, b: number, m: number, Wh: F64): void {
  const A = Ah.array(), W = Wh.array();
  for (let k = a; k < b; k++) {
    const w = (k - a) * m;
    for (let i = a; i < k; i++) {
      const c = W[w + i], ri = i * m;
      for (let j = 0; j <= i; j++) A[ri + j] += c * W[w + j];
    }
    const c = W[w + k], rk = k * m;
    for (let j = 0; j <= k; j++) A[rk + j] = c * W[w + j];
  }
}

export function easeWeights(Ah: F64, n: number, m: number, Bh: F32, s: number, first: number, end: number): void {
  const A = Ah.array(), B = Bh.array();
  for (let j = first; j < end; j++) {
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
