// The js twins of assembly/vector64.ts's f64 helpers, in the same order of operations.

/** Two lane sums (even and odd terms) added, then the odd last term. */
export function dot64(a: Float64Array, ai: number, b: Float64Array, bi: number, count: number): number {
  const pairs = count & ~1;
  let s0 = 0, s1 = 0;
  for (let t = 0; t < pairs; t += 2) {
    s0 += a[ai + t] * b[bi + t];
    s1 += a[ai + t + 1] * b[bi + t + 1];
  }
  let s = s0 + s1;
  if (count & 1) s += a[ai + pairs] * b[bi + pairs];
  return s;
}

/** y[yi ..] += c x[xi ..] over `count` elements. */
export function axpy64(y: Float64Array, yi: number, c: number, x: Float64Array, xi: number, count: number): void {
  for (let t = 0; t < count; t++) y[yi + t] += c * x[xi + t];
}

/** Rows first .. end of the Cholesky factor of A's lower triangle (rows m apart), in place; 0 or 1 + the failing row. */
export function choleskyRows(A: Float64Array, first: number, end: number, m: number): number {
  for (let i = first; i < end; i++) {
    const ri = i * m;
    for (let j = 0; j < i; j++) A[ri + j] = (A[ri + j] - dot64(A, ri, A, j * m, j)) / A[j * m + j];
    const d = A[ri + i] - dot64(A, ri, A, ri, i);
    if (!(d > 0)) return i + 1;
    A[ri + i] = Math.sqrt(d);
  }
  return 0;
}
