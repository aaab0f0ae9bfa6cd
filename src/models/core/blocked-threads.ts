// Worker threads for blocked SGD (SVD, MF, BPR, the hybrid): how many a fit asks for, and the engine support that
// runs them. Only the models that train in blocked order reach this module, so only their bundles
// carry the -threads wasm builds and the worker pool.
import type { Dataset } from '../../data/dataset.js';
import { gridSideFor, hardwareThreads, strideFor, wasmThreadSupport } from '../../engine/index.js';
import { MAX_POOL_THREADS } from '../../engine/thread-pool.js';
import type { ModelShape, Threading } from '../core/fit-loop.js';

/** With threads 'auto', training sets this large get every core: below it, starting workers costs more than they save. */
export const AUTO_THREADS_MIN_RATINGS = 500_000;

/**
 * The thread count a fit of `train` asks its engine for: 'auto' is every core from
 * AUTO_THREADS_MIN_RATINGS ratings; never more than the grid has bins (a round has one block per
 * bin, so further threads would only idle).
 */
export function threadsFor(shape: ModelShape, train: Dataset): number {
  if (shape.threads === undefined || shape.threads === 1 || shape.engine === 'js') return 1;
  const wanted = shape.threads === 'auto' ? (train.size >= AUTO_THREADS_MIN_RATINGS ? Math.min(hardwareThreads(), MAX_POOL_THREADS) : 1) : shape.threads;
  return Math.min(wanted, gridSideFor(shape.bins, train.userCount, train.itemCount, strideFor(shape.factors)));
}

/** What a blocked-SGD model hands the fit loop. */
export const BLOCKED_SGD_THREADING: Threading = {
  support: wasmThreadSupport,
  threadsFor,
  note(shape, train) {
    const side = gridSideFor(shape.bins, train.userCount, train.itemCount, strideFor(shape.factors));
    if (shape.engine === 'js' || typeof shape.threads !== 'number' || shape.threads <= side) return undefined;
    return `running on ${side} threads instead of ${shape.threads}: the grid has ${side} bins per side, and a round runs one block per bin (raise bins to use more)`;
  },
};
