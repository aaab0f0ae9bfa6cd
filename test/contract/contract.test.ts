// The behavioural contract every model kind keeps, on both engines (benfred/implicit's
// recommender_base_test habit): one describe per kind x engine, the same checks in each. A new
// kind gets all of them by adding its registry row (see ./kinds.ts). Data are generated here and
// small, so the whole suite stays in the fast project.
import { afterAll, describe, expect, it } from 'vitest';
import { Dataset, decodeModel, FactorModel, LatentrecError, parseFeatures, type EpochReport } from '../../src/index.js';
import { ENGINES, MODEL_KINDS, makeModel, modelKindInfo, type Engine, type KindInfo } from './kinds.js';

// ---------------------------------------------------------------------------------------------
// Data

/** A small seeded generator (an LCG), so the data never depend on the library under test. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const USERS = 24;
const ITEMS = 16;
const GROUP_ITEMS = ITEMS / 2;
const userId = (u: number) => `u${u}`;
const itemId = (i: number) => `i${i}`;
/** Users alternate between the groups; items 0..7 are group 0, 8..15 group 1. */
const userGroup = (user: string) => Number(user.slice(1)) % 2;
const itemGroup = (item: string) => (Number(item.slice(1)) < GROUP_ITEMS ? 0 : 1);
const ALL_ITEMS = Array.from({ length: ITEMS }, (_, i) => itemId(i));

type Task = KindInfo['task'];

interface Planted {
  train: Dataset;
  /** Per user: the liked item held out of training. */
  withheld: Map<string, string>;
  /** Per user: the items in training. */
  seen: Map<string, Set<string>>;
}

/**
 * The planted checkerboard: two groups of users and two groups of items; each user sees about 60 %
 * of the items, likes those of their group and dislikes the others (rating kinds: 5 and 1; ranking
 * kinds: an interaction with each liked item, nothing for the others); one liked item per user is
 * held out. The same users see the same items for both tasks.
 */
function plantedData(task: Task): Planted {
  const random = generator(42);
  const triples: [string, string, number][] = [];
  const withheld = new Map<string, string>();
  const seen = new Map<string, Set<string>>();
  for (let u = 0; u < USERS; u++) {
    const user = userId(u);
    const observed = ALL_ITEMS.filter(() => random() < 0.6);
    // At least two liked items: one to hold out, one to learn from.
    for (const item of ALL_ITEMS) {
      if (observed.filter((i) => itemGroup(i) === userGroup(user)).length >= 2) break;
      if (itemGroup(item) === userGroup(user) && !observed.includes(item)) observed.push(item);
    }
    const liked = observed.filter((i) => itemGroup(i) === userGroup(user));
    const out = liked[Math.floor(random() * liked.length)];
    withheld.set(user, out);
    seen.set(user, new Set());
    for (const item of observed) {
      if (item === out) continue;
      const likes = itemGroup(item) === userGroup(user);
      if (task === 'ranking' && !likes) continue;
      triples.push([user, item, task === 'rating' ? (likes ? 5 : 1) : 1]);
      seen.get(user)!.add(item);
    }
  }
  return { train: Dataset.fromTriples(triples), withheld, seen };
}

const PLANTED: Record<Task, Planted> = { rating: plantedData('rating'), ranking: plantedData('ranking') };

/** A rating of "liked" and of "disliked" for the task. */
const LIKE: Record<Task, number> = { rating: 5, ranking: 1 };

