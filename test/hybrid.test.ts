// The LightFM-style hybrid: its kernel by hand and against its js twin, the identity-only model
// against BPR (the same algorithm computed by another kernel), cold start by attributes, errors,
// and files.
import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset.js';
import { Features } from '../src/data/features.js';
import { createEngine, strideFor, wasmSimdSupported, type Engine, type FeatureSide, type HybridLoss } from '../src/engine/index.js';
import { BPR } from '../src/index.js';
import { FactorModel } from '../src/index.js';
import { Hybrid } from '../src/index.js';
import { MF } from '../src/index.js';
import { auc } from '../src/eval/ranking.js';
import { mulberry32 } from './prng.js';

const engines: Array<[string, () => Engine]> = [
  ['js', () => createEngine('js')],
  ['wasm scalar', () => createEngine('wasm', 'scalar')],
  ...(wasmSimdSupported() ? [['wasm simd', () => createEngine('wasm', 'simd')] as [string, () => Engine]] : []),
];

/** A side with the given CSR rows and embeddings (k floats per feature row), accumulators at 1. */
function side(e: Engine, rows: number[][], weights: number[][], E: number[][], b: number[], k: number): FeatureSide {
  const stride = strideFor(k);
  const start = [0];
  for (const r of rows) start.push(start[start.length - 1] + r.length);
  const u32 = (a: number[]) => { const h = e.allocU32(a.length); h.array().set(a); return h; };
  const f32 = (a: number[]) => { const h = e.allocF32(a.length); h.array().set(a); return h; };
  const Eh = e.allocF32(E.length * stride);
  E.forEach((row, r) => Eh.array().set(row, r * stride));
  const gE = e.allocF32(E.length * stride), gb = e.allocF32(E.length);
  gE.array().fill(1);
  gb.array().fill(1);
  return { features: { start: u32(start), cols: u32(rows.flat()), vals: f32(weights.flat()), rowCount: rows.length }, E: Eh, b: f32(b), gE, gb };
}

