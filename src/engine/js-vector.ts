// Row helpers shared by the js engine's kernels, in the wasm kernels' order of operations.
const f = Math.fround;

/** P[pu..] . Q[qi..] with four lane partial sums folded ((l0+l1)+l2)+l3, like assembly/vector.ts. */
export function dot(P: Float32Array, pu: number, Q: Float32Array, qi: number, stride: number): number {
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
