// `latentrec import` and `latentrec export`: Spark MLlib ALS factors (userFactors / itemFactors as
// JSON lines) into a model file, and a model file's factors out as such lines.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { LatentrecError, OptionError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write-node.js';
import { loadModelFile, saveModelFile } from '../io/model-file-node.js';
import { sparkAlsLinesOfState, type SparkBiases, type SparkExportLines } from '../io/spark-export.js';
import { importSparkAls } from '../io/spark-import.js';
import type { RatingScale } from '../data/dataset.js';
import { PARAMETER_LIMIT } from '../models/core/state.js';
import { checkOutputs, type InputSpec } from './outputs.js';
import { forTerminal, jsonForTerminal } from './terminal.js';
import { writeOutputs } from './train.js';

export interface SparkImportFlags {
  sparkUsers: string;
  sparkItems: string;
  save: string;
  scale?: string;
  json?: boolean;
}

export interface SparkExportFlags {
  modelFile: string;
  sparkUsers: string;
  sparkItems: string;
  biases?: string;
  json?: boolean;
}

/** `latentrec import`: Spark's factor files into a model file (kind 'imported'). */
export async function sparkImportCommand(flags: SparkImportFlags): Promise<void> {
  const scale = parseScale(flags.scale);
  const inputs: InputSpec[] = [{ flag: '--spark-users', path: flags.sparkUsers }, { flag: '--spark-items', path: flags.sparkItems }];
  checkOutputs([{ flag: '--save', path: flags.save, kind: 'model' }], inputs);
  const users = await readText('--spark-users', flags.sparkUsers);
  const items = await readText('--spark-items', flags.sparkItems);
  // The files' paths as the user typed them: ParseError reads "U.jsonl:3: features[2]: ...".
  const state = importSparkAls(users, items, { ...(scale && { scale }), source: { users: flags.sparkUsers, items: flags.sparkItems } });
  const { failed } = await writeOutputs(flags.json, [{ flag: '--save', path: flags.save, what: 'model', write: () => saveModelFile(flags.save, state) }]);
  if (failed) {
    process.exitCode = 1;
    return;
  }
  const summary = {
    users: state.userIds.length,
    items: state.itemIds.length,
    factors: state.factors,
    scale: state.scale,
    files: { sparkUsers: flags.sparkUsers, sparkItems: flags.sparkItems, save: flags.save },
  };
  if (flags.json) {
    console.log(jsonForTerminal(summary));
    return;
  }
  console.log(`${summary.users} users, ${summary.items} items, k=${summary.factors}, scale ${state.scale.lo}..${state.scale.hi}${flags.scale === undefined ? ' (the default: Spark does not store one; give --scale LO,HI)' : ''}`);
}

