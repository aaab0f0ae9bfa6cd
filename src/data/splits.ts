// Seeded train/test splits. Every split is built with `dataset.subset(rows)`, rows kept in their
// original order on each side, so each side numbers its own users and items by first appearance.
import { DataError, OptionError } from '../errors.js';
import { Random } from '../util/random.js';
import type { Dataset } from './dataset.js';
import { groupRows } from './group.js';
import type { LoadSummary } from './parse.js';

/**
 * A train/test split of one dataset (or a pair of files). Each side is its own {@link Dataset}
 * with ids numbered by first appearance on that side; models match test users and items by raw id.
 */
export interface Fold {
  /** The ratings to fit on. */
  train: Dataset;
  /** The ratings to score. */
  test: Dataset;
  /** A label for reports: 'holdout', 'fold1'..'foldK', 'per-user holdout', or 'u1'..'uN' from loadFolds. */
  name: string;
  /** For folds read from files (loadFolds): each file's load summary. */
  load?: {
    /** The training file's load summary. */
    train: LoadSummary;
    /** The test file's load summary. */
    test: LoadSummary;
  };
}

/** Options of {@link holdoutSplit}. */
export interface HoldoutOptions {
  /** Fraction of the ratings put in the test set, in (0, 1). */
  testRatio: number;
  /**
   * Integer seed of the permutation (a safe integer).
   *
   * @defaultValue 0
   */
  seed?: number;
}

/** Options of {@link kFold}. */
export interface KFoldOptions {
  /**
   * Number of folds, integer in [2, number of ratings].
   *
   * @defaultValue 5
   */
  folds?: number;
  /**
   * Integer seed of the permutation (a safe integer).
   *
   * @defaultValue 0
   */
  seed?: number;
}

/** Options of {@link perUserHoldout}. */
export interface PerUserHoldoutOptions {
  /** Fraction of each user's ratings held out (rounded per user), in (0, 1). */
  testRatio: number;
  /**
   * Integer seed (a safe integer).
   *
   * @defaultValue 0
   */
  seed?: number;
  /**
   * Ratings each user always keeps in train, integer >= 0.
   *
   * @defaultValue 1
   */
  minTrain?: number;
}

function checkRatio(value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new OptionError('testRatio', 'in (0, 1)', value);
  }
  return value;
}

function checkSeed(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new OptionError('seed', 'an integer', value);
  }
  return value;
}

function checkNotEmpty(dataset: Dataset, what: string): void {
  if (dataset.size === 0) throw new DataError(`${what}: cannot split a dataset with no ratings`);
}

/** Row numbers t (in increasing order) with mask[t] === value. */
function rowsWhere(mask: ArrayLike<number>, value: number, count: number): Uint32Array {
  const rows = new Uint32Array(count);
  let w = 0;
  for (let t = 0; t < mask.length; t++) if (mask[t] === value) rows[w++] = t;
  return rows;
}

function foldFromMask(dataset: Dataset, inTest: Uint8Array, testCount: number, name: string): Fold {
  const n = dataset.size;
  return {
    train: dataset.subset(rowsWhere(inTest, 0, n - testCount)),
    test: dataset.subset(rowsWhere(inTest, 1, testCount)),
    name,
  };
}

/**
 * Random split of the rows, like Surprise's train_test_split: a seeded permutation, the first
 * ceil(testRatio * n) rows of it go to test. Users and items may appear only in test.
 *
 * @param dataset - The ratings to split.
 * @param options - The test share and the seed.
 * @returns The fold, named 'holdout'.
 * @throws {@link OptionError} When testRatio is not in (0, 1) or the seed is not an integer.
 * @throws {@link DataError} When the dataset is empty, or the test share leaves no training rating.
 *
 * @example
 * ```ts
 * import { SVD, evaluate, holdoutSplit } from 'latentrec';
 * import { loadRatingsFile } from 'latentrec/node';
 *
 * const { dataset } = await loadRatingsFile('ml-100k/u.data');
 * const { train, test } = holdoutSplit(dataset, { testRatio: 0.2, seed: 0 });
 * const model = new SVD({ seed: 0 });
 * model.fit(train);
 * evaluate(model, test); // { rmse, mae, count, testSeconds }
 * ```
 */
