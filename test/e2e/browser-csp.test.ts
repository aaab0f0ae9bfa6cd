// A page under a Content-Security-Policy: `script-src 'self'` lets scripts of the page's origin
// run but refuses to compile WebAssembly. There the default engine falls back to the js engine,
// with a note naming the fix ('wasm-unsafe-eval'), and a fit that insists on wasm is refused with
// the same advice. With 'wasm-unsafe-eval' added the same page trains on wasm.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';
import { chromiumNote, chromiumPath, launchChromium, routeDist } from './chromium.js';

type Latentrec = typeof import('../../src/index.js');

const dist = resolve(repoRoot, 'dist');
const built = existsSync(resolve(dist, 'index.js'));
const builtNote = built ? '' : ' [skipped: dist/ missing, run npm run build]';

const ORIGIN = 'http://latentrec-csp.invalid';
// No inline script: the policy forbids it; the page's one module comes from its own origin.
const PAGE = '<!doctype html><meta charset="utf-8"><script type="module" src="/main.js"></script>';
const MAIN = 'import * as lib from "/index.js"; globalThis.latentrec = lib; globalThis.latentrecReady = true;';

interface PageRun {
  variants: string[];
  refusal: string | undefined;
  notes: string[];
  engineVariant: string;
  predictions: number[];
  jsPredictions: number[];
  top: string[];
  ranked: { notes: string[]; engineVariant: string; top: string[] };
  forced: { name: string; message: string } | undefined;
}

/** In the page: fits with the default engine, with engine 'js', and with engine 'wasm' forced. */
function runInPage(): PageRun {
  const lib = (globalThis as unknown as { latentrec: Latentrec }).latentrec;
  const data = lib.generateRatings({ users: 60, items: 120, ratings: 1500, minPerUser: 8, seed: 5 });
  const model = new lib.SVD({ factors: 6, epochs: 15, seed: 2 });
  const result = model.fit(data);
  const twin = new lib.SVD({ factors: 6, epochs: 15, seed: 2, engine: 'js' });
  twin.fit(data);
  const bpr = new lib.BPR({ factors: 8, epochs: 5, seed: 3 });
  const ranked = bpr.fit(data);
  let forced: PageRun['forced'];
  try {
    new lib.SVD({ factors: 6, epochs: 2, engine: 'wasm' }).fit(data);
  } catch (err) {
    forced = { name: (err as Error).name, message: (err as Error).message };
  }
  const pairs = Array.from({ length: 20 }, (_, i) => [String(1 + (i % 60)), String(1 + ((i * 7) % 120))] as const);
  return {
    variants: lib.wasmVariants(),
    refusal: lib.wasmRefusal(),
    notes: result.notes ?? [],
    engineVariant: model.engineVariant,
    predictions: pairs.map(([u, i]) => model.predict(u, i).estimate),
    jsPredictions: pairs.map(([u, i]) => twin.predict(u, i).estimate),
    top: model.recommend('1', { n: 5 }).map((r) => r.id),
    ranked: { notes: ranked.notes ?? [], engineVariant: bpr.engineVariant, top: bpr.recommend('2', { n: 5 }).map((r) => r.id) },
    forced,
  };
}

async function openPage(browser: Browser, policy: string, warnings: string[], errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await routeDist(page, ORIGIN, PAGE, dist, { 'Content-Security-Policy': policy }, { '/main.js': MAIN });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => (globalThis as unknown as { latentrecReady?: boolean }).latentrecReady === true, undefined, { timeout: 30_000 });
  return page;
}

describe.skipIf(!built || !chromiumPath)(`a page under a Content-Security-Policy in headless Chromium${builtNote}${chromiumNote}`, () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("script-src 'self': trains and recommends on the js engine, with the note and the fix", async () => {
    const warnings: string[] = [], errors: string[] = [];
    const page = await openPage(browser, "script-src 'self'", warnings, errors);
    const run = await page.evaluate(runInPage);
    await page.close();
    // Nothing claims a build that the page cannot compile.
    expect(run.variants).toEqual([]);
    expect(run.refusal).toMatch(/refuses to compile WebAssembly/);
    expect(run.engineVariant).toBe('js');
    expect(run.notes).toEqual([expect.stringMatching(/^running on the js engine: .*'wasm-unsafe-eval'/)]);
    // The fallback is the js engine itself: the same bits as a fit that asked for it.
    expect(run.predictions).toEqual(run.jsPredictions);
    expect(run.predictions.every(Number.isFinite)).toBe(true);
    expect(run.top).toHaveLength(5);
    expect(run.ranked.engineVariant).toBe('js');
    expect(run.ranked.notes[0]).toMatch(/'wasm-unsafe-eval'/);
    expect(run.ranked.top).toHaveLength(5);
    // engine 'wasm' insists: a LatentrecError with the same advice, not a raw CompileError.
    expect(run.forced?.name).toBe('LatentrecError');
    expect(run.forced?.message).toMatch(/refuses to compile WebAssembly.*'wasm-unsafe-eval'/);
    // Said once on the console, where a developer looks first.
    expect(warnings.filter((w) => w.startsWith('latentrec: running on the js engine'))).toHaveLength(1);
    expect(errors).toEqual([]);
  }, 60_000);

  it("script-src 'self' 'wasm-unsafe-eval': the same page trains on wasm", async () => {
    const warnings: string[] = [], errors: string[] = [];
    const page = await openPage(browser, "script-src 'self' 'wasm-unsafe-eval'", warnings, errors);
    const run = await page.evaluate(runInPage);
    await page.close();
    expect(run.variants).toEqual(expect.arrayContaining(['simd', 'scalar']));
    expect(run.refusal).toBeUndefined();
    expect(['relaxed', 'simd']).toContain(run.engineVariant);
    expect(run.engineVariant).toBe(run.variants[0]);
    expect(run.notes).toEqual([]);
    expect(['relaxed', 'simd']).toContain(run.ranked.engineVariant);
    expect(run.forced).toBeUndefined();
    // wasm and js agree closely (relaxed SIMD fuses multiply-adds; SIMD matches js to the bit).
    for (let i = 0; i < run.predictions.length; i++) expect(run.predictions[i]).toBeCloseTo(run.jsPredictions[i], 3);
    expect(run.top).toHaveLength(5);
    expect(warnings.filter((w) => w.startsWith('latentrec:'))).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
