// Hybrid (LightFM-style) models in model files: the optional feature-embedding sections, and
// files without them reading exactly as before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkModelState, decodeModel, encodeModel } from '../../src/index.js';
import type { ModelState } from '../../src/index.js';
import { bits, editHeader, editSection, expectRefusal, expectSameState, expectUsable, makeState, replaceSection, splitFile, stateArb } from './helpers.js';

const roundTrip = (s: ModelState): ModelState => decodeModel(encodeModel(s));

/**
 * A hybrid state written out by hand, k = 2. As in LightFM each known user's P row and bias are
 * the sums of its features' (u0 = age:30 + country:fr, u1 = ""), and the same for items
 * (i0 = genre:drama, i1 = 東京, i2 = both); μ is 0 but the model is biased.
 */
function handBuiltHybrid(): ModelState {
  return {
    kind: 'hybrid',
    options: { factors: 2, loss: 'warp', userAlpha: 1e-6 },
    factors: 2,
    biased: true,
    mu: 0,
    trainMean: 3.5,
    scale: { lo: 1, hi: 5 },
    userIds: ['u0', 'u1'],
    itemIds: ['i0', 'i1', 'i2'],
    P: Float32Array.from([0.625, 0.75, -2.5, 3]),
    Q: Float32Array.from([1, 2, -1, 0.5, 0, 2.5]),
    bu: Float32Array.from([-0.25, 0.75]),
    bi: Float32Array.from([0.5, -0.125, 0.375]),
    seenStart: Uint32Array.from([0, 2, 3]),
    seenItems: Uint32Array.from([0, 2, 1]),
    features: {
      user: {
        names: ['age:30', 'country:fr', 'Amélie', ''],
        // -0 and the smallest subnormal must survive bit for bit.
        factors: Float32Array.from([0.5, -0.25, 0.125, 1, -0, 1.401298464324817e-45, -2.5, 3]),
        biases: Float32Array.from([0.25, -0.5, -0, 0.75]),
      },
      item: {
        names: ['genre:drama', '東京'],
        factors: Float32Array.from([1, 2, -1, 0.5]),
        biases: Float32Array.from([0.5, -0.125]),
      },
    },
  };
}

/**
 * An svd model file written by latentrec before hybrid models existed (2 users, 3 items, k = 2),
 * kept as bytes so that the reader is checked against what was really written then.
 */
const FILE_FROM_BEFORE_HYBRID =
  'TEFURU5UUkMBAAAACAIAAHsia2luZCI6InN2ZCIsIm9wdGlvbnMiOnsiZmFjdG9ycyI6MiwibHJBbGwiOjAuMDA1LCJub3RlIjoiQW3DqWxpZSJ9LCJmYWN0b3JzIjoyLCJiaWFzZWQiOnRydWUsIm11IjozLjUsInRyYWluTWVhbiI6My41Mjk4Niwic2NhbGUiOnsibG8iOjEsImhpIjo1fSwidXNlcnMiOjIsIml0ZW1zIjozLCJzZWVuQ291bnQiOjMsInNlY3Rpb25zIjpbeyJuYW1lIjoiUCIsIm9mZnNldCI6MCwibGVuZ3RoIjoxNn0seyJuYW1lIjoiUSIsIm9mZnNldCI6MTYsImxlbmd0aCI6MjR9LHsibmFtZSI6ImJ1Iiwib2Zmc2V0Ijo0MCwibGVuZ3RoIjo4fSx7Im5hbWUiOiJiaSIsIm9mZnNldCI6NDgsImxlbmd0aCI6MTJ9LHsibmFtZSI6InNlZW5TdGFydCIsIm9mZnNldCI6NjAsImxlbmd0aCI6MTJ9LHsibmFtZSI6InNlZW5JdGVtcyIsIm9mZnNldCI6NzIsImxlbmd0aCI6MTJ9LHsibmFtZSI6InVzZXJJZHMiLCJvZmZzZXQiOjg0LCJsZW5ndGgiOjE2fSx7Im5hbWUiOiJpdGVtSWRzIiwib2Zmc2V0IjoxMDAsImxlbmd0aCI6MTR9XX0AAAA/AAAAgAEAAAAAACDAAACAPwAAAEAAAEBAAACAQAAAoEAAAMBAAACAPgAAAL4AAAAAzczMPQAAgL8AAAAAAgAAAAMAAAAAAAAAAgAAAAEAAABbInUwIiwiQW3DqWxpZSJdWyJpMCIsImkxIiwiIl0AAH/+Edc=';

