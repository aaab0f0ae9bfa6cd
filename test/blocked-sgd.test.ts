// Blocked SGD (LIBMF's grid) and its threads: the grid really holds each rating in its block, an
// epoch's rounds never put two blocks with a shared user or item side by side, the in-block
// shuffle of every wasm build is the js twin's permutation, and a fit is bit-identical whatever
// the thread count — and equal to the js engine running the same plan one block at a time.
// On MovieLens 100k the blocked order (on two threads) and the fully shuffled order give the
// same test RMSE to 0.002.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGrid, createEngine, planEpoch, strideFor, wasmVariants, type Engine, type RatingsBlock } from '../src/engine/index.js';
import { crossValidate, generateRatings, MF, OptionError, prepareThreads, SVD, SVDpp } from '../src/index.js';
import { loadFolds } from '../src/node.js';
import { Random } from '../src/util/random.js';
import { hasMl100k, ml100kDir, ml100kNote, repoRoot } from './helpers.js';

function ratingsIn(engine: Engine, users: Uint32Array, items: Uint32Array, values: Float32Array): RatingsBlock {
  const r: RatingsBlock = { users: engine.allocU32(users.length), items: engine.allocU32(users.length), values: engine.allocF32(users.length), count: users.length };
  r.users.array().set(users);
  r.items.array().set(items);
  r.values.array().set(values);
  return r;
}

function randomRatings(n: number, userCount: number, itemCount: number, seed: number) {
  const random = new Random(seed);
  const users = new Uint32Array(n), items = new Uint32Array(n), values = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    users[t] = random.nextInt(userCount);
    items[t] = Math.floor(itemCount * random.nextFloat() ** 2); // popular items first, as ids are numbered
    values[t] = t; // a tag: which rating went where
  }
  return { users, items, values };
}

describe('the grid', () => {
  const userCount = 500, itemCount = 300, n = 20_000, side = 7;
  const data = randomRatings(n, userCount, itemCount, 1);
  const r = ratingsIn(createEngine('js'), data.users, data.items, data.values);
  const grid = buildGrid(r, userCount, itemCount, side);
  const users = r.users.array(), items = r.items.array(), values = r.values.array();

  it('keeps every rating (same triples) and puts all of one block together', () => {
    const seen = new Uint8Array(n);
    for (let t = 0; t < n; t++) {
      const tag = values[t];
      expect(users[t]).toBe(data.users[tag]);
      expect(items[t]).toBe(data.items[tag]);
      seen[tag]++;
    }
    expect(seen.every((c) => c === 1)).toBe(true);
    // Recover the bins from the layout: every user (item) must sit in one user (item) bin only.
    const userBin = new Int32Array(userCount).fill(-1), itemBin = new Int32Array(itemCount).fill(-1);
    expect(grid.start[0]).toBe(0);
    expect(grid.start[side * side]).toBe(n);
    for (let b = 0; b < side * side; b++) {
      for (let t = grid.start[b]; t < grid.start[b + 1]; t++) {
        const ub = Math.floor(b / side), ib = b % side;
        if (userBin[users[t]] === -1) userBin[users[t]] = ub;
        if (itemBin[items[t]] === -1) itemBin[items[t]] = ib;
        expect(userBin[users[t]]).toBe(ub);
        expect(itemBin[items[t]]).toBe(ib);
      }
    }
    // Bins are runs of consecutive ids (a block's factor rows are contiguous memory).
    for (const bins of [userBin, itemBin]) {
      const used = Array.from(bins).filter((b) => b >= 0);
      for (let t = 1; t < used.length; t++) expect(used[t]).toBeGreaterThanOrEqual(used[t - 1]);
    }
    // ... cut by rating counts, not id counts: the skewed items (popular ones first) still give
    // bins of about n/G ratings each, where equal id ranges would put a third of them in bin 0.
    const ratingsPerItemBin = new Array(side).fill(0);
    for (let t = 0; t < n; t++) ratingsPerItemBin[itemBin[items[t]]]++;
    for (const count of ratingsPerItemBin) expect(Math.abs(count - n / side)).toBeLessThan(0.15 * (n / side));
    const equalIdRanges = Array.from(data.items).filter((i) => Math.floor((i * side) / itemCount) === 0).length;
    expect(equalIdRanges).toBeGreaterThan(2 * (n / side));
  });

  it('plans rounds of blocks that share no user bin and no item bin, every block once per epoch', () => {
    const random = new Random(3);
    for (let epoch = 0; epoch < 5; epoch++) {
      const plan = planEpoch(side, random);
      expect(new Set(plan.blocks).size).toBe(side * side);
      for (let round = 0; round < side; round++) {
        const blocks = Array.from(plan.blocks.subarray(round * side, (round + 1) * side));
        expect(new Set(blocks.map((b) => Math.floor(b / side))).size).toBe(side);
        expect(new Set(blocks.map((b) => b % side)).size).toBe(side);
      }
    }
  });
});

