// The built `latentrec` command, run as a user runs it (dist/cli/main.js from `npm ci` / `npm run build`).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRatings } from '../src/data/generate.js';
import { ML100K_GENRES } from '../src/index.js';
import { hasMl100k, ml100kDir, ml100kNote, repoRoot } from './helpers.js';

const cli = resolve(repoRoot, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'latentrec-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm ci does it)`);
  const data = generateRatings({ users: 200, items: 150, ratings: 6000, seed: 1 });
  const lines: string[] = [];
  for (let t = 0; t < data.size; t++) {
    lines.push(`${data.users.raw[data.userIndex[t]]},${data.items.raw[data.itemIndex[t]]},${data.ratings[t]}`);
  }
  writeFileSync(join(dir, 'ratings.csv'), `user,item,rating\n${lines.join('\n')}\n`);
  const swapped = lines.map((l) => l.split(',')).map(([u, i, r]) => `i${i};${r};u${u}`);
  writeFileSync(join(dir, 'swapped.txt'), `${swapped.join('\n')}\n`);
  writeFileSync(join(dir, 'bad.tsv'), '1\t2\t3\n1\t3\tabc\n');
  writeFileSync(join(dir, 'short.tsv'), '1\t2\t3\n1\t3\n');
  writeFileSync(join(dir, 'empty.tsv'), '');
});

describe('--model-file, and --model FILE as its deprecated name', () => {
  it('reads the same model either way, notes the old name on stderr, and wants the file once', () => {
    const t = run('train', '--data', 'ratings.csv', '--factors', '4', '--epochs', '2', '--save', 'flags.lrec', '--json');
    expect(t.code).toBe(0);
    const now = run('recommend', '--model-file', 'flags.lrec', '--user', '1', '-n', '3', '--json');
    const old = run('recommend', '--model', 'flags.lrec', '--user', '1', '-n', '3', '--json');
    expect(now.code).toBe(0);
    expect(old.code).toBe(0);
    expect(old.stdout).toBe(now.stdout);
    expect(now.stderr).toBe('');
    expect(old.stderr).toMatch(/--model FILE is deprecated in this command; use --model-file FILE/);
    expect(run('similar', '--item', '1').stderr).toMatch(/required option '--model-file <file\.lrec>' not specified/);
    expect(run('similar', '--model-file', 'flags.lrec', '--model', 'other.lrec', '--item', '1').stderr).toMatch(/give the model file once/);
  });
});

