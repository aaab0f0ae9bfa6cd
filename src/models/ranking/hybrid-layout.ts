// How the hybrid model sees its data: which users and items it knows (those with interactions,
// then those known only by their attributes), and each one's row of features — an identity
// feature for every entity with interactions (when on), then its attributes — normalized to sum
// to 1 by default as LightFM's Dataset does.
import { Dataset, IdMap } from '../../data/dataset.js';
import { Features } from '../../data/features.js';
import { DataError, OptionError, describeValue } from '../../errors.js';
import { iterable } from '../core/arguments.js';

/** Attributes by raw id (the shape of data/features.ts `Features`): rows by entity, columns by name. */
export interface AttributeRows {
  /** Entity raw ids (users or items): row r is ids.raw[r]. */
  ids: IdMap;
  /** Attribute names: column c is names.raw[c]. */
  names: IdMap;
  /** Row r's entries are start[r] .. start[r + 1] (ids.size + 1 offsets). */
  start: Uint32Array;
  /** The attribute column of each entry. */
  cols: Uint32Array;
  /** The weight of each entry. */
  vals: Float32Array;
}

/** One side's features over the model's entities: identity columns first, then attributes. */
export interface SideLayout {
  start: Uint32Array;
  cols: Uint32Array;
  vals: Float32Array;
  /** Entities with interactions: rows 0 .. active−1; the rest are known by attributes only. */
  active: number;
  /** Identity columns (one per active entity when identity features are on, else 0). */
  identityCount: number;
  /** Attribute names; attribute c is column identityCount + c. */
  attributes: IdMap;
  featureCount: number;
}

export interface HybridPlan {
  /** The interactions over the model's ids (users and items with interactions come first). */
  data: Dataset;
  user: SideLayout;
  item: SideLayout;
}

export interface LayoutOptions {
  userIdentity: boolean;
  itemIdentity: boolean;
  normalize: boolean;
}

export function planHybrid(train: Dataset, users: AttributeRows | undefined, items: AttributeRows | undefined, o: LayoutOptions): HybridPlan {
  const userIds = new IdMap(), itemIds = new IdMap();
  const userMap = new Int32Array(train.userCount).fill(-1), itemMap = new Int32Array(train.itemCount).fill(-1);
  const n = train.size;
  const userIndex = new Uint32Array(n), itemIndex = new Uint32Array(n);
  for (let t = 0; t < n; t++) {
    const u = train.userIndex[t], i = train.itemIndex[t];
    if (userMap[u] < 0) userMap[u] = userIds.intern(train.users.raw[u]);
    if (itemMap[i] < 0) itemMap[i] = itemIds.intern(train.items.raw[i]);
    userIndex[t] = userMap[u];
    itemIndex[t] = itemMap[i];
  }
  const activeUsers = userIds.size, activeItems = itemIds.size;
  if (users) for (const id of users.ids.raw) userIds.intern(id);
  if (items) for (const id of items.ids.raw) itemIds.intern(id);
  return {
    data: new Dataset(userIds, itemIds, userIndex, itemIndex, train.ratings, train.scale),
    user: layoutSide(userIds, activeUsers, users, o.userIdentity, o.normalize, 'user'),
    item: layoutSide(itemIds, activeItems, items, o.itemIdentity, o.normalize, 'item'),
  };
}

/**
 * partialFit's plan over the mapped data (the model's users and items, then the new ones, in that
 * order): every user and item has its identity feature, then the attributes of its row in
 * `users` / `items`, numbered as the model's attribute names so that their embeddings carry over.
 * Every item counts as warm: negatives are drawn from the whole catalogue, as LightFM's are.
 */
export function planPartial(train: Dataset, users: AttributeRows | undefined, items: AttributeRows | undefined, names: { user: IdMap; item: IdMap }, normalize: boolean): HybridPlan {
  const user = onModelNames('userFeatures', users, names.user, train.users, 'user');
  const item = onModelNames('itemFeatures', items, names.item, train.items, 'item');
  return {
    data: train,
    user: layoutSide(train.users, train.userCount, user, true, normalize, 'user'),
    item: layoutSide(train.items, train.itemCount, item, true, normalize, 'item'),
  };
}

/**
 * `rows` with their columns renumbered as the model's attribute `names`. A name the model was not
 * fitted with, or a row of an entity neither the model nor the data knows, is refused: either
 * would need a parameter the warm start does not have.
 */
function onModelNames(option: string, rows: AttributeRows | undefined, names: IdMap, ids: IdMap, who: 'user' | 'item'): AttributeRows {
  if (!rows) return { ids: new IdMap(), names, start: new Uint32Array(1), cols: new Uint32Array(0), vals: new Float32Array(0) };
  for (const id of rows.ids.raw) {
    if (!ids.has(id)) throw new DataError(`partialFit: ${option} has a row for ${who} ${JSON.stringify(id)}, whom neither the model nor the data knows; add it with add${who === 'user' ? 'User' : 'Item'} first`);
  }
  const cols = Uint32Array.from(rows.cols, (c) => {
    const name = rows.names.raw[c], at = names.get(name);
    if (at < 0) throw new DataError(`partialFit: ${option} has the attribute ${JSON.stringify(name)}, which the model was not fitted with; fit it again to add attributes`);
    return at;
  });
  return { ids: rows.ids, names, start: rows.start, cols, vals: rows.vals };
}

