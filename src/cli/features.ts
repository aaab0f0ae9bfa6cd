// Attribute files for `--model hybrid`: --ml100k-features DIR (u.user and u.item), or
// --user-features / --item-features FILE, whose ids must occur in the data the command read.
import type { Dataset } from '../data/dataset.js';
import type { Features } from '../data/features.js';
import { loadFeaturesFile, loadMl100kFeatures } from '../data/features-node.js';

export interface FeatureFlags {
  userFeatures?: string;
  itemFeatures?: string;
  ml100kFeatures?: string;
}

export async function loadHybridFeatures(flags: FeatureFlags, data: readonly Dataset[]): Promise<{ userFeatures?: Features; itemFeatures?: Features }> {
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
