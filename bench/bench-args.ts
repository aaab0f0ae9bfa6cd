// The command-line options shared by bench/run.ts and bench/browser.ts, so a quick check of
// either takes the same flags (e.g. --ratings 200000 --rounds 2).
import { DEFAULT_BENCH_SIZE, type BenchSize } from './kernels.js';

export interface BenchArgs {
  json: boolean;
  size: BenchSize;
}

/** --json, --ratings, --users, --items and --rounds; a missing or malformed number is an error, not NaN rates. */
export function parseBenchArgs(args: readonly string[]): BenchArgs {
  const number = (name: string, fallback: number): number => {
    const at = args.indexOf(name);
    if (at < 0) return fallback;
    const value = Number(args[at + 1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number >= 1 (got ${JSON.stringify(args[at + 1])})`);
    return value;
  };
  const d = DEFAULT_BENCH_SIZE;
  return {
    json: args.includes('--json'),
    size: { ratings: number('--ratings', d.ratings), users: number('--users', d.users), items: number('--items', d.items), rounds: number('--rounds', d.rounds) },
  };
}
