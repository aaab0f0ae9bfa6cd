// API misuse is refused with the library's own errors, never a TypeError or RangeError from
// inside: for every model kind createModel makes, each wrong argument (null where an object is
// needed, a value of the wrong kind, an n beyond the catalogue, out-of-range options) gives a
// LatentrecError naming the argument; null options mean the defaults; and a second fit while
// one runs on the same model is refused, leaving the running fit to finish as it would alone.
// A fast-check property then throws random options and arguments at every public method.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createModel, Dataset, DataError, FactorModel, LatentrecError, MODEL_KINDS, modelKindInfo, ModelFileError, OptionError, UnknownOptionError, parseFeatures, SVD, toImplicit,
  type ModelKind, type ModelSpec,
} from '../src/index.js';
import { thrownBy } from './helpers.js';

/** 30 users, 10 ratings each over 50 items (every user leaves most items unrated: BPR can sample). */
const triples: [string, string, number][] = [];
for (let u = 0; u < 30; u++) for (let j = 0; j < 10; j++) triples.push([`u${u}`, `i${(u * 7 + j * 3) % 50}`, 1 + ((u + j) % 5)]);
const ratings = Dataset.fromTriples(triples);
const interactions = toImplicit(ratings);

const RANKING: ReadonlySet<ModelKind> = new Set(MODEL_KINDS.filter((kind) => modelKindInfo(kind).task === 'ranking'));
/** Small and quick settings per kind (what each accepts). */
/** Small and quick settings per kind: the registry's example of each. */
const SMALL = (kind: ModelKind): ModelSpec => modelKindInfo(kind).example as ModelSpec;
const trainFor = (kind: ModelKind): Dataset => (RANKING.has(kind) ? interactions : ratings);
const fresh = (kind: ModelKind): FactorModel => createModel({ model: kind, ...SMALL(kind) });
const fitted = new Map<ModelKind, FactorModel>();
/** A fitted model of each kind, shared by the tests that do not change it. */
function model(kind: ModelKind): FactorModel {
  let m = fitted.get(kind);
  if (!m) {
    m = fresh(kind);
    m.fit(trainFor(kind));
    fitted.set(kind, m);
  }
  return m;
}

/** Two genres over the items and users, for the hybrid's attributes. */
const features = parseFeatures(interactions.items.raw.map((id, t) => `${id},genre:${t % 2 === 0 ? 'a' : 'b'}\n`).join(''));
const userFeatures = parseFeatures(interactions.users.raw.map((id, t) => `${id},genre:${t % 2 === 0 ? 'a' : 'b'}\n`).join(''), { kind: 'user' });
let withAttributes: FactorModel | undefined;
/** A Hybrid fitted with user and item attributes (addUser and addItem have names to take). */
function hybridWithAttributes(): FactorModel {
  if (!withAttributes) {
    withAttributes = fresh('hybrid');
    withAttributes.fit(interactions, { itemFeatures: features, userFeatures } as object);
  }
  return withAttributes;
}

/** The error `fn` throws; anything but a LatentrecError (a TypeError, a RangeError) fails the test. */
const refusal = (fn: () => unknown): LatentrecError => thrownBy(LatentrecError, fn);

const nothing = null as unknown as undefined;
const junk = <T>(x: unknown): T => x as T;

