// Output paths of the commands (--save, --plot, --out, --svg), checked before any data is loaded
// or any model fitted, so that a mistake costs seconds, not a finished fit, and so that no output
// ever replaces what the user gave: an input of the same command, a special file, a folder, or a
// file of another kind.
import { closeSync, constants, openSync, readSync, realpathSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { MODEL_FILE_MAGIC } from '../io/model-file.js';
import { tempPathFor } from '../io/atomic-write-node.js';
import { LatentrecError } from '../errors.js';

/** What an output flag writes, so an existing file at its path can be recognised as one of ours. */
export type OutputKind = 'model' | 'svg';

export interface OutputSpec {
  flag: string;
  path: string | undefined;
  kind: OutputKind;
  /**
   * Set for an output that never replaces a file, even one of its kind: why (an export's Spark
   * factor files look alike whoever wrote them, so one there could be a cluster's only copy).
   */
  newOnly?: string;
}

export interface InputSpec {
  flag: string;
  path: string | undefined;
}

/** A refused output path: names the flag, the path and what to do. */
export class OutputPathError extends LatentrecError {
  constructor(
    readonly flag: string,
    readonly path: string,
    reason: string,
  ) {
    super(`${flag} ${path}: ${reason}`);
  }
}

/**
 * Checks every given output path of a command against its inputs; throws OutputPathError for
 * the first that could not be written or would destroy something. Run it before loading data.
 */
export function checkOutputs(outputs: readonly OutputSpec[], inputs: readonly InputSpec[]): void {
  const given = outputs.filter((o): o is OutputSpec & { path: string } => o.path !== undefined);
  const seen = new Map<string, string>();
  for (const output of given) {
    checkOutput(output, inputs);
    const key = canonicalTarget(output.path);
    const other = seen.get(key);
    if (other !== undefined) throw new OutputPathError(output.flag, output.path, `it is also the path of ${other}; give each output its own file`);
    seen.set(key, output.flag);
  }
}

function checkOutput(output: OutputSpec & { path: string }, inputs: readonly InputSpec[]): void {
  const { flag, path } = output;
  if (path.trim() === '') throw new OutputPathError(flag, JSON.stringify(path), 'the path is empty');
  const existing = statOrUndefined(path);
  if (existing !== undefined) {
    if (existing.isDirectory()) throw new OutputPathError(flag, path, 'it is a directory; give the path of a file inside it');
    if (!existing.isFile()) {
      throw new OutputPathError(flag, path, `it is ${specialKind(existing)}, not a regular file; latentrec only writes regular files (give a file path)`);
    }
    for (const input of inputs) {
      if (input.path === undefined) continue;
      const other = statOrUndefined(input.path);
      if (other !== undefined && other.dev === existing.dev && other.ino === existing.ino) {
        throw new OutputPathError(flag, path, `it is the same file as ${input.flag} ${input.path}: writing there would destroy the input; give another path`);
      }
    }
    if (output.newOnly !== undefined) throw new OutputPathError(flag, path, `it exists; ${output.newOnly}, so remove it first or give another path`);
    const foreign = foreignContent(path, output.kind);
    if (foreign !== undefined) {
      throw new OutputPathError(flag, path, `it exists and ${foreign}, so it is not a file this command wrote before; refusing to replace it (remove it first, or give another path)`);
    }
  }
  checkFolder(flag, path);
}

/** The folder must exist and take new files: probed by creating (and removing) the temp file a write would use. */
function checkFolder(flag: string, path: string): void {
  const dir = dirname(path);
  const info = statOrUndefined(dir);
  if (info === undefined) throw new OutputPathError(flag, path, `the folder ${dir} does not exist (create it first)`);
  if (!info.isDirectory()) throw new OutputPathError(flag, path, `${dir} is not a folder`);
  const probe = tempPathFor(path);
  let fd: number;
  try {
    fd = openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the file system is read-only' : code === 'ENOSPC' ? 'no space left on the device' : (err as Error).message;
    throw new OutputPathError(flag, path, `cannot create files in ${dir} (${why}); choose a folder you can write to`);
  }
  closeSync(fd);
  unlinkSync(probe);
}

/**
 * Why an existing file does not look like this output's kind (undefined when it does, or is
 * empty): a model path must hold a latentrec model, an SVG path an SVG document. An output
 * replaces files of its own kind only, so a typo never overwrites someone's data.
 */
function foreignContent(path: string, kind: OutputKind): string | undefined {
  const head = readHead(path, 512);
  if (head.length === 0) return undefined;
  if (kind === 'model') {
    const magic = new TextDecoder('latin1').decode(head.subarray(0, MODEL_FILE_MAGIC.length));
    return magic === MODEL_FILE_MAGIC ? undefined : 'is not a latentrec model file';
  }
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, '').trimStart();
  return /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/.test(text) ? undefined : 'is not an SVG document';
}

function readHead(path: string, bytes: number): Uint8Array {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const head = new Uint8Array(bytes);
    const n = readSync(fd, head, 0, bytes, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path); // follows links: a link to an input is that input
  } catch {
    return undefined;
  }
}

/** One name per target file, whether or not it exists yet (links and `..` resolved in the folder). */
function canonicalTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return resolve(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

function specialKind(s: Stats): string {
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  return 'a special file';
}
