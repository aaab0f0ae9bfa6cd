// Fitted models kept in the browser's own storage for the page's origin: the Origin Private File
// System (OPFS) where the browser has it, else IndexedDB. Browser-safe: the APIs are looked up on
// globalThis when called (never at import), so this module also loads in Node, where the calls
// say that there is no browser storage.
//
// The stored bytes are model files, written by the model-file encoder and read back through the
// decoder and FactorModel.fromState: an entry that is corrupt or was put there by someone else is
// refused with the same checks as a file, never trusted.
import { describeValue, LatentrecError, ModelFileError, OptionError } from '../errors.js';
import { optionsObject } from '../models/core/arguments.js';
import { checkOptionKeys } from '../models/core/options.js';
import { FactorModel, type LoadOptions } from '../models/registry.js';
import { decodeOwnedModel, encodeModelChunks, namingSource } from './model-file.js';

/** Where models are kept: the Origin Private File System, or IndexedDB. */
export type BrowserStorageBackend = 'opfs' | 'indexeddb';

/** The options every browser-storage function takes. */
export interface BrowserStorageOptions {
  /**
   * The storage to use: `'auto'` (default) is the Origin Private File System where the browser
   * lets pages write to it (`navigator.storage.getDirectory()` and `createWritable()`), else
   * IndexedDB; the same browser picks the same one every time, so what `'auto'` saved `'auto'`
   * finds. Where it picks OPFS, load, list and remove also reach entries an earlier save put in
   * an existing IndexedDB database (saved while the browser could not write OPFS; OPFS wins a
   * name in both). `'opfs'` or `'indexeddb'` uses that one alone.
   */
  backend?: 'auto' | BrowserStorageBackend;
}

/** The options of {@link loadModelFromBrowserStorage}: the storage, and the build to serve on. */
export interface BrowserStorageLoadOptions extends BrowserStorageOptions, LoadOptions {}

/** Where {@link saveModelToBrowserStorage} put a model. */
export interface StoredModelInfo {
  /** The name it was saved under. */
  name: string;
  /** The storage it went to (what `'auto'` picked). */
  backend: BrowserStorageBackend;
  /** The entry, as error messages name it: `opfs:latentrec/NAME` or `indexeddb:latentrec/models/NAME`. */
  entry: string;
  /** The size of the stored model file in bytes. */
  byteLength: number;
}

/** The OPFS directory, the IndexedDB database and its object store: one namespace per origin. */
const NAMESPACE = 'latentrec';
const STORE_NAME = 'models';
const MAX_NAME_LENGTH = 200;
const NAME_FORM =
  `a non-empty string of at most ${MAX_NAME_LENGTH} characters, without '/', '\\', control characters ` +
  `or unpaired surrogates, and not '.' or '..'`;
const BACKEND_FORM = "'auto', 'opfs' or 'indexeddb'";
const NO_OPFS = 'navigator.storage.getDirectory is missing; browsers offer it only in secure contexts, https:// or http://localhost';
const NO_WRITABLE = "this browser's Origin Private File System has no createWritable() (older Safari), so a page cannot write to it";
const NODE_ADVICE = " (in Node, save to a file with saveModelToFile from 'latentrec/node')";

