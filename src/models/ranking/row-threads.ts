// Worker threads for the implicit models whose passes split into independent parts: ALS and
// iALS solve each row on its own, so ranges of rows run on different threads and every row's
// solution is the same bits whichever thread computes it. Only these models reach this module, so
// only their bundles carry the -threads wasm builds and the worker pool.
import type { Dataset } from '../../data/dataset.js';
import { hardwareThreads, wasmThreadSupport } from '../../engine/index.js';
import { MAX_POOL_THREADS } from '../../engine/thread-pool.js';
import type { ModelShape, Threading } from '../core/fit-loop.js';

/**
 * With threads 'auto', training sets this large get every core: a worker costs about 40 ms to
 * start, and a row-solve pass over 100,000 interactions at k = 64 takes about as long.
 */
export const ROW_AUTO_THREADS_MIN_INTERACTIONS = 100_000;

function threadsFor(shape: ModelShape, train: Dataset): number {
  if (shape.engine === 'js' || shape.threads === undefined || shape.threads === 1) return 1;
  if (shape.threads !== 'auto') return shape.threads;
  return train.size >= ROW_AUTO_THREADS_MIN_INTERACTIONS ? Math.min(hardwareThreads(), MAX_POOL_THREADS) : 1;
}

/** What ALS and iALS hand the fit loop. */
export const ROW_THREADING: Threading = { support: wasmThreadSupport, threadsFor };
