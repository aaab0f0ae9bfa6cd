// The three wasm builds (relaxed SIMD, SIMD, scalar): which one runs where, every build this
// runtime supports against the js twin at the model level, a forced build the runtime cannot run
// refused with a clear error, and a loaded model serving on the build asked for (and keeping it
// through fold-in and partialFit). Node 20 runs relaxed SIMD only with a V8 flag, so relaxed is
// checked here in a child `node --experimental-wasm-relaxed-simd`, and in Chromium (where it is the
// default) by test/e2e/node-browser-parity.test.ts.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEngine, wasmVariants, type WasmVariant } from '../src/engine/index.js';
import { FactorModel, Features, generateRatings, Hybrid, LatentrecError, MF, OptionError, SVD, SVDpp } from '../src/index.js';
import { repoRoot } from './helpers.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const relaxedHere = wasmVariants().includes('relaxed');

/** The build a model serves on (models have no public accessor for it: read from the fitted state). */
function servingVariant(model: FactorModel): string {
  const internal = (model as unknown as { trained: { engine: { variant: string } } }).trained.engine.variant;
  // The public getter reports the build the model really computes on.
  expect(model.engineVariant).toBe(internal);
  return internal;
}

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let t = 0; t < a.length; t++) worst = Math.max(worst, Math.abs(a[t] - b[t]) / Math.max(1, Math.abs(b[t])));
  return worst;
}

const data = generateRatings({ users: 120, items: 90, ratings: 3000, minPerUser: 5, seed: 5 });

describe('which wasm builds run here', () => {
  it('wasmVariants() lists the supported builds best first (Node 20: simd, scalar), and createEngine picks the first', () => {
    const flagged = process.execArgv.includes(RELAXED_FLAG);
    expect(wasmVariants()).toEqual(flagged ? ['relaxed', 'simd', 'scalar'] : ['simd', 'scalar']);
    expect(createEngine('wasm').variant).toBe(wasmVariants()[0]);
    for (const variant of wasmVariants()) expect(createEngine('wasm', variant).variant).toBe(variant);
    expect(createEngine('js', 'simd').variant).toBe('js'); // the js engine has no builds
  });

  it.skipIf(relaxedHere)('forcing relaxed where the runtime cannot run it is refused, naming what it supports', () => {
    const message =
      'wasm variant "relaxed" is not supported by this runtime (it needs WebAssembly relaxed SIMD: Chromium runs it by default, ' +
      'Node 20 only with --experimental-wasm-relaxed-simd); supported: simd, scalar';
    expect(() => createEngine('wasm', 'relaxed')).toThrow(LatentrecError);
    expect(() => createEngine('wasm', 'relaxed')).toThrow(message);
    // Fitting and loading go through the same check.
    expect(() => new SVD({ factors: 4, epochs: 1, wasmVariant: 'relaxed' }).fit(data)).toThrow(message);
    const model = new SVD({ factors: 4, epochs: 1 });
    model.fit(data);
    expect(() => FactorModel.load(model.save(), { wasmVariant: 'relaxed' })).toThrow(message);
  });

  it('an unknown build is refused: by the option check, and by createEngine', () => {
    expect(() => new SVD({ wasmVariant: 'avx' as WasmVariant })).toThrow(OptionError);
    expect(() => new SVD({ wasmVariant: 'avx' as WasmVariant })).toThrow('option wasmVariant must be one of relaxed, simd, scalar (got "avx")');
    expect(() => createEngine('wasm', 'avx' as WasmVariant)).toThrow('unknown wasm variant "avx"; one of relaxed, simd, scalar');
  });
});

describe.each(wasmVariants())('models on the wasm %s build against the js engine', (variant) => {
  it.each([
    ['SVD', () => new SVD({ factors: 13, epochs: 20, seed: 1, wasmVariant: variant }), () => new SVD({ factors: 13, epochs: 20, seed: 1, engine: 'js' })],
    ['MF', () => new MF({ factors: 8, epochs: 20, seed: 2, wasmVariant: variant }), () => new MF({ factors: 8, epochs: 20, seed: 2, engine: 'js' })],
    ['SVDpp', () => new SVDpp({ factors: 6, epochs: 10, seed: 3, wasmVariant: variant }), () => new SVDpp({ factors: 6, epochs: 10, seed: 3, engine: 'js' })],
  ] as const)('%s: per-epoch train RMSE and predictions agree', (_, makeWasm, makeJs) => {
    const wasm = makeWasm(), js = makeJs();
    const a = wasm.fit(data).epochs.map((e) => e.trainRmse), b = js.fit(data).epochs.map((e) => e.trainRmse);
    expect(servingVariant(wasm)).toBe(variant);
    const estimates = wasm.predictMany(data), expected = js.predictMany(data);
    if (variant === 'relaxed') {
      // relaxed_madd may round a multiply-add once instead of twice, and SGD carries the
      // last-bit differences along: close (about 1e-7 here), not equal.
      expect(maxRelativeDifference(a, b)).toBeLessThan(1e-4);
      expect(maxRelativeDifference(estimates, expected)).toBeLessThan(1e-4);
    } else {
      // simd and scalar do the js engine's float32 operations in its order: the same bits.
      expect(a).toEqual(b);
      expect(Array.from(estimates)).toEqual(Array.from(expected));
    }
  });
});

