// exportSparkAls: a model's factors as Spark ALS JSON lines, checked against what the model's own
// accessors (userFactors, itemFactors, userBias, itemBias, globalMean) say its scores are, and
// against importSparkAls reading the lines back.
import { describe, expect, it } from 'vitest';
import {
  ALS, BPR, Baseline, BayesianFM, DataError, EASE, FactorModel, Hybrid, LatentrecError, OptionError, Popular, SVD, SVDpp,
  exportSparkAls, generateRatings, importSparkAls, sparkAlsLines, sparkAlsLinesOfState, toImplicit,
} from '../../src/index.js';
import { Random } from '../../src/util/random.js';
import { thrownBy } from '../helpers.js';

const ratings = generateRatings({ users: 60, items: 40, ratings: 1500, seed: 7 });
const positives = toImplicit(ratings, { threshold: 4 });
/** Wide enough that no score of these models is clipped by the imported model. */
const WIDE = { lo: -1e6, hi: 1e6 };

interface Line {
  id: number | string;
  features: number[];
}

/** The lines as plain JSON, read without the importer. */
function lines(text: string): Line[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Line);
}

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** Σ a_j b_j in float64, and Σ |a_j b_j| (the size float32 rounding is relative to). */
function dot(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; size: number } {
  let value = 0, size = 0;
  for (let j = 0; j < a.length; j++) {
    value += a[j] * b[j];
    size += Math.abs(a[j] * b[j]);
  }
  return { value, size };
}

/** Float32 rounding of a sum of `terms` terms of total magnitude `size`, with room for the order of summation. */
const float32Tolerance = (terms: number, size: number) => (terms + 2) * 2 ** -24 * size + 1e-30;

/** The model re-built from the exported lines (importSparkAls, then FactorModel.fromState). */
function reimport(text: { users: string; items: string }): FactorModel {
  return FactorModel.fromState(importSparkAls(text.users, text.items, { scale: WIDE }));
}

/**
 * Every pair's score from the re-imported model (predict: its kernel, unclipped under WIDE) against
 * `expected`, computed from the original model's accessors; returns the largest difference.
 */
function expectScores(again: FactorModel, original: FactorModel, expected: (u: string, i: string) => { value: number; size: number; terms: number }): number {
  let worst = 0;
  for (const u of original.userIds) {
    for (const i of original.itemIds) {
      const e = expected(u, i);
      const got = again.predict(u, i).estimate;
      const diff = Math.abs(got - e.value);
      expect(diff, `${u}, ${i}: ${got} vs ${e.value}`).toBeLessThanOrEqual(float32Tolerance(e.terms, e.size));
      worst = Math.max(worst, diff);
    }
  }
  return worst;
}