/** Degenerate training sets: each must fit, or be refused with a LatentrecError that says why. */
function degenerateData(task: Task): { name: string; data: Dataset }[] {
  const r = (x: number) => (task === 'rating' ? x : 1);
  const items5 = [0, 1, 2, 3, 4];
  const grid: [string, string, number][] = [];
  for (let u = 0; u < 6; u++) for (let i = 0; i < 5; i++) if ((u + 2 * i) % 5 !== 0) grid.push([userId(u), itemId(i), r(3)]);
  return [
    { name: 'one rating', data: Dataset.fromTriples([['u0', 'i0', r(4)]]) },
    { name: 'one user', data: Dataset.fromTriples(items5.map((i) => ['u0', itemId(i), r(1 + i)] as [string, string, number])) },
    { name: 'one item', data: Dataset.fromTriples(items5.map((u) => [userId(u), 'i0', r(1 + u)] as [string, string, number])) },
    { name: 'all ratings equal', data: Dataset.fromTriples(grid) },
    {
      name: 'a user with every item',
      data: Dataset.fromTriples([
        ...ALL_ITEMS.map((item, i) => ['all', item, r(1 + (i % 5))] as [string, string, number]),
        ...tripleOf(PLANTED[task].train),
      ]),
    },
  ];
}

function tripleOf(d: Dataset): [string, string, number][] {
  return Array.from({ length: d.size }, (_, t) => [d.users.raw[d.userIndex[t]], d.items.raw[d.itemIndex[t]], d.ratings[t]]);
}

// ---------------------------------------------------------------------------------------------
// Comparing answers bit for bit

/** The path and values of the first difference between a and b (numbers by Object.is), or undefined. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? undefined : `${path}: ${a} != ${b}`;
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    if (!(ArrayBuffer.isView(b) || Array.isArray(b))) return `${path}: an array != ${typeof b}`;
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return `${path}: length ${x.length} != ${y.length}`;
    for (let t = 0; t < x.length; t++) {
      const d = firstDifference(x[t], y[t], `${path}[${t}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}

function expectSame(actual: unknown, expected: unknown, what: string): void {
  const d = firstDifference(actual, expected, what);
  expect(d, d).toBeUndefined();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, t) => x === b[t]);
}

/** Two model files are the same bytes; if not, the failure names the first field of the decoded states that differs. */
function expectSameFile(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (sameBytes(actual, expected)) return;
  let first = 0;
  while (first < Math.min(actual.length, expected.length) && actual[first] === expected[first]) first++;
  const field = firstDifference(decodeModel(actual), decodeModel(expected), 'state');
  expect.fail(`${what}: the files differ from byte ${first} (${actual.length} and ${expected.length} bytes); ${field ?? 'the decoded states are equal'}`);
}

const UNKNOWN_PAIRS: [string, string][] = [['nobody', 'i0'], ['u0', 'nothing'], ['nobody', 'nothing']];

/** Everything a fitted model answers on the planted data's ids, for bit-for-bit comparison. */
function answers(model: FactorModel, info: KindInfo, users: readonly string[] = model.userIds) {
  const pairs: [string, string][] = [...users.flatMap((u) => ALL_ITEMS.map((i) => [u, i] as [string, string])), ...UNKNOWN_PAIRS];
  return {
    userIds: [...model.userIds],
    itemIds: [...model.itemIds],
    predict: pairs.map(([u, i]) => model.predict(u, i)),
    predictMany: model.predictMany(pairs),
    scoreAll: users.map((u) => model.scoreAll(u)),
    recommend: users.map((u) => model.recommend(u, { n: ITEMS })),
    similarItems: info.capabilities.similar ? ALL_ITEMS.map((i) => model.similarItems(i, { n: ITEMS })) : [],
    similarUsers: info.capabilities.similar === true ? users.slice(0, 4).map((u) => model.similarUsers(u, { n: USERS })) : [],
  };
}

function expectFinite(values: ArrayLike<number>, what: string): void {
  for (let t = 0; t < values.length; t++) expect(Number.isFinite(values[t]), `${what}[${t}] is ${values[t]}`).toBe(true);
}

/** The error `fn` throws, which must be a LatentrecError (not a TypeError, RangeError, ...). */
function refusal(fn: () => unknown): LatentrecError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error('expected a LatentrecError, but the call succeeded');
  if (!(thrown instanceof LatentrecError)) throw new Error(`expected a LatentrecError, got ${String(thrown)}`, { cause: thrown });
  return thrown;
}

