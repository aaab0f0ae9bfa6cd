// Shared dot/update helpers over one factor row. With SIMD every lane keeps its own partial sum
// (f32x4); the scalar build keeps the same four partial sums, so both builds and the js engine
// add in one order: lane j sums f = j, j+4, j+8, ... and the lanes are folded ((l0+l1)+l2)+l3.
// The multiply-adds of the SIMD paths go through madd(): the relaxed-SIMD build (see
// asconfig.json, target "relaxed") fuses them into f32x4.relaxed_madd, the plain SIMD build keeps
// a separate multiply and add, so only the relaxed build's rounding differs from the scalar build
// and the js engine.
import { LANES, F32_BYTES } from "./layout";

// a * b + c on four lanes. With relaxed SIMD the engine may fuse it (one rounding, as FMA
// hardware does) or not; without it, the product is rounded and then added: bit-identical to
// f32x4.add(c, f32x4.mul(a, b)), since IEEE addition and multiplication commute.
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

// @ts-ignore: decorator
@inline
export function dot(a: usize, b: usize, stride: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      acc = madd(v128.load(a + off), v128.load(b + off), acc);
    }
    return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
      + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (let f = 0; f < stride; f += LANES) {
      const pa = a + <usize>(f * F32_BYTES);
      const pb = b + <usize>(f * F32_BYTES);
      s0 += load<f32>(pa) * load<f32>(pb);
      s1 += load<f32>(pa, 4) * load<f32>(pb, 4);
      s2 += load<f32>(pa, 8) * load<f32>(pb, 8);
      s3 += load<f32>(pa, 12) * load<f32>(pb, 12);
    }
    return s0 + s1 + s2 + s3;
  }
}

// p <- p + lrP (e q - regP p);  q <- q + lrQ (e p - regQ q), both from the old values.
// @ts-ignore: decorator
@inline
export function updatePair(
  p: usize, q: usize, stride: i32, e: f32, lrP: f32, regP: f32, lrQ: f32, regQ: f32
): void {
  if (ASC_FEATURE_SIMD) {
    const ve = f32x4.splat(e);
    const vlp = f32x4.splat(lrP), vrp = f32x4.splat(regP);
    const vlq = f32x4.splat(lrQ), vrq = f32x4.splat(regQ);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      const vp = v128.load(p + off);
      const vq = v128.load(q + off);
      v128.store(p + off, madd(vlp, f32x4.sub(f32x4.mul(ve, vq), f32x4.mul(vrp, vp)), vp));
      v128.store(q + off, madd(vlq, f32x4.sub(f32x4.mul(ve, vp), f32x4.mul(vrq, vq)), vq));
    }
  } else {
    const n = <usize>(stride * F32_BYTES);
    for (let off: usize = 0; off < n; off += F32_BYTES) {
      const vp = load<f32>(p + off);
      const vq = load<f32>(q + off);
      store<f32>(p + off, vp + lrP * (e * vq - regP * vp));
      store<f32>(q + off, vq + lrQ * (e * vp - regQ * vq));
    }
  }
}

// q . (p + z), with the same lane order as dot().
// @ts-ignore: decorator
@inline
export function dotSum(q: usize, p: usize, z: usize, stride: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      acc = madd(v128.load(q + off), f32x4.add(v128.load(p + off), v128.load(z + off)), acc);
    }
    return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
      + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (let f = 0; f < stride; f += LANES) {
      const o = <usize>(f * F32_BYTES);
      s0 += load<f32>(q + o) * (load<f32>(p + o) + load<f32>(z + o));
      s1 += load<f32>(q + o, 4) * (load<f32>(p + o, 4) + load<f32>(z + o, 4));
      s2 += load<f32>(q + o, 8) * (load<f32>(p + o, 8) + load<f32>(z + o, 8));
      s3 += load<f32>(q + o, 12) * (load<f32>(p + o, 12) + load<f32>(z + o, 12));
    }
    return s0 + s1 + s2 + s3;
  }
}

// y <- y * d + x  (d = 1 gives y += x)
// @ts-ignore: decorator
@inline
export function scaleAdd(y: usize, d: f32, x: usize, stride: i32): void {
  if (ASC_FEATURE_SIMD) {
    const vd = f32x4.splat(d);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      v128.store(y + off, madd(v128.load(y + off), vd, v128.load(x + off)));
    }
  } else {
    const n = <usize>(stride * F32_BYTES);
    for (let off: usize = 0; off < n; off += F32_BYTES) {
      store<f32>(y + off, load<f32>(y + off) * d + load<f32>(x + off));
    }
  }
}