describe('exportSparkAls: unbiased models export their factors bit for bit', () => {
  const als = new ALS({ factors: 4, epochs: 5, reg: 1 });
  als.fit(positives);

  it('ALS: one line per user and item, in model order, features the float32 factors exactly', () => {
    const out = exportSparkAls(als);
    expect(out.rank).toBe(4);
    expect(out.factors).toBe(4);
    expect(out.folded).toEqual({});
    expect(out.notes).toEqual([]);
    const users = lines(out.users), items = lines(out.items);
    expect(users.map((l) => String(l.id))).toEqual(als.userIds);
    expect(items.map((l) => String(l.id))).toEqual(als.itemIds);
    expect([out.userCount, out.itemCount]).toEqual([als.userIds.length, als.itemIds.length]);
    // Generated ids are integers: written as JSON numbers, as Spark's int ids.
    expect(users.every((l) => typeof l.id === 'number')).toBe(true);
    for (const l of users) expect(bits(l.features)).toEqual(bits(als.userFactors(String(l.id))!));
    for (const l of items) expect(bits(l.features)).toEqual(bits(als.itemFactors(String(l.id))!));
  });

  it('ALS: imported back, the same factors bit for bit and the same scores', () => {
    const again = reimport(exportSparkAls(als));
    expect(again.userIds).toEqual(als.userIds);
    expect(again.itemIds).toEqual(als.itemIds);
    expect(bits(again.toState().P)).toEqual(bits(als.toState().P));
    expect(bits(again.toState().Q)).toEqual(bits(als.toState().Q));
    expectScores(again, als, (u, i) => ({ ...dot(als.userFactors(u)!, als.itemFactors(i)!), terms: 4 }));
    for (const u of als.userIds.slice(0, 10)) expect(Array.from(again.scoreAll(u))).toEqual(Array.from(als.scoreAll(u)));
  });

  it('an imported model exported again is its input, byte for byte (canonical lines)', () => {
    // Canonical: ids as importSparkAls reads and JSON writes them, each number the shortest decimal
    // of its float32 (1e-45 is the smallest subnormal, 123456790 the float32 123456792, -0 kept).
    const users = [
      '{"id":1,"features":[0.5,-0.25,1]}',
      '{"id":"anna","features":[0.1,0.33333334,-0]}',
      '{"id":-12,"features":[1e-45,1.1754944e-38,123456790]}',
      '{"id":"007","features":[0.000001,1e-7,-250000000000000]}',
    ].join('\n') + '\n';
    const items = ['{"id":10,"features":[1,0.5,0]}', '{"id":"Amélie (2001)","features":[0.2,0.3,0.4]}', '{"id":"a\\"b\\\\c\\u0001","features":[16777216,-2.5,7]}'].join('\n') + '\n';
    const model = FactorModel.fromState(importSparkAls(users, items));
    const out = exportSparkAls(model);
    expect(out.users).toBe(users);
    expect(out.items).toBe(items);
    expect(out.folded).toEqual({});
    expect(Object.is(model.userFactors('anna')![2], -0)).toBe(true);
    // And Spark's own (non-canonical) spelling reads to the same model, so it exports the same.
    const spark = users.replace('[0.5,-0.25,1]', '[0.5,-0.25,1.0]').replace('0.33333334', '0.3333333432674408');
    expect(exportSparkAls(FactorModel.fromState(importSparkAls(spark, items))).users).toBe(users);
  });

  it('every float32 is written as a shortest decimal that reads back as itself', () => {
    // Random float32 bit patterns (finite, within the model bound), through an imported model.
    const random = new Random(11);
    const values: number[] = [];
    const word = new Uint32Array(1), float = new Float32Array(word.buffer);
    while (values.length < 3000) {
      word[0] = Math.floor(random.nextFloat() * 2 ** 32);
      if (Number.isFinite(float[0]) && Math.abs(float[0]) < 1e15) values.push(float[0]);
    }
    const k = 30;
    const userText = Array.from({ length: values.length / k }, (_, r) => JSON.stringify({ id: r, features: values.slice(r * k, r * k + k) })).join('\n');
    const model = FactorModel.fromState(importSparkAls(userText, '{"id":1,"features":[' + Array(k).fill(1).join(',') + ']}'));
    const out = exportSparkAls(model);
    const texts = out.users.trim().split('\n').flatMap((line) => /"features":\[(.*)\]/.exec(line)![1].split(','));
    expect(texts).toHaveLength(values.length);
    texts.forEach((text, t) => {
      expect(bits([Number(text)]), text).toEqual(bits([values[t]]));
      // Shortest: the nearest decimal with one significant digit fewer reads back as another float32.
      const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
      if (digits > 1) expect(Math.fround(Number(values[t].toPrecision(digits - 1))), text).not.toBe(values[t]);
    });
  });
});

