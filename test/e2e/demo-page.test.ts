// The browser demo (examples/browser) end to end: scripts/build-demo.mjs bundles it against the
// package's built browser entry (dist/index.js) and trains its model, once; scripts/demo-server.mjs
// serves it; headless Chromium uses the page as a visitor would. Fixtures the tests write (a
// catalogue with hostile titles, ratings files, broken model files) are served to the page under
// /e2e-fixtures/ by Playwright's request routing, never written into the repository.
import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FactorModel, generateRatings, type Dataset } from '../../dist/index.js';
import { hasMl100k, ml100kNote, repoRoot } from '../helpers.js';
import { chromiumNote, chromiumPath, launchChromium } from './chromium.js';

// The scripts are plain .mjs (run by node directly); these are the parts the tests use.
interface DemoData {
  source: 'movielens' | 'generated';
  description: string;
  items: number;
  users: number;
  fitSeconds: number;
}
interface BuildDemoModule {
  demoRoot: string;
  demoDist: string;
  buildDemo(options?: { ml100k?: string | null; log?: (line: string) => void }): Promise<{ outDir: string; data: DemoData }>;
  writeDemoData(options: { outDir: string; ml100k?: string | null }): Promise<DemoData>;
}
interface DemoServer {
  url: string;
  close(): Promise<void>;
}
interface DemoServerModule {
  startDemoServer(options: { port?: number; host?: string; root: string }): Promise<DemoServer>;
}

const importScript = async <T>(name: string): Promise<T> => (await import(pathToFileURL(join(repoRoot, 'scripts', name)).href)) as T;

/** The demo is built once per run, by whichever describe needs it first. */
let built: Promise<{ scripts: BuildDemoModule; data: DemoData }> | undefined;
function buildOnce(): Promise<{ scripts: BuildDemoModule; data: DemoData }> {
  built ??= (async () => {
    const scripts = await importScript<BuildDemoModule>('build-demo.mjs');
    const { data } = await scripts.buildDemo({ log: (line) => console.log(`[demo:build] ${line}`) });
    return { scripts, data };
  })();
  return built;
}

const BUILD_TIMEOUT = 120_000;
const RATE_ITEM = '[data-testid="rate-item"]';
const REC_ITEM = '[data-testid="rec-item"]';

interface ShownRecommendation {
  id: string;
  score: number;
  shownScore: string;
  because: string | null;
}

