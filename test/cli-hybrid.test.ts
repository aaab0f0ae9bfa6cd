// `latentrec train --model hybrid` run as a user runs it (the built dist/cli/main.js), on generated
// ratings and feature files written to a temp dir: its figures against the same model fitted
// in-process, the feature-file errors, the flag checks, cold start and a saved model served.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../src/data/dataset.js';
import type { Features } from '../src/data/features.js';
import { loadFeaturesFile } from '../src/data/features-node.js';
import { generateRatings } from '../src/data/generate.js';
import { toImplicit } from '../src/data/implicit.js';
import { loadRatingsFile } from '../src/data/load-node.js';
import { coldItemsSplit } from '../src/data/splits.js';
import { evaluateColdStart } from '../src/eval/cold-start.js';
import { evaluateModelRanking } from '../src/eval/model-scorer.js';
import type { HybridLoss } from '../src/engine/index.js';
import { Hybrid } from '../src/index.js';
import { hasMl100k, ml100kDir, ml100kNote, repoRoot } from './helpers.js';

const cli = resolve(repoRoot, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'latentrec-cli-hybrid-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A --json run that must succeed: its report. */
function report(...args: string[]) {
  const r = run(...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

// Small, fast fits; the CLI and the in-process twin get the same options (seed 0 by default).
const SMALL = ['--factors', '8', '--epochs', '5'];
const HYBRID = ['train', '--model', 'hybrid', '--data', 'train.csv', '--test', 'test.csv', '--implicit-threshold', '4', ...SMALL];

let train: Dataset, test: Dataset;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm ci does it)`);
  const data = generateRatings({ users: 200, items: 150, ratings: 6000, seed: 1 });
  const lines: string[] = [];
  for (let t = 0; t < data.size; t++) {
    lines.push(`${data.users.raw[data.userIndex[t]]},${data.items.raw[data.itemIndex[t]]},${data.ratings[t]}`);
  }
  // An explicit test file, so the in-process twin needs no copy of the CLI's holdout.
  writeFileSync(join(dir, 'train.csv'), `user,item,rating\n${lines.filter((_, t) => t % 5 !== 0).join('\n')}\n`);
  writeFileSync(join(dir, 'test.csv'), `user,item,rating\n${lines.filter((_, t) => t % 5 === 0).join('\n')}\n`);
  // Generated ids are 1..200 (users) and 1..150 (items); item ids are in popularity order, so
  // `band` (25 ids each) tells popular items from rare ones.
  const users = data.users.raw, items = data.items.raw;
  writeFileSync(join(dir, 'users.csv'), `user,feature\n${users.map((u) => `${u},mod:${Number(u) % 3}`).join('\n')}\n`);
  writeFileSync(
    join(dir, 'items.csv'),
    `${items.map((i) => `${i},mod:${Number(i) % 3}\n${i},band:${Math.floor((Number(i) - 1) / 25)},0.5`).join('\n')}\n`,
  );
  // Errors: an id in neither file (line 3), a line of 4 fields (line 2).
  writeFileSync(join(dir, 'items-ghost.csv'), '1,mod:1\n2,mod:2\nghost,mod:0\n');
  writeFileSync(join(dir, 'users-ghost.csv'), 'user,feature\n1,mod:1\nnobody,mod:0\n');
  writeFileSync(join(dir, 'items-wide.csv'), '1,mod:1\n2,mod:2,1,extra\n');
  // An item only the test data has is known: the CLI accepts its attributes.
  writeFileSync(join(dir, 'test-extra.csv'), `user,item,rating\n${lines.filter((_, t) => t % 5 === 0).join('\n')}\n1,extra,5\n`);
  writeFileSync(join(dir, 'items-extra.csv'), '1,mod:1\n2,mod:2\nextra,mod:0\n');
  const load = async (name: string) => (await loadRatingsFile(join(dir, name), { format: 'auto', duplicates: 'keep' })).dataset;
  [train, test] = await Promise.all([load('train.csv'), load('test.csv')]);
});

interface Twin {
  loss?: HybridLoss;
  userFeatures?: Features;
  itemFeatures?: Features;
  /** --cold-items: the items held out of training. */
  coldItems?: number;
}

/** The model `train` fits, fitted here: the same data, options, seed and evaluation. */
function twin(o: Twin = {}) {
  const cold = o.coldItems === undefined ? undefined : coldItemsSplit(train, { ratio: o.coldItems, seed: 0 });
  const fitOn = cold?.train ?? train;
  const model = new Hybrid({ factors: 8, epochs: 5, loss: o.loss });
  model.fit(toImplicit(fitOn, { threshold: 4 }), { userFeatures: o.userFeatures, itemFeatures: o.itemFeatures });
  const r = evaluateModelRanking(model, fitOn, test, { k: 10, protocol: 'full', relevance: 4 });
  const ranking = {
    k: r.k, precision: r.precision, recall: r.recall, ndcg: r.ndcg, map: r.map, auc: r.auc, coverage: r.coverage, protocol: r.protocol, relevance: 4, users: r.users,
  };
  const coldStart = cold && evaluateColdStart(model, fitOn, test, cold.items, { k: 10, relevance: 4 });
  return { model, ranking, coldStart, fitOn };
}

const features = async () => ({
  userFeatures: await loadFeaturesFile(join(dir, 'users.csv'), { kind: 'user' }),
  itemFeatures: await loadFeaturesFile(join(dir, 'items.csv'), { kind: 'item' }),
});

describe('latentrec train --model hybrid', () => {
  it.each(['default (warp)', 'bpr', 'logistic'] as const)('loss %s: the report\'s ranking is the in-process model\'s, relevance 4', (loss) => {
    const out = report(...HYBRID, ...(loss === 'default (warp)' ? [] : ['--loss', loss]));
    expect(out.model).toBe('hybrid');
    expect(Object.keys(out.ranking).sort()).toEqual(['auc', 'coverage', 'k', 'map', 'ndcg', 'precision', 'protocol', 'recall', 'relevance', 'users']);
    expect(out.ranking.relevance).toBe(4);
    expect(out.ranking.protocol).toBe('full');
    expect(out.data).toEqual({ users: train.userCount, items: train.itemCount, ratings: train.size });
    const expected = twin({ loss: loss === 'default (warp)' ? undefined : loss });
    expect(out.ranking).toEqual(expected.ranking);
    // A ranking model that learned something: relevant items above the rest more often than not.
    expect(out.ranking.auc).toBeGreaterThan(0.6);
  });

  it('--user-features and --item-features: the report is the in-process model\'s with the same attributes; --save then recommend serves it', async () => {
    const out = report(...HYBRID, '--user-features', 'users.csv', '--item-features', 'items.csv', '--save', 'hybrid.lrec');
    const f = await features();
    expect(f.itemFeatures.featureCount).toBe(3 + 6);
    const expected = twin(f);
    expect(out.ranking).toEqual(expected.ranking);
    // The attributes changed the model: not the identity-only figures.
    expect(out.ranking).not.toEqual(twin().ranking);

    const served = run('recommend', '--model-file', 'hybrid.lrec', '--user', '7', '--json');
    expect(served.stderr).toBe('');
    expect(served.code).toBe(0);
    const list = JSON.parse(served.stdout);
    expect(list.user).toBe('7');
    expect(list.items).toHaveLength(10);
    expect(list.items).toEqual(expected.model.recommend('7', { n: 10 }).map((r) => ({ id: r.id, score: r.score, item: r.id })));
    // Never an item user 7 interacted with in training (rating >= 4).
    const seen = new Set<string>();
    const positives = toImplicit(train, { threshold: 4 });
    for (let t = 0; t < positives.size; t++) {
      if (positives.users.raw[positives.userIndex[t]] === '7') seen.add(positives.items.raw[positives.itemIndex[t]]);
    }
    expect(seen.size).toBeGreaterThan(0);
    for (const r of list.items) expect(seen.has(r.id)).toBe(false);
  });

  it('a feature file may name an id that only the test data has', () => {
    const out = report(
      'train', '--model', 'hybrid', '--data', 'train.csv', '--test', 'test-extra.csv', '--implicit-threshold', '4', ...SMALL,
      '--item-features', 'items-extra.csv',
    );
    expect(out.ranking.relevance).toBe(4);
  });

  it.each([
    [['--item-features', 'items-ghost.csv'], /items-ghost\.csv:3: id \(column 1\): unknown item "ghost": it is in neither the training data nor the test data/],
    [['--user-features', 'users-ghost.csv'], /users-ghost\.csv:3: id \(column 1\): unknown user "nobody"/],
    [['--item-features', 'items-wide.csv'], /items-wide\.csv:2: .*expected 2 or 3 fields \(id, feature\[, weight\]\), got 4/],
    [['--item-features', 'missing.csv'], /cannot read item features file missing\.csv: no such file/],
    [['--user-features', 'missing.csv'], /cannot read user features file missing\.csv: no such file/],
  ])('%j fails naming the file (and line)', (args, message) => {
    const r = run(...HYBRID, ...args, '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['--model', 'svd', '--loss', 'warp'], /--loss applies to --model hybrid/],
    [['--model', 'bpr', '--item-features', 'items.csv'], /--item-features applies to --model bfm and hybrid/],
    [['--model', 'hybrid', '--loss', 'hinge'], /option '--loss <loss>' argument 'hinge' is invalid\. Allowed choices are warp, bpr, logistic/],
    [['--model', 'hybrid', '--ml100k-features', 'ml-100k', '--item-features', 'items.csv'], /give --ml100k-features DIR or --user-features\/--item-features FILE, not both/],
  ])('%j is refused with a message naming the flags', (args, message) => {
    const r = run('train', '--data', 'train.csv', '--test', 'test.csv', ...SMALL, ...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('latentrec train --cold-items', () => {
  it('hybrid with item attributes ranks the held-out items: the in-process figures', async () => {
    const out = report(...HYBRID, '--item-features', 'items.csv', '--cold-items', '0.2');
    const f = await features();
    const expected = twin({ itemFeatures: f.itemFeatures, coldItems: 0.2 });
    // Every item has attributes, so every held-out item can be scored.
    expect(out.coldStart.items).toBe(Math.ceil(0.2 * train.itemCount));
    expect(out.coldStart.scorable).toBe(out.coldStart.items);
    const c = expected.coldStart!;
    expect(out.coldStart).toEqual({
      items: c.items, scorable: c.scorable, users: c.ranking!.users, precision: c.ranking!.precision, ndcg: c.ranking!.ndcg, auc: c.ranking!.auc,
    });
    expect(out.coldStart.users).toBeGreaterThan(0);
    // The held-out items lost their training ratings.
    expect(out.data.ratings).toBe(expected.fitOn.size);
    expect(out.data.items).toBe(train.itemCount - out.coldStart.items);
    expect(out.ranking).toEqual(expected.ranking);
  });

  it('mf cannot score items it never saw: scorable 0, and the text output says so', () => {
    const out = report('train', '--model', 'mf', '--data', 'train.csv', '--test', 'test.csv', ...SMALL, '--cold-items', '0.2');
    expect(out.coldStart).toMatchObject({ items: Math.ceil(0.2 * train.itemCount), scorable: 0, users: 0 });
    // NaN figures (nothing ranked) are null in JSON.
    expect(out.coldStart.auc).toBeNull();
    const text = run('train', '--model', 'mf', '--data', 'train.csv', '--test', 'test.csv', ...SMALL, '--cold-items', '0.2');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/cold start: 30 items held out of training; the model can score 0 of them/);
    expect(text.stdout).toMatch(/cannot score items it never saw/);
  });

  it.skipIf(!hasMl100k)(`ML-100k u1 with --ml100k-features: held-out movies rank with AUC >= 0.65${ml100kNote}`, () => {
    const out = report(
      'train', '--model', 'hybrid', '--data', join(ml100kDir, 'u1.base'), '--test', join(ml100kDir, 'u1.test'),
      '--implicit-threshold', '4', '--ml100k-features', ml100kDir, '--cold-items', '0.2',
    );
    console.log(`CLI u1 cold start: ${JSON.stringify(out.coldStart)}`);
    // u1.base rates 1650 movies; u.item lists them all.
    expect(out.coldStart.items).toBe(330);
    expect(out.coldStart.scorable).toBe(330);
    expect(out.coldStart.auc).toBeGreaterThanOrEqual(0.65);
  });
});

describe('rating-accuracy commands refuse the ranking models', () => {
  it('cv, curve and search name the command and point to train --json', () => {
    for (const args of [
      ['cv', '--model', 'hybrid', '--data', 'train.csv'],
      ['curve', '--model', 'bpr', '--data', 'train.csv', '--out', 'c.svg'],
      ['curve', '--vary', 'model=svd,als', '--data', 'train.csv', '--out', 'c.svg'],
      ['search', '--grid', 'model=svd,popular', '--data', 'train.csv'],
    ]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`latentrec: ${args[0]} reports rating accuracy \\(RMSE/MAE\\); --model (hybrid|bpr|als|popular) ranks: use latentrec train --json`));
    }
    expect(existsSync(join(dir, 'c.svg'))).toBe(false);
  });
});

describe('latentrec train --model als --alpha', () => {
  it('the report is the in-process ALS with the same alpha and reg; --alpha elsewhere is refused', async () => {
    const { ALS } = await import('../src/index.js');
    const cliReport = report('train', '--model', 'als', '--data', 'train.csv', '--test', 'test.csv', '--implicit-threshold', '4', ...SMALL, '--alpha', '3', '--reg', '7');
    const model = new ALS({ factors: 8, epochs: 5, alpha: 3, reg: 7 });
    model.fit(toImplicit(train, { threshold: 4 }));
    const r = evaluateModelRanking(model, train, test, { k: 10, protocol: 'full', relevance: 4 });
    expect(cliReport.ranking.precision).toBe(r.precision);
    expect(cliReport.ranking.ndcg).toBe(r.ndcg);
    // alpha is really applied: the default alpha ranks differently.
    const defaults = report('train', '--model', 'als', '--data', 'train.csv', '--test', 'test.csv', '--implicit-threshold', '4', ...SMALL, '--reg', '7');
    expect(defaults.ranking.ndcg).not.toBe(cliReport.ranking.ndcg);
    const refused = run('train', '--model', 'bpr', '--data', 'train.csv', '--alpha', '3');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--alpha applies to --model als');
  });
});