describe('exportSparkAls: biases folded into feature columns', () => {
  const svd = new SVD({ factors: 4, epochs: 15, lrAll: 0.02 });
  svd.fit(ratings);
  /** What SVD scores, from its accessors: μ + b_u + b_i + p_u·q_i. */
  const svdScore = (u: string, i: string) => {
    const d = dot(svd.userFactors(u)!, svd.itemFactors(i)!);
    const terms = [svd.globalMean, svd.userBias(u)!, svd.itemBias(i)!];
    return { value: d.value + terms[0] + terms[1] + terms[2], size: d.size + terms.reduce((s, x) => s + Math.abs(x), 0), terms: 4 + 3 };
  };

  it('SVD: users [p, μ + b_u, 1], items [q, 1, b_i]', () => {
    const out = exportSparkAls(svd);
    expect(out.rank).toBe(6);
    expect(out.folded).toEqual({ user: 4, item: 5 });
    expect(out.scale).toEqual({ lo: 1, hi: 5 });
    for (const l of lines(out.users)) {
      const u = String(l.id);
      expect(bits(l.features.slice(0, 4))).toEqual(bits(svd.userFactors(u)!));
      expect(l.features[4]).toBeCloseTo(svd.globalMean + svd.userBias(u)!, 5);
      expect(l.features[5]).toBe(1);
    }
    for (const l of lines(out.items)) {
      const i = String(l.id);
      expect(bits(l.features.slice(0, 4))).toEqual(bits(svd.itemFactors(i)!));
      expect(l.features[4]).toBe(1);
      expect(bits([l.features[5]])).toEqual(bits([svd.itemBias(i)!]));
    }
  });

  it('SVD: imported back, every pair scores μ + b_u + b_i + p·q within float32 rounding', () => {
    const again = reimport(exportSparkAls(svd));
    const worst = expectScores(again, svd, svdScore);
    expect(worst).toBeLessThan(1e-5);
    // The model's own estimates agree where its scale does not clip them.
    let compared = 0;
    for (const u of svd.userIds.slice(0, 20)) {
      for (const i of svd.itemIds) {
        const e = svdScore(u, i).value;
        if (e <= 1.01 || e >= 4.99) continue;
        expect(Math.abs(again.predict(u, i).estimate - svd.predict(u, i).estimate)).toBeLessThan(1e-5);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it("SVD, biases 'drop': p and q bit for bit, and the dot product leaves μ + b_u + b_i out", () => {
    const out = exportSparkAls(svd, { biases: 'drop' });
    expect(out.rank).toBe(4);
    expect(out.folded).toEqual({});
    expect(out.notes.join('\n')).toMatch(/biases dropped: the dot product leaves out μ \+ b_u \+ b_i/);
    const again = reimport(out);
    expect(bits(again.toState().P)).toEqual(bits(svd.toState().P));
    expect(bits(again.toState().Q)).toEqual(bits(svd.toState().Q));
    expectScores(again, svd, (u, i) => ({ ...dot(svd.userFactors(u)!, svd.itemFactors(i)!), terms: 4 }));
    const [u, i] = [svd.userIds[0], svd.itemIds[0]];
    expect(Math.abs(again.predict(u, i).estimate - svdScore(u, i).value)).toBeGreaterThan(1);
  });

  it('SVD++: the factors it predicts with (p_u plus its implicit part), folded', () => {
    const pp = new SVDpp({ factors: 3, epochs: 5 });
    pp.fit(ratings);
    const again = reimport(exportSparkAls(pp));
    expectScores(again, pp, (u, i) => {
      const d = dot(pp.userFactors(u)!, pp.itemFactors(i)!);
      const t = [pp.globalMean, pp.userBias(u)!, pp.itemBias(i)!];
      return { value: d.value + t[0] + t[1] + t[2], size: d.size + t.reduce((s, x) => s + Math.abs(x), 0), terms: 6 };
    });
  });

  const bpr = new BPR({ factors: 3, epochs: 30, lr: 0.1 });
  bpr.fit(positives);

  it('BPR: its item biases as one column (users [p, 1], items [q, b_i]); scores as BPR ranks', () => {
    const out = exportSparkAls(bpr);
    expect(out.rank).toBe(4);
    expect(out.folded).toEqual({ item: 3 });
    expect(lines(out.users).every((l) => l.features[3] === 1)).toBe(true);
    const again = reimport(out);
    expectScores(again, bpr, (u, i) => {
      const d = dot(bpr.userFactors(u)!, bpr.itemFactors(i)!);
      const b = bpr.itemBias(i)!;
      return { value: d.value + b, size: d.size + Math.abs(b), terms: 4 };
    });
    // Some item bias matters, or this test would not tell folding from dropping.
    expect(bpr.itemIds.some((i) => Math.abs(bpr.itemBias(i)!) > 1e-3)).toBe(true);
    for (const u of bpr.userIds.slice(0, 10)) {
      const a = bpr.scoreAll(u), b = again.scoreAll(u);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    }
  });

  it("BPR, biases 'drop': p and q bit for bit", () => {
    const out = exportSparkAls(bpr, { biases: 'drop' });
    expect(out.rank).toBe(3);
    expect(out.notes.join('\n')).toMatch(/leaves out b_i/);
    const again = reimport(out);
    expect(bits(again.toState().P)).toEqual(bits(bpr.toState().P));
    expect(bits(again.toState().Q)).toEqual(bits(bpr.toState().Q));
  });

  it('Hybrid: the composed user and item vectors it scores with, and a note on the feature embeddings', () => {
    const hybrid = new Hybrid({ factors: 4, epochs: 10 });
    hybrid.fit(positives);
    const out = exportSparkAls(hybrid);
    expect(out.notes.join('\n')).toMatch(/feature embeddings are not exported/);
    const again = reimport(out);
    for (const u of hybrid.userIds.slice(0, 10)) {
      const a = hybrid.scoreAll(u), b = again.scoreAll(u);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    }
  });
});

describe('exportSparkAls: ids', () => {
  const ids = ['1', '007', '-3', 'anna', '1e3', '9007199254740991', '9007199254740993', '-0', ' 5'];
  const model = FactorModel.fromState(importSparkAls(ids.map((id, r) => JSON.stringify({ id, features: [r] })).join('\n'), '{"id":1,"features":[1]}'));

  it("'auto' (default): canonical safe integers as numbers, everything else as strings", () => {
    const written = lines(exportSparkAls(model).users).map((l) => l.id);
    expect(written).toEqual([1, '007', -3, 'anna', '1e3', 9007199254740991, '9007199254740993', '-0', ' 5']);
    expect(exportSparkAls(model, { idType: 'auto' }).users).toBe(exportSparkAls(model).users);
  });

  it("'string': every id as a string, and the ids read back the same", () => {
    const out = exportSparkAls(model, { idType: 'string' });
    expect(lines(out.users).map((l) => l.id)).toEqual(ids);
    expect(out.items).toBe('{"id":"1","features":[1]}\n');
    expect(reimport(out).userIds).toEqual(ids);
  });

  it("'number': integer ids as numbers; any other id is refused, by name, before a line is made", () => {
    const numeric = FactorModel.fromState(importSparkAls('{"id":"5","features":[1]}\n{"id":-7,"features":[2]}', '{"id":"0","features":[1]}'));
    expect(exportSparkAls(numeric, { idType: 'number' })).toMatchObject({ users: '{"id":5,"features":[1]}\n{"id":-7,"features":[2]}\n', items: '{"id":0,"features":[1]}\n' });
    const err = thrownBy(DataError, () => sparkAlsLines(model, { idType: 'number' }));
    expect(err.message).toMatch(/idType 'number' needs integer ids, but user "007" \(row 2\) is not one/);
  });
});

describe('exportSparkAls: what it refuses', () => {
  it('models without user and item factors, naming the kind', () => {
    const ease = new EASE({ reg: 10 });
    ease.fit(positives);
    const popular = new Popular();
    popular.fit(positives);
    const baseline = new Baseline({ epochs: 3 });
    baseline.fit(ratings);
    for (const [model, name] of [[ease, 'EASE'], [popular, 'Popular'], [baseline, 'Baseline']] as const) {
      const err = thrownBy(LatentrecError, () => exportSparkAls(model));
      expect(err.message).toMatch(new RegExp(`^exportSparkAls: a ${name} model has no user and item factors \\(k = 0\\)`));
    }
    expect(() => sparkAlsLinesOfState(popular.toState())).toThrow(/a model of kind 'popular' has no user and item factors/);
  });

  it('a Bayesian FM with the ordinal output (its estimates are not a dot product); without it, exported', () => {
    const ordinal = new BayesianFM({ factors: 2, samples: 20, ordinal: true });
    ordinal.fit(ratings);
    expect(() => exportSparkAls(ordinal)).toThrow(/with the ordinal output estimates expected rating levels/);
    const plain = new BayesianFM({ factors: 2, samples: 20, servingSamples: 2 });
    plain.fit(ratings);
    const state = plain.toState();
    const again = reimport(exportSparkAls(plain));
    // The Bayesian FM's μ is its own (not the training mean): taken from its state.
    expectScores(again, plain, (u, i) => {
      const d = dot(plain.userFactors(u)!, plain.itemFactors(i)!);
      const t = [state.mu, plain.userBias(u)!, plain.itemBias(i)!];
      return { value: d.value + t[0] + t[1] + t[2], size: d.size + t.reduce((s, x) => s + Math.abs(x), 0), terms: 4 + 4 };
    });
  });

  it('an unfitted model, and unknown or invalid options', () => {
    expect(() => exportSparkAls(new SVD())).toThrow(/call fit\(\) before using the model/);
    const als = new ALS({ factors: 2, epochs: 2 });
    als.fit(positives);
    expect(() => exportSparkAls(als, { biases: 'keep' as never })).toThrow(OptionError);
    expect(() => exportSparkAls(als, { idType: 'int' as never })).toThrow(/option idType must be one of number, string, auto/);
    expect(() => exportSparkAls(als, { idtype: 'string' } as never)).toThrow(/idtype/);
  });
});

describe('sparkAlsLines', () => {
  it('gives exportSparkAls line by line, and each generator runs again', () => {
    const svd = new SVD({ factors: 3, epochs: 3 });
    svd.fit(ratings);
    const whole = exportSparkAls(svd);
    const parts = sparkAlsLines(svd);
    expect(parts.rank).toBe(whole.rank);
    const users = [...parts.users()];
    expect(users.every((l) => !l.includes('\n'))).toBe(true);
    expect(users.join('\n') + '\n').toBe(whole.users);
    expect([...parts.items()].join('\n') + '\n').toBe(whole.items);
    expect([...parts.users()]).toEqual(users);
    expect(sparkAlsLinesOfState(svd.toState()).rank).toBe(whole.rank);
  });
});
