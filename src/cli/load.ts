// Loading files for the commands: errors re-labelled with the flag the user typed, and the load
// summary (format, scale, duplicates and the policy applied) shown for every file read.
import { loadRatingsFile, type LoadFileOptions } from '../data/load-node.js';
import type { LoadResult, LoadSummary } from '../data/parse.js';
import { asFlagError } from './options.js';
import { createProgress } from './progress.js';

const MIB = 1 << 20;

/**
 * Loads a ratings file, with a progress bar on the bytes read (in MiB) while a person watches
 * (`watch`: no --json) and the file is large enough to take a moment.
 */
export async function loadFile(path: string, options: LoadFileOptions, watch = false): Promise<LoadResult> {
  const progress = createProgress(watch);
  let started = false;
  try {
    return await loadRatingsFile(path, {
      ...options,
      onProgress: (bytes, total) => {
        if (total === undefined || total < 16 * MIB) return;
        if (!started) progress.start(Math.ceil(total / MIB), `reading ${path} (MiB)`);
        started = true;
        progress.update(bytes >= total ? Math.ceil(total / MIB) : Math.floor(bytes / MIB));
      },
    });
  } catch (error) {
    throw asFlagError(error);
  } finally {
    if (started) progress.stop();
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