describe.skipIf(!chromiumPath)(`the demo page in headless Chromium${chromiumNote}`, () => {
  let scripts: BuildDemoModule;
  let data: DemoData;
  let server: DemoServer;
  let browser: Browser;
  let fixtures: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ({ scripts, data } = await buildOnce());
    const { startDemoServer } = await importScript<DemoServerModule>('demo-server.mjs');
    server = await startDemoServer({ root: scripts.demoRoot });
    browser = await launchChromium();
    fixtures = await mkdtemp(join(tmpdir(), 'latentrec-demo-'));
  }, BUILD_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (fixtures) await rm(fixtures, { recursive: true, force: true });
  });

  /** A fresh page (own context) on the demo, with /e2e-fixtures/* answered from the fixtures dir. */
  async function openDemo(query = ''): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await context.route(
      (url) => url.pathname.startsWith('/e2e-fixtures/'),
      (route) => route.fulfill({ path: join(fixtures, new URL(route.request().url()).pathname.slice('/e2e-fixtures/'.length)) }),
    );
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${server.url}${query}`);
    await page.waitForSelector('body[data-ready]');
    expect(problems).toEqual([]);
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    return page;
  }

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
  });

  /** Ids of the first rows of the rate list: the most rated items. */
  const firstItems = (page: Page, n: number): Promise<string[]> =>
    page.$$eval(RATE_ITEM, (rows, count) => rows.slice(0, count).map((r) => (r as HTMLElement).dataset.itemId!), n);

  /** Clicks a star and waits until the page has taken the rating in. */
  async function rate(page: Page, item: string, stars: number): Promise<void> {
    const before = Number(await page.textContent('[data-testid="rated-count"]'));
    await page.click(`${RATE_ITEM}[data-item-id="${item}"] [data-testid="star"][data-stars="${stars}"]`);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="rated-count"]')!.textContent) >= n, before + 1);
  }

  const shownTop = (page: Page): Promise<ShownRecommendation[]> =>
    page.$$eval(REC_ITEM, (rows) =>
      rows.map((r) => ({
        id: (r as HTMLElement).dataset.itemId!,
        score: Number((r as HTMLElement).dataset.score),
        shownScore: r.querySelector('[data-testid="rec-score"]')!.textContent!,
        because: r.querySelector('[data-testid="because"]')?.textContent ?? null,
      })),
    );

  const rankMilliseconds = async (page: Page): Promise<number> => Number(await page.getAttribute('[data-testid="rank-ms"]', 'data-ms'));

  /** Rates the three most rated items 5, 4 and 2 stars; returns the top 10 and timing after each. */
  async function rateThree(page: Page) {
    const items = await firstItems(page, 3);
    const stars = [5, 4, 2];
    const steps: { top: ShownRecommendation[]; ms: number }[] = [];
    for (let t = 0; t < 3; t++) {
      await rate(page, items[t], stars[t]);
      steps.push({ top: await shownTop(page), ms: await rankMilliseconds(page) });
    }
    return { ratings: items.map((id, t) => [id, stars[t]] as [string, number]), steps };
  }

  test(`rating three items re-ranks the top 10, never showing a rated item${chromiumNote}`, async () => {
    const page = await openDemo();
    expect(await page.$$(REC_ITEM)).toHaveLength(0); // nothing to rank before a rating
    const { ratings, steps } = await rateThree(page);
    steps.forEach(({ top }, t) => {
      expect(top).toHaveLength(10);
      const rated = new Set(ratings.slice(0, t + 1).map(([id]) => id));
      for (const { id } of top) expect(rated.has(id)).toBe(false);
    });
    expect(steps[2].top.map((r) => r.id)).not.toEqual(steps[0].top.map((r) => r.id));
    // "because you liked X": X is one of the visitor's liked (>= 4 stars) items.
    const likedTitles = await Promise.all(
      ratings.filter(([, s]) => s >= 4).map(([id]) => page.textContent(`${RATE_ITEM}[data-item-id="${id}"] .title`)),
    );
    for (const { because } of steps[2].top) {
      expect(likedTitles.map((title) => `because you liked ${title}`)).toContain(because);
    }
    const itemCount = await page.textContent('#rank-items');
    console.log(
      `[demo] fold-in + top 10 over ${itemCount} items (${data.source} model) in headless Chromium: ` +
        `${steps.map((s) => `${s.ms.toFixed(3)} ms`).join(', ')} (ratings 1, 2, 3)`,
    );
    await mkdir(join(repoRoot, '.artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, '.artifacts/demo-page.png'), fullPage: true });
  });

  test(`the page ranks exactly as Node does from the same model file${chromiumNote}`, async () => {
    const page = await openDemo();
    const { ratings, steps } = await rateThree(page);
    const model = FactorModel.load(await readFile(join(scripts.demoDist, 'model.lrec')));
    model.foldIn(ratings, { user: 'visitor' });
    const expected = model.recommend('visitor', { n: 10 });
    const shown = steps[2].top;
    expect(shown.map((r) => r.id)).toEqual(expected.map((r) => r.item));
    // Same wasm kernels, same float32 arithmetic, same order: the scores are identical, not close.
    expect(shown.map((r) => r.score)).toEqual(expected.map((r) => r.score));
    expect(shown.map((r) => r.shownScore)).toEqual(expected.map((r) => r.score.toFixed(2)));
  });

  test(`a ratings file trains in a worker with a live curve while the page stays responsive${chromiumNote}`, async () => {
    const path = join(fixtures, 'generated.data');
    await writeFile(path, ratingsText(generateRatings()));
    const page = await openDemo();
    const modelBefore = await page.textContent('[data-testid="model-info"]');
    await page.setInputFiles('[data-testid="train-file"]', path);
    // Frames the page paints while the worker trains: a blocked main thread paints none.
    await page.evaluate(() => {
      const w = window as unknown as { frameTimes: number[] };
      w.frameTimes = [];
      const tick = (t: number) => {
        w.frameTimes.push(t);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const start = await page.evaluate(() => performance.now());
    await page.click('[data-testid="train-button"]');
    await page.waitForSelector('[data-testid="train-status"][data-state="done"]', { timeout: 25_000 });
    const end = await page.evaluate(() => performance.now());
    const frames = await page.evaluate(() => (window as unknown as { frameTimes: number[] }).frameTimes);
    const during = [start, ...frames.filter((t) => t > start && t < end), end];
    const longestGap = Math.max(...during.slice(1).map((t, i) => t - during[i]));
    console.log(
      `[demo] training in the worker (100,000 ratings, k=32, 20 epochs): ${(end - start).toFixed(0)} ms; ` +
        `${during.length - 2} frames painted meanwhile, longest gap ${longestGap.toFixed(0)} ms`,
    );
    expect(during.length - 2).toBeGreaterThanOrEqual(3);
    expect(longestGap).toBeLessThan(Math.max(250, (end - start) / 2));

    const progress = await page.$eval('[data-testid="train-progress"]', (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max]);
    expect(progress).toEqual([20, 20]);
    expect(await page.$$('[data-testid="curve"] svg path, [data-testid="curve"] svg polyline')).not.toHaveLength(0);
    expect(await page.isVisible('[data-testid="train-error"]')).toBe(false);

    // The trained model takes over: it knows the generated item ids, so ratings rank at once.
    await page.click('[data-testid="use-trained"]');
    expect(await page.textContent('[data-testid="model-info"]')).not.toBe(modelBefore);
    expect(await page.textContent('[data-testid="model-info"]')).toContain('generated.data');
    const [item] = await firstItems(page, 1);
    await rate(page, item, 5);
    expect(await shownTop(page)).toHaveLength(10);
    await page.locator('.train').screenshot({ path: join(repoRoot, '.artifacts/demo-training.png') });
  });

  test(`a malformed ratings file shows its line and reason${chromiumNote}`, async () => {
    const path = join(fixtures, 'broken.data');
    await writeFile(path, '1\t10\t5\t881250949\n2\t20\t4\t881250950\n3\t30\tabc\t881250951\n4\t40\t3\t881250952\n');
    const page = await openDemo();
    await page.setInputFiles('[data-testid="train-file"]', path);
    await page.click('[data-testid="train-button"]');
    await page.waitForSelector('[data-testid="train-error"]:not([hidden])');
    const message = await page.textContent('[data-testid="train-error"]');
    expect(message).toContain('broken.data:3:');
    expect(message).toMatch(/rating.*not a number.*"abc"/);
    expect(await page.getAttribute('[data-testid="train-status"]', 'data-state')).toBe('error');
  });

  test(`a model file of another version, or no model file, is refused and the model in use stays${chromiumNote}`, async () => {
    const bytes = new Uint8Array(await readFile(join(scripts.demoDist, 'model.lrec')));
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(8, 2, true);
    const page = await openDemo();
    const [first, second] = await firstItems(page, 2);
    await rate(page, first, 5);
    const modelBefore = await page.textContent('[data-testid="model-info"]');

    await page.setInputFiles('[data-testid="model-file"]', { name: 'future.lrec', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await page.waitForSelector('[data-testid="model-error"]:not([hidden])');
    expect(await page.textContent('[data-testid="model-error"]')).toMatch(/^future\.lrec: written by format version 2; this latentrec reads version 1/);

    await page.setInputFiles('[data-testid="model-file"]', { name: 'notes.lrec', mimeType: 'text/plain', buffer: Buffer.from('hello, not a model') });
    await page.waitForFunction(() => document.querySelector('[data-testid="model-error"]')!.textContent!.startsWith('notes.lrec'));
    expect(await page.textContent('[data-testid="model-error"]')).toContain('not a latentrec model file');

    expect(await page.textContent('[data-testid="model-info"]')).toBe(modelBefore);
    await rate(page, second, 4);
    const top = await shownTop(page);
    expect(top).toHaveLength(10);
    expect(top.map((r) => r.id)).not.toContain(first);
    expect(top.map((r) => r.id)).not.toContain(second);
  });

  test(`titles from the catalogue render as text, never as markup${chromiumNote}`, async () => {
    const catalog = JSON.parse(await readFile(join(scripts.demoDist, 'catalog.json'), 'utf8')) as { id: string; title: string; genres: string[] }[];
    const hostile = ['<script>window.__pwned = 1</script>', '<img src=x onerror="window.__pwned=2">'];
    catalog[0].title = hostile[0];
    catalog[1].title = hostile[1];
    catalog[2].genres = ['<b onmouseover="window.__pwned=3">Bold</b>'];
    await writeFile(join(fixtures, 'hostile-catalog.json'), JSON.stringify(catalog));
    const page = await openDemo('?catalog=/e2e-fixtures/hostile-catalog.json');
    await rate(page, catalog[0].id, 5);
    await rate(page, catalog[1].id, 4);
    const titles = await page.$$eval(`${RATE_ITEM} .title`, (spans) => spans.slice(0, 2).map((s) => s.textContent));
    expect(titles).toEqual(hostile);
    const because = (await shownTop(page)).map((r) => r.because);
    expect(because.some((text) => text !== null && hostile.some((h) => text.endsWith(h)))).toBe(true);
    await page.waitForTimeout(200); // an injected <img> would have fired onerror by now
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('img, b, main script')).toHaveLength(0);
  });

  test(`the generated catalogue ranks as fast${chromiumNote}`, async () => {
    const generated = await scripts.writeDemoData({ outDir: join(fixtures, 'generated'), ml100k: null });
    expect(generated.source).toBe('generated');
    const page = await openDemo('?model=/e2e-fixtures/generated/model.lrec&catalog=/e2e-fixtures/generated/catalog.json');
    expect(await page.textContent(`${RATE_ITEM} .title`)).toMatch(/^Generated item \d+$/);
    const { steps } = await rateThree(page);
    expect(steps[2].top).toHaveLength(10);
    console.log(
      `[demo] fold-in + top 10 over ${generated.items} items (generated model) in headless Chromium: ` +
        `${steps.map((s) => `${s.ms.toFixed(3)} ms`).join(', ')} (ratings 1, 2, 3)`,
    );
  });
});

describe.skipIf(!hasMl100k)(`build-demo with MovieLens 100k${ml100kNote}`, () => {
  test(`trains on u.data and writes every movie's title and genres, read as latin-1${ml100kNote}`, async () => {
    const { scripts, data } = await buildOnce();
    expect(data.source).toBe('movielens');
    const catalog = JSON.parse(await readFile(join(scripts.demoDist, 'catalog.json'), 'utf8')) as { id: string; title: string; genres: string[] }[];
    expect(catalog).toHaveLength(1682);
    expect(new Set(catalog.map((c) => c.id)).size).toBe(1682);
    for (const { title, genres } of catalog) {
      expect(title.length).toBeGreaterThan(0);
      expect(title).not.toContain('\uFFFD');
      expect(Array.isArray(genres)).toBe(true);
    }
    expect(catalog[0]).toEqual({ id: '50', title: 'Star Wars (1977)', genres: ['Action', 'Adventure', 'Romance', 'Sci-Fi', 'War'] });
    expect(catalog.find((c) => c.id === '543')?.title).toBe('Misérables, Les (1995)');
    const model = FactorModel.load(await readFile(join(scripts.demoDist, 'model.lrec')));
    expect([model.factorCount, model.itemIds.length, model.userIds.length]).toEqual([64, 1682, 943]);
  }, BUILD_TIMEOUT);
});