// ---------------------------------------------------------------------------------------------
// The checks

interface Context {
  info: KindInfo;
  engine: Engine;
  /** A fresh model of the kind (example settings, engine), unfitted. */
  make: (overrides?: Parameters<typeof makeModel>[2]) => FactorModel;
  /** A fresh model fitted on the planted data of the kind's task. */
  fitPlanted: () => FactorModel;
  /** One model fitted on the planted data, shared by the checks that do not change it. */
  planted: () => FactorModel;
  data: Planted;
}

interface Check {
  name: string;
  run: (c: Context) => void;
}

const CHECKS: Check[] = [];
const check = (name: string, run: (c: Context) => void) => CHECKS.push({ name, run });

// 1. Planted structure.
check('recommend never returns an item the user has in training (every user, whole catalogue)', ({ planted, data }) => {
  const model = planted();
  for (const user of model.userIds) {
    const recs = model.recommend(user, { n: ITEMS });
    const seen = data.seen.get(user)!;
    expect(recs.filter((r) => seen.has(r.item)), user).toEqual([]);
    expect(recs.length, user).toBe(ITEMS - seen.size);
  }
});

check('recommend finds the withheld liked item on the planted checkerboard (personal kinds), else ranks alike for all', ({ info, planted, data }) => {
  const model = planted();
  if (!info.capabilities.personal) {
    // Not personal (biases or counts alone): every user gets the same item scores up to a per-user constant.
    expect(model.factorCount).toBe(0);
    const base = model.scoreAll('u0');
    for (const user of model.userIds) {
      const s = model.scoreAll(user);
      for (let i = 0; i < ITEMS; i++) expect(s[i] - s[0], `${user} item ${i}`).toBeCloseTo(base[i] - base[0], 4);
    }
    return;
  }
  // n = the user's unseen items of their own group (the withheld one among them): a model that
  // learned the two groups ranks exactly those first. A random ranking hits with probability
  // n / unseen, 1/3 to 1/2 here; >= 80 % of 24 users by chance has probability below 0.1 %.
  let hits = 0;
  const misses: string[] = [];
  for (const user of model.userIds) {
    const seen = data.seen.get(user)!;
    const n = ALL_ITEMS.filter((i) => itemGroup(i) === userGroup(user) && !seen.has(i)).length;
    const top = model.recommend(user, { n }).map((r) => r.item);
    if (top.includes(data.withheld.get(user)!)) hits++;
    else misses.push(`${user}: withheld ${data.withheld.get(user)}, top ${top.join(' ')}`);
  }
  const why = `hits ${hits}/${USERS} (the kind's example settings must learn this structure); misses:\n${misses.join('\n')}`;
  expect(hits / USERS, why).toBeGreaterThanOrEqual(0.8);
});

// 2. recommend options.
check('recommend: exclude removes exactly the listed items (array or Set)', ({ planted }) => {
  const model = planted();
  const all = model.recommend('u0', { n: ITEMS });
  const excluded = [all[0].item, all[2].item];
  const expected = all.filter((r) => !excluded.includes(r.item));
  expectSame(model.recommend('u0', { n: ITEMS, exclude: excluded }), expected, 'exclude array');
  expectSame(model.recommend('u0', { n: ITEMS, exclude: new Set(excluded) }), expected, 'exclude Set');
  expectSame(model.recommend('u0', { n: 1, exclude: [all[0].item] }), [all[1]], 'exclude the best');
});

