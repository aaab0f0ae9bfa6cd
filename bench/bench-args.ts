// The command-line options shared by the bench/ scripts: the kernel benchmark's sizes (bench/run.ts and
// bench/browser.ts take the same flags, e.g. --ratings 200000 --rounds 2), and the MovieLens folder of the
// tuning and report scripts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/** The value after `name`, or undefined when the flag is absent. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/**
 * MovieLens 100k for the scripts that need it: --dir, else ../shared/data/ml-100k beside the
 * repo. Exits with a message naming the place looked at when u1.base is not there.
 */
export function ml100kDirArg(args: readonly string[]): string {
  const dir = flagValue(args, '--dir') ?? fileURLToPath(new URL('../../shared/data/ml-100k', import.meta.url));
  if (!existsSync(`${dir}/u1.base`)) {
    console.error(`MovieLens 100k not found at ${dir} (give --dir)`);
    process.exit(1);
  }
  return dir;
}

/** The whole number after `name` (>= 1), `fallback` when the flag is absent; anything else is an error. */
export function wholeFlag(args: readonly string[], name: string, fallback: number): number {
  const text = flagValue(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number >= 1 (got ${JSON.stringify(text)})`);
  return value;
}
