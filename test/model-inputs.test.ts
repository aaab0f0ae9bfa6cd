// Everything a fitted model accepts keeps it finite and saveable: fold-in takes ratings within
// the model's rating scale (ranking models: values within ±1e6) and installs a user only when the
// solved factors are finite and within the parameter limit; partialFit takes ratings within the
// scale and leaves the model as it was when it fails; addUser / addItem refuse features that give
// a vector beyond the limit; fromState / restore run the checks of saving and loading, so a state
// that could not be saved is never installed. A refusal names the value and leaves the model alone.
import { describe, expect, it } from 'vitest';
import {
  createModel, Dataset, DataError, DivergenceError, FactorModel, FOLD_IN_VALUE_LIMIT, Hybrid, LatentrecError, ModelFileError, MODEL_KINDS, modelKindInfo, parseFeatures, SVD, toImplicit,
  type ModelKind, type ModelState,
} from '../src/index.js';
import { thrownBy } from './helpers.js';

const triples: [string, string, number][] = [];
for (let u = 0; u < 30; u++) for (let j = 0; j < 10; j++) triples.push([`u${u}`, `i${(u * 7 + j * 3) % 50}`, 1 + ((u + j) % 5)]);
const ratings = Dataset.fromTriples(triples);
const interactions = toImplicit(ratings);

// From the registry: a new kind is checked here too.
const RATING_KINDS: readonly ModelKind[] = MODEL_KINDS.filter((kind) => modelKindInfo(kind).task === 'rating');
const RANKING_KINDS: readonly ModelKind[] = MODEL_KINDS.filter((kind) => modelKindInfo(kind).task === 'ranking');

function fit(kind: ModelKind, data = RANKING_KINDS.includes(kind) ? interactions : ratings): FactorModel {
  // k = 4 and 3 epochs where the kind has them (Baseline has no factors, PureSVD no epochs, Popular neither).
  const { factors, epochs } = modelKindInfo(kind).example;
  const m = createModel({ model: kind, ...(factors === undefined ? {} : { factors: 4 }), ...(epochs === undefined ? {} : { epochs: 3 }) });
  m.fit(data);
  return m;
}

/** The LatentrecError `fn` throws (anything else fails the test). */
const refusal = (fn: () => unknown): LatentrecError => thrownBy(LatentrecError, fn);

/** Checks the model still predicts finite numbers and can be saved and loaded. */
function expectSaveable(m: FactorModel): void {
  for (const estimate of m.predictMany(ratings)) expect(Number.isFinite(estimate)).toBe(true);
  for (const user of m.userIds) for (const score of m.scoreAll(user)) expect(Number.isFinite(score)).toBe(true);
  expect(FactorModel.load(m.save()).userIds).toEqual(m.userIds);
}

describe('foldIn', () => {
  it('rating models refuse ratings outside their rating scale, naming the item, the value and the scale (1e30 was a model that could not be saved)', () => {
    for (const kind of RATING_KINDS) {
      const m = fit(kind);
      const before = m.save();
      for (const r of [1e30, -1e38, 5.5, 0]) {
        const err = refusal(() => m.foldIn([['i3', 4], ['i0', r]], { user: 'visitor' }));
        expect(err, kind).toBeInstanceOf(DataError);
        expect(err.message, kind).toBe(`foldIn: the rating of item "i0" is ${r}, outside the model's rating scale [1, 5]`);
      }
      // An item the model does not know is still checked: the value is wrong whatever the item.
      expect(refusal(() => m.foldIn([['nowhere', 9]])).message).toMatch(/item "nowhere" is 9, outside/);
      expect(m.save(), kind).toEqual(before); // nothing was added
      m.foldIn([['i0', 5], ['i3', 1]], { user: 'visitor' }); // the scale's ends are fine
      expectSaveable(m);
    }
  });

  it('ranking models take finite values within ±1e6 (counts, weights), and refuse beyond', () => {
    expect(FOLD_IN_VALUE_LIMIT).toBe(1e6);
    for (const kind of RANKING_KINDS) {
      const m = fit(kind);
      const before = m.save();
      for (const r of [1e30, -1e38, 1e6 + 1]) {
        expect(refusal(() => m.foldIn([['i0', r]])).message, kind).toBe(`foldIn: the rating of item "i0" is ${r}, beyond ±1e+6, the most a ranking model's fold-in takes`);
      }
      expect(refusal(() => m.foldIn([['i0', Infinity]])).message, kind).toMatch(/is Infinity; ratings must be finite/);
      expect(m.save(), kind).toEqual(before);
      const id = m.foldIn([['i0', 1e6], ['i3', 250]]);
      expect(m.hasUser(id)).toBe(true);
      expectSaveable(m);
    }
  });

  it('solved factors beyond ±1e15 are refused before they are installed (in scale, but no regularization)', () => {
    // A scale this wide is allowed; ratings at its ends with the ridge penalty turned off give
    // factors near 7e15, beyond what a model file holds (and what keeps predictions finite).
    const wide = Dataset.fromTriples(triples, { lo: -1e15, hi: 1e15 });
    for (const kind of ['svd', 'mf', 'svdpp', 'puresvd'] as const) {
      const m = fit(kind, wide);
      m.foldIn([['i0', 3]], { user: 'visitor' });
      const before = m.save();
      const err = refusal(() => m.foldIn([['i0', 1e15], ['i3', -1e15]], { user: 'visitor', regularization: 0 }));
      expect(err.message, kind).toMatch(/^foldIn: the ratings give user "visitor" factor \d of -?\d\.\d+e\+15, beyond ±1e\+15: .* raise the regularization/);
      expect(m.save(), kind).toEqual(before); // the visitor keeps the vector folded in before
      m.foldIn([['i0', 1e15], ['i3', -1e15]], { user: 'visitor' }); // the default penalty keeps them within
      expect(FactorModel.load(m.save()).userIds).toContain('visitor');
    }
  });
});

