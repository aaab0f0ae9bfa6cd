// Ctrl-C during `latentrec train`: the fit stops after the epoch it is in, and the command goes
// on with what was trained — scores it, prints the report (saying it was interrupted and which
// epoch the model holds) and saves the model, which loads and predicts. Nothing computed is lost.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FactorModel, generateRatings } from '../src/index.js';
import { loadModelFromFile } from '../src/node.js';
import { repoRoot } from './helpers.js';

const cli = resolve(repoRoot, 'dist/cli/main.js');
const builtNote = existsSync(cli) ? '' : ' [skipped: dist/ missing, run npm run build]';

describe.skipIf(!existsSync(cli))(`Ctrl-C during train${builtNote}`, () => {
  it('stops after the current epoch, reports the epoch kept, and saves a model that loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latentrec-interrupt-'));
    const data = generateRatings({ users: 300, items: 200, ratings: 20_000, minPerUser: 10, seed: 5 });
    const lines = Array.from({ length: data.size }, (_, t) => `${data.users.raw[data.userIndex[t]]}\t${data.items.raw[data.itemIndex[t]]}\t${data.ratings[t]}\t0`);
    writeFileSync(join(dir, 'ratings.tsv'), `${lines.join('\n')}\n`);
    const child = spawn(process.execPath, [cli, 'train', '--data', 'ratings.tsv', '--test-ratio', '0.2', '--epochs', '1000000', '--factors', '16', '--save', 'm.lrec', '--json'], { cwd: dir });
    let stdout = '', stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Let it load and train for a while, then interrupt as a terminal's Ctrl-C does.
    await new Promise((done) => setTimeout(done, 2_500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toContain('interrupted: stopping after this epoch');
    expect(code).toBe(0);
    const report = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(report.aborted).toBe(true);
    expect(report.keptEpoch).toBe(report.epochs.length);
    expect(report.keptEpoch).toBeGreaterThanOrEqual(1);
    expect(report.keptEpoch).toBeLessThan(1_000_000);
    expect(stderr).toContain(`note: interrupted; the model keeps epoch ${report.keptEpoch} of 1000000`);
    expect(Number.isFinite(report.test.rmse)).toBe(true);
    const model: FactorModel = await loadModelFromFile(join(dir, 'm.lrec'));
    expect(model.itemIds.length).toBeGreaterThan(100);
    // The saved model is a trained one: on the data it learned from it beats the global mean.
    const estimates = model.predictMany(data);
    const rmse = (f: (t: number) => number) => Math.sqrt(data.ratings.reduce((s, r, t) => s + (r - f(t)) ** 2, 0) / data.size);
    expect(rmse((t) => estimates[t])).toBeLessThan(rmse(() => model.globalMean));
  }, 60_000);
});