check('recommend: candidates restrict the ranking to them, unknown ids ignored', ({ planted, data }) => {
  const model = planted();
  const all = model.recommend('u0', { n: ITEMS });
  const unseen = all.map((r) => r.item);
  const seenItem = [...data.seen.get('u0')!][0];
  const candidates = [unseen[3], unseen[1], 'no-such-item', seenItem, unseen.at(-1)!];
  const expected = all.filter((r) => candidates.includes(r.item));
  expect(expected.length).toBe(3);
  expectSame(model.recommend('u0', { n: ITEMS, candidates }), expected, 'candidates');
  expectSame(model.recommend('u0', { n: 1, candidates: new Set(candidates) }), expected.slice(0, 1), 'best candidate');
  expectSame(model.recommend('u0', { n: ITEMS, candidates: ['no-such-item'] }), [], 'only unknown candidates');
});

check('recommend: n beyond the catalogue gives every unseen item once, best first, scoreAll scores; n = 0 gives []', ({ planted, data }) => {
  const model = planted();
  for (const user of ['u0', 'u1', 'u7']) {
    const seen = data.seen.get(user)!;
    const scores = model.scoreAll(user);
    for (const n of [ITEMS + 1, 1e6, Number.MAX_SAFE_INTEGER]) {
      const recs = model.recommend(user, { n });
      expect(recs.map((r) => r.item).sort(), `${user} n=${n}`).toEqual(ALL_ITEMS.filter((i) => !seen.has(i)).sort());
      for (let t = 1; t < recs.length; t++) expect(recs[t].score, `${user} rank ${t}`).toBeLessThanOrEqual(recs[t - 1].score);
      for (const r of recs) expect(Object.is(r.score, scores[model.itemIds.indexOf(r.item)]), `${user} ${r.item}`).toBe(true);
    }
    expect(model.recommend(user, { n: ITEMS * 2, excludeSeen: false }).map((r) => r.item).sort()).toEqual([...ALL_ITEMS].sort());
    expect(model.recommend(user, { n: 0 })).toEqual([]);
  }
});

check('recommendAll agrees with recommend for every user', ({ planted }) => {
  const model = planted();
  const all = [...model.recommendAll({ n: 5 })];
  expect(all.map((e) => e.user)).toEqual([...model.userIds]);
  for (const { user, items } of all) expectSame(items, model.recommend(user, { n: 5 }), `recommendAll ${user}`);
  const some = [...model.recommendAll({ n: 3, users: ['u3', 'u0'], exclude: ['i0'] })];
  expect(some.map((e) => e.user)).toEqual(['u3', 'u0']);
  for (const { user, items } of some) expectSame(items, model.recommend(user, { n: 3, exclude: ['i0'] }), `recommendAll users ${user}`);
});

// 3. Similar items.
check('similarItems / similarUsers never return the query, scores in [-1, 1] best first, every other one beyond the catalogue; refused with a reason where the kind has no vectors', ({ info, planted }) => {
  const model = planted();
  if (!info.capabilities.similar) {
    const error = refusal(() => model.similarItems('i0'));
    expect(error.message).toMatch(/similar|factor|vector/i);
    refusal(() => model.similarUsers('u0'));
    return;
  }
  for (const item of ALL_ITEMS) {
    const similar = model.similarItems(item, { n: ITEMS * 10 });
    expect(similar.map((s) => s.id).sort(), item).toEqual(ALL_ITEMS.filter((i) => i !== item).sort());
    for (const s of similar) expect(s.score >= -1 && s.score <= 1, `${item} ~ ${s.id}: ${s.score}`).toBe(true);
    for (let t = 1; t < similar.length; t++) expect(similar[t].score).toBeLessThanOrEqual(similar[t - 1].score);
    expectSame(model.similarItems(item, { n: 3 }), similar.slice(0, 3), `${item} n=3`);
    expect(model.similarItems(item, { n: 0 })).toEqual([]);
  }
  if (info.capabilities.similar === 'items') {
    // EASE: item–item weights, no user vectors.
    expect(refusal(() => model.similarUsers('u0')).message).toMatch(/similar|factor|vector/i);
    return;
  }
  for (const user of ['u0', 'u1']) {
    const similar = model.similarUsers(user, { n: USERS * 2 });
    expect(similar.map((s) => s.id).sort(), user).toEqual(model.userIds.filter((u) => u !== user).sort());
    for (const s of similar) expect(s.score >= -1 && s.score <= 1, `${user} ~ ${s.id}: ${s.score}`).toBe(true);
  }
});

