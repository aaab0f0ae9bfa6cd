// Scale data benchmark (issue 7): writes the generated scale set (default 20M ratings, 200k users,
// 50k items) as an ml100k-style file when it is missing, then loads it with loadRatingsFile in a
// fresh child process, so that the peak RSS printed is the loader's own (plus Node's and tsx's
// baseline, printed beside it), and prints one JSON object with the machine it ran on.
//   npx tsx bench/scale-data.ts [--out /tmp/scale20m.tsv] [--ratings N] [--users N] [--items N] [--seed N]
//                               [--threads 1,2] [--repeat 3]
// With --threads, each thread count loads in its own process, the counts taking turns --repeat
// times; the JSON then has "loads": [{threads, loadSeconds, peakRssBytes}] and the median
// seconds and speed-up of each count against the first.
// The file is not regenerated when it exists, whatever the sizes given: delete it to change them.
import { existsSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateScaleRatings, SCALE_DEFAULTS } from '../src/data/generate-scale.js';
import { loadRatingsFile, writeRatingsFile } from '../src/data/load-node.js';
import { flagValue, wholeFlag } from './bench-args.js';
import { childJson } from './child-json.js';

const args = process.argv.slice(2);

const whole = (name: string, fallback: number): number => wholeFlag(args, name, fallback);

/** The child: loads the file and prints its figures as one JSON line. */
async function loadChild(path: string, threads: number | 'auto'): Promise<void> {
  const baselineRssBytes = process.memoryUsage().rss;
  const t0 = performance.now();
  const { dataset, summary } = await loadRatingsFile(path, { threads });
  const loadSeconds = (performance.now() - t0) / 1000;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const dataBytes = dataset.userIndex.byteLength + dataset.itemIndex.byteLength + dataset.ratings.byteLength;
  process.stdout.write(
    `${JSON.stringify({
      ratings: dataset.size,
      users: dataset.userCount,
      items: dataset.itemCount,
      format: summary.format,
      threads: summary.threads,
      duplicates: summary.duplicates.found,
      loadSeconds: Number(loadSeconds.toFixed(2)),
      peakRssBytes,
      bytesPerRating: Number((peakRssBytes / dataset.size).toFixed(2)),
      baselineRssBytes,
      bytesPerRatingAboveBaseline: Number(((peakRssBytes - baselineRssBytes) / dataset.size).toFixed(2)),
      datasetArrayBytes: dataBytes,
    })}\n`,
  );
}

async function main(): Promise<void> {
  const loadAt = args.indexOf('--load-child');
  if (loadAt >= 0) {
    const threads = args[loadAt + 2];
    await loadChild(args[loadAt + 1], threads === undefined || threads === 'auto' ? 'auto' : Number(threads));
    return;
  }
  const out = flagValue(args, '--out') ?? '/tmp/scale20m.tsv';
  const ratings = whole('--ratings', SCALE_DEFAULTS.ratings);
  const users = whole('--users', Math.min(SCALE_DEFAULTS.users, Math.max(1, Math.floor(ratings / 20))));
  const items = whole('--items', Math.min(SCALE_DEFAULTS.items, ratings));
  const seed = whole('--seed', SCALE_DEFAULTS.seed);

  let generated: Record<string, number> | null = null;
  if (!existsSync(out)) {
    const t0 = performance.now();
    const dataset = generateScaleRatings({ ratings, users, items, seed });
    const t1 = performance.now();
    await writeRatingsFile(out, dataset);
    generated = {
      generateSeconds: Number(((t1 - t0) / 1000).toFixed(2)),
      writeSeconds: Number(((performance.now() - t1) / 1000).toFixed(2)),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  }

  // A fresh process (same node, same loader flags, e.g. tsx's) for an honest peak RSS.
  const threadList = flagValue(args, '--threads')?.split(',').map((t) => (t === 'auto' ? t : String(Number(t))));
  const repeat = whole('--repeat', 1);
  const child = (threads: string) => childJson<Record<string, unknown>>(`the loading process (threads ${threads})`, fileURLToPath(import.meta.url), ['--load-child', out, threads]);
  const load: Record<string, unknown> & { loads: Record<string, unknown>[] } = threadList === undefined ? { ...child('auto'), loads: [] } : { loads: [] };
  if (threadList !== undefined) {
    for (let r = 0; r < repeat; r++) for (const t of threadList) load.loads.push({ requested: t, ...child(t) });
    const medianOf = (t: string) => {
      const s = load.loads.filter((l) => l.requested === t).map((l) => l.loadSeconds as number).sort((a, b) => a - b);
      return s[s.length >> 1];
    };
    Object.assign(load, {
      medianLoadSeconds: Object.fromEntries(threadList.map((t) => [t, medianOf(t)])),
      speedup: Object.fromEntries(threadList.map((t) => [t, Number((medianOf(threadList[0]) / medianOf(t)).toFixed(2))])),
    });
  }
  const cpu = cpus()[0];
  const result = {
    ...load,
    file: out,
    fileBytes: statSync(out).size,
    generated,
    machine: { cpu: cpu?.model ?? 'unknown', cores: cpus().length, totalMemBytes: totalmem(), node: process.version, platform: process.platform },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
