// The package's browser entry (dist/index.js, the ESM build, and its modules) reaches no Node
// built-in: a bundler targeting browsers takes it as it is, and in headless Chromium it loads
// without touching Node's globals, trains an SVD on the best wasm build there (relaxed SIMD in
// Chromium 156, else SIMD) and predicts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';
import { chromiumNote, chromiumPath, launchChromium } from './chromium.js';

type Latentrec = typeof import('../../src/index.js');

const entry = resolve(repoRoot, 'dist/index.js');
const built = existsSync(entry);
const builtNote = built ? '' : ' [skipped: dist/ missing, run npm run build]';

/** Node's globals: the bundle's free references to them are replaced by markers we can look for. */
const NODE_GLOBALS = ['process', 'Buffer', 'require', 'global', '__dirname', '__filename'];
const marker = (name: string) => `__NODE_GLOBAL_${name}__`;

/** The browser bundle of dist/index.js and its metafile, made once for both describes. */
async function bundleEntry(): Promise<{ text: string; metafile: Metafile; warnings: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: Object.fromEntries(NODE_GLOBALS.map((name) => [name, marker(name)])),
  });
  return { text: result.outputFiles[0].text, metafile: result.metafile, warnings: result.warnings.length };
}

let bundled: Promise<Awaited<ReturnType<typeof bundleEntry>>> | undefined;
const bundle = () => (bundled ??= bundleEntry());

describe.skipIf(!built)(`dist/index.js bundled by esbuild for the browser${builtNote}`, () => {
  it('bundles with no Node built-in among its inputs or imports', async () => {
    const { metafile, warnings } = await bundle();
    expect(warnings).toBe(0);
    const inputs = Object.keys(metafile.inputs);
    // Only the package's own files: no node_modules polyfill, no built-in stubbed in.
    expect(inputs).toContain('dist/index.js');
    for (const input of inputs) expect(input).toMatch(/^dist\/([\w.-]+\/)*[\w.-]+\.js$/);
    const imports = Object.values(metafile.inputs).flatMap((i) => i.imports);
    expect(imports.length).toBeGreaterThan(0); // index.js imports its modules
    for (const i of imports) {
      expect(i.external ?? false, i.path).toBe(false);
      expect(i.path).not.toMatch(/^node:/);
    }
  });

  it('refers to none of process, Buffer, require, global, __dirname, __filename', async () => {
    const { text } = await bundle();
    expect(text.length).toBeGreaterThan(10_000);
    expect(NODE_GLOBALS.filter((name) => text.includes(marker(name)))).toEqual([]);
    expect(text).not.toMatch(/\brequire\(/);
    expect(text).not.toMatch(/from\s*["']node:|import\(\s*["']node:/);
  });
});

// A made-up origin answered by page.route: nothing is served or fetched over the network.
const ORIGIN = 'http://latentrec-test.invalid';
const PAGE = '<!doctype html><meta charset="utf-8"><script type="module">import * as lib from "/latentrec.js"; globalThis.latentrec = lib;</script>';

/**
 * Runs before any page script: each of Node's globals becomes a getter that records who reached
 * it (typeof checks included) and answers undefined, as a browser would.
 */
function trapNodeGlobals(names: string[]): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const reached: string[] = [];
  g.__nodeGlobalsReached = reached;
  for (const name of names) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        reached.push(`${name} at ${new Error().stack?.split('\n')[2]?.trim() ?? '?'}`);
        return undefined;
      },
    });
  }
}