// 4. Fold-in.
check('foldIn: a new user from a few ratings of one group is recommended that group first, never the rated items', ({ info, fitPlanted }) => {
  const model = fitPlanted();
  const rated = ['i0', 'i1', 'i2'];
  const fold = () => model.foldIn(rated.map((i) => [i, LIKE[info.task]] as [string, number]));
  if (!info.capabilities.foldIn) {
    expect(refusal(fold).message).toMatch(/fold/i);
    return;
  }
  const user = fold();
  expect(model.hasUser(user)).toBe(true);
  const recs = model.recommend(user, { n: ITEMS });
  expect(recs.map((r) => r.item).sort()).toEqual(ALL_ITEMS.filter((i) => !rated.includes(i)).sort());
  expectFinite(recs.map((r) => r.score), 'scores');
  expectFinite(model.scoreAll(user), 'scoreAll');
  const p = model.predict(user, 'i5');
  expect(p.impossible).toBe(false);
  expectFinite([p.estimate, ...model.predictMany(ALL_ITEMS.map((i) => [user, i] as [string, string]))], 'predictions');
  if (info.capabilities.personal) {
    // Its group's remaining items first (the planted structure), all of them.
    const top = recs.slice(0, GROUP_ITEMS - rated.length).map((r) => r.item);
    expect(top.filter((i) => itemGroup(i) !== 0), `top ${top.join(' ')}`).toEqual([]);
  } else {
    expect(model.userFactors(user)?.length).toBe(0);
  }
});

check('scoreHistory / recommendFromHistory: a visitor scored without growing the model, the bits of foldIn + scoreAll / recommend', ({ info, fitPlanted }) => {
  const model = fitPlanted();
  const history = [['i1', LIKE[info.task]], ['i4', LIKE[info.task]], ['i9', LIKE[info.task]], ['no-such-item', LIKE[info.task]]] as [string, number][];
  if (!info.capabilities.foldIn) {
    expect(refusal(() => model.scoreHistory(history)).message).toMatch(/fold|history/i);
    return;
  }
  const users = model.userIds.length, bytes = model.save();
  const scores = model.scoreHistory(history);
  const recs = model.recommendFromHistory(history, { n: ITEMS });
  expect(model.userIds.length, 'the model did not grow').toBe(users);
  expectSameFile(model.save(), bytes, 'after scoreHistory');
  expect(recs.map((r) => r.item).sort()).toEqual(ALL_ITEMS.filter((i) => !['i1', 'i4', 'i9'].includes(i)).sort());
  const user = model.foldIn(history);
  expectSame(Array.from(scores), Array.from(model.scoreAll(user)), 'scoreHistory vs foldIn + scoreAll');
  expectSame(recs, model.recommend(user, { n: ITEMS }), 'recommendFromHistory vs foldIn + recommend');
  expect(refusal(() => model.scoreHistory([['no-such-item', 1]])).message).toMatch(/none of the rated items/);
});

// 5. Save and load.
check('save → load answers bit for bit alike (predict, predictMany, scoreAll, recommend, similar) and saves the same bytes', ({ info, planted }) => {
  const model = planted();
  const bytes = model.save();
  const loaded = FactorModel.load(bytes);
  expect(loaded.constructor).toBe(model.constructor);
  expectSame(answers(loaded, info), answers(model, info), 'loaded');
  expectSameFile(loaded.save(), bytes, 'load → save');
});

check('toState → fromState answers bit for bit alike and saves the same bytes', ({ info, planted }) => {
  const model = planted();
  const restored = FactorModel.fromState(model.toState());
  expect(restored.constructor).toBe(model.constructor);
  expectSame(answers(restored, info), answers(model, info), 'fromState');
  expectSameFile(restored.save(), model.save(), 'fromState → save');
});

