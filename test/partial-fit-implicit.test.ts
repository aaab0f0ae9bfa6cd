// partialFit of the implicit models (issue 18): BPR continues its SGD from the current factors on
// the new interactions (LightFM's fit_partial); ALS re-solves the rows the new data touches —
// its users against every item, its new items against every user — from their current values
// (implicit's partial_fit_users / partial_fit_items). Rows the data does not touch keep their
// bits. The ALS rows are checked against solutions computed another way: the model's exact
// fold-in for a user, a dense ridge solve (ml-matrix) for a new item.
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { ALS, BPR, Dataset, EASE, Features, generateRatings, Hybrid, IALS, LatentrecError, Random, toImplicit, FactorModel } from '../src/index.js';

const base = toImplicit(generateRatings({ users: 80, items: 60, ratings: 1600, minPerUser: 6, seed: 21 }), { threshold: 4 });

/** Rows of `user` in `d`, as (item, value) pairs. */
function historyOf(d: Dataset, user: string): [string, number][] {
  const out: [string, number][] = [];
  for (let t = 0; t < d.size; t++) if (d.users.raw[d.userIndex[t]] === user) out.push([d.items.raw[d.itemIndex[t]], d.ratings[t]]);
  return out;
}

function rows(model: FactorModel, ids: readonly string[], side: 'user' | 'item'): Float32Array[] {
  return ids.map((id) => Float32Array.from(side === 'user' ? model.userFactors(id)! : model.itemFactors(id)!));
}

describe('BPR.partialFit', () => {
  it('learns a new user from their interactions and leaves rows it never sampled as they were', () => {
    // Two tastes: users of group g interact with a random half of group g's items, none of the other's.
    const random = new Random(7);
    const triples: [string, string, number][] = [];
    for (let u = 0; u < 60; u++) {
      const g = u % 2;
      for (let i = 0; i < 20; i++) if (random.nextInt(2) === 0) triples.push([`u${u}`, `g${g}-i${i}`, 1]);
    }
    const model = new BPR({ factors: 8, epochs: 40, lr: 0.05, seed: 4, order: 'shuffle' });
    model.fit(Dataset.fromTriples(triples));
    const shown = ['g0-i0', 'g0-i1', 'g0-i2', 'g0-i3', 'g0-i4'];
    const untouched = model.userIds.slice(0, 5);
    const before = rows(model, untouched, 'user');
    const result = model.partialFit(Dataset.fromTriples(shown.map((i) => ['newcomer', i, 1] as [string, string, number])), { epochs: 60 });
    expect(result.epochs).toHaveLength(60);
    expect(model.hasUser('newcomer')).toBe(true);
    // Only the newcomer is in the data: no other user's row moved, bit for bit.
    expect(rows(model, untouched, 'user')).toEqual(before);
    // Its shown items are left out; the rest of group 0 ranks above group 1.
    const ranked = model.recommend('newcomer', { n: 40 }).map((r) => r.id);
    for (const i of shown) expect(ranked).not.toContain(i);
    expect(ranked.slice(0, 15).filter((i) => i.startsWith('g0-')).length).toBeGreaterThanOrEqual(13);
    // The fraction of misranked sampled pairs falls as it trains on them.
    expect(result.epochs[59].loss.value).toBeLessThan(result.epochs[0].loss.value);
  });

  it('a partialFit that fails leaves the model as it was', () => {
    const model = new BPR({ factors: 4, epochs: 5, seed: 1 });
    model.fit(base);
    const before = model.save();
    const everything = Dataset.fromTriples(model.itemIds.map((i) => ['greedy', i, 1] as [string, string, number]));
    expect(() => model.partialFit(everything)).toThrow(/interacted with every item/);
    expect(model.save()).toEqual(before);
  });
});