// The parts of the OPFS API used here, so that nothing else is relied on.
interface OpfsWritable {
  write(data: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}
interface OpfsFile {
  getFile(): Promise<{ arrayBuffer(): Promise<ArrayBuffer> }>;
  createWritable(): Promise<OpfsWritable>;
}
interface OpfsDirectory {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OpfsDirectory>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<OpfsFile>;
  removeEntry(name: string): Promise<void>;
  values(): AsyncIterable<{ kind: string; name: string }>;
}

type Store = { backend: 'opfs'; root: OpfsDirectory } | { backend: 'indexeddb'; factory: IDBFactory };

/**
 * Saves a fitted model in the browser's storage under `name`, replacing the model of that name
 * atomically: in OPFS the bytes go to the browser's swap file and replace the entry only when
 * complete (a failed write is aborted and the old entry stays); in IndexedDB the entry is put in
 * one transaction. The model is encoded and checked before the storage is touched.
 *
 * @param name - The entry's name: a non-empty string of at most 200 characters, without a slash or a backslash,
 *   control characters or unpaired surrogates, and not `.` or `..`.
 * @param model - A fitted model (any kind: SVD, BPR, a model from FactorModel.load, ...).
 * @param options - `backend`: `'auto'` (default), `'opfs'` or `'indexeddb'`.
 * @returns Where the model went: its name, the backend, the entry and the size in bytes.
 * @throws {@link OptionError} when `name` or an option is not of the allowed form.
 * @throws {@link ModelFileError} when the model's state cannot be encoded (nothing is written),
 *   or (problem `'io'`, naming the entry) when the browser refuses the write, e.g. over quota.
 * @throws {@link LatentrecError} when `model` is not a fitted model, or the runtime has no
 *   storage of the kind asked for (neither OPFS nor IndexedDB: Node, for one).
 * @example
 * ```ts
 * const model = new SVD({ factors: 20 });
 * model.fit(data);
 * await saveModelToBrowserStorage('movies', model); // { backend: 'opfs', entry: 'opfs:latentrec/movies', ... }
 * ```
 */
export async function saveModelToBrowserStorage(name: string, model: FactorModel, options: BrowserStorageOptions = {}): Promise<StoredModelInfo> {
  const where = 'saveModelToBrowserStorage';
  const key = modelName(name);
  const { backend } = storageOptions(where, options, ['backend']);
  // Encoded (and checked) first: a model that cannot be saved writes nothing.
  const encoded = encodeModelChunks(fittedModel(where, model).toState());
  const store = await openStore(where, backend, true);
  const entry = entryName(store.backend, key);
  try {
    if (store.backend === 'opfs') await writeOpfsFile(store.root, key, encoded.chunks);
    else await putIndexedDb(store.factory, key, joined(encoded));
  } catch (err) {
    throw ioError('cannot save the model', err, entry);
  }
  return { name: key, backend: store.backend, entry, byteLength: encoded.byteLength };
}

/**
 * Loads the model saved under `name`. The bytes get every check of a model file (magic, version,
 * checksum, sizes, finite values, ids), so a corrupt or foreign entry is refused, not served.
 *
 * @param name - The entry's name, as given to {@link saveModelToBrowserStorage}.
 * @param options - `backend` (as for saving) and `wasmVariant` (the build to serve on, as for
 *   {@link FactorModel.load}).
 * @returns The model, of the kind that was saved.
 * @throws {@link OptionError} when `name` or an option is not of the allowed form.
 * @throws {@link ModelFileError} naming the entry: problem `'io'` when no model of that name is
 *   stored or the browser refuses the read, else the decoder's problem (`'checksum'`,
 *   `'truncated'`, `'magic'`, ...; `'input'` when the entry does not hold bytes).
 * @throws {@link LatentrecError} when the runtime has no storage of the kind asked for.
 * @example
 * ```ts
 * const model = await loadModelFromBrowserStorage('movies');
 * model.recommend('196', { n: 10 });
 * ```
 */
export async function loadModelFromBrowserStorage(name: string, options: BrowserStorageLoadOptions = {}): Promise<FactorModel> {
  const where = 'loadModelFromBrowserStorage';
  const key = modelName(name);
  const { backend, wasmVariant } = storageOptions(where, options, ['backend', 'wasmVariant']);
  const store = await openStore(where, backend, false);
  const entry = entryName(store.backend, key);
  let stored: unknown;
  let found = entry;
  try {
    stored = store.backend === 'opfs' ? await readOpfsFile(store.root, key) : await getIndexedDb(store.factory, key);
  } catch (err) {
    throw ioError('cannot read the model', err, entry);
  }
  const earlier = stored === undefined && backend === 'auto' ? await earlierIndexedDb(store) : undefined;
  if (earlier) {
    found = entryName('indexeddb', key);
    try {
      stored = await getIndexedDb(earlier, key, false);
    } catch (err) {
      throw ioError('cannot read the model', err, found);
    }
  }
  if (stored === undefined) {
    throw new ModelFileError('io', `no model of that name is stored (save one with saveModelToBrowserStorage first; listModelsInBrowserStorage gives the names stored)`, entry);
  }
  return modelFromBytes(await storedBytes(stored, found), found, wasmVariant === undefined ? {} : { wasmVariant });
}

/**
 * Removes the model saved under `name`, if there is one.
 *
 * @param name - The entry's name, as given to {@link saveModelToBrowserStorage}.
 * @param options - `backend`, as for saving.
 * @returns True when a model was removed, false when none of that name was stored.
 * @throws {@link OptionError} when `name` or an option is not of the allowed form.
 * @throws {@link ModelFileError} (problem `'io'`, naming the entry) when the browser refuses.
 * @throws {@link LatentrecError} when the runtime has no storage of the kind asked for.
 * @example
 * ```ts
 * await removeModelFromBrowserStorage('movies'); // true, then false
 * ```
 */
export async function removeModelFromBrowserStorage(name: string, options: BrowserStorageOptions = {}): Promise<boolean> {
  const where = 'removeModelFromBrowserStorage';
  const key = modelName(name);
  const { backend } = storageOptions(where, options, ['backend']);
  const store = await openStore(where, backend, false);
  const entry = entryName(store.backend, key);
  let removed: boolean;
  try {
    removed = store.backend === 'opfs' ? await removeOpfsFile(store.root, key) : await deleteIndexedDb(store.factory, key);
  } catch (err) {
    throw ioError('cannot remove the model', err, entry);
  }
  // 'auto' loads an earlier IndexedDB entry of the name too: removed, it must not come back.
  const earlier = backend === 'auto' ? await earlierIndexedDb(store) : undefined;
  if (!earlier) return removed;
  try {
    return (await deleteIndexedDb(earlier, key, false)) || removed;
  } catch (err) {
    throw ioError('cannot remove the model', err, entryName('indexeddb', key));
  }
}

/**
 * The names of the models stored, sorted (by UTF-16 code units).
 *
 * @param options - `backend`, as for saving.
 * @returns The names, or an empty array when none is stored.
 * @throws {@link OptionError} when an option is not of the allowed form.
 * @throws {@link ModelFileError} (problem `'io'`) when the browser refuses to list the storage.
 * @throws {@link LatentrecError} when the runtime has no storage of the kind asked for.
 * @example
 * ```ts
 * await listModelsInBrowserStorage(); // ['movies', 'music']
 * ```
 */
export async function listModelsInBrowserStorage(options: BrowserStorageOptions = {}): Promise<string[]> {
  const where = 'listModelsInBrowserStorage';
  const { backend } = storageOptions(where, options, ['backend']);
  const store = await openStore(where, backend, false);
  const earlier = backend === 'auto' ? await earlierIndexedDb(store) : undefined;
  let at = store.backend === 'opfs' ? `opfs:${NAMESPACE}` : `indexeddb:${NAMESPACE}/${STORE_NAME}`;
  try {
    const names = store.backend === 'opfs' ? await listOpfsFiles(store.root) : await listIndexedDb(store.factory);
    at = `indexeddb:${NAMESPACE}/${STORE_NAME}`;
    if (earlier) names.push(...(await listIndexedDb(earlier, false)));
    // Only what a save could have made: anything else in the namespace is not ours to offer.
    return [...new Set(names.filter(isModelName))].sort();
  } catch (err) {
    throw ioError('cannot list the models', err, at);
  }
}

// --- Arguments -----------------------------------------------------------------------------------

/** `name` if it is a name one entry and only that entry can have in both backends; else OptionError. */
function modelName(name: unknown): string {
  if (typeof name !== 'string' || !isModelName(name)) throw new OptionError('name', NAME_FORM, name);
  return name;
}

function isModelName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_NAME_LENGTH &&
    name !== '.' &&
    name !== '..' &&
    // OPFS treats these as path syntax (or rejects them); control characters would reach messages.
    !/[/\\\u0000-\u001f\u007f-\u009f]/.test(name) &&
    // Browsers turn an unpaired surrogate into U+FFFD: two names would share one file.
    !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)
  );
}