describe.each(wasmVariants())('the in-block shuffle on the wasm %s build', (variant) => {
  it('is the js twin\'s permutation, touches only its range, and permutes', () => {
    const data = randomRatings(5_000, 50, 40, 4);
    const js = ratingsIn(createEngine('js'), data.users, data.items, data.values);
    const wasmEngine = createEngine('wasm', variant);
    const wasm = ratingsIn(wasmEngine, data.users, data.items, data.values);
    for (const [first, count, seed] of [[0, 3_500, 1], [100, 1_000, 0xdeadbeef], [3_000, 1, 5], [17, 2, 0]]) {
      createEngine('js').shuffleRatings(js, first, count, seed);
      wasmEngine.shuffleRatings(wasm, first, count, seed);
    }
    expect(Array.from(wasm.values.array())).toEqual(Array.from(js.values.array()));
    expect(Array.from(wasm.users.array())).toEqual(Array.from(js.users.array()));
    const tags = Array.from(js.values.array());
    expect(tags.slice(3_500)).toEqual(Array.from(data.values.subarray(3_500))); // after every range: untouched
    expect([...tags].sort((a, b) => a - b)).toEqual(Array.from(data.values));
    expect(tags.filter((tag, t) => tag !== t).length).toBeGreaterThan(3_000);
    // Users and items moved with their values.
    for (let t = 0; t < tags.length; t++) expect(js.users.array()[t]).toBe(data.users[tags[t]]);
  });
});

