// One model file, two runtimes: bytes saved in Node load in headless Chromium (dist/index.js and
// its chunk served as they are from dist/) and answer exactly as FactorModel.load of the same
// bytes in Node: predictMany, scoreAll, recommend and fold-in, bit for bit on the SIMD wasm build
// (and on the js engine).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';
import { chromiumNote, chromiumPath, launchChromium } from './chromium.js';

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
  const model = lib.FactorModel.load(bytes);
  const bits = (f: Float32Array) => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));
  const ranked = (list: Array<{ item: string; score: number }>) => ({ items: list.map((r) => r.item), scores: bits(Float32Array.from(list, (r) => r.score)) });
  const before = {
    kind: model.constructor.name,
    engine: (model as unknown as { options: { engine: string } }).options.engine,
    variant: lib.createEngine('wasm').variant,
    predictMany: bits(model.predictMany(q.pairs)),
    scoreAll: q.users.map((u) => bits(model.scoreAll(u))),
    recommend: q.users.map((u) => ranked(model.recommend(u, { n: 10 }))),
  };
  const visitor = model.foldIn(q.foldIn, { user: 'visitor' }); // last: fold-in adds a user to the model
  return { ...before, foldIn: { recommend: ranked(model.recommend(visitor, { n: 10 })), scoreAll: bits(model.scoreAll(visitor)) } };
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
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: PAGE });
      const file = resolve(dist, `.${path}`);
      if (/^\/[\w.-]+\.js$/.test(path) && existsSync(file)) return route.fulfill({ contentType: 'text/javascript', body: readFileSync(file, 'utf8') });
      return route.fulfill({ status: 404, body: 'not found' });
    });
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

    // A model of this kind on this engine (wasm: the SIMD build on both sides), with answers that are not trivial.
    expect(inNode).toMatchObject({ kind, engine, variant: 'simd' });
    expect(inNode.predictMany).toHaveLength(queries.pairs.length);
    expect(new Set(inNode.predictMany).size).toBeGreaterThan(queries.pairs.length / 2);
    expect(inNode.scoreAll.every((s) => s.length === lib.FactorModel.load(bytes).itemIds.length)).toBe(true);
    expect(inNode.recommend.every((r) => r.items.length === 10)).toBe(true);
    expect(inNode.foldIn.recommend.items).toHaveLength(10);

    expect(inBrowser.kind).toBe(inNode.kind);
    expect(inBrowser.variant).toBe('simd');
    expect(inBrowser.predictMany).toEqual(inNode.predictMany);
    expect(inBrowser.scoreAll).toEqual(inNode.scoreAll);
    expect(inBrowser.recommend).toEqual(inNode.recommend);
    expect(inBrowser.foldIn).toEqual(inNode.foldIn);
    expect(inBrowser).toEqual(inNode);
    expect(pageErrors).toEqual([]);
  });
});
