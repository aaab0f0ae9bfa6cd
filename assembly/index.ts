export { sgdEpochBiased, sgdEpochPlain } from "./sgd";
export { sgdEpochSvdpp, implicitUserFactors } from "./svdpp";
export { sparseTimesDense, sparseTransposeTimesDense } from "./sparse";
export { predictPairs, scoreItems, dotRows } from "./score";
