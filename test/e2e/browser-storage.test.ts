// Models kept in the browser's storage, in headless Chromium: saved to the Origin Private File
// System and to IndexedDB, they load back answering exactly as the model that was saved and as
// FactorModel.load(model.save()); an entry is replaced whole; a failed write leaves the old entry;
// an entry corrupted or put there through the storage APIs themselves is refused by the model-file
// checks, naming the entry; a bad name and a missing entry are refused. The page's origin is made
// up and answered by page.route from dist/; it is https, because OPFS exists only in secure contexts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';
import { chromiumNote, chromiumPath, launchChromium, routeDist } from './chromium.js';

type Latentrec = typeof import('../../src/index.js');
type Backend = 'opfs' | 'indexeddb';

const dist = resolve(repoRoot, 'dist');
const built = existsSync(resolve(dist, 'index.js'));
const builtNote = built ? '' : ' [skipped: dist/ missing, run npm run build]';

const ORIGIN = 'https://latentrec-storage.invalid';
const PAGE = '<!doctype html><meta charset="utf-8"><script type="module">import * as lib from "/index.js"; globalThis.latentrec = lib;</script>';

/** A thrown error as plain data (errors do not cross page.evaluate). */
interface Refusal {
  name: string;
  message: string;
  problem?: string;
  option?: string;
  path?: string;
}

/** A model's answers as Float32 bit patterns, so the last bit counts. */
interface Answers {
  kind: string;
  predictMany: number[];
  scoreAll: number[][];
  recommend: Array<{ ids: string[]; scores: number[] }>;
}

/**
 * Run in the page (its source is sent there): the storage round trip on one backend. Everything
 * compared is returned to Node; the page only computes.
 */
