// Determinism (issue 8, item 3): on one engine and wasm build, the same seed gives the same model
// bit for bit — every byte of model.save() — for every model kind; and a different seed gives a
// different model (else the first check could not fail). Kinds without randomness (baseline ALS,
// popularity) say so: their seed changes nothing, their data does. The fits are interleaved
// (seed A, seed B, seed A again), so state leaking from one fit into the next would show.
// Node against Chromium: test/e2e/determinism-browser.test.ts.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../src/data/dataset.js';
import { Features } from '../src/data/features.js';
import { generateRatings } from '../src/data/generate.js';
import { ALS } from '../src/index.js';
import { Baseline } from '../src/index.js';
import { BPR } from '../src/index.js';
import type { FactorModel } from '../src/index.js';
import { Hybrid } from '../src/index.js';
import { MF } from '../src/index.js';
import { Popular } from '../src/index.js';
import { BayesianFM, PureSVD } from '../src/index.js';
import { SVD } from '../src/index.js';
import { SVDpp } from '../src/index.js';
import type { FitResult } from '../src/index.js';

// k = 7: not a multiple of 4, so SIMD padding lanes are exercised and written out unpadded.
const data = generateRatings({ users: 120, items: 300, ratings: 3000, minPerUser: 10, seed: 7 });
const other = generateRatings({ users: 120, items: 300, ratings: 3000, minPerUser: 10, seed: 8 });
const genres = Features.fromRecords(data.items.raw.map((id, i) => [id, [`genre:${i % 5}`, [`decade:${i % 3}`, 0.5]]] as const));

interface Kind {
  make: (seed: number) => FactorModel;
  /** False for kinds that draw no random number: the seed is ignored. */
  random: boolean;
  fit?: (model: FactorModel, data: Dataset) => FitResult;
}

const hybrid = (loss: 'warp' | 'bpr' | 'logistic'): Kind => ({
  make: (seed) => new Hybrid({ factors: 7, epochs: 4, loss, seed }),
  random: true,
  fit: (model, d) => (model as Hybrid).fit(d, { itemFeatures: genres }),
});

const KINDS: Record<string, Kind> = {
  SVD: { make: (seed) => new SVD({ factors: 7, epochs: 8, seed }), random: true },
  "SVD init 'svd'": { make: (seed) => new SVD({ factors: 7, epochs: 8, seed, init: 'svd' }), random: true },
  'SVD threads 2': { make: (seed) => new SVD({ factors: 7, epochs: 8, seed, threads: 2, bins: 4 }), random: true },
  "SVD order 'shuffle'": { make: (seed) => new SVD({ factors: 7, epochs: 8, seed, order: 'shuffle' }), random: true },
  MF: { make: (seed) => new MF({ factors: 7, epochs: 8, seed }), random: true },
  SVDpp: { make: (seed) => new SVDpp({ factors: 7, epochs: 5, seed }), random: true },
  'Baseline als': { make: (seed) => new Baseline({ method: 'als', seed }), random: false },
  'Baseline sgd': { make: (seed) => new Baseline({ method: 'sgd', order: 'shuffle', seed }), random: true },
  PureSVD: { make: (seed) => new PureSVD({ factors: 7, seed }), random: true },
  BayesianFM: { make: (seed) => new BayesianFM({ factors: 7, samples: 20, seed }), random: true },
  'BayesianFM ids': { make: (seed) => new BayesianFM({ factors: 7, samples: 20, seed, bags: [] }), random: true },
  BPR: { make: (seed) => new BPR({ factors: 7, epochs: 10, seed }), random: true },
  ALS: { make: (seed) => new ALS({ factors: 7, epochs: 4, seed }), random: true },
  Popular: { make: () => new Popular(), random: false },
  'Hybrid warp': hybrid('warp'),
  'Hybrid bpr': hybrid('bpr'),
  'Hybrid logistic': hybrid('logistic'),
};

