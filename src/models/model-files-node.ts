// Node: a fitted model to a file (written atomically) and back.
import { loadModelFile, saveModelFile } from '../io/model-file-node.js';
import { FactorModel } from './factor-model.js';

export async function saveModelToFile(path: string, model: FactorModel): Promise<void> {
  await saveModelFile(path, model.toState());
}

export async function loadModelFromFile(path: string): Promise<FactorModel> {
  return FactorModel.fromState(await loadModelFile(path));
}