describe('the demo server', () => {
  let root: string;
  let server: DemoServer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'latentrec-demo-server-'));
    await mkdir(join(root, 'site/dist'), { recursive: true });
    const files: Record<string, string> = {
      'index.html': '<!doctype html><title>demo</title>',
      'dist/main.js': 'export {};',
      'dist/catalog.json': '[]',
      'dist/model.lrec': 'LATENTRC',
      'style.css': 'body {}',
      'chart.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(join(root, 'site', name), text);
    await writeFile(join(root, 'secret.txt'), 'outside the root');
    await symlink(join(root, 'secret.txt'), join(root, 'site/leak.txt'));
    const { startDemoServer } = await importScript<DemoServerModule>('demo-server.mjs');
    server = await startDemoServer({ root: join(root, 'site') });
  });

  afterAll(async () => {
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A raw GET: the path goes out exactly as written (fetch would normalize `..` away). */
  function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    const { hostname, port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: hostname, port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('serves files with their content types, cross-origin isolated', async () => {
    const expected: Record<string, string> = {
      '/': 'text/html',
      '/index.html': 'text/html',
      '/dist/main.js': 'text/javascript',
      '/dist/catalog.json': 'application/json',
      '/dist/model.lrec': 'application/octet-stream',
      '/style.css': 'text/css',
      '/chart.svg': 'image/svg+xml',
      '/dist/main.js?v=2': 'text/javascript',
    };
    for (const [path, type] of Object.entries(expected)) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 200]);
      expect(String(res.headers['content-type'])).toContain(type);
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
    }
    expect((await get('/dist/model.lrec')).body).toBe('LATENTRC');
  });

  test('never serves anything outside its root', async () => {
    const escapes = [
      '/../secret.txt',
      '/dist/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/dist/..%2F..%2Fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
      '/leak.txt', // a symlink pointing out of the root
      '/%E0%A4%A', // malformed percent-encoding
      '/index.html%00.js',
    ];
    for (const path of escapes) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.body).not.toContain('outside the root');
    }
  });

  test('answers 404 for missing files and 405 for other methods', async () => {
    expect((await get('/dist/missing.js')).status).toBe(404);
    expect((await get('/dist/main.js', 'POST')).status).toBe(405);
    expect((await get('/dist/main.js', 'HEAD')).status).toBe(200);
  });
});

/** A dataset as u.data-style lines: user, item, rating, timestamp, tab-separated. */
function ratingsText(dataset: Dataset): string {
  const lines: string[] = [];
  for (let t = 0; t < dataset.size; t++) {
    lines.push(`${dataset.users.raw[dataset.userIndex[t]]}\t${dataset.items.raw[dataset.itemIndex[t]]}\t${dataset.ratings[t]}\t${881250949 + t}`);
  }
  return `${lines.join('\n')}\n`;
}
