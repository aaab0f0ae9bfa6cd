// `latentrec train --protocol strong`, the built command: its JSON figures equal the API's on the
// same split, and the flags that do not apply are refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dataset, EASE, evaluateStrongGeneralization, generateRatings, strongGeneralizationSplit, toImplicit } from '../src/index.js';
import { repoRoot } from './helpers.js';

const cli = resolve(repoRoot, 'dist/cli/main.js');

describe('latentrec train --protocol strong', () => {
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm ci does it)`);
  });

  it('prints the protocol\'s figures in JSON and refuses a rating model and a test set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latentrec-strong-'));
    const data = generateRatings({ users: 200, items: 80, ratings: 5000, seed: 1 });
    const lines = Array.from({ length: data.size }, (_, t) => `${data.users.raw[data.userIndex[t]]},${data.items.raw[data.itemIndex[t]]},${data.ratings[t]}`);
    writeFileSync(join(dir, 'r.csv'), `user,item,rating\n${lines.join('\n')}\n`);
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'train', '--data', 'r.csv', ...args], { encoding: 'utf8', cwd: dir });
    const ok = run('--model', 'ease', '--implicit-threshold', '4', '--protocol', 'strong', '--heldout-users', '0.25', '--seed', '3', '--json');
    expect(ok.stderr).toBe('');
    const report = JSON.parse(ok.stdout);
    expect(Object.keys(report.ranking)).toEqual(['protocol', 'users', 'recall20', 'recall50', 'ndcg100', 'heldoutUsers', 'seed']);
    expect(report.ranking).toMatchObject({ protocol: 'strong', heldoutUsers: 0.25, seed: 3 });
    for (const m of ['recall20', 'recall50', 'ndcg100']) expect(report.ranking[m]).toBeGreaterThan(0);
    // The same split and model through the API give the same figures.
    const triples = lines.map((l) => l.split(',')).map(([u, i, r]) => [u, i, Number(r)] as [string, string, number]);
    const split = strongGeneralizationSplit(toImplicit(Dataset.fromTriples(triples), { threshold: 4 }), { heldoutUsers: 0.25, seed: 3 });
    const model = new EASE();
    model.fit(split.train);
    expect(JSON.parse(JSON.stringify(evaluateStrongGeneralization(model, split)))).toEqual(report.ranking);
    expect(run('--model', 'svd', '--protocol', 'strong').stderr).toMatch(/--model must be a ranking kind with --protocol strong/);
    expect(run('--model', 'ease', '--protocol', 'strong', '--test-ratio', '0.2').stderr).toMatch(/--test-ratio does not apply to --protocol strong/);
    expect(run('--model', 'ease', '--heldout-users', '0.2').stderr).toMatch(/--heldout-users applies to --protocol strong/);
    expect(run('--model', 'hybrid', '--protocol', 'strong', '--user-features', 'r.csv').stderr).toMatch(/--user-features: --protocol strong does not take attributes/);
    expect(run('--preset', 'accurate', '--protocol', 'strong').stderr).toMatch(/ranking kind with --protocol strong .*got "bfm"/);
  });
});
