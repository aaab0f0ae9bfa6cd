// Every kernel variant against its js twin, including factor counts that are not multiples of 4
// and users/items without ratings; and the kernels against a plain f64 reference.
import { describe, expect, it } from 'vitest';
import { createEngine, strideFor, wasmVariants, type Engine, type FactorBlock, type RatingsBlock } from '../src/engine/index.js';
import { Random } from '../src/util/random.js';

// Every wasm build this runtime runs (Node 20: simd and scalar; with --execArgv=--experimental-wasm-relaxed-simd
// relaxed too). test/engine-variants.test.ts covers relaxed in a child process and in Chromium.
const variants: { name: string; make: () => Engine }[] = wasmVariants().map((variant) => ({
  name: `wasm ${variant}`, make: () => createEngine('wasm', variant),
}));

interface Problem {
  users: Uint32Array;
  items: Uint32Array;
  values: Float32Array;
  userCount: number;
  itemCount: number;
  k: number;
  P: Float32Array;
  Q: Float32Array;
}

/** Random ratings where the last user and the last item never occur (empty rows). */
function problem(k: number, n: number, seed: number): Problem {
  const random = new Random(seed);
  const userCount = 30, itemCount = 20, stride = strideFor(k);
  const users = Uint32Array.from({ length: n }, () => random.nextInt(userCount - 1));
  const items = Uint32Array.from({ length: n }, () => random.nextInt(itemCount - 1));
  const values = Float32Array.from({ length: n }, () => 1 + random.nextInt(5));
  const P = new Float32Array(userCount * stride);
  const Q = new Float32Array(itemCount * stride);
  for (let r = 0; r < userCount; r++) for (let f = 0; f < k; f++) P[r * stride + f] = random.nextNormal(0, 0.1);
  for (let r = 0; r < itemCount; r++) for (let f = 0; f < k; f++) Q[r * stride + f] = random.nextNormal(0, 0.1);
  return { users, items, values, userCount, itemCount, k, P, Q };
}

function load(engine: Engine, p: Problem): { r: RatingsBlock; f: FactorBlock } {
  const n = p.users.length;
  const r: RatingsBlock = { users: engine.allocU32(n), items: engine.allocU32(n), values: engine.allocF32(n), count: n };
  r.users.array().set(p.users);
  r.items.array().set(p.items);
  r.values.array().set(p.values);
  const f: FactorBlock = {
    P: engine.allocF32(p.P.length), Q: engine.allocF32(p.Q.length),
    bu: engine.allocF32(p.userCount), bi: engine.allocF32(p.itemCount), stride: strideFor(p.k),
  };
  f.P.array().set(p.P);
  f.Q.array().set(p.Q);
  return { r, f };
}

const rates = { mu: 3.5, lrBu: 0.01, lrBi: 0.02, lrPu: 0.03, lrQi: 0.015, regBu: 0.02, regBi: 0.05, regPu: 0.04, regQi: 0.03 };

describe.each(variants)('$name kernels against the js engine', ({ make }) => {
  it.each([1, 3, 4, 5, 13, 32, 100])('biased and plain SGD epochs agree at k=%i', (k) => {
    const p = problem(k, 600, k);
    for (const kind of ['sgdEpochBiased', 'sgdEpochPlain'] as const) {
      const wasm = make(), js = createEngine('js');
      const a = load(wasm, p), b = load(js, p);
      for (let epoch = 0; epoch < 3; epoch++) {
        const sa = wasm[kind](a.r, a.f, rates);
        const sb = js[kind](b.r, b.f, rates);
        expect(Math.abs(sa - sb)).toBeLessThanOrEqual(1e-6 * sb);
      }
      for (const key of ['P', 'Q', 'bu', 'bi'] as const) {
        const x = a.f[key].array(), y = b.f[key].array();
        for (let t = 0; t < y.length; t++) expect(Math.abs(x[t] - y[t])).toBeLessThanOrEqual(1e-6);
      }
      // Padding lanes stay zero, and rows without ratings are untouched.
      const stride = strideFor(k), P = a.f.P.array();
      for (let u = 0; u < p.userCount; u++) for (let f = k; f < stride; f++) expect(P[u * stride + f]).toBe(0);
      const last = (p.userCount - 1) * stride;
      expect(Array.from(P.subarray(last, last + k))).toEqual(Array.from(p.P.subarray(last, last + k)));
    }
  });

  it('predictPairs and scoreItems agree with the js engine', () => {
    const p = problem(13, 200, 7);
    const wasm = make(), js = createEngine('js');
    const a = load(wasm, p), b = load(js, p);
    wasm.sgdEpochBiased(a.r, a.f, rates);
    js.sgdEpochBiased(b.r, b.f, rates);
    const outA = wasm.allocF32(200), outB = js.allocF32(200);
    wasm.predictPairs(a.r.users, a.r.items, 200, a.f, 3.5, 1, 5, outA);
    js.predictPairs(b.r.users, b.r.items, 200, b.f, 3.5, 1, 5, outB);
    for (let t = 0; t < 200; t++) expect(outA.array()[t]).toBeCloseTo(outB.array()[t], 5);
    const sA = wasm.allocF32(p.itemCount), sB = js.allocF32(p.itemCount);
    wasm.scoreItems(4, a.f, p.itemCount, 0.25, sA);
    js.scoreItems(4, b.f, p.itemCount, 0.25, sB);
    for (let i = 0; i < p.itemCount; i++) expect(sA.array()[i]).toBeCloseTo(sB.array()[i], 5);
  });
});