describe('hybrid models round trip', () => {
  it('keeps the feature embeddings bit for bit, with their names, and encodes canonically', () => {
    const s = handBuiltHybrid();
    const bytes = encodeModel(s);
    const back = decodeModel(bytes);
    expectSameState(back, s);
    expectUsable(back);
    expect(back.features!.user.names).toEqual(['age:30', 'country:fr', 'Amélie', '']);
    expect(back.features!.item.names).toEqual(['genre:drama', '東京']);
    expect(bits(back.features!.user.factors).slice(4, 6)).toEqual([0x80000000, 0x00000001]); // -0, smallest subnormal
    expect(Object.is(back.features!.user.biases[2], -0)).toBe(true);
    expect(back.features!.user.factors.buffer).not.toBe(back.P.buffer); // fresh arrays, not views
    expect(encodeModel(back)).toEqual(bytes);
  });

  it('writes userFeatures and itemFeatures in the header and six aligned feature sections after itemIds', () => {
    const bytes = encodeModel(handBuiltHybrid());
    const { header, data } = splitFile(bytes);
    expect(header).toMatchObject({ kind: 'hybrid', biased: true, mu: 0, users: 2, items: 3, userFeatures: 4, itemFeatures: 2 });
    expect(Object.keys(header).slice(-3)).toEqual(['userFeatures', 'itemFeatures', 'sections']);
    const sections = header.sections as { name: string; offset: number; length: number }[];
    expect(sections.map((x) => x.name)).toEqual([
      'P', 'Q', 'bu', 'bi', 'seenStart', 'seenItems', 'userIds', 'itemIds',
      'userFeatureNames', 'userFeatureFactors', 'userFeatureBiases', 'itemFeatureNames', 'itemFeatureFactors', 'itemFeatureBiases',
    ]);
    for (const x of sections) expect(x.offset % 4).toBe(0);
    const at = (name: string) => sections.find((x) => x.name === name)!;
    expect([at('userFeatureFactors').length, at('userFeatureBiases').length, at('itemFeatureFactors').length, at('itemFeatureBiases').length]).toEqual([32, 16, 16, 8]);
    const names = at('userFeatureNames');
    expect(new TextDecoder().decode(data.subarray(names.offset, names.offset + names.length))).toBe('["age:30","country:fr","Amélie",""]');
    // Row 0 of userFeatureFactors is age:30 = (0.5, -0.25), little-endian float32.
    const view = new DataView(data.buffer, data.byteOffset);
    expect([view.getFloat32(at('userFeatureFactors').offset, true), view.getFloat32(at('userFeatureFactors').offset + 4, true)]).toEqual([0.5, -0.25]);
  });

  it('accepts a biased hybrid with mu = 0, and an unbiased one whose user feature biases are 0', () => {
    const s = handBuiltHybrid();
    expect(s.biased && s.mu === 0).toBe(true);
    checkModelState(s);
    const plain = makeState({ users: 3, items: 4, k: 2, kind: 'hybrid', biased: false });
    expect(plain.features!.user.biases.every((v) => v === 0)).toBe(true);
    expect(plain.features!.item.biases.some((v) => v !== 0)).toBe(true); // item biases stay, as bi does
    expectSameState(roundTrip(plain), plain);
  });

  it('handles no features on either side, and no users or items', () => {
    const s = makeState({ users: 2, items: 2, k: 3, kind: 'hybrid', userFeatures: [], itemFeatures: ['only'] });
    expectSameState(roundTrip(s), s);
    const empty = makeState({ users: 0, items: 0, k: 1, kind: 'hybrid', userFeatures: [], itemFeatures: [] });
    expectSameState(roundTrip(empty), empty);
  });

  it('round-trips generated hybrid states (fast-check, 150 cases)', () => {
    let cases = 0;
    fc.assert(
      fc.property(
        stateArb.filter((s) => s.kind === 'hybrid'),
        (s) => {
          cases++;
          const bytes = encodeModel(s);
          const back = decodeModel(bytes);
          expectSameState(back, s);
          expectUsable(back);
          expect(encodeModel(back)).toEqual(bytes);
        },
      ),
      { numRuns: 150 },
    );
    expect(cases).toBe(150);
  });
});

