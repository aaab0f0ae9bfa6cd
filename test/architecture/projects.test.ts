// The vitest projects (vitest.config.ts) split the suite: every test file runs in exactly one of
// them, so `npm test` (all projects) runs each file once and `vitest run --project X` runs a
// part. Which files a project takes is asked of vitest itself (`vitest list --filesOnly --json`,
// the same globbing as a run), then checked against the files on disk and against what the files
// use: MovieLens (helpers' ml100kDir) only in parity and e2e, and parity only files that use it;
// the built dist/ only in e2e, and every e2e file uses it. So test:unit needs neither a build nor
// ../shared/data, and a file that starts to need one fails here, naming the project to move it to.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './sources.js';

const PROJECTS = ['unit', 'parity', 'fuzz', 'e2e'] as const;
/** What vitest's default include takes as a test file. */
const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$/;
const USES_ML100K = /\bml100kDir\b/;
/** A path into dist/ in code: 'dist', "dist/…", `${x}/dist/…`. */
const USES_DIST = /['"`]dist['"`/]|\/dist\//;

const toPosix = (p: string) => p.split(sep).join('/');
/** This file, whose patterns above would match themselves. */
const SELF = toPosix(relative(repoRoot, fileURLToPath(import.meta.url)));

/** Test files under test/, repo-relative. */
function testFilesOnDisk(): string[] {
  return readdirSync(resolve(repoRoot, 'test'), { recursive: true, encoding: 'utf8' })
    .map((p) => `test/${toPosix(p)}`)
    .filter((p) => TEST_FILE.test(p) && !p.split('/').includes('node_modules'))
    .sort();
}

/** project name → repo-relative files, as vitest resolves vitest.config.ts. */
function filesByProject(): Map<string, string[]> {
  const vitestBin = resolve(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  // A clean environment for the child: without the VITEST* variables of this worker.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  const out = execFileSync(process.execPath, [vitestBin, 'list', '--filesOnly', '--json'], { cwd: repoRoot, env, encoding: 'utf8', maxBuffer: 16 << 20 });
  const listed = JSON.parse(out.slice(out.indexOf('['))) as Array<{ file: string; projectName?: string }>;
  const byProject = new Map<string, string[]>();
  for (const { file, projectName = '(none)' } of listed) {
    if (!byProject.has(projectName)) byProject.set(projectName, []);
    byProject.get(projectName)!.push(toPosix(relative(repoRoot, file)));
  }
  return byProject;
}

describe('the vitest projects', () => {
  // One child vitest for all the checks below.
  const byProject = filesByProject();
  const projectsOf = new Map<string, string[]>();
  for (const [project, files] of byProject) for (const f of files) projectsOf.set(f, [...(projectsOf.get(f) ?? []), project]);
  const onDisk = testFilesOnDisk();
  const source = (file: string) => (file === SELF ? '' : readFileSync(resolve(repoRoot, file), 'utf8'));

  it(`are exactly ${PROJECTS.join(', ')}`, () => {
    expect([...byProject.keys()].sort()).toEqual([...PROJECTS].sort());
  });

  it('take every test file exactly once', () => {
    const counts = Object.fromEntries([...byProject].map(([p, files]) => [p, files.length]));
    console.log(`test projects: ${onDisk.length} test files; ${JSON.stringify(counts)}`);
    const wrong = onDisk
      .filter((f) => projectsOf.get(f)?.length !== 1)
      .map((f) => `${f}: ${projectsOf.has(f) ? `in ${projectsOf.get(f)!.join(' and ')}` : 'in no project'}`);
    const unknown = [...projectsOf.keys()].filter((f) => !onDisk.includes(f)).map((f) => `${f}: run by vitest but not a test file under test/`);
    expect([...wrong, ...unknown]).toEqual([]);
  });

  it('keep MovieLens (ml100kDir) out of unit and fuzz, and parity to the files that use it', () => {
    const wrong: string[] = [];
    for (const project of ['unit', 'fuzz']) {
      for (const f of byProject.get(project) ?? []) if (USES_ML100K.test(source(f))) wrong.push(`${f} (${project}) reads MovieLens: name it in parity in vitest.config.ts, or move its MovieLens tests into a *-ml100k.test.ts file`);
    }
    for (const f of byProject.get('parity') ?? []) if (!USES_ML100K.test(source(f))) wrong.push(`${f} (parity) does not read MovieLens: drop it from parity in vitest.config.ts`);
    expect(wrong).toEqual([]);
  });

  it('keep the built dist/ to e2e, and e2e to the files that use it', () => {
    const wrong: string[] = [];
    for (const project of ['unit', 'parity', 'fuzz']) {
      for (const f of byProject.get(project) ?? []) if (USES_DIST.test(source(f))) wrong.push(`${f} (${project}) uses dist/: it needs a build, so it belongs in e2e`);
    }
    for (const f of byProject.get('e2e') ?? []) if (!USES_DIST.test(source(f))) wrong.push(`${f} (e2e) does not use dist/: it belongs in unit`);
    expect(wrong).toEqual([]);
  });
});
