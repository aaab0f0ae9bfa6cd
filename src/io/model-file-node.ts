// Saving and loading model files on disk (Node only). The format is in model-file.ts.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeModel, encodeModel, ModelFileError } from './model-file.js';
import type { ModelState } from './model-state.js';

/**
 * Writes `state` to `path` atomically: the bytes go to a temporary file in the same directory,
 * which is flushed to disk (fsync) and then renamed over `path`. Readers see either the old file
 * or the complete new one, never a partial write; on failure the temporary file is removed and
 * `path` is left as it was. Throws ModelFileError (problem 'io' naming the path) when the file
 * cannot be written, and the encoder's ModelFileError when the state is inconsistent.
 */
export async function saveModelFile(path: string, state: ModelState): Promise<void> {
  const bytes = encodeModel(state); // before touching the disk: an invalid state writes nothing
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    created = false;
  } catch (err) {
    if (created) await unlink(temp).catch(() => undefined);
    throw new ModelFileError('io', `cannot write the model file: ${describeFsError(err, dir)}`, path, { cause: err });
  }
  await syncDirectory(dir);
}

/**
 * Reads and decodes the model file at `path`. Throws ModelFileError: problem 'io' when the file
 * cannot be read, otherwise the decoder's error; either way the message starts with the path.
 */
export async function loadModelFile(path: string): Promise<ModelState> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ModelFileError('io', `cannot read the model file: ${describeFsError(err, dirname(path))}`, path, { cause: err });
  }
  try {
    return decodeModel(bytes);
  } catch (err) {
    if (err instanceof ModelFileError) throw new ModelFileError(err.problem, err.reason, path, { cause: err });
    throw err;
  }
}

/** Makes the rename itself durable where the platform allows it (not on Windows: ignored). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the file is complete either way.
  }
}

function describeFsError(err: unknown, dir: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `no such file or directory (check that the path is right and that ${dir} exists)`;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (check the permissions of the file and its directory)';
    case 'EISDIR':
      return 'it is a directory (give the path of a file)';
    case 'ENOTDIR':
      return 'a part of the path is not a directory (check the path)';
    case 'ENOSPC':
      return 'no space left on the device (free some space and save again)';
    case 'EROFS':
      return 'the file system is read-only (save somewhere else)';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
