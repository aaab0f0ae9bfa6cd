// latentrec: matrix-factorization recommenders with a WebAssembly SIMD core.
// This entry is browser-safe (no Node built-ins); `latentrec/node` adds file loading.
export { Dataset, IdMap, inferScale, type RawId, type RatingScale } from './data/dataset.js';
export * from './data/index.js';
export { generateRatings, GENERATE_DEFAULTS, type GenerateOptions } from './data/generate.js';
export { generateScaleRatings, encodeRatingsTsv, SCALE_DEFAULTS, NETFLIX_SCALE, type ScaleOptions, type EncodeOptions } from './data/generate-scale.js';
export { SVD } from './models/rating/svd.js';
export { MF } from './models/rating/mf.js';
export { SVDpp } from './models/rating/svdpp.js';
export { BayesianFM, BFM_DEFAULTS, type BfmBag, type BfmFitOptions, type BfmOptions } from './models/rating/bfm.js';
export { Baseline, type BaselineOptions, type BaselineMethod } from './models/rating/baseline.js';
export { PureSVD, type PureSvdOptions } from './models/rating/pure-svd.js';
export { BPR, BPR_DEFAULTS, type BprOptions } from './models/ranking/bpr.js';
export { ALS, ALS_DEFAULTS, type AlsOptions } from './models/ranking/als.js';
export { Popular, type PopularOptions } from './models/ranking/popular.js';
export { EASE, EASE_DEFAULTS, type EaseOptions } from './models/ranking/ease.js';
export { IALS, IALS_DEFAULTS, type IalsOptions } from './models/ranking/ials.js';
export { Hybrid, HYBRID_DEFAULTS, type HybridOptions, type HybridFitOptions, type LearningSchedule } from './models/ranking/hybrid.js';
export type { HybridLoss } from './engine/types.js';
export { evaluateColdStart, type ColdStartReport } from './eval/cold-start.js';
export { toImplicit, type ImplicitOptions } from './data/implicit.js';
export {
  createModel, FactorModel, MODEL_KINDS, modelKindInfo, PRESETS,
  type KindCapabilities, type LoadOptions, type ModelKind, type ModelSpec, type ModelTask, type PresetName, type Preset,
} from './models/registry.js';
export { truncatedSvdOfFilled, type TruncatedSvd, type TruncatedSvdOptions } from './models/rating/truncated-svd.js';
export { gridSearch, gridCombinations, type Grid, type GridRow, type GridSearchResult } from './eval/grid-search.js';
export { lineChart, learningCurveChart, type Series, type LineChartOptions } from './plot/line-chart.js';
export { SGD_DEFAULTS, SVDPP_DEFAULTS, type SgdOptions, type SvdppOptions, type SgdOrder, type InitKind } from './models/rating/sgd-options.js';
export type { CommonOptions, RandomKind } from './models/core/options.js';
export { MAX_FACTORS } from './models/core/state.js';
export type {
  EpochReport, RatingEpochReport, EpochLoss, LossKind, FitOptions, CommonFitOptions, PartialFitOptions, FitResult, EarlyStopping, Prediction, RatingModel, Recommendation, UserScorer,
} from './models/core/types.js';
export { rmse, mae } from './eval/metrics.js';
export {
  evaluate,
  crossValidate,
  type TestScores,
  type FoldSplit,
  type FoldScores,
  type CrossValidation,
  type CrossValidateOptions,
} from './eval/cross-validate.js';
export { prepareThreads, hardwareThreads } from './engine/index.js';
export { createEngine, wasmSimdSupported, wasmVariants, wasmRefusal, CSP_ADVICE, WASM_VARIANTS, type Engine, type EngineChoice, type EngineName, type EngineVariant, type WasmVariant } from './engine/index.js';
export { Random } from './util/random.js';
export { encodeModel, decodeModel, checkModelState, ModelFileError, MODEL_FILE_VERSION } from './io/model-file.js';
export type { ModelFileProblem } from './errors.js';
export { importSparkAls, type SparkImportOptions } from './io/spark-import.js';
export type { ModelState, ModelStateKind, FeatureEmbeddings } from './models/core/state.js';
export { ImportedModel } from './models/rating/imported.js';
export { evaluateRanking, type RankingScorer, type RankingOptions, type RankingReport, type RankingProtocol } from './eval/ranking-protocol.js';
export {
  strongGeneralizationSplit, evaluateStrongGeneralization,
  type StrongGeneralizationOptions, type StrongGeneralizationSplit, type StrongGeneralizationReport, type HeldOutUser, type HistoryScorer,
} from './eval/strong-generalization.js';
export { evaluateModelRanking, scorerOf, AUTO_SCORING_WORK, type ModelRankingOptions } from './eval/model-scorer.js';
export {
  precisionAtK, recallAtK, cappedRecallAtK, ndcgAtK, averagePrecisionAtK, hitRateAtK, reciprocalRank, auc, catalogueCoverage,
} from './eval/ranking.js';
export { FOLD_IN_VALUE_LIMIT, type RecommendOptions, type FoldInOptions, type Similar, type SimilarOptions, type IdType, type IdOf } from './models/core/serving.js';
export { rowNorms, summarize, cosineDistribution, nearestNeighbours, pca2d, embeddingReport } from './eval/embeddings.js';
export type { EmbeddingMatrix, Summary, CosineDistribution, Pca2d, EmbeddingReport } from './eval/embeddings.js';
export { scatterChart } from './plot/scatter.js';
export { LatentrecError, ParseError, OptionError, UnknownOptionError, DataError, DivergenceError } from './errors.js';
// Types that public signatures mention, exported so that callers can name them.
export type { GridValue, Settings } from './eval/grid-search.js';
export type { SgdDefaults, ResolvedSgdOptions } from './models/rating/sgd-options.js';
export type { ResolvedImplicitCommon } from './models/ranking/latent-ranking.js';
export type { ResolvedBaselineOptions } from './models/rating/baseline.js';
export type { ResolvedBfmOptions } from './models/rating/bfm.js';
export type { ResolvedHybridOptions, HybridOrder } from './models/ranking/hybrid.js';
export type { AttributeRows } from './models/ranking/hybrid-layout.js';
export type { SamplingOrder } from './models/ranking/item-bins.js';
export type { UserBag } from './models/core/user-bag.js';
export type { DayTerms } from './models/core/days.js';
export type { OrdinalLink } from './models/core/link.js';
export type { RankingSkipped } from './eval/ranking-protocol.js';
export type { Dense } from './linalg/dense.js';
export type { ModelShape, Threading } from './models/core/fit-loop.js';
export type { ResolvedCommon } from './models/core/options.js';
export type { SymmetricEigenOptions } from './linalg/eigen.js';
export type { RankedList } from './eval/ranking.js';
export type { CosineOptions, PcaOptions, EmbeddingReportOptions } from './eval/embeddings.js';
export type { WasmEngineOptions, ThreadSupport } from './engine/wasm-engine.js';
export type { Model } from './models/core/model.js';
export type { RandomSource } from './util/random.js';
export type { LearningCurveRun } from './plot/line-chart.js';
export type { ScatterChartOptions, ScatterPoint } from './plot/scatter.js';
export { saveModelToBrowserStorage, loadModelFromBrowserStorage, removeModelFromBrowserStorage, listModelsInBrowserStorage, type BrowserStorageBackend, type BrowserStorageOptions, type BrowserStorageLoadOptions, type StoredModelInfo } from './io/browser-storage.js';
export { exportSparkAls, sparkAlsLines, sparkAlsLinesOfState, type SparkExport, type SparkExportInfo, type SparkExportLines, type SparkExportOptions, type SparkIdType, type SparkBiases } from './io/spark-export.js';