describe('blocked SGD on threads', () => {
  const data = generateRatings({ users: 600, items: 400, ratings: 40_000, minPerUser: 10, seed: 11 });
  const fitted = (Model: typeof SVD | typeof MF, options: ConstructorParameters<typeof SVD>[0]) => {
    const model = new Model({ factors: 12, epochs: 6, seed: 5, bins: 6, wasmVariant: 'simd', ...options });
    const result = model.fit(data);
    return { model, result, P: model.userFactors(data.users.raw[3])!, Q: model.itemFactors(data.items.raw[7])!, estimates: model.predictMany(data) };
  };

  it.each([['SVD', SVD], ['MF', MF]] as const)('%s: 1, 2 and 3 threads give bit-identical models, equal to the js engine on one', (_, Model) => {
    const one = fitted(Model, { threads: 1 }), two = fitted(Model, { threads: 2 }), three = fitted(Model, { threads: 3 }), js = fitted(Model, { engine: 'js' });
    expect(one.result.threads).toBe(1);
    expect(two.result.threads).toBe(2);
    expect(three.result.threads).toBe(3);
    expect(two.result.notes).toEqual([]);
    for (const other of [two, three, js]) {
      expect(Array.from(other.P)).toEqual(Array.from(one.P));
      expect(Array.from(other.Q)).toEqual(Array.from(one.Q));
      expect(Array.from(other.estimates)).toEqual(Array.from(one.estimates));
      expect(other.result.epochs.map((e) => e.trainRmse)).toEqual(one.result.epochs.map((e) => e.trainRmse));
    }
    // It learned: every epoch's train RMSE is below the one before.
    const curve = one.result.epochs.map((e) => e.trainRmse);
    for (let e = 1; e < curve.length; e++) expect(curve[e]).toBeLessThan(curve[e - 1]);
  });

  it('the grid is part of the model: other bins give another fit of the same quality', () => {
    const a = fitted(SVD, { bins: 6 }), b = fitted(SVD, { bins: 9 });
    expect(Array.from(a.P)).not.toEqual(Array.from(b.P));
    const rmse = (f: typeof a) => f.result.epochs.at(-1)!.trainRmse;
    expect(Math.abs(rmse(a) - rmse(b))).toBeLessThan(0.01);
  });

  it('the js engine asked for threads runs on one and says so; the scalar build too', () => {
    const js = fitted(SVD, { engine: 'js', threads: 2 });
    expect(js.result.threads).toBe(1);
    expect(js.result.notes).toEqual([expect.stringMatching(/^running on 1 thread instead of 2: the js engine has no worker threads/)]);
    const scalar = fitted(SVD, { threads: 2, wasmVariant: 'scalar' });
    expect(scalar.result.threads).toBe(1);
    expect(scalar.result.notes).toEqual(['running on 1 thread instead of 2: threads need a SIMD build (this engine runs the scalar build)']);
    expect(Array.from(scalar.estimates)).toEqual(Array.from(fitted(SVD, { threads: 1, wasmVariant: 'scalar' }).estimates));
  });

  it("'auto' stays on one thread for small data (workers cost more than they save)", () => {
    expect(fitted(SVD, {}).result.threads).toBe(1);
  });

  it('refuses threads and bins it cannot honour, naming the option and the range', () => {
    expect(() => new SVD({ threads: 0 })).toThrow(new OptionError('threads', 'an integer in [1, 256]', 0));
    expect(() => new SVD({ threads: 2.5 })).toThrow('option threads must be an integer in [1, 256] (got 2.5)');
    expect(() => new SVD({ threads: 2, order: 'shuffle' })).toThrow(`option threads must be 1 with order "shuffle" (only order 'blocked' runs on several threads) (got 2)`);
    expect(() => new SVD({ bins: 0 })).toThrow('option bins must be an integer in [1, 256] (got 0)');
    expect(() => new SVD({ bins: 8, order: 'fixed' })).toThrow(`option bins must be left unset with order "fixed" (bins apply to order 'blocked') (got 8)`);
    expect(() => new SVDpp({ order: 'blocked' })).toThrow('option order must be one of shuffle, fixed (got "blocked")');
  });

  it('threads beyond the grid\'s bins are cut to them, and the note says so', () => {
    const many = fitted(SVD, { threads: 12, bins: 4 });
    expect(many.result.threads).toBe(4);
    expect(many.result.notes).toEqual(['running on 4 threads instead of 12: the grid has 4 bins per side, and a round runs one block per bin (raise bins to use more)']);
    expect(Array.from(many.P)).toEqual(Array.from(fitted(SVD, { threads: 1, bins: 4 }).P));
  });

  it('one threaded engine runs grids of different sides in turn, each equal to the js engine', () => {
    const raw = randomRatings(30_000, 300, 200, 9);
    const runs = [createEngine('wasm', 'simd', { threads: 3 }), createEngine('js')].map((engine) => {
      const r = ratingsIn(engine, raw.users, raw.items, Float32Array.from(raw.values, (v) => 1 + (v % 5)));
      const stride = strideFor(8);
      const f = { P: engine.allocF32(300 * stride), Q: engine.allocF32(200 * stride), bu: engine.allocF32(300), bi: engine.allocF32(200), stride };
      const init = new Random(1);
      for (const m of [f.P.array(), f.Q.array()]) for (let t = 0; t < m.length; t++) m[t] = t % stride < 8 ? init.nextNormal(0, 0.1) : 0;
      const random = new Random(2), sse: number[] = [];
      for (const side of [3, 7, 2, 5]) {
        const grid = buildGrid(r, 300, 200, side);
        sse.push(engine.sgdBlocks(r, grid, planEpoch(side, random), f, { mu: 3, lrBu: 0.01, lrBi: 0.01, lrPu: 0.01, lrQi: 0.01, regBu: 0.02, regBi: 0.02, regPu: 0.02, regQi: 0.02 }, true));
      }
      engine.dispose();
      return { threads: engine.threads, sse, P: Array.from(f.P.array()) };
    });
    expect(runs[0].threads).toBe(3);
    expect(runs[0].sse).toEqual(runs[1].sse);
    expect(runs[0].P).toEqual(runs[1].P);
  });

  it('a kernel that traps on a worker ends the epoch with an error, not the process; the next fit runs', async () => {
    const engine = createEngine('wasm', 'simd', { threads: 2 });
    const n = 4_000, users = new Uint32Array(n).fill(16_777_215), items = new Uint32Array(n), values = new Float32Array(n).fill(3);
    const r = ratingsIn(engine, users, items, values);
    const f = { P: engine.allocF32(8), Q: engine.allocF32(8), bu: engine.allocF32(1), bi: engine.allocF32(1), stride: 8 };
    // Every block reads a user row far beyond memory: each thread traps on its first block.
    const grid = { side: 2, start: Uint32Array.from([0, 1000, 2000, 3000, 4000]) };
    const plan = { side: 2, blocks: Uint32Array.from([0, 3, 1, 2]), seeds: Uint32Array.from([1, 2, 3, 4]) };
    expect(() => engine.sgdBlocks(r, grid, plan, f, { mu: 3, lrBu: 0, lrBi: 0, lrPu: 0, lrQi: 0, regBu: 0, regBi: 0, regPu: 0, regQi: 0 }, true)).toThrow();
    engine.dispose();
    await new Promise((done) => setTimeout(done, 300)); // any 'error' event of the workers would land here
    expect(fitted(SVD, { threads: 2 }).result.threads).toBe(2);
  });

  it('prepareThreads checks its argument; in Node fits start their own workers, so it only reports', async () => {
    await expect(prepareThreads(0)).rejects.toThrow('option threads must be an integer in [1, 256] (got 0)');
    expect(await prepareThreads(3)).toBe(3);
  });

  it('bins beyond the user or item count are cut down to it (a 3-item data set still fits)', () => {
    const tiny = generateRatings({ users: 40, items: 3, ratings: 100, minPerUser: 2, seed: 1 });
    const model = new SVD({ factors: 4, epochs: 3, bins: 50, threads: 2 });
    const result = model.fit(tiny);
    expect(result.epochs.every((e) => Number.isFinite(e.trainRmse))).toBe(true);
  });
});

