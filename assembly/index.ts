export { sgdEpochBiased, sgdEpochPlain } from "./sgd";
export { predictPairs, scoreItems } from "./score";
