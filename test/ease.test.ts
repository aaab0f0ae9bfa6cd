// EASE: its weights against the closed form computed by ml-matrix's inverse, the wasm kernels
// against their js twin bit for bit, scores as sums of the user's rows, and the memory refusal
// (MovieLens 100k: ease-ml100k.test.ts).
import { describe, expect, it } from 'vitest';
import { Dataset, EASE, OptionError, DataError, wasmSimdSupported, type FactorModel } from '../src/index.js';
import { mulberry32 } from './prng.js';

/** A random binary interaction set (users x items, density p), with some (user, item) rows repeated. */
function randomInteractions(users: number, items: number, p: number, seed: number): Dataset {
  const rand = mulberry32(seed), triples: [string, string, number][] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (rand() >= p) continue;
      triples.push([`u${u}`, `i${i}`, 1]);
      if (rand() < 0.1) triples.push([`u${u}`, `i${i}`, 1]);
    }
  }
  return Dataset.fromTriples(triples);
}

/** B = I − P diag(1/diag P), P = (XᵀX + λI)⁻¹, by ml-matrix, in the dataset's item order. */
async function referenceWeights(data: Dataset, reg: number): Promise<number[][]> {
  const { Matrix, inverse } = await import('ml-matrix');
  const n = data.itemCount, X = Matrix.zeros(data.userCount, n);
  for (let t = 0; t < data.size; t++) X.set(data.userIndex[t], data.itemIndex[t], 1);
  const P = inverse(X.transpose().mmul(X).add(Matrix.eye(n).mul(reg)));
  return Array.from({ length: n }, (_, j) => Array.from({ length: n }, (_, i) => (i === j ? 0 : -P.get(j, i) / P.get(i, i))));
}

function weightsOf(model: FactorModel): Float32Array {
  return model.toState().itemItem!;
}