describe('ALS.partialFit', () => {
  const fitted = () => {
    const model = new ALS({ factors: 6, epochs: 8, reg: 2, alpha: 5, seed: 3 });
    model.fit(base);
    return model;
  };

  it("re-solves a user's row from their whole new history: the model's own exact fold-in of it", () => {
    const model = fitted();
    const u = base.users.raw[5];
    const history = historyOf(base, u).slice(0, 4).concat([[base.items.raw[1], 3]]);
    const others = model.userIds.filter((x) => x !== u);
    const otherRows = rows(model, others, 'user'), itemRows = rows(model, model.itemIds, 'item');
    model.partialFit(Dataset.fromTriples(history.map(([i, v]) => [u, i, v] as [string, string, number])), { epochs: 40 });
    // Warm-started CG converges to the exact solution of the user's ridge system against Q.
    const expected = model.scoreHistory(history);
    const got = model.scoreAll(u);
    const scale = Math.max(...Array.from(expected, Math.abs));
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-3 * scale);
    // Nothing else moved: the other users and every item the model had.
    expect(rows(model, others, 'user')).toEqual(otherRows);
    expect(rows(model, model.itemIds, 'item')).toEqual(itemRows);
  });

  it("solves a new item's row against every user: a dense ridge solve of the same system", () => {
    const model = fitted();
    const fans = base.users.raw.slice(0, 10);
    const extra: [string, string, number][] = [];
    for (const u of fans) {
      for (const [i, v] of historyOf(base, u)) extra.push([u, i, v]);
      extra.push([u, 'brand-new', 2]);
    }
    const itemsBefore = rows(model, model.itemIds, 'item');
    const oldItems = [...model.itemIds];
    model.partialFit(Dataset.fromTriples(extra), { epochs: 60 });
    expect(model.itemIds).toContain('brand-new');
    expect(rows(model, oldItems, 'item')).toEqual(itemsBefore);
    // The fixed point: q = (PᵀP + Σ_fans (c−1) p pᵀ + reg·I)⁻¹ Σ_fans c p, with c = 1 + alpha·2.
    const { reg, alpha, factors: k } = model.options;
    const P = model.userIds.map((u) => Array.from(model.userFactors(u)!));
    const A = new Matrix(k, k), b = new Matrix(k, 1);
    const c = 1 + alpha * 2;
    for (const p of P) for (let a = 0; a < k; a++) for (let d = 0; d < k; d++) A.set(a, d, A.get(a, d) + p[a] * p[d]);
    for (const u of fans) {
      const p = Array.from(model.userFactors(u)!);
      for (let a = 0; a < k; a++) {
        b.set(a, 0, b.get(a, 0) + c * p[a]);
        for (let d = 0; d < k; d++) A.set(a, d, A.get(a, d) + (c - 1) * p[a] * p[d]);
      }
    }
    for (let a = 0; a < k; a++) A.set(a, a, A.get(a, a) + reg);
    const expected = solve(A, b).to1DArray();
    const got = Array.from(model.itemFactors('brand-new')!);
    const scale = Math.max(...expected.map(Math.abs));
    for (let f = 0; f < k; f++) expect(Math.abs(got[f] - expected[f])).toBeLessThan(2e-3 * scale);
    // The fans now rank the new item near the top.
    for (const u of fans.slice(0, 3)) expect(model.scoreAll(u)[model.itemIds.indexOf('brand-new')]).toBeGreaterThan(0);
  });
});

describe('IALS.partialFit', () => {
  it("re-solves a user's row exactly from their new history: the model's own fold-in of it; nothing else moves", () => {
    const model = new IALS({ factors: 6, epochs: 6, seed: 3 });
    model.fit(base);
    const u = base.users.raw[7];
    const history = historyOf(base, u).slice(0, 3).concat([[base.items.raw[2], 1]]);
    const others = model.userIds.filter((x) => x !== u);
    const otherRows = rows(model, others, 'user'), itemRows = rows(model, model.itemIds, 'item');
    model.partialFit(Dataset.fromTriples(history.map(([i, v]) => [u, i, v] as [string, string, number])), { epochs: 2 });
    const expected = model.scoreHistory(history), got = model.scoreAll(u);
    const scale = Math.max(...Array.from(expected, Math.abs));
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-4 * scale);
    expect(rows(model, others, 'user')).toEqual(otherRows);
    expect(rows(model, model.itemIds, 'item')).toEqual(itemRows);
  });
});

describe('IALS.partialFit loss', () => {
  it('reports the objective of the factors it leaves, also when no item is new (computed here from the factors)', () => {
    const model = new IALS({ factors: 4, epochs: 3, seed: 2 });
    model.fit(base);
    const users = base.users.raw.slice(0, 3);
    const triples: [string, string, number][] = users.flatMap((u) => historyOf(base, u).map(([i, v]) => [u, i, v] as [string, string, number]));
    const result = model.partialFit(Dataset.fromTriples(triples), { epochs: 1 });
    // (Σ_observed (ŷ − 1)² + α0 Σ_all ŷ² + Σ_rows λ_r ‖x_r‖²) / n, λ_r = reg (count_r + α0 · others)^ν, counts in the data.
    const { reg, alpha0, nu } = model.options;
    const P = model.userIds.map((u) => Array.from(model.userFactors(u)!)), Q = model.itemIds.map((i) => Array.from(model.itemFactors(i)!));
    const dot = (a: number[], b: number[]) => a.reduce((s, x, f) => s + x * b[f], 0);
    let observed = 0, all = 0, penalty = 0;
    const countU = new Map<string, number>(), countI = new Map<string, number>();
    for (const [u, i] of triples) {
      observed += (dot(P[model.userIds.indexOf(u)], Q[model.itemIds.indexOf(i)]) - 1) ** 2;
      countU.set(u, (countU.get(u) ?? 0) + 1);
      countI.set(i, (countI.get(i) ?? 0) + 1);
    }
    for (const p of P) for (const q of Q) all += dot(p, q) ** 2;
    model.userIds.forEach((u, r) => (penalty += reg * Math.pow((countU.get(u) ?? 0) + alpha0 * Q.length, nu) * dot(P[r], P[r])));
    model.itemIds.forEach((i, r) => (penalty += reg * Math.pow((countI.get(i) ?? 0) + alpha0 * P.length, nu) * dot(Q[r], Q[r])));
    const expected = (observed + alpha0 * all + penalty) / triples.length;
    expect(result.epochs[0].loss.kind).toBe('objective');
    expect(Math.abs(result.epochs[0].loss.value - expected)).toBeLessThan(1e-3 * expected);
  });
});

