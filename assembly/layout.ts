// Memory contract shared by every kernel (see src/engine/wasm-engine.ts, the only host file
// that knows offsets):
//
//   ratings   users: u32[n] | items: u32[n] | values: f32[n]        (parallel arrays)
//   factors   P: f32[users][stride] | Q: f32[items][stride]          (row-major)
//   biases    bu: f32[users] | bi: f32[items]
//
//   row u of P = P + u * stride * 4 bytes
//   |<--------------- stride floats (multiple of LANES) --------------->|
//   | f0 f1 f2 f3 | f4 f5 f6 f7 | ... | f(k-1) 0 0 |   padding lanes stay 0
//
// Every array starts 16-byte aligned, so each row is a run of whole v128 lanes.
// Kernels take byte offsets and sizes, do one pass, allocate nothing.

// @ts-ignore: decorator
@inline export const LANES: i32 = 4;
// @ts-ignore: decorator
@inline export const F32_BYTES: i32 = 4;
