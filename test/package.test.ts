// The published shape: ESM and CommonJS entries load, share one copy of the classes, and work.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
  });

  it('latentrec/node shares its classes with latentrec (instanceof works across entries)', async () => {
    const main = await import(pathToFileURL(resolve(dist, 'index.js')).href);
    const node = await import(pathToFileURL(resolve(dist, 'node.js')).href);
    expect(node.SVD).toBe(main.SVD);
    expect(node.Dataset).toBe(main.Dataset);
    expect(typeof node.loadRatingsFile).toBe('function');
    expect(main.loadRatingsFile).toBeUndefined();
  });

  it('the browser entry and its chunks import no Node built-in', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(resolve(dist, file), 'utf8');
      expect(text).not.toMatch(/from ["']node:|require\(["']node:|from ["'](fs|path|os|url)["']/);
      for (const m of text.matchAll(/from ["']\.\/([^"']+)["']/g)) visit(m[1]);
    };
    visit('index.js');
    expect(seen.size).toBeGreaterThan(1);
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
