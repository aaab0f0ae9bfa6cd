// latentrec for Node: everything in the browser entry plus streaming file loaders.
export * from './index.js';
export { loadRatingsFile, loadFolds, writeRatingsFile, type LoadFileOptions } from './data/load-node.js';
export { saveModelFile, loadModelFile } from './io/model-file-node.js';
export { saveModelToFile, loadModelFromFile } from './io/model-files-node.js';
/** Short names: `saveFile(model, path)` writes atomically; `loadFile(path)` returns the model. */
export { saveModelToFile as saveFile, loadModelFromFile as loadFile } from './io/model-files-node.js';
export { loadFeaturesFile, loadMl100kFeatures } from './data/features-node.js';