describe.skipIf(!hasMl100k)(`blocked SGD and relaxed SIMD on ML-100k u1..u5${ml100kNote}`, async () => {
  const folds = hasMl100k ? await loadFolds(ml100kDir) : [];
  /** The reference: one thread, plain SIMD, every rating shuffled each epoch (the path before blocks). */
  const reference = (Model: typeof SVD | typeof MF, options: object) =>
    crossValidate(() => new Model({ ...options, order: 'shuffle', wasmVariant: 'simd' }), folds).mean.rmse;

  it('blocked on 2 threads gives the mean test RMSE of the single-thread shuffled SIMD path to 0.002 (SVD and MF)', () => {
    for (const [name, Model, options] of [['SVD', SVD, {}], ['MF', MF, { regAll: 0.05, lrAll: 0.01 }]] as const) {
      const blocked = crossValidate(() => new Model({ ...options, threads: 2, wasmVariant: 'simd' }), folds).mean.rmse;
      const shuffled = reference(Model, options);
      console.log(`${name} u1..u5 mean test RMSE: blocked (2 threads) ${blocked.toFixed(4)}, shuffled (1 thread) ${shuffled.toFixed(4)}`);
      expect(Math.abs(blocked - shuffled)).toBeLessThan(0.002);
    }
  }, 120_000);

  it('relaxed SIMD (in a child node --experimental-wasm-relaxed-simd), blocked on 2 threads and shuffled, to 0.002 as well', () => {
    const child = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--input-type=module', '-e', `
      const lib = await import(${JSON.stringify(pathToFileURL(resolve(repoRoot, 'src/index.ts')).href)});
      const node = await import(${JSON.stringify(pathToFileURL(resolve(repoRoot, 'src/node.ts')).href)});
      const folds = await node.loadFolds(${JSON.stringify(ml100kDir)});
      const mean = (options) => lib.crossValidate(() => new lib.SVD({ wasmVariant: 'relaxed', ...options }), folds).mean.rmse;
      console.log(JSON.stringify({ blocked: mean({ threads: 2 }), shuffled: mean({ order: 'shuffle' }) }));
    `], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(child.stderr).toBe('');
    const relaxed = JSON.parse(child.stdout.trim().split('\n').pop()!);
    const simd = reference(SVD, {});
    console.log(`SVD u1..u5 mean test RMSE on relaxed SIMD: blocked (2 threads) ${relaxed.blocked.toFixed(4)}, shuffled ${relaxed.shuffled.toFixed(4)}; plain SIMD shuffled ${simd.toFixed(4)}`);
    expect(Math.abs(relaxed.blocked - simd)).toBeLessThan(0.002);
    expect(Math.abs(relaxed.shuffled - simd)).toBeLessThan(0.002);
    // Relaxed really ran: its fused multiply-adds move the result in far digits.
    expect(relaxed.shuffled).not.toBe(simd);
  }, 150_000);
});

