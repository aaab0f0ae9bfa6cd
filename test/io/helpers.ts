// Shared helpers of the model-file tests (not a test file).
import fc from 'fast-check';
import { expect } from 'vitest';
import { crc32 } from '../../src/util/crc32.js';
import { checkModelState, ModelFileError, type ModelFileProblem } from '../../src/index.js';
import type { FeatureEmbeddings, ModelState, ModelStateKind } from '../../src/index.js';
import { mulberry32 as rng } from '../prng.js';
import { expectedRating, type OrdinalLink } from '../../src/models/core/link.js';

export { rng };

export const KINDS: ModelStateKind[] = ['svd', 'mf', 'svdpp', 'baseline', 'puresvd', 'imported', 'hybrid', 'bfm', 'ease'];

/** Float32 values that stress bit-exactness: signed zeros, subnormals, extremes below the limit. */
export const SPECIAL_F32 = [
  0, -0, 1, -1, 0.1, -2.5, 1.401298464324817e-45, -1.401298464324817e-45, 1.1754942106924411e-38,
  -5.877471754111438e-39, Math.fround(9.99e14), Math.fround(-9.99e14), Math.fround(Math.PI),
];

export interface StateSpec {
  users: number;
  items: number;
  k: number;
  biased?: boolean;
  seed?: number;
  kind?: ModelStateKind;
  userIds?: string[];
  itemIds?: string[];
  /** Users that rated nothing. */
  emptyUsers?: number[];
  /** Kind 'hybrid' only: the feature names (default: three user features, two item features). */
  userFeatures?: string[];
  itemFeatures?: string[];
}

/**
 * A valid state with pseudo-random factors sprinkled with SPECIAL_F32 values. Kind 'hybrid' gets
 * feature embeddings too, and μ = 0 (LightFM-style: biased, but no global mean).
 */
export function makeState(spec: StateSpec): ModelState {
  const { users, items, k } = spec;
  const biased = spec.biased ?? true;
  const r = rng(spec.seed ?? 1);
  const value = (): number => (r() < 0.2 ? SPECIAL_F32[Math.floor(r() * SPECIAL_F32.length)] : (r() - 0.5) * 2);
  const f32 = (n: number, on = true): Float32Array => Float32Array.from({ length: n }, () => (on ? value() : 0));
  const seenStart = new Uint32Array(users + 1);
  const seen: number[] = [];
  for (let u = 0; u < users; u++) {
    if (items > 0 && !spec.emptyUsers?.includes(u)) {
      for (let i = 0; i < items; i++) if (r() < 0.4) seen.push(i);
    }
    seenStart[u + 1] = seen.length;
  }
  const kind = spec.kind ?? (biased ? 'svd' : 'mf');
  const embeddings = (names: string[], withBiases: boolean): FeatureEmbeddings => ({
    names,
    factors: f32(names.length * k),
    biases: f32(names.length, withBiases),
  });
  const features =
    kind === 'hybrid'
      ? { user: embeddings(spec.userFeatures ?? ['age:30', 'country:fr', 'new'], biased), item: embeddings(spec.itemFeatures ?? ['genre:drama', 'year:1953'], true) }
      : undefined;
  return {
    kind,
    options: { factors: k, lrAll: 0.005, regAll: 0.02, engine: 'wasm', nested: { list: [1, -0, 'x', null, true], empty: {} } },
    factors: k,
    biased,
    mu: biased && kind !== 'hybrid' ? 3.5298600000000003 : 0,
    trainMean: 3.5298600000000003,
    scale: { lo: 1, hi: 5 },
    userIds: spec.userIds ?? Array.from({ length: users }, (_, u) => `u${u}`),
    itemIds: spec.itemIds ?? Array.from({ length: items }, (_, i) => `item ${i}`),
    P: f32(users * k),
    Q: f32(items * k),
    bu: f32(users, biased),
    bi: f32(items, biased),
    seenStart,
    seenItems: Uint32Array.from(seen),
    ...(features && { features }),
  };
}

/** The raw bits of a float32 array, so comparisons see -0 and every subnormal. */
export function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
}

