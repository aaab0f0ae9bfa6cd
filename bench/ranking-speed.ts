// `npm run bench -- --suite ranking [--json]`: how long the full ranking protocol (what `train`
// reports) takes against the fit it evaluates. SVD with its defaults (k = 100, 20 epochs) on 2M
// generated ratings (50,000 users x 20,000 items, the scale set's skew), 10 % of the rows held
// out; then evaluateModelRanking at k = 10 over every test user the model knows: scores in tiles
// of users on every core (Model.userScorer), each row's metrics from the row kernels.
// `--threads N` sets the scoring threads (default 'auto'); `--per-user` also times the path
// that scores one user at a time (scoreAll), for the ratio.
import { generateScaleRatings } from '../src/data/generate-scale.js';
import { evaluateModelRanking, evaluateRanking, holdoutSplit, scorerOf, SVD } from '../src/index.js';
import { flagValue } from './bench-args.js';
import { IMPLICIT_SPEED_DATA } from './implicit-speed.js';

export interface RankingSpeedRow {
  users: number;
  items: number;
  k: number;
  fitSeconds: number;
  rankingSeconds: number;
  usersScored: number;
  threads: number | 'auto';
  ndcg: number;
  perUserSeconds?: number;
}

export function rankingSpeed(args: readonly string[]): RankingSpeedRow {
  const given = flagValue(args, '--threads');
  const threads = given === undefined || given === 'auto' ? 'auto' : Number(given);
  const data = generateScaleRatings(IMPLICIT_SPEED_DATA);
  const { train, test } = holdoutSplit(data, { testRatio: 0.1, seed: 1 });
  const model = new SVD();
  const fit = model.fit(train);
  const t0 = performance.now();
  const report = evaluateModelRanking(model, train, test, { k: 10, threads });
  const rankingSeconds = (performance.now() - t0) / 1000;
  const row: RankingSpeedRow = {
    users: train.userCount, items: train.itemCount, k: model.options.factors, fitSeconds: fit.fitSeconds, rankingSeconds,
    usersScored: report.users + report.skipped.noRelevantUsers, threads, ndcg: report.ndcg,
  };
  if (args.includes('--per-user')) {
    const t1 = performance.now();
    const again = evaluateRanking(scorerOf(model), train, test, { k: 10 });
    row.perUserSeconds = (performance.now() - t1) / 1000;
    if (JSON.stringify(again) !== JSON.stringify(report)) throw new Error('the per-user report differs from the tiled one');
  }
  return row;
}

export function printRankingSpeed(row: RankingSpeedRow, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const lines = [
    '| users x items | k | fit s | ranking s | ranking / fit | users scored | threads |' + (row.perUserSeconds === undefined ? '' : ' one user at a time s |'),
    '|---|---|---|---|---|---|---|' + (row.perUserSeconds === undefined ? '' : '---|'),
    `| ${row.users} x ${row.items} | ${row.k} | ${row.fitSeconds.toFixed(2)} | ${row.rankingSeconds.toFixed(2)} | ${(row.rankingSeconds / row.fitSeconds).toFixed(2)} | ${row.usersScored} | ${row.threads} |` +
      (row.perUserSeconds === undefined ? '' : ` ${row.perUserSeconds.toFixed(2)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
