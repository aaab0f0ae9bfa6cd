// Saving and loading model files on disk (Node only). The format is in model-file.ts.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-write-node.js';
import { decodeOwnedModel, encodeModelChunks, ModelFileError, namingSource } from './model-file.js';
import type { ModelState } from '../models/core/state.js';

/**
 * Writes `state` to `path` atomically: the bytes go to a temporary file in the same directory
 * (named after `path`, see atomic-write-node.ts), which is flushed to disk (fsync) and then
 * renamed over `path`. Readers see either the old file or the complete new one, never a partial
 * write; on failure the temporary file is removed and `path` is left as it was. Throws
 * ModelFileError (problem 'io' naming the path) when the file cannot be written, and the
 * encoder's ModelFileError when the state is inconsistent.
 *
 * @param path - The file to write (replaced if it exists).
 * @param state - The model's state, e.g. `model.toState()`.
 * @returns A promise that resolves once the file is in place.
 * @throws {@link ModelFileError} As above.
 */
export async function saveModelFile(path: string, state: ModelState): Promise<void> {
  // Checked before touching the disk (an invalid state writes nothing), then written chunk by
  // chunk: a model of gigabytes is never held twice.
  const { chunks } = encodeModelChunks(state);
  try {
    await writeFileAtomic(path, chunks);
  } catch (err) {
    throw new ModelFileError('io', `cannot write the model file: ${describeFsError(err, dirname(path))}`, path, { cause: err });
  }
}

/**
 * Bytes per read call. One read may not ask for 2 GiB or more (and Node's readFile refuses such
 * files altogether), while model files above 2 GiB are valid: they are read in pieces.
 */
const READ_CHUNK_BYTES = 1 << 30;

/**
 * Reads and decodes the model file at `path`. Throws ModelFileError: problem 'io' when the file
 * cannot be read or is not a regular file (a FIFO, a device, a directory), otherwise the
 * decoder's error; either way the message starts with the path. The file is read in pieces
 * (any size), and the state's number arrays are views of the bytes read, not copies of them.
 *
 * @param path - The model file.
 * @returns The state stored in it.
 * @throws {@link ModelFileError} As above.
 */
export async function loadModelFile(path: string): Promise<ModelState> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path);
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw new ModelFileError('io', `cannot read the model file: ${describeFsError(err, dirname(path))}`, path, { cause: err });
  }
  // The bytes are this call's own: the state's arrays may be views of them (no second copy).
  return namingSource(path, () => decodeOwnedModel(bytes));
}

/**
 * The whole content of a regular file, in pieces of `chunkBytes`. Anything else is refused before
 * a byte is read: a FIFO would block until some writer appears and /dev/zero never ends.
 */
export async function readRegularFile(path: string, chunkBytes = READ_CHUNK_BYTES): Promise<Uint8Array> {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it has no effect on regular files).
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const what = info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a FIFO (named pipe)' : info.isSocket() ? 'a socket' : 'a device';
      throw new ModelFileError('io', `cannot read the model file: it is ${what}, not a regular file (save the model to a file and give its path)`, path);
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(info.size);
    } catch (err) {
      throw new ModelFileError('io', `cannot read the model file: ${info.size} bytes is more than this runtime can hold in one array`, path, { cause: err });
    }
    let at = 0;
    while (at < info.size) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(chunkBytes, info.size - at), at);
      if (bytesRead === 0) break; // cut short while being read: the decoder says what is missing
      at += bytesRead;
    }
    return at === info.size ? bytes : bytes.subarray(0, at);
  } finally {
    await handle.close();
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
