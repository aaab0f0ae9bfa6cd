// The published shape: ESM and CommonJS entries load, share one copy of the classes, and work.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const dist = resolve(repoRoot, 'dist');
const built = existsSync(resolve(dist, 'index.js'));

describe.skipIf(!built)(`built package${built ? '' : ' [skipped: dist/ missing, run npm run build]'}`, () => {
  it('CommonJS require and ESM import give working models with the same predictions', async () => {
    const cjs = createRequire(import.meta.url)(resolve(dist, 'index.cjs'));
    const esm = await import(pathToFileURL(resolve(dist, 'index.js')).href);
    const fit = (lib: typeof esm) => {
      const data = lib.generateRatings({ users: 50, items: 30, ratings: 600, minPerUser: 5 });
      const model = new lib.SVD({ factors: 4, epochs: 3 });
      model.fit(data);
      return Array.from(model.predictMany(data) as Float32Array);
    };
    expect(fit(cjs)).toEqual(fit(esm));
    // Messages name the model by its class in both builds (split CommonJS once made them "_class14").
    for (const lib of [cjs, esm]) {
      for (const name of ['SVD', 'BPR', 'Popular']) expect(() => new lib[name]({ n_factors: 3 })).toThrow(new RegExp(`^${name} has no option "n_factors"`));
    }
  });

  it('latentrec/node shares its classes with latentrec (instanceof works across entries), in ESM and CommonJS', async () => {
    const main = await import(pathToFileURL(resolve(dist, 'index.js')).href);
    const node = await import(pathToFileURL(resolve(dist, 'node.js')).href);
    const require = createRequire(import.meta.url);
    const mainCjs = require(resolve(dist, 'index.cjs'));
    const nodeCjs = require(resolve(dist, 'node.cjs'));
    for (const [main_, node_] of [[main, node], [mainCjs, nodeCjs]]) {
      expect(node_.SVD).toBe(main_.SVD);
      expect(node_.Dataset).toBe(main_.Dataset);
      expect(node_.LatentrecError).toBe(main_.LatentrecError);
      const data = main_.generateRatings({ users: 20, items: 10, ratings: 100, minPerUser: 3 });
      expect(data).toBeInstanceOf(node_.Dataset);
      expect(typeof node_.loadRatingsFile).toBe('function');
      expect(main_.loadRatingsFile).toBeUndefined();
    }
  });

  it('the browser entry and every module it imports import no Node built-in', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(resolve(dist, file), 'utf8');
      expect(text, file).not.toMatch(/from ["']node:|import\(["']node:|require\(["']node:|from ["'](fs|path|os|url|worker_threads)["']/);
      // Static and dynamic imports of the package's own modules (./x.js, ../y/z.js).
      for (const m of text.matchAll(/(?:from|import\(?)\s*["'](\.\.?\/[^"']+)["']/g)) {
        visit(relative(dist, resolve(dist, dirname(file), m[1])));
      }
    };
    visit('index.js');
    expect(seen.size).toBeGreaterThan(1);
    // The entry reaches the wasm engine and its builds: the walk follows the per-module layout.
    expect(seen).toContain('engine/wasm-engine.js');
  });

  it('ESM is one module per source file, and node.js re-exports index.js (one copy of each class)', () => {
    expect(existsSync(resolve(dist, 'data/parse.js'))).toBe(true);
    for (const build of ['relaxed', 'simd', 'scalar', 'relaxed-threads', 'simd-threads']) {
      expect(existsSync(resolve(dist, `engine/kernels-${build}.generated.js`))).toBe(true);
    }
    expect(readFileSync(resolve(dist, 'node.js'), 'utf8')).toMatch(/export \* from ["']\.\/index\.js["']/);
  });

  it('package.json exports point at files that exist, with types', () => {
    const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8'));
    for (const entry of ['.', './node']) {
      for (const kind of ['import', 'require']) {
        const target = pkg.exports[entry][kind];
        expect(existsSync(resolve(repoRoot, target.default))).toBe(true);
        expect(existsSync(resolve(repoRoot, target.types))).toBe(true);
      }
    }
    expect(existsSync(resolve(repoRoot, pkg.bin.latentrec))).toBe(true);
  });
});