/** Deep equality with bit-identical floats and exact scalars (-0 included). */
export function expectSameState(actual: ModelState, expected: ModelState): void {
  expect(actual.kind).toBe(expected.kind);
  expect(actual.options).toEqual(expected.options);
  expect(actual.factors).toBe(expected.factors);
  expect(actual.biased).toBe(expected.biased);
  expect(Object.is(actual.mu, expected.mu)).toBe(true);
  expect(Object.is(actual.trainMean, expected.trainMean)).toBe(true);
  expect(Object.is(actual.scale.lo, expected.scale.lo) && Object.is(actual.scale.hi, expected.scale.hi)).toBe(true);
  expect(actual.userIds).toEqual(expected.userIds);
  expect(actual.itemIds).toEqual(expected.itemIds);
  for (const name of ['P', 'Q', 'bu', 'bi'] as const) {
    expect(actual[name]).toBeInstanceOf(Float32Array);
    expect(bits(actual[name]), name).toEqual(bits(expected[name]));
  }
  for (const name of ['seenStart', 'seenItems'] as const) {
    expect(actual[name]).toBeInstanceOf(Uint32Array);
    expect(Array.from(actual[name]), name).toEqual(Array.from(expected[name]));
  }
  expect(actual.link, 'link').toEqual(expected.link);
  expect('days' in actual, 'days present').toBe(expected.days !== undefined);
  expect('bag' in actual, 'bag present').toBe(expected.bag !== undefined);
  if (expected.bag) for (const name of ['factors', 'biases'] as const) expect(bits(actual.bag![name]), `bag.${name}`).toEqual(bits(expected.bag[name]));
  expect('itemItem' in actual, 'itemItem present').toBe(expected.itemItem !== undefined);
  if (expected.itemItem) expect(bits(actual.itemItem!), 'itemItem').toEqual(bits(expected.itemItem));
  if (expected.days) {
    for (const name of ['days', 'factors', 'biases'] as const) expect(bits(actual.days![name]), `days.${name}`).toEqual(bits(expected.days[name]));
  }
  expect('features' in actual, 'features present').toBe(expected.features !== undefined);
  if (expected.features === undefined) return;
  for (const side of ['user', 'item'] as const) {
    const a = actual.features![side], e = expected.features[side];
    expect(a.names, `${side} feature names`).toEqual(e.names);
    for (const name of ['factors', 'biases'] as const) {
      expect(a[name]).toBeInstanceOf(Float32Array);
      expect(bits(a[name]), `${side} feature ${name}`).toEqual(bits(e[name]));
    }
  }
}

/** Every prediction the engine could make (same float32 arithmetic as the JS kernel) is a number. */
export function expectNoNaNPredictions(s: ModelState): void {
  const f = Math.fround;
  const k = s.factors;
  for (let u = 0; u < s.userIds.length; u++) {
    for (let i = 0; i < s.itemIds.length; i++) {
      let dot = 0;
      for (let j = 0; j < k; j++) dot = f(dot + f(s.P[u * k + j] * s.Q[i * k + j]));
      const est = f(f(f(f(s.mu) + s.bu[u]) + s.bi[i]) + dot);
      const clipped = s.link ? expectedRating(s.link, est) : Math.min(f(s.scale.hi), Math.max(f(s.scale.lo), est));
      if (Number.isNaN(clipped)) throw new Error(`NaN prediction for user ${u}, item ${i}`);
    }
  }
  if (Number.isNaN(Math.min(s.scale.hi, Math.max(s.scale.lo, s.trainMean)))) throw new Error('NaN fallback');
}

/** A decoded state is usable: it passes the checks, re-encodes, and predicts no NaN. */
export function expectUsable(s: ModelState): void {
  checkModelState(s);
  expectNoNaNPredictions(s);
}

/** The parts of an encoded file. */
export interface FileParts {
  version: number;
  header: Record<string, unknown>;
  /** The bytes between the header's padding and the checksum. */
  data: Uint8Array;
}

export function splitFile(bytes: Uint8Array): FileParts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as Record<string, unknown>;
  const dataStart = Math.ceil((16 + headerLength) / 4) * 4;
  return { version: view.getUint32(8, true), header, data: bytes.slice(dataStart, bytes.length - 4) };
}

