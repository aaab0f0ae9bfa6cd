// The relation-block Gibbs kernels (assembly/bfm-blocks.ts) against a factorization machine
// written out plainly over every rating's whole feature vector (what the blocks avoid: O(ratings
// x bag size)), and against their js twin bit for bit; then the Bayesian FM with bags.
import { describe, expect, it } from 'vitest';
import { BayesianFM, createEngine, Dataset, generateRatings, holdoutSplit, evaluate, type Engine } from '../src/index.js';
import { copyF64, copyU32, type BfmBlock, type BfmGroupPrior, type F64 } from '../src/engine/index.js';
import { Random } from '../src/util/random.js';

interface Problem {
  n: number;
  k: number;
  blocks: BfmBlock[];
  prior: BfmGroupPrior;
  e: F64;
  /** Each block's rows as plain [feature, value] lists. */
  rows: Array<Array<Array<[number, number]>>>;
}

/** Two blocks (rows 7 and 5; features 12 and 9 in 2 groups each) over n ratings, random values. */
function makeProblem(engine: Engine, seed: number, k = 3, n = 40): Problem {
  const random = new Random(seed);
  const specs = [{ R: 7, F: 12 }, { R: 5, F: 9 }];
  const rows: Problem['rows'] = [];
  const blocks = specs.map(({ R, F }, b) => {
    const entries: Array<Array<[number, number]>> = [];
    for (let r = 0; r < R; r++) {
      const row: Array<[number, number]> = [[r, 1]]; // an id feature, as the model's blocks have
      for (let j = R; j < F; j++) if (random.nextFloat() < 0.4) row.push([j, random.nextFloat() + 0.2]);
      entries.push(row);
    }
    rows.push(entries);
    const rowOf = Uint32Array.from({ length: n }, (_, t) => (t < R ? t : random.nextInt(R)));
    const flat = entries.flat();
    const rowStart = new Uint32Array(R + 1);
    entries.forEach((row, r) => (rowStart[r + 1] = rowStart[r] + row.length));
    const colStart = new Uint32Array(F + 1);
    const colRows: number[] = [], colVals: number[] = [];
    for (let j = 0; j < F; j++) {
      entries.forEach((row, r) => row.forEach(([c, x]) => c === j && (colRows.push(r), colVals.push(x))));
      colStart[j + 1] = colRows.length;
    }
    const slots = Array.from({ length: n }, (_, t) => t).sort((a, b) => rowOf[a] - rowOf[b] || a - b);
    const ratingStart = new Uint32Array(R + 1);
    for (const r of rowOf) ratingStart[r + 1]++;
    for (let r = 0; r < R; r++) ratingStart[r + 1] += ratingStart[r];
    const u32 = (a: ArrayLike<number>) => copyU32(engine, a), f64 = (a: ArrayLike<number>) => copyF64(engine, a);
    return {
      rowOf: u32(rowOf), rowCount: R, ratingStart: u32(ratingStart), slots: u32(slots), rowStart: u32(rowStart), rowCols: u32(flat.map(([c]) => c)), rowVals: f64(flat.map(([, x]) => x)),
      featureCount: F, colStart: u32(colStart), colRows: u32(colRows), colVals: f64(colVals),
      group: u32(Array.from({ length: F }, (_, j) => 2 * b + (j < R ? 0 : 1))),
      W: f64(Array.from({ length: F }, () => random.nextNormal(0, 0.3))), V: f64(Array.from({ length: F * k }, () => random.nextNormal(0, 0.5))),
      lin: engine.allocF64(R), q: engine.allocF64(k * R), self: engine.allocF64(R),
    };
  });
  const G = 4;
  const prior = {
    muW: engineF64(engine, Array.from({ length: G }, () => random.nextNormal(0, 0.1))),
    lambdaW: engineF64(engine, Array.from({ length: G }, () => 1 + 3 * random.nextFloat())),
    muV: engineF64(engine, Array.from({ length: G * k }, () => random.nextNormal(0, 0.1))),
    lambdaV: engineF64(engine, Array.from({ length: G * k }, () => 1 + 3 * random.nextFloat())),
  };
  const e = engineF64(engine, Array.from({ length: n }, () => random.nextNormal(0, 1)));
  return { n, k, blocks, prior, e, rows };
}

const engineF64 = (engine: Engine, values: number[]): F64 => copyF64(engine, values);

/** Rating t's whole feature vector: [block, feature, value] over both blocks. */
function features(p: Problem, t: number): Array<[number, number, number]> {
  return p.blocks.flatMap((b, bi) => p.rows[bi][b.rowOf.array()[t]].map(([j, x]) => [bi, j, x] as [number, number, number]));
}

