// iALS (Rendle et al. 2021): the exact row-solve kernel against ml-matrix in both forms (iALS and
// Hu–Koren–Volinsky) with the js twin's bits on every build, the documented mapping between the
// two forms, the objective falling every epoch (each half-step is an exact minimization), and the
// fold-in solving the training equation.
import { describe, expect, it } from 'vitest';
import { createEngine, strideFor, wasmSimdSupported, type Engine, type ExactRowSolve } from '../src/engine/index.js';
import { ALS, Dataset, IALS, OptionError } from '../src/index.js';
import { mulberry32 } from './prng.js';

const ENGINES: (() => Engine)[] = [
  () => createEngine('js'),
  () => createEngine('wasm', 'scalar'),
  ...(wasmSimdSupported() ? [() => createEngine('wasm', 'simd')] : []),
];

/** One row (the items `items` with values `values`) solved against random Y in `e`; the solution. */
function solveRow(e: Engine, k: number, Yrows: number[][], items: number[], values: number[], form: { a: number; w0: number; alpha: number }, lambda: number): Float32Array {
  const stride = strideFor(k), m = (k + 1) & ~1, n = Yrows.length;
  const Y = e.allocF32(n * stride), X = e.allocF32(stride), gram = e.allocF32(k * stride);
  Yrows.forEach((row, i) => Y.array().set(row, i * stride));
  e.gramian(Y, n, stride, k, gram);
  const rows = { start: e.allocU32(2), cols: e.allocU32(items.length), vals: e.allocF32(items.length), rowCount: 1 };
  rows.start.array().set([0, items.length]);
  rows.cols.array().set(items);
  rows.vals.array().set(values);
  const lambdas = e.allocF64(1);
  lambdas.array()[0] = lambda;
  const solve: ExactRowSolve = { rows, first: 0, end: 1, ...form };
  expect(e.alsExactRows(solve, X, Y, gram, stride, k, lambdas, e.allocF64(k * m), e.allocF64(4 * m), e.allocF64(m))).toBe(0);
  return X.array().slice(0, k);
}

describe('alsExactRows', () => {
  const rand = mulberry32(11), k = 9, n = 40;
  const Yrows = Array.from({ length: n }, () => Array.from({ length: k }, () => rand() - 0.5));
  const items = [2, 5, 11, 17, 30, 39], values = [1, 3, 1, 2, 5, 1];

  it('solves (a·YᵀY + Σ (w0 + alpha·r) y yᵀ + λI) x = Σ (1 + alpha·r) y as ml-matrix does, in both forms; every build gives the js bits', async () => {
    const { Matrix, solve } = await import('ml-matrix');
    for (const form of [{ a: 0.3, w0: 1, alpha: 0 }, { a: 1, w0: 0, alpha: 2 }]) {
      const Y = new Matrix(Yrows.map((r) => r.map(Math.fround)));
      const A = Y.transpose().mmul(Y).mul(form.a).add(Matrix.eye(k).mul(0.7));
      const b = Matrix.zeros(k, 1);
      items.forEach((i, t) => {
        const y = Matrix.columnVector(Y.getRow(i));
        A.add(y.mmul(y.transpose()).mul(form.w0 + form.alpha * values[t]));
        b.add(y.mul(1 + form.alpha * values[t]));
      });
      const want = solve(A, b).to1DArray();
      const results = ENGINES.map((make) => solveRow(make(), k, Yrows, items, values, form, 0.7));
      for (let f = 0; f < k; f++) expect(results[0][f]).toBeCloseTo(want[f], 5);
      for (const r of results.slice(1)) expect(Array.from(r)).toEqual(Array.from(results[0]));
    }
  });

  it('maps as documented: for binary data, HKV with alpha = 1/α0 and λ/α0 gives (1 + α0) times the iALS row', () => {
    const e = createEngine('js'), ones = items.map(() => 1), alpha0 = 0.25, lambda = 0.6;
    const ials = solveRow(e, k, Yrows, items, ones, { a: alpha0, w0: 1, alpha: 0 }, lambda);
    const hkv = solveRow(e, k, Yrows, items, ones, { a: 1, w0: 0, alpha: 1 / alpha0 }, lambda / alpha0);
    for (let f = 0; f < k; f++) expect(hkv[f]).toBeCloseTo((1 + alpha0) * ials[f], 5);
  });
});

