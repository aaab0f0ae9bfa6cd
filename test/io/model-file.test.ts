import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatentrecError } from '../../src/errors.js';
import { crc32 } from '../../src/util/crc32.js';
import {
  checkModelState,
  decodeModel,
  encodeModel,
  MODEL_FILE_MAGIC,
  MODEL_FILE_VERSION,
  ModelFileError,
} from '../../src/io/model-file.js';
import { MODEL_KINDS, type ModelState } from '../../src/index.js';
import {
  editHeader,
  editSection,
  expectRefusal,
  expectSameState,
  expectUsable,
  joinFile,
  makeState,
  modelFileError,
  replaceSection,
  splitFile,
  stateArb,
  withCrc,
} from './helpers.js';

const roundTrip = (s: ModelState): ModelState => decodeModel(encodeModel(s));

describe('encodeModel / decodeModel round trip', () => {
  for (const k of [0, 1, 5, 64]) {
    it(`k = ${k}: bit-identical factors, biases, seen items, ids and scalars`, () => {
      const s = makeState({ users: 7, items: 9, k, seed: k + 1, emptyUsers: [0, 3], kind: k === 0 ? 'baseline' : 'svd' });
      expect(s.seenStart[1]).toBe(0); // user 0 rated nothing
      expectSameState(roundTrip(s), s);
    });
  }

  it('keeps unicode, empty, lone-surrogate and JSON-special ids', () => {
    const userIds = ['Amélie (2001)', '', '\ud800', 'a\udfffb', '💥 🎬', '"quoted"\\\n\t', '__proto__', 'constructor'];
    const itemIds = ['東京物語 (1953)', 'ø', ' ', '\u0000', 'null'];
    const s = makeState({ users: userIds.length, items: itemIds.length, k: 3, userIds, itemIds });
    const back = roundTrip(s);
    expectSameState(back, s);
    expect(back.userIds[2]).toBe('\ud800');
  });

  it('keeps -0, subnormals and awkward doubles in mu, trainMean and the scale', () => {
    const s = makeState({ users: 2, items: 2, k: 2 });
    s.mu = -0;
    s.trainMean = 0.1 + 0.2;
    s.scale = { lo: -0, hi: 1e-300 };
    s.P.set([-0, 1.401298464324817e-45, -1.1754942106924411e-38, Math.fround(1e-40)]);
    const back = roundTrip(s);
    expect(Object.is(back.mu, -0)).toBe(true);
    expect(back.trainMean).toBe(0.30000000000000004);
    expect(Object.is(back.scale.lo, -0)).toBe(true);
    expect(back.scale.hi).toBe(1e-300);
    expectSameState(back, s);

    const unbiased = makeState({ users: 2, items: 2, k: 1, biased: false });
    unbiased.mu = -0;
    unbiased.bu[0] = -0;
    expectSameState(roundTrip(unbiased), unbiased);
  });

  it('handles no users and no items', () => {
    for (const [users, items] of [[0, 0], [0, 3], [3, 0]]) {
      const s = makeState({ users, items, k: 4 });
      expectSameState(roundTrip(s), s);
    }
  });

  it('keeps the options as JSON (nested, -0, unicode keys), dropping undefined properties', () => {
    const s = makeState({ users: 1, items: 1, k: 1 });
    s.options = { a: { b: [1, -0, 2.5e-310, 'ü', null, false, { c: [] }] }, 'ключ': 'значение', gone: undefined };
    const back = roundTrip(s);
    expect(back.options).toEqual({ a: { b: [1, -0, 2.5e-310, 'ü', null, false, { c: [] }] }, 'ключ': 'значение' });
    expect(Object.is((back.options.a as { b: number[] }).b[1], -0)).toBe(true);
  });

  it('round-trips generated states (fast-check, 400 cases)', () => {
    let cases = 0;
    fc.assert(
      fc.property(stateArb, (s) => {
        cases++;
        const bytes = encodeModel(s);
        const back = decodeModel(bytes);
        expectSameState(back, s);
        expectUsable(back);
        expect(encodeModel(back)).toEqual(bytes); // the encoding is canonical
      }),
      { numRuns: 400 },
    );
    expect(cases).toBe(400);
  });

  it('accepts an ArrayBuffer and a Uint8Array at an odd offset, and returns fresh arrays', () => {
    const s = makeState({ users: 4, items: 5, k: 3 });
    const bytes = encodeModel(s);
    expectSameState(decodeModel(bytes.slice().buffer), s);
    const shifted = new Uint8Array(bytes.length + 7);
    shifted.set(bytes, 3);
    const view = shifted.subarray(3, 3 + bytes.length);
    const back = decodeModel(view);
    expectSameState(back, s);
    shifted.fill(0xee); // the decoded state does not alias the input
    expectSameState(back, s);
    expect(back.P.byteOffset).toBe(0);
    expect(back.P.buffer.byteLength).toBe(back.P.byteLength);
  });

  it('does not modify the state it encodes and encodes deterministically', () => {
    const s = makeState({ users: 3, items: 3, k: 2 });
    const copy = structuredClone(s);
    const a = encodeModel(s);
    expectSameState(s, copy);
    expect(encodeModel(s)).toEqual(a);
  });
});