describe('partialFit', () => {
  it('refuses ratings outside the model\'s scale, naming the row, the ids, the value and the scale', () => {
    const m = new SVD({ factors: 4, epochs: 2 });
    m.fit(ratings);
    const before = m.save();
    const err = refusal(() => m.partialFit(Dataset.fromTriples([['u0', 'i1', 3], ['new', 'i2', 6]])));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe('partialFit: the rating at row 1 (user "new", item "i2") is 6, outside the model\'s rating scale [1, 5]');
    expect(m.save()).toEqual(before);
  });

  it('a partialFit that diverges leaves the model exactly as it was', () => {
    const scale = { lo: -1e20, hi: 1e20 };
    const m = new SVD({ factors: 4, epochs: 2 });
    m.fit(Dataset.fromTriples(triples, scale));
    const before = m.save();
    const err = refusal(() => m.partialFit(Dataset.fromTriples([['u0', 'i1', 1e20], ['new', 'i2', -1e20]], scale)));
    expect(err).toBeInstanceOf(DivergenceError);
    expect(m.save()).toEqual(before);
    expect(m.hasUser('new')).toBe(false);
  });

  it('epochs beyond 1e6 and a validation set that is no Dataset are OptionError / DataError', () => {
    const m = new SVD({ factors: 4, epochs: 2 });
    m.fit(ratings);
    expect(refusal(() => m.partialFit(ratings, { epochs: 1e12 })).message).toBe('option epochs must be an integer in [1, 1000000] (got 1000000000000)');
    expect(refusal(() => m.partialFit(ratings, { validation: {} as Dataset })).message).toMatch(/^partialFit: the validation set must be a Dataset/);
  });
});

describe('Hybrid addUser / addItem', () => {
  const itemFeatures = parseFeatures(interactions.items.raw.map((id, t) => `${id},genre:${t % 3}\n`).join(''));
  const fitted = (normalize: boolean) => {
    const m = new Hybrid({ factors: 4, epochs: 3, normalize });
    m.fit(interactions, { itemFeatures });
    return m;
  };

  it('weights that give a vector beyond ±1e15 are refused (normalize: false keeps weights as given)', () => {
    const m = fitted(false);
    const before = m.save();
    expect(refusal(() => m.addItem('huge', [['genre:0', 3e38], ['genre:1', 3e38]])).message)
      .toBe('addItem("huge"): the feature weights give a vector beyond ±1e+15; use weights of ordinary size (or normalize: true)');
    expect(refusal(() => m.addItem('nan', [['genre:0', NaN]])).message).toMatch(/feature "genre:0" has weight NaN; weights must be finite/);
    expect(m.save()).toEqual(before);
    m.addItem('fine', [['genre:0', 2], 'genre:1']);
    expectSaveable(m);
  });

  it('features that are no list of names or [name, weight] pairs, or an id that is no id, are DataErrors (were TypeErrors)', () => {
    const m = fitted(true);
    expect(refusal(() => m.addItem('x', null as unknown as string[])).message).toBe('addItem("x"): features must be an array of names or [name, weight] pairs, got null');
    expect(refusal(() => m.addItem('x', [5 as unknown as string])).message).toBe('addItem("x"): each feature must be a name or a [name, weight] pair, got number 5');
    expect(refusal(() => m.addItem('x', [['genre:0', '2' as unknown as number]])).message).toMatch(/feature "genre:0" has weight the string "2"; weights must be finite numbers/);
    expect(refusal(() => m.addUser(undefined as unknown as string, ['genre:0'])).message).toMatch(/^addUser: user must be an id .*got undefined/);
    expect(refusal(() => m.fit(interactions, { itemFeatures: 5 as never })).message).toMatch(/^option itemFeatures must be a Features/);
  });
});

