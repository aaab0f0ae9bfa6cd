// `latentrec import` and `latentrec export` (Spark MLlib ALS factors as JSON lines), run as a user
// runs them: dist/cli/main.js from `npm run build`. What the files hold is checked with the
// library (importSparkAls, the saved model's accessors), not with the command itself.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EASE, FactorModel, SVD, generateRatings, importSparkAls, toImplicit } from '../src/index.js';
import { loadModelFromFile, saveModelFile } from '../src/node.js';
import { repoRoot } from './helpers.js';

const cli = resolve(repoRoot, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'latentrec-spark-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const at = (name: string) => join(dir, name);
const read = (name: string) => readFileSync(at(name), 'utf8');
const hash = (name: string) => createHash('sha256').update(readFileSync(at(name))).digest('hex');
/** Every file in the test's folder (temp files included) with its content hash. */
const listing = () => readdirSync(dir).sort().map((f) => [f, hash(f)]);

// Canonical Spark lines: integer ids as numbers, other ids as strings, the shortest float32 decimals.
const USERS = ['{"id":1,"features":[0.5,-0.25,1]}', '{"id":7,"features":[0,2,-1.5]}', '{"id":"anna","features":[0.001,0.1,0.2]}'].join('\n') + '\n';
const ITEMS = ['{"id":10,"features":[1,0.5,0]}', '{"id":"Amélie (2001)","features":[0.2,0.3,0.4]}'].join('\n') + '\n';
const svd = new SVD({ factors: 4, epochs: 10, lrAll: 0.02 });

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm ci does it)`);
  writeFileSync(at('users.jsonl'), USERS);
  writeFileSync(at('items.jsonl'), ITEMS);
  writeFileSync(at('notes.txt'), 'my notes\n');
  const ratings = generateRatings({ users: 50, items: 40, ratings: 1200, seed: 2 });
  svd.fit(ratings);
  await saveModelFile(at('svd.lrec'), svd.toState());
  const ease = new EASE({ reg: 10 });
  ease.fit(toImplicit(ratings, { threshold: 4 }));
  await saveModelFile(at('ease.lrec'), ease.toState());
});

describe('latentrec import', () => {
  it('reads Spark factor files into a model file: the factors, ids and scale importSparkAls reads', async () => {
    const r = run('import', '--spark-users', 'users.jsonl', '--spark-items', 'items.jsonl', '--save', 'imported.lrec', '--scale', '0,10', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      users: 3, items: 2, factors: 3, scale: { lo: 0, hi: 10 },
      files: { sparkUsers: 'users.jsonl', sparkItems: 'items.jsonl', save: 'imported.lrec' },
    });
    const model = await loadModelFromFile(at('imported.lrec'));
    const expected = importSparkAls(USERS, ITEMS, { scale: { lo: 0, hi: 10 } });
    const state = model.toState();
    expect(state.kind).toBe('imported');
    expect(state.userIds).toEqual(['1', '7', 'anna']);
    expect(state.itemIds).toEqual(['10', 'Amélie (2001)']);
    expect(Array.from(state.P)).toEqual(Array.from(expected.P));
    expect(Array.from(state.Q)).toEqual(Array.from(expected.Q));
    expect(state.scale).toEqual({ lo: 0, hi: 10 });
    // p_1·q_10 = 0.5 - 0.125 + 0 = 0.375, clipped to nothing on 0..10.
    expect(model.predict('1', '10').estimate).toBe(0.375);
  });

  it('without --json: one line per file written and the summary, naming the default scale', () => {
    const r = run('import', '--spark-users', 'users.jsonl', '--spark-items', 'items.jsonl', '--save', 'text.lrec');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model written to text\.lrec\n3 users, 2 items, k=3, scale 1\.\.5 \(the default: Spark does not store one; give --scale LO,HI\)\n$/);
  });

  it('a malformed line: the error names file, line and field, and nothing is written', () => {
    writeFileSync(at('bad-users.jsonl'), `${USERS}{"id":8,"features":[1,"x",3]}\n`);
    writeFileSync(at('bad-items.jsonl'), '{"id":10,"features":[1,0.5,0]}\n{"id":11,"features":[1,0.5]\n');
    const before = listing();
    let r = run('import', '--spark-users', 'bad-users.jsonl', '--spark-items', 'items.jsonl', '--save', 'never.lrec');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('latentrec: bad-users.jsonl:4: features[1]: not a number (got "x")\n');
    expect(r.stdout).toBe('');
    r = run('import', '--spark-users', 'users.jsonl', '--spark-items', 'bad-items.jsonl', '--save', 'never.lrec', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^latentrec: bad-items\.jsonl:2: \(json\): malformed JSON/);
    expect(r.stdout).toBe('');
    // Items of another rank than the users: named in the item file, against the user file.
    writeFileSync(at('rank2.jsonl'), '{"id":10,"features":[1,0.5]}\n');
    r = run('import', '--spark-users', 'users.jsonl', '--spark-items', 'rank2.jsonl', '--save', 'never.lrec');
    expect(r.stderr).toMatch(/^latentrec: rank2\.jsonl:1: features: has 2 values but the factors in users\.jsonl have 3/);
    const after = listing().filter(([f]) => f !== 'rank2.jsonl');
    expect(after).toEqual(before);
  });

  it('--save is checked before anything is read: an input, a file of another kind, a missing folder', () => {
    const before = listing();
    let r = run('import', '--spark-users', 'users.jsonl', '--spark-items', 'items.jsonl', '--save', 'users.jsonl');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--save users\.jsonl: it is the same file as --spark-users users\.jsonl/);
    r = run('import', '--spark-users', 'users.jsonl', '--spark-items', 'items.jsonl', '--save', 'notes.txt');
    expect(r.stderr).toMatch(/--save notes\.txt: it exists and is not a latentrec model file.*refusing to replace it/);
    // Reported although the inputs do not exist: the output comes first.
    r = run('import', '--spark-users', 'missing.jsonl', '--spark-items', 'items.jsonl', '--save', 'no-such-folder/m.lrec');
    expect(r.stderr).toMatch(/--save no-such-folder\/m\.lrec: the folder no-such-folder does not exist/);
    expect(listing()).toEqual(before);
    r = run('import', '--spark-users', 'missing.jsonl', '--spark-items', 'items.jsonl', '--save', 'never.lrec');
    expect(r.stderr).toBe('latentrec: --spark-users missing.jsonl: cannot read it (no such file)\n');
    r = run('import', '--spark-users', 'users.jsonl', '--spark-items', 'items.jsonl', '--save', 'never.lrec', '--scale', '5,1');
    expect(r.stderr).toMatch(/option --scale must be two numbers LO,HI with LO < HI/);
    expect(listing()).toEqual(before);
  });

  it('as train --save: an earlier model file at the --save path is replaced', async () => {
    writeFileSync(at('old.lrec'), readFileSync(at('svd.lrec')));
    const r = run('import', '--spark-users', 'users.jsonl', '--spark-items', 'items.jsonl', '--save', 'old.lrec', '--json');
    expect(r.code).toBe(0);
    expect((await loadModelFromFile(at('old.lrec'))).toState().kind).toBe('imported');
  });
});

describe('latentrec export', () => {
  it('an imported model exports its input files again, byte for byte', () => {
    expect(run('import', '--spark-users', 'users.jsonl', '--spark-items', 'items.jsonl', '--save', 'round.lrec').code).toBe(0);
    const r = run('export', '--model-file', 'round.lrec', '--spark-users', 'round-users.jsonl', '--spark-items', 'round-items.jsonl', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      users: 3, items: 2, factors: 3, rank: 3, biases: 'fold', folded: {}, scale: { lo: 1, hi: 5 }, notes: [],
      files: { modelFile: 'round.lrec', sparkUsers: 'round-users.jsonl', sparkItems: 'round-items.jsonl' },
    });
    expect(read('round-users.jsonl')).toBe(USERS);
    expect(read('round-items.jsonl')).toBe(ITEMS);
  });

  it('an SVD: biases folded, so the dot products are its scores; imported again by the command', async () => {
    const r = run('export', '--model-file', 'svd.lrec', '--spark-users', 'svd-users.jsonl', '--spark-items', 'svd-items.jsonl');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('user factors written to svd-users.jsonl\nitem factors written to svd-items.jsonl\n');
    expect(r.stdout).toContain(`${svd.userIds.length} users, ${svd.itemIds.length} items, k=4, 6 features per line (users [p, μ + b_u, 1], items [q, 1, b_i])`);
    expect(r.stdout).toContain('import again with: latentrec import --spark-users svd-users.jsonl --spark-items svd-items.jsonl --scale 1,5 --save M.lrec');
    // The lines, read with the library, score every pair as the SVD does (from its accessors).
    const again = FactorModel.fromState(importSparkAls(read('svd-users.jsonl'), read('svd-items.jsonl'), { scale: { lo: -100, hi: 100 } }));
    expect(again.userIds).toEqual(svd.userIds);
    for (const u of svd.userIds) {
      for (const i of svd.itemIds) {
        const p = svd.userFactors(u)!, q = svd.itemFactors(i)!;
        let expected = svd.globalMean + svd.userBias(u)! + svd.itemBias(i)!;
        for (let j = 0; j < 4; j++) expected += p[j] * q[j];
        expect(Math.abs(again.predict(u, i).estimate - expected)).toBeLessThan(2e-6);
      }
    }
    const back = run('import', '--spark-users', 'svd-users.jsonl', '--spark-items', 'svd-items.jsonl', '--save', 'svd-back.lrec', '--scale', '1,5', '--json');
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ users: svd.userIds.length, items: svd.itemIds.length, factors: 6 });
    const served = await loadModelFromFile(at('svd-back.lrec'));
    const [u, i] = [svd.userIds[3], svd.itemIds[5]];
    expect(Math.abs(served.predict(u, i).estimate - svd.predict(u, i).estimate)).toBeLessThan(2e-6);
  });

  it('--biases drop: the factors alone, bit for bit, with a note', () => {
    const r = run('export', '--model-file', 'svd.lrec', '--spark-users', 'drop-users.jsonl', '--spark-items', 'drop-items.jsonl', '--biases', 'drop', '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ factors: 4, rank: 4, biases: 'drop', folded: {} });
    expect(summary.notes[0]).toMatch(/^biases dropped/);
    const state = importSparkAls(read('drop-users.jsonl'), read('drop-items.jsonl'));
    expect(Array.from(state.P)).toEqual(Array.from(svd.toState().P));
    expect(Array.from(state.Q)).toEqual(Array.from(svd.toState().Q));
    expect(run('export', '--model-file', 'svd.lrec', '--spark-users', 'x.jsonl', '--spark-items', 'y.jsonl', '--biases', 'keep').stderr).toMatch(/argument 'keep' is invalid/);
  });

  it('outputs are checked before the model is read: existing files, inputs, one path twice', () => {
    writeFileSync(at('taken.jsonl'), '{"id":1,"features":[1]}\n');
    const before = listing();
    const cases: [string[], RegExp][] = [
      [['--spark-users', 'taken.jsonl', '--spark-items', 'new-items.jsonl'], /^latentrec: --spark-users taken\.jsonl: it exists; export never replaces a file/],
      [['--spark-users', 'new-users.jsonl', '--spark-items', 'notes.txt'], /^latentrec: --spark-items notes\.txt: it exists; export never replaces a file/],
      [['--spark-users', 'svd.lrec', '--spark-items', 'new-items.jsonl'], /^latentrec: --spark-users svd\.lrec: it is the same file as --model-file svd\.lrec: writing there would destroy the input/],
      [['--spark-users', 'same.jsonl', '--spark-items', 'same.jsonl'], /^latentrec: --spark-items same\.jsonl: it is also the path of --spark-users/],
      [['--spark-users', '.', '--spark-items', 'new-items.jsonl'], /^latentrec: --spark-users \.: it is a directory/],
    ];
    for (const [outputs, message] of cases) {
      const r = run('export', '--model-file', 'svd.lrec', ...outputs);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    // The outputs come before the model: a missing model file is not even looked at.
    const r = run('export', '--model-file', 'missing.lrec', '--spark-users', 'taken.jsonl', '--spark-items', 'new-items.jsonl');
    expect(r.stderr).toMatch(/--spark-users taken\.jsonl: it exists/);
    expect(listing()).toEqual(before);
  });

  it('a write that fails after the checks takes back the other file: an export is both files or none', () => {
    // A link to the users' path passes the checks while nothing is there; once the users' file
    // is written, the items' name is taken, and export never replaces what has a name.
    symlinkSync('half-users.jsonl', at('to-users.jsonl'));
    const before = readdirSync(dir).sort();
    const r = run('export', '--model-file', 'svd.lrec', '--spark-users', 'half-users.jsonl', '--spark-items', 'to-users.jsonl');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^user factors written to half-users\.jsonl$/m);
    expect(r.stderr).toMatch(/^latentrec: --spark-items to-users\.jsonl: it exists now \(made since it was checked, or a link\): this write never replaces a file/m);
    expect(r.stderr).toMatch(/^latentrec: removed --spark-users half-users\.jsonl: an export is both files$/m);
    // Neither file, no temp file, and the link as it was.
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readlinkSync(at('to-users.jsonl'))).toBe('half-users.jsonl');
    unlinkSync(at('to-users.jsonl'));
  });

  it('a model without factors is refused by kind, and nothing is written', () => {
    const before = listing();
    const r = run('export', '--model-file', 'ease.lrec', '--spark-users', 'e-users.jsonl', '--spark-items', 'e-items.jsonl');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^latentrec: --model-file ease\.lrec: a model of kind 'ease' has no user and item factors \(k = 0\)/);
    expect(listing()).toEqual(before);
  });
});
