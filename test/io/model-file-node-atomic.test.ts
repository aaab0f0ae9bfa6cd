// The atomic save, watched from inside: fs/promises is wrapped so the test can look at the disk
// at the moment of the rename, and make a write fail halfway.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { encodeModel, ModelFileError } from '../../src/index.js';
import { loadModelFile, saveModelFile } from '../../src/node.js';
import { expectSameState, makeState } from './helpers.js';

const hooks = vi.hoisted(() => ({
  beforeRename: undefined as ((from: string, to: string) => void) | undefined,
  /** Replaces FileHandle.write for the next save (`write` is the real one). */
  write: undefined as ((data: Uint8Array, offset: number, length: number, write: (data: Uint8Array, offset: number, length: number) => Promise<unknown>) => Promise<{ bytesWritten: number }>) | undefined,
  syncs: 0,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      const { write, sync } = handle;
      const real = (data: Uint8Array, offset: number, length: number) => (write as (d: Uint8Array, o: number, l: number) => Promise<unknown>).call(handle, data, offset, length);
      handle.write = ((data: Uint8Array, offset: number, length: number) => (hooks.write ? hooks.write(data, offset, length, real) : real(data, offset, length))) as never;
      handle.sync = () => {
        hooks.syncs++;
        return sync.call(handle);
      };
      return handle;
    },
    rename: async (from: string, to: string) => {
      hooks.beforeRename?.(from, to);
      return fs.rename(from, to);
    },
  };
});

const tmp = mkdtempSync(join(tmpdir(), 'latentrec-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  hooks.beforeRename = undefined;
  hooks.write = undefined;
  hooks.syncs = 0;
});

describe('saveModelFile is atomic', () => {
  it('writes a complete, synced temp file in the same directory and renames it over the old file', async () => {
    const dir = join(tmp, 'over');
    mkdirSync(dir);
    const path = join(dir, 'model.lrm');
    const old = encodeModel(makeState({ users: 2, items: 2, k: 1, seed: 1 }));
    writeFileSync(path, old);
    const s = makeState({ users: 40, items: 50, k: 10, seed: 2 });
    const expected = encodeModel(s);
    let seen = false;
    hooks.beforeRename = (from, to) => {
      seen = true;
      expect(to).toBe(path);
      expect(dirname(from)).toBe(dir);
      expect(basename(from)).toMatch(/^\.model\.lrm\.\d+\.[0-9a-f]{12}\.tmp$/);
      // Until the rename, the target still holds the old model, whole...
      expect(new Uint8Array(readFileSync(path))).toEqual(old);
      // ... and the new one is complete and flushed in the temporary file.
      expect(new Uint8Array(readFileSync(from))).toEqual(expected);
      expect(hooks.syncs).toBeGreaterThanOrEqual(1);
    };
    await saveModelFile(path, s);
    expect(seen).toBe(true);
    expectSameState(await loadModelFile(path), s);
    expect(readdirSync(dir)).toEqual(['model.lrm']);
  });

  it('a write failing halfway (disk full) leaves the old file untouched and no temp file', async () => {
    const dir = join(tmp, 'enospc');
    mkdirSync(dir);
    const path = join(dir, 'model.lrm');
    const old = encodeModel(makeState({ users: 2, items: 2, k: 1, seed: 3 }));
    writeFileSync(path, old);
    let tempPath = '';
    hooks.write = async (data, offset, length, write) => {
      await write(data, offset, length >> 1); // half of the first chunk reaches the disk
      tempPath = readdirSync(dir).find((f) => f.endsWith('.tmp')) ?? '';
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    hooks.beforeRename = () => {
      throw new Error('must not rename after a failed write');
    };
    const err = await saveModelFile(path, makeState({ users: 30, items: 30, k: 8 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).message).toBe(`${path}: cannot write the model file: no space left on the device (free some space and save again)`);
    expect(tempPath).toMatch(/\.tmp$/); // the temp file existed, half-written...
    expect(existsSync(join(dir, tempPath))).toBe(false); // ... and was removed
    expect(readdirSync(dir)).toEqual(['model.lrm']);
    expect(new Uint8Array(readFileSync(path))).toEqual(old);
  });

  it('a failing rename removes the temp file and keeps the old file', async () => {
    const dir = join(tmp, 'exdev');
    mkdirSync(dir);
    const path = join(dir, 'model.lrm');
    writeFileSync(path, 'old content');
    hooks.beforeRename = () => {
      throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
    };
    const err = await saveModelFile(path, makeState({ users: 3, items: 3, k: 2 })).catch((e: unknown) => e);
    expect((err as ModelFileError).message).toBe(`${path}: cannot write the model file: EIO: i/o error, rename`);
    expect(((err as ModelFileError).cause as NodeJS.ErrnoException).code).toBe('EIO');
    expect(readdirSync(dir)).toEqual(['model.lrm']);
    expect(readFileSync(path, 'utf8')).toBe('old content');
  });
});

describe('writeFileAtomic with replace: false (latentrec export: new files only)', () => {
  it('takes a free name, and refuses with EEXIST a name taken since the caller looked, leaving that file and no temp', async () => {
    const { writeFileAtomic } = await import('../../src/io/atomic-write-node.js');
    const dir = join(tmp, 'no-replace');
    mkdirSync(dir);
    const path = join(dir, 'users.jsonl');
    await writeFileAtomic(path, 'first\n', { replace: false });
    expect(readFileSync(path, 'utf8')).toBe('first\n');
    // Another writer's file appeared at the name: it is kept, byte for byte.
    writeFileSync(path, 'theirs\n');
    await expect(writeFileAtomic(path, 'mine\n', { replace: false })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(path, 'utf8')).toBe('theirs\n');
    expect(readdirSync(dir)).toEqual(['users.jsonl']);
  });
});
