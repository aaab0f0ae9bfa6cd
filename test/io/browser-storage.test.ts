// What can be checked of the browser-storage functions without a browser: the name and option
// checks, the clear error where the runtime has no storage (Node), and — on a small in-memory
// stand-in for the Origin Private File System with the swap-file semantics of createWritable —
// that an invalid model writes nothing and a failed write leaves the old entry as it was.
// test/e2e/browser-storage.test.ts runs the same functions on Chromium's real OPFS and IndexedDB.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FactorModel,
  generateRatings,
  LatentrecError,
  listModelsInBrowserStorage,
  loadModelFromBrowserStorage,
  ModelFileError,
  OptionError,
  removeModelFromBrowserStorage,
  saveModelToBrowserStorage,
  SVD,
  UnknownOptionError,
} from '../../src/index.js';

async function rejection<E extends Error>(type: abstract new (...args: never[]) => E, p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}

const BAD_NAMES: unknown[] = ['', '.', '..', 'a/b', '../x', 'a\\b', 'a\u0000b', 'tab\there', 'del\u007f', 'x'.repeat(201), '\uD800lone', 'lone\uDC00', 42, null, undefined];
const GOOD_NAMES = ['movies', 'x'.repeat(200), 'v2.lrec', 'a..b', 'Amélie 😀', ' spaced '];