/** Builds a file from parts (header as JSON text or object), with a correct checksum. */
export function joinFile(parts: { version?: number; header: unknown; data: Uint8Array; magic?: string }): Uint8Array {
  const headerText = typeof parts.header === 'string' ? parts.header : JSON.stringify(parts.header);
  const headerBytes = new TextEncoder().encode(headerText);
  const dataStart = Math.ceil((16 + headerBytes.length) / 4) * 4;
  const out = new Uint8Array(dataStart + parts.data.length + 4);
  const view = new DataView(out.buffer);
  const magic = parts.magic ?? 'LATENTRC';
  for (let t = 0; t < 8; t++) out[t] = magic.charCodeAt(t);
  view.setUint32(8, parts.version ?? 1, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  out.set(parts.data, dataStart);
  return withCrc(out);
}

/** A copy of the file with its header changed by `edit` (and the checksum recomputed). */
export function editHeader(bytes: Uint8Array, edit: (header: Record<string, any>) => unknown): Uint8Array {
  const parts = splitFile(bytes);
  const result = edit(parts.header);
  return joinFile({ ...parts, header: result === undefined ? parts.header : result });
}

/** A copy of the file with a section's bytes changed by `edit` in place (checksum recomputed). */
export function editSection(bytes: Uint8Array, name: string, edit: (view: DataView, length: number) => void): Uint8Array {
  const parts = splitFile(bytes);
  const sections = parts.header.sections as { name: string; offset: number; length: number }[];
  const s = sections.find((x) => x.name === name)!;
  edit(new DataView(parts.data.buffer, parts.data.byteOffset + s.offset, s.length), s.length);
  return joinFile(parts);
}

/** Replaces the last four bytes with the CRC-32 of the rest (in place; returns the array). */
export function withCrc(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/** Runs `fn` and returns the ModelFileError it throws (failing the test for anything else). */
export function modelFileError(fn: () => unknown): ModelFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ModelFileError) return err;
    throw new Error(`expected a ModelFileError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a ModelFileError, but nothing was thrown');
}

export function expectRefusal(fn: () => unknown, problem: ModelFileProblem, reason: RegExp): ModelFileError {
  const err = modelFileError(fn);
  expect(err.reason).toMatch(reason);
  expect(err.problem, err.reason).toBe(problem);
  expect(err.message).toContain(err.reason);
  return err;
}

// fast-check arbitraries ------------------------------------------------------------------------

const f32Arb = fc.oneof(
  { weight: 4, arbitrary: fc.float({ min: Math.fround(-1e14), max: Math.fround(1e14), noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_F32) },
);

const idArb = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom('', 'Amélie (2001)', '\ud800', 'a\udfffb', '💥', '__proto__', 'constructor', '"\\\n'),
);

const jsonOptions = fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });

/** Arbitrary valid states: small, with every kind of id and float. */
/** An ordinal output's link on the scale [lo, lo + width]: 2-6 levels, increasing cut points, a spread >= 1. */
function linkArb(lo: number, width: number): fc.Arbitrary<OrdinalLink> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 6 })
    .chain((steps) => {
      const levels = [...new Set(steps.sort((a, b) => a - b).map((x) => Math.min(lo + width, lo + (width * x) / 1000)))];
      const gaps = fc.array(fc.double({ min: 0.01, max: 5, noNaN: true }), { minLength: levels.length - 1, maxLength: levels.length - 1 });
      return fc.record({ first: fc.double({ min: -10, max: 10, noNaN: true }), gaps, spread: fc.double({ min: 1, max: 10, noNaN: true }) }).map(({ first, gaps, spread }) => {
        const cutpoints = gaps.map((_, m) => first + gaps.slice(0, m).reduce((x, y) => x + y, 0));
        return { levels, cutpoints, spread };
      });
    })
    .filter((l) => l.levels.length >= 2 && l.cutpoints.every((g, m) => m === 0 || g > l.cutpoints[m - 1]));
}

/** A day group: 0-4 increasing whole days (negative ones too: before 1970), k-wide deviations and offsets. */
function daysArb(k: number): fc.Arbitrary<NonNullable<ModelState['days']>> {
  return fc.uniqueArray(fc.integer({ min: -20_000, max: 40_000 }), { maxLength: 4 }).chain((numbers) => {
    const n = numbers.length;
    const f32s = (count: number) => fc.array(f32Arb, { minLength: count, maxLength: count }).map((a) => Float32Array.from(a));
    return fc.record({ factors: f32s(n * k), biases: f32s(n) }).map(({ factors, biases }) => ({
      days: Float32Array.from(numbers.sort((a, b) => a - b)), factors, biases,
    }));
  });
}

export const stateArb: fc.Arbitrary<ModelState> = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    k: fc.oneof(fc.constantFrom(0, 1, 5), fc.integer({ min: 0, max: 7 })),
    userIds: fc.uniqueArray(idArb, { maxLength: 5 }),
    itemIds: fc.uniqueArray(idArb, { maxLength: 5 }),
    biased: fc.boolean(),
    options: jsonOptions,
    lo: fc.double({ min: -10, max: 10, noNaN: true }),
    width: fc.double({ min: 1e-6, max: 100, noNaN: true }),
    mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  })
  .chain((g) => {
    const users = g.userIds.length, items = g.itemIds.length;
    const f32s = (n: number, on: boolean) =>
      on ? fc.array(f32Arb, { minLength: n, maxLength: n }).map((a) => Float32Array.from(a)) : fc.constant(new Float32Array(n));
    const seenLists = fc.array(items > 0 ? fc.uniqueArray(fc.nat(items - 1), { maxLength: items }) : fc.constant([] as number[]), {
      minLength: users,
      maxLength: users,
    });
    const embeddings = (withBiases: boolean): fc.Arbitrary<FeatureEmbeddings | undefined> =>
      g.kind !== 'hybrid'
        ? fc.constant(undefined)
        : fc
            .uniqueArray(idArb, { maxLength: 4 })
            .chain((names) => fc.record({ names: fc.constant(names), factors: f32s(names.length * g.k, true), biases: f32s(names.length, withBiases) }));
    return fc
      .record({
        P: f32s(users * g.k, true),
        Q: f32s(items * g.k, true),
        bu: f32s(users, g.biased),
        bi: f32s(items, g.biased),
        seen: seenLists,
        userFeatures: embeddings(g.biased),
        itemFeatures: embeddings(true),
        link: g.kind === 'bfm' ? fc.option(linkArb(g.lo, g.width), { nil: undefined }) : fc.constant(undefined),
        days: g.kind === 'bfm' ? fc.option(daysArb(g.k), { nil: undefined }) : fc.constant(undefined),
        bag: g.kind === 'bfm' ? fc.option(fc.record({ factors: f32s(items * g.k, true), biases: f32s(items, true) }), { nil: undefined }) : fc.constant(undefined),
        itemItem: g.kind === 'ease' ? f32s(items * items, true) : fc.constant(undefined),
      })
      .map((a): ModelState => {
        const seenStart = new Uint32Array(users + 1);
        a.seen.forEach((list, u) => (seenStart[u + 1] = seenStart[u] + list.length));
        return {
          kind: g.kind,
          options: g.options as Record<string, unknown>,
          factors: g.k,
          biased: g.biased,
          mu: g.biased ? g.mean : 0,
          trainMean: g.mean,
          scale: { lo: g.lo, hi: g.lo + g.width },
          userIds: g.userIds,
          itemIds: g.itemIds,
          P: a.P,
          Q: a.Q,
          bu: a.bu,
          bi: a.bi,
          seenStart,
          seenItems: Uint32Array.from(a.seen.flat()),
          ...(a.userFeatures && a.itemFeatures && { features: { user: a.userFeatures, item: a.itemFeatures } }),
          ...(a.link && { link: a.link }),
          ...(a.days && { days: a.days }),
          ...(a.bag && { bag: a.bag }),
          ...(a.itemItem && { itemItem: a.itemItem }),
        };
      });
  });

/** A copy of the file with one section's bytes replaced (sections re-laid out, checksum recomputed). */
export function replaceSection(bytes: Uint8Array, name: string, content: Uint8Array | string): Uint8Array {
  const parts = splitFile(bytes);
  const sections = parts.header.sections as { name: string; offset: number; length: number }[];
  const chunks = sections.map((s) =>
    s.name === name ? (typeof content === 'string' ? new TextEncoder().encode(content) : content) : parts.data.slice(s.offset, s.offset + s.length),
  );
  let cursor = 0;
  const laidOut = sections.map((s, t) => {
    const placed = { ...s, offset: cursor, length: chunks[t].length };
    cursor = Math.ceil((cursor + chunks[t].length) / 4) * 4;
    return placed;
  });
  const data = new Uint8Array(cursor);
  laidOut.forEach((s, t) => data.set(chunks[t], s.offset));
  return joinFile({ ...parts, header: { ...parts.header, sections: laidOut }, data });
}
