import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel, ModelFileError } from '../../src/index.js';
import { loadModelFile, saveModelFile } from '../../src/node.js';
import { expectSameState, makeState } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'latentrec-io-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function freshDir(name: string): string {
  const d = join(tmp, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
}

async function rejection(p: Promise<unknown>): Promise<ModelFileError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ModelFileError) return err;
    throw err;
  }
  throw new Error('expected a ModelFileError');
}

describe('saveModelFile / loadModelFile', () => {
  it('round-trips a model through a file, leaving no temporary files', async () => {
    const dir = freshDir('roundtrip');
    const path = join(dir, 'model.lrm');
    const s = makeState({ users: 20, items: 30, k: 8, emptyUsers: [4], userIds: Array.from({ length: 20 }, (_, u) => `Amélie ${u}`) });
    await saveModelFile(path, s);
    expect(readdirSync(dir)).toEqual(['model.lrm']);
    expect(new Uint8Array(readFileSync(path))).toEqual(encodeModel(s));
    expectSameState(await loadModelFile(path), s);
  });

  it('replaces an existing file completely', async () => {
    const dir = freshDir('replace');
    const path = join(dir, 'model.lrm');
    writeFileSync(path, 'x'.repeat(100_000)); // longer than the new file: nothing of it may remain
    const s = makeState({ users: 3, items: 3, k: 2 });
    await saveModelFile(path, s);
    expectSameState(await loadModelFile(path), s);
    expect(readdirSync(dir)).toEqual(['model.lrm']);
  });

  it('concurrent saves to one path leave one complete file', async () => {
    const dir = freshDir('concurrent');
    const path = join(dir, 'model.lrm');
    const states = [1, 2, 3, 4, 5].map((seed) => makeState({ users: 50, items: 40, k: 16, seed }));
    await Promise.all(states.map((s) => saveModelFile(path, s)));
    const loaded = await loadModelFile(path);
    expect(states.some((s) => loaded.P.every((v, t) => Object.is(v, s.P[t])))).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.lrm']);
  });

  it('into a missing directory: ModelFileError naming the path, nothing created', async () => {
    const dir = freshDir('missing');
    const path = join(dir, 'no-such-dir', 'model.lrm');
    const err = await rejection(saveModelFile(path, makeState({ users: 1, items: 1, k: 1 })));
    expect(err.problem).toBe('io');
    expect(err.path).toBe(path);
    expect(err.message).toMatch(new RegExp(`^${escape(path)}: cannot write the model file: no such file or directory \\(check that the path is right and that .*no-such-dir exists\\)`));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a failed rename (the target is a directory) removes the temporary file', async () => {
    const dir = freshDir('rename-fails');
    const target = join(dir, 'model.lrm');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'old');
    const err = await rejection(saveModelFile(target, makeState({ users: 2, items: 2, k: 1 })));
    expect(err.problem).toBe('io');
    expect(err.message).toMatch(new RegExp(`^${escape(target)}: cannot write the model file: `));
    expect(readdirSync(dir)).toEqual(['model.lrm']); // no .model.lrm.*.tmp left behind
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('old');
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('a read-only directory: permission denied, old file intact', async () => {
    const dir = freshDir('readonly');
    const path = join(dir, 'model.lrm');
    writeFileSync(path, 'old');
    chmodSync(dir, 0o500);
    try {
      const err = await rejection(saveModelFile(path, makeState({ users: 1, items: 1, k: 1 })));
      expect(err.message).toMatch(/permission denied/);
      expect(readFileSync(path, 'utf8')).toBe('old');
      expect(readdirSync(dir)).toEqual(['model.lrm']);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('an inconsistent state is refused before anything is written', async () => {
    const dir = freshDir('invalid');
    const path = join(dir, 'model.lrm');
    const s = makeState({ users: 2, items: 2, k: 1 });
    s.Q[1] = NaN;
    const err = await rejection(saveModelFile(path, s));
    expect(err.problem).toBe('values');
    expect(err.reason).toMatch(/^cannot save the model state: Q\[1\] \(item "item 1", factor 0\) is NaN/);
    expect(readdirSync(dir)).toEqual([]);
  });

  describe('loadModelFile errors name the path', () => {
    it('a missing file', async () => {
      const path = join(tmp, 'nope', 'model.lrm');
      const err = await rejection(loadModelFile(path));
      expect(err.problem).toBe('io');
      expect(err.path).toBe(path);
      expect(err.message).toMatch(new RegExp(`^${escape(path)}: cannot read the model file: no such file or directory`));
      expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    });

    it('a directory', async () => {
      const dir = freshDir('a-dir');
      const err = await rejection(loadModelFile(dir));
      expect(err.message).toMatch(new RegExp(`^${escape(dir)}: cannot read the model file: it is a directory`));
    });

    it('a corrupted, truncated or foreign file: the decoder reason prefixed with the path', async () => {
      const dir = freshDir('bad-files');
      const bytes = encodeModel(makeState({ users: 3, items: 3, k: 2 }));
      const cases: [string, Uint8Array, string, RegExp][] = [
        ['flipped.lrm', Uint8Array.from(bytes, (b, t) => (t === bytes.length - 9 ? b ^ 1 : b)), 'checksum', /the file is corrupted/],
        ['cut.lrm', bytes.subarray(0, bytes.length - 10), 'truncated', new RegExp(`expected ${bytes.length} bytes, got ${bytes.length - 10}`)],
        ['ratings.csv', new TextEncoder().encode('user,item,rating\n1,2,3\n'), 'magic', /not a latentrec model file/],
        ['empty.lrm', new Uint8Array(0), 'truncated', /the file is empty/],
      ];
      for (const [name, content, problem, reason] of cases) {
        const path = join(dir, name);
        writeFileSync(path, content);
        const err = await rejection(loadModelFile(path));
        expect(err.problem).toBe(problem);
        expect(err.path).toBe(path);
        expect(err.reason).toMatch(reason);
        expect(err.message).toBe(`${path}: ${err.reason}`);
      }
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