check('save → load keeps a folded-in user: same answers, rated items still excluded', ({ info, fitPlanted }) => {
  const model = fitPlanted();
  if (!info.capabilities.foldIn) return;
  const rated = ['i8', 'i9', 'i10'];
  const user = model.foldIn(rated.map((i) => [i, LIKE[info.task]] as [string, number]), { user: 'visitor' });
  const loaded = FactorModel.load(model.save());
  expectSame(answers(loaded, info, [user, 'u0']), answers(model, info, [user, 'u0']), 'loaded');
  expect(loaded.recommend(user, { n: ITEMS }).filter((r) => rated.includes(r.item))).toEqual([]);
});

// 6. onEpoch.
check('onEpoch fires once per epoch, numbered 1..E, as the FitResult reports (epoch 0 once for rating kinds without epochs, none for ranking ones)', ({ info, make, data }) => {
  const reports: EpochReport[] = [];
  // The option that counts epochs is the kind's own ('epochs'; the Bayesian FM's 'samples').
  const epochs = info.capabilities.epochs ? 3 : undefined;
  const model = make(epochs === undefined || info.epochsOption === undefined ? {} : { [info.epochsOption]: epochs });
  const result = model.fit(data.train, { onEpoch: (r) => reports.push(r) });
  expect(reports).toEqual(result.epochs);
  const numbers = reports.map((r) => r.epoch);
  if (info.capabilities.epochs) expect(numbers).toEqual([1, 2, 3]);
  else if (info.task === 'rating') expect(numbers).toEqual([0]); // PureSVD: one point, the model as fitted
  else expect(numbers).toEqual([]); // Popular: counts, no training loop
  // The pass's training loss: `loss.value` (every kind), or `trainRmse` where reports have no `loss`.
  const loss = (r: EpochReport) => (r as unknown as { loss?: { value: number } }).loss?.value ?? (r as unknown as { trainRmse: number }).trainRmse;
  expectFinite(reports.map(loss), 'training loss');
});

// 7. Determinism.
check('the same seed gives the same bytes (two models, and a refit of one)', ({ info, make, data }) => {
  // Kinds without randomness need no seed (Popular takes none).
  const seed = info.capabilities.seeded ? { seed: 7 } : {};
  const a = make(seed), b = make(seed);
  a.fit(data.train);
  b.fit(data.train);
  const bytes = a.save();
  expectSameFile(b.save(), bytes, 'two models of one seed');
  a.fit(data.train);
  expectSameFile(a.save(), bytes, 'a refit');
});

check('another seed gives other factors (seeded kinds); kinds without randomness ignore a seed or refuse it', ({ info, make, data }) => {
  // Factors, not file bytes: the file records the seed among the options.
  const parameters = (m: FactorModel) => {
    const s = m.toState();
    return [s.P, s.Q, s.bu, s.bi];
  };
  if (info.capabilities.seeded) {
    const a = make({ seed: 7 }), b = make({ seed: 8 });
    a.fit(data.train);
    b.fit(data.train);
    expect(firstDifference(parameters(a), parameters(b), 'parameters'), 'seeds 7 and 8 gave the same parameters').toBeDefined();
    return;
  }
  let other: FactorModel;
  try {
    other = make({ seed: 8 });
  } catch (error) {
    // An option the kind does not take is refused, naming it.
    expect(error, String(error)).toBeInstanceOf(LatentrecError);
    expect((error as Error).message).toMatch(/seed/);
    return;
  }
  const plain = make();
  plain.fit(data.train);
  other.fit(data.train);
  expect(firstDifference(parameters(other), parameters(plain), 'parameters')).toBeUndefined();
});