export function holdoutSplit(dataset: Dataset, options: HoldoutOptions): Fold {
  const testRatio = checkRatio(options.testRatio);
  const seed = checkSeed(options.seed);
  checkNotEmpty(dataset, 'holdoutSplit');
  const n = dataset.size;
  const testCount = Math.ceil(testRatio * n);
  if (testCount >= n) {
    throw new DataError(
      `holdoutSplit: testRatio ${testRatio} of ${n} rating${n === 1 ? '' : 's'} leaves no training ratings`,
    );
  }
  const perm = new Random(seed).permutation(n);
  const inTest = new Uint8Array(n);
  for (let k = 0; k < testCount; k++) inTest[perm[k]] = 1;
  return foldFromMask(dataset, inTest, testCount, 'holdout');
}

/**
 * K-fold cross-validation over a seeded permutation of the rows; every row is in exactly one
 * test fold. Fold sizes differ by at most one (the first n % folds folds get one more, as in
 * Surprise's KFold). Names 'fold1'..'foldK'.
 *
 * @param dataset - The ratings to split.
 * @param options - The number of folds and the seed.
 * @returns The folds, in order; pass them to {@link crossValidate}.
 * @throws {@link OptionError} When `folds` is not an integer in [2, number of ratings] or the
 *   seed is not an integer.
 */
export function kFold(dataset: Dataset, options: KFoldOptions = {}): Fold[] {
  const n = dataset.size;
  if (n < 2) throw new DataError(`kFold: the dataset has ${n} rating${n === 1 ? '' : 's'}; k folds need at least 2`);
  const folds = options.folds ?? 5;
  if (typeof folds !== 'number' || !Number.isInteger(folds) || folds < 2 || folds > n) {
    throw new OptionError('folds', `an integer in [2, ${n}] (at most the number of ratings)`, folds);
  }
  const seed = checkSeed(options.seed);
  const perm = new Random(seed).permutation(n);
  const foldOf = new Uint32Array(n);
  const sizes: number[] = [];
  let stop = 0;
  for (let f = 0; f < folds; f++) {
    const start = stop;
    stop += Math.floor(n / folds) + (f < n % folds ? 1 : 0);
    for (let k = start; k < stop; k++) foldOf[perm[k]] = f;
    sizes.push(stop - start);
  }
  const result: Fold[] = [];
  const inTest = new Uint8Array(n);
  for (let f = 0; f < folds; f++) {
    for (let t = 0; t < n; t++) inTest[t] = foldOf[t] === f ? 1 : 0;
    result.push(foldFromMask(dataset, inTest, sizes[f], `fold${f + 1}`));
  }
  return result;
}

/**
 * Per user, holds out round(testRatio * count) of its ratings (chosen at random), but always
 * leaves at least `minTrain` of them in train. Every test user is therefore known in train
 * when minTrain >= 1.
 *
 * @param dataset - The ratings to split.
 * @param options - The test share per user, the seed and the ratings every user keeps.
 * @returns The fold, named 'per-user holdout'.
 * @throws {@link OptionError} When testRatio is not in (0, 1), the seed is not an integer or
 *   minTrain is not an integer >= 0.
 * @throws {@link DataError} When the dataset is empty, or no rating or every rating would be held out.
 */
export function perUserHoldout(dataset: Dataset, options: PerUserHoldoutOptions): Fold {
  const testRatio = checkRatio(options.testRatio);
  const seed = checkSeed(options.seed);
  const minTrain = options.minTrain ?? 1;
  if (typeof minTrain !== 'number' || !Number.isSafeInteger(minTrain) || minTrain < 0) {
    throw new OptionError('minTrain', 'an integer >= 0', minTrain);
  }
  checkNotEmpty(dataset, 'perUserHoldout');
  const n = dataset.size;
  const users = dataset.userCount;
  const userIndex = dataset.userIndex;

  const { start, rows: order } = groupRows(userIndex, users);

  const rng = new Random(seed);
  const inTest = new Uint8Array(n);
  let testCount = 0;
  for (let u = 0; u < users; u++) {
    const lo = start[u];
    const count = start[u + 1] - lo;
    const hold = Math.min(Math.round(testRatio * count), count - minTrain);
    // Partial Fisher–Yates over the user's rows: the first `hold` picked go to test.
    for (let k = 0; k < hold; k++) {
      const j = k + rng.nextInt(count - k);
      const row = order[lo + j];
      order[lo + j] = order[lo + k];
      order[lo + k] = row;
      inTest[row] = 1;
    }
    if (hold > 0) testCount += hold;
  }
  if (testCount === 0) {
    throw new DataError(
      `perUserHoldout: no rating held out (testRatio ${testRatio}, minTrain ${minTrain}): ` +
        `users have too few ratings; raise testRatio or lower minTrain`,
    );
  }
  if (testCount === n) {
    throw new DataError(`perUserHoldout: every rating was held out (minTrain ${minTrain}); raise minTrain`);
  }
  return foldFromMask(dataset, inTest, testCount, 'per-user holdout');
}

