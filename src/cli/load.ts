// Loading files for the commands: errors re-labelled with the flag the user typed, and the load
// summary (format, scale, duplicates and the policy applied) shown for every file read.
import { loadRatingsFile } from '../data/load-node.js';
import type { LoadResult, LoadSummary, ParseOptions } from '../data/parse.js';
import { asFlagError } from './options.js';

export async function loadFile(path: string, options: ParseOptions): Promise<LoadResult> {
  try {
    return await loadRatingsFile(path, options);
  } catch (error) {
    throw asFlagError(error);
  }
}

/** The summary as it goes into --json output. */
export function summaryJson(s: LoadSummary) {
  return {
    source: s.source,
    format: s.format,
    ratings: s.ratings,
    users: s.users,
    items: s.items,
    scale: s.scale,
    scaleInferred: s.scaleInferred,
    duplicates: s.duplicates,
  };
}

export function describeLoad(s: LoadSummary): string {
  return (
    `${s.source}: ${s.ratings} ratings, ${s.users} users, ${s.items} items, format ${s.format}, ` +
    `scale ${s.scale.lo}..${s.scale.hi}${s.scaleInferred ? ' (inferred)' : ''}, ` +
    `duplicate (user, item) rows ${s.duplicates.found} (policy ${s.duplicates.policy}, ${s.duplicates.removed} removed)`
  );
}
