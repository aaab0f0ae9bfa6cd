// Determinism across runtimes (issue 8, item 3): every model kind fitted with the same seed in
// Node and in headless Chromium (dist/index.js served by page.route, as in node-browser-parity)
// gives the same model file, byte for byte. Both fit on the SIMD build ({ wasmVariant: 'simd' }):
// Chromium's default is relaxed SIMD, whose fused multiply-adds round differently. The same
// self-contained function fits in both runtimes. SVD on 2 threads runs on 1 on the page's main
// thread (which may not block; the fit says so in its notes): the model is the same whatever the
// thread count.
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

const KIND_NAMES = [
  'SVD', "SVD init 'svd'", 'SVD threads 2', 'MF', 'SVDpp', 'Baseline als', 'Baseline sgd', 'PureSVD', 'BayesianFM', 'BayesianFM ids', 'BayesianFM ordinal', 'BayesianFM + genres', 'BPR', 'ALS', 'EASE', 'Popular',
  'Hybrid warp', 'Hybrid bpr', 'Hybrid logistic', 'SVD (js engine)',
] as const;

/**
 * Fits every model kind on generated data and returns each model file (base64), the build it
 * ran on and the fit's threads and notes. Self-contained: its source is evaluated in the page too.
 */
function fitEveryKind(lib: Latentrec) {
  const data = lib.generateRatings({ users: 120, items: 300, ratings: 3000, minPerUser: 10, seed: 7 });
  const genres = lib.Features.fromRecords(data.items.raw.map((id, i) => [id, [`genre:${i % 5}`, [`decade:${i % 3}`, 0.5]]] as const));
  const simd = { wasmVariant: 'simd', seed: 3 } as const;
  const sgd = { ...simd, factors: 7, epochs: 8 };
  const hybrid = (loss: 'warp' | 'bpr' | 'logistic') => () => {
    const model = new lib.Hybrid({ ...simd, factors: 7, epochs: 4, loss });
    return { model, result: model.fit(data, { itemFeatures: genres }) };
  };
  const plain = (make: () => InstanceType<Latentrec['FactorModel']>) => () => {
    const model = make();
    return { model, result: model.fit(data) };
  };
  const kinds: Record<string, () => { model: InstanceType<Latentrec['FactorModel']>; result: { threads?: number; notes?: string[] } }> = {
    SVD: plain(() => new lib.SVD(sgd)),
    "SVD init 'svd'": plain(() => new lib.SVD({ ...sgd, init: 'svd' })),
    'SVD threads 2': plain(() => new lib.SVD({ ...sgd, threads: 2, bins: 4 })),
    MF: plain(() => new lib.MF(sgd)),
    SVDpp: plain(() => new lib.SVDpp({ ...sgd, epochs: 5 })),
    'Baseline als': plain(() => new lib.Baseline({ ...simd, method: 'als' })),
    'Baseline sgd': plain(() => new lib.Baseline({ ...simd, method: 'sgd', order: 'shuffle' })),
    PureSVD: plain(() => new lib.PureSVD({ ...simd, factors: 7 })),
    BayesianFM: plain(() => new lib.BayesianFM({ ...simd, factors: 7, samples: 20 })),
    'BayesianFM ids': plain(() => new lib.BayesianFM({ ...simd, factors: 7, samples: 20, bags: [] })),
    'BayesianFM ordinal': plain(() => new lib.BayesianFM({ ...simd, factors: 7, samples: 20, ordinal: true })),
    'BayesianFM + genres': () => {
      const model = new lib.BayesianFM({ ...simd, factors: 7, samples: 20 });
      return { model, result: model.fit(data, { itemFeatures: genres }) };
    },
    BPR: plain(() => new lib.BPR({ ...simd, factors: 7, epochs: 10 })),
    ALS: plain(() => new lib.ALS({ ...simd, factors: 7, epochs: 4 })),
    EASE: plain(() => new lib.EASE({ wasmVariant: 'simd', reg: 50 })),
    Popular: plain(() => new lib.Popular({ wasmVariant: 'simd' })),
    'Hybrid warp': hybrid('warp'),
    'Hybrid bpr': hybrid('bpr'),
    'Hybrid logistic': hybrid('logistic'),
    'SVD (js engine)': plain(() => new lib.SVD({ ...sgd, engine: 'js', wasmVariant: undefined })),
  };
  const base64 = (bytes: Uint8Array) => {
    let binary = '';
    for (let t = 0; t < bytes.length; t += 0x8000) binary += String.fromCharCode(...bytes.subarray(t, t + 0x8000));
    return btoa(binary);
  };
  const out: Record<string, { variant: string; threads: number; notes: string[]; file: string }> = {};
  for (const [name, fit] of Object.entries(kinds)) {
    const { model, result } = fit();
    out[name] = { variant: model.engineVariant, threads: result.threads ?? 1, notes: result.notes ?? [], file: base64(model.save()) };
  }
  return out;
}

type Fitted = ReturnType<typeof fitEveryKind>;

// A made-up origin answered by page.route from dist/: nothing is served or fetched over the network.
const ORIGIN = 'http://latentrec-test.invalid';
const PAGE = '<!doctype html><meta charset="utf-8"><script type="module">import * as lib from "/index.js"; globalThis.latentrec = lib;</script>';

describe.skipIf(!built || !chromiumPath)(`every model kind fitted with one seed in Node and in Chromium${builtNote}${chromiumNote}`, () => {
  let browser: Browser;
  let page: Page;
  let inNode: Fitted;
  let inBrowser: Fitted;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const lib: Latentrec = await import(pathToFileURL(resolve(dist, 'index.js')).href);
    inNode = fitEveryKind(lib);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await routeDist(page, ORIGIN, PAGE, dist);
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => typeof (globalThis as unknown as { latentrec?: Latentrec }).latentrec?.SVD === 'function');
    inBrowser = await page.evaluate(`(${fitEveryKind.toString()})(globalThis.latentrec)`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('the page loaded the package and fitted every kind', () => {
    expect(pageErrors).toEqual([]);
    expect(Object.keys(inNode)).toEqual([...KIND_NAMES]);
    expect(Object.keys(inBrowser)).toEqual([...KIND_NAMES]);
  });

  it.each(KIND_NAMES)('%s: the model file is byte for byte the one Node wrote', (name) => {
    const node = inNode[name], chromium = inBrowser[name];
    const variant = name === 'SVD (js engine)' ? 'js' : 'simd';
    expect(node.variant).toBe(variant);
    expect(chromium.variant).toBe(variant);
    if (name === 'SVD threads 2') {
      expect(node.threads).toBe(2);
      expect(chromium.threads).toBe(1);
      expect(chromium.notes.join(' ')).toMatch(/1 thread/);
    }
    expect(chromium.file.length).toBe(node.file.length);
    const a = Buffer.from(node.file, 'base64'), b = Buffer.from(chromium.file, 'base64');
    const first = a.findIndex((x, t) => x !== b[t]);
    expect(first, 'first byte that differs').toBe(-1);
  });
});