// 8. Degenerate data.
for (const name of degenerateData('rating').map((d) => d.name)) {
  check(`degenerate data (${name}): fits and answers finite, or refuses with a LatentrecError that says why`, ({ info, make }) => {
    const data = degenerateData(info.task).find((d) => d.name === name)!.data;
    const model = make();
    let fitted = false;
    try {
      model.fit(data);
      fitted = true;
    } catch (error) {
      expect(error, String(error)).toBeInstanceOf(LatentrecError);
      expect((error as Error).message.length, 'a refusal says why').toBeGreaterThan(20);
    }
    if (!fitted) return;
    const seen = new Map<string, Set<string>>();
    for (const [u, i] of tripleOf(data)) (seen.get(u) ?? seen.set(u, new Set()).get(u)!).add(i);
    const pairs: [string, string][] = [...tripleOf(data).map(([u, i]) => [u, i] as [string, string]), ...UNKNOWN_PAIRS];
    expectFinite(pairs.map(([u, i]) => model.predict(u, i).estimate), 'predict');
    expectFinite(model.predictMany(pairs), 'predictMany');
    for (const user of model.userIds) {
      expectFinite(model.scoreAll(user), `scoreAll ${user}`);
      const recs = model.recommend(user, { n: 1e6 });
      expect(recs.length).toBe(model.itemIds.length - seen.get(user)!.size);
      expectFinite(recs.map((r) => r.score), `recommend ${user}`);
    }
    // Saveable, and the file answers alike (the bytes of a re-save are check 5's business).
  expectSame(FactorModel.load(model.save()).predictMany(pairs), model.predictMany(pairs), 'loaded predictMany');
  });
}

// 9. Predictions.
check('predict equals predictMany bit for bit; unknown ids give finite estimates flagged impossible; rating kinds stay on the scale', ({ info, planted, data }) => {
  const model = planted();
  const known: [string, string][] = model.userIds.flatMap((u) => ALL_ITEMS.map((i) => [u, i] as [string, string]));
  const pairs = [...known, ...UNKNOWN_PAIRS];
  const single = pairs.map(([u, i]) => model.predict(u, i));
  const many = model.predictMany(pairs);
  expectSame(Array.from(many), single.map((p) => p.estimate), 'predictMany vs predict');
  expectSame(model.predictMany(Dataset.fromTriples(pairs.map(([u, i]) => [u, i, 3]))), many, 'predictMany(Dataset) vs pairs');
  for (const p of single.slice(0, known.length)) expect(p.impossible, `${p.user} ${p.item}`).toBe(false);
  for (const p of single.slice(known.length)) {
    expect(p.impossible).toBe(true);
    expect(p.reason).toMatch(/unknown|neither/);
    expect(Number.isFinite(p.estimate), `${p.user} ${p.item}: ${p.estimate}`).toBe(true);
  }
  expectFinite(many, 'estimates');
  if (info.task === 'rating') {
    const { lo, hi } = data.train.scale;
    for (const p of single) expect(p.estimate >= lo && p.estimate <= hi, `${p.user} ${p.item}: ${p.estimate}`).toBe(true);
  }
});

// 10. partialFit.
check('partialFit continues on new ratings (new users known, their items excluded, onEpoch per epoch); refused with a reason where not supported', ({ info, fitPlanted, data }) => {
  const model = fitPlanted();
  const extra = Dataset.fromTriples([
    ['newbie', 'i0', LIKE[info.task]], ['newbie', 'i1', LIKE[info.task]], ['u0', data.withheld.get('u0')!, LIKE[info.task]],
  ], data.train.scale);
  const reports: number[] = [];
  const partial = () => model.partialFit(extra, { epochs: 2, onEpoch: (r) => reports.push(r.epoch) });
  if (!info.capabilities.partialFit) {
    expect(refusal(partial).message).toMatch(/partialFit/);
    return;
  }
  const result = partial();
  expect(reports).toEqual([1, 2]);
  expect(result.epochs.map((e) => e.epoch)).toEqual([1, 2]);
  expect(model.hasUser('newbie')).toBe(true);
  expect(model.recommend('newbie', { n: ITEMS }).filter((r) => ['i0', 'i1'].includes(r.item))).toEqual([]);
  expect(model.recommend('u0', { n: ITEMS }).map((r) => r.item)).not.toContain(data.withheld.get('u0'));
  expectFinite(model.scoreAll('newbie'), 'scoreAll newbie');
});