describe('kernels against a plain f64 reference', () => {
  for (const engine of [...variants.map((v) => v.make), () => createEngine('js')]) {
    const e = engine();
    it(`${e.name}/${e.variant}: one biased update by hand`, () => {
      // One rating, k = 5 (padded to 8): the update rules of Surprise's SVD, computed in f64.
      const k = 5, stride = strideFor(k);
      const p = [0.1, -0.2, 0.3, 0.05, -0.1], q = [0.2, 0.1, -0.1, 0.4, 0.3];
      const f: FactorBlock = { P: e.allocF32(stride), Q: e.allocF32(stride), bu: e.allocF32(1), bi: e.allocF32(1), stride };
      f.P.array().set(p);
      f.Q.array().set(q);
      f.bu.array()[0] = 0.2;
      f.bi.array()[0] = -0.1;
      const r: RatingsBlock = { users: e.allocU32(1), items: e.allocU32(1), values: e.allocF32(1), count: 1 };
      r.values.array()[0] = 4;
      const sse = e.sgdEpochBiased(r, f, rates);
      const dot = p.reduce((s, x, j) => s + x * q[j], 0);
      const err = 4 - (3.5 + 0.2 - 0.1 + dot);
      expect(sse).toBeCloseTo(err * err, 6);
      expect(f.bu.array()[0]).toBeCloseTo(0.2 + rates.lrBu * (err - rates.regBu * 0.2), 6);
      expect(f.bi.array()[0]).toBeCloseTo(-0.1 + rates.lrBi * (err - rates.regBi * -0.1), 6);
      for (let j = 0; j < k; j++) {
        expect(f.P.array()[j]).toBeCloseTo(p[j] + rates.lrPu * (err * q[j] - rates.regPu * p[j]), 6);
        expect(f.Q.array()[j]).toBeCloseTo(q[j] + rates.lrQi * (err * p[j] - rates.regQi * q[j]), 6);
      }
    });
  }
});

describe('wasm memory', () => {
  it('keeps data when memory grows and views are re-made', () => {
    const e = createEngine('wasm');
    const a = e.allocF32(10);
    a.array().set([1, 2, 3]);
    const before = a.array();
    const big = e.allocF32(1_000_000); // forces memory.grow, detaching the old buffer
    expect(big.length).toBe(1_000_000);
    expect(before.length).toBe(0); // detached
    expect(Array.from(a.array().subarray(0, 3))).toEqual([1, 2, 3]);
  });
});

describe('scratch memory', () => {
  it('repeated scoring calls reuse memory instead of growing it', async () => {
    const { SVD } = await import('../src/index.js');
    const { generateRatings } = await import('../src/data/generate.js');
    const { WasmEngine } = await import('../src/engine/wasm-engine.js');
    const data = generateRatings({ users: 100, items: 80, ratings: 2000, minPerUser: 5 });
    const model = new SVD({ factors: 8, epochs: 2 });
    model.fit(data);
    const engine = (model as unknown as { trained: { engine: InstanceType<typeof WasmEngine> } }).trained.engine;
    const first = model.predictMany(data);
    model.recommend(data.users.raw[0]);
    const used = engine.bytesAllocated;
    for (let t = 0; t < 50; t++) {
      expect(Array.from(model.predictMany(data))).toEqual(Array.from(first));
      model.recommend(data.users.raw[t]);
    }
    expect(engine.bytesAllocated).toBe(used);
  });
});

describe('sparse x dense kernels', () => {
  const random = new Random(12);
  const rows = 9, cols = 7, l = 6, stride = strideFor(l);
  // CSR with some empty rows; dense reference in f64.
  const start = new Uint32Array(rows + 1), colIdx: number[] = [], vals: number[] = [];
  const dense = Array.from({ length: rows }, () => new Array(cols).fill(0));
  for (let r = 0; r < rows; r++) {
    if (r % 4 !== 3) {
      for (let c = 0; c < cols; c++) {
        if (random.nextFloat() < 0.4) {
          const v = random.nextNormal();
          colIdx.push(c);
          vals.push(v);
          dense[r][c] = v;
        }
      }
    }
    start[r + 1] = colIdx.length;
  }
  const X = Array.from({ length: cols }, () => Array.from({ length: l }, () => random.nextNormal()));
  const Yd = Array.from({ length: rows }, () => Array.from({ length: l }, () => random.nextNormal()));

  for (const make of [...variants.map((v) => v.make), () => createEngine('js')]) {
    const e = make();
    it(`${e.name}/${e.variant}: A·X and Aᵀ·Y equal the dense products`, () => {
      const a = { start: e.allocU32(rows + 1), cols: e.allocU32(colIdx.length), vals: e.allocF32(vals.length), rowCount: rows };
      a.start.array().set(start);
      a.cols.array().set(colIdx);
      a.vals.array().set(vals);
      const x = e.allocF32(cols * stride), y = e.allocF32(rows * stride), z = e.allocF32(cols * stride), yIn = e.allocF32(rows * stride);
      X.forEach((row, c) => x.array().set(row, c * stride));
      Yd.forEach((row, r) => yIn.array().set(row, r * stride));
      y.array().fill(7); // overwritten
      z.array().fill(7); // zeroed first
      e.sparseTimesDense(a, x, y, stride);
      e.sparseTransposeTimesDense(a, yIn, z, stride);
      for (let r = 0; r < rows; r++) {
        for (let f = 0; f < l; f++) {
          const want = dense[r].reduce((s, v, c) => s + v * X[c][f], 0);
          expect(y.array()[r * stride + f]).toBeCloseTo(want, 4);
        }
      }
      for (let c = 0; c < cols; c++) {
        for (let f = 0; f < l; f++) {
          const want = dense.reduce((s, row, r) => s + row[c] * Yd[r][f], 0);
          expect(z.array()[c * stride + f]).toBeCloseTo(want, 4);
        }
      }
    });
  }
});
