// Attribute files for the kinds that take attributes (hybrid, bfm): --ml100k-features DIR
// (u.user and u.item), or --user-features / --item-features FILE, whose ids must occur in the
// data the command read. A preset may ask for the data's own attributes: MovieLens 100k's u.user
// and u.item in the ratings' directory, when they are there.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import type { Features } from '../data/features.js';
import { loadFeaturesFile, loadMl100kFeatures } from '../data/features-node.js';
import { kindRow, PRESETS, type ModelKind, type PresetName } from '../models/registry.js';

export interface FeatureFlags {
  userFeatures?: string;
  itemFeatures?: string;
  ml100kFeatures?: string;
}

/** Where a preset that wants the data's own attributes looks (the folds' or the data file's directory). */
export function besideData(flags: { preset?: PresetName; foldsDir?: string; data?: string }): string | undefined {
  if (flags.preset === undefined || PRESETS[flags.preset].attributes !== 'beside-data') return undefined;
  return flags.foldsDir ?? (flags.data === undefined ? undefined : dirname(flags.data));
}

export interface Attributes {
  userFeatures?: Features;
  itemFeatures?: Features;
}

/**
 * The attributes the flags name; or, when none are named and `besideData` is a directory holding
 * MovieLens 100k's u.user and u.item (a preset's choice), those — only when they describe the
 * data: every user and item of the data (the first data set) has a row in them. `source` says
 * which files were used, or why the ones found were not.
 */
async function loadAttributes(flags: FeatureFlags, data: readonly Dataset[], besideData?: string): Promise<Attributes & { source?: string }> {
  const named = flags.ml100kFeatures !== undefined || flags.userFeatures !== undefined || flags.itemFeatures !== undefined;
  if (!named && besideData !== undefined && ['u.user', 'u.item', 'u.genre'].every((name) => existsSync(join(besideData, name)))) {
    const { users, items } = await loadMl100kFeatures(besideData);
    const files = `${join(besideData, 'u.user')}, ${join(besideData, 'u.item')}`;
    const missing = (ids: Dataset['users'], rows: Features) => ids.raw.filter((id) => !rows.ids.has(id)).length;
    const users0 = missing(data[0].users, users), items0 = missing(data[0].items, items);
    if (users0 > 0 || items0 > 0) {
      return { source: `not used: ${files} lack ${users0} of the data's users and ${items0} of its items (they describe another data set)` };
    }
    return { userFeatures: users, itemFeatures: items, source: files };
  }
  return loadHybridFeatures(flags, data);
}

/**
 * The attributes a command's fits take: loadAttributes where any of `kinds` takes attributes (the
 * registry's capability), else none. `source` is for the command's output.
 */
export async function attributesFor(
  kinds: readonly ModelKind[], flags: FeatureFlags & { preset?: PresetName; foldsDir?: string; data?: string }, data: readonly Dataset[],
): Promise<{ features: Attributes; source?: string }> {
  if (!kinds.some((kind) => kindRow(kind).capabilities.attributes)) return { features: {} };
  const { source, ...features } = await loadAttributes(flags, data, besideData(flags));
  return { features, source };
}

export async function loadHybridFeatures(flags: FeatureFlags, data: readonly Dataset[]): Promise<Attributes> {
  if (flags.ml100kFeatures !== undefined && (flags.userFeatures !== undefined || flags.itemFeatures !== undefined)) {
    throw new Error('give --ml100k-features DIR or --user-features/--item-features FILE, not both');
  }
  if (flags.ml100kFeatures !== undefined) {
    const { users, items } = await loadMl100kFeatures(flags.ml100kFeatures);
    return { userFeatures: users, itemFeatures: items };
  }
  const hint = `it is in neither the training data nor the test data (${data.length > 1 ? 'rows of both files' : 'the ratings file'} define the ids)`;
  const known = (side: 'users' | 'items') => ({ has: (id: string) => data.some((d) => d[side].has(id)) });
  return {
    userFeatures: flags.userFeatures === undefined ? undefined : await loadFeaturesFile(flags.userFeatures, { kind: 'user', knownIds: known('users'), knownIdsHint: hint }),
    itemFeatures: flags.itemFeatures === undefined ? undefined : await loadFeaturesFile(flags.itemFeatures, { kind: 'item', knownIds: known('items'), knownIdsHint: hint }),
  };
}
