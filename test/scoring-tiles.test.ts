// Full-catalogue scoring in tiles of users (Model.userScorer, the engine's scoreUsers on worker
// threads) and the row kernels of the full ranking protocol (rowCounts, rowTop): each equals the
// one-user-at-a-time path it replaces, bit for bit, on every engine.
import { describe, expect, it } from 'vitest';
import { wasmThreadSupport } from '../src/engine/index.js';
import {
  BayesianFM, createEngine, EASE, evaluateModelRanking, evaluateRanking, generateRatings, holdoutSplit, MF, scorerOf, SVD, toImplicit, wasmVariants,
  type EngineName, type WasmVariant,
} from '../src/index.js';
import { topK } from '../src/util/top-k.js';

// 1,101 items: three blocks of the kernel's 512 items, the last one short and not a multiple of 4.
const data = generateRatings({ users: 120, items: 1_101, ratings: 9_000, minPerUser: 5, seed: 3 });
const engines: [EngineName, WasmVariant | undefined][] = [['js', undefined], ...wasmVariants().map((v) => ['wasm', v] as [EngineName, WasmVariant])];

describe.each(engines)('userScorer on the %s engine (%s)', (engine, wasmVariant) => {
  // k = 7 (stride 8, one padding lane); five users: two pairs and one left over.
  const users = data.users.raw.slice(3, 8);
  it.each([['SVD', () => new SVD({ factors: 7, epochs: 3, engine, wasmVariant })], ['MF', () => new MF({ factors: 7, epochs: 3, engine, wasmVariant })]] as const)(
    '%s: rows are scoreAll\'s bits, on one thread and on two',
    (_, make) => {
      const model = make();
      model.fit(data);
      for (const threads of [1, 2]) {
        const scorer = model.userScorer(threads, wasmThreadSupport)!;
        const rows = scorer.score(users);
        expect(rows.length).toBe(users.length * model.itemIds.length);
        users.forEach((user, t) => expect(Array.from(rows.subarray(t * model.itemIds.length, (t + 1) * model.itemIds.length))).toEqual(Array.from(model.scoreAll(user))));
        scorer.dispose();
      }
    },
  );
});

describe.each(engines)('recommendAll in tiles on the %s engine (%s)', (engine, wasmVariant) => {
  it('gives recommend()\'s list for every user, across two tiles and a short one; an unknown user throws at its turn', () => {
    const model = new SVD({ factors: 7, epochs: 2, engine, wasmVariant });
    model.fit(data);
    const options = { n: 12, exclude: [data.items.raw[0]] };
    const all = [...model.recommendAll(options)];
    expect(all.map((r) => r.user)).toEqual(model.userIds); // 120 users: tiles of 64 and 56
    for (const { user, items } of all) expect(items).toEqual(model.recommend(user, options));
    const users = [...model.userIds.slice(0, 70), 'nobody', model.userIds[70]];
    const seen: string[] = [];
    expect(() => {
      for (const { user } of model.recommendAll({ users })) seen.push(user);
    }).toThrow(/nobody/);
    expect(seen).toEqual(model.userIds.slice(0, 70));
  });
});

describe('userScorer', () => {
  it('serves scores through the ordinal link as scoreAll does, and refuses an unknown user', () => {
    const model = new BayesianFM({ factors: 4, samples: 8, ordinal: true, bags: [], seed: 2 });
    model.fit(data);
    const scorer = model.userScorer()!;
    const rows = scorer.score([data.users.raw[0], data.users.raw[1]]);
    expect(Array.from(rows.subarray(model.itemIds.length, 2 * model.itemIds.length))).toEqual(Array.from(model.scoreAll(data.users.raw[1])));
    expect(() => scorer.score(['nobody'])).toThrow(/nobody/);
    scorer.dispose();
  });

  it('refuses a user folded in after it copied the factors, rather than scoring stale rows', () => {
    const model = new SVD({ factors: 4, epochs: 2 });
    model.fit(data);
    const scorer = model.userScorer()!;
    const visitor = model.foldIn([[data.items.raw[0], 5], [data.items.raw[1], 2]]);
    expect(() => scorer.score([visitor])).toThrow(/added \(foldIn\) after this scorer copied the factors/);
    const fresh = model.userScorer()!;
    expect(Array.from(fresh.score([visitor]))).toEqual(Array.from(model.scoreAll(visitor)));
    scorer.dispose();
    fresh.dispose();
  });

  it('is undefined for EASE (its scores come from item–item weights): evaluation and recommendAll go user by user', () => {
    const ease = new EASE({ reg: 50 });
    ease.fit(toImplicit(data, { threshold: 0 }));
    expect(ease.userScorer()).toBeUndefined();
    for (const { user, items } of ease.recommendAll({ users: ease.userIds.slice(0, 5), n: 5 })) expect(items).toEqual(ease.recommend(user, { n: 5 }));
  });
});

describe('evaluateModelRanking by tiles', () => {
  it('gives the one-user-at-a-time report exactly, on 1 and 2 threads', () => {
    const { train, test } = holdoutSplit(data, { testRatio: 0.2, seed: 5 });
    const model = new SVD({ factors: 8, epochs: 4 });
    model.fit(train);
    const perUser = evaluateRanking(scorerOf(model), train, test, { k: 10 });
    expect(perUser.users).toBeGreaterThan(50);
    for (const threads of [1, 2]) expect(evaluateModelRanking(model, train, test, { k: 10, threads })).toEqual(perUser);
  });
});

describe.each(engines)('the row kernels on the %s engine (%s)', (name, variant) => {
  // 1,003 scores on a coarse grid (ties), with NaN, −Infinity and signed zeros; a random mask.
  let x = 11;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
  const n = 1_003;
  const scores = Float32Array.from({ length: n }, () => {
    const r = Math.floor(rand() * 12);
    return r === 0 ? NaN : r === 1 ? -Infinity : r === 2 ? -0 : (r - 6) / 4;
  });
  const maskBytes = Uint8Array.from({ length: n }, () => (rand() < 0.2 ? 1 : 0));
  const engine = createEngine(name, variant);
  const row = engine.allocF32(n), mask = engine.allocU32(Math.ceil(n / 4)), heap = engine.allocU32(n);
  row.array().set(scores);
  new Uint8Array(mask.array().buffer, mask.array().byteOffset, n).set(maskBytes);

  it('rowTop: the k best unmasked scores, best first, ties to the lower index (util/top-k.ts)', () => {
    for (const k of [1, 10, 400, n]) {
      const size = engine.rowTop(row, n, mask, k, heap);
      expect(Array.from(heap.array().subarray(0, size)), `k=${k}`).toEqual(Array.from(topK(scores, k, (i) => maskBytes[i] === 0)));
    }
  });

  it('rowCounts: the scores below and equal to each threshold, and the NaNs', () => {
    const levels = [-1.5, -0, 0, 0.25, 1.5, 9, -Infinity];
    const thresholds = engine.allocF32(levels.length), below = engine.allocU32(levels.length), equal = engine.allocU32(levels.length);
    thresholds.array().set(levels);
    const nan = engine.rowCounts(row, n, thresholds, levels.length, below, equal);
    expect(nan).toBe(scores.filter((s) => Number.isNaN(s)).length);
    levels.forEach((t, j) => {
      expect(below.array()[j], `below ${t}`).toBe(scores.filter((s) => s < t).length);
      expect(equal.array()[j], `equal ${t}`).toBe(scores.filter((s) => s === t).length);
    });
  });
});
