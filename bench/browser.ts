// The kernel benchmark of bench/run.ts (bench/kernels.ts) inside headless Chromium: the same
// generated ratings, engines and timing loop, bundled for the browser by esbuild and run in a
// page driven by playwright-core, so the README can show Node and browser side by side.
//   npm run bench:browser            markdown table
//   npm run bench:browser -- --json  one JSON object: { machine, data, kernels } as bench/run.ts
//   options: --ratings N --users N --items N --rounds N (e.g. --ratings 200000 --rounds 2)
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromiumPath, launchChromium } from '../test/e2e/chromium.js';
import { parseBenchArgs } from './bench-args.js';
import { bundleForBrowser } from './browser-bundle.js';
import type { KernelBenchInPage } from './browser-page/entry.js';
import { kernelTable, type KernelRow } from './kernels.js';

const { json, size } = parseBenchArgs(process.argv.slice(2));

if (!chromiumPath) {
  console.error('bench:browser needs Chromium: install it (apt-get install chromium) or point CHROMIUM_PATH at a Chromium or Chrome executable.');
  process.exit(1);
}

const bundle = await bundleForBrowser(fileURLToPath(new URL('./browser-page/entry.ts', import.meta.url)));

// A made-up origin answered entirely by page.route: no server, nothing fetched from the network.
const ORIGIN = 'http://latentrec-bench.invalid';
const PAGE = '<!doctype html><meta charset="utf-8"><title>latentrec kernel benchmark</title><script type="module" src="/bench.js"></script>';

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const pageErrors: Error[] = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  page.on('console', (message) => console.error(`[chromium] ${message.text()}`)); // progress, on stderr so --json stays one object
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: PAGE });
    if (path === '/bench.js') return route.fulfill({ contentType: 'text/javascript', body: bundle });
    return route.fulfill({ status: 404, body: 'not found' });
  });
  await page.goto(`${ORIGIN}/`); // module scripts have run by the load event goto waits for
  if (pageErrors.length > 0) throw pageErrors[0];
  const userAgent = await page.evaluate(() => navigator.userAgent);
  const kernels: KernelRow[] = await page.evaluate(
    (s) => (globalThis as unknown as { latentrecKernelBench: KernelBenchInPage }).latentrecKernelBench(s),
    size,
  );
  const report = {
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(), browser: userAgent, chromium: browser.version() },
    data: { ratings: size.ratings, users: size.users, items: size.items, order: 'random' },
    kernels,
  };
  if (json) {
    console.log(JSON.stringify(report));
  } else {
    console.log(`${report.machine.cpu}, ${report.machine.cores} cores, headless Chromium ${report.machine.chromium}; ${size.ratings} ratings, random order\n`);
    console.log(kernelTable(kernels));
  }
} finally {
  await browser.close();
}