function storageOptions(where: string, given: BrowserStorageLoadOptions, known: readonly string[]): BrowserStorageLoadOptions & { backend: 'auto' | BrowserStorageBackend } {
  const o = optionsObject(`${where} options`, given);
  checkOptionKeys(`${where} options`, o, known);
  const backend = o.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'opfs' && backend !== 'indexeddb') throw new OptionError('backend', BACKEND_FORM, backend);
  return { ...o, backend };
}

function fittedModel(where: string, model: unknown): FactorModel {
  if (model instanceof FactorModel) return model;
  throw new LatentrecError(`${where}: model must be a fitted latentrec model (SVD, BPR, FactorModel.load(...), ...), got ${describeValue(model)}`);
}

// --- Choosing the storage ------------------------------------------------------------------------

interface BrowserGlobals {
  navigator?: { storage?: { getDirectory?: () => Promise<OpfsDirectory> } };
  FileSystemFileHandle?: { prototype?: { createWritable?: unknown } };
  indexedDB?: IDBFactory;
}

/**
 * The storage for `backend`. 'auto' asks the same questions every time (OPFS usable for writing,
 * else IndexedDB), so saves and loads in one browser agree on where entries are.
 */
async function openStore(where: string, backend: 'auto' | BrowserStorageBackend, writing: boolean): Promise<Store> {
  // Looked up per call: a page may gain storage later, and a test may stand one in.
  const g = globalThis as unknown as BrowserGlobals;
  const factory = indexedDbFactory(g);
  if (backend === 'indexeddb') {
    if (!factory) throw new LatentrecError(`${where}: IndexedDB is not available in this runtime; use backend 'opfs' or 'auto'${NODE_ADVICE}`);
    return { backend, factory };
  }
  const getDirectory = g.navigator?.storage?.getDirectory;
  const canWrite = typeof g.FileSystemFileHandle?.prototype?.createWritable === 'function';
  if (backend === 'opfs') {
    if (typeof getDirectory !== 'function') throw new LatentrecError(`${where}: ${NO_OPFS}; use backend 'indexeddb' or 'auto'${NODE_ADVICE}`);
    if (writing && !canWrite) throw new LatentrecError(`${where}: ${NO_WRITABLE}; use backend 'indexeddb' or 'auto'`);
    return { backend, root: await opfsRoot(where, g) };
  }
  if (typeof getDirectory === 'function' && canWrite) {
    try {
      return { backend: 'opfs', root: await opfsRoot(where, g) };
    } catch (err) {
      if (!factory) throw err;
    }
  }
  if (factory) return { backend: 'indexeddb', factory };
  throw new LatentrecError(`${where}: no browser storage here: this runtime has neither the Origin Private File System (${NO_OPFS}) nor IndexedDB${NODE_ADVICE}`);
}