describe('hybrid kernel', () => {
  // One user with features {0: 0.5, 1: 0.5}; items 0 (features {0: 1}) and 1 (features {0: 0.5, 1: 0.5}).
  const k = 3;
  const UE = [[0.1, -0.2, 0.3], [0.05, 0.1, -0.1]], ub = [0, 0];
  const IE = [[0.2, 0.1, -0.1], [-0.3, 0.2, 0.1]], ib = [0.2, -0.1];
  const userRows = [[0, 1]], userW = [[0.5, 0.5]];
  const itemRows = [[0], [0, 1]], itemW = [[1], [0.5, 0.5]];
  const lr = 0.05, reg = 0.01;

  /** The expected parameters after one step, in f64, from the formulas in assembly/hybrid.ts. */
  function byHand(loss: HybridLoss, adagrad: boolean, warpWeight: number) {
    const ru = [0, 1, 2].map((c) => 0.5 * UE[0][c] + 0.5 * UE[1][c]);
    const ri = IE[0].slice(), rj = [0, 1, 2].map((c) => 0.5 * IE[0][c] + 0.5 * IE[1][c]);
    const bi = ib[0], bj = 0.5 * ib[0] + 0.5 * ib[1];
    const sPos = bi + ru.reduce((s, v, c) => s + v * ri[c], 0), sNeg = bj + ru.reduce((s, v, c) => s + v * rj[c], 0);
    let dPos: number, dNeg: number;
    if (loss === 'bpr') { const g = 1 / (1 + Math.exp(sPos - sNeg)); dPos = -g; dNeg = g; }
    else if (loss === 'logistic') { dPos = -1 / (1 + Math.exp(sPos)); dNeg = 1 / (1 + Math.exp(-sNeg)); }
    else { dPos = -warpWeight; dNeg = warpWeight; }
    const E = { U: UE.map((r) => r.slice()), I: IE.map((r) => r.slice()) };
    const B = { U: ub.slice(), I: ib.slice() };
    const acc = { U: UE.map(() => [1, 1, 1]), I: IE.map(() => [1, 1, 1]), bU: [1, 1], bI: [1, 1] };
    const stepOne = (x: number, g: number, a: number[], at: number) => {
      const rate = adagrad ? lr / Math.sqrt(a[at]) : lr;
      a[at] += g * g;
      return x - rate * g;
    };
    const descend = (which: 'U' | 'I', cols: number[], w: number[], vec: number[], scale: number, biasGrad: number, bias: boolean) => {
      cols.forEach((col, t) => {
        for (let c = 0; c < k; c++) E[which][col][c] = stepOne(E[which][col][c], w[t] * scale * vec[c] + reg * E[which][col][c], acc[which][col], c);
        if (bias) B[which][col] = stepOne(B[which][col], w[t] * biasGrad + reg * B[which][col], which === 'U' ? acc.bU : acc.bI, col);
      });
    };
    const gu = [0, 1, 2].map((c) => dPos * ri[c] + dNeg * rj[c]);
    descend('I', itemRows[0], itemW[0], ru, dPos, dPos, true);
    descend('I', itemRows[1], itemW[1], ru, dNeg, dNeg, true);
    descend('U', userRows[0], userW[0], gu, 1, dPos + dNeg, loss === 'logistic');
    return { E, B, wrong: loss === 'warp' ? 1 : sNeg >= sPos ? 1 : 0 };
  }

  for (const loss of ['bpr', 'logistic', 'warp'] as const) {
    for (const adagrad of [true, false]) {
      it(`one ${loss} step (${adagrad ? 'adagrad' : 'sgd'}) matches the formulas worked in f64, in every engine`, () => {
        for (const [name, make] of engines) {
          const e = make(), stride = strideFor(k);
          const user = side(e, userRows, userW, UE, ub, k), item = side(e, itemRows, itemW, IE, ib, k);
          const one = (x: number) => { const h = e.allocU32(1); h.array()[0] = x; return h; };
          const weights = e.allocF32(2);
          // WARP: the first draw (item 1) must violate s_uj > s_ui − 1 for the update to happen; it does
          // here since both scores are near 0. Weight of the first draw: set by hand.
          weights.array().set([0.7, 0.3]);
          const seenStart = e.allocU32(2), seenItems = e.allocU32(1);
          seenStart.array().set([0, 1]);
          const scratch = e.allocF32(4 * stride);
          const wrong = e.hybridEpoch({
            loss, users: one(0), positives: one(0), first: 0, count: 1, candidates: one(1), slots: 1, warpWeights: weights,
            seenStart, seenItems, lr, userReg: reg, itemReg: reg, adagrad, scratch,
          }, user, item, stride);
          const want = byHand(loss, adagrad, 0.7);
          expect(wrong, name).toBe(want.wrong);
          for (let r = 0; r < 2; r++) {
            for (let c = 0; c < k; c++) {
              expect(user.E.array()[r * stride + c], `${name} user feature ${r}`).toBeCloseTo(want.E.U[r][c], 6);
              expect(item.E.array()[r * stride + c], `${name} item feature ${r}`).toBeCloseTo(want.E.I[r][c], 6);
            }
            expect(user.b.array()[r]).toBeCloseTo(want.B.U[r], 6);
            expect(item.b.array()[r]).toBeCloseTo(want.B.I[r], 6);
            expect(user.E.array()[r * stride + 3], 'padding lane').toBe(0);
          }
        }
      });
    }
  }

  it('WARP skips a violating draw the user interacted with, and uses the weight of the draw that counts', () => {
    for (const [name, make] of engines) {
      const e = make(), stride = strideFor(k);
      const user = side(e, userRows, userW, UE, ub, k), item = side(e, [[0], [0, 1], [1]], [[1], [0.5, 0.5], [1]], [...IE], ib, k);
      const u32 = (a: number[]) => { const h = e.allocU32(a.length); h.array().set(a); return h; };
      const weights = e.allocF32(2);
      weights.array().set([0.7, 0.3]);
      const before = item.E.array().slice();
      // Draws: item 1 (a positive of the user: skipped), then item 2 (violates: weight of the 2nd draw).
      const wrong = e.hybridEpoch({
        loss: 'warp', users: u32([0]), positives: u32([0]), first: 0, count: 1, candidates: u32([1, 2]), slots: 2, warpWeights: weights,
        seenStart: u32([0, 2]), seenItems: u32([0, 1]), lr, userReg: 0, itemReg: 0, adagrad: false, scratch: e.allocF32(4 * stride),
      }, user, item, stride);
      expect(wrong, name).toBe(1);
      // Item feature 1 belongs to items 1 and 2; only item 2's update (dNeg = 0.3 · r_u) moved it.
      const ru = [0, 1, 2].map((c) => 0.5 * UE[0][c] + 0.5 * UE[1][c]);
      for (let c = 0; c < k; c++) {
        expect(item.E.array()[stride + c], name).toBeCloseTo(before[stride + c] - lr * 0.3 * ru[c], 6);
      }
    }
  });
});

