// Fuzzing decodeModel: whatever the bytes, it either returns a usable state or throws
// ModelFileError; never a TypeError / RangeError from inside, never a hang, never a NaN model.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, ModelFileError } from '../../src/index.js';
import { expectUsable, joinFile, makeState, splitFile, withCrc } from './helpers.js';

/** LATENTREC_FUZZ_SCALE=20 runs twenty times as many cases (for a longer hunt). */
const SCALE = Math.max(1, Number(process.env.LATENTREC_FUZZ_SCALE ?? 1) || 1);
const RUNS = { random: 5000 * SCALE, mutated: 5000 * SCALE, mutatedCrc: 5000 * SCALE, header: 3000 * SCALE, sections: 3000 * SCALE };

/** Outcome counts per property, printed at the end. */
const tallies: Record<string, Record<string, number>> = {};

function check(property: string, bytes: Uint8Array): void {
  const tally = (tallies[property] ??= {});
  let outcome: string;
  try {
    const state = decodeModel(bytes);
    expectUsable(state);
    outcome = 'decoded';
  } catch (err) {
    if (!(err instanceof ModelFileError)) throw err;
    expect(err.reason.length).toBeGreaterThan(10);
    outcome = err.problem;
  }
  tally[outcome] = (tally[outcome] ?? 0) + 1;
}

function cases(property: string): number {
  return Object.values(tallies[property] ?? {}).reduce((a, b) => a + b, 0);
}

afterAll(() => {
  for (const [property, tally] of Object.entries(tallies)) {
    console.log(`decodeModel fuzz ${property}: ${cases(property)} cases ->`, JSON.stringify(tally));
  }
});

/** A few small valid files to mutate. */
const BASES: Uint8Array[] = [
  encodeModel(makeState({ users: 3, items: 4, k: 2, seed: 1, emptyUsers: [1] })),
  encodeModel(makeState({ users: 2, items: 2, k: 0, seed: 2, kind: 'baseline' })),
  encodeModel(makeState({ users: 2, items: 3, k: 3, seed: 3, biased: false, userIds: ['Amélie (2001)', ''] })),
  encodeModel(makeState({ users: 0, items: 0, k: 1, seed: 4 })),
  // a hybrid model: header feature counts and six feature sections to damage as well
  encodeModel(makeState({ users: 3, items: 2, k: 2, seed: 5, kind: 'hybrid', userFeatures: ['age:30', 'Amélie', ''], itemFeatures: ['genre:drama'] })),
];

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'u32'; at: number; value: number };

// Relative positions in [0, 1), uniform (fast-check's bias towards small values, and doubles
// drawn by bit pattern, would pile them onto the magic).
const position = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((x) => x / 1_000_000);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({
    op: fc.constant('u32' as const),
    at: position,
    value: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fc00000, 0x7f800000, 0xff800000), fc.nat()),
  }),
);

function mutate(base: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = base.slice();
  for (const m of mutations) {
    const at = Math.floor(m.at * (b.length + 1));
    switch (m.op) {
      case 'flip':
        if (at < b.length) b[at] ^= 1 << m.bit;
        break;
      case 'set':
        if (at < b.length) b[at] = m.value;
        break;
      case 'insert': {
        const c = new Uint8Array(b.length + m.bytes.length);
        c.set(b.subarray(0, at));
        c.set(m.bytes, at);
        c.set(b.subarray(at), at + m.bytes.length);
        b = c;
        break;
      }
      case 'delete': {
        const c = new Uint8Array(Math.max(0, b.length - m.count));
        c.set(b.subarray(0, Math.min(at, c.length)));
        if (at + m.count < b.length) c.set(b.subarray(at + m.count), at);
        b = c;
        break;
      }
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'u32': {
        const aligned = at - (at % 4);
        if (aligned + 4 <= b.length) new DataView(b.buffer).setUint32(aligned, m.value, true);
        break;
      }
    }
  }
  return b;
}

const baseArb = fc.integer({ min: 0, max: BASES.length - 1 }).map((t) => BASES[t]);

