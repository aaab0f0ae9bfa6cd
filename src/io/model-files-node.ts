// Node: a fitted model to a file (written atomically) and back.
import { FactorModel, type LoadOptions } from '../models/registry.js';
import { loadModelFile, saveModelFile } from './model-file-node.js';

/**
 * Writes a fitted model to a file, atomically: the bytes go to a temporary file in the same
 * directory, which is flushed to disk and renamed over `path`, so readers see the old file or the
 * complete new one, never a partial write. Read it back with {@link loadModelFromFile}, or its
 * bytes with `FactorModel.load` (in browsers too).
 *
 * @param path - The file to write (replaced if it exists).
 * @param model - A fitted model.
 * @returns A promise that resolves once the file is in place.
 * @throws {@link LatentrecError} When the model is not fitted (or a fit is running on it).
 * @throws {@link ModelFileError} When the file cannot be written (problem 'io', naming the path)
 *   or the state is inconsistent.
 *
 * @example
 * ```ts
 * import { SVD } from 'latentrec';
 * import { loadModelFromFile, saveModelToFile } from 'latentrec/node';
 *
 * const model = new SVD();
 * model.fit(train);
 * await saveModelToFile('model.lrec', model);
 * const again = await loadModelFromFile('model.lrec'); // an SVD again, ready to serve
 * again.recommend('196', { n: 10 });
 * ```
 */
export async function saveModelToFile(path: string, model: FactorModel): Promise<void> {
  await saveModelFile(path, model.toState());
}

/**
 * Reads a model file and brings the model back, of the kind it was saved as (an SVD file gives
 * an SVD). `options.wasmVariant` picks the wasm build to serve on, as for FactorModel.load.
 *
 * @param path - The model file (from {@link saveModelToFile}, `model.save()` or the CLI).
 * @param options - The wasm build to serve on.
 * @returns The fitted model.
 * @throws {@link ModelFileError} When the file cannot be read (problem 'io') or is corrupt,
 *   truncated, of another format version or of an unknown kind; the message starts with the path.
 * @throws {@link OptionError} When `options` is not an object or holds an unknown key.
 * @throws {@link LatentrecError} When the wasmVariant asked for cannot run in this runtime.
 *
 * @example
 * ```ts
 * import { loadModelFromFile } from 'latentrec/node';
 *
 * const model = await loadModelFromFile('model.lrec');
 * model.predict('196', '242').estimate;
 * ```
 */
export async function loadModelFromFile(path: string, options: LoadOptions = {}): Promise<FactorModel> {
  return FactorModel.fromState(await loadModelFile(path), options);
}
