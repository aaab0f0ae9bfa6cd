// Public data API (browser-safe). Node-only file loading is in ./load-node.js.
export { Dataset, IdMap, inferScale } from './dataset.js';
export type { RatingScale, RawId } from './dataset.js';
export { RatingsParser, parseRatings, detectFormat, HEADER_NAMES } from './parse.js';
export type {
  ColumnIndices,
  Delimiter,
  DetectedFormat,
  Detection,
  LoadResult,
  LoadSummary,
  ParseOptions,
  RatingsFormat,
} from './parse.js';
// Named by RatingsParser's constructor; marked @internal (the Node loader's plumbing).
export type { RowArrays } from './parse.js';
export { dedupeRatings, resolveDuplicates, DUPLICATE_POLICIES } from './duplicates.js';
export type { DedupeResult, DuplicatePolicy } from './duplicates.js';
export { holdoutSplit, kFold, perUserHoldout, coldItemsSplit, sampleUsers, type SampleUsersOptions } from './splits.js';
export type { Fold, HoldoutOptions, KFoldOptions, PerUserHoldoutOptions, ColdItemsOptions } from './splits.js';
export { Features, parseFeatures, HEADER_ID_NAMES } from './features.js';
export type { FeatureParseOptions } from './features.js';
export { ml100kUserFeatures, ml100kItemFeatures, ML100K_GENRES } from './ml100k-features.js';
