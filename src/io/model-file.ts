// The model file of the public API: models/core/format.ts holds the format (layout, checks);
// these entry points accept the kinds of the registry, so a file of a kind this latentrec does not
// know is refused by name ("a newer latentrec may read it").
import { ModelFileError } from '../errors.js';
import { checkState, decodeState, encodeState, encodeStateChunks, MODEL_FILE_MAGIC, MODEL_FILE_VERSION } from '../models/core/format.js';
import type { ModelState } from '../models/core/state.js';
import { stateKinds } from '../models/registry.js';

export { MODEL_FILE_MAGIC, MODEL_FILE_VERSION, ModelFileError };

/**
 * The state as a model file. Throws ModelFileError (nothing written) if the state is inconsistent.
 * The file is versioned binary (magic "LATENTRC", format version, options, ids, float32
 * factors, CRC-32) that {@link decodeModel} and `FactorModel.load` read, in Node and browsers.
 *
 * @param state - A model's state, e.g. `model.toState()` or {@link importSparkAls}'s.
 * @returns The file's bytes.
 * @throws {@link ModelFileError} When the state is incomplete or inconsistent, or of a kind this latentrec does not know.
 */
export function encodeModel(state: ModelState): Uint8Array {
  return encodeState(state, stateKinds());
}

/**
 * The state as a model file in chunks (at most 16 MiB each, in file order), for writing files of
 * any size: checked now (ModelFileError, nothing made), encoded as the chunks are taken.
 */
export function encodeModelChunks(state: ModelState): { byteLength: number; chunks: Iterable<Uint8Array> } {
  return encodeStateChunks(state, stateKinds());
}

/**
 * The state stored in a model file. Everything is checked; any problem (truncation, corruption,
 * another format version, an unknown kind, inconsistent contents) throws ModelFileError. The
 * arrays returned are fresh copies, never views of `bytes`.
 *
 * @param bytes - A model file's bytes.
 * @returns The state; `FactorModel.fromState` turns it into a model.
 * @throws {@link ModelFileError} For any problem; its `problem` says which check failed.
 */
export function decodeModel(bytes: Uint8Array | ArrayBuffer): ModelState {
  return decodeState(bytes, stateKinds());
}

/** decodeModel for bytes the caller owns and drops (a file just read): number sections may be views of them. */
export function decodeOwnedModel(bytes: Uint8Array): ModelState {
  return decodeState(bytes, stateKinds(), true);
}

/**
 * `read()`, with any ModelFileError it throws re-thrown naming `source` (a path, a storage
 * entry): the message then starts with it, and `path` holds it.
 */
export function namingSource<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ModelFileError) throw new ModelFileError(err.problem, err.reason, source, { cause: err });
    throw err;
  }
}

/**
 * Throws ModelFileError unless `state` is a complete, consistent state that predicts no NaN.
 * The checks of saving and loading, for a state built or edited by hand.
 *
 * @param state - The state to check.
 * @throws {@link ModelFileError} Naming the first problem found.
 */
export function checkModelState(state: ModelState): void {
  checkState(state, stateKinds());
}
