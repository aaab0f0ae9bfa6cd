// Node: a fitted model to a file (written atomically) and back.
import { FactorModel, type LoadOptions } from '../models/registry.js';
import { loadModelFile, saveModelFile } from './model-file-node.js';

export async function saveModelToFile(path: string, model: FactorModel): Promise<void> {
  await saveModelFile(path, model.toState());
}

/** `options.wasmVariant` picks the wasm build to serve on, as for FactorModel.load. */
export async function loadModelFromFile(path: string, options: LoadOptions = {}): Promise<FactorModel> {
  return FactorModel.fromState(await loadModelFile(path), options);
}