describe('EASE', () => {
  // 37 items: odd (the kernels' odd tails) and not a multiple of four (the blocked Gram's last rows).
  const data = randomInteractions(60, 37, 0.3, 5);

  it('its weights are the closed form (ml-matrix inverse) to float32 precision', async () => {
    for (const reg of [0.5, 20]) {
      const model = new EASE({ reg });
      model.fit(data);
      const B = weightsOf(model), ref = await referenceWeights(data, reg), n = data.itemCount;
      const scale = Math.max(...ref.flat().map(Math.abs));
      let worst = 0;
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(B[j * n + i] - ref[j][i]));
      expect(worst / scale, `reg ${reg}: largest error ${worst} of weights up to ${scale}`).toBeLessThan(1e-6);
      for (let i = 0; i < n; i++) expect(B[i * n + i]).toBe(0);
    }
  });

  it('similarItems ranks by partial correlation −P_ij/√(P_ii P_jj) (ml-matrix inverse); similarUsers is refused', async () => {
    const { Matrix, inverse } = await import('ml-matrix');
    const reg = 5, n = data.itemCount, X = Matrix.zeros(data.userCount, n);
    for (let t = 0; t < data.size; t++) X.set(data.userIndex[t], data.itemIndex[t], 1);
    const P = inverse(X.transpose().mmul(X).add(Matrix.eye(n).mul(reg)));
    const model = new EASE({ reg });
    model.fit(data);
    for (const item of ['i0', 'i7', 'i36']) {
      const i = data.items.get(item);
      const similar = model.similarItems(item, { n: n + 5 });
      expect(similar.map((s) => s.id)).not.toContain(item);
      expect(similar).toHaveLength(n - 1);
      for (const { id, score } of similar) {
        const j = data.items.get(id);
        const expected = -P.get(i, j) / Math.sqrt(P.get(i, i) * P.get(j, j));
        expect(Math.abs(score - expected), `${item} ~ ${id}`).toBeLessThan(1e-5);
        // The same from either side.
        expect(model.similarItems(id, { n }).find((s) => s.id === item)!.score).toBeCloseTo(score, 12);
      }
      for (let t = 1; t < similar.length; t++) expect(similar[t].score).toBeLessThanOrEqual(similar[t - 1].score);
    }
    expect(() => model.similarUsers('u0')).toThrow(/no user vectors.*similarItems works/);
  });

  it('the wasm kernels and the js twin give the same bits, on every wasm build', () => {
    const js = new EASE({ engine: 'js', reg: 3 });
    js.fit(data);
    for (const wasmVariant of ['simd', 'scalar'] as const) {
      const wasm = new EASE({ engine: 'wasm', reg: 3, wasmVariant });
      wasm.fit(data);
      expect(Buffer.from(weightsOf(wasm).buffer).equals(Buffer.from(weightsOf(js).buffer)), wasmVariant).toBe(true);
      expect(Array.from(wasm.scoreAll('u3'))).toEqual(Array.from(js.scoreAll('u3')));
    }
  });

  it('across panels and column tiles (333 items: six panels of 64 rows, the last short and odd; two tiles of 256 columns): the same bits on 1, 2 and 3 threads as the js engine, and the closed form', async () => {
    const wide = randomInteractions(300, 333, 0.06, 8);
    expect(wide.itemCount).toBe(333);
    const js = new EASE({ engine: 'js', reg: 4 });
    js.fit(wide);
    const expected = Buffer.from(weightsOf(js).buffer);
    for (const threads of [1, 2, 3]) {
      const wasm = new EASE({ reg: 4, threads, wasmVariant: 'simd' });
      const fit = wasm.fit(wide);
      expect(fit.threads).toBe(wasmSimdSupported() ? threads : 1);
      expect(Buffer.from(weightsOf(wasm).buffer).equals(expected), `${threads} threads`).toBe(true);
    }
    const B = weightsOf(js), ref = await referenceWeights(wide, 4), n = wide.itemCount;
    const scale = Math.max(...ref.flat().map(Math.abs));
    let worst = 0;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(B[j * n + i] - ref[j][i]));
    expect(worst / scale).toBeLessThan(1e-6);
    expect(() => new EASE({ threads: 0 })).toThrow(OptionError);
  });

  it('a score is the sum of the rows of the user\'s distinct items; predict, scoreAll and recommend agree', () => {
    const model = new EASE({ reg: 2 });
    model.fit(data);
    const B = weightsOf(model), n = data.itemCount, items = model.itemIds;
    for (const user of ['u0', 'u7', 'u33']) {
      const mine = new Set(data.items.raw.filter((_, i) => data.userIndex.some((u, t) => data.users.raw[u] === user && data.itemIndex[t] === i)));
      const rows = [...mine].map((id) => items.indexOf(id)).sort((a, b) => a - b);
      const scores = model.scoreAll(user);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (const j of rows) s = Math.fround(s + B[j * n + i]);
        expect(scores[i], `${user} ${items[i]}`).toBe(s);
        expect(model.predict(user, items[i]).estimate).toBe(s);
      }
      for (const r of model.recommend(user, { n: 5 })) expect(r.score).toBe(scores[items.indexOf(r.item)]);
    }
  });

  it('a folded-in user is scored by their items alone: as a training user with the same items', () => {
    const model = new EASE({ reg: 2 });
    model.fit(data);
    const items = model.itemIds, u5 = model.scoreAll('u5');
    const seen = model.recommend('u5', { n: 1000, excludeSeen: false }).map((r) => r.item).filter((i) => !model.recommend('u5', { n: 1000 }).some((r) => r.item === i));
    const visitor = model.foldIn(seen.map((i) => [i, 1] as [string, number]));
    expect(Array.from(model.scoreAll(visitor))).toEqual(Array.from(u5));
    expect(items.length).toBe(data.itemCount);
  });

  it('refuses a bad reg naming the option, and a catalogue too large for wasm32 memory with the largest that fits', () => {
    for (const reg of [0, -1, Number.NaN]) expect(() => new EASE({ reg })).toThrow(OptionError);
    expect(() => new EASE({ reg: 0 })).toThrow(/reg/);
    // 20,000 items, one interaction each: 20,000² x 12 bytes is about 4.8 GB.
    const wide = Dataset.fromTriples(Array.from({ length: 20_000 }, (_, i) => [`u${i % 50}`, `i${i}`, 1] as [string, string, number]));
    let message = '';
    try {
      new EASE().fit(wide);
    } catch (error) {
      expect(error).toBeInstanceOf(DataError);
      message = (error as Error).message;
    }
    const largest = Number(/the largest catalogue that fits is ([\d,]+) items/.exec(message)?.[1].replace(/,/g, ''));
    // 12 bytes per item pair in 4 GiB: about √(2³²/12) = 18,918 items.
    expect(Math.abs(largest - Math.sqrt(2 ** 32 / 12)), message).toBeLessThan(60);
    expect(message).toMatch(/20,000 items/);
  });
});