/** `latentrec export`: a model file's factors as Spark's userFactors and itemFactors JSON lines. */
export async function sparkExportCommand(flags: SparkExportFlags): Promise<void> {
  const biases = (flags.biases ?? 'fold') as SparkBiases;
  if (biases !== 'fold' && biases !== 'drop') throw new OptionError('--biases', 'fold or drop', flags.biases);
  // Where --save may replace a latentrec model file, export never replaces a file.
  const newOnly = 'export never replaces a file (Spark factor files look alike whoever wrote them)';
  const outputs = [{ flag: '--spark-users', path: flags.sparkUsers, kind: 'model' as const, newOnly }, { flag: '--spark-items', path: flags.sparkItems, kind: 'model' as const, newOnly }];
  checkOutputs(outputs, [{ flag: '--model-file', path: flags.modelFile }]);
  const state = await loadModelFile(flags.modelFile);
  let lines: SparkExportLines;
  try {
    lines = sparkAlsLinesOfState(state, { biases });
  } catch (error) {
    // A refusal names the library function; the user typed a file.
    if (error instanceof LatentrecError) throw new LatentrecError(`--model-file ${flags.modelFile}: ${error.message.replace(/^exportSparkAls: /, '')}`);
    throw error;
  }
  const pending = [
    { flag: '--spark-users', path: flags.sparkUsers, what: 'user factors', write: () => writeFileAtomic(flags.sparkUsers, chunksOf(lines.users()), { replace: false }) },
    { flag: '--spark-items', path: flags.sparkItems, what: 'item factors', write: () => writeFileAtomic(flags.sparkItems, chunksOf(lines.items()), { replace: false }) },
  ];
  // One file without the other is no export; the paths were new (checkOutputs, newOnly).
  const { failed } = await writeOutputs(flags.json, pending, { because: 'an export is both files' });
  if (failed) {
    process.exitCode = 1;
    return;
  }
  const summary = {
    users: lines.userCount,
    items: lines.itemCount,
    factors: lines.factors,
    rank: lines.rank,
    biases,
    folded: lines.folded,
    scale: lines.scale,
    notes: lines.notes,
    files: { modelFile: flags.modelFile, sparkUsers: flags.sparkUsers, sparkItems: flags.sparkItems },
  };
  if (flags.json) {
    console.log(jsonForTerminal(summary));
    return;
  }
  const layout =
    lines.folded.user !== undefined && lines.folded.item !== undefined ? ' (users [p, μ + b_u, 1], items [q, 1, b_i])'
      : lines.folded.item !== undefined ? ' (users [p, 1], items [q, b_i])'
        : '';
  console.log(`${summary.users} users, ${summary.items} items, k=${summary.factors}, ${summary.rank} features per line${layout}`);
  for (const note of lines.notes) console.log(`note: ${note}`);
  console.log(forTerminal(`import again with: latentrec import --spark-users ${flags.sparkUsers} --spark-items ${flags.sparkItems} --scale ${lines.scale.lo},${lines.scale.hi} --save M.lrec`));
}

/** `--scale LO,HI`, checked here so that the message names the flag and its text. */
function parseScale(text: string | undefined): RatingScale | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s.trim())));
  // The model file's bound: the scale's midpoint is stored as the training mean.
  if (parts.length !== 2 || !parts.every((x) => Math.abs(x) < PARAMETER_LIMIT) || !(parts[0] < parts[1])) {
    throw new OptionError('--scale', `two numbers LO,HI with LO < HI, both within ±${PARAMETER_LIMIT}`, text);
  }
  return { lo: parts[0], hi: parts[1] };
}

/** A regular file's text; a FIFO or device is refused before anything is read (it could block or never end). */
async function readText(flag: string, path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LatentrecError(`${flag} ${path}: cannot read it (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      if (info.isDirectory()) {
        // What df.write.json(path) makes: a folder of part files.
        throw new LatentrecError(`${flag} ${path}: it is a directory; Spark writes one as a folder of part-*.json files: give the single part file, or join them first (cat ${path}/part-* > factors.jsonl)`);
      }
      const what = info.isFIFO() ? 'a FIFO (named pipe)' : info.isSocket() ? 'a socket' : 'a device';
      throw new LatentrecError(`${flag} ${path}: it is ${what}, not a regular file (give the path of a JSON-lines file)`);
    }
    try {
      return await handle.readFile({ encoding: 'utf8' });
    } catch (err) {
      // Strings stop near 512 MiB in V8; the importer parses one string per file.
      throw new LatentrecError(`${flag} ${path}: cannot read it (${(err as Error).message}); files of ${info.size} bytes are beyond what the importer reads as one text`);
    }
  } finally {
    await handle.close();
  }
}

/** Lines as ~1 MiB chunks of UTF-8 with "\n" after each: a file of any size, never held whole. */
function* chunksOf(lines: Iterable<string>): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  let parts: string[] = [], length = 0;
  for (const line of lines) {
    parts.push(line, '\n');
    length += line.length + 1;
    if (length >= 1 << 20) {
      yield encoder.encode(parts.join(''));
      parts = [];
      length = 0;
    }
  }
  if (parts.length > 0) yield encoder.encode(parts.join(''));
}
