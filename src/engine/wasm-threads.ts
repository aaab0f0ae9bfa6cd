// Worker threads for wasm engines: the two builds over shared memory (relaxed-threads and
// simd-threads; no scalar one: threads come with SIMD everywhere) and the pool that runs them.
// A WasmEngine is handed this (createEngine does, and the models that run blocked SGD) instead of
// importing it, so only code that can ask for threads carries these builds and the pool.
import { relaxedThreadsBase64 } from './kernels-relaxed-threads.generated.js';
import { simdThreadsBase64 } from './kernels-simd-threads.generated.js';
import { ThreadPool, threadsUnavailableReason } from './thread-pool.js';
import { decodeBase64, MAX_PAGES, type Kernels, type SharedKernels, type ThreadSupport, type WasmVariant } from './wasm-engine.js';

const BASE64: Readonly<Partial<Record<WasmVariant, string>>> = { relaxed: relaxedThreadsBase64, simd: simdThreadsBase64 };
const modules: Partial<Record<WasmVariant, WebAssembly.Module>> = {};

/**
 * The variant's threads build over a fresh shared memory, with a pool of up to `threads` threads.
 * Shared memory must declare its maximum, and 4 GiB reserves address space, not memory — which a
 * 32-bit or mobile runtime may refuse: then the reason, and the engine runs on one thread. Whether
 * shared memory and the threads build really work is found out by making them, each with its own
 * reason.
 */
function open(variant: WasmVariant, threads: number, maxBlocks: number, given?: WebAssembly.Memory): SharedKernels | { reason: string } {
  const base64 = BASE64[variant];
  if (base64 === undefined) return { reason: `threads need a SIMD build (this engine runs the ${variant} build)` };
  const unavailable = threadsUnavailableReason();
  if (unavailable !== undefined) return { reason: unavailable };
  let memory: WebAssembly.Memory;
  try {
    memory = given ?? new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  } catch (err) {
    return { reason: `shared memory of 4 GiB could not be reserved (${(err as Error).message})` };
  }
  let module: WebAssembly.Module, kernels: Kernels;
  try {
    module = modules[variant] ??= new WebAssembly.Module(decodeBase64(base64));
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
  } catch (err) {
    return { reason: `this runtime does not run the shared-memory build (${(err as Error).message})` };
  }
  // One thread (a given memory adopted for its rows): the shared build, and no pool.
  if (threads <= 1) return { memory, kernels, pool: undefined };
  const { pool, reason } = ThreadPool.open(threads, module, memory, maxBlocks);
  return { memory, kernels, pool, reason };
}

/** Worker threads for WasmEngine (its `threadSupport` option). */
export const wasmThreadSupport: ThreadSupport = { open };