describe('latentrec --version', () => {
  it("prints package.json's version, and the command is the one package.json's bin names", () => {
    const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
    expect(resolve(repoRoot, pkg.bin.latentrec)).toBe(cli);
    for (const flag of ['--version', '-V']) {
      const r = run(flag);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });
});

describe('latentrec train', () => {
  it('--json prints exactly one JSON object with the documented shape', () => {
    const r = run('train', '--data', 'ratings.csv', '--test-ratio', '0.2', '--factors', '8', '--epochs', '5', '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]);
    expect(report.model).toBe('svd');
    expect(report.data).toEqual({ users: expect.any(Number), items: expect.any(Number), ratings: 4800 });
    expect(report.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (const e of report.epochs) expect(Object.keys(e)).toEqual(expect.arrayContaining(['epoch', 'trainRmse', 'testRmse']));
    // The last epoch's test RMSE is the final test RMSE (same model, same test set).
    expect(report.test.rmse).toBeCloseTo(report.epochs[4].testRmse, 6);
    expect(report.test.mae).toBeGreaterThan(0);
    expect(report.fitSeconds).toBeGreaterThan(0);
  });

  it('--test FILE: a test set with ratings outside the training range is scored, not refused', () => {
    // Train on the integer ratings, test on half stars including 0.5 (never seen in train).
    const rows = readFileSync(join(dir, 'ratings.csv'), 'utf8').trim().split('\n').slice(1);
    writeFileSync(join(dir, 'half.csv'), rows.slice(0, 300).map((l) => l.replace(/,(\d)$/, (_, r) => `,${Number(r) - 0.5}`)).join('\n'));
    const r = run('train', '--data', 'ratings.csv', '--test', 'half.csv', '--factors', '4', '--epochs', '2', '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.load.map((l: { source: string }) => l.source)).toEqual(['ratings.csv', 'half.csv']);
    expect(report.load[1].scale).toEqual({ lo: 0.5, hi: 4.5 });
    expect(report.load[0].duplicates).toEqual({ policy: 'keep', found: 0, removed: 0 });
    expect(report.data.ratings).toBe(6000);
    expect(report.test.rmse).toBeGreaterThan(0.5);
  });

  it('--patience stops on a validation holdout of the training data and keeps the best epoch', () => {
    const r = run('train', '--data', 'ratings.csv', '--epochs', '200', '--factors', '30', '--lr', '0.02', '--reg', '0', '--patience', '2', '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.epochs.length).toBe(report.bestEpoch + 2);
    expect(report.epochs.length).toBeLessThan(200);
    expect(Object.keys(report.epochs[0])).toEqual(['epoch', 'trainRmse', 'validationRmse', 'validationMae']);
    const best = Math.min(...report.epochs.map((e: { validationRmse: number }) => e.validationRmse));
    expect(report.epochs[report.bestEpoch - 1].validationRmse).toBe(best);
    expect(run('train', '--data', 'ratings.csv', '--patience', '0').stderr).toMatch(/option --patience must be an integer >= 1/);
    expect(run('train', '--data', 'ratings.csv', '--patience', '2', '--validation-ratio', '1.5').stderr).toMatch(/option --validation-ratio must be in \(0, 1\)/);
  });

  it('the js engine gives the same curve as the wasm engine', () => {
    const curves = (['wasm', 'js'] as const).map((engine) =>
      JSON.parse(run('train', '--data', 'ratings.csv', '--factors', '6', '--epochs', '3', '--engine', engine, '--json').stdout),
    );
    curves[0].epochs.forEach((e: { trainRmse: number }, k: number) =>
      expect(Math.abs(e.trainRmse - curves[1].epochs[k].trainRmse)).toBeLessThan(1e-4),
    );
  });

  it('--columns reads other layouts: the same ratings give the same model', () => {
    const args = ['--factors', '6', '--epochs', '3', '--json'];
    const a = JSON.parse(run('train', '--data', 'ratings.csv', '--test-ratio', '0.2', ...args).stdout);
    const b = JSON.parse(run('train', '--data', 'swapped.txt', '--delimiter', 'semicolon', '--columns', '2,0,1', '--test-ratio', '0.2', ...args).stdout);
    expect(b.data).toEqual(a.data);
    expect(b.test).toEqual(a.test);
  });

  it.each([
    [['--data', 'ratings.csv', '--columns', '0,0,1'], /option --columns must be three \(or, for the times, four\) different/],
    [['--data', 'bad.tsv'], /bad\.tsv:2: rating \(column 3\).*not a number.*"abc"/],
    [['--data', 'short.tsv'], /short\.tsv:2: .*rating/],
    [['--data', 'empty.tsv'], /empty\.tsv has no ratings/],
    [['--data', 'missing.tsv'], /cannot read ratings file missing\.tsv: no such file/],
    [['--data', 'ratings.csv', '--factors', '0'], /option --factors must be an integer in \[1, 4096\] \(got 0\)/],
    [['--data', 'ratings.csv', '--factors', 'abc'], /option --factors must be an integer in \[1, 4096\] \(got "abc"\)/],
    [['--data', 'ratings.csv', '--model', 'popular', '--factors', '8'], /--factors applies to --model svd, mf, svdpp, puresvd, bfm, bpr, als, ials and hybrid/],
    [['--data', 'ratings.csv', '--epochs', '0'], /option --epochs must be an integer in \[1, /],
    [['--data', 'ratings.csv', '--model', 'bfm', '--bags', 'users'], /option --bags must be a list of 'user', 'item'/],
    [['--data', 'ratings.csv', '--model', 'bfm', '--bags', 'none,user'], /option --bags must be a list of 'user', 'item'/],
    [['--data', 'ratings.csv', '--model', 'svd', '--bags', 'user'], /--bags applies to --model bfm/],
    [['--data', 'ratings.csv', '--model', 'svd', '--ordinal'], /--ordinal applies to --model bfm/],
    [['--data', 'ratings.csv', '--model', 'svd', '--time'], /--time applies to --model bfm/],
    [['--data', 'ratings.csv', '--model', 'bfm', '--time'], /ratings\.csv: the ratings' times were asked for .*--columns u,i,r,t/],
    [['--data', 'ratings.csv', '--model', 'svd', '--ml100k-features', '.'], /--ml100k-features applies to --model bfm and hybrid/],
    [['--data', 'ratings.csv', '--model', 'bfm', '--samples', '10', '--burn-in', '10'], /option --burn-in must be below samples \(10\)/],
    [['--data', 'ratings.csv', '--lr', '0'], /option --lr must be a finite number > 0/],
    [['--data', 'ratings.csv', '--reg', '-1'], /option --reg must be a finite number >= 0/],
    [['--data', 'ratings.csv', '--test-ratio', '1'], /option --test-ratio must be in \(0, 1\)/],
    [['--data', 'ratings.csv', '--scale', '5,1'], /option --scale must be two numbers LO,HI/],
    [['--data', 'ratings.csv', '--lr', '50', '--reg', '0', '--factors', '4'], /diverged at epoch \d+.*lower the learning rate/],
  ])('%j fails with a clear message', (args, message) => {
    const r = run('train', ...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('latentrec cv', () => {
  it('--data --folds N --json: one entry per fold and their mean', () => {
    const r = run('cv', '--data', 'ratings.csv', '--folds', '3', '--factors', '4', '--epochs', '3', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.folds).toHaveLength(3);
    const mean = report.folds.reduce((s: number, f: { rmse: number }) => s + f.rmse, 0) / 3;
    expect(report.mean.rmse).toBeCloseTo(mean, 10);
    expect(Object.keys(report.mean)).toEqual(['rmse', 'mae', 'fitSeconds']);
  });

  it('--model bfm --bags user,item with attribute files: the attributes change the folds\' figures; an attribute file naming an unknown id is refused by file and line', () => {
    const rows = readFileSync(join(dir, 'ratings.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const users = [...new Set(rows.map((r) => r[0]))], items = [...new Set(rows.map((r) => r[1]))];
    writeFileSync(join(dir, 'users.features'), users.map((u, n) => `${u},group:${n % 3}`).join('\n'));
    writeFileSync(join(dir, 'items.features'), items.map((i, n) => `${i},genre:${n % 4}`).join('\n'));
    const cv = (...extra: string[]) => run('cv', '--data', 'ratings.csv', '--folds', '2', '--model', 'bfm', '--factors', '2', '--samples', '12', '--bags', 'user,item', '--json', ...extra);
    const plain = cv(), attributed = cv('--user-features', 'users.features', '--item-features', 'items.features');
    expect(plain.code).toBe(0);
    expect(attributed.code).toBe(0);
    const rmse = (r: { stdout: string }) => JSON.parse(r.stdout).folds.map((f: { rmse: number }) => f.rmse);
    expect(rmse(attributed).every(Number.isFinite)).toBe(true);
    expect(rmse(attributed)).not.toEqual(rmse(plain));
    writeFileSync(join(dir, 'stranger.features'), `${users[0]},group:1\nnobody-here,group:2\n`);
    const refused = cv('--user-features', 'stranger.features');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/stranger\.features:2.*nobody-here/);
  });

  it('--model bfm --ordinal: expected levels on a discrete scale; a continuous scale is refused naming the option', () => {
    const r = run('cv', '--data', 'ratings.csv', '--folds', '2', '--model', 'bfm', '--factors', '2', '--samples', '12', '--ordinal', '--json');
    expect(r.code).toBe(0);
    for (const f of JSON.parse(r.stdout).folds) expect(Number.isFinite(f.rmse)).toBe(true);
    const rows = readFileSync(join(dir, 'ratings.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    writeFileSync(join(dir, 'continuous.csv'), rows.map((row, t) => `${row[0]},${row[1]},${(1 + (t % 97) / 24.25).toFixed(3)}`).join('\n'));
    const refused = run('train', '--data', 'continuous.csv', '--model', 'bfm', '--samples', '4', '--ordinal');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/the ordinal output \(option ordinal, --ordinal\) needs ratings on a discrete scale of 2 to 20 values; the training ratings take 97 distinct values \(from 1 to 4\.959\): use the Gaussian output/);
  });

  it('--model bfm --time reads the time column (here the 4th of --columns) and saves a model that scores the file by day', () => {
    const rows = readFileSync(join(dir, 'ratings.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    writeFileSync(join(dir, 'timed.txt'), rows.map((row, t) => `${row[0]};${row[1]};${row[2]};${1_600_000_000 + (t % 9) * 86_400}`).join('\n'));
    const args = ['--data', 'timed.txt', '--columns', '0,1,2,3', '--model', 'bfm', '--factors', '2', '--samples', '12'];
    const cv = run('cv', ...args, '--folds', '2', '--time', '--json');
    expect(cv.code).toBe(0);
    for (const f of JSON.parse(cv.stdout).folds) expect(Number.isFinite(f.rmse)).toBe(true);
    const trained = run('train', ...args, '--time', '--save', 'timed.lrec');
    expect(trained.code).toBe(0);
    const evaluated = run('evaluate', '--model-file', 'timed.lrec', '--test', 'timed.txt', '--columns', '0,1,2,3', '--json');
    expect(evaluated.code).toBe(0);
    expect(Number.isFinite(JSON.parse(evaluated.stdout).rmse)).toBe(true);
    // The accurate preset takes the day where the file has times: the same ratings without them give other figures.
    const preset = (...data: string[]) => JSON.parse(run('cv', ...data, '--folds', '2', '--preset', 'accurate', '--samples', '12', '--factors', '2', '--json').stdout);
    const withDays = preset('--data', 'timed.txt', '--columns', '0,1,2,3'), without = preset('--data', 'ratings.csv');
    expect(withDays.folds.map((f: { rmse: number }) => f.rmse)).not.toEqual(without.folds.map((f: { rmse: number }) => f.rmse));
  });

  it("--preset accurate takes MovieLens 100k's u.user and u.item beside the data only when they describe its users and items", () => {
    mkdirSync(join(dir, 'ml'), { recursive: true });
    copyFileSync(join(dir, 'ratings.csv'), join(dir, 'ml', 'ratings.csv'));
    const genres = ML100K_GENRES.map((g, i) => `${g}|${i}`).join('\n');
    const item = (id: number) => `${id}|Movie ${id} (1995)|01-Jan-1995||http://x|${Array.from({ length: 19 }, (_, g) => (g === id % 19 ? 1 : 0)).join('|')}`;
    const user = (id: number) => `${id}|${20 + (id % 40)}|${id % 2 ? 'M' : 'F'}|writer|${id % 10}0000`;
    const write = (users: number, items: number) => {
      writeFileSync(join(dir, 'ml', 'u.genre'), genres);
      writeFileSync(join(dir, 'ml', 'u.user'), Array.from({ length: users }, (_, u) => user(u + 1)).join('\n'));
      writeFileSync(join(dir, 'ml', 'u.item'), Array.from({ length: items }, (_, i) => item(i + 1)).join('\n'));
    };
    const cv = () => run('cv', '--data', join('ml', 'ratings.csv'), '--folds', '2', '--preset', 'accurate', '--samples', '12', '--factors', '2', '--json');
    write(10, 10);
    const other = cv();
    expect(other.code).toBe(0);
    expect(JSON.parse(other.stdout).attributes).toMatch(/^not used: .*u\.user.*u\.item lack 190 of the data's users and 140 of its items/);
    write(200, 150);
    const own = cv();
    expect(own.code).toBe(0);
    expect(JSON.parse(own.stdout).attributes).toBe(`${join('ml', 'u.user')}, ${join('ml', 'u.item')}`);
    expect(JSON.parse(own.stdout).folds.map((f: { rmse: number }) => f.rmse)).not.toEqual(JSON.parse(other.stdout).folds.map((f: { rmse: number }) => f.rmse));
  });

  it.each([['search', '--grid', 'factors=2'], ['demo']])('%s refuses attribute files rather than ignore them', (command, ...rest) => {
    const r = run(command, '--data', 'ratings.csv', '--model', 'bfm', '--user-features', 'users.features', ...rest);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${command} fits without attributes: --user-features applies to train, cv and curve`));
  });

  it.skipIf(!hasMl100k)(`--folds-dir ML-100k --order fixed reproduces Surprise's 0.9380 / 0.7390${ml100kNote}`, () => {
    const report = JSON.parse(execFileSync(process.execPath, [cli, 'cv', '--folds-dir', ml100kDir, '--order', 'fixed', '--json'], { encoding: 'utf8' }));
    expect(report.folds.map((f: { name: string }) => f.name)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(Math.abs(report.mean.rmse - 0.938)).toBeLessThan(0.0005);
    expect(Math.abs(report.mean.mae - 0.739)).toBeLessThan(0.0005);
  });
});

describe('learning-curve pictures, search and model kinds', () => {
  it('train --plot writes an SVG with a train and a test line; curve --vary overlays runs', () => {
    const r = run('train', '--data', 'ratings.csv', '--test-ratio', '0.2', '--factors', '6', '--epochs', '4', '--plot', 'one.svg', '--json');
    expect(r.code).toBe(0);
    const svg = readFileSync(join(dir, 'one.svg'), 'utf8');
    expect(svg).toMatch(/^(<\?xml[^>]*>\s*)?<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('svd test');
    expect(svg).toContain('svd train');
    expect(svg.match(/<polyline/g)).toHaveLength(2);

    const c = run('curve', '--data', 'ratings.csv', '--epochs', '3', '--factors', '5', '--vary', 'init=random,svd', '--out', 'two.svg', '--json');
    expect(c.code).toBe(0);
    const report = JSON.parse(c.stdout);
    expect(report.runs.map((x: { label: string }) => x.label)).toEqual(['init=random', 'init=svd']);
    const two = readFileSync(join(dir, 'two.svg'), 'utf8');
    expect(two.match(/<polyline/g)).toHaveLength(4);
    expect(two).toContain('init=svd test');
  });

  it('curve overlays PureSVD (one point) with SGD runs; puresvd refuses SGD flags', () => {
    const r = run('curve', '--data', 'ratings.csv', '--vary', 'model=svd,puresvd', '--factors', '4', '--out', 'pure.svg', '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.runs[1].epochs).toHaveLength(1);
    const bad = run('train', '--data', 'ratings.csv', '--model', 'puresvd', '--lr', '0.1', '--init', 'svd');
    expect(bad.stderr).toMatch(/--model puresvd has no gradient descent: --lr, --init do not apply/);
    expect(run('train', '--data', 'ratings.csv', '--init-scale', '0.3').stderr).toMatch(/--init-scale applies with --init svd/);
  });

  it('search --grid prints every combination and the best, which is the lowest RMSE', () => {
    const r = run('search', '--data', 'ratings.csv', '--folds', '3', '--grid', 'factors=2,8;reg=0.02,0.1', '--epochs', '3', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.rows).toHaveLength(4);
    expect(report.best.rmse).toBe(Math.min(...report.rows.map((x: { rmse: number }) => x.rmse)));
  });

  it.each(['mf', 'svdpp', 'baseline', 'puresvd'])('cv --model %s runs', (model) => {
    const extra = model === 'puresvd' || model === 'baseline' ? [] : ['--epochs', '2', '--factors', '4'];
    const r = run('cv', '--data', 'ratings.csv', '--folds', '2', '--model', model, ...extra, '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).model).toBe(model);
  });

  it('--preset recommended names its model; --model baseline with --factors is refused', () => {
    const r = run('cv', '--data', 'ratings.csv', '--folds', '2', '--preset', 'recommended', '--epochs', '2', '--factors', '10', '--json');
    expect(JSON.parse(r.stdout).model).toMatch(/\(preset recommended\)/);
    writeFileSync(join(dir, 'narrow.csv'), readFileSync(join(dir, 'ratings.csv'), 'utf8').split('\n').filter((l, t) => t === 0 || Number(l.split(',')[1]) < 40).join('\n'));
    const narrow = run('train', '--data', 'narrow.csv', '--preset', 'recommended');
    expect(narrow.stderr).toMatch(/the preset set --factors 100; pass --factors to override it/);
    const b = run('cv', '--data', 'ratings.csv', '--model', 'baseline', '--factors', '5');
    expect(b.stderr).toMatch(/--model baseline has no factors/);
  });

  it.each([
    [['--init', 'svd', '--factors', '500'], /option --factors must be at most min\(users, items\) = min\(\d+, \d+\) = \d+/],
    [['--init', 'svd', '--init-scale', '2'], /option --init-scale must be a number in \(0, 1\]/],
    [['--vary', 'colour=red'], /option --vary must be NAME=V1,V2/],
  ])('%j fails clearly', (args, message) => {
    const r = run('curve', '--data', 'ratings.csv', '--out', 'x.svg', '--epochs', '2', ...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});

describe('implicit feedback from the command line', () => {
  it('train --model bpr|popular --implicit-threshold reports ranking metrics; cv refuses them', () => {
    const reports = ['bpr', 'popular', 'svd'].map((model) =>
      JSON.parse(run('train', '--data', 'ratings.csv', '--test-ratio', '0.2', '--model', model, '--implicit-threshold', '4', ...(model === 'popular' ? [] : ['--epochs', '5', '--factors', '8']), '--json').stdout || '{}'),
    );
    // A ranking model's curve is its own loss, named; a rating model's is its train RMSE.
    expect(reports[0].epochs[0]).toEqual({ epoch: 1, loss: expect.any(Number), lossKind: 'misranked' });
    expect(reports[1].epochs).toEqual([]);
    expect(Object.keys(reports[2].epochs[0])).toEqual(['epoch', 'trainRmse', 'testRmse', 'testMae']);
    for (const r of reports) {
      expect(r.ranking.protocol).toBe('full');
      expect(r.ranking.k).toBe(10);
      expect(r.ranking.auc).toBeGreaterThan(0);
    }
    expect(run('cv', '--data', 'ratings.csv', '--model', 'bpr').stderr).toMatch(/cv reports rating accuracy/);
    expect(run('train', '--data', 'ratings.csv', '--model', 'bpr', '--implicit-threshold', 'x').stderr).toMatch(/option --implicit-threshold must be a number/);
  });
});

describe('model files from the command line', () => {
  it('train --save, then recommend / similar / evaluate agree with the library on the loaded model', async () => {
    const t = run('train', '--data', 'ratings.csv', '--factors', '6', '--epochs', '4', '--save', 'm.lrec', '--json');
    expect(t.code).toBe(0);
    const { FactorModel } = await import('../src/index.js');
    await import('../src/index.js');
    const model = FactorModel.load(readFileSync(join(dir, 'm.lrec')));
    const user = model.userIds[0], item = model.itemIds[0];

    const rec = JSON.parse(run('recommend', '--model-file', 'm.lrec', '--user', user, '-n', '4', '--json').stdout);
    // Rows use the library's names; `item` repeats `id` for scripts written before (deprecated).
    expect(rec).toEqual({ user, items: model.recommend(user, { n: 4 }).map((r) => ({ id: r.id, score: r.score, item: r.id })) });
    const sim = JSON.parse(run('similar', '--model-file', 'm.lrec', '--item', item, '-n', '3', '--json').stdout);
    expect(sim.items.map((x: { id: string }) => x.id)).toEqual(model.similarItems(item, { n: 3 }).map((x) => x.id));
    expect(sim.items.map((x: { item: string }) => x.item)).toEqual(model.similarItems(item, { n: 3 }).map((x) => x.id));

    // --id-type number: the same lists, the ids as the library's idType 'number' gives them.
    const recNum = JSON.parse(run('recommend', '--model-file', 'm.lrec', '--user', user, '-n', '4', '--json', '--id-type', 'number').stdout);
    const asNumbers = model.recommend(user, { n: 4, idType: 'number' });
    expect(asNumbers.every((r) => typeof r.id === 'number')).toBe(true);
    expect(recNum).toEqual({ user: Number(user), items: asNumbers.map((r) => ({ id: r.id, score: r.score, item: r.id })) });
    const simNum = JSON.parse(run('similar', '--model-file', 'm.lrec', '--item', item, '-n', '3', '--json', '--id-type', 'number').stdout);
    expect(simNum.item).toBe(Number(item));
    expect(simNum.items.map((x: { id: number }) => x.id)).toEqual(model.similarItems(item, { n: 3 }).map((x) => Number(x.id)));

    const ev = JSON.parse(run('evaluate', '--model-file', 'm.lrec', '--test', 'half.csv', '--json').stdout);
    expect(Object.keys(ev.ranking)).toEqual(expect.arrayContaining(['k', 'precision', 'recall', 'ndcg', 'map', 'auc', 'coverage', 'protocol']));
    expect(ev.ranking.protocol).toBe('full');
    expect(ev.rmse).toBeGreaterThan(0);
  });

  it('evaluate --ranking-users ranks a seeded sample of the test users (stated), --no-ranking none', () => {
    const [header, ...lines] = readFileSync(join(dir, 'ratings.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'part.csv'), `${header}\n${lines.slice(0, 4500).join('\n')}\n`);
    writeFileSync(join(dir, 'rest.csv'), `${header}\n${lines.slice(4500).join('\n')}\n`);
    expect(run('train', '--data', 'part.csv', '--factors', '6', '--epochs', '4', '--save', 'part.lrec').code).toBe(0);
    const evaluate = (...extra: string[]) => JSON.parse(run('evaluate', '--model-file', 'part.lrec', '--test', 'rest.csv', '--json', ...extra).stdout);
    const all = evaluate();
    expect(all.ranking.users).toBeGreaterThan(30);
    const testUsers = new Set(lines.slice(4500).map((line) => line.split(',')[0])).size;
    // As many users as the test set has: the same figures as ranking every one.
    const whole = evaluate('--ranking-users', String(testUsers));
    expect(whole.ranking.sampledUsers).toEqual({ users: testUsers, of: testUsers, seed: 0 });
    const { sampledUsers: _, ...same } = whole.ranking;
    expect(same).toEqual(all.ranking);
    // A sample: at most that many users ranked, the same for the same seed, another for another.
    const a = evaluate('--ranking-users', '15', '--seed', '2'), b = evaluate('--ranking-users', '15', '--seed', '2'), c = evaluate('--ranking-users', '15', '--seed', '3');
    expect(a.ranking.sampledUsers).toEqual({ users: 15, of: testUsers, seed: 2 });
    expect(a.ranking.users).toBeLessThanOrEqual(15);
    expect(b).toEqual(a);
    expect(c.ranking.ndcg).not.toBe(a.ranking.ndcg);
    expect(a.rmse).toBe(all.rmse); // RMSE/MAE stay on the whole test set
    const none = evaluate('--no-ranking');
    expect(none).toEqual({ rmse: all.rmse, mae: all.mae });
    expect(run('evaluate', '--model-file', 'part.lrec', '--test', 'rest.csv', '--no-ranking', '--ranking-users', '5').stderr).toMatch(/--ranking-users samples the users --no-ranking skips/);
    expect(run('evaluate', '--model-file', 'part.lrec', '--test', 'rest.csv', '--ranking-users', '-1').stderr).toMatch(/option --ranking-users must be an integer >= 1 \(got "-1"\)/);
  });

  it('train --ranking-users and --no-ranking: a sampled ranking stated in the JSON, or none; both need a test set', () => {
    const sampled = JSON.parse(run('train', '--data', 'ratings.csv', '--test-ratio', '0.2', '--factors', '4', '--epochs', '2', '--ranking-users', '10', '--json').stdout);
    expect(sampled.ranking.sampledUsers).toEqual({ users: 10, of: expect.any(Number), seed: 0 });
    expect(sampled.ranking.users).toBeLessThanOrEqual(10);
    const none = JSON.parse(run('train', '--data', 'ratings.csv', '--test-ratio', '0.2', '--factors', '4', '--epochs', '2', '--no-ranking', '--json').stdout);
    expect(none.ranking).toBeUndefined();
    expect(none.test.rmse).toBe(sampled.test.rmse);
    expect(run('train', '--data', 'ratings.csv', '--epochs', '1', '--no-ranking').stderr).toMatch(/--no-ranking applies to the ranking of a test set/);
    expect(run('train', '--data', 'ratings.csv', '--model', 'bpr', '--protocol', 'strong', '--ranking-users', '5').stderr).toMatch(/--ranking-users applies to the full ranking of a test set, not to --protocol strong/);
  });

  it('--id-type number refuses a model whose item ids are not integers, naming one', () => {
    const lines = Array.from({ length: 400 }, (_, t) => `${(t % 40) + 1},a${(t * 7) % 30},${(t % 5) + 1}`);
    writeFileSync(join(dir, 'named-items.csv'), `user,item,rating\n${lines.join('\n')}\n`);
    expect(run('train', '--data', 'named-items.csv', '--factors', '3', '--epochs', '2', '--save', 'named.lrec').code).toBe(0);
    const r = run('recommend', '--model-file', 'named.lrec', '--user', '1', '--id-type', 'number', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/idType 'number' needs ids that are integers; "a\d+" is not one \(leave out --id-type number\)/);
    expect(r.stdout).toBe('');
    expect(run('recommend', '--model-file', 'named.lrec', '--user', '1', '--json').code).toBe(0);
  });

  it('--id-type number is about the listed items: named users keep their names, numbered ones become numbers', async () => {
    const lines = Array.from({ length: 400 }, (_, t) => `${t % 3 === 0 ? 'u' : ''}${(t % 40) + 1},${(t * 7) % 30},${(t % 5) + 1}`);
    writeFileSync(join(dir, 'named-users.csv'), `user,item,rating\n${lines.join('\n')}\n`);
    expect(run('train', '--data', 'named-users.csv', '--factors', '3', '--epochs', '2', '--save', 'named-users.lrec').code).toBe(0);
    const { FactorModel } = await import('../src/index.js');
    const model = FactorModel.load(readFileSync(join(dir, 'named-users.lrec')));
    const named = model.userIds.find((u) => u.startsWith('u'))!, numbered = model.userIds.find((u) => !u.startsWith('u'))!;
    for (const [user, shown] of [[named, named], [numbered, Number(numbered)]] as const) {
      const r = run('recommend', '--model-file', 'named-users.lrec', '--user', user, '-n', '3', '--json', '--id-type', 'number');
      expect(r.stderr).toBe('');
      const expected = model.recommend(user, { n: 3, idType: 'number' });
      expect(JSON.parse(r.stdout)).toEqual({ user: shown, items: expected.map((x) => ({ id: x.id, score: x.score, item: x.id })) });
    }
  });

  it('embeddings --svg draws one dot per item, labels the most rated, and reports the geometry', () => {
    const r = run('embeddings', '--model-file', 'm.lrec', '--svg', 'emb.svg', '--labels', '5', '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    const svg = readFileSync(join(dir, 'emb.svg'), 'utf8');
    expect(svg.match(/<circle/g)!.length).toBe(report.rows);
    expect(report.k).toBe(6);
    expect(report.cosine.nearestNeighbour.median).toBeGreaterThan(report.cosine.random.median);
  });

  it.each([
    [['recommend', '--model-file', 'missing.lrec', '--user', '1'], /missing\.lrec: cannot read the model file/],
    [['recommend', '--model-file', 'ratings.csv', '--user', '1'], /ratings\.csv: not a latentrec model file/],
    [['recommend', '--model-file', 'm.lrec', '--user', 'nobody'], /unknown user "nobody"/],
    [['recommend', '--model-file', 'm.lrec', '--user', '1', '-n', '0'], /option -n must be an integer >= 1/],
    [['recommend', '--model-file', 'm.lrec', '--user', '1', '--id-type', 'int'], /option '--id-type <type>' argument 'int' is invalid\. Allowed choices are string, number/],
    [['similar', '--model-file', 'm.lrec', '--item', '1.0', '--id-type', 'number'], /--item must be an integer with --id-type number/],
    [['evaluate', '--model-file', 'm.lrec', '--test', 'ratings.csv', '--protocol', 'best'], /argument 'best' is invalid/],
  ])('%j fails clearly', (args, message) => {
    const r = run(...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});

describe('latentrec demo', () => {
  it('runs on the built-in generated set and shows the curve, the scores and a top 5', () => {
    const r = run('demo', '--epochs', '5', '--factors', '20');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/built-in generated set shaped like MovieLens 100k \(943 users, 1682 items, 100000 ratings/);
    expect(r.stdout).toMatch(/epoch +train RMSE +test RMSE/);
    expect(r.stdout).toMatch(/test RMSE 0\.\d{4}, MAE 0\.\d{4}/);
    const top = r.stdout.split(/top 5 for user 1 .*\n/)[1].trim().split('\n');
    expect(top).toHaveLength(5);
    for (const line of top) expect(line.trim()).toMatch(/^\d\.\d{3}\s+\S+/);
  });
});