/** Each misuse, and what its message must name. Before these checks each was a TypeError or RangeError (or, marked, a silent wrong answer). */
const MISUSES: Array<[string, (m: FactorModel, kind: ModelKind) => unknown, RegExp]> = [
  ['fit(null)', (_, kind) => fresh(kind).fit(junk(null)), /^fit: the training set must be a Dataset .*got null/],
  ['fit(undefined)', (_, kind) => fresh(kind).fit(junk(undefined)), /^fit: the training set must be a Dataset .*got undefined/],
  ['fit({})', (_, kind) => fresh(kind).fit(junk({})), /^fit: the training set must be a Dataset .*without a Dataset's ids/],
  ['fit(parseRatings(text))', (_, kind) => fresh(kind).fit(junk({ dataset: trainFor(kind) })), /^fit: the training set must be a Dataset .*got what the parser returns: pass its \.dataset/],
  ['fit(train, 5)', (_, kind) => fresh(kind).fit(trainFor(kind), junk(5)), /^option fit options must be an object/],
  ['fit(train, { onEpoch: 5 })', (_, kind) => fresh(kind).fit(trainFor(kind), junk({ onEpoch: 5 })), /^option onEpoch must be a function/],
  // Ranking kinds take no validation set at all (they are not scored by RMSE): the key is refused.
  ['fit(train, { validation: [] })', (_, kind) => fresh(kind).fit(trainFor(kind), junk({ validation: [] })), /^fit: the validation set must be a Dataset|^\w+\.fit has no option "validation"/],
  ['predict(undefined, undefined) (was a prediction for the id "undefined")', (m) => m.predict(junk(undefined), junk(undefined)), /^predict: user must be an id .*got undefined/],
  ['predict(user, {})', (m) => m.predict(m.userIds[0], junk({})), /^predict: item must be an id .*got an object/],
  ['recommend(null) (was "unknown user \\"null\\"")', (m) => m.recommend(junk(null)), /^recommend: user must be an id .*got null/],
  ['recommend(user, { n: -1 })', (m) => m.recommend(m.userIds[0], { n: -1 }), /^option n must be an integer >= 0 \(got -1\)/],
  ['recommend(user, { n: "5" })', (m) => m.recommend(m.userIds[0], { n: junk('5') }), /^option n must be an integer >= 0 \(got "5"\)/],
  ['recommend(user, { exclude: 5 })', (m) => m.recommend(m.userIds[0], { exclude: junk(5) }), /^option exclude must be an array or Set of ids \(got 5\)/],
  ['recommend(user, { exclude: "i1" }) (was the characters as ids)', (m) => m.recommend(m.userIds[0], { exclude: junk('i1') }), /^option exclude must be an array or Set/],
  ['recommend(user, { candidates: {} })', (m) => m.recommend(m.userIds[0], { candidates: junk({}) }), /^option candidates must be an array or Set/],
  ['recommend(user, 7)', (m) => m.recommend(m.userIds[0], junk<Record<string, never>>(7)), /^option recommend options must be an object/],
  ['scoreAll(null)', (m) => m.scoreAll(junk(null)), /^scoreAll: user must be an id/],
  ['similarItems(item, { n: Infinity })', (m) => m.similarItems(m.itemIds[0], { n: Infinity }), /^option n must be an integer >= 0 \(got Infinity\)/],
  ['similarItems(undefined)', (m) => m.similarItems(junk(undefined)), /^similarItems: item must be an id/],
  ['similarUsers(user, { n: -2 })', (m) => m.similarUsers(m.userIds[0], { n: -2 }), /^option n must be an integer >= 0/],
  ['predictMany(null)', (m) => m.predictMany(junk(null)), /^predictMany: pairs must be a Dataset or an array of \[user, item\] pairs, got null/],
  ['predictMany([null])', (m) => m.predictMany(junk([null])), /^predictMany: pairs\[0\] must be a \[user, item\] pair, got null/],
  ['predictMany([[user]])', (m) => m.predictMany(junk([[m.userIds[0]]])), /^predictMany: pairs\[0\]: the item must be an id/],
  ['recommendAll(5)', (m) => m.recommendAll(junk<Record<string, never>>(5)), /^option recommendAll options must be an object/],
  ['recommendAll({ users: 5 }) (at the call, not at the first next())', (m) => m.recommendAll({ users: junk(5) }), /^option users must be an array or Set of ids/],
  ['recommendAll({ users: [null] })', (m) => [...m.recommendAll({ users: junk([null]) })], /^recommendAll: each of users must be an id/],
  ['partialFit(null)', (m) => m.partialFit(junk(null)), /^partialFit: the data must be a Dataset|does not support partialFit/],
  ['foldIn(null)', (m) => m.foldIn(junk(null)), /^foldIn: ratings must be an array of \[item, rating\] pairs, got null/],
  ['foldIn([[item]]) (no rating)', (m) => m.foldIn(junk([[m.itemIds[0]]])), /^foldIn: ratings\[0\]: the rating of item "i\d+" must be a number, got undefined/],
  ['foldIn([item])', (m) => m.foldIn(junk([m.itemIds[0]])), /^foldIn: ratings\[0\] must be an \[item, rating\] pair, got the string/],
  ['foldIn([[{}, 1]])', (m) => m.foldIn(junk([[{}, 1]])), /^foldIn: ratings\[0\]: the item must be an id/],
  ['foldIn(ratings, { user: {} })', (m) => m.foldIn([[m.itemIds[0], 1]], { user: junk({}) }), /^foldIn: options.user must be an id/],
  ['foldIn(ratings, 5)', (m) => m.foldIn([[m.itemIds[0], 1]], junk(5)), /^option foldIn options must be an object/],
  ['restore(null)', (_, kind) => fresh(kind).restore(junk(null)), /^\w+\.restore: invalid model state: the state is null, not an object/],
  ['restore(state, 5)', (m, kind) => fresh(kind).restore(m.toState(), junk(5)), /^option restore options must be an object/],
];

describe('misuse of every model kind is a LatentrecError naming the argument', () => {
  it('MODEL_KINDS lists every kind createModel makes', () => {
    for (const kind of MODEL_KINDS) expect(createModel({ model: kind })).toBeInstanceOf(FactorModel);
    expect(refusal(() => createModel({ model: junk('nope') })).message).toBe(`option model must be one of ${MODEL_KINDS.join(', ')} (got "nope")`);
  });

  for (const kind of MODEL_KINDS) {
    it(`${kind}: ${MISUSES.length} misuses`, () => {
      const m = model(kind);
      for (const [name, call, names] of MISUSES) {
        const err = refusal(() => call(m, kind));
        expect(err.message, `${kind}: ${name}`).toMatch(names);
      }
    });
  }

  it('FactorModel.fromState(null), FactorModel.load(null) and createModel(5)', () => {
    const fromState = refusal(() => FactorModel.fromState(junk(null)));
    expect(fromState).toBeInstanceOf(ModelFileError);
    expect(fromState.message).toBe('FactorModel.fromState: invalid model state: the state is null, not an object');
    expect(refusal(() => FactorModel.load(junk(null))).message).toMatch(/^decodeModel needs the file's bytes as a Uint8Array or ArrayBuffer \(got null\)/);
    expect(refusal(() => FactorModel.load(model('svd').save(), junk('simd'))).message).toMatch(/^option fromState options must be an object/);
    expect(refusal(() => createModel(junk(5))).message).toMatch(/^option createModel options must be an object/);
    expect(refusal(() => createModel({ preset: junk('toString') })).message).toMatch(/^option preset must be one of recommended/);
  });

  it('option values out of range are OptionErrors naming the option and its range, at construction', () => {
    const cases: Array<[string, ModelSpec, RegExp]> = [
      ['factors', { factors: 1e9 }, /^option factors must be an integer in \[1, 4096\] \(got 1000000000\)/],
      ['epochs', { epochs: 1e12 }, /^option epochs must be (an integer in \[1, 1000000\]|unset: PureSVD has no gradient descent) \(got 1000000000000\)/],
      ['seed', { seed: NaN }, /^option seed must be an integer in \[0, 4294967295\] \(got NaN\)/],
      ['threads', { threads: junk('x') }, /^option threads must be an integer in \[1, 256\] \(got "x"\)/],
      ['initStd', { initStd: -1 }, /^option initStd must be a finite number >= 0 \(got -1\)/],
      ['initSvd.powerIterations (was a fit that never ends)', { initSvd: { powerIterations: 1e9 } }, /^option initSvd.powerIterations must be an integer in \[0, 100\]/],
      ['verifyNegatives', { verifyNegatives: junk('no') } as ModelSpec, /^option verifyNegatives must be true or false/],
    ];
    let refused = 0;
    for (const kind of MODEL_KINDS) {
      for (const [option, spec, names] of cases) {
        // Each kind takes only its own options (Popular has none): another kind's is refused by name.
        let err: LatentrecError | undefined;
        try {
          createModel({ model: kind, ...spec });
        } catch (e) {
          err = refusal(() => {
            throw e;
          });
        }
        if (err === undefined) continue;
        refused++;
        expect(err, `${kind} ${option}`).toBeInstanceOf(OptionError);
        if (err instanceof UnknownOptionError) {
          expect(err.message, `${kind} ${option}`).toMatch(new RegExp(`^\\w+ has no option "${option.split(/[ .]/)[0]}"`));
          continue;
        }
        expect(err.message, `${kind} ${option}`).toMatch(names);
      }
    }
    expect(refused).toBeGreaterThan(25);
    expect(refusal(() => new SVD({ factors: 1e9 }))).toBeInstanceOf(OptionError);
  });
});

describe('null options mean the defaults (as for the parsers)', () => {
  it('every model class: new Model(null) and createModel(null) are the defaults', () => {
    for (const kind of MODEL_KINDS) {
      const Model = createModel({ model: kind }).constructor as new (options?: unknown) => FactorModel;
      expect(new Model(null).settings, kind).toEqual(new Model().settings);
      expect((new Model(null) as unknown as { options: unknown }).options, kind).toEqual((new Model() as unknown as { options: unknown }).options);
    }
    expect(createModel(nothing).settings).toEqual(createModel().settings);
  });

  it('fit, recommend, similarItems, recommendAll, foldIn and restore with null options', () => {
    for (const kind of MODEL_KINDS) {
      const m = model(kind);
      const user = m.userIds[0], item = m.itemIds[0];
      const again = fresh(kind);
      again.fit(trainFor(kind), nothing);
      expect(again.save(), kind).toEqual(m.save());
      expect(m.recommend(user, nothing), kind).toEqual(m.recommend(user));
      if (modelKindInfo(kind).capabilities.similar) expect(m.similarItems(item, nothing), kind).toEqual(m.similarItems(item));
      expect([...m.recommendAll(nothing)], kind).toEqual([...m.recommendAll()]);
      expect([...m.recommendAll({ users: nothing })].length, kind).toBe(m.userIds.length);
      const restored = fresh(kind).restore(m.toState(), nothing);
      expect(restored.save(), kind).toEqual(m.save());
      const copy = FactorModel.load(m.save(), nothing);
      expect(copy.foldIn([[item, RANKING.has(kind) ? 1 : 4]], nothing)).toMatch(/^folded-in-/);
    }
  });
});

describe('n beyond the catalogue means every candidate (without allocating n)', () => {
  it('recommend and similarItems / similarUsers with n = 1e12 or MAX_SAFE_INTEGER (was a RangeError: invalid typed array length)', () => {
    for (const kind of MODEL_KINDS) {
      const m = model(kind);
      const user = m.userIds[0], item = m.itemIds[0];
      const all = m.recommend(user, { n: m.itemIds.length });
      expect(all.length, kind).toBe(m.itemIds.length - 10); // every item the user did not rate
      expect(m.recommend(user, { n: 1e12 }), kind).toEqual(all);
      if (modelKindInfo(kind).capabilities.similar) {
        expect(m.similarItems(item, { n: Number.MAX_SAFE_INTEGER }), kind).toEqual(m.similarItems(item, { n: m.itemIds.length }));
        if (modelKindInfo(kind).capabilities.similar === true) expect(m.similarUsers(user, { n: 1e12 }), kind).toEqual(m.similarUsers(user, { n: m.userIds.length }));
      }
      expect(m.recommend(user, { n: 0 }), kind).toEqual([]);
    }
    expect(model('svd').similarItems('i0', { n: 1e12 })).toHaveLength(49);
  });

  it('an exclude or candidates iterator is used for every user of recommendAll, not only the first', () => {
    const m = model('svd');
    const excluded = m.itemIds.slice(0, 25);
    const each = [...m.recommendAll({ n: 50, exclude: excluded.values() })];
    for (const { items } of each) for (const r of items) expect(excluded).not.toContain(r.item);
  });
});

describe('one fit at a time per model', () => {
  const data = ratings;
  const running = /^fit: a fit is already running on this model; wait for it to finish/;

  it('a second fitAsync is refused (rejected promise); the first finishes with the bits it has alone', async () => {
    const alone = new SVD({ factors: 6, epochs: 6, seed: 3 });
    await alone.fitAsync(data);
    const m = new SVD({ factors: 6, epochs: 6, seed: 3 });
    const first = m.fitAsync(data);
    const second = m.fitAsync(Dataset.fromTriples([['a', 'b', 1], ['c', 'd', 5]]));
    await expect(second).rejects.toThrow(running);
    await expect(second).rejects.toBeInstanceOf(LatentrecError);
    const result = await first;
    expect(result.epochs).toHaveLength(6);
    expect(m.save()).toEqual(alone.save());
  });

  it('a Hybrid too (was a TypeError: cannot destructure this.sides, which the second fit had cleared)', async () => {
    const options = { factors: 4, epochs: 4, seed: 1 };
    const alone = createModel({ model: 'hybrid', ...options });
    await alone.fitAsync(interactions);
    const m = createModel({ model: 'hybrid', ...options });
    const first = m.fitAsync(interactions);
    await expect(m.fitAsync(interactions)).rejects.toThrow(running);
    await first;
    expect(m.save()).toEqual(alone.save());
  });

  it('fit, partialFit, foldIn and restore while a fitAsync runs are refused at once; the fit is unharmed', async () => {
    const alone = new SVD({ factors: 6, epochs: 5, seed: 4 });
    alone.fit(data);
    const m = new SVD({ factors: 6, epochs: 5, seed: 4 });
    m.fit(data); // a fitted model: partialFit and foldIn would otherwise run
    const refit = m.fitAsync(data);
    expect(refusal(() => m.fit(data)).message).toMatch(running);
    expect(refusal(() => m.partialFit(data)).message).toMatch(/^partialFit: a fit is already running on this model/);
    expect(refusal(() => m.foldIn([['i1', 3]])).message).toMatch(/^foldIn: a fit is already running on this model/);
    expect(refusal(() => m.restore(alone.toState())).message).toMatch(/^restore: a fit is already running on this model/);
    expect(refusal(() => m.predict('u0', 'i1')).message).toMatch(/a fit is running on this model; use the model once it has finished/);
    await refit;
    expect(m.save()).toEqual(alone.save());
    m.fit(data); // and once it has finished, the model fits again
    expect(m.save()).toEqual(alone.save());
  });

  it('a synchronous fit from onEpoch of the same model is refused; caught there, the outer fit goes on unchanged', () => {
    const alone = new SVD({ factors: 6, epochs: 4, seed: 5 });
    alone.fit(data);
    const m = new SVD({ factors: 6, epochs: 4, seed: 5 });
    const inner: string[] = [];
    const result = m.fit(data, {
      onEpoch: () => {
        try {
          m.fit(data);
        } catch (error) {
          inner.push(refusal(() => {
            throw error;
          }).message);
        }
      },
    });
    expect(inner).toHaveLength(4);
    for (const message of inner) expect(message).toMatch(running);
    expect(result.epochs).toHaveLength(4);
    expect(m.save()).toEqual(alone.save());
  });

  it('partialFit refuses a fit from its onEpoch; a failed fit does not leave the model locked', () => {
    const m = new SVD({ factors: 4, epochs: 2, seed: 1 });
    m.fit(data);
    let inner: LatentrecError | undefined;
    m.partialFit(data, { epochs: 1, onEpoch: () => (inner = refusal(() => m.fit(data))) });
    expect(inner?.message).toMatch(/^fit: a partialFit is already running on this model/);
    // A fit that fails (BPR cannot sample negatives for a user who rated every item) clears the lock.
    const bpr = createModel({ model: 'bpr', factors: 2, epochs: 1 });
    expect(refusal(() => bpr.fit(Dataset.fromTriples([['a', 'x', 1], ['a', 'y', 1]])))).toBeInstanceOf(DataError);
    bpr.fit(interactions);
    expect(bpr.isFitted).toBe(true);
  });
});

describe('property: random options and arguments to the public API throw only LatentrecErrors', () => {
  // Plausible values (valid ids, small numbers, option names' own values) mixed with anything
  // fast-check makes: null-prototype objects, symbols, bigints, typed arrays, sparse arrays, ...
  const anything = fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true, withTypedArray: true, withSparseArray: true, withMap: true, withSet: true, withBoxedValues: true });
  const plausible = fc.oneof(
    fc.constantFrom(0, 1, 2, 3, -1, 0.5, 1e12, 1e300, NaN, Infinity, -Infinity, 'u0', 'i1', 'wasm', 'js', 'blocked', 'shuffle', 'fixed', 'svd', 'random', 'als', 'sgd', 'warp', 'bpr', 'logistic', 'adagrad', 'mt19937', 'xoshiro128', 'auto', 'simd', 'scalar', true, false, null, undefined),
    fc.integer({ min: -5, max: 70 }),
  );
  const value = fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 1, arbitrary: anything });
  const OPTION_NAMES = [
    'model', 'preset', 'factors', 'epochs', 'lrAll', 'regAll', 'lrBu', 'regQi', 'initMean', 'initStd', 'seed', 'engine', 'wasmVariant', 'order', 'threads', 'bins',
    'rng', 'init', 'initScale', 'initSvd', 'lrYj', 'method', 'regU', 'lr', 'reg', 'oversample', 'powerIterations', 'regBias', 'verifyNegatives', 'alpha', 'cgSteps',
    'loss', 'learningSchedule', 'userReg', 'itemReg', 'maxSampled', 'userIdentity', 'itemIdentity', 'normalize',
  ];
  const optionsArb = fc.dictionary(fc.constantFrom(...OPTION_NAMES), value, { maxKeys: 4 });

  /** Runs fn; returns true when it succeeded; rethrows any error that is not the library's. */
  const libraryOnly = (fn: () => unknown): boolean => {
    try {
      fn();
      return true;
    } catch (error) {
      if (error instanceof LatentrecError) return false;
      throw error;
    }
  };

  it('createModel with random options, then (when small) fit with random fit options', () => {
    const fitOptions = fc.dictionary(
      fc.constantFrom('validation', 'onEpoch', 'trainMetric', 'earlyStopping', 'checkpoint', 'signal', 'userFeatures', 'itemFeatures'),
      fc.oneof(value, fc.constant(features), fc.constant(ratings)),
      { maxKeys: 2 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...MODEL_KINDS), optionsArb, fitOptions, fc.boolean(), (kind, options, fitOpts, withFitOptions) => {
        let m: FactorModel | undefined;
        libraryOnly(() => (m = createModel({ model: kind, ...SMALL(kind), ...options })));
        if (!m) return;
        // Only fits that stay quick: the options may ask for a million epochs, or worker threads.
        const { epochs, factors, threads } = m.settings;
        if (epochs > 5 || factors > 64 || (typeof threads === 'number' && threads > 1)) return;
        libraryOnly(() => m!.fit(trainFor(kind), withFitOptions ? junk(fitOpts) : undefined));
      }),
      { numRuns: 300, seed: 20260101 },
    );
  });

  it('every public method of a fitted model with random arguments', () => {
    const METHODS = [
      'predict', 'predictMany', 'recommend', 'scoreAll', 'recommendAll', 'similarItems', 'similarUsers', 'foldIn', 'partialFit', 'restore',
      'hasUser', 'userFactors', 'itemFactors', 'userBias', 'itemBias',
    ] as const;
    const argument = fc.oneof(
      value,
      fc.constantFrom(ratings, interactions),
      fc.array(fc.tuple(value, value), { maxLength: 3 }),
      fc.array(fc.oneof(fc.constantFrom('genre:a', 'genre:b'), fc.tuple(fc.constantFrom('genre:a', 'genre:b'), value), value), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('n', 'exclude', 'candidates', 'excludeSeen', 'users', 'user', 'regularization', 'epochs', 'validation', 'onEpoch', 'wasmVariant'), value, { maxKeys: 3 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...MODEL_KINDS), fc.constantFrom(...METHODS), fc.option(fc.constantFrom('addUser', 'addItem')), fc.array(argument, { maxLength: 2 }), (kind, method, hybridMethod, args) => {
        const m = FactorModel.load((kind === 'hybrid' ? hybridWithAttributes() : model(kind)).save()); // a copy: foldIn and partialFit may change it
        const name = kind === 'hybrid' && hybridMethod !== null ? hybridMethod : method;
        libraryOnly(() => {
          const out = (m as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
          if (method === 'recommendAll') [...(out as Iterable<unknown>)];
        });
        // Whatever was accepted left a model that predicts finite numbers and can be saved.
        for (const estimate of m.predictMany(ratings)) expect(Number.isFinite(estimate)).toBe(true);
        m.save();
      }),
      { numRuns: 300, seed: 20260102 },
    );
  });
});
