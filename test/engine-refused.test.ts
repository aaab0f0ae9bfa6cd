// A runtime that validates WebAssembly but refuses to compile it, as a browser page does under a
// Content-Security-Policy without 'wasm-unsafe-eval' (Chromium's own refusal is tested in
// test/e2e/browser-csp.test.ts). Here WebAssembly.Module throws Chromium's CompileError before
// the library is first imported, so its detection of the builds sees the refusal.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

type Latentrec = typeof import('../src/index.js');

const CHROMIUM_REFUSAL =
  "WebAssembly.Module(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed " +
  "source of script in the following Content Security Policy directive: \"script-src 'self'\"";

describe('a runtime that refuses to compile WebAssembly', () => {
  let lib: Latentrec;
  const RealModule = WebAssembly.Module;
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

  beforeAll(async () => {
    vi.resetModules();
    (WebAssembly as { Module: unknown }).Module = function Refused(): never {
      throw new WebAssembly.CompileError(CHROMIUM_REFUSAL);
    };
    lib = await import('../src/index.js');
  });

  afterAll(() => {
    (WebAssembly as { Module: unknown }).Module = RealModule;
    warn.mockRestore();
  });

  const data = () => lib.generateRatings({ users: 40, items: 120, ratings: 700, minPerUser: 5, seed: 9 });

  it('lists no wasm build, and says why', () => {
    expect(lib.wasmVariants()).toEqual([]);
    expect(lib.wasmSimdSupported()).toBe(false);
    expect(lib.wasmRefusal()).toBe(`this runtime refuses to compile WebAssembly (${CHROMIUM_REFUSAL})`);
  });

  it('the default engine falls back to js: the same bits as engine js, and a note with the fix', () => {
    const fallback = new lib.SVD({ factors: 4, epochs: 5, seed: 1 });
    const result = fallback.fit(data());
    const js = new lib.SVD({ factors: 4, epochs: 5, seed: 1, engine: 'js' });
    js.fit(data());
    expect(fallback.engineVariant).toBe('js');
    expect(result.notes).toEqual([`running on the js engine: this runtime refuses to compile WebAssembly (${CHROMIUM_REFUSAL}); ${lib.CSP_ADVICE}`]);
    expect(lib.CSP_ADVICE).toMatch(/'wasm-unsafe-eval'/);
    expect(Array.from(fallback.predictMany(data()))).toEqual(Array.from(js.predictMany(data())));
    // The notes are about the engine that runs: no claim of threads the js engine cannot have.
    const threaded = new lib.SVD({ factors: 4, epochs: 2, threads: 4 }).fit(data());
    expect(threaded.threads).toBe(1);
    expect(threaded.notes).toEqual([expect.stringMatching(/^running on the js engine: /), expect.stringMatching(/^running on 1 thread instead of 4: the js engine has no worker threads/)]);
    // Said on the console once, not at every fit.
    new lib.BPR({ factors: 4, epochs: 2 }).fit(data());
    expect(warn.mock.calls.filter((c) => String(c[0]).startsWith('latentrec: running on the js engine'))).toHaveLength(1);
  });

  it("engine 'wasm' and a forced build are refused with a LatentrecError carrying the advice", () => {
    for (const options of [{ engine: 'wasm' as const }, { wasmVariant: 'simd' as const }]) {
      const model = new lib.SVD({ factors: 4, epochs: 2, ...options });
      expect(() => model.fit(data())).toThrow(lib.LatentrecError);
      expect(() => model.fit(data())).toThrow(/refuses to compile WebAssembly.*'wasm-unsafe-eval'/);
      expect(model.isFitted).toBe(false);
    }
    expect(() => lib.createEngine('wasm')).toThrow(/'wasm-unsafe-eval'/);
    expect(lib.createEngine().name).toBe('js');
  });

  it('a model file saved elsewhere loads and serves on the js engine', () => {
    const js = new lib.SVD({ factors: 4, epochs: 3, engine: 'js' });
    js.fit(data());
    const loaded = lib.FactorModel.load(js.save());
    expect(loaded.engineVariant).toBe('js');
    expect(loaded.predict('1', '2').estimate).toBe(js.predict('1', '2').estimate);
  });
});

describe('model files under a refusing runtime (saved by a runtime that ran wasm)', () => {
  it("a file whose model fitted on wasm loads and serves on the js engine; files say 'wasm' for 'auto'", async () => {
    // Fitted and saved with WebAssembly working: the options say engine 'auto' (the default) or 'wasm'.
    vi.resetModules();
    const working = await import('../src/index.js');
    const data = working.generateRatings({ users: 30, items: 40, ratings: 500, minPerUser: 5, seed: 4 });
    const byDefault = new working.SVD({ factors: 3, epochs: 3 });
    byDefault.fit(data);
    const forced = new working.SVD({ factors: 3, epochs: 3, engine: 'wasm' });
    forced.fit(data);
    // What earlier releases wrote and read: 'wasm' (they refuse 'auto').
    expect(working.decodeModel(byDefault.save()).options.engine).toBe('wasm');
    const RealModule = WebAssembly.Module;
    vi.resetModules();
    (WebAssembly as { Module: unknown }).Module = function Refused(): never {
      throw new WebAssembly.CompileError(CHROMIUM_REFUSAL);
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const refusing = await import('../src/index.js');
      for (const model of [byDefault, forced]) {
        const loaded = refusing.FactorModel.load(model.save());
        expect(loaded.engineVariant).toBe('js');
        expect(loaded.options).toMatchObject({ engine: 'auto' });
        const u = data.users.raw[0];
        const scores = Array.from(loaded.scoreAll(u)), original = Array.from(model.scoreAll(u));
        for (let i = 0; i < scores.length; i++) expect(scores[i]).toBeCloseTo(original[i], 5);
      }
    } finally {
      (WebAssembly as { Module: unknown }).Module = RealModule;
      warn.mockRestore();
    }
  });
});
