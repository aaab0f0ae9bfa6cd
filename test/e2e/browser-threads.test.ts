// Blocked SGD on Web Workers in Chromium: a cross-origin-isolated page (COOP same-origin + COEP
// require-corp, answered by page.route on localhost, a secure context) fits SVD inside a module
// Web Worker on 1 and on 2 threads — the second on a worker it started with prepareThreads (a
// browser starts no worker while a fit blocks), over the shared wasm memory — and gets the same
// bits as Node on 1 and 2 threads. On the page's main thread, which may
// not block, and on a page that is not isolated, a fit asked for 2 threads runs on 1 and says why.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';
import { chromiumNote, chromiumPath, launchChromium, routeDist } from './chromium.js';

type Latentrec = typeof import('../../src/index.js');

const dist = resolve(repoRoot, 'dist');
const built = existsSync(resolve(dist, 'index.js'));
const builtNote = built ? '' : ' [skipped: dist/ missing, run npm run build]';

interface FitOutcome {
  threads: number;
  notes: string[];
  /** The first user's factors and the last epoch's train RMSE, as float bits. */
  bits: number[];
  crossOriginIsolated?: boolean;
  /** What prepareThreads resolved to in the worker. */
  ready?: number;
}

/** Self-contained: evaluated in Node, in the page and in the worker alike. */
function fitWith(lib: Latentrec, threads: number): FitOutcome {
  const data = lib.generateRatings({ users: 400, items: 300, ratings: 30000, minPerUser: 10, seed: 8 });
  const model = new lib.SVD({ factors: 16, epochs: 5, seed: 4, bins: 8, threads, wasmVariant: 'simd' });
  const result = model.fit(data);
  const f = Float32Array.from([...model.userFactors(data.users.raw[0])!, result.epochs[4].trainRmse]);
  return { threads: result.threads ?? 1, notes: result.notes ?? [], bits: Array.from(new Uint32Array(f.buffer)) };
}

const PAGE = '<!doctype html><meta charset="utf-8"><script type="module">import * as lib from "/index.js"; globalThis.latentrec = lib;</script>';
const WORKER = `import * as lib from '/index.js';
const fitWith = ${fitWith.toString()};
self.onmessage = async (event) => {
  try {
    // Workers cannot start while a fit blocks this thread: start them first.
    const ready = await lib.prepareThreads(event.data);
    self.postMessage({ ok: true, result: { ...fitWith(lib, event.data), ready, crossOriginIsolated: self.crossOriginIsolated } });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error && error.stack || error) });
  }
};`;
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };

/** Routes a localhost origin (a secure context, so isolation can apply) to dist/ and the worker above. */
async function openPage(browser: Browser, isolated: boolean, pageErrors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await routeDist(page, 'http://localhost:5199', PAGE, dist, isolated ? ISOLATION : {}, { '/fit-worker.js': WORKER });
  await page.goto('http://localhost:5199/');
  await page.waitForFunction(() => (globalThis as unknown as { latentrec?: unknown }).latentrec !== undefined);
  return page;
}

function inWorker(page: Page, threads: number): Promise<FitOutcome> {
  return page.evaluate(
    (threads) =>
      new Promise<FitOutcome>((resolvePromise, reject) => {
        const worker = new Worker('/fit-worker.js', { type: 'module' });
        worker.onmessage = (event) => {
          worker.terminate();
          if (event.data.ok) resolvePromise(event.data.result);
          else reject(new Error(event.data.error));
        };
        worker.onerror = (event) => reject(new Error(event.message));
        worker.postMessage(threads);
      }),
    threads,
  );
}

describe.skipIf(!built || !chromiumPath)(`blocked SGD on Web Workers in Chromium${builtNote}${chromiumNote}`, () => {
  let browser: Browser;
  let lib: Latentrec;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    lib = await import(pathToFileURL(resolve(dist, 'index.js')).href);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('an isolated page: a fit in a Web Worker runs on 2 threads, bit-identical to 1 thread and to Node', async () => {
    const page = await openPage(browser, true, pageErrors);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const one = await inWorker(page, 1), two = await inWorker(page, 2);
    expect(two.crossOriginIsolated).toBe(true);
    expect(two.ready).toBe(2);
    expect(two.notes).toEqual([]);
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
    expect(two.bits).toEqual(one.bits);
    const node1 = fitWith(lib, 1), node2 = fitWith(lib, 2);
    expect(node2.threads).toBe(2);
    expect(node1.bits).toEqual(one.bits);
    expect(node2.bits).toEqual(one.bits);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it("the page's main thread may not block: 2 threads asked, 1 runs, the note says why; same bits", async () => {
    const page = await openPage(browser, true, pageErrors);
    const main: FitOutcome = await page.evaluate(`(${fitWith.toString()})(globalThis.latentrec, 2)`);
    expect(main.threads).toBe(1);
    expect(main.notes).toEqual([expect.stringMatching(/^running on 1 thread instead of 2: this thread may not block .*fit in a Web Worker/)]);
    expect(main.bits).toEqual(fitWith(lib, 1).bits);
    await page.close();
  }, 60_000);

  it('a page that is not cross-origin isolated: a worker fit on 2 threads runs on 1 and says so', async () => {
    const page = await openPage(browser, false, pageErrors);
    const two = await inWorker(page, 2);
    expect(two.crossOriginIsolated).toBe(false);
    expect(two.ready).toBe(1);
    expect(two.threads).toBe(1);
    expect(two.notes).toEqual([expect.stringMatching(/^running on 1 thread instead of 2: .*cross-origin isolated/)]);
    expect(two.bits).toEqual(fitWith(lib, 1).bits);
    await page.close();
  }, 60_000);
});
