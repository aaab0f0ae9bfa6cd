// The page side of bench/browser.ts, bundled by esbuild for the browser: the kernel benchmark of
// bench/kernels.ts, exposed as one async function the runner calls through page.evaluate.
import { generateBenchData, KERNEL_FACTORS, measureKernelsAt, type BenchSize, type KernelRow } from '../kernels.js';

export type KernelBenchInPage = (size: BenchSize) => Promise<KernelRow[]>;

const run: KernelBenchInPage = async (size) => {
  const data = generateBenchData(size);
  const rows: KernelRow[] = [];
  for (const k of KERNEL_FACTORS) {
    // Back to the event loop between factor counts, so the progress line reaches the runner
    // while the rest (minutes at full size) still runs.
    await new Promise((resolve) => setTimeout(resolve, 0));
    rows.push(measureKernelsAt(data, k, size.rounds));
    console.log(`k=${k} measured`);
  }
  return rows;
};

(globalThis as { latentrecKernelBench?: KernelBenchInPage }).latentrecKernelBench = run;