// y <- y + a * x
// @ts-ignore: decorator
@inline
export function axpy(y: usize, a: f32, x: usize, stride: i32): void {
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      v128.store(y + off, madd(va, v128.load(x + off), v128.load(y + off)));
    }
  } else {
    const n = <usize>(stride * F32_BYTES);
    for (let off: usize = 0; off < n; off += F32_BYTES) {
      store<f32>(y + off, load<f32>(y + off) + a * load<f32>(x + off));
    }
  }
}

// y <- a * y
// @ts-ignore: decorator
@inline
export function scale(y: usize, a: f32, stride: i32): void {
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      v128.store(y + off, f32x4.mul(v128.load(y + off), va));
    }
  } else {
    const n = <usize>(stride * F32_BYTES);
    for (let off: usize = 0; off < n; off += F32_BYTES) store<f32>(y + off, load<f32>(y + off) * a);
  }
}

// p . (a − b), with the same lane order as dot().
// @ts-ignore: decorator
@inline
export function dotDiff(p: usize, a: usize, b: usize, stride: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (let f = 0; f < stride; f += LANES) {
      const off = <usize>(f * F32_BYTES);
      acc = madd(v128.load(p + off), f32x4.sub(v128.load(a + off), v128.load(b + off)), acc);
    }
    return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
      + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (let f = 0; f < stride; f += LANES) {
      const o = <usize>(f * F32_BYTES);
      s0 += load<f32>(p + o) * (load<f32>(a + o) - load<f32>(b + o));
      s1 += load<f32>(p + o, 4) * (load<f32>(a + o, 4) - load<f32>(b + o, 4));
      s2 += load<f32>(p + o, 8) * (load<f32>(a + o, 8) - load<f32>(b + o, 8));
      s3 += load<f32>(p + o, 12) * (load<f32>(a + o, 12) - load<f32>(b + o, 12));
    }
    return s0 + s1 + s2 + s3;
  }
}

// The four dots a_0·v .. a_3·v at once, lane j of the result holding a_j·v, each summed exactly as
// dot() sums it: four independent accumulation chains instead of one keep the multiply-adds
// flowing (one chain waits on every madd's latency). SIMD builds only.
// @ts-ignore: decorator
@inline
export function dots4(v: usize, a0: usize, a1: usize, a2: usize, a3: usize, stride: i32): v128 {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  for (let f = 0; f < stride; f += LANES) {
    const off = <usize>(f * F32_BYTES);
    const vv = v128.load(v + off);
    s0 = madd(v128.load(a0 + off), vv, s0);
    s1 = madd(v128.load(a1 + off), vv, s1);
    s2 = madd(v128.load(a2 + off), vv, s2);
    s3 = madd(v128.load(a3 + off), vv, s3);
  }
  let out = f32x4.splat(lanesSum(s0));
  out = f32x4.replace_lane(out, 1, lanesSum(s1));
  out = f32x4.replace_lane(out, 2, lanesSum(s2));
  return f32x4.replace_lane(out, 3, lanesSum(s3));
}

// ((l0 + l1) + l2) + l3, the fold dot() ends with.
// @ts-ignore: decorator
@inline
export function lanesSum(a: v128): f32 {
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
}

// y <- y + w_0 x_0 + w_1 x_1 + w_2 x_2 + w_3 x_3 (w_j in lane j of w), added in that order: the same
// bits as four axpy() calls, with y loaded and stored once instead of four times. SIMD builds only.
// @ts-ignore: decorator
@inline
export function axpy4(y: usize, w: v128, x0: usize, x1: usize, x2: usize, x3: usize, stride: i32): void {
  const w0 = f32x4.splat(f32x4.extract_lane(w, 0)), w1 = f32x4.splat(f32x4.extract_lane(w, 1));
  const w2 = f32x4.splat(f32x4.extract_lane(w, 2)), w3 = f32x4.splat(f32x4.extract_lane(w, 3));
  for (let f = 0; f < stride; f += LANES) {
    const off = <usize>(f * F32_BYTES);
    let acc = madd(w0, v128.load(x0 + off), v128.load(y + off));
    acc = madd(w1, v128.load(x1 + off), acc);
    acc = madd(w2, v128.load(x2 + off), acc);
    v128.store(y + off, madd(w3, v128.load(x3 + off), acc));
  }
}