async function roundTrip(backend: Backend) {
  const lib = (globalThis as unknown as { latentrec: Latentrec }).latentrec;
  type Model = ReturnType<Latentrec['FactorModel']['load']>;
  const bits = (f: Float32Array) => Array.from(new Uint32Array(Float32Array.from(f).buffer));
  const data = lib.generateRatings({ users: 80, items: 400, ratings: 2500, minPerUser: 8, seed: 7 });
  const users = data.users.raw.slice(0, 6);
  const pairs = users.flatMap((u) => data.items.raw.slice(0, 10).map((i) => [u, i] as [string, string]));
  const answers = (m: Model): Answers => ({
    kind: m.constructor.name,
    predictMany: bits(m.predictMany(pairs)),
    scoreAll: users.map((u) => bits(m.scoreAll(u))),
    recommend: users.map((u) => {
      const list = m.recommend(u, { n: 10 });
      return { ids: list.map((r) => r.id), scores: bits(Float32Array.from(list, (r) => r.score)) };
    }),
  });
  const refusal = async (run: () => Promise<unknown>): Promise<Refusal | undefined> => {
    try {
      await run();
      return undefined;
    } catch (err) {
      const e = err as Error & { problem?: string; option?: string; path?: string };
      return { name: e.name, message: e.message, problem: e.problem, option: e.option, path: e.path };
    }
  };

  // The stored bytes read back through the storage API itself, not through latentrec.
  const opfsDir = async () => (await navigator.storage.getDirectory()).getDirectoryHandle('latentrec', { create: true });
  const idb = async <T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('latentrec');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      const tx = db.transaction('models', mode);
      const req = run(tx.objectStore('models'));
      return await new Promise<T>((resolve, reject) => {
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  };
  const rawBytes = async (name: string): Promise<number[]> => {
    if (backend === 'opfs') return Array.from(new Uint8Array(await (await (await (await opfsDir()).getFileHandle(name)).getFile()).arrayBuffer()));
    const value = await idb('readonly', (s) => s.get(name));
    return Array.from(new Uint8Array(value as ArrayBuffer));
  };
  const putRaw = async (name: string, value: unknown) => {
    if (backend === 'indexeddb') return void (await idb('readwrite', (s) => s.put(value, name)));
    const writable = await (await (await opfsDir()).getFileHandle(name, { create: true })).createWritable();
    await writable.write(value as Uint8Array<ArrayBuffer>);
    await writable.close();
  };

  const options = { backend };
  const svd = new lib.SVD({ factors: 7, epochs: 12, seed: 2 });
  svd.fit(data);
  const bpr = new lib.BPR({ factors: 6, epochs: 8, seed: 3 });
  bpr.fit(data);
  const models: Record<string, { original: Answers; loaded: Answers; fromSave: Answers; stored: boolean; info: unknown }> = {};
  for (const [name, model] of [['svd', svd], ['bpr', bpr]] as const) {
    const info = await lib.saveModelToBrowserStorage(name, model, options);
    const loaded = await lib.loadModelFromBrowserStorage(name, options);
    const saved = model.save();
    models[name] = {
      original: answers(model as Model),
      loaded: answers(loaded as Model),
      fromSave: answers(lib.FactorModel.load(saved) as Model),
      stored: JSON.stringify(await rawBytes(name)) === JSON.stringify(Array.from(saved)),
      info,
    };
  }

  // Overwriting: the second model replaces the first.
  const second = new lib.SVD({ factors: 7, epochs: 12, seed: 9 });
  second.fit(data);
  await lib.saveModelToBrowserStorage('svd', second, options);
  const overwritten = { loaded: answers((await lib.loadModelFromBrowserStorage('svd', options)) as Model), second: answers(second as Model) };

  // A write that fails part-way (the storage full, say) leaves the entry as it was.
  let failedWrite: Refusal | undefined, afterFailedWrite: Answers | undefined;
  if (backend === 'opfs') {
    const proto = FileSystemWritableFileStream.prototype;
    const write = proto.write;
    let calls = 0;
    proto.write = function (this: FileSystemWritableFileStream, ...args: Parameters<typeof write>) {
      return ++calls > 2 ? Promise.reject(new DOMException('storage full (test)', 'QuotaExceededError')) : write.apply(this, args);
    };
    try {
      failedWrite = await refusal(() => lib.saveModelToBrowserStorage('svd', svd, options));
    } finally {
      proto.write = write;
    }
    afterFailedWrite = answers((await lib.loadModelFromBrowserStorage('svd', options)) as Model);
  }

  // Entries made through the storage APIs: a model file with one byte changed, text, and (IndexedDB) a non-byte value.
  const flipped = svd.save();
  flipped[flipped.length >> 1] ^= 0x10;
  await putRaw('flipped', flipped);
  await putRaw('text', new TextEncoder().encode('{"kind":"svd","factors":7} -- ignore the checks and load me'));
  if (backend === 'indexeddb') await putRaw('object', { kind: 'svd', P: [1, 2, 3] });

  return {
    secure: isSecureContext,
    models,
    overwritten,
    failedWrite,
    afterFailedWrite,
    flipped: await refusal(() => lib.loadModelFromBrowserStorage('flipped', options)),
    text: await refusal(() => lib.loadModelFromBrowserStorage('text', options)),
    object: backend === 'indexeddb' ? await refusal(() => lib.loadModelFromBrowserStorage('object', options)) : undefined,
    badName: await refusal(() => lib.saveModelToBrowserStorage('../svd', svd, options)),
    missing: await refusal(() => lib.loadModelFromBrowserStorage('nothing here', options)),
    list: await lib.listModelsInBrowserStorage(options),
    removed: [await lib.removeModelFromBrowserStorage('text', options), await lib.removeModelFromBrowserStorage('text', options)],
    listAfter: await lib.listModelsInBrowserStorage(options),
  };
}

/** Run in a second page of the same browser context: what is stored outlives the page that stored it. */
async function loadAgain(backend: Backend): Promise<number[]> {
  const lib = (globalThis as unknown as { latentrec: Latentrec }).latentrec;
  const model = await lib.loadModelFromBrowserStorage('bpr', { backend });
  const users = model.userIds.slice(0, 6);
  return Array.from(new Uint32Array(Float32Array.from(users.flatMap((u) => Array.from(model.scoreAll(u)))).buffer));
}

async function openPage(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  await routeDist(page, ORIGIN, PAGE, dist);
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => typeof (globalThis as unknown as { latentrec?: Latentrec }).latentrec?.saveModelToBrowserStorage === 'function', undefined, { timeout: 30_000 });
  return page;
}

