// The strong-generalization table of the README (Liang et al. 2018's protocol) on MovieLens 100k:
// ratings >= 4 as interactions, users with >= 5, 20 % of the users held out, 80 % of each held-out
// user's items given as history and 20 % scored; Recall@20, Recall@50, NDCG@100, the mean (and the
// range) over seeds 0..4, with fit and scoring seconds. The same figures, one seed at a time:
//   latentrec train --data u.data --model M --implicit-threshold 4 --protocol strong --seed S --json
//
//   npx tsx bench/strong-report.ts [--dir path/to/ml-100k] [--models ease,als] [--json]
//   npx tsx bench/strong-report.ts --lastfm ../shared/data/hetrec2011-lastfm-2k   (every play an interaction, artists with >= 10 listeners)
import { readFile } from 'node:fs/promises';
import { toImplicit } from '../src/data/implicit.js';
import { loadRatingsFile } from '../src/data/load-node.js';
import { ALS, BPR, Dataset, EASE, Hybrid, IALS, Popular, evaluateStrongGeneralization, strongGeneralizationSplit, type FactorModel } from '../src/index.js';
import { flagValue, ml100kDirArg } from './bench-args.js';

const args = process.argv.slice(2);
const lastfm = flagValue(args, '--lastfm');
const data = lastfm === undefined ? toImplicit((await loadRatingsFile(`${ml100kDirArg(args)}/u.data`)).dataset, { threshold: 4 }) : await lastfmArtists(lastfm);

/** hetrec2011 last.fm: every (user, artist) play an interaction, artists with at least 10 listeners. */
async function lastfmArtists(dir: string): Promise<Dataset> {
  const rows = (await readFile(`${dir}/user_artists.dat`, 'utf8')).trim().split('\n').slice(1).map((l) => l.split('\t'));
  const listeners = new Map<string, number>();
  for (const [, artist] of rows) listeners.set(artist, (listeners.get(artist) ?? 0) + 1);
  return Dataset.fromTriples(rows.filter(([, artist]) => listeners.get(artist)! >= 10).map(([user, artist]) => [user, artist, 1] as [string, string, number]));
}
const makers: Record<string, () => FactorModel> = {
  popular: () => new Popular(), ease: () => new EASE(), als: () => new ALS(), ials: () => new IALS(), bpr: () => new BPR(), 'bpr-shuffle': () => new BPR({ order: 'shuffle' }), hybrid: () => new Hybrid(), 'hybrid-shuffle': () => new Hybrid({ order: 'shuffle' }),
};
const only = flagValue(args, '--models')?.split(',');
const splits = [0, 1, 2, 3, 4].map((seed) => strongGeneralizationSplit(data, { seed }));
const rows = Object.entries(makers).filter(([name]) => !only || only.includes(name)).map(([name, make]) => {
  const runs = splits.map((split) => {
    const model = make();
    const t0 = performance.now();
    model.fit(split.train);
    const t1 = performance.now();
    const r = evaluateStrongGeneralization(model, split);
    return { ...r, fitSeconds: (t1 - t0) / 1000, scoreSeconds: (performance.now() - t1) / 1000 };
  });
  const stat = (k: 'recall20' | 'recall50' | 'ndcg100' | 'fitSeconds' | 'scoreSeconds') => {
    const v = runs.map((r) => r[k]);
    return { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) };
  };
  return { model: name, users: runs[0].users, recall20: stat('recall20'), recall50: stat('recall50'), ndcg100: stat('ndcg100'), fitSeconds: stat('fitSeconds').mean, scoreSeconds: stat('scoreSeconds').mean };
});
if (args.includes('--json')) console.log(JSON.stringify({ seeds: 5, heldoutUsers: 0.2, rows }));
else {
  console.log('| model | Recall@20 | Recall@50 | NDCG@100 (min–max over seeds) | fit s | scoring s |\n|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.recall20.mean.toFixed(4)} | ${r.recall50.mean.toFixed(4)} | ${r.ndcg100.mean.toFixed(4)} (${r.ndcg100.min.toFixed(3)}–${r.ndcg100.max.toFixed(3)}) | ${r.fitSeconds.toFixed(2)} | ${r.scoreSeconds.toFixed(2)} |`);
  }
}
