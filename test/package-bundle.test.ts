// The published package tree-shakes: a browser bundle (esbuild, minified) of one import from
// `latentrec` carries only what that import reaches, and of the five wasm builds only those its
// code can pick. Bundles the built dist/ through package.json "exports", as an app would.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const dist = resolve(repoRoot, 'dist');
const built = existsSync(resolve(dist, 'index.js')) && existsSync(resolve(dist, 'engine/wasm-engine.js'));
const reason = existsSync(resolve(dist, 'index.js'))
  ? 'dist/ is not the per-module build, run npm run build'
  : 'dist/ missing, run npm run build';

/** The builds, by the suffix of their generated module (dist/engine/kernels-<build>.generated.js). */
const BUILDS = ['relaxed', 'simd', 'scalar', 'relaxed-threads', 'simd-threads'] as const;
type Build = (typeof BUILDS)[number];
/** What a model that runs blocked SGD can pick: one of the first three by feature detection, one of the -threads two on worker threads. */
const ANY_BUILD: readonly Build[] = BUILDS;
/** "\0asm" in base64: the start of every embedded build. */
const WASM_BASE64_MAGIC = 'AGFzbQ';

interface Bundle {
  text: string;
  minified: number;
  gzip: number;
  builds: Build[];
}

describe.skipIf(!built)(`browser bundles of the built package${built ? '' : ` [skipped: ${reason}]`}`, () => {
  const esbuild = createRequire(resolve(repoRoot, 'package.json'))('esbuild') as typeof import('esbuild');
  let dir: string;
  /** Each build's base64, as the generated module embeds it. */
  const base64 = new Map<Build, string>();
  const sizes: Record<string, { minified: number; gzip: number; builds: string }> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'latentrec-bundle-'));
    // An app that depends on latentrec: node_modules/latentrec is this repository.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(repoRoot, join(dir, 'node_modules', 'latentrec'), 'dir');
    for (const build of BUILDS) {
      const text = readFileSync(resolve(dist, `engine/kernels-${build}.generated.js`), 'utf8');
      const found = /'(AGFzbQ[A-Za-z0-9+/=]+)'|"(AGFzbQ[A-Za-z0-9+/=]+)"/.exec(text);
      expect(found, `dist/engine/kernels-${build}.generated.js embeds a wasm build`).not.toBeNull();
      base64.set(build, found![1] ?? found![2]);
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (Object.keys(sizes).length > 0) {
      console.log('browser bundles (esbuild, minified; gzip -9):');
      console.table(sizes);
    }
  });

  /** `import { names } from 'latentrec'`, used, bundled for the browser as ESM and minified. */
  async function bundle(names: string[]): Promise<Bundle> {
    const entry = join(dir, `${names.join('-')}.js`);
    writeFileSync(entry, `import { ${names.join(', ')} } from 'latentrec';\nconsole.log(${names.join(', ')});\n`);
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      minify: true,
      logLevel: 'silent',
    });
    const text = result.outputFiles[0].text;
    const builds = BUILDS.filter((build) => text.includes(base64.get(build)!));
    const out = { text, minified: text.length, gzip: gzipSync(text, { level: 9 }).length, builds };
    sizes[`{ ${names.join(', ')} }`] = { minified: out.minified, gzip: out.gzip, builds: builds.join(' ') || 'none' };
    return out;
  }

  it('import { parseRatings } is under 30 kB and carries no wasm', async () => {
    const b = await bundle(['parseRatings']);
    expect(b.minified).toBeLessThan(30_000);
    expect(b.builds).toEqual([]);
    expect(b.text).not.toContain(WASM_BASE64_MAGIC);
  });

  it('import { rmse } is a few hundred bytes', async () => {
    const b = await bundle(['rmse']);
    expect(b.minified).toBeLessThan(1_000);
    expect(b.text).not.toContain(WASM_BASE64_MAGIC);
  });

  it('import { SVD } carries only builds SVD can pick, and every one it picks by feature detection', async () => {
    const b = await bundle(['SVD']);
    // relaxed / simd / scalar: whichever this runtime validates first; relaxed-threads /
    // simd-threads: blocked SGD on worker threads (threads > 1).
    for (const build of b.builds) expect(ANY_BUILD).toContain(build);
    expect(b.builds).toEqual(expect.arrayContaining(['relaxed', 'simd', 'scalar']));
    // Nothing embedded but the known builds (a stray copy would be a sixth).
    expect(b.text.split(WASM_BASE64_MAGIC).length - 1).toBe(b.builds.length);
  });

  it('import { EASE } carries the threads builds too (its steps run on worker threads)', async () => {
    const b = await bundle(['EASE']);
    expect(b.builds).toEqual(expect.arrayContaining(['relaxed', 'simd', 'scalar', 'relaxed-threads', 'simd-threads']));
  });

  it('import { Baseline } carries the three single-thread builds only (it trains on no worker thread)', async () => {
    const b = await bundle(['Baseline']);
    expect(b.builds).toEqual(['relaxed', 'simd', 'scalar']);
  });

  it('import { SVDpp } carries the threads builds too (users on worker threads, Hogwild)', async () => {
    const b = await bundle(['SVDpp']);
    expect(b.builds).toEqual(expect.arrayContaining(['relaxed', 'simd', 'scalar', 'relaxed-threads', 'simd-threads']));
  });

  it('import { BPR } carries the threads builds too (blocked order on worker threads)', async () => {
    const b = await bundle(['BPR']);
    expect(b.builds).toEqual(expect.arrayContaining(['relaxed', 'simd', 'scalar', 'relaxed-threads', 'simd-threads']));
  });
});