describe('fromState / restore validate the state as saving and loading do', () => {
  const svd = fit('svd');
  const state = (): ModelState => structuredClone(svd.toState());

  it('a state that could not be saved is refused with ModelFileError naming the field (it was installed, then predicted NaN or garbage)', () => {
    const cases: Array<[string, (s: ModelState) => void, string, RegExp]> = [
      ['NaN in P', (s) => (s.P[5] = NaN), 'values', /P\[5\] \(user "u1", factor 1\) is NaN; factors and biases must be finite/],
      ['1e20 in Q', (s) => (s.Q[0] = 1e20), 'values', /Q\[0\] \(item "i0", factor 0\) is 1000000020\d{11}, beyond ±1000000000000000/],
      ['P one row short', (s) => (s.P = s.P.slice(4)), 'section', /P has 116 values; expected 120 \(users x k = 30 x 4\)/],
      ['mu Infinity', (s) => (s.mu = Infinity), 'values', /mu is Infinity; it must be a finite number/],
      ['a seen item beyond the items', (s) => (s.seenItems[0] = 999), 'seen', /seenItems\[0\] is item 999 but there are only 50 items/],
      ['no item ids', (s) => (s.itemIds = undefined as never), 'ids', /itemIds must be an array of strings/],
    ];
    for (const [name, breakState, problem, names] of cases) {
      const s = state();
      breakState(s);
      for (const [where, install] of [['FactorModel.fromState', () => FactorModel.fromState(s)], ['SVD.restore', () => new SVD({ factors: 4 }).restore(s)]] as const) {
        const err = refusal(install);
        expect(err, `${name}, ${where}`).toBeInstanceOf(ModelFileError);
        expect((err as ModelFileError).problem, name).toBe(problem);
        expect(err.message, name).toMatch(new RegExp(`^${where.replace('.', '\\.')}: invalid model state: `));
        expect(err.message, name).toMatch(names);
      }
    }
  });

  it('restore refuses a state of another kind, k or biasedness (it used to install them)', () => {
    const bpr = fit('bpr').toState();
    expect(refusal(() => new SVD({ factors: 4 }).restore(bpr)).message).toBe('restore: the state is of kind "bpr", this SVD of kind "svd" (FactorModel.fromState picks the kind)');
    expect(refusal(() => new SVD({ factors: 8 }).restore(state())).message).toBe('restore: the state has k=4, this SVD k=8');
    const unbiased = { ...state(), biased: false, mu: 0, bu: new Float32Array(30) };
    expect(refusal(() => new SVD({ factors: 4 }).restore(unbiased)).message).toBe('restore: the state has biased=false, but a SVD is biased');
    const hybrid = fit('hybrid').toState();
    delete hybrid.features;
    expect(refusal(() => FactorModel.fromState(hybrid)).message).toMatch(/kind "hybrid" needs features/);
  });

  it('the restored model does not change when the caller later reuses the state\'s arrays', () => {
    const s = state();
    const m = FactorModel.fromState(s);
    const top = m.recommend('u0', { n: 5 });
    const saved = m.save();
    s.P.fill(NaN);
    s.seenItems.fill(0);
    s.seenStart.fill(0);
    expect(m.recommend('u0', { n: 5 })).toEqual(top);
    expect(m.save()).toEqual(saved);
  });

  it('a valid state and a saved file still load (the checks run once)', () => {
    expect(FactorModel.fromState(state()).save()).toEqual(svd.save());
    expect(FactorModel.load(svd.save()).save()).toEqual(svd.save());
    expect(new SVD({ factors: 4, epochs: 3 }).restore(state()).save()).toEqual(svd.save());
  });
});