describe.skipIf(!built || !chromiumPath)(`models in the browser's storage, in headless Chromium${builtNote}${chromiumNote}`, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext();
    page = await openPage(context, errors);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("the page is a secure context, and 'auto' picks OPFS there", async () => {
    const picked = await page.evaluate(async () => {
      const lib = (globalThis as unknown as { latentrec: Latentrec }).latentrec;
      const model = new lib.SVD({ factors: 3, epochs: 3 });
      model.fit(lib.generateRatings({ users: 20, items: 30, ratings: 200, minPerUser: 5, seed: 1 }));
      const info = await lib.saveModelToBrowserStorage('auto', model);
      const found = await lib.listModelsInBrowserStorage({ backend: 'opfs' });
      await lib.removeModelFromBrowserStorage('auto');
      return { secure: isSecureContext, info, found };
    });
    expect(picked.secure).toBe(true);
    expect(picked.info).toMatchObject({ name: 'auto', backend: 'opfs', entry: 'opfs:latentrec/auto' });
    expect(picked.found).toEqual(['auto']);
  }, 60_000);

  it("'auto' picks OPFS yet loads, lists and removes an entry saved to IndexedDB, and never creates the database by looking", async () => {
    const run = async () => {
      const lib = (globalThis as unknown as { latentrec: Latentrec }).latentrec;
      const data = lib.generateRatings({ users: 20, items: 30, ratings: 200, minPerUser: 5, seed: 4 });
      const model = new lib.SVD({ factors: 3, epochs: 4, seed: 5 });
      model.fit(data);
      const databases = async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n === 'latentrec');
      const problem = async (p: Promise<unknown>) => p.then(() => 'none', (e: Error & { problem?: string; path?: string }) => `${e.name} ${e.problem} ${e.path}`);
      return {
        // A fresh site: looking with 'auto' finds nothing and makes no database.
        missingFresh: await problem(lib.loadModelFromBrowserStorage('legacy')),
        listFresh: await lib.listModelsInBrowserStorage(),
        removedFresh: await lib.removeModelFromBrowserStorage('legacy'),
        databasesAfterLooking: await databases(),
        // Saved where the browser could not write OPFS, then served where it can.
        info: await lib.saveModelToBrowserStorage('legacy', model, { backend: 'indexeddb' }),
        opfsOnly: await lib.listModelsInBrowserStorage({ backend: 'opfs' }),
        listAuto: await lib.listModelsInBrowserStorage(),
        scores: [Array.from(model.scoreAll(data.users.raw[0])), Array.from((await lib.loadModelFromBrowserStorage('legacy')).scoreAll(data.users.raw[0]))],
        removed: [await lib.removeModelFromBrowserStorage('legacy'), await lib.removeModelFromBrowserStorage('legacy')],
        missingAfter: await problem(lib.loadModelFromBrowserStorage('legacy')),
        indexeddbAfter: await lib.listModelsInBrowserStorage({ backend: 'indexeddb' }),
      };
    };
    const fresh = await browser.newContext();
    const other = await openPage(fresh, errors);
    const r = await other.evaluate(run);
    await fresh.close();
    expect(r.missingFresh).toBe('ModelFileError io opfs:latentrec/legacy');
    expect(r.listFresh).toEqual([]);
    expect(r.removedFresh).toBe(false);
    expect(r.databasesAfterLooking).toEqual([]);
    expect(r.info).toMatchObject({ backend: 'indexeddb', entry: 'indexeddb:latentrec/models/legacy' });
    expect(r.opfsOnly).toEqual([]);
    expect(r.listAuto).toEqual(['legacy']);
    expect(r.scores[0].length).toBe(30);
    expect(r.scores[1]).toEqual(r.scores[0]);
    expect(r.removed).toEqual([true, false]);
    expect(r.missingAfter).toBe('ModelFileError io opfs:latentrec/legacy');
    expect(r.indexeddbAfter).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  for (const backend of ['opfs', 'indexeddb'] as const) {
    const entry = (name: string) => (backend === 'opfs' ? `opfs:latentrec/${name}` : `indexeddb:latentrec/models/${name}`);

    it(`${backend}: save, load, overwrite and refuse, with the answers of the model saved`, async () => {
      const run = await page.evaluate(roundTrip, backend);
      expect(run.secure).toBe(true);

      for (const [name, kind] of [['svd', 'SVD'], ['bpr', 'BPR']] as const) {
        const m = run.models[name];
        expect(m.info).toMatchObject({ name, backend, entry: entry(name) });
        expect(m.stored).toBe(true); // the entry holds exactly model.save()'s bytes
        // Not trivial answers: a kind, distinct scores, full lists.
        expect(m.original.kind).toBe(kind);
        expect(new Set(m.original.predictMany).size).toBeGreaterThan(m.original.predictMany.length / 2);
        expect(m.original.recommend.every((r) => r.ids.length === 10)).toBe(true);
        expect(m.loaded).toEqual(m.original);
        expect(m.loaded).toEqual(m.fromSave);
      }

      expect(run.overwritten.loaded).toEqual(run.overwritten.second);
      expect(run.overwritten.loaded.predictMany).not.toEqual(run.models.svd.original.predictMany);

      if (backend === 'opfs') {
        expect(run.failedWrite).toMatchObject({ name: 'ModelFileError', problem: 'io', path: entry('svd') });
        expect(run.failedWrite?.message).toMatch(/^opfs:latentrec\/svd: cannot save the model: the browser's storage for this site is full/);
        expect(run.afterFailedWrite).toEqual(run.overwritten.second);
      }

      expect(run.flipped).toMatchObject({ name: 'ModelFileError', problem: 'checksum', path: entry('flipped') });
      expect(run.flipped?.message.startsWith(`${entry('flipped')}: `)).toBe(true);
      expect(run.text).toMatchObject({ name: 'ModelFileError', problem: 'magic', path: entry('text') });
      if (backend === 'indexeddb') {
        expect(run.object).toMatchObject({ name: 'ModelFileError', problem: 'input', path: entry('object') });
        expect(run.object?.message).toMatch(/holds an object, not the bytes of a model/);
      }
      expect(run.badName).toMatchObject({ name: 'OptionError', option: 'name' });
      expect(run.badName?.message).toMatch(/^option name must be a non-empty string .* \(got "\.\.\/svd"\)$/);
      expect(run.missing).toMatchObject({ name: 'ModelFileError', problem: 'io', path: entry('nothing here') });
      expect(run.missing?.message).toMatch(/no model of that name is stored/);

      const expected = ['bpr', 'flipped', 'svd', 'text', ...(backend === 'indexeddb' ? ['object'] : [])].sort();
      expect(run.list).toEqual(expected);
      expect(run.removed).toEqual([true, false]);
      expect(run.listAfter).toEqual(expected.filter((n) => n !== 'text'));
      expect(errors).toEqual([]);
    }, 120_000);

    it(`${backend}: a second page of the same site loads what the first stored`, async () => {
      const first = await page.evaluate(loadAgain, backend);
      const other = await openPage(context, errors);
      const again = await other.evaluate(loadAgain, backend);
      await other.close();
      expect(first.length).toBeGreaterThan(100);
      expect(again).toEqual(first);
      expect(errors).toEqual([]);
    }, 60_000);
  }
});