function indexedDbFactory(g: BrowserGlobals): IDBFactory | undefined {
  try {
    return g.indexedDB ?? undefined;
  } catch {
    // Some browsers throw on the mere access when storage is blocked for the page.
    return undefined;
  }
}

async function opfsRoot(where: string, g: BrowserGlobals): Promise<OpfsDirectory> {
  const storage = g.navigator!.storage!;
  try {
    return await storage.getDirectory!.call(storage);
  } catch (err) {
    throw new LatentrecError(`${where}: the browser refused the Origin Private File System (${describeError(err)}); use backend 'indexeddb'`);
  }
}

function entryName(backend: BrowserStorageBackend, name: string): string {
  return backend === 'opfs' ? `opfs:${NAMESPACE}/${name}` : `indexeddb:${NAMESPACE}/${STORE_NAME}/${name}`;
}

/**
 * When 'auto' picked OPFS: IndexedDB, if this origin's latentrec database already exists. A page
 * saved there while OPFS was not writable (Safari before 17.4 has no createWritable); once the
 * browser can write OPFS, 'auto' picks it, and these entries must still load, list and remove.
 * Only a database that exists is looked in: asking for one would create it on every miss, and a
 * browser without indexedDB.databases() (it came in 2021-24) is not asked.
 */
async function earlierIndexedDb(store: Store): Promise<IDBFactory | undefined> {
  if (store.backend !== 'opfs') return undefined;
  const factory = indexedDbFactory(globalThis as unknown as BrowserGlobals);
  if (!factory || typeof factory.databases !== 'function') return undefined;
  try {
    return (await factory.databases()).some((db) => db.name === NAMESPACE) ? factory : undefined;
  } catch {
    // Storage blocked for IndexedDB alone: nothing can have been saved there either.
    return undefined;
  }
}