describe('the byte layout', () => {
  const s = makeState({ users: 2, items: 3, k: 2, seed: 9 });
  s.P.set([1, -2, 0.5, -0]);
  const bytes = encodeModel(s);
  const view = new DataView(bytes.buffer);

  it('is magic, u32 version, u32 header length, JSON header, aligned sections, CRC-32', () => {
    expect(MODEL_FILE_MAGIC).toBe('LATENTRC');
    expect(MODEL_FILE_VERSION).toBe(1);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('LATENTRC');
    expect(Array.from(bytes.subarray(8, 12))).toEqual([1, 0, 0, 0]);
    const headerLength = view.getUint32(12, true);
    const { header } = splitFile(bytes);
    expect(header).toMatchObject({ kind: 'svd', factors: 2, biased: true, users: 2, items: 3, seenCount: s.seenItems.length, scale: { lo: 1, hi: 5 } });
    expect(header.mu).toBe(s.mu);
    const dataStart = Math.ceil((16 + headerLength) / 4) * 4;
    const sections = header.sections as { name: string; offset: number; length: number }[];
    expect(sections.map((x) => x.name)).toEqual(['P', 'Q', 'bu', 'bi', 'seenStart', 'seenItems', 'userIds', 'itemIds']);
    for (const x of sections) expect(x.offset % 4).toBe(0);
    expect(sections.map((x) => x.length).slice(0, 5)).toEqual([16, 24, 8, 12, 12]);
    // P is little-endian float32 regardless of the platform: 1.0 = 00 00 80 3f.
    expect(Array.from(bytes.subarray(dataStart, dataStart + 4))).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect(Array.from(bytes.subarray(dataStart + 12, dataStart + 16))).toEqual([0, 0, 0, 0x80]); // -0
    const ids = sections.find((x) => x.name === 'userIds')!;
    expect(new TextDecoder().decode(bytes.subarray(dataStart + ids.offset, dataStart + ids.offset + ids.length))).toBe('["u0","u1"]');
    const last = sections[sections.length - 1];
    expect(bytes.length).toBe(dataStart + Math.ceil((last.offset + last.length) / 4) * 4 + 4);
    expect(view.getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
  });
});

describe('decodeModel refuses', () => {
  const good = makeState({ users: 4, items: 5, k: 3, seed: 3, emptyUsers: [1] });
  const bytes = encodeModel(good);

  it('empty and too-short input, saying how many bytes were expected', () => {
    expectRefusal(() => decodeModel(new Uint8Array(0)), 'truncated', /file is empty.*expected at least 20 bytes, got 0/);
    for (const n of [1, 4, 7, 8, 11, 12, 15]) {
      expectRefusal(() => decodeModel(bytes.subarray(0, n)), 'truncated', new RegExp(`truncated.*expected at least 20 bytes, got ${n}\\b`));
    }
  });

  it('truncation inside the header, saying how long the header needs the file to be', () => {
    const headerLength = new DataView(bytes.buffer).getUint32(12, true);
    const needed = Math.ceil((16 + headerLength) / 4) * 4 + 4;
    for (const n of [16, 17, 16 + Math.floor(headerLength / 2), 16 + headerLength]) {
      expectRefusal(() => decodeModel(bytes.subarray(0, n)), 'truncated', new RegExp(`header is declared as ${headerLength} bytes.*expected at least ${needed} bytes, got ${n}`));
    }
  });

  it('truncation inside the data or the checksum, naming the full expected length', () => {
    const headerLength = new DataView(bytes.buffer).getUint32(12, true);
    const dataStart = Math.ceil((16 + headerLength) / 4) * 4;
    for (const n of [dataStart + 4, dataStart + 5, Math.floor((dataStart + bytes.length) / 2), bytes.length - 5, bytes.length - 4, bytes.length - 1]) {
      const err = expectRefusal(() => decodeModel(bytes.subarray(0, n)), 'truncated', new RegExp(`expected ${bytes.length} bytes, got ${n} \\(${bytes.length - n} missing\\)`));
      expect(err.reason).toMatch(/copy the file again or re-save/);
    }
  });

  it('bytes appended after the end', () => {
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expectRefusal(() => decodeModel(longer), 'trailing', /3 unexpected bytes after its end \(expected \d+ bytes, got \d+\)/);
  });

  it('flipped bytes anywhere (checksum mismatch: corrupted)', () => {
    const headerLength = new DataView(bytes.buffer).getUint32(12, true);
    const kindAt = new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)).indexOf('"svd"') + 17;
    for (const at of [kindAt, 16 + headerLength + 5, Math.floor(bytes.length / 2), bytes.length - 10, bytes.length - 4, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at] ^= 0x10;
      expectRefusal(() => decodeModel(bad), 'checksum', /corrupted: its checksum is 0x[0-9a-f]{8} but its contents give 0x[0-9a-f]{8}; restore/);
    }
  });

  it('a wrong magic: not a latentrec model file', () => {
    const zip = bytes.slice();
    zip.set([0x50, 0x4b, 0x03, 0x04], 0);
    expectRefusal(() => decodeModel(zip), 'magic', /not a latentrec model file: it starts with 50 4b 03 04/);
    expectRefusal(() => decodeModel(new TextEncoder().encode('{"kind":"svd"}')), 'magic', /not a latentrec model file: it starts with "\{\\"kind\\":", not "LATENTRC"/);
    expectRefusal(() => decodeModel(new TextEncoder().encode('LATX')), 'magic', /not a latentrec model file/);
    const lower = bytes.slice();
    lower[7] = 'c'.charCodeAt(0);
    expectRefusal(() => decodeModel(lower), 'magic', /"LATENTRc", not "LATENTRC"/);
  });

  it('another format version', () => {
    const v2 = joinFile({ ...splitFile(bytes), version: 2 });
    const err = expectRefusal(
      () => decodeModel(v2),
      'version',
      /^written by format version 2; this latentrec reads version 1: re-save the model with a matching version/,
    );
    expect(err.reason).toMatch(/upgrade latentrec/);
    expectRefusal(() => decodeModel(joinFile({ ...splitFile(bytes), version: 0 })), 'version', /written by format version 0; this latentrec reads version 1/);
    // The version is checked before the checksum: a newer format may checksum differently.
    const raw = bytes.slice();
    new DataView(raw.buffer).setUint32(8, 0xffffffff, true);
    expectRefusal(() => decodeModel(raw), 'version', /format version 4294967295/);
  });

  it('anything that is not bytes', () => {
    expectRefusal(() => decodeModel('LATENTRC' as never), 'input', /Uint8Array or ArrayBuffer \(got the string "LATENTRC"\)/);
    expectRefusal(() => decodeModel(undefined as never), 'input', /got undefined/);
  });

  describe('a header (checksum valid) that', () => {
    const parts = splitFile(bytes);
    const withHeaderText = (text: string) => joinFile({ ...parts, header: text });

    it('is not UTF-8 or not JSON or not an object', () => {
      const raw = joinFile({ ...parts, header: 'x' });
      raw[16] = 0xff;
      expectRefusal(() => decodeModel(withCrc(raw)), 'header', /the header is not valid UTF-8/);
      expectRefusal(() => decodeModel(withHeaderText('{"kind":"svd",')), 'header', /the header is not valid JSON/);
      expectRefusal(() => decodeModel(withHeaderText('')), 'header', /not valid JSON/);
      expectRefusal(() => decodeModel(withHeaderText('[1,2]')), 'header', /the header must be a JSON object \(got an array\)/);
      expectRefusal(() => decodeModel(withHeaderText('null')), 'header', /must be a JSON object \(got null\)/);
    });

    for (const field of ['kind', 'options', 'factors', 'biased', 'mu', 'trainMean', 'scale', 'users', 'items', 'seenCount', 'sections']) {
      it(`misses ${field}`, () => {
        expectRefusal(() => decodeModel(editHeader(bytes, (h) => void delete h[field])), 'header', new RegExp(`the header has no field "${field}"`));
      });
    }

    const wrong: [string, unknown, RegExp, string?][] = [
      ['kind', 5, /kind must be a string \(got number 5\)/],
      // The kinds a file may hold are the registry's: every row, and imported factors.
      ['kind', 'knn', new RegExp(`unknown model kind "knn" \\(this latentrec knows ${[...MODEL_KINDS, 'imported'].join(', ')}\\)`)],
      ['options', [], /options must be a JSON object \(got an array\)/],
      ['options', null, /options must be a JSON object \(got null\)/],
      ['factors', 1.5, /factors must be a whole number >= 0 \(got number 1.5\)/],
      ['factors', -1, /factors must be a whole number >= 0/],
      ['factors', '3', /factors must be a whole number >= 0 \(got the string "3"\)/],
      ['factors', 4097, /factors 4097 is beyond 4096, the most latentrec supports/],
      ['factors', 1e9, /factors 1000000000 is beyond 4096/],
      ['biased', 'yes', /biased must be a boolean/],
      ['mu', '3.5', /mu must be a number/],
      ['mu', null, /mu must be a number \(got null\)/],
      ['mu', 1e20, /mu is 100000000000000000000, beyond ±1000000000000000/, 'values'],
      ['trainMean', true, /trainMean must be a number/],
      ['scale', null, /scale must be an object \{lo, hi\}/],
      ['scale', { lo: 1 }, /scale.hi must be a finite number \(got undefined\)/],
      ['scale', { lo: 5, hi: 5 }, /scale.lo \(5\) must be below scale.hi \(5\)/],
      ['scale', { lo: 5, hi: 1 }, /scale.lo \(5\) must be below scale.hi \(1\)/],
      ['scale', { lo: '1', hi: 5 }, /scale.lo must be a finite number/],
      ['users', -1, /users must be a whole number >= 0/],
      ['items', 2.5, /items must be a whole number >= 0/],
      ['seenCount', 2 ** 60, /seenCount must be a whole number >= 0/],
      ['sections', {}, /sections must be an array \(got an object\)/],
    ];
    for (const [field, value, reason, problem] of wrong) {
      it(`has ${field} = ${JSON.stringify(value)}`, () => {
        expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h[field] = value))), (problem ?? 'header') as never, reason);
      });
    }

    it('has non-finite numbers (1e999 parses as Infinity)', () => {
      const text = new TextDecoder().decode(new TextEncoder().encode(JSON.stringify(parts.header)));
      expectRefusal(() => decodeModel(withHeaderText(text.replace(/"mu":[^,]+/, '"mu":1e999'))), 'values', /mu is Infinity; it must be a finite number/);
      expectRefusal(() => decodeModel(withHeaderText(text.replace(/"hi":[^}]+/, '"hi":-1e999'))), 'header', /scale.hi must be a finite number \(got number -Infinity\)/);
      expectRefusal(() => decodeModel(withHeaderText(text.replace(/"options":\{/, '"options":{"x":1e400,'))), 'header', /options.x is Infinity/);
    });

    it('has options nested absurdly deep', () => {
      const text = JSON.stringify(parts.header).replace(/"options":\{/, `"options":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},`);
      expectRefusal(() => decodeModel(withHeaderText(text)), 'header', /options.deep\[0\].* is nested deeper than 64 levels/);
    });

    it('k and users inconsistent with the section lengths', () => {
      expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.factors = 4))), 'section', /section P has 48 bytes; expected 64 \(users x k = 4 x 4 float32\)/);
      expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.users = 5))), 'section', /section P has 48 bytes; expected 60 \(users x k = 5 x 3 float32\)/);
      expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.items = 4))), 'section', /section Q has 60 bytes; expected 48 \(items x k = 4 x 3/);
      expectRefusal(() => decodeModel(editHeader(bytes, (h) => void (h.seenCount += 1))), 'section', /section seenItems has \d+ bytes; expected \d+ \(seenCount = \d+ uint32\)/);
    });
  });

  describe('sections (checksum valid) that are', () => {
    type S = { name: string; offset: number; length: number };
    const edit = (fn: (sections: S[]) => void) => editHeader(bytes, (h) => void fn(h.sections as S[]));
    const find = (sections: S[], name: string) => sections.find((s) => s.name === name)!;

    it('missing, duplicated or unknown', () => {
      expectRefusal(() => decodeModel(edit((s) => void s.splice(1, 1))), 'section', /section Q is missing/);
      expectRefusal(() => decodeModel(edit((s) => void s.push({ ...s[0] }))), 'section', /section P appears twice/);
      expectRefusal(() => decodeModel(edit((s) => void s.push({ name: 'Y', offset: 0, length: 0 }))), 'section', /sections\[8\] has an unknown name "Y"/);
      expectRefusal(() => decodeModel(edit((s) => void (s[2] = 7 as never))), 'header', /sections\[2\] must be an object \{name, offset, length\} \(got number 7\)/);
      expectRefusal(() => decodeModel(edit((s) => void (s[3].offset = -4))), 'header', /section bi: offset must be a whole number >= 0 \(got number -4\)/);
      expectRefusal(() => decodeModel(edit((s) => void (s[3].length = '12' as never))), 'header', /section bi: length must be a whole number >= 0/);
    });

    it('misaligned', () => {
      expectRefusal(() => decodeModel(edit((s) => void (find(s, 'userIds').offset += 2))), 'section', /section userIds starts at offset \d+, not a multiple of 4/);
    });

    it('out of range', () => {
      expectRefusal(() => decodeModel(edit((s) => void (find(s, 'itemIds').offset += 64))), 'section', /section itemIds \(offset \d+, \d+ bytes\) runs past the data area \(\d+ bytes\)/);
      expectRefusal(() => decodeModel(edit((s) => void (find(s, 'P').offset = 2 ** 52))), 'section', /section P \(offset 4503599627370496, 48 bytes\) runs past the data area/);
      expectRefusal(() => decodeModel(edit((s) => void (find(s, 'userIds').length = 2 ** 40))), 'section', /runs past the data area/);
    });

    it('overlapping', () => {
      expectRefusal(() => decodeModel(edit((s) => void (find(s, 'bu').offset = find(s, 'Q').offset + 4))), 'section', /sections Q and bu overlap/);
      expectRefusal(() => decodeModel(edit((s) => void (find(s, 'bi').offset = find(s, 'bu').offset))), 'section', /sections bu and bi overlap/);
    });

    it('followed by unaccounted bytes', () => {
      const parts = splitFile(bytes);
      const data = new Uint8Array(parts.data.length + 8);
      data.set(parts.data);
      expectRefusal(() => decodeModel(joinFile({ ...parts, data })), 'section', /the sections end at \d+ but the data area is \d+ bytes long/);
    });

    it('laid out in another order (accepted: offsets are what count)', () => {
      const parts = splitFile(bytes);
      const sections = parts.header.sections as S[];
      const reordered = replaceSection(joinFile({ ...parts, header: { ...parts.header, sections: [...sections].reverse() } }), 'P', parts.data.slice(0, 48));
      // (the helper re-serializes the header with JSON.stringify, which turns -0 in the options into 0)
      expectSameState(decodeModel(reordered), { ...good, options: JSON.parse(JSON.stringify(good.options)) });
    });
  });

  describe('values (checksum valid) that are', () => {
    it('not finite or too large, naming the array, index, id and factor', () => {
      expectRefusal(() => decodeModel(editSection(bytes, 'P', (v) => v.setFloat32(4 * 4, NaN, true))), 'values', /P\[4\] \(user "u1", factor 1\) is NaN; factors and biases must be finite/);
      expectRefusal(() => decodeModel(editSection(bytes, 'Q', (v) => v.setFloat32(0, -Infinity, true))), 'values', /Q\[0\] \(item "item 0", factor 0\) is -Infinity/);
      expectRefusal(() => decodeModel(editSection(bytes, 'bi', (v) => v.setFloat32(8, Infinity, true))), 'values', /bi\[2\] \(item "item 2"\) is Infinity/);
      expectRefusal(() => decodeModel(editSection(bytes, 'bu', (v) => v.setFloat32(0, 3e38, true))), 'values', /bu\[0\] \(user "u0"\) is \d\.\d+e\+38, beyond ±1000000000000000: such parameters would overflow predictions/);
      expectRefusal(() => decodeModel(editSection(bytes, 'P', (v) => v.setUint32(0, 0x7fc00001, true))), 'values', /P\[0\].* is NaN/);
    });

    it('biases or mu in a model that is not biased', () => {
      const plain = encodeModel(makeState({ users: 2, items: 2, k: 2, biased: false }));
      expectRefusal(() => decodeModel(editHeader(plain, (h) => void (h.mu = 3))), 'values', /mu is 3 but the model is not biased/);
      expectRefusal(() => decodeModel(editSection(plain, 'bu', (v) => v.setFloat32(4, 0.5, true))), 'values', /bu\[1\] is 0.5 but the model is not biased/);
    });
  });

  describe('ids (checksum valid) that are', () => {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['not JSON', '["u0","u1"', /section userIds is not valid JSON/],
      ['not UTF-8', Uint8Array.from([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]), /section userIds is not valid UTF-8/],
      ['not an array', '{"0":"u0"}', /userIds must be an array of strings \(got an object\)/],
      ['not strings', '["u0",1,"u2","u3"]', /userIds\[1\] is number 1, not a string/],
      ['null entries', '["u0",null,"u2","u3"]', /userIds\[1\] is null, not a string/],
      ['duplicated', '["u0","u1","u2","u1"]', /userIds\[3\] "u1" duplicates userIds\[1\]; ids must be distinct/],
      ['too few', '["u0","u1","u2"]', /userIds has 3 ids; the header says 4/],
      ['too many', '["u0","u1","u2","u3",""]', /userIds has 5 ids; the header says 4/],
    ];
    for (const [what, content, reason] of cases) {
      it(what, () => {
        expectRefusal(() => decodeModel(replaceSection(bytes, 'userIds', content)), 'ids', reason);
      });
    }
    it('duplicated among item ids, even when one is empty', () => {
      expectRefusal(() => decodeModel(replaceSection(bytes, 'itemIds', '["","a","b","c",""]')), 'ids', /itemIds\[4\] "" duplicates itemIds\[0\]/);
    });
  });

  describe('seen items (checksum valid) that are', () => {
    const n = good.seenItems.length;
    it('not starting at 0', () => {
      expectRefusal(() => decodeModel(editSection(bytes, 'seenStart', (v) => v.setUint32(0, 1, true))), 'seen', /seenStart\[0\] is 1; it must be 0/);
    });
    it('decreasing', () => {
      expectRefusal(() => decodeModel(editSection(bytes, 'seenStart', (v) => v.setUint32(8, 0xffffffff, true))), 'seen', /seenStart decreases at user 2 \(4294967295 then \d+\)/);
    });
    it('not ending at seenCount', () => {
      expectRefusal(() => decodeModel(editSection(bytes, 'seenStart', (v, len) => v.setUint32(len - 4, n - 1, true))), 'seen', new RegExp(`seenStart ends at ${n - 1} but there are ${n} seen items`));
    });
    it('out of range', () => {
      expectRefusal(() => decodeModel(editSection(bytes, 'seenItems', (v) => v.setUint32(0, 5, true))), 'seen', /seenItems\[0\] is item 5 but there are only 5 items/);
    });
  });
});

