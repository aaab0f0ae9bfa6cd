// The packed tarball as a TypeScript user gets it: installed into a fresh project, a consumer of
// both entries (`latentrec`, `latentrec/node`) type-checks under strict mode with each module
// resolution TypeScript offers — node10 (CommonJS projects of old, which ignore `exports` and
// once could not find latentrec/node), node16 (a CommonJS and an ES module file) and bundler.
// arethetypeswrong checks the same tarball for every subpath and resolution.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const built = existsSync(resolve(repoRoot, 'dist/index.js'));
const dir = mkdtempSync(join(tmpdir(), 'latentrec-types-'));
const project = join(dir, 'project');
let tgz = '';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONSUMER = `import { SVD, Dataset, type FitResult, type RatingEpochReport } from 'latentrec';
import { loadRatingsFile } from 'latentrec/node';
const model: SVD = new SVD({ factors: 2 });
export async function train(path: string): Promise<number> {
  const { dataset } = await loadRatingsFile(path, { threads: 'auto' });
  const data: Dataset = dataset;
  const fit: FitResult<RatingEpochReport> = model.fit(data);
  return fit.epochs.length + model.recommend(data.users.raw[0], { n: 3 }).length;
}
`;

describe.skipIf(!built)(`the packed package's types${built ? '' : ' [skipped: dist/ missing, run npm run build]'}`, () => {
  beforeAll(() => {
    // The tarball npm would publish (its `files`), unpacked where a user's install puts it.
    tgz = execFileSync('npm', ['pack', repoRoot, '--ignore-scripts', '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop()!;
    const installed = join(project, 'node_modules', 'latentrec');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, tgz), '-C', installed, '--strip-components', '1']);
    writeFileSync(join(project, 'consumer.ts'), CONSUMER);
    writeFileSync(join(project, 'consumer.mts'), CONSUMER);
  }, 60_000);

  const cases = [
    { resolution: 'node10', module: 'commonjs', files: ['consumer.ts'] },
    { resolution: 'node16', module: 'node16', files: ['consumer.ts', 'consumer.mts'] },
    { resolution: 'bundler', module: 'esnext', files: ['consumer.ts'] },
  ];
  for (const c of cases) {
    it(`type-checks a strict consumer of latentrec and latentrec/node under moduleResolution ${c.resolution}`, () => {
      const tsc = resolve(repoRoot, 'node_modules/typescript/bin/tsc');
      const r = spawnSync(process.execPath, [
        tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', c.module, '--moduleResolution', c.resolution,
        '--types', 'node', '--typeRoots', resolve(repoRoot, 'node_modules/@types'), ...c.files,
      ], { cwd: project, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    }, 60_000);
  }

  it('is arethetypeswrong-clean: every subpath resolves to the right types under node10, node16 (CJS, ESM) and bundler', () => {
    const attw = resolve(repoRoot, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    const r = spawnSync(process.execPath, [attw, join(dir, tgz), '--format', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName?: string } }> }> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './node', './package.json']);
    for (const [entry, e] of Object.entries(report.analysis.entrypoints)) {
      for (const mode of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) expect(e.resolutions[mode]?.resolution?.fileName, `${entry} ${mode}`).toBeTruthy();
    }
    expect(r.status).toBe(0);
  }, 120_000);
});