function layoutSide(ids: IdMap, active: number, attributes: AttributeRows | undefined, identity: boolean, normalize: boolean, who: 'user' | 'item'): SideLayout {
  const identityCount = identity ? active : 0;
  const names = attributes?.names ?? new IdMap();
  const start = new Uint32Array(ids.size + 1);
  const cols: number[] = [], vals: number[] = [];
  for (let e = 0; e < ids.size; e++) {
    const first = cols.length;
    if (e < identityCount) {
      cols.push(e);
      vals.push(1);
    }
    const row = attributes ? attributes.ids.get(ids.raw[e]) : -1;
    if (row >= 0) {
      for (let t = attributes!.start[row]; t < attributes!.start[row + 1]; t++) {
        cols.push(identityCount + attributes!.cols[t]);
        vals.push(attributes!.vals[t]);
      }
    }
    if (cols.length === first) throw noFeatures(who, ids.raw[e], e < active);
    if (normalize) {
      let sum = 0;
      for (let t = first; t < cols.length; t++) sum += Math.abs(vals[t]);
      if (sum === 0) throw new DataError(`hybrid: the features of ${who} ${JSON.stringify(ids.raw[e])} all have weight 0; it would have no vector`);
      for (let t = first; t < cols.length; t++) vals[t] /= sum;
    }
    start[e + 1] = cols.length;
  }
  return {
    start, cols: Uint32Array.from(cols), vals: Float32Array.from(vals), active, identityCount, attributes: names,
    featureCount: identityCount + names.size,
  };
}

function noFeatures(who: string, id: string, active: boolean): DataError {
  const side = who === 'user' ? 'userFeatures' : 'itemFeatures';
  if (active) {
    return new DataError(
      `hybrid: ${who} ${JSON.stringify(id)} has interactions but no features, and identity features are off ` +
        `(${who}Identity: false): give it a row in ${side} or turn identity features on`,
    );
  }
  return new DataError(`hybrid: ${who} ${JSON.stringify(id)} has an empty row in ${side} and no interactions; it would have no vector`);
}

/**
 * The representation of an entity not in the model from its attributes alone (cold start after
 * fit): the weighted sum of the attribute embeddings (k per row) in float32, in the order the
 * kernels add. Unknown attribute names are an error naming them.
 */
export function representFromAttributes(
  features: Iterable<string | readonly [string, number]>, names: IdMap, E: Float32Array, b: Float32Array, k: number, normalize: boolean, who: string,
): { vector: Float32Array; bias: number } {
  const cols: number[] = [], weights: number[] = [];
  const unknown: string[] = [];
  const entries = iterable<unknown>(() => new DataError(`${who}: features must be an array of names or [name, weight] pairs, got ${describeValue(features)}`), features);
  for (const x of entries) {
    if (typeof x !== 'string' && !(Array.isArray(x) && typeof x[0] === 'string')) {
      throw new DataError(`${who}: each feature must be a name or a [name, weight] pair, got ${describeValue(x)}`);
    }
    const [name, w]: readonly [string, unknown] = typeof x === 'string' ? [x, 1] : [x[0] as string, x[1]];
    if (typeof w !== 'number' || !Number.isFinite(w)) {
      throw new DataError(`${who}: feature ${JSON.stringify(name)} has weight ${typeof w === 'number' ? w : describeValue(w)}; weights must be finite numbers`);
    }
    const c = names.get(name);
    if (c < 0) unknown.push(name);
    else if (cols.includes(c)) throw new DataError(`${who}: feature ${JSON.stringify(name)} is given twice`);
    else {
      cols.push(c);
      weights.push(w);
    }
  }
  if (unknown.length > 0) {
    throw new DataError(
      `${who}: unknown feature${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).map((s) => JSON.stringify(s)).join(', ')}` +
        `${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}; the model knows ${names.size} (see model.featureNames)`,
    );
  }
  if (cols.length === 0) throw new DataError(`${who}: no features given; a new user or item needs at least one known feature`);
  const sum = weights.reduce((s, w) => s + Math.abs(w), 0);
  if (normalize && sum === 0) throw new DataError(`${who}: every feature has weight 0`);
  const f = Math.fround;
  const vector = new Float32Array(k);
  let bias = 0;
  for (let t = 0; t < cols.length; t++) {
    const w = f(normalize ? weights[t] / sum : weights[t]);
    for (let c = 0; c < k; c++) vector[c] = f(vector[c] + f(w * E[cols[t] * k + c]));
    bias = f(bias + f(w * b[cols[t]]));
  }
  return { vector, bias };
}

/** fit's userFeatures / itemFeatures: absent, or a Features (data/features.ts) whose layout its constructor checked. */
export function attributeRows(option: string, value: unknown): AttributeRows | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Features)) {
    const v = value as Partial<AttributeRows>;
    const idMap = (m: unknown) => Array.isArray((m as IdMap | undefined)?.raw) && typeof (m as IdMap).get === 'function';
    if (typeof value !== 'object' || !idMap(v.ids) || !idMap(v.names) || !(v.start instanceof Uint32Array) || !(v.cols instanceof Uint32Array) || !(v.vals instanceof Float32Array)) {
      throw new OptionError(option, 'a Features (from parseFeatures, or loadFeaturesFile in Node)', value);
    }
    // Another copy of the library's Features (its CommonJS build, say): rebuilt, so its layout is checked.
    return new Features(IdMap.from(v.ids!.raw), IdMap.from(v.names!.raw), v.start!, v.cols!, v.vals!);
  }
  return value;
}

/**
 * Whether a feature belongs to two entities with interactions (an attribute shared by users, or
 * by items): blocks of the blocked order that run at once may then update it together.
 */
export function sharesFeatures(l: SideLayout): boolean {
  const owner = new Int32Array(l.featureCount).fill(-1);
  for (let r = 0; r < l.active; r++) {
    for (let t = l.start[r]; t < l.start[r + 1]; t++) {
      const c = l.cols[t];
      if (owner[c] >= 0 && owner[c] !== r) return true;
      owner[c] = r;
    }
  }
  return false;
}
