// Writing a file so that nothing is ever half-written or lost (Node only): the bytes go to a
// temporary file beside the target, are flushed (fsync), then renamed over it. Readers see the old
// file or the complete new one.
//
// The temporary file is named after its target and the writing process,
// `.<target name>.<pid>.<random>.tmp`, so one left behind by a killed process (SIGKILL, power
// loss) is recognisable: it is hidden, it never takes the target's name, and the next write of the
// same target removes it once its process is gone.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { link, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The temporary name of a write of `path` by this process. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` to `path` atomically. On any failure the temporary file is removed and `path`
 * is left as it was; the error is the file system's (callers add what to do). With
 * `replace: false` the complete file takes the name only if no file has it (a hard link, which
 * fails with EEXIST rather than replace one created since the caller last looked).
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string | Iterable<Uint8Array>, options: { replace?: boolean } = {}): Promise<void> {
  const dir = dirname(path);
  await removeStaleTemps(path);
  const temp = tempPathFor(path);
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    liveTemps.add(temp);
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      else {
        // Chunk by chunk (a model file of any size, never held whole); each is written in full
        // before the next is asked for, since a chunk may be a view the next one reuses.
        for (const chunk of data) {
          for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.replace === false) {
      try {
        await link(temp, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        throw Object.assign(new Error('it exists now (made since it was checked, or a link): this write never replaces a file, so the file there was left as it was'), { code: 'EEXIST', cause: err });
      }
    } else {
      await rename(temp, path);
      created = false;
    }
  } finally {
    liveTemps.delete(temp);
    if (created) await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
}

/**
 * Temporary files being written right now, so a process that exits in the middle of a write
 * (process.exit from a signal handler, an uncaught error) can still remove them: see
 * removeLiveTempsSync.
 */
const liveTemps = new Set<string>();

/** Removes the temporary files of writes still in progress; for exit paths (sync by necessity). */
export function removeLiveTempsSync(): void {
  for (const temp of liveTemps) {
    try {
      unlinkSync(temp);
    } catch {
      // Already renamed or removed.
    }
  }
  liveTemps.clear();
}

const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temporary files that earlier writes of `path` left behind when their process was
 * killed: same target name, and a process id that no longer runs. A temp file of a live process
 * (a concurrent write, or an unrelated process that reused the id) is left alone.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path), name = basename(path);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return []; // the write itself will say what is wrong with the folder
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const match = TEMP_NAME.exec(entry);
    if (!match || match[1] !== name) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || processRuns(pid)) continue;
    try {
      await unlink(join(dir, entry));
      removed.push(entry);
    } catch {
      // Gone already, or not ours to remove: harmless either way.
    }
  }
  return removed;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