/** The FM's prediction of rating t from the whole feature vector. */
function plainPredict(p: Problem, t: number, w0: number): number {
  const x = features(p, t);
  let y = w0;
  for (const [b, j, v] of x) y += v * p.blocks[b].W.array()[j];
  for (let f = 0; f < p.k; f++) {
    let s = 0, ss = 0;
    for (const [b, j, v] of x) {
      const a = v * p.blocks[b].V.array()[j * p.k + f];
      s += a;
      ss += a * a;
    }
    y += 0.5 * (s * s - ss);
  }
  return y;
}

/** Factor f of every feature of block `bi`, one coordinate at a time over every rating holding it. */
function plainDrawFactor(p: Problem, bi: number, f: number, alpha: number, z: number[]): { V: number[]; e: number[] } {
  const b = p.blocks[bi], k = p.k;
  const V = p.blocks.map((x) => Array.from(x.V.array()));
  const e = Array.from(p.e.array());
  for (let j = 0; j < b.featureCount; j++) {
    const h: number[] = [], ts: number[] = [];
    for (let t = 0; t < p.n; t++) {
      const x = features(p, t);
      const own = x.find(([bb, jj]) => bb === bi && jj === j);
      if (!own) continue;
      let q = 0;
      for (const [bb, jj, v] of x) q += v * V[bb][jj * k + f];
      h.push(own[2] * (q - own[2] * V[bi][j * k + f]));
      ts.push(t);
    }
    const v = V[bi][j * k + f];
    const g = b.group.array()[j] * k + f;
    const lambda = p.prior.lambdaV.array()[g], mu = p.prior.muV.array()[g];
    const s2 = h.reduce((s, x) => s + x * x, 0);
    const prec = alpha * s2 + lambda;
    const mean = (alpha * h.reduce((s, x, i) => s + (e[ts[i]] + v * x) * x, 0) + lambda * mu) / prec;
    const next = mean + z[j] / Math.sqrt(prec);
    ts.forEach((t, i) => (e[t] += (v - next) * h[i]));
    V[bi][j * k + f] = next;
  }
  return { V: V[bi], e };
}

/** Every linear term of block `bi`, the same way (h = x). */
function plainDrawLinear(p: Problem, bi: number, alpha: number, z: number[]): { W: number[]; e: number[] } {
  const b = p.blocks[bi];
  const W = Array.from(b.W.array());
  const e = Array.from(p.e.array());
  const rowOf = b.rowOf.array();
  for (let j = 0; j < b.featureCount; j++) {
    const h: number[] = [], ts: number[] = [];
    for (let t = 0; t < p.n; t++) {
      const own = p.rows[bi][rowOf[t]].find(([jj]) => jj === j);
      if (own) {
        h.push(own[1]);
        ts.push(t);
      }
    }
    const g = b.group.array()[j];
    const lambda = p.prior.lambdaW.array()[g], mu = p.prior.muW.array()[g];
    const s2 = h.reduce((s, x) => s + x * x, 0);
    const prec = alpha * s2 + lambda;
    const mean = (alpha * h.reduce((s, x, i) => s + (e[ts[i]] + W[j] * x) * x, 0) + lambda * mu) / prec;
    const next = mean + z[j] / Math.sqrt(prec);
    ts.forEach((t, i) => (e[t] += (W[j] - next) * h[i]));
    W[j] = next;
  }
  return { W, e };
}

const normals = (engine: Engine, count: number, seed: number) => {
  const random = new Random(seed);
  return engineF64(engine, Array.from({ length: count }, () => random.nextNormal()));
};

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let t = 0; t < expected.length; t++) expect(Math.abs(actual[t] - expected[t])).toBeLessThan(tolerance * (1 + Math.abs(expected[t])));
}