describe('browser storage without a browser (Node)', () => {
  for (const name of BAD_NAMES) {
    it(`refuses the name ${JSON.stringify(name) ?? String(name)} with an OptionError naming the allowed form`, async () => {
      const calls = [
        () => saveModelToBrowserStorage(name as string, {} as FactorModel),
        () => loadModelFromBrowserStorage(name as string),
        () => removeModelFromBrowserStorage(name as string),
      ];
      for (const call of calls) {
        const err = await rejection(OptionError, call());
        expect(err.option).toBe('name');
        expect(err.message).toMatch(/^option name must be a non-empty string of at most 200 characters, without '\/', '\\', control characters/);
      }
    });
  }

  it('takes names a file may have (200 characters, dots inside, any script), then says there is no storage', async () => {
    for (const name of GOOD_NAMES) {
      const err = await rejection(LatentrecError, loadModelFromBrowserStorage(name));
      expect(err).not.toBeInstanceOf(OptionError);
      expect(err.message).toMatch(/no browser storage here/);
    }
  });

  it('says that neither OPFS nor IndexedDB exists, for every function, and what to do in Node', async () => {
    const model = new SVD({ factors: 2, epochs: 2 });
    model.fit(generateRatings({ users: 10, items: 12, ratings: 60, minPerUser: 3, seed: 1 }));
    const calls = [
      () => saveModelToBrowserStorage('m', model),
      () => loadModelFromBrowserStorage('m'),
      () => removeModelFromBrowserStorage('m'),
      () => listModelsInBrowserStorage(),
    ];
    for (const call of calls) {
      const err = await rejection(LatentrecError, call());
      expect(err).not.toBeInstanceOf(ModelFileError);
      expect(err.message).toMatch(/^\w+BrowserStorage: no browser storage here: this runtime has neither the Origin Private File System \(.*secure contexts.*\) nor IndexedDB \(in Node, save to a file with saveModelToFile/);
    }
  });

  it('names the missing backend when one is forced', async () => {
    expect((await rejection(LatentrecError, loadModelFromBrowserStorage('m', { backend: 'opfs' }))).message).toMatch(/navigator\.storage\.getDirectory is missing.*use backend 'indexeddb' or 'auto'/);
    expect((await rejection(LatentrecError, loadModelFromBrowserStorage('m', { backend: 'indexeddb' }))).message).toMatch(/IndexedDB is not available in this runtime; use backend 'opfs' or 'auto'/);
  });

  it('refuses a bad backend, an unknown option and a non-object of options', async () => {
    const bad = await rejection(OptionError, listModelsInBrowserStorage({ backend: 'localStorage' as 'opfs' }));
    expect(bad.message).toBe(`option backend must be 'auto', 'opfs' or 'indexeddb' (got "localStorage")`);
    const unknown = await rejection(UnknownOptionError, loadModelFromBrowserStorage('m', { backnd: 'opfs' } as never));
    expect(unknown.message).toMatch(/has no option "backnd" \(did you mean backend\?\); its options: backend, wasmVariant/);
    await rejection(OptionError, saveModelToBrowserStorage('m', {} as FactorModel, 'opfs' as never));
  });

  it('refuses what is not a fitted model before looking for storage', async () => {
    expect((await rejection(LatentrecError, saveModelToBrowserStorage('m', { predict() {} } as never))).message).toMatch(/^saveModelToBrowserStorage: model must be a fitted latentrec model .*got an object/);
    const unfitted = await rejection(LatentrecError, saveModelToBrowserStorage('m', new SVD()));
    expect(unfitted.message).not.toMatch(/browser storage/);
  });
});

// --- An in-memory OPFS ---------------------------------------------------------------------------

const notFound = () => new DOMException('A requested file or directory could not be found.', 'NotFoundError');

/** A file whose writes go to a swap buffer that replaces the content only on close(). */
class FakeFile {
  readonly kind = 'file';
  content = new Uint8Array(0);
  constructor(readonly name: string, private readonly disk: FakeDisk) {}
  async getFile() {
    const bytes = this.content.slice();
    return { arrayBuffer: async () => bytes.buffer };
  }
  async createWritable() {
    const parts: Uint8Array[] = [];
    return {
      write: async (data: Uint8Array) => {
        if (this.disk.writesLeft-- <= 0) throw new DOMException('quota', 'QuotaExceededError');
        parts.push(data.slice());
      },
      close: async () => {
        this.content = new Uint8Array(parts.flatMap((p) => Array.from(p)));
      },
      abort: async () => {
        this.disk.aborts++;
      },
    };
  }
}

class FakeDirectory {
  readonly kind = 'directory';
  readonly children = new Map<string, FakeFile | FakeDirectory>();
  constructor(readonly name: string, private readonly disk: FakeDisk) {}
  async getDirectoryHandle(name: string, options: { create?: boolean } = {}) {
    return this.child(name, options, FakeDirectory);
  }
  async getFileHandle(name: string, options: { create?: boolean } = {}) {
    return this.child(name, options, FakeFile);
  }
  async removeEntry(name: string) {
    if (!this.children.delete(name)) throw notFound();
  }
  async *values() {
    yield* this.children.values();
  }
  private child<T extends FakeFile | FakeDirectory>(name: string, options: { create?: boolean }, type: new (name: string, disk: FakeDisk) => T): T {
    const found = this.children.get(name);
    if (found instanceof type) return found;
    if (found) throw new DOMException('The path supplied exists, but was not an entry of requested type.', 'TypeMismatchError');
    if (!options.create) throw notFound();
    const made = new type(name, this.disk);
    this.children.set(name, made);
    return made;
  }
}

class FakeDisk {
  writesLeft = Infinity;
  aborts = 0;
  readonly root = new FakeDirectory('', this);
}

describe('browser storage on an in-memory OPFS', () => {
  let disk: FakeDisk;
  const install = () => {
    disk = new FakeDisk();
    vi.stubGlobal('navigator', { storage: { getDirectory: async () => disk.root } });
    vi.stubGlobal('FileSystemFileHandle', FakeFile);
  };
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  const data = generateRatings({ users: 30, items: 40, ratings: 500, minPerUser: 5, seed: 3 });
  const fitted = (seed: number) => {
    const model = new SVD({ factors: 4, epochs: 5, seed });
    model.fit(data);
    return model;
  };
  const pairs = data.users.raw.slice(0, 10).map((u, t) => [u, data.items.raw[t]] as const);
  const bits = (model: FactorModel) => Array.from(new Uint32Array(model.predictMany(pairs).buffer));

  it("'auto' picks it, and a model comes back with the same bits as FactorModel.load(model.save())", async () => {
    install();
    const model = fitted(1);
    const info = await saveModelToBrowserStorage('m', model);
    expect(info).toEqual({ name: 'm', backend: 'opfs', entry: 'opfs:latentrec/m', byteLength: model.save().byteLength });
    expect((disk.root.children.get('latentrec') as FakeDirectory).children.get('m')).toBeInstanceOf(FakeFile);
    expect(bits(await loadModelFromBrowserStorage('m'))).toEqual(bits(FactorModel.load(model.save())));
    expect(await listModelsInBrowserStorage()).toEqual(['m']);
  });

  it('writes nothing for a model that cannot be saved', async () => {
    install();
    await rejection(LatentrecError, saveModelToBrowserStorage('m', new SVD()));
    expect(disk.root.children.size).toBe(0);
  });

  it('a failed write is aborted: the old entry stays, a new name leaves no entry', async () => {
    install();
    const first = fitted(1);
    await saveModelToBrowserStorage('m', first);
    disk.writesLeft = 1; // the second chunk of the next save fails
    const err = await rejection(ModelFileError, saveModelToBrowserStorage('m', fitted(2)));
    expect(err.problem).toBe('io');
    expect(err.message).toMatch(/^opfs:latentrec\/m: cannot save the model: the browser's storage for this site is full/);
    expect(disk.aborts).toBe(1);
    expect(bits(await loadModelFromBrowserStorage('m'))).toEqual(bits(first));
    disk.writesLeft = 1;
    await rejection(ModelFileError, saveModelToBrowserStorage('other', fitted(2)));
    expect(await listModelsInBrowserStorage()).toEqual(['m']);
  });

  it('a missing name, a directory in its place and foreign bytes are refused, naming the entry', async () => {
    install();
    const missing = await rejection(ModelFileError, loadModelFromBrowserStorage('nothing'));
    expect(missing.problem).toBe('io');
    expect(missing.message).toBe('opfs:latentrec/nothing: no model of that name is stored (save one with saveModelToBrowserStorage first; listModelsInBrowserStorage gives the names stored)');
    expect(await removeModelFromBrowserStorage('nothing')).toBe(false);
    await saveModelToBrowserStorage('m', fitted(1));
    const dir = disk.root.children.get('latentrec') as FakeDirectory;
    await dir.getDirectoryHandle('folder', { create: true });
    expect((await rejection(ModelFileError, loadModelFromBrowserStorage('folder'))).message).toMatch(/^opfs:latentrec\/folder: cannot read the model: the entry is a directory/);
    (dir.children.get('m') as FakeFile).content = new TextEncoder().encode('{"kind":"svd"} not a model');
    const foreign = await rejection(ModelFileError, loadModelFromBrowserStorage('m'));
    expect(foreign.problem).toBe('magic');
    expect(foreign.path).toBe('opfs:latentrec/m');
    expect(await removeModelFromBrowserStorage('m')).toBe(true);
    expect(await listModelsInBrowserStorage()).toEqual([]);
  });
});