// --- OPFS ----------------------------------------------------------------------------------------

/**
 * Writes through createWritable(), whose bytes go to a swap file that replaces the entry only on
 * close(): the old model stays readable until then, and abort() discards a half-written one.
 */
async function writeOpfsFile(root: OpfsDirectory, name: string, chunks: Iterable<Uint8Array>): Promise<void> {
  const dir = await root.getDirectoryHandle(NAMESPACE, { create: true });
  const existing = await opfsFile(dir, name);
  const file = existing ?? (await dir.getFileHandle(name, { create: true }));
  try {
    const writable = await file.createWritable();
    try {
      for (const chunk of chunks) await writable.write(unshared(chunk));
      await writable.close();
    } catch (err) {
      await writable.abort(err).catch(() => undefined);
      throw err;
    }
  } catch (err) {
    // A new entry left empty would read as a truncated model: take it back.
    if (!existing) await dir.removeEntry(name).catch(() => undefined);
    throw err;
  }
}

async function readOpfsFile(root: OpfsDirectory, name: string): Promise<ArrayBuffer | undefined> {
  const dir = await opfsNamespace(root);
  const file = dir && (await opfsFile(dir, name));
  return file && (await file.getFile()).arrayBuffer();
}

async function removeOpfsFile(root: OpfsDirectory, name: string): Promise<boolean> {
  const dir = await opfsNamespace(root);
  if (!dir || !(await opfsFile(dir, name))) return false;
  await dir.removeEntry(name);
  return true;
}

async function listOpfsFiles(root: OpfsDirectory): Promise<string[]> {
  const dir = await opfsNamespace(root);
  const names: string[] = [];
  if (dir) for await (const handle of dir.values()) if (handle.kind === 'file') names.push(handle.name);
  return names;
}

/** The latentrec directory, or undefined before the first save (reading creates nothing). */
async function opfsNamespace(root: OpfsDirectory): Promise<OpfsDirectory | undefined> {
  return missingAsUndefined(root.getDirectoryHandle(NAMESPACE));
}

async function opfsFile(dir: OpfsDirectory, name: string): Promise<OpfsFile | undefined> {
  try {
    return await missingAsUndefined(dir.getFileHandle(name));
  } catch (err) {
    if (domErrorName(err) === 'TypeMismatchError') throw new Error('the entry is a directory, not a model (it was not made by saveModelToBrowserStorage)', { cause: err });
    throw err;
  }
}

async function missingAsUndefined<T>(handle: Promise<T>): Promise<T | undefined> {
  try {
    return await handle;
  } catch (err) {
    if (domErrorName(err) === 'NotFoundError') return undefined;
    throw err;
  }
}

/** The chunk itself when it is backed by a plain ArrayBuffer; writes refuse shared memory. */
function unshared(chunk: Uint8Array): Uint8Array<ArrayBuffer> {
  return chunk.buffer instanceof ArrayBuffer ? (chunk as Uint8Array<ArrayBuffer>) : chunk.slice();
}

// --- IndexedDB -----------------------------------------------------------------------------------

/** The whole model file in one buffer: IndexedDB stores one value per key. */
function joined(encoded: { byteLength: number; chunks: Iterable<Uint8Array> }): ArrayBuffer {
  const bytes = new Uint8Array(encoded.byteLength);
  let at = 0;
  for (const chunk of encoded.chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes.buffer;
}

async function putIndexedDb(factory: IDBFactory, name: string, bytes: ArrayBuffer): Promise<void> {
  await inTransaction(factory, 'readwrite', (store) => store.put(bytes, name));
}

// `create` false: a database or store that is missing reads as empty and is not made.

async function getIndexedDb(factory: IDBFactory, name: string, create = true): Promise<unknown> {
  return inTransaction(factory, 'readonly', (store) => store.get(name), create);
}

async function deleteIndexedDb(factory: IDBFactory, name: string, create = true): Promise<boolean> {
  const key = await inTransaction(
    factory,
    'readwrite',
    (store) => {
      const found = store.getKey(name);
      store.delete(name);
      return found;
    },
    create,
  );
  return key !== undefined;
}

async function listIndexedDb(factory: IDBFactory, create = true): Promise<string[]> {
  const keys = (await inTransaction(factory, 'readonly', (store) => store.getAllKeys(), create)) ?? [];
  return keys.filter((k): k is string => typeof k === 'string');
}

/**
 * Runs `request` in one transaction and resolves when the transaction has committed (not merely
 * when the request succeeded), with 'strict' durability: a put reported saved is on disk. Without
 * `create`, a missing database or store resolves undefined.
 */
async function inTransaction<T>(factory: IDBFactory, mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest<T>, create = true): Promise<T | undefined> {
  const db = create ? await openDatabase(factory) : await openExisting(factory);
  if (!db) return undefined;
  if (!db.objectStoreNames.contains(STORE_NAME)) {
    db.close();
    return undefined;
  }
  try {
    const tx = db.transaction(STORE_NAME, mode, { durability: 'strict' });
    const req = request(tx.objectStore(STORE_NAME));
    return await new Promise<T>((resolve, reject) => {
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? req.error);
      tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
    });
  } finally {
    db.close();
  }
}

