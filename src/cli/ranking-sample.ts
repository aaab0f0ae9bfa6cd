// --no-ranking and --ranking-users N (train, evaluate): skip the full-catalogue ranking, or rank a
// seeded sample of the test users when ranking every one would take too long.
import type { Dataset } from '../data/dataset.js';
import { sampleUsers } from '../data/splits.js';
import { OptionError } from '../errors.js';

export interface RankingFlags {
  /** false with --no-ranking (commander's negated flag). */
  ranking?: boolean;
  rankingUsers?: string;
}

/** What the JSON says about a sample: the users ranked, of how many, and the seed. */
export interface RankingSample {
  users: number;
  of: number;
  seed: number;
}

/** Whether to rank, and how many test users (undefined: all); checked before anything loads. */
export function rankingPlan(flags: RankingFlags): { rank: boolean; users?: number } {
  if (flags.ranking === false) {
    if (flags.rankingUsers !== undefined) throw new Error('--ranking-users samples the users --no-ranking skips: give one of them');
    return { rank: false };
  }
  if (flags.rankingUsers === undefined) return { rank: true };
  const users = Number(flags.rankingUsers);
  if (!Number.isInteger(users) || users < 1) throw new OptionError('--ranking-users', 'an integer >= 1', flags.rankingUsers);
  return { rank: true, users };
}

/** The test set to rank: all of it, or a seeded sample of `users` of its users (stated in `sample`). */
export function rankingTest(test: Dataset, users: number | undefined, seed: number): { test: Dataset; sample?: RankingSample } {
  if (users === undefined) return { test };
  const s = sampleUsers(test, { users, seed });
  return { test: s.data, sample: { users: s.users, of: s.of, seed } };
}

/** " (N of M test users, seed S)" for the human-readable line, or nothing. */
export function describeSample(sample: RankingSample | undefined): string {
  return sample ? ` (${sample.users} of ${sample.of} test users, sampled with seed ${sample.seed})` : '';
}