describe('files without feature sections', () => {
  it('decode exactly as before: a file written before hybrid models reads and re-encodes to the same bytes', () => {
    const bytes = Uint8Array.from(Buffer.from(FILE_FROM_BEFORE_HYBRID, 'base64'));
    const s = decodeModel(bytes);
    expect('features' in s).toBe(false);
    expect(s).toMatchObject({ kind: 'svd', factors: 2, biased: true, mu: 3.5, trainMean: 3.52986, userIds: ['u0', 'Amélie'], itemIds: ['i0', 'i1', ''] });
    expect(bits(s.P)).toEqual(bits(Float32Array.from([0.5, -0, 1.401298464324817e-45, -2.5])));
    expect(Array.from(s.seenItems)).toEqual([0, 2, 1]);
    expect(encodeModel(s)).toEqual(bytes);
  });

  it('have no feature counts in the header and no feature sections', () => {
    const { header } = splitFile(encodeModel(makeState({ users: 2, items: 2, k: 2 })));
    expect(Object.hasOwn(header, 'userFeatures') || Object.hasOwn(header, 'itemFeatures')).toBe(false);
    expect((header.sections as unknown[]).length).toBe(8);
  });
});

describe('encodeModel and checkModelState refuse a hybrid state that is inconsistent', () => {
  const cases: [string, (s: ModelState) => void, string, RegExp][] = [
    ['hybrid without features', (s) => void delete s.features, 'header', /kind "hybrid" needs features \(its user and item feature embeddings\) but has none/],
    ['features on a model that is not hybrid', (s) => void (s.kind = 'svd'), 'header', /kind "svd" has features, but only hybrid models carry feature embeddings/],
    ['features that are not an object', (s) => void (s.features = 7 as never), 'header', /features must be an object \{user, item\} \(got number 7\)/],
    ['no item side', (s) => void delete (s.features as Partial<NonNullable<ModelState['features']>>).item, 'header', /features.item must be an object \{names, factors, biases\} \(got undefined\)/],
    ['factors of the wrong length', (s) => void (s.features!.user.factors = new Float32Array(7)), 'section', /userFeatureFactors has 7 values; expected 8 \(userFeatures x k = 4 x 2\)/],
    ['factors as a plain array', (s) => void (s.features!.item.factors = [1, 2, 3, 4] as never), 'section', /itemFeatureFactors must be a Float32Array \(got an array\)/],
    ['biases of the wrong length', (s) => void (s.features!.item.biases = new Float32Array(3)), 'section', /itemFeatureBiases has 3 values; expected 2 \(one per item feature\)/],
    ['NaN in a feature factor', (s) => void (s.features!.user.factors[3] = NaN), 'values', /userFeatureFactors\[3\] \(user feature "country:fr", factor 1\) is NaN; factors and biases must be finite/],
    ['a feature bias beyond the limit', (s) => void (s.features!.item.biases[1] = 3e38), 'values', /itemFeatureBiases\[1\] \(item feature "東京"\) is .*e\+38, beyond ±1000000000000000/],
    ['duplicate feature names', (s) => void (s.features!.item.names = ['genre:drama', 'genre:drama']), 'ids', /itemFeatureNames\[1\] "genre:drama" duplicates itemFeatureNames\[0\]; names must be distinct/],
    ['a feature name that is not a string', (s) => void (s.features!.user.names[1] = 5 as never), 'ids', /userFeatureNames\[1\] is number 5, not a string/],
    [
      'user feature biases in a model that is not biased',
      (s) => {
        s.biased = false;
        s.bu.fill(0);
      },
      'values',
      /userFeatureBiases\[0\] is 0.25 but the model is not biased \(user feature biases must be 0 when biased is false\)/,
    ],
  ];
  for (const [what, spoil, problem, reason] of cases) {
    it(what, () => {
      const s = handBuiltHybrid();
      spoil(s);
      const err = expectRefusal(() => encodeModel(s), problem as never, reason);
      expect(err.reason).toMatch(/^cannot save the model state: .*; fix the state before saving it$/);
      expectRefusal(() => checkModelState(s), problem as never, reason);
    });
  }
});

