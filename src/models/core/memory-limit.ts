// wasm32 addresses 4 GiB. A fit too large for it would fail deep inside, after minutes of
// loading and setup, with "could not grow memory"; estimated from the data and the options before
// anything is allocated, it fails at once and says what to lower.
import type { Dataset } from '../../data/dataset.js';
import { strideFor } from '../../engine/index.js';
import { WASM_MEMORY_LIMIT } from '../../engine/wasm-engine.js';
import { DataError } from '../../errors.js';


/** What a fit needs of it, roughly (the kernels' scratch and alignment are small). */
export function fitMemoryBytes(train: Dataset, stride: number, extra: number): number {
  const ratings = train.size * 12; // users, items, values: 4 bytes each
  const rows = (train.userCount + train.itemCount) * (stride + 1) * 4; // P, Q and the biases
  return ratings + rows + extra + (1 << 20);
}

/**
 * Throws a DataError naming the need, the limit and the largest k that would fit, when a fit of
 * `train` with `shape.factors` cannot fit in wasm32 memory. `extra(stride)` is the model's own
 * memory beyond ratings and factor rows. The js engine has no such limit.
 */
export function checkMemory(
  model: string,
  train: Dataset,
  shape: { factors: number; engine: string },
  extra: (stride: number) => number,
): void {
  if (shape.engine === 'js') return;
  const need = (k: number) => fitMemoryBytes(train, strideFor(k), extra(strideFor(k)));
  if (need(shape.factors) <= WASM_MEMORY_LIMIT) return;
  let fits = 0;
  for (let lo = 1, hi = shape.factors; lo <= hi; ) {
    const k = Math.floor((lo + hi) / 2);
    if (need(k) <= WASM_MEMORY_LIMIT) {
      fits = k;
      lo = k + 1;
    } else {
      hi = k - 1;
    }
  }
  const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
  throw new DataError(
    `${model}: this fit needs about ${gb(need(shape.factors))} of WebAssembly memory ` +
      `(${train.size.toLocaleString('en-US')} ratings x 12 bytes, ${(train.userCount + train.itemCount).toLocaleString('en-US')} users and items ` +
      `x ${shape.factors} factors x 4 bytes), beyond wasm32's 4 GiB: ` +
      (fits > 0 ? `lower factors to ${fits} or less, or train on fewer ratings` : 'train on fewer ratings') +
      ` (or use engine 'js', which is not bound by it)`,
  );
}
