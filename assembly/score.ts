// Batch scoring: predictions for many (user, item) pairs, and one user against every item.
import { F32_BYTES, LANES } from "./layout";
import { dot, madd } from "./vector";

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

/** Items a scoreUserRows pass reads before the next users: 512 rows of k = 64 are 128 KiB, in L2. */
const ITEM_BLOCK: i32 = 512;

// scoreItems for many users: row t of out (itemCount floats) = bases[t] + bi[i] + p_{users[t]} . q_i
// for positions t in first .. end. Items go in blocks that stay in cache while every user of the
// call reads them, and two users against four items share every load; every score is scoreItems's
// bits (each sum is dot()'s, lane by lane in the same order).
export function scoreUserRows(
  users: usize, first: i32, end: i32, P: usize, Q: usize, bi: usize, bases: usize, itemCount: i32, stride: i32, out: usize
): void {
  const rowBytes = <usize>(stride * F32_BYTES), outBytes = <usize>itemCount << 2;
  for (let lo = 0; lo < itemCount; lo += ITEM_BLOCK) {
    const hi = min(itemCount, lo + ITEM_BLOCK);
    let t = first;
    if (ASC_FEATURE_SIMD) {
      // Two users against four items: eight sums, each q and p lane loaded once for four of them.
      for (; t + 2 <= end; t += 2) {
        const p0 = P + <usize>load<u32>(users + (<usize>t << 2)) * rowBytes;
        const p1 = P + <usize>load<u32>(users + (<usize>t << 2), 4) * rowBytes;
        const b0 = load<f32>(bases + (<usize>t << 2)), b1 = load<f32>(bases + (<usize>t << 2), 4);
        const o0 = out + <usize>t * outBytes, o1 = o0 + outBytes;
        let i = lo;
        for (; i + 4 <= hi; i += 4) {
          const q0 = Q + <usize>i * rowBytes, q1 = q0 + rowBytes, q2 = q1 + rowBytes, q3 = q2 + rowBytes;
          let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
          for (let f = 0; f < stride; f += LANES) {
            const off = <usize>(f * F32_BYTES);
            const u0 = v128.load(p0 + off), u1 = v128.load(p1 + off);
            const v0 = v128.load(q0 + off), v1 = v128.load(q1 + off), v2 = v128.load(q2 + off), v3 = v128.load(q3 + off);
            a00 = madd(u0, v0, a00); a01 = madd(u0, v1, a01); a02 = madd(u0, v2, a02); a03 = madd(u0, v3, a03);
            a10 = madd(u1, v0, a10); a11 = madd(u1, v1, a11); a12 = madd(u1, v2, a12); a13 = madd(u1, v3, a13);
          }
          const at = <usize>i << 2;
          const c0 = load<f32>(bi + at), c1 = load<f32>(bi + at, 4), c2 = load<f32>(bi + at, 8), c3 = load<f32>(bi + at, 12);
          store<f32>(o0 + at, b0 + c0 + lanes(a00));
          store<f32>(o0 + at, b0 + c1 + lanes(a01), 4);
          store<f32>(o0 + at, b0 + c2 + lanes(a02), 8);
          store<f32>(o0 + at, b0 + c3 + lanes(a03), 12);
          store<f32>(o1 + at, b1 + c0 + lanes(a10));
          store<f32>(o1 + at, b1 + c1 + lanes(a11), 4);
          store<f32>(o1 + at, b1 + c2 + lanes(a12), 8);
          store<f32>(o1 + at, b1 + c3 + lanes(a13), 12);
        }
        for (; i < hi; i++) {
          const at = <usize>i << 2, q = Q + <usize>i * rowBytes, c = load<f32>(bi + at);
          store<f32>(o0 + at, b0 + c + dot(p0, q, stride));
          store<f32>(o1 + at, b1 + c + dot(p1, q, stride));
        }
      }
    }
    for (; t < end; t++) {
      const p = P + <usize>load<u32>(users + (<usize>t << 2)) * rowBytes, base = load<f32>(bases + (<usize>t << 2));
      const o = out + <usize>t * outBytes;
      for (let i = lo; i < hi; i++) {
        const at = <usize>i << 2;
        store<f32>(o + at, base + load<f32>(bi + at) + dot(p, Q + <usize>i * rowBytes, stride));
      }
    }
  }
}

/** dot()'s lane sum: ((l0 + l1) + l2) + l3. */
// @ts-ignore: decorator
@inline
function lanes(a: v128): f32 {
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
}

// out[r] = x . M_r for rows r < rowCount (similarity search: x is a query row of P or Q).
export function dotRows(x: usize, M: usize, rowCount: i32, stride: i32, out: usize): i32 {
  const rowBytes = <usize>(stride * F32_BYTES);
  for (let r = 0; r < rowCount; r++) {
    store<f32>(out + (<usize>r << 2), dot(x, M + <usize>r * rowBytes, stride));
  }
  return rowCount;
}