/** Interactions with a planted low-rank structure: 120 users, 60 items. */
function interactions(seed: number): Dataset {
  const rand = mulberry32(seed), triples: [string, string, number][] = [];
  for (let u = 0; u < 120; u++) {
    for (let i = 0; i < 60; i++) if (rand() < ((u % 3) === (i % 3) ? 0.35 : 0.05)) triples.push([`u${u}`, `i${i}`, 1]);
  }
  return Dataset.fromTriples(triples);
}

describe('IALS', () => {
  it('lowers its objective every epoch, on both engines alike (exact alternating minimization)', () => {
    const data = interactions(4);
    const runs = (['wasm', 'js'] as const).map((engine) => new IALS({ factors: 8, epochs: 6, reg: 0.01, alpha0: 0.2, engine }).fit(data).epochs.map((e) => e.loss.value));
    for (const losses of runs) for (let t = 1; t < losses.length; t++) expect(losses[t], `epoch ${t + 1}`).toBeLessThanOrEqual(losses[t - 1] * (1 + 1e-6));
    for (let t = 0; t < runs[0].length; t++) expect(runs[0][t]).toBeCloseTo(runs[1][t], 6);
  });

  it('folds a new user in by the training equation: (α0 HᵀH + Σ h hᵀ + λ(n + α0·|I|)^ν I) w = Σ h (ml-matrix)', async () => {
    const { Matrix, solve } = await import('ml-matrix');
    const model = new IALS({ factors: 6, epochs: 4, reg: 0.02, alpha0: 0.3, nu: 1 });
    model.fit(interactions(5));
    const history = ['i1', 'i4', 'i7', 'i22'];
    const user = model.foldIn(history.map((i) => [i, 1] as [string, number]));
    const H = new Matrix(model.itemIds.map((i) => Array.from(model.itemFactors(i)!)));
    const A = H.transpose().mmul(H).mul(0.3).add(Matrix.eye(6).mul(0.02 * (history.length + 0.3 * model.itemIds.length)));
    const b = Matrix.zeros(6, 1);
    for (const i of history) {
      const h = Matrix.columnVector(Array.from(model.itemFactors(i)!));
      A.add(h.mmul(h.transpose()));
      b.add(h);
    }
    const want = solve(A, b).to1DArray(), got = model.userFactors(user)!;
    for (let f = 0; f < 6; f++) expect(got[f]).toBeCloseTo(want[f], 5);
  });

  it('starts from N(0, (0.1/√d)²) by default and refuses bad options naming them', () => {
    expect(new IALS({ factors: 64 }).options.initStd).toBeCloseTo(0.1 / 8, 12);
    expect(() => new IALS({ alpha0: -1 })).toThrow(OptionError);
    expect(() => new IALS({ nu: -0.5 })).toThrow(/nu/);
    expect(() => new IALS({ reg: 0 })).toThrow(/reg/);
  });
});

describe('ALS row solves in ranges of rows (one kernel call each)', () => {
  it('give the js twin\'s bits, residuals included, with more rows than one call takes (512)', () => {
    const rand = mulberry32(8), triples: [string, string, number][] = [];
    for (let u = 0; u < 1300; u++) for (let t = 0; t < 4; t++) triples.push([`u${u}`, `i${Math.floor(rand() * 90)}`, 1]);
    const data = Dataset.fromTriples(triples);
    const fits = (['js', 'simd', 'scalar'] as const).map((v) => {
      const model = new ALS({ factors: 5, epochs: 2, ...(v === 'js' ? { engine: 'js' as const } : { wasmVariant: v }) });
      return { losses: model.fit(data).epochs.map((e) => e.loss.value), factors: Array.from(model.userFactors('u1299')!) };
    });
    for (const f of fits.slice(1)) expect(f).toEqual(fits[0]);
  });
});