/** Interactions where user u likes the items of genre u % genres; item i has genre i % genres. */
function genreWorld(seed: number, users = 120, items = 150, genres = 5, perUser = 12) {
  const rand = mulberry32(seed);
  const triples: Array<[string, string, number]> = [];
  for (let u = 0; u < users; u++) {
    const liked = new Set<number>();
    while (liked.size < perUser) {
      const i = Math.floor(rand() * items);
      // Mostly the user's genre, some noise.
      if (i % genres === u % genres || rand() < 0.1) liked.add(i);
    }
    for (const i of liked) triples.push([`u${u}`, `i${i}`, 1]);
  }
  const itemFeatures = Features.fromRecords(Array.from({ length: items }, (_, i) => [`i${i}`, [`genre:${i % genres}`]] as const));
  const userFeatures = Features.fromRecords(Array.from({ length: users }, (_, u) => [`u${u}`, [`likes:${u % genres}`]] as const));
  return { triples, itemFeatures, userFeatures, users, items, genres };
}

describe('Hybrid model', () => {
  for (const order of ['shuffle', 'blocked'] as const) {
    it(`with identity features only, plain SGD and the BPR loss, learns what BPR learns (order ${order}: same draws, another kernel)`, () => {
      const w = genreWorld(1);
      const data = Dataset.fromTriples(w.triples);
      // Shuffle: negatives from the whole catalogue; blocked: from the positive's item bin (two bins).
      const common = { factors: 8, epochs: 3, seed: 5, initStd: 0.1, order, ...(order === 'blocked' ? { bins: 2, threads: 1 } : {}) };
      const bpr = new BPR({ ...common, lr: 0.05, reg: 0, regBias: 0 });
      bpr.fit(data);
      const hybrid = new Hybrid({ ...common, loss: 'bpr', lr: 0.05, learningSchedule: 'sgd', userReg: 0, itemReg: 0 });
      hybrid.fit(data);
      let maxDiff = 0;
      for (const u of ['u0', 'u7', 'u33']) {
        const a = bpr.scoreAll(u), b = hybrid.scoreAll(u);
        const order = (ids: readonly string[], s: Float32Array) => new Map(ids.map((id, t) => [id, s[t]]));
        const sa = order(bpr.itemIds, a), sb = order(hybrid.itemIds, b);
        for (const [id, x] of sa) maxDiff = Math.max(maxDiff, Math.abs(x - sb.get(id)!));
      }
      // Different rounding (dot(r_u, r_i) − dot(r_u, r_j) against BPR's dotDiff) only.
      expect(maxDiff).toBeLessThan(1e-4);
    });
  }

  for (const loss of ['warp', 'bpr', 'logistic'] as const) {
    it(`${loss}: wasm and js fit the same model, and it survives save and load`, () => {
      const w = genreWorld(2);
      const data = Dataset.fromTriples(w.triples);
      const fit = (engine: 'wasm' | 'js') => {
        const m = new Hybrid({ loss, factors: 6, epochs: 4, engine });
        m.fit(data, { userFeatures: w.userFeatures, itemFeatures: w.itemFeatures });
        return m;
      };
      const a = fit('wasm'), b = fit('js');
      const loaded = FactorModel.load(a.save());
      for (const u of ['u0', 'u50']) {
        const sa = a.scoreAll(u), sb = b.scoreAll(u);
        for (let t = 0; t < sa.length; t++) expect(Math.abs(sa[t] - sb[t])).toBeLessThan(1e-4);
        expect(loaded.scoreAll(u)).toEqual(sa);
      }
    });
  }

  it('cold start: items held out of training rank by their attributes (AUC well above chance), where MF cannot score them', () => {
    const w = genreWorld(3);
    const cold = new Set(Array.from({ length: w.items }, (_, i) => `i${i}`).filter((_, i) => i % 7 === 0)); // every genre
    const train = Dataset.fromTriples(w.triples.filter(([, i]) => !cold.has(i)));
    const heldOut = w.triples.filter(([, i]) => cold.has(i));
    const model = new Hybrid({ factors: 8, epochs: 20 });
    model.fit(train, { itemFeatures: w.itemFeatures });
    const coldIds = [...cold];
    let sum = 0, users = 0;
    for (let u = 0; u < w.users; u++) {
      const positives = new Set(heldOut.filter(([x]) => x === `u${u}`).map(([, i]) => i));
      if (positives.size === 0 || positives.size === coldIds.length) continue;
      const scores = coldIds.map((i) => model.predict(`u${u}`, i).estimate);
      sum += auc(scores, coldIds.map((_, t) => t), new Set(coldIds.flatMap((i, t) => (positives.has(i) ? [t] : []))));
      users++;
    }
    expect(users).toBeGreaterThan(50);
    expect(sum / users).toBeGreaterThan(0.7);
    // A cold item is known (by its features): predict is not impossible, recommend can return it.
    expect(model.predict('u0', coldIds[0]).impossible).toBe(false);
    const mf = new MF({ factors: 8, epochs: 5 });
    mf.fit(train);
    expect(mf.predict('u0', coldIds[0]).impossible).toBe(true);
  });

  it('addUser / addItem give new ids the vectors of their attributes, and they survive save and load', () => {
    const w = genreWorld(4);
    const model = new Hybrid({ factors: 6, epochs: 5 });
    model.fit(Dataset.fromTriples(w.triples), { userFeatures: w.userFeatures, itemFeatures: w.itemFeatures });
    model.addUser('newcomer', ['likes:2']);
    model.addItem('new-film', [['genre:2', 1]]);
    // The newcomer's vector is exactly the likes:2 embedding (one feature, normalized weight 1):
    // the same as another cold user with the same attribute.
    model.addUser('twin', ['likes:2']);
    expect(model.userFactors('newcomer')).toEqual(model.userFactors('twin'));
    const top = model.recommend('newcomer', { n: 20 }).map((r) => r.item);
    const genreOf = (id: string) => (id === 'new-film' ? 2 : Number(id.slice(1)) % w.genres);
    expect(top.filter((id) => genreOf(id) === 2).length).toBeGreaterThan(10);
    const copy = FactorModel.load(model.save()) as Hybrid;
    expect(copy.predict('newcomer', 'new-film').estimate).toBe(model.predict('newcomer', 'new-film').estimate);
    copy.addUser('late', ['likes:2']);
    expect(copy.userFactors('late')).toEqual(model.userFactors('twin'));
    expect(copy.featureNames.item).toEqual(model.featureNames.item);
  });

  it('says what is missing: no features with identity off, unknown feature names, a user with neither history nor features', () => {
    const w = genreWorld(5);
    const data = Dataset.fromTriples(w.triples);
    const partial = Features.fromRecords([['u0', ['likes:0']]]);
    expect(() => new Hybrid({ userIdentity: false, epochs: 1 }).fit(data, { userFeatures: partial }))
      .toThrow(/user "u1" has interactions but no features, and identity features are off \(userIdentity: false\)/);
    const model = new Hybrid({ factors: 4, epochs: 1 });
    model.fit(data, { userFeatures: w.userFeatures });
    expect(() => model.addUser('x', ['likes:9'])).toThrow(/unknown feature "likes:9"/);
    expect(() => model.addUser('u0', ['likes:1'])).toThrow(/already known/);
    expect(() => model.recommend('stranger')).toThrow(/user "stranger" has neither interactions nor features/);
    const p = model.predict('stranger', 'i1');
    expect(p.impossible).toBe(true);
    expect(p.reason).toMatch(/user "stranger" has neither interactions nor features/);
    // A step far too large blows the embeddings up: the fit stops with the epoch and a hint.
    expect(() => new Hybrid({ loss: 'logistic', learningSchedule: 'sgd', lr: 1e30, factors: 4, epochs: 3 }).fit(data))
      .toThrow(/training diverged at epoch 1: .*lower the learning rate/);
    expect(() => new Hybrid({ loss: 'hinge' as HybridLoss })).toThrow(/option loss must be one of/);
    expect(() => new Hybrid({ maxSampled: 0 })).toThrow(/option maxSampled/);
  });
});
