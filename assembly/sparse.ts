// Sparse x dense products for the truncated SVD (randomized range finder): the sparse matrix is
// stored by rows (CSR): row r holds columns cols[start[r] .. start[r+1]) with values vals[...];
// the dense matrices are row-major with `stride` floats per row (padded like factor rows).
import { F32_BYTES } from "./layout";
import { axpy } from "./vector";

// Y[r] = sum_t vals[t] * X[cols[t]]  for r < rowCount (Y is overwritten).
export function sparseTimesDense(
  start: usize, cols: usize, vals: usize, rowCount: i32, X: usize, Y: usize, stride: i32
): void {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let r: usize = 0; r < <usize>rowCount; r++) {
    const y = Y + r * rowBytes;
    memory.fill(y, 0, rowBytes);
    const end = load<u32>(start + (r << 2), 4);
    for (let t = load<u32>(start + (r << 2)); t < end; t++) {
      const at = <usize>t << 2;
      axpy(y, load<f32>(vals + at), X + <usize>load<u32>(cols + at) * rowBytes, stride);
    }
  }
}

// Z[cols[t]] += vals[t] * Y[r]  for every stored entry (Z must be zeroed by the caller).
export function sparseTransposeTimesDense(
  start: usize, cols: usize, vals: usize, rowCount: i32, Y: usize, Z: usize, stride: i32
): void {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let r: usize = 0; r < <usize>rowCount; r++) {
    const y = Y + r * rowBytes;
    const end = load<u32>(start + (r << 2), 4);
    for (let t = load<u32>(start + (r << 2)); t < end; t++) {
      const at = <usize>t << 2;
      axpy(Z + <usize>load<u32>(cols + at) * rowBytes, load<f32>(vals + at), y, stride);
    }
  }
}
