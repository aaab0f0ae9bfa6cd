// Arrays copied into an engine's memory: a handle of the same length holding the same values.
import type { Engine, F64, U32 } from './types.js';

export function copyU32(engine: Engine, values: ArrayLike<number>): U32 {
  const h = engine.allocU32(values.length);
  h.array().set(values);
  return h;
}

export function copyF64(engine: Engine, values: ArrayLike<number>): F64 {
  const h = engine.allocF64(values.length);
  h.array().set(values);
  return h;
}
