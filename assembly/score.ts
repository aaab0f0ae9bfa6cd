// Batch scoring: predictions for many (user, item) pairs, and one user against every item.
import { F32_BYTES } from "./layout";
import { dot } from "./vector";

// out[t] = clamp(mu + bu[u] + bi[i] + p_u . q_i, lo, hi). Returns count.
export function predictPairs(
  users: usize, items: usize, count: i32,
  P: usize, Q: usize, bu: usize, bi: usize, stride: i32,
  mu: f32, lo: f32, hi: f32, out: usize
): i32 {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let t = 0; t < count; t++) {
    const at = <usize>(t << 2);
    const u = <usize>load<u32>(users + at);
    const i = <usize>load<u32>(items + at);
    const est: f32 = mu + load<f32>(bu + (u << 2)) + load<f32>(bi + (i << 2))
      + dot(P + u * rowBytes, Q + i * rowBytes, stride);
    store<f32>(out + at, min<f32>(hi, max<f32>(lo, est)));
  }
  return count;
}

// out[i] = base + bi[i] + p . q_i for every item i (unclipped: a ranking score).
export function scoreItems(
  p: usize, Q: usize, bi: usize, itemCount: i32, stride: i32, base: f32, out: usize
): i32 {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let i = 0; i < itemCount; i++) {
    const at = <usize>(i << 2);
    store<f32>(out + at, base + load<f32>(bi + at) + dot(p, Q + <usize>i * rowBytes, stride));
  }
  return itemCount;
}

// out[r] = x . M_r for rows r < rowCount (similarity search: x is a query row of P or Q).
export function dotRows(x: usize, M: usize, rowCount: i32, stride: i32, out: usize): i32 {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let r = 0; r < rowCount; r++) {
    store<f32>(out + (<usize>r << 2), dot(x, M + <usize>r * rowBytes, stride));
  }
  return rowCount;
}