/** Options of {@link coldItemsSplit}. */
export interface ColdItemsOptions {
  /** Fraction of the items held out entirely, in (0, 1) (rounded up, at least one item). */
  ratio: number;
  /**
   * Integer seed (a safe integer).
   *
   * @defaultValue 0
   */
  seed?: number;
}

/**
 * Cold-start split by items: a seeded ceil(ratio × items) of the items lose every rating in
 * `train`, so a model meets them with no interaction (only their attributes, if any). Returns
 * the reduced training set and the held-out items' raw ids.
 *
 * @param dataset - The ratings (all of them, or a fold's training set).
 * @param options - The share of items held out and the seed.
 * @returns The training set without the held-out items, and their raw ids; score them with
 *   {@link evaluateColdStart}.
 * @throws {@link OptionError} When ratio is not in (0, 1) or the seed is not an integer.
 * @throws {@link DataError} When the dataset is empty or the ratio would hold out every item.
 */
export function coldItemsSplit(dataset: Dataset, options: ColdItemsOptions): {
  /** The ratings of the items kept (ids renumbered as in `subset`). */
  train: Dataset;
  /** Raw ids of the held-out items, in the seeded order they were drawn. */
  items: string[];
} {
  checkNotEmpty(dataset, 'coldItemsSplit');
  const ratio = options.ratio;
  if (typeof ratio !== 'number' || !(ratio > 0 && ratio < 1)) throw new OptionError('ratio', 'in (0, 1)', ratio);
  const random = new Random(checkSeed(options.seed));
  const order = random.permutation(dataset.itemCount);
  const count = Math.ceil(ratio * dataset.itemCount);
  if (count >= dataset.itemCount) throw new DataError(`coldItemsSplit: holding out ${count} of ${dataset.itemCount} items leaves none to train on`);
  const cold = new Uint8Array(dataset.itemCount);
  for (let t = 0; t < count; t++) cold[order[t]] = 1;
  const rows: number[] = [];
  for (let t = 0; t < dataset.size; t++) if (!cold[dataset.itemIndex[t]]) rows.push(t);
  return { train: dataset.subset(rows), items: Array.from(order.subarray(0, count), (i) => dataset.items.raw[i]) };
}

/** Options of {@link sampleUsers}. */
export interface SampleUsersOptions {
  /** How many distinct users to keep, integer >= 1 (all of them when the data has fewer). */
  users: number;
  /**
   * Integer seed of the user permutation (a safe integer).
   *
   * @defaultValue 0
   */
  seed?: number;
}

/**
 * A seeded sample of the users with all their rows (rows in their original order), e.g. the test
 * users a full-catalogue ranking scores when scoring every one would take too long. `of` is how
 * many users there were.
 *
 * @param dataset - The ratings.
 * @param options - How many users to keep and the seed.
 * @returns The sample and the counts; `data` is `dataset` itself when it has no more users than asked.
 * @throws {@link OptionError} When `users` is not an integer >= 1 or the seed is not an integer.
 */
export function sampleUsers(dataset: Dataset, options: SampleUsersOptions): {
  /** The sampled users' rows (ids renumbered as in `subset`). */
  data: Dataset;
  /** Users in the sample. */
  users: number;
  /** Users in `dataset`. */
  of: number;
} {
  const users = options.users;
  if (typeof users !== 'number' || !Number.isInteger(users) || users < 1) throw new OptionError('users', 'an integer >= 1', users);
  const seed = checkSeed(options.seed);
  const of = dataset.userCount;
  if (users >= of) return { data: dataset, users: of, of };
  const chosen = new Uint8Array(of);
  const order = new Random(seed).permutation(of);
  for (let j = 0; j < users; j++) chosen[order[j]] = 1;
  let count = 0;
  for (let t = 0; t < dataset.size; t++) count += chosen[dataset.userIndex[t]];
  const rows = new Uint32Array(count);
  for (let t = 0, w = 0; t < dataset.size; t++) if (chosen[dataset.userIndex[t]] === 1) rows[w++] = t;
  return { data: dataset.subset(rows), users, of };
}