/**
 * The database with its object store. Opened at its current version (another latentrec may have
 * raised it); only a database without the store is upgraded, to add it.
 */
async function openDatabase(factory: IDBFactory): Promise<IDBDatabase> {
  const db = await openVersion(factory, undefined);
  if (db.objectStoreNames.contains(STORE_NAME)) return db;
  const version = db.version + 1;
  db.close();
  return openVersion(factory, version);
}

/** The database if it exists; undefined (and nothing made) if it does not. */
function openExisting(factory: IDBFactory): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    const req = factory.open(NAMESPACE);
    // An upgrade here means the database did not exist (it went since databases() was asked):
    // aborting it leaves none behind.
    let missing = false;
    req.onupgradeneeded = () => {
      missing = true;
      req.transaction?.abort();
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => (missing ? resolve(undefined) : reject(req.error));
  });
}

function openVersion(factory: IDBFactory, version: number | undefined): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = version === undefined ? factory.open(NAMESPACE) : factory.open(NAMESPACE, version);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE_NAME)) req.result.createObjectStore(STORE_NAME);
    };
    req.onsuccess = () => {
      const db = req.result;
      // Never hold up another page's upgrade: close and let it proceed.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => {
      req.onsuccess = () => req.result.close();
      reject(new Error('another page of this site keeps the latentrec database open at an older version; close it and try again'));
    };
  });
}

// --- Bytes to a model ----------------------------------------------------------------------------

/** What an IndexedDB entry holds, as bytes; anything else was not put there by a save. */
async function storedBytes(stored: unknown, entry: string): Promise<Uint8Array> {
  if (stored instanceof ArrayBuffer) return new Uint8Array(stored);
  if (ArrayBuffer.isView(stored)) return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  if (typeof Blob !== 'undefined' && stored instanceof Blob) return new Uint8Array(await stored.arrayBuffer());
  throw new ModelFileError('input', `the entry holds ${describeValue(stored)}, not the bytes of a model (it was not made by saveModelToBrowserStorage)`, entry);
}

/** The checks of a model file, every error naming the entry. */
function modelFromBytes(bytes: Uint8Array, entry: string, options: LoadOptions): FactorModel {
  // The bytes were just read for this call alone: the state may keep views of them.
  return namingSource(entry, () => FactorModel.fromState(decodeOwnedModel(bytes), options));
}

// --- Errors --------------------------------------------------------------------------------------

/** A storage failure as ModelFileError 'io' naming the entry; latentrec's own errors pass through. */
function ioError(what: string, err: unknown, entry: string): LatentrecError {
  if (err instanceof LatentrecError) return err;
  return new ModelFileError('io', `${what}: ${describeError(err)}`, entry, { cause: err });
}

function describeError(err: unknown): string {
  switch (domErrorName(err)) {
    case 'QuotaExceededError':
      return "the browser's storage for this site is full (remove models with removeModelFromBrowserStorage, or ask for more room with navigator.storage.persist())";
    case 'NotAllowedError':
    case 'SecurityError':
      return 'the browser does not let this page use its storage (private browsing, or storage blocked for the site)';
    case 'NoModificationAllowedError':
      return 'the entry is locked by another writer (another tab or worker saving it); try again';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

function domErrorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string' ? (err as { name: string }).name : undefined;
}