describe('encodeModel refuses an inconsistent state (and checkModelState names the problem)', () => {
  const base = (): ModelState => makeState({ users: 3, items: 4, k: 2 });
  const cases: [string, (s: ModelState) => void, string, RegExp][] = [
    ['NaN in P', (s) => void (s.P[3] = NaN), 'values', /P\[3\] \(user "u1", factor 1\) is NaN/],
    ['P of the wrong length', (s) => void (s.P = new Float32Array(5)), 'section', /P has 5 values; expected 6 \(users x k = 3 x 2\)/],
    ['P as a plain array', (s) => void (s.P = [0, 0, 0, 0, 0, 0] as never), 'section', /P must be a Float32Array \(got an array\)/],
    ['seenItems as Int32Array', (s) => void (s.seenItems = new Int32Array(s.seenItems) as never), 'section', /seenItems must be a Uint32Array \(got an Int32Array\)/],
    ['duplicate user ids', (s) => void (s.userIds = ['a', 'b', 'a']), 'ids', /userIds\[2\] "a" duplicates userIds\[0\]/],
    ['k beyond 4096', (s) => void (s.factors = 5000), 'header', /factors 5000 is beyond 4096/],
    ['an unknown kind', (s) => void (s.kind = 'knn' as never), 'header', /unknown model kind "knn"/],
    ['scale lo >= hi', (s) => void (s.scale = { lo: 2, hi: 1 }), 'header', /scale.lo \(2\) must be below scale.hi \(1\)/],
    ['NaN trainMean', (s) => void (s.trainMean = NaN), 'values', /trainMean is NaN; it must be a finite number/],
    ['NaN in the options', (s) => void (s.options = { lr: NaN }), 'header', /options.lr is NaN; options must be finite JSON numbers/],
    ['a function in the options', (s) => void (s.options = { f: () => 1 }), 'header', /options.f is a function; options must be plain JSON data/],
    ['a Date in the options', (s) => void (s.options = { when: new Date(0) }), 'header', /options.when is a Date; options must be plain JSON data/],
    ['a cycle in the options', (s) => { const o: Record<string, unknown> = {}; o.self = o; s.options = o; }, 'header', /options(\.self)+ is nested deeper than 64 levels/],
    ['an undefined array element in the options', (s) => void (s.options = { a: [undefined] }), 'header', /options.a\[0\] is undefined/],
    ['bad seenStart', (s) => void (s.seenStart = new Uint32Array(4).fill(1)), 'seen', /seenStart\[0\] is 1; it must be 0/],
  ];
  for (const [what, spoil, problem, reason] of cases) {
    it(what, () => {
      const s = base();
      spoil(s);
      const err = expectRefusal(() => encodeModel(s), problem as never, reason);
      expect(err.reason).toMatch(/^cannot save the model state: .*; fix the state before saving it$/);
      expectRefusal(() => checkModelState(s), problem as never, reason);
    });
  }

  it('null instead of a state', () => {
    expectRefusal(() => encodeModel(null as never), 'header', /the state is null, not an object/);
  });
});

describe('ModelFileError', () => {
  it('is a LatentrecError with problem, reason and optional path', () => {
    const err = modelFileError(() => decodeModel(new Uint8Array(3)));
    expect(err).toBeInstanceOf(ModelFileError);
    expect(err).toBeInstanceOf(LatentrecError);
    expect(err.name).toBe('ModelFileError');
    expect(err.path).toBeUndefined();
    const named = new ModelFileError('io', 'cannot read', '/x/model.lrm');
    expect(named.message).toBe('/x/model.lrm: cannot read');
    expect(named.reason).toBe('cannot read');
  });
});