describe('decodeModel fuzzing: a usable state or a ModelFileError, nothing else', () => {
  it(`(a) random byte arrays, also behind a valid prefix and checksum (${RUNS.random} cases)`, () => {
    const prefix = new Uint8Array([...new TextEncoder().encode('LATENTRC'), 1, 0, 0, 0]);
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // valid magic and version, random rest
      fc.uint8Array({ maxLength: 200 }).map((r) => Uint8Array.from([...prefix, ...r])),
      // ... and a matching checksum so the header length and header are looked at
      fc.tuple(fc.integer({ min: 0, max: 80 }), fc.uint8Array({ maxLength: 120 })).map(([hl, r]) => {
        const b = Uint8Array.from([...prefix, hl, 0, 0, 0, ...r, 0, 0, 0, 0]);
        return withCrc(b);
      }),
      // ... or a random JSON header with a matching checksum
      fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ maxLength: 64 })).map(([h, data]) => joinFile({ header: h, data })),
    );
    fc.assert(fc.property(bytesArb, (b) => check('(a) random bytes', b)), { numRuns: RUNS.random });
    expect(cases('(a) random bytes')).toBe(RUNS.random);
  });

  it(`(b) mutated valid files: flips, byte sets, inserts, deletes, truncations (${RUNS.mutated} cases)`, () => {
    fc.assert(
      fc.property(baseArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (base, ms) => check('(b) mutations', mutate(base, ms))),
      { numRuns: RUNS.mutated },
    );
    expect(cases('(b) mutations')).toBe(RUNS.mutated);
    // Every mutation that changes the bytes is caught (by the checksum, length or magic checks).
    expect(tallies['(b) mutations'].decoded ?? 0).toBeLessThan(RUNS.mutated / 20);
  });

  it(`(c) mutated valid files with the checksum recomputed, reaching the semantic checks (${RUNS.mutatedCrc} cases)`, () => {
    fc.assert(
      fc.property(baseArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (base, ms) =>
        check('(c) mutations + valid CRC', withCrc(mutate(base, ms))),
      ),
      { numRuns: RUNS.mutatedCrc },
    );
    expect(cases('(c) mutations + valid CRC')).toBe(RUNS.mutatedCrc);
    const tally = tallies['(c) mutations + valid CRC'];
    expect(tally.checksum ?? 0).toBe(0); // the checksum always matches: other checks did the work
    expect(Object.keys(tally).length).toBeGreaterThanOrEqual(5);
  });

  it(`(c) header fields replaced by arbitrary JSON, re-encoded with a valid checksum (${RUNS.header} cases)`, () => {
    const fields = ['kind', 'options', 'factors', 'biased', 'mu', 'trainMean', 'scale', 'users', 'items', 'seenCount', 'userFeatures', 'itemFeatures', 'sections'];
    const interesting = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(0, -1, 1, 2, 3, 4, 5, 4096, 4097, 2 ** 31, 2 ** 32, 2 ** 53, 1e300, -0, 0.5, '', 'svd', 'imported', 'hybrid', 'userFeatureNames', [], {}, null, true),
    );
    const edit = fc.oneof(
      fc.record({ path: fc.constantFrom(...fields), value: interesting }).map((e) => [e]),
      // a section's name, offset or length
      fc
        .record({ section: fc.integer({ min: 0, max: 14 }), key: fc.constantFrom('name', 'offset', 'length'), value: interesting })
        .map((e) => [{ path: `sections.${e.section}.${e.key}`, value: e.value }]),
      fc.record({ path: fc.constantFrom('scale.lo', 'scale.hi'), value: interesting }).map((e) => [e]),
    );
    fc.assert(
      fc.property(baseArb, fc.array(edit, { minLength: 1, maxLength: 2 }).map((a) => a.flat()), (base, edits) => {
        const parts = splitFile(base);
        const header = structuredClone(parts.header) as Record<string, any>;
        for (const { path, value } of edits) {
          const keys = path.split('.');
          let target: any = header;
          for (const key of keys.slice(0, -1)) target = target !== null && typeof target === 'object' ? target[key] : undefined;
          const key = keys[keys.length - 1];
          // (an edit may have turned a section into an array: do not set an array's length)
          // A copy: constantFrom hands out one {} or [] instance, and two edits placing it at
          // scale and at scale.hi would make the header circular (no JSON at all).
          if (target !== null && typeof target === 'object' && !(Array.isArray(target) && key === 'length')) target[key] = structuredClone(value);
        }
        check('(c) header edits', joinFile({ ...parts, header }));
      }),
      { numRuns: RUNS.header },
    );
    expect(cases('(c) header edits')).toBe(RUNS.header);
  });

  it(`(c) section contents overwritten with float / u32 patterns, valid checksum (${RUNS.sections} cases)`, () => {
    const word = fc.oneof(
      fc.constantFrom(0, 1, 2, 3, 4, 5, 0xffffffff, 0x7fc00000, 0x7f800000, 0xff800000, 0x7f7fffff, 0x5d5e0b6b, 0x80000000, 0x00000001),
      fc.nat(),
    );
    fc.assert(
      fc.property(baseArb, fc.array(fc.tuple(position, word), { minLength: 1, maxLength: 3 }), (base, writes) => {
        const parts = splitFile(base);
        const data = parts.data.slice();
        const view = new DataView(data.buffer);
        for (const [at, value] of writes) {
          const offset = Math.floor((at * data.length) / 4) * 4;
          if (offset + 4 <= data.length) view.setUint32(offset, value, true);
        }
        check('(c) section writes', joinFile({ ...parts, data }));
      }),
      { numRuns: RUNS.sections },
    );
    expect(cases('(c) section writes')).toBe(RUNS.sections);
    expect(tallies['(c) section writes'].values ?? 0).toBeGreaterThan(0);
    expect(tallies['(c) section writes'].seen ?? 0).toBeGreaterThan(0);
  });
});