// 11. Attributes.
check('features: fit takes user and item attributes, and users and items known by attributes alone are scored (also after load)', ({ info, fitPlanted, make, data }) => {
  if (!info.capabilities.features) {
    const model = fitPlanted() as FactorModel & { addUser?: unknown; addItem?: unknown };
    expect(model.addUser).toBeUndefined();
    expect(model.addItem).toBeUndefined();
    return;
  }
  const userFeatures = parseFeatures(Array.from({ length: USERS }, (_, u) => `${userId(u)},group:${u % 2}`).join('\n'));
  const itemFeatures = parseFeatures(ALL_ITEMS.map((i) => `${i},group:${itemGroup(i)}`).join('\n'));
  const model = make() as FactorModel & { addUser(id: string, f: string[]): string; addItem(id: string, f: string[]): string };
  model.fit(data.train, { userFeatures, itemFeatures } as Parameters<FactorModel['fit']>[1]);
  const loaded = FactorModel.load(model.save()) as typeof model;
  for (const m of [model, loaded]) {
    m.addUser('cold-user', ['group:0']);
    m.addItem('cold-item', ['group:0']);
    expect(m.predict('cold-user', 'cold-item').impossible).toBe(false);
    expectFinite(m.scoreAll('cold-user'), 'scoreAll cold-user');
    expect(m.recommend('cold-user', { n: ITEMS * 2 }).map((r) => r.item)).toContain('cold-item');
  }
  expectSame(loaded.scoreAll('cold-user'), model.scoreAll('cold-user'), 'cold-user after load');
});

// 12. Attributes in fit.
check('attributes: kinds that take them fit with userFeatures / itemFeatures (and the model changes); the others refuse them by name', ({ info, make, data }) => {
  const userFeatures = parseFeatures(Array.from({ length: USERS }, (_, u) => `${userId(u)},group:${u % 2}`).join('\n'));
  const itemFeatures = parseFeatures(ALL_ITEMS.map((i) => `${i},group:${itemGroup(i)}`).join('\n'));
  const fit = (options: object) => {
    const model = make();
    model.fit(data.train, options as Parameters<FactorModel['fit']>[1]);
    return model;
  };
  if (!info.capabilities.attributes) {
    expect(refusal(() => fit({ userFeatures })).message).toMatch(/userFeatures/);
    return;
  }
  const plain = fit({}), withAttributes = fit({ userFeatures, itemFeatures });
  expectFinite(withAttributes.scoreAll(userId(0)), 'scoreAll with attributes');
  expect(Array.from(withAttributes.scoreAll(userId(0)))).not.toEqual(Array.from(plain.scoreAll(userId(0))));
});

// ---------------------------------------------------------------------------------------------
// Registration: every kind x engine runs every check.

let registered = 0;

for (const kind of MODEL_KINDS) {
  const info = modelKindInfo(kind);
  for (const engine of ENGINES) {
    describe(`${kind} (${info.task}) on ${engine}`, () => {
      const data = PLANTED[info.task];
      const make = (overrides = {}) => makeModel(info, engine, overrides);
      const fitPlanted = () => {
        const model = make();
        model.fit(data.train);
        return model;
      };
      let shared: FactorModel | undefined;
      const context: Context = { info, engine, make, fitPlanted, planted: () => (shared ??= fitPlanted()), data };
      for (const c of CHECKS) {
        registered++;
        it(c.name, () => c.run(context));
      }
    });
  }
}

afterAll(() => {
  console.log(`contract suite: ${MODEL_KINDS.length} kinds x ${ENGINES.length} engines x ${CHECKS.length} checks = ${registered} tests`);
});
