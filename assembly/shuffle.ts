// In-place Fisher–Yates shuffle of `count` ratings (the parallel users/items/values arrays),
// driven by xorshift32 from `seed`. Blocked SGD shuffles each block before its pass, on the
// thread that runs it, so shuffling costs no serial time; the host picks the seeds, so the order
// does not depend on which thread runs a block.

import { xorshift32 } from "./bin-draws";

export function shuffleRatings(users: usize, items: usize, values: usize, count: i32, seed: u32): void {
  let x: u32 = seed != 0 ? seed : 0x9e3779b9;
  for (let t = count - 1; t > 0; t--) {
    x = xorshift32(x);
    // Modulo, not multiply-shift: the js twin computes it exactly (bias < 2^-10 for blocks under 4M).
    const j = <usize>(x % <u32>(t + 1));
    const a = <usize>(t << 2), b = j << 2;
    const u = load<u32>(users + a), i = load<u32>(items + a), v = load<f32>(values + a);
    store<u32>(users + a, load<u32>(users + b));
    store<u32>(items + a, load<u32>(items + b));
    store<f32>(values + a, load<f32>(values + b));
    store<u32>(users + b, u);
    store<u32>(items + b, i);
    store<f32>(values + b, v);
  }
}
