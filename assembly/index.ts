export { sgdEpochBiased, sgdEpochPlain } from "./sgd";
export { shuffleRatings } from "./shuffle";
export { sgdEpochSvdpp, implicitUserFactors } from "./svdpp";
export { sparseTimesDense, sparseTransposeTimesDense } from "./sparse";
export { sgdEpochBpr, bprBlock } from "./bpr";
export { alsSolveRows, gramian } from "./als";
export { hybridEpoch, hybridBlock } from "./hybrid";
export { predictPairs, scoreItems, scoreUserRows, dotRows } from "./score";
export { bfmSampleRows } from "./bfm";
export { easeGram, choleskyLower, invertLower, invertLowerRows, lowerGramRows, lowerGramPanel, easeWeights, sumRows } from "./ease";
export { alsExactRows } from "./ials";
export { rowCounts, rowTop } from "./rank-row";
export { bfmRowSums, bfmPredict, bfmGatherQ, bfmDrawLinear, bfmDrawFactor } from "./bfm-blocks";

// Where the module's static data (e.g. Mathf.exp's tables) ends: the host allocates above it.
export function heapBase(): usize {
  return __heap_base;
}