describe.skipIf(!built || !chromiumPath)(`the browser entry in headless Chromium${builtNote}${chromiumNote}`, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const { text } = await bundle();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.addInitScript(trapNodeGlobals, [...NODE_GLOBALS, 'module', 'exports']);
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: PAGE });
      if (path === '/latentrec.js') return route.fulfill({ contentType: 'text/javascript', body: text });
      return route.fulfill({ status: 404, body: 'not found' });
    });
    await page.goto(`${ORIGIN}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads without reaching a Node global', async () => {
    expect(pageErrors).toEqual([]);
    const loaded = await page.evaluate(() => typeof (globalThis as unknown as { latentrec?: Latentrec }).latentrec?.SVD);
    expect(loaded).toBe('function');
    expect(await page.evaluate(() => (globalThis as unknown as { __nodeGlobalsReached: string[] }).__nodeGlobalsReached)).toEqual([]);
  });

  it('fits an SVD on the best wasm build (relaxed SIMD where Chromium runs it) and predicts, end to end', async () => {
    const result = await page.evaluate(() => {
      const lib = (globalThis as unknown as { latentrec: Latentrec }).latentrec;
      const data = lib.generateRatings({ users: 80, items: 60, ratings: 2400, minPerUser: 10, seed: 3 });
      const model = new lib.SVD({ factors: 8, epochs: 40, lrAll: 0.01, engine: 'wasm', seed: 1 });
      model.fit(data);
      const runs = (variant: 'relaxed' | 'simd' | 'scalar') => {
        try {
          return lib.createEngine('wasm', variant).variant === variant;
        } catch {
          return false;
        }
      };
      const pinned = new lib.SVD({ factors: 8, epochs: 40, lrAll: 0.01, engine: 'wasm', seed: 1, wasmVariant: 'simd' });
      pinned.fit(data);
      const mean = data.ratings.reduce((s, r) => s + r, 0) / data.size;
      const meanRmse = Math.sqrt(data.ratings.reduce((s, r) => s + (r - mean) ** 2, 0) / data.size);
      const estimates = Array.from(model.predictMany(data));
      return {
        simd: lib.wasmSimdSupported(),
        variant: lib.createEngine('wasm').variant,
        supported: (['relaxed', 'simd', 'scalar'] as const).filter(runs),
        trainRmse: lib.evaluate(model, data).rmse,
        simdTrainRmse: lib.evaluate(pinned, data).rmse,
        meanRmse,
        estimates: { count: estimates.length, min: Math.min(...estimates), max: Math.max(...estimates) },
        known: model.predict('1', '1'),
        stranger: model.predict('nobody', '1'),
        top: model.recommend('1', { n: 5 }).map((r) => r.item),
        reached: (globalThis as unknown as { __nodeGlobalsReached: string[] }).__nodeGlobalsReached,
      };
    });
    expect(result.simd).toBe(true);
    expect(result.supported).toEqual(expect.arrayContaining(['simd', 'scalar']));
    // The default is the best build the browser runs: relaxed SIMD where supported, else SIMD.
    expect(result.variant).toBe(result.supported[0]);
    expect(['relaxed', 'simd']).toContain(result.variant);
    // The same fit pinned to the SIMD build: relaxed rounding moves the result only in far digits.
    expect(Math.abs(result.trainRmse - result.simdTrainRmse)).toBeLessThan(1e-4 * result.simdTrainRmse);
    // Learned something: well below the error of predicting the mean, on the ratings it saw.
    expect(result.trainRmse).toBeLessThan(0.8 * result.meanRmse);
    expect(result.estimates).toEqual({ count: 2400, min: expect.any(Number), max: expect.any(Number) });
    expect(result.estimates.min).toBeGreaterThanOrEqual(1);
    expect(result.estimates.max).toBeLessThanOrEqual(5);
    expect(result.known).toMatchObject({ user: '1', item: '1', userKnown: true, itemKnown: true, impossible: false });
    expect(Number.isFinite(result.known.estimate)).toBe(true);
    expect(result.stranger).toMatchObject({ userKnown: false, impossible: true });
    expect(result.top).toHaveLength(5);
    expect(new Set(result.top).size).toBe(5);
    expect(result.reached).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('the trap itself works: reaching a Node global in the page is recorded', async () => {
    // Without this, an empty record above could mean the getters were never installed.
    const reached = await page.evaluate(() => {
      const g = globalThis as unknown as { __nodeGlobalsReached: string[] };
      const before = g.__nodeGlobalsReached.length;
      void (typeof (globalThis as unknown as { process?: unknown }).process);
      return g.__nodeGlobalsReached.slice(before);
    });
    expect(reached).toHaveLength(1);
    expect(reached[0]).toMatch(/^process at /);
  });
});