describe('Hybrid.partialFit (LightFM fit_partial, interactions alone)', () => {
  /** Two tastes: users of group g interact with a random half of group g's items, none of the other's. */
  const twoTastes = (): [string, string, number][] => {
    const random = new Random(11);
    const triples: [string, string, number][] = [];
    for (let u = 0; u < 60; u++) {
      const g = u % 2;
      for (let i = 0; i < 20; i++) if (random.nextInt(2) === 0) triples.push([`u${u}`, `g${g}-i${i}`, 1]);
    }
    return triples;
  };

  it.each(['warp', 'bpr'] as const)('%s: starts from the current embeddings, learns a newcomer, leaves untouched users as they were', (loss) => {
    const model = new Hybrid({ factors: 8, epochs: 30, loss, seed: 5, order: 'shuffle' });
    model.fit(Dataset.fromTriples(twoTastes()));
    const untouched = model.userIds.slice(0, 5);
    const before = rows(model, untouched, 'user');
    const shown = ['g1-i0', 'g1-i1', 'g1-i2', 'g1-i3', 'g1-i4'];
    const result = model.partialFit(Dataset.fromTriples(shown.map((i) => ['newcomer', i, 1] as [string, string, number])), { epochs: 40 });
    expect(result.epochs).toHaveLength(40);
    // Warm: the identity embeddings of users no sampled interaction touched are their old vectors, bit for bit.
    expect(rows(model, untouched, 'user')).toEqual(before);
    const ranked = model.recommend('newcomer', { n: 35 }).map((r) => r.id);
    for (const i of shown) expect(ranked).not.toContain(i);
    expect(ranked.slice(0, 15).filter((i) => i.startsWith('g1-')).length).toBeGreaterThanOrEqual(13);
    // The model still saves and loads, answering the same.
    const loaded = FactorModel.load(model.save());
    expect(Array.from(loaded.scoreAll('newcomer'))).toEqual(Array.from(model.scoreAll('newcomer')));
  });

  it('with attributes: takes the rows again, starts every vector where it was, and learns the newcomer', () => {
    const triples = twoTastes();
    const itemIds = [...new Set(triples.map((t) => t[1]))];
    const itemFeatures = Features.fromRecords(itemIds.map((i) => [i, [`group:${i.slice(0, 2)}`]] as const));
    const userIds = [...new Set(triples.map((t) => t[0]))];
    const userFeatures = Features.fromRecords(userIds.map((u) => [u, [`parity:${Number(u.slice(1)) % 2}`]] as const));
    const model = new Hybrid({ factors: 8, epochs: 30, seed: 6, order: 'shuffle' });
    model.fit(Dataset.fromTriples(triples), { userFeatures, itemFeatures });
    const untouched = model.userIds.slice(0, 6);
    const before = rows(model, untouched, 'user');
    const shown = ['g1-i0', 'g1-i1', 'g1-i2', 'g1-i3', 'g1-i4'];
    // The newcomer has no user attributes: the user attributes' embeddings take no update, so
    // every other user's vector is recomposed from its warm-started identity and is as it was.
    model.partialFit(Dataset.fromTriples(shown.map((i) => ['newcomer', i, 1] as [string, string, number])), { epochs: 40, userFeatures, itemFeatures });
    const after = rows(model, untouched, 'user');
    for (let u = 0; u < untouched.length; u++) {
      const scale = Math.max(...Array.from(before[u], Math.abs));
      for (let f = 0; f < before[u].length; f++) expect(Math.abs(after[u][f] - before[u][f])).toBeLessThan(1e-5 * scale);
    }
    const ranked = model.recommend('newcomer', { n: 35 }).map((r) => r.id);
    expect(ranked.slice(0, 15).filter((i) => i.startsWith('g1-')).length).toBeGreaterThanOrEqual(13);
    // The attribute embeddings it leaves serve cold start, and survive save/load.
    const loaded = FactorModel.load(model.save()) as Hybrid;
    for (const m of [model, loaded]) m.addItem('cold', ['group:g1']);
    expect(Array.from(loaded.scoreAll('newcomer'))).toEqual(Array.from(model.scoreAll('newcomer')));
  });

  it("AdaGrad goes on where the fit left it, as LightFM's does; a model from a file, without that state, starts afresh", () => {
    const triples = twoTastes();
    const more = Dataset.fromTriples(triples.filter((_, t) => t % 3 === 0));
    const after = (learningSchedule: 'adagrad' | 'sgd') => {
      const model = new Hybrid({ factors: 8, epochs: 40, seed: 7, order: 'shuffle', learningSchedule, lr: learningSchedule === 'sgd' ? 0.02 : 0.05 });
      model.fit(Dataset.fromTriples(triples));
      const loaded = FactorModel.load(model.save()) as Hybrid;
      const before = rows(model, model.itemIds, 'item');
      for (const m of [model, loaded]) m.partialFit(more, { epochs: 1 });
      const moved = (m: FactorModel) => rows(m, m.itemIds, 'item').reduce((sum, row, r) => sum + row.reduce((s, x, f) => s + Math.abs(x - before[r][f]), 0), 0);
      return { kept: rows(model, model.itemIds, 'item'), fresh: rows(loaded, loaded.itemIds, 'item'), movedKept: moved(model), movedFresh: moved(loaded) };
    };
    // Plain SGD under WARP has no state to keep (no accumulators; user biases do not move): in
    // memory and from a file, the same bits.
    const sgd = after('sgd');
    expect(sgd.movedKept).toBeGreaterThan(0);
    expect(sgd.kept).toEqual(sgd.fresh);
    // AdaGrad: after 40 epochs the accumulators are large and the steps small; fresh ones take
    // the first steps at the full rate.
    const adagrad = after('adagrad');
    expect(adagrad.movedKept).toBeGreaterThan(0);
    expect(adagrad.movedKept).toBeLessThan(adagrad.movedFresh / 3);
  });

  it('with attributes: refuses missing rows, unknown attributes and unknown entities; the model stays as it was', () => {
    const triples = twoTastes();
    const itemFeatures = Features.fromRecords([...new Set(triples.map((t) => t[1]))].map((i) => [i, [`group:${i.slice(0, 2)}`]] as const));
    const model = new Hybrid({ factors: 4, epochs: 3 });
    model.fit(Dataset.fromTriples(triples), { itemFeatures });
    const before = model.save();
    const data = Dataset.fromTriples([['u0', 'g0-i1', 1]]);
    expect(() => model.partialFit(data)).toThrow(/^option itemFeatures must be the items' attribute rows, as in fit/);
    expect(() => model.partialFit(data, { itemFeatures: Features.fromRecords([['g0-i1', ['colour:red']]]) })).toThrow(/attribute "colour:red", which the model was not fitted with/);
    expect(() => model.partialFit(data, { itemFeatures: Features.fromRecords([['nowhere', ['group:g0']]]) })).toThrow(/a row for item "nowhere", whom neither the model nor the data knows/);
    expect(model.save()).toEqual(before);
    const noIdentity = new Hybrid({ factors: 4, epochs: 2, itemIdentity: false });
    noIdentity.fit(Dataset.fromTriples(triples), { itemFeatures });
    expect(() => noIdentity.partialFit(data, { itemFeatures })).toThrow(/^Hybrid does not support partialFit for a model fitted without identity features/);
  });
});

describe('partialFit refused with a reason where it has no meaning', () => {
  it.each([
    ['EASE', () => new EASE({ reg: 10 }), /EASE does not support partialFit: EASE is solved in closed form/],
  ] as const)('%s', (_name, make, message) => {
    const model = make();
    model.fit(base);
    const before = model.save();
    expect(() => model.partialFit(base)).toThrow(LatentrecError);
    expect(() => model.partialFit(base)).toThrow(message);
    expect(model.save()).toEqual(before);
  });
});

describe('a refit that fails leaves the model fitted before', () => {
  it('BPR refused for a user with every item, ImportedModel refusing fit: the earlier model answers as before', () => {
    const model = new BPR({ factors: 4, epochs: 3, seed: 2 });
    model.fit(base);
    const before = model.save();
    const everything = Dataset.fromTriples(model.itemIds.map((i) => ['greedy', i, 1] as [string, string, number]));
    expect(() => model.fit(everything)).toThrow(/interacted with every item/);
    expect(model.isFitted).toBe(true);
    expect(model.save()).toEqual(before);
  });
});
