// One model file, two runtimes: bytes saved in Node load in headless Chromium (dist/index.js and
// its chunk served as they are from dist/) and answer exactly as FactorModel.load of the same
// bytes in Node: predictMany, scoreAll, recommend and fold-in, bit for bit when both sides load it
// on the same build, { wasmVariant: 'simd' } (and on the js engine). Chromium's default build is
// relaxed SIMD (fused multiply-adds, which Node 20 runs only behind a flag): there the answers agree
// with the SIMD build's to float precision, not bit for bit.
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

interface Queries {
  users: string[];
  pairs: Array<[string, string]>;
  foldIn: Array<[string, number]>;
}

/**
 * Everything asked of a loaded model, Float32 results as their bit patterns (so -0, NaN and the
 * last bit count). Self-contained: its source is evaluated in the page too, so both runtimes run
 * this very code.
 */
function answer(lib: Latentrec, modelBase64: string, q: Queries) {
  const binary = atob(modelBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const model = lib.FactorModel.load(bytes, { wasmVariant: 'simd' });
  // The build the model serves on (no public accessor: read from its fitted state).
  const servingVariant = () => (model as unknown as { trained: { engine: { variant: string } } }).trained.engine.variant;
  const bits = (f: Float32Array) => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));
  const ranked = (list: Array<{ item: string; score: number }>) => ({ items: list.map((r) => r.item), scores: bits(Float32Array.from(list, (r) => r.score)) });
  const before = {
    kind: model.constructor.name,
    engine: (model as unknown as { options: { engine: string } }).options.engine,
    variant: servingVariant(),
    predictMany: bits(model.predictMany(q.pairs)),
    scoreAll: q.users.map((u) => bits(model.scoreAll(u))),
    recommend: q.users.map((u) => ranked(model.recommend(u, { n: 10 }))),
  };
  const visitor = model.foldIn(q.foldIn, { user: 'visitor' }); // last: fold-in adds a user to the model
  return { ...before, foldIn: { recommend: ranked(model.recommend(visitor, { n: 10 })), scoreAll: bits(model.scoreAll(visitor)), variant: servingVariant() } };
}

type Answers = ReturnType<typeof answer>;

/**
 * Three model kinds on the wasm engine, fitted in Node on generated data (k not a multiple of 4,
 * so padding lanes are in the file), and an SVD on the js engine: plain IEEE arithmetic in two
 * V8 builds, which should agree as exactly.
 */
function fitModels(lib: Latentrec): Record<string, { kind: string; engine: string; bytes: Uint8Array }> {
  const data = lib.generateRatings({ users: 150, items: 400, ratings: 6000, minPerUser: 10, seed: 11 });
  const svd = new lib.SVD({ factors: 10, epochs: 15, engine: 'wasm', seed: 2 });
  svd.fit(data);
  const bpr = new lib.BPR({ factors: 7, epochs: 5, engine: 'wasm', seed: 3 });
  bpr.fit(data);
  const hybrid = new lib.Hybrid({ factors: 6, epochs: 5, engine: 'wasm', seed: 4 });
  hybrid.fit(data, { itemFeatures: lib.Features.fromRecords(data.items.raw.map((id, i) => [id, [`genre:${i % 7}`]] as const)) });
  const svdJs = new lib.SVD({ factors: 10, epochs: 15, engine: 'js', seed: 2 });
  svdJs.fit(data);
  return {
    'SVD (wasm)': { kind: 'SVD', engine: 'wasm', bytes: svd.save() },
    'BPR (wasm)': { kind: 'BPR', engine: 'wasm', bytes: bpr.save() },
    'Hybrid (wasm)': { kind: 'Hybrid', engine: 'wasm', bytes: hybrid.save() },
    'SVD (js)': { kind: 'SVD', engine: 'js', bytes: svdJs.save() },
  };
}

function queriesFor(lib: Latentrec, bytes: Uint8Array): Queries {
  const model = lib.FactorModel.load(bytes);
  const users = model.userIds.slice(0, 8), items = model.itemIds.slice(0, 12);
  return {
    users: [...users],
    pairs: [...users.flatMap((u) => items.map((i) => [u, i] as [string, string])), ['stranger', items[0]], [users[0], 'no such item']],
    foldIn: items.slice(0, 6).map((item, j) => [item, 1 + (j % 5)] as [string, number]),
  };
}

// A made-up origin answered by page.route from dist/: nothing is served or fetched over the network.
const ORIGIN = 'http://latentrec-test.invalid';
const PAGE = '<!doctype html><meta charset="utf-8"><script type="module">import * as lib from "/index.js"; globalThis.latentrec = lib;</script>';