describe('a loaded model serves on the build asked for', () => {
  const svd = new SVD({ factors: 10, epochs: 10, seed: 4 });
  svd.fit(data);
  const bytes = svd.save();
  const pairs = data.users.raw.slice(0, 10).flatMap((u) => data.items.raw.slice(0, 10).map((i) => [u, i] as const));

  it('by default the best build here; { wasmVariant } forces one; simd and scalar answer bit for bit alike', () => {
    expect(servingVariant(FactorModel.load(bytes))).toBe(wasmVariants()[0]);
    const answers = wasmVariants().map((variant) => {
      const model = FactorModel.load(bytes, { wasmVariant: variant });
      expect(servingVariant(model)).toBe(variant);
      return { variant, estimates: model.predictMany(pairs), scores: model.scoreAll(data.users.raw[0]) };
    });
    const simd = answers.find((a) => a.variant === 'simd')!, scalar = answers.find((a) => a.variant === 'scalar')!;
    expect(Array.from(scalar.estimates)).toEqual(Array.from(simd.estimates));
    expect(Array.from(scalar.scores)).toEqual(Array.from(simd.scores));
    for (const a of answers) expect(maxRelativeDifference(a.estimates, simd.estimates)).toBeLessThan(1e-5);
  });

  it('fromState and restore take the build too', () => {
    const state = svd.toState();
    expect(servingVariant(FactorModel.fromState(state, { wasmVariant: 'scalar' }))).toBe('scalar');
    expect(servingVariant(new SVD({ factors: 10 }).restore(state, { wasmVariant: 'scalar' }))).toBe('scalar');
    // The build asked for applies to that load only.
    expect(servingVariant(FactorModel.fromState(state))).toBe(wasmVariants()[0]);
  });

  it('a Hybrid (which overrides restore) loads on the build asked for', () => {
    const hybrid = new Hybrid({ factors: 6, epochs: 2, seed: 4 });
    hybrid.fit(data, { itemFeatures: Features.fromRecords(data.items.raw.map((id, i) => [id, [`genre:${i % 5}`]] as const)) });
    expect(servingVariant(FactorModel.load(hybrid.save(), { wasmVariant: 'scalar' }))).toBe('scalar');
  });

  it('fold-in (growing the factor memory) and partialFit keep the build', () => {
    const model = FactorModel.load(bytes, { wasmVariant: 'scalar' }) as SVD;
    // A loaded model has no spare user rows: the first fold-in re-creates the engine, larger.
    for (let n = 0; n < 3; n++) model.foldIn([[data.items.raw[n], 4], [data.items.raw[n + 1], 2]]);
    expect(servingVariant(model)).toBe('scalar');
    model.partialFit(generateRatings({ users: 20, items: 90, ratings: 400, minPerUser: 5, seed: 9 }), { epochs: 2 });
    expect(servingVariant(model)).toBe('scalar');
  });

  it('a build forced for fitting is a fitting setting: loading uses the best build unless asked', () => {
    const scalarFit = new SVD({ factors: 10, epochs: 2, seed: 4, wasmVariant: 'scalar' });
    scalarFit.fit(data);
    expect(servingVariant(scalarFit)).toBe('scalar');
    expect(servingVariant(FactorModel.load(scalarFit.save()))).toBe(wasmVariants()[0]);
  });
});

/**
 * Run in a child `node --experimental-wasm-relaxed-simd` (through tsx, on src/): SVD fitted on the
 * relaxed build and on the js engine, same data and seed. Prints one JSON line.
 */
const CHILD = `
const lib = await import(${JSON.stringify(pathToFileURL(resolve(repoRoot, 'src/index.ts')).href)});
const { wasmVariants } = await import(${JSON.stringify(pathToFileURL(resolve(repoRoot, 'src/engine/index.ts')).href)});
const data = lib.generateRatings({ users: 300, items: 200, ratings: 12000, minPerUser: 5, seed: 7 });
const fit = (options) => {
  const model = new lib.SVD({ factors: 24, epochs: 20, seed: 3, ...options });
  const curve = model.fit(data).epochs.map((e) => e.trainRmse);
  return { model, curve, estimates: model.predictMany(data) };
};
const relaxed = fit({ wasmVariant: 'relaxed' }), simd = fit({ wasmVariant: 'simd' }), js = fit({ engine: 'js' });
const maxDiff = (a, b) => a.reduce((m, x, t) => Math.max(m, Math.abs(x - b[t])), 0);
console.log(JSON.stringify({
  variants: wasmVariants(),
  defaultVariant: lib.createEngine('wasm').variant,
  modelVariant: relaxed.model.trained.engine.variant,
  epochs: relaxed.curve.length,
  rmseDiff: maxDiff(relaxed.curve, js.curve),
  predictionDiff: maxDiff(relaxed.estimates, js.estimates),
  simdPredictionDiff: maxDiff(simd.estimates, js.estimates),
  differingFromSimd: relaxed.estimates.filter((x, t) => x !== simd.estimates[t]).length,
  count: relaxed.estimates.length,
}));
`;

describe(`relaxed SIMD in a child node ${RELAXED_FLAG}`, () => {
  it('SVD on the relaxed build agrees with the js engine to 1e-4 (train RMSE every epoch, predictions)', () => {
    const child = spawnSync(process.execPath, [RELAXED_FLAG, '--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: repoRoot, encoding: 'utf8', timeout: 90_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!);
    console.log(`relaxed vs js: train RMSE ${r.rmseDiff.toExponential(2)}, predictions ${r.predictionDiff.toExponential(2)} ` +
      `(simd vs js ${r.simdPredictionDiff.toExponential(2)}); ${r.differingFromSimd} of ${r.count} estimates differ from simd`);
    // It really ran relaxed: the runtime offered it first, and the model's engine is that build.
    expect(r.variants).toEqual(['relaxed', 'simd', 'scalar']);
    expect(r.defaultVariant).toBe('relaxed');
    expect(r.modelVariant).toBe('relaxed');
    expect(r.epochs).toBe(20);
    expect(r.rmseDiff).toBeLessThan(1e-4);
    expect(r.predictionDiff).toBeLessThan(1e-4);
  }, 120_000);
});