function fitted(kind: Kind, seed: number, on: Dataset = data): { model: FactorModel; result: FitResult; bytes: Uint8Array } {
  const model = kind.make(seed);
  const result = kind.fit ? kind.fit(model, on) : model.fit(on);
  return { model, result, bytes: model.save() };
}

/** Index of the first byte where a and b differ (or where one ends), -1 when identical. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let t = 0; t < n; t++) if (a[t] !== b[t]) return t;
  return a.length === b.length ? -1 : n;
}

/** Every parameter of the model as float bits (P, Q, biases; the hybrid's feature embeddings). */
function parameterBits(model: FactorModel): Uint32Array {
  const s = model.toState();
  const parts = [s.P, s.Q, s.bu, s.bi];
  if (s.features) parts.push(s.features.user.factors, s.features.user.biases, s.features.item.factors, s.features.item.biases);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return new Uint32Array(all.buffer);
}

const sameBits = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((x, t) => x === b[t]);

describe('the same seed gives the same model, bit for bit (wasm SIMD build, Node)', () => {
  it.each(Object.keys(KINDS))('%s', (name) => {
    const kind = KINDS[name];
    const a = fitted(kind, 1), b = fitted(kind, 2), again = fitted(kind, 1);
    expect(a.model.engineVariant).toBe('simd');
    expect(firstDifference(again.bytes, a.bytes), 'first byte that differs between two fits with seed 1').toBe(-1);
    expect(again.result.epochs.map((e) => e.trainRmse)).toEqual(a.result.epochs.map((e) => e.trainRmse));
    // The model learned something that a seed could change: not all zeros, and finite.
    const bits = parameterBits(a.model);
    expect(bits.some((x) => x !== 0)).toBe(true);
    expect(Array.from(new Float32Array(bits.buffer)).every(Number.isFinite)).toBe(true);
    if (kind.random) {
      expect(sameBits(parameterBits(b.model), bits), 'seed 2 gives other parameters than seed 1').toBe(false);
    } else {
      // Nothing random: the seed changes nothing but the options written in the file; other data changes the model.
      expect(sameBits(parameterBits(b.model), bits)).toBe(true);
      expect(sameBits(parameterBits(fitted(kind, 1, other).model), bits)).toBe(false);
    }
    if (name === 'SVD threads 2') {
      expect(a.result.threads).toBe(2);
      // And one thread gives the same bits (the thread count is not part of the model).
      const one = new SVD({ factors: 7, epochs: 8, seed: 1, threads: 1, bins: 4 });
      one.fit(data);
      expect(sameBits(parameterBits(one), bits)).toBe(true);
    }
  });

  it('on the js engine too (SVD, SVDpp, BPR, ALS, Hybrid, BayesianFM)', () => {
    const kinds: Array<[string, (seed: number) => FactorModel]> = [
      ['SVD', (seed) => new SVD({ factors: 7, epochs: 8, seed, engine: 'js' })],
      ['SVDpp', (seed) => new SVDpp({ factors: 7, epochs: 5, seed, engine: 'js' })],
      ['BPR', (seed) => new BPR({ factors: 7, epochs: 10, seed, engine: 'js' })],
      ['ALS', (seed) => new ALS({ factors: 7, epochs: 4, seed, engine: 'js' })],
      ['Hybrid', (seed) => new Hybrid({ factors: 7, epochs: 4, seed, engine: 'js' })],
      ['BayesianFM', (seed) => new BayesianFM({ factors: 7, samples: 20, seed, engine: 'js' })],
      ['BayesianFM ids', (seed) => new BayesianFM({ factors: 7, samples: 20, seed, engine: 'js', bags: [] })],
    ];
    for (const [name, make] of kinds) {
      const a = make(1), b = make(1);
      a.fit(data);
      b.fit(data);
      expect(a.engineVariant).toBe('js');
      expect(firstDifference(a.save(), b.save()), name).toBe(-1);
    }
  });
});