describe.skipIf(!built || !chromiumPath)(`a model file in Node and in Chromium${builtNote}${chromiumNote}`, () => {
  let browser: Browser;
  let page: Page;
  let lib: Latentrec;
  let files: ReturnType<typeof fitModels>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    lib = await import(pathToFileURL(resolve(dist, 'index.js')).href);
    files = fitModels(lib);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await routeDist(page, ORIGIN, PAGE, dist);
    await page.goto(`${ORIGIN}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('the page loaded the package from dist/', async () => {
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(() => typeof (globalThis as unknown as { latentrec?: Latentrec }).latentrec?.FactorModel)).toBe('function');
  });

  it.each(['SVD (wasm)', 'BPR (wasm)', 'Hybrid (wasm)', 'SVD (js)'])('%s: predictMany, scoreAll, recommend and fold-in are bit-identical', async (name) => {
    const { kind, engine, bytes } = files[name];
    const base64 = Buffer.from(bytes).toString('base64');
    const queries = queriesFor(lib, bytes);
    const inNode = answer(lib, base64, queries);
    const inBrowser: Answers = await page.evaluate(`(${answer.toString()})(globalThis.latentrec, ${JSON.stringify(base64)}, ${JSON.stringify(queries)})`);

    // A model of this kind on this engine (wasm: the SIMD build on both sides, kept through fold-in), with answers that are not trivial.
    const variant = engine === 'js' ? 'js' : 'simd';
    // A file's 'wasm' loads as 'auto' (wasm where it compiles, as here): the variant says which ran.
    expect(inNode).toMatchObject({ kind, engine: engine === 'js' ? 'js' : 'auto', variant, foldIn: { variant } });
    expect(inNode.predictMany).toHaveLength(queries.pairs.length);
    expect(new Set(inNode.predictMany).size).toBeGreaterThan(queries.pairs.length / 2);
    expect(inNode.scoreAll.every((s) => s.length === lib.FactorModel.load(bytes).itemIds.length)).toBe(true);
    expect(inNode.recommend.every((r) => r.items.length === 10)).toBe(true);
    expect(inNode.foldIn.recommend.items).toHaveLength(10);

    expect(inBrowser.kind).toBe(inNode.kind);
    expect(inBrowser.variant).toBe(variant);
    expect(inBrowser.predictMany).toEqual(inNode.predictMany);
    expect(inBrowser.scoreAll).toEqual(inNode.scoreAll);
    expect(inBrowser.recommend).toEqual(inNode.recommend);
    expect(inBrowser.foldIn).toEqual(inNode.foldIn);
    expect(inBrowser).toEqual(inNode);
    expect(pageErrors).toEqual([]);
  });

  it('where Chromium runs relaxed SIMD it is the default there, and agrees with SIMD to 1e-5 relative', async (ctx) => {
    const base64 = Buffer.from(files['SVD (wasm)'].bytes).toString('base64');
    const queries = queriesFor(lib, files['SVD (wasm)'].bytes);
    const inBrowser = await page.evaluate(
      ({ base64, queries }) => {
        const lib = (globalThis as unknown as { latentrec: Latentrec }).latentrec;
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        let relaxed = true;
        try {
          lib.createEngine('wasm', 'relaxed');
        } catch {
          relaxed = false;
        }
        const variantOf = (m: unknown) => (m as { trained: { engine: { variant: string } } }).trained.engine.variant;
        // The Node-saved file, served on the default build and pinned to SIMD.
        const served = (options?: { wasmVariant: 'simd' }) => {
          const model = lib.FactorModel.load(bytes, options);
          return { variant: variantOf(model), predictMany: Array.from(model.predictMany(queries.pairs)), scoreAll: queries.users.flatMap((u) => Array.from(model.scoreAll(u))) };
        };
        // A fit in the page on each build: SGD carries the rounding differences through 15 epochs.
        const fitted = (options: { wasmVariant?: 'simd' }) => {
          const data = lib.generateRatings({ users: 150, items: 400, ratings: 6000, minPerUser: 10, seed: 11 });
          const model = new lib.SVD({ factors: 10, epochs: 15, seed: 2, ...options });
          const curve = model.fit(data).epochs.map((e) => e.trainRmse);
          return { variant: variantOf(model), curve, predictMany: Array.from(model.predictMany(data)) };
        };
        return {
          relaxed, defaultVariant: lib.createEngine('wasm').variant,
          served: { onDefault: served(), onSimd: served({ wasmVariant: 'simd' }) },
          fitted: { onDefault: fitted({}), onSimd: fitted({ wasmVariant: 'simd' }) },
        };
      },
      { base64, queries },
    );
    expect(pageErrors).toEqual([]);
    if (!inBrowser.relaxed) {
      expect(inBrowser.defaultVariant).toBe('simd');
      ctx.skip('this Chromium does not run relaxed SIMD');
    }
    expect(inBrowser.defaultVariant).toBe('relaxed');
    const relative = (a: number[], b: number[]) => {
      expect(a).toHaveLength(b.length);
      return a.reduce((worst, x, t) => Math.max(worst, Math.abs(x - b[t]) / Math.max(1e-3, Math.abs(b[t]))), 0);
    };
    for (const which of ['served', 'fitted'] as const) {
      const { onDefault, onSimd } = inBrowser[which];
      expect(onDefault.variant).toBe('relaxed');
      expect(onSimd.variant).toBe('simd');
      expect(relative(onDefault.predictMany, onSimd.predictMany)).toBeLessThan(1e-5);
    }
    expect(relative(inBrowser.served.onDefault.scoreAll, inBrowser.served.onSimd.scoreAll)).toBeLessThan(1e-5);
    expect(relative(inBrowser.fitted.onDefault.curve, inBrowser.fitted.onSimd.curve)).toBeLessThan(1e-5);
    // Pinned to SIMD, the browser's own fit is the one Node makes, bit for bit.
    const data = lib.generateRatings({ users: 150, items: 400, ratings: 6000, minPerUser: 10, seed: 11 });
    const inNode = new lib.SVD({ factors: 10, epochs: 15, seed: 2, wasmVariant: 'simd' });
    expect(inNode.fit(data).epochs.map((e) => e.trainRmse)).toEqual(inBrowser.fitted.onSimd.curve);
    expect(Array.from(inNode.predictMany(data))).toEqual(inBrowser.fitted.onSimd.predictMany);
  });
});
