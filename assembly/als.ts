// Weighted ALS for implicit feedback (Hu, Koren & Volinsky 2008), each row solved by a few steps
// of conjugate gradient warm-started from its current value (Takács, Pilászy & Tikk 2011):
// for row x (a user, with Y the item factors fixed, or the reverse) with interactions j,
// confidence c_j = 1 + alpha·r_j and preference 1:
//   (YᵀY + Σ_j (c_j − 1) y_j y_jᵀ + λI) x = Σ_j c_j y_j
// YᵀY is precomputed by the host (gram, k x k, rows of `stride` floats). r, p and Ap are scratch
// rows of `stride` floats. Returns the sum over rows of the final squared residual norms.
import { F32_BYTES } from "./layout";
import { axpy, dot, scale } from "./vector";

export function alsSolveRows(
  start: usize, cols: usize, vals: usize, rowCount: i32,
  X: usize, Y: usize, gram: usize, stride: i32, k: i32,
  alpha: f32, lambda: f32, steps: i32, r: usize, p: usize, ap: usize
): f64 {
  const rowBytes = <usize>(stride * F32_BYTES);
  let residual: f64 = 0;
  for (let row: usize = 0; row < <usize>rowCount; row++) {
    const x = X + row * rowBytes;
    const first = load<u32>(start + (row << 2));
    const end = load<u32>(start + (row << 2), 4);
    // r = b − A x, with b = Σ c_j y_j and A x = YᵀY x + λx + Σ (c_j − 1)(y_j·x) y_j
    times(ap, x, gram, stride, k, rowBytes);
    axpy(ap, lambda, x, stride);
    memory.fill(r, 0, rowBytes);
    for (let t = first; t < end; t++) {
      const at = <usize>t << 2;
      const y = Y + <usize>load<u32>(cols + at) * rowBytes;
      const c: f32 = 1 + alpha * load<f32>(vals + at);
      axpy(r, c - (c - 1) * dot(y, x, stride), y, stride);
    }
    axpy(r, -1, ap, stride);
    memory.copy(p, r, rowBytes);
    let rsOld: f32 = dot(r, r, stride);
    for (let it = 0; it < steps; it++) {
      if (rsOld < 1e-20) break;
      // ap = A p
      times(ap, p, gram, stride, k, rowBytes);
      axpy(ap, lambda, p, stride);
      for (let t = first; t < end; t++) {
        const at = <usize>t << 2;
        const y = Y + <usize>load<u32>(cols + at) * rowBytes;
        const c: f32 = 1 + alpha * load<f32>(vals + at);
        axpy(ap, (c - 1) * dot(y, p, stride), y, stride);
      }
      const a: f32 = rsOld / dot(p, ap, stride);
      axpy(x, a, p, stride);
      axpy(r, -a, ap, stride);
      const rsNew: f32 = dot(r, r, stride);
      scale(p, rsNew / rsOld, stride);
      axpy(p, 1, r, stride);
      rsOld = rsNew;
    }
    residual += <f64>rsOld;
  }
  return residual;
}

// out = G v for the k x k gram matrix G (rows of `stride` floats); padding lanes of out stay 0.
// @ts-ignore: decorator
@inline
function times(out: usize, v: usize, gram: usize, stride: i32, k: i32, rowBytes: usize): void {
  memory.fill(out, 0, rowBytes);
  for (let f = 0; f < k; f++) {
    store<f32>(out + (<usize>f << 2), dot(gram + <usize>f * rowBytes, v, stride));
  }
}

// gram = Yᵀ Y over `rows` rows of Y (k x k, rows of `stride` floats; the host zeroes it first).
export function gramian(Y: usize, rows: i32, stride: i32, k: i32, gram: usize): void {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let r: usize = 0; r < <usize>rows; r++) {
    const y = Y + r * rowBytes;
    for (let f = 0; f < k; f++) axpy(gram + <usize>f * rowBytes, load<f32>(y + (<usize>f << 2)), y, stride);
  }
}