describe('relation-block kernels (assembly/bfm-blocks.ts)', () => {
  for (const engineName of ['wasm', 'js'] as const) {
    it(`${engineName}: row sums and predictions are the FM's over each rating's whole feature vector`, () => {
      const engine = createEngine(engineName);
      const p = makeProblem(engine, 1);
      for (const b of p.blocks) engine.bfmRowSums(b, p.k);
      const out = engine.allocF64(p.n);
      engine.bfmPredict(p.blocks, p.k, p.n, 0.7, out);
      expectClose(out.array(), Array.from({ length: p.n }, (_, t) => plainPredict(p, t, 0.7)), 1e-12);
    });

    it(`${engineName}: a block's factor draws equal coordinate-wise Gibbs over every rating (caches C, CS, E, EQ)`, () => {
      const engine = createEngine(engineName);
      for (const [bi, f] of [[0, 0], [1, 2], [0, 1]]) {
        const p = makeProblem(engine, 2 + bi + f);
        const z = normals(engine, p.blocks[bi].featureCount, 5);
        const expected = plainDrawFactor(p, bi, f, 1.7, Array.from(z.array()));
        for (const b of p.blocks) engine.bfmRowSums(b, p.k);
        const qsum = engine.allocF64(p.n);
        engine.bfmGatherQ(p.blocks, f, p.n, qsum);
        engine.bfmDrawFactor(p.blocks[bi], p.k, f, qsum, p.e, 1.7, p.prior, z, engine.allocF64(8 * p.blocks[bi].rowCount));
        expectClose(p.blocks[bi].V.array(), expected.V, 1e-10);
        expectClose(p.e.array(), expected.e, 1e-10);
        // The kernel keeps q and qsum current: they equal sums made afresh from the new factors.
        const q = p.blocks[bi].q.array().slice();
        const fresh = qsum.array().slice();
        for (const b of p.blocks) engine.bfmRowSums(b, p.k);
        engine.bfmGatherQ(p.blocks, f, p.n, qsum);
        expectClose(q, p.blocks[bi].q.array(), 1e-12);
        expectClose(fresh, qsum.array(), 1e-12);
      }
    });

    it(`${engineName}: a block's linear draws equal coordinate-wise Gibbs over every rating`, () => {
      const engine = createEngine(engineName);
      for (const bi of [0, 1]) {
        const p = makeProblem(engine, 7 + bi);
        const z = normals(engine, p.blocks[bi].featureCount, 6);
        const expected = plainDrawLinear(p, bi, 0.8, Array.from(z.array()));
        engine.bfmDrawLinear(p.blocks[bi], p.e, 0.8, p.prior, z, engine.allocF64(8 * p.blocks[bi].rowCount));
        expectClose(p.blocks[bi].W.array(), expected.W, 1e-10);
        expectClose(p.e.array(), expected.e, 1e-10);
      }
    });
  }

  it('the wasm builds and the js twin agree bit for bit', () => {
    const run = (engine: Engine) => {
      const p = makeProblem(engine, 11, 6, 300);
      const qsum = engine.allocF64(p.n), out = engine.allocF64(p.n);
      for (let f = 0; f < p.k; f++) {
        for (const b of p.blocks) engine.bfmRowSums(b, p.k);
        engine.bfmGatherQ(p.blocks, f, p.n, qsum);
        for (const b of p.blocks) {
          engine.bfmDrawLinear(b, p.e, 1.3, p.prior, normals(engine, b.featureCount, 20 + f), engine.allocF64(8 * b.rowCount));
          engine.bfmDrawFactor(b, p.k, f, qsum, p.e, 1.3, p.prior, normals(engine, b.featureCount, 40 + f), engine.allocF64(8 * b.rowCount));
        }
      }
      engine.bfmPredict(p.blocks, p.k, p.n, 0.1, out);
      return [p.e, out, ...p.blocks.flatMap((b) => [b.W, b.V, b.q])].map((h) => Array.from(h.array()));
    };
    const js = run(createEngine('js'));
    for (const variant of ['simd', 'scalar'] as const) expect(run(createEngine('wasm', variant))).toEqual(js);
  });
});

describe('BayesianFM with bags (the relation-block sampler)', () => {
  const data = generateRatings({ users: 60, items: 40, ratings: 800, minPerUser: 5, seed: 4 });
  const { train, test } = holdoutSplit(data, { testRatio: 0.2, seed: 3 });

  it('fits the same model on the wasm and js engines', () => {
    const fit = (engine: 'wasm' | 'js') => {
      const m = new BayesianFM({ factors: 3, samples: 12, bags: ['user', 'item'], seed: 2, engine });
      m.fit(train);
      return [...test.users.raw].map((u) => Array.from(m.scoreAll(u)));
    };
    expect(fit('wasm')).toEqual(fit('js'));
  });

  it('serves the posterior mean its learning curve reports', () => {
    const m = new BayesianFM({ factors: 3, samples: 30, burnIn: 5, bags: ['user', 'item'], seed: 2 });
    const result = m.fit(train, { validation: test });
    const last = result.epochs[result.epochs.length - 1];
    expect(evaluate(m, test).rmse).toBeCloseTo(last.validationRmse!, 5);
  });

  it('refuses bags it does not know, naming the option', () => {
    expect(() => new BayesianFM({ bags: ['users'] as never })).toThrow(/bags.*'user', 'item'/);
    expect(() => new BayesianFM({ bags: ['user', 'user'] })).toThrow(/bags/);
    expect(() => new BayesianFM({ bags: 'user' as never })).toThrow(/bags/);
  });

  it('a dataset with an empty bag row still fits (a user whose only rating was held out)', () => {
    const d = Dataset.fromTriples([['a', 'x', 4], ['a', 'y', 3], ['b', 'x', 5], ['c', 'y', 1]]);
    const m = new BayesianFM({ factors: 2, samples: 6, bags: ['user', 'item'], seed: 1 });
    m.fit(d);
    expect(Number.isFinite(m.predict('a', 'y').estimate)).toBe(true);
  });
});