describe('decodeModel refuses a hybrid file (checksum valid) whose', () => {
  const bytes = encodeModel(handBuiltHybrid());
  const plainBytes = encodeModel(makeState({ users: 2, items: 3, k: 2 }));
  type S = { name: string; offset: number; length: number };

  it('kind is hybrid but the header has no feature counts', () => {
    expectRefusal(
      () => decodeModel(editHeader(plainBytes, (h) => void (h.kind = 'hybrid'))),
      'header',
      /kind "hybrid" needs userFeatures and itemFeatures in the header \(its feature counts\) but it has neither/,
    );
  });

  it('header has feature counts but the kind is not hybrid', () => {
    expectRefusal(
      () => decodeModel(editHeader(bytes, (h) => void (h.kind = 'svd'))),
      'header',
      /the header has userFeatures and itemFeatures but kind "svd" has no feature embeddings \(only hybrid models do\)/,
    );
  });

  it('header has userFeatures but no itemFeatures (or the other way round)', () => {
    expectRefusal(() => decodeModel(editHeader(bytes, (h) => void delete h.itemFeatures)), 'header', /the header has userFeatures but no itemFeatures; a hybrid model's file has both/);
    expectRefusal(() => decodeModel(editHeader(bytes, (h) => void delete h.userFeatures)), 'header', /the header has itemFeatures but no userFeatures/);
  });

  it('feature counts are not whole numbers', () => {
    expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.userFeatures = -1))), 'header', /userFeatures must be a whole number >= 0 \(got number -1\)/);
    expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.itemFeatures = '2'))), 'header', /itemFeatures must be a whole number >= 0 \(got the string "2"\)/);
  });

  for (const name of ['userFeatureNames', 'userFeatureFactors', 'userFeatureBiases', 'itemFeatureNames', 'itemFeatureFactors', 'itemFeatureBiases']) {
    it(`section ${name} is missing`, () => {
      const file = editHeader(bytes, (h) => void (h.sections = (h.sections as S[]).filter((s) => s.name !== name)));
      expectRefusal(() => decodeModel(file), 'section', new RegExp(`section ${name} is missing`));
    });
  }

  it('feature sections appear in a file without feature counts', () => {
    const file = editHeader(bytes, (h) => {
      h.kind = 'svd';
      delete h.userFeatures;
      delete h.itemFeatures;
    });
    expectRefusal(() => decodeModel(file), 'section', /section userFeatureNames is present but the header has no userFeatures and itemFeatures \(only hybrid models have feature sections\)/);
  });

  it('feature counts do not match the sections', () => {
    expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.userFeatures += 1))), 'section', /section userFeatureFactors has 32 bytes; expected 40 \(userFeatures x k = 5 x 2 float32\)/);
    expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.itemFeatures -= 1))), 'section', /section itemFeatureFactors has 16 bytes; expected 8 \(itemFeatures x k = 1 x 2 float32\)/);
    expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.factors = 3))), 'section', /section P has 16 bytes; expected 24/);
  });

  it('feature names do not match the header count', () => {
    expectRefusal(() => decodeModel(replaceSection(bytes, 'userFeatureNames', '["age:30","country:fr","Amélie"]')), 'ids', /userFeatureNames has 3 names; the header says 4/);
    expectRefusal(() => decodeModel(replaceSection(bytes, 'itemFeatureNames', '["genre:drama","東京","x"]')), 'ids', /itemFeatureNames has 3 names; the header says 2/);
  });

  it('feature factors or biases have the wrong length', () => {
    expectRefusal(() => decodeModel(replaceSection(bytes, 'userFeatureFactors', new Uint8Array(28))), 'section', /section userFeatureFactors has 28 bytes; expected 32 \(userFeatures x k = 4 x 2 float32\)/);
    expectRefusal(() => decodeModel(replaceSection(bytes, 'itemFeatureBiases', new Uint8Array(12))), 'section', /section itemFeatureBiases has 12 bytes; expected 8 \(2 item features, float32\)/);
  });

  it('feature values are not finite or too large, naming the feature', () => {
    expectRefusal(
      () => decodeModel(editSection(bytes, 'userFeatureFactors', (v) => v.setFloat32(12, NaN, true))),
      'values',
      /userFeatureFactors\[3\] \(user feature "country:fr", factor 1\) is NaN; factors and biases must be finite/,
    );
    expectRefusal(() => decodeModel(editSection(bytes, 'itemFeatureBiases', (v) => v.setFloat32(4, Infinity, true))), 'values', /itemFeatureBiases\[1\] \(item feature "東京"\) is Infinity/);
    expectRefusal(() => decodeModel(editSection(bytes, 'itemFeatureFactors', (v) => v.setFloat32(0, -2e15, true))), 'values', /itemFeatureFactors\[0\] \(item feature "genre:drama", factor 0\) is -\d+, beyond ±1000000000000000/);
  });

  it('feature names are duplicated, not JSON or not strings', () => {
    expectRefusal(() => decodeModel(replaceSection(bytes, 'itemFeatureNames', '["東京","東京"]')), 'ids', /itemFeatureNames\[1\] "東京" duplicates itemFeatureNames\[0\]; names must be distinct/);
    expectRefusal(() => decodeModel(replaceSection(bytes, 'userFeatureNames', '["age:30",')), 'ids', /section userFeatureNames is not valid JSON/);
    expectRefusal(() => decodeModel(replaceSection(bytes, 'userFeatureNames', '{"a":1}')), 'ids', /userFeatureNames must be an array of strings \(got an object\)/);
    expectRefusal(() => decodeModel(replaceSection(bytes, 'userFeatureNames', Uint8Array.from([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]))), 'ids', /section userFeatureNames is not valid UTF-8/);
  });

  it('sections include an unknown one, or a feature section twice', () => {
    expectRefusal(
      () => decodeModel(editHeader(bytes, (h) => void (h.sections as S[]).push({ name: 'userFeatureWeights', offset: 0, length: 0 }))),
      'section',
      /sections\[14\] has an unknown name "userFeatureWeights" \(expected one of P, .*, itemIds, userFeatureNames, .*, itemFeatureBiases, dayNumbers, dayFactors, dayBiases, bagFactors, bagBiases, itemItem\)/,
    );
    expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.sections as S[]).push({ ...(h.sections as S[])[9] }))), 'section', /section userFeatureFactors appears twice/);
  });

  it('user feature biases are not 0 in a model that is not biased', () => {
    const plain = encodeModel(makeState({ users: 2, items: 2, k: 2, kind: 'hybrid', biased: false }));
    expectRefusal(() => decodeModel(editSection(plain, 'userFeatureBiases', (v) => v.setFloat32(4, 0.5, true))), 'values', /userFeatureBiases\[1\] is 0.5 but the model is not biased/);
  });
});
