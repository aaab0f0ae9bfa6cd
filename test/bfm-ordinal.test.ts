// The Bayesian FM's ordered-probit output: the normal tails it rests on (against published values,
// quadrature and finite differences), the cut-point sampler (it recovers the cut points that made
// the data), and the model (it beats the Gaussian output on ratings made by cut points, serves
// what its curve measured, saves its link, folds in, refuses a continuous scale).
import { describe, expect, it } from 'vitest';
import { BayesianFM, DataError, Dataset, evaluate, FactorModel, holdoutSplit, OptionError } from '../src/index.js';
import { CutpointSampler } from '../src/models/rating/bfm-ordinal.js';
import { erfc, erfcx, intervalLog, normalCdf, truncatedNormal } from '../src/util/normal.js';
import { Random } from '../src/util/random.js';
import { thrownBy } from './helpers.js';

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** ∫_a^b φ by composite Simpson's rule: another way to the probability of an interval. */
function simpson(a: number, b: number, steps = 2000): number {
  const h = (b - a) / steps;
  let s = phi(a) + phi(b);
  for (let j = 1; j < steps; j++) s += (j % 2 ? 4 : 2) * phi(a + j * h);
  return (s * h) / 3;
}

describe('normal tails (util/normal.ts)', () => {
  it('erfc and erfcx match published values to 1e-12', () => {
    // Abramowitz & Stegun table 7.1 and the asymptotic series, to 16 digits.
    const published: [number, number][] = [[0.5, 0.4795001221869535], [1, 0.15729920705028513], [2, 0.004677734981047266], [5, 1.5374597944280349e-12], [-1, 1.8427007929497148], [0, 1]];
    for (const [x, v] of published) expect(Math.abs(erfc(x) / v - 1), `erfc(${x})`).toBeLessThan(1e-12);
    expect(Math.abs(erfcx(10) / 0.05614099274382259 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(erfcx(100) / 0.005641613782989433 - 1)).toBeLessThan(1e-12);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
  });

  it('intervalLog gives log P(a < Z ≤ b) and its derivatives, in the middle and far in the tails', () => {
    const out = new Float64Array(3);
    for (const [a, b] of [[-0.7, 0.4], [0.2, 1.5], [-3, -1.2], [1, 6], [-Infinity, 0.3], [-0.4, Infinity]]) {
      intervalLog(a, b, out);
      const p = simpson(Math.max(a, -12), Math.min(b, 12));
      expect(Math.abs(out[0] - Math.log(p)), `log P(${a}, ${b})`).toBeLessThan(1e-9);
      expect(out[1]).toBeCloseTo(a === -Infinity ? 0 : -phi(a) / p, 9);
      expect(out[2]).toBeCloseTo(b === Infinity ? 0 : phi(b) / p, 9);
    }
    // Far tails, where Φ(b) − Φ(a) is 0 or 1 − 1 in doubles: log Q(x) ≈ −x²/2 − log(x√(2π)) + log(1 − 1/x² + 3/x⁴ − 15/x⁶).
    for (const x of [30, 60]) {
      const asymptotic = -0.5 * x * x - Math.log(x * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / x ** 2 + 3 / x ** 4 - 15 / x ** 6);
      intervalLog(x, Infinity, out);
      expect(Math.abs(out[0] - asymptotic)).toBeLessThan(1e-9);
      intervalLog(-Infinity, -x, out);
      expect(Math.abs(out[0] - asymptotic)).toBeLessThan(1e-9);
      // The derivative against a central difference of the log.
      const h = 1e-5, lo = new Float64Array(3), hi = new Float64Array(3);
      intervalLog(x - h, x + 1, lo);
      intervalLog(x + h, x + 1, hi);
      intervalLog(x, x + 1, out);
      expect(out[1]).toBeCloseTo((hi[0] - lo[0]) / (2 * h), 4);
    }
  });

  it('truncated draws have the truncated normal mean, (φ(a) − φ(b)) / (Φ(b) − Φ(a))', () => {
    const random = new Random(5), n = 20_000;
    for (const [a, b] of [[0.5, 1.7], [-Infinity, -3], [2.5, Infinity], [-0.3, 0.1], [4, 4.5]]) {
      let sum = 0, squares = 0;
      for (let t = 0; t < n; t++) {
        const z = truncatedNormal(random, a, b);
        expect(z > a && z < b).toBe(true);
        sum += z;
        squares += z * z;
      }
      const p = normalCdf(b) - normalCdf(a);
      const mean = ((a === -Infinity ? 0 : phi(a)) - (b === Infinity ? 0 : phi(b))) / p;
      const sd = Math.sqrt(squares / n - (sum / n) ** 2);
      expect(Math.abs(sum / n - mean), `mean on (${a}, ${b})`).toBeLessThan((4 * sd) / Math.sqrt(n) + 1e-12);
    }
  });
});

describe('the cut-point sampler (bfm-ordinal.ts)', () => {
  it('recovers the cut points that made the levels, with the latents integrated out', () => {
    const random = new Random(11), n = 20_000, truth = [-1.2, -0.3, 0.6, 1.5];
    const yhat = new Float64Array(n), levelOf = new Uint8Array(n);
    for (let t = 0; t < n; t++) {
      yhat[t] = random.nextNormal();
      const z = yhat[t] + random.nextNormal();
      levelOf[t] = truth.filter((g) => z > g).length;
    }
    const sampler = new CutpointSampler(levelOf, 5, new Random(3));
    sampler.start(yhat);
    const sum = [0, 0, 0, 0], steps = 200;
    for (let s = 0; s < steps; s++) {
      sampler.step(yhat);
      sampler.gamma.forEach((g, m) => (sum[m] += g / steps));
    }
    // With 20,000 ratings each cut point's posterior sd is about 0.015.
    sum.forEach((g, m) => expect(Math.abs(g - truth[m]), `γ${m}`).toBeLessThan(0.06));
    expect(sampler.accepted / steps).toBeGreaterThan(0.5);
    // The latents fall in their levels' intervals.
    const z = new Float64Array(n);
    sampler.drawLatents(yhat, z);
    for (let t = 0; t < n; t += 97) {
      const c = levelOf[t];
      if (c > 0) expect(z[t]).toBeGreaterThan(sampler.gamma[c - 1]);
      if (c < 4) expect(z[t]).toBeLessThan(sampler.gamma[c]);
    }
  });
});

/**
 * Ratings 1-5 made by cut points from a rank-3 latent score: levels 2 and 4 narrow, 3 wide, so
 * the rating is far from linear in the score (what the Gaussian output assumes).
 */
function probitRatings(seed: number): Dataset {
  const random = new Random(seed), users = 300, items = 200, rank = 3, cut = [-1.6, -1.3, 1.3, 1.6];
  const P = Array.from({ length: users * rank }, () => random.nextNormal(0, 0.8));
  const Q = Array.from({ length: items * rank }, () => random.nextNormal(0, 0.8));
  const triples: [string, string, number][] = [];
  for (let t = 0; t < 12_000; t++) {
    const u = random.nextInt(users), i = random.nextInt(items);
    let z = random.nextNormal(0, 0.5);
    for (let f = 0; f < rank; f++) z += P[u * rank + f] * Q[i * rank + f];
    triples.push([`u${u}`, `i${i}`, 1 + cut.filter((g) => z > g).length]);
  }
  return Dataset.fromTriples(triples);
}

describe('BayesianFM with the ordinal output', () => {
  const { train, test } = holdoutSplit(probitRatings(2), { testRatio: 0.2, seed: 1 });

  it('beats the Gaussian output on ratings made by cut points, and serves what its curve measured', () => {
    const ordinal = new BayesianFM({ ordinal: true, bags: [], samples: 60, seed: 3 });
    const { epochs } = ordinal.fit(train, { validation: test });
    const gaussian = new BayesianFM({ bags: [], samples: 60, seed: 3 });
    gaussian.fit(train);
    const served = evaluate(ordinal, test).rmse;
    expect(served).toBeLessThan(evaluate(gaussian, test).rmse - 0.01);
    // The curve's last point scores the same running mean through the same link (its table to 1e-9).
    expect(served).toBeCloseTo(epochs.at(-1)!.validationRmse!, 4);
    const link = ordinal.toState().link!;
    expect(link.levels).toEqual([1, 2, 3, 4, 5]);
    expect(link.spread).toBeGreaterThanOrEqual(1);
    // Estimates are expected levels: inside the scale without clipping, and recommend ranks by them.
    const estimates = ordinal.predictMany(test);
    expect(Math.min(...estimates)).toBeGreaterThan(1);
    expect(Math.max(...estimates)).toBeLessThan(5);
    const user = test.users.raw[test.userIndex[0]];
    for (const r of ordinal.recommend(user, { n: 5 })) expect(r.score).toBe(ordinal.predict(user, r.item).estimate);
  });

  it('saves its link: the loaded model predicts the same bits, in the same bytes', () => {
    const model = new BayesianFM({ ordinal: true, samples: 20, factors: 4, seed: 1 });
    model.fit(train);
    const bytes = model.save();
    const loaded = FactorModel.load(bytes);
    expect(Buffer.from(loaded.predictMany(test)).equals(Buffer.from(model.predictMany(test)))).toBe(true);
    expect(Buffer.from(loaded.save()).equals(Buffer.from(bytes))).toBe(true);
    // The js engine draws the same chain: the same state (its options name the other engine).
    const js = new BayesianFM({ ordinal: true, samples: 20, factors: 4, seed: 1, engine: 'js' });
    js.fit(train);
    const [a, b] = [js.toState(), model.toState()];
    expect(a.link).toEqual(b.link);
    expect(a.mu).toBe(b.mu);
    for (const name of ['P', 'Q', 'bu', 'bi'] as const) expect(Buffer.from(a[name].buffer).equals(Buffer.from(b[name].buffer)), name).toBe(true);
    // Unknown ids fall back through the link too.
    const fallback = model.predict('nobody', 'nothing');
    expect(fallback.impossible).toBe(true);
    expect(fallback.estimate).toBeGreaterThan(1);
    expect(fallback.estimate).toBeLessThan(5);
  });

  it('folds in a new user on the latent scale: what they rated high is predicted higher', () => {
    const model = new BayesianFM({ ordinal: true, samples: 30, factors: 4, seed: 1 });
    model.fit(train);
    const items = train.items.raw.slice(0, 20);
    const ratings = items.map((item, j): [string, number] => [item, j < 10 ? 5 : 1]);
    model.foldIn(ratings, { user: 'newcomer' });
    const high = items.slice(0, 10).map((i) => model.predict('newcomer', i).estimate);
    const low = items.slice(10).map((i) => model.predict('newcomer', i).estimate);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // By a whole level on average (items keep their own biases: a single pair may go either way).
    expect(mean(high)).toBeGreaterThan(mean(low) + 1);
  });

  it('refuses a continuous scale and a non-boolean option', () => {
    const continuous = Dataset.fromTriples(Array.from({ length: 60 }, (_, t) => [`u${t % 7}`, `i${t % 5}`, 1 + t / 20] as const));
    const message = thrownBy(DataError, () => new BayesianFM({ ordinal: true, samples: 4 }).fit(continuous)).message;
    expect(message).toMatch(/ordinal output \(option ordinal, --ordinal\) needs ratings on a discrete scale of 2 to 20 values; the training ratings take 60 distinct values \(from 1 to 3\.95\): use the Gaussian output$/);
    expect(thrownBy(OptionError, () => new BayesianFM({ ordinal: 'yes' as never })).message).toBe('option ordinal must be true or false (got "yes")');
  });
});
