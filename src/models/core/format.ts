// The latentrec model file: a ModelState as bytes, and back. Browser-safe (no Node built-ins, no
// Buffer); io/model-file-node.ts adds saving to and loading from disk. Which kinds a file may hold
// is the registry's to say: every entry point takes the list (io/model-file.ts passes the
// registry's; a model saving itself passes its own kind).
//
// Layout (version 1, every integer and float little-endian):
//
//   offset 0   8 bytes   magic "LATENTRC" (ASCII)
//          8   u32       format version (MODEL_FILE_VERSION)
//         12   u32       header byte length H
//         16   H bytes   header: UTF-8 JSON {kind, options, factors, biased, mu, trainMean, scale,
//                        users, items, seenCount, [userFeatures, itemFeatures,]
//                        sections: [{name, offset, length}]}
//                        zero padding up to the next multiple of 4: the data area starts there (D)
//          D   ...       sections, each at a 4-byte aligned offset (relative to D) and zero-padded
//                        to a multiple of 4, in this order:
//                          P          f32  users*k    (row-major, unpadded)
//                          Q          f32  items*k
//                          bu         f32  users
//                          bi         f32  items
//                          seenStart  u32  users+1    (CSR row starts into seenItems)
//                          seenItems  u32  seenCount
//                          userIds    UTF-8 of a JSON array of strings (users of them)
//                          itemIds    UTF-8 of a JSON array of strings (items of them)
//                        then, exactly when the header has userFeatures and itemFeatures (kind
//                        "hybrid" only: its LightFM-style feature embeddings, for cold start):
//                          userFeatureNames    UTF-8 of a JSON array of distinct strings (userFeatures of them)
//                          userFeatureFactors  f32  userFeatures*k   (row r is userFeatureNames[r])
//                          userFeatureBiases   f32  userFeatures
//                          itemFeatureNames, itemFeatureFactors, itemFeatureBiases: the same for items
//   last 4 bytes         u32 CRC-32 (IEEE) of every byte before it
//
// The header holds mu, trainMean and the scale as JSON numbers, which round-trip doubles exactly
// (and -0 is written as "-0" so it survives too). Section lengths are in bytes.
//
// The feature sections came after version 1 was first written but need no new version: a file
// without them is byte for byte what latentrec always wrote, and a reader from before them refuses
// kind "hybrid" as an unknown kind (saying a newer latentrec may read it) before looking further.
//
// decodeModel trusts nothing: every length, offset, count, id and value is checked before it is
// used, every allocation is bounded by the file's size, and every problem is a ModelFileError
// whose `problem` says which kind of check failed and whose `reason` says what to do.
import type { RatingScale } from '../../data/dataset.js';
import { describeValue as describe, ModelFileError, type ModelFileProblem } from '../../errors.js';
import { crc32 } from '../../util/crc32.js';
import { MAX_FACTORS, PARAMETER_LIMIT as MODEL_PARAMETER_LIMIT, type FeatureEmbeddings, type ModelState, type ModelStateKind } from './state.js';
import { MAX_LEVELS, type OrdinalLink } from './link.js';

/** The 8 ASCII bytes every model file starts with. */
export const MODEL_FILE_MAGIC = 'LATENTRC';
/** The format version this latentrec writes and reads. */
export const MODEL_FILE_VERSION = 1;

/** The sections every model file has. */
const SECTION_NAMES = ['P', 'Q', 'bu', 'bi', 'seenStart', 'seenItems', 'userIds', 'itemIds'] as const;
/** A hybrid model's feature embeddings, one side at a time: state key, header count, sections. */
const FEATURE_SIDES = [
  { side: 'user', count: 'userFeatures', names: 'userFeatureNames', factors: 'userFeatureFactors', biases: 'userFeatureBiases' },
  { side: 'item', count: 'itemFeatures', names: 'itemFeatureNames', factors: 'itemFeatureFactors', biases: 'itemFeatureBiases' },
] as const;
type FeatureSide = (typeof FEATURE_SIDES)[number];
/** The sections only hybrid models have (all six or none). */
const FEATURE_SECTION_NAMES = [
  'userFeatureNames', 'userFeatureFactors', 'userFeatureBiases', 'itemFeatureNames', 'itemFeatureFactors', 'itemFeatureBiases',
] as const satisfies readonly (FeatureSide['names'] | FeatureSide['factors'] | FeatureSide['biases'])[];
/** The sections only a Bayesian FM with the day group has (all three or none). */
const DAY_SECTION_NAMES = ['dayNumbers', 'dayFactors', 'dayBiases'] as const;
/** The sections only a Bayesian FM with the user bag has (both or none). */
const BAG_SECTION_NAMES = ['bagFactors', 'bagBiases'] as const;
/** The section only EASE has: its item–item weights. */
const ITEM_ITEM_SECTION_NAMES = ['itemItem'] as const;
const ALL_SECTION_NAMES: readonly string[] = [
  'P', 'Q', 'bu', 'bi', 'seenStart', 'seenItems', 'userIds', 'itemIds',
  'userFeatureNames', 'userFeatureFactors', 'userFeatureBiases', 'itemFeatureNames', 'itemFeatureFactors', 'itemFeatureBiases',
  ...DAY_SECTION_NAMES, ...BAG_SECTION_NAMES, ...ITEM_ITEM_SECTION_NAMES,
];
type SectionName = (typeof SECTION_NAMES)[number] | (typeof FEATURE_SECTION_NAMES)[number] | (typeof DAY_SECTION_NAMES)[number] | (typeof BAG_SECTION_NAMES)[number] | (typeof ITEM_ITEM_SECTION_NAMES)[number];
interface Section {
  name: SectionName;
  /** Byte offset from the start of the data area (a multiple of 4). */
  offset: number;
  /** Byte length. */
  length: number;
}
/** Bytes before the header: magic, version, header length. */
const PREFIX = 16;
/** The smallest possible file: prefix, empty header, checksum. */
const MIN_LENGTH = PREFIX + 4;
/** Deepest nesting accepted in `options`. */
const MAX_JSON_DEPTH = 64;

const DECODE_HINT = 'the file is damaged or was not written by latentrec: re-save the model';
const ENCODE_HINT = 'fix the state before saving it';

// ---------------------------------------------------------------------------------------------
// Validation of a ModelState (shared by encodeModel, decodeModel and checkModelState)

class Invalid {
  constructor(
    readonly problem: ModelFileProblem,
    readonly what: string,
  ) {}
}

function fail(problem: ModelFileProblem, what: string): never {
  throw new Invalid(problem, what);
}

/**
 * Throws ModelFileError unless `state` is a complete, consistent state of one of `kinds` that
 * predicts no NaN.
 */
export function checkState(state: ModelState, kinds: readonly string[]): void {
  try {
    validateState(state, kinds);
  } catch (err) {
    if (err instanceof Invalid) throw new ModelFileError(err.problem, `invalid model state: ${err.what}`);
    throw err;
  }
}

/** checkState, the message saying which call refused the state ("FactorModel.fromState: invalid model state: ..."). */
export function checkStateFor(where: string, state: ModelState, kinds: readonly string[]): void {
  try {
    checkState(state, kinds);
  } catch (err) {
    if (err instanceof ModelFileError) throw new ModelFileError(err.problem, `${where}: ${err.reason}`, undefined, { cause: err });
    throw err;
  }
}

function validateState(s: ModelState, kinds: readonly string[]): void {
  if (typeof s !== 'object' || s === null) fail('header', `the state is ${describe(s)}, not an object`);
  checkKind(s.kind, kinds);
  checkOptions(s.options);
  checkFactors(s.factors);
  if (typeof s.biased !== 'boolean') fail('header', `biased must be a boolean (got ${describe(s.biased)})`);
  checkScalar('mu', s.mu);
  checkScalar('trainMean', s.trainMean);
  checkScale(s.scale);
  checkIds('userIds', s.userIds);
  checkIds('itemIds', s.itemIds);
  const users = s.userIds.length;
  const items = s.itemIds.length;
  const k = s.factors;
  checkF32('P', s.P, users * k, `users x k = ${users} x ${k}`);
  checkF32('Q', s.Q, items * k, `items x k = ${items} x ${k}`);
  checkF32('bu', s.bu, users, 'one per user');
  checkF32('bi', s.bi, items, 'one per item');
  checkFactorValues('P', s.P, k, 'user', s.userIds);
  checkFactorValues('Q', s.Q, k, 'item', s.itemIds);
  checkFactorValues('bu', s.bu, 0, 'user', s.userIds);
  checkFactorValues('bi', s.bi, 0, 'item', s.itemIds);
  if (!s.biased) {
    // Unbiased = no μ and no user biases; item biases stay (BPR and popularity rank with them).
    if (s.mu !== 0) fail('values', `mu is ${s.mu} but the model is not biased (mu must be 0 when biased is false)`);
    const t = s.bu.findIndex((v) => v !== 0);
    if (t >= 0) fail('values', `bu[${t}] is ${s.bu[t]} but the model is not biased (user biases must be 0 when biased is false)`);
  }
  checkSeen(s.seenStart, s.seenItems, users, items);
  checkFeatures(s);
  checkLink(s.kind, s.link, s.scale);
  checkDays(s.kind, s.days, k);
  checkBag(s.kind, s.bag, s.itemIds, k);
  checkItemItem(s.kind, s.itemItem, s.itemIds);
}

/** EASE's item–item weights: present exactly for kind "ease", items x items, finite and bounded. */
function checkItemItem(kind: string, weights: unknown, itemIds: readonly string[]): void {
  if (weights === undefined) {
    if (kind === 'ease') fail('header', 'kind "ease" needs its item–item weights (itemItem), but the state has none');
    return;
  }
  if (kind !== 'ease') fail('header', `kind ${JSON.stringify(kind)} has item–item weights, but only EASE ("ease") keeps them`);
  const n = itemIds.length;
  checkF32('itemItem', weights, n * n, `items x items = ${n} x ${n}`);
  checkFactorValues('itemItem', weights as Float32Array, n, 'item', itemIds);
}

/** The user bag (Bayesian FM only): one k-wide factor row and one linear term per item, finite. */
function checkBag(kind: string, bag: unknown, itemIds: readonly string[], k: number): void {
  if (bag === undefined) return;
  if (kind !== 'bfm') fail('header', `kind ${JSON.stringify(kind)} has a user bag, but only the Bayesian FM ("bfm") keeps one`);
  if (!isPlainObject(bag)) fail('header', `bag must be an object {factors, biases} (got ${describe(bag)})`);
  const { factors, biases } = bag;
  checkF32('bag.factors', factors, itemIds.length * k, `items x k = ${itemIds.length} x ${k}`);
  checkF32('bag.biases', biases, itemIds.length, 'one per item');
  checkFactorValues('bag.factors', factors as Float32Array, k, 'item', itemIds);
  checkFactorValues('bag.biases', biases as Float32Array, 0, 'item', itemIds);
}

/** The day group (Bayesian FM only): increasing whole days below 2^24, their k-wide deviations and offsets. */
function checkDays(kind: string, days: unknown, k: number): void {
  if (days === undefined) return;
  if (kind !== 'bfm') fail('header', `kind ${JSON.stringify(kind)} has days, but only the Bayesian FM ("bfm") has the day group`);
  if (!isPlainObject(days)) fail('header', `days must be an object {days, factors, biases} (got ${describe(days)})`);
  const { days: numbers, factors, biases } = days;
  if (!(numbers instanceof Float32Array)) fail('values', `days.days must be a Float32Array (got ${describe(numbers)})`);
  const n = numbers.length;
  for (let d = 0; d < n; d++) {
    const x = numbers[d];
    if (!Number.isInteger(x) || Math.abs(x) >= 2 ** 24 || (d > 0 && !(x > numbers[d - 1]))) {
      fail('values', `days.days[${d}] is ${x}: the days must be increasing whole numbers below 2^24 in magnitude`);
    }
  }
  checkF32('days.factors', factors, n * k, `days x k = ${n} x ${k}`);
  checkF32('days.biases', biases, n, 'one per day');
  const dayIds = Array.from(numbers, String);
  checkFactorValues('days.factors', factors as Float32Array, k, 'day', dayIds);
  checkFactorValues('days.biases', biases as Float32Array, 0, 'day', dayIds);
}

/**
 * The ordinal output's link (Bayesian FM only): 2 to MAX_LEVELS increasing levels within the scale,
 * one increasing cut point fewer, and a spread >= 1, all finite.
 */
function checkLink(kind: string, link: unknown, scale: RatingScale): void {
  if (link === undefined) return;
  if (kind !== 'bfm') fail('header', `kind ${JSON.stringify(kind)} has a link, but only the Bayesian FM ("bfm") has an ordinal output`);
  if (!isPlainObject(link)) fail('header', `link must be an object {levels, cutpoints, spread} (got ${describe(link)})`);
  const { levels, cutpoints, spread } = link;
  const increasing = (name: string, a: unknown, count?: number): void => {
    const ok = Array.isArray(a) && a.every((x, t) => typeof x === 'number' && Number.isFinite(x) && (t === 0 || x > a[t - 1]));
    if (!ok) fail('values', `link.${name} must be an array of finite, increasing numbers (got ${describe(a)})`);
    if (count !== undefined && a.length !== count) fail('values', `link.${name} has ${a.length} values; ${count} expected (one fewer than the levels)`);
  };
  increasing('levels', levels);
  const lv = levels as number[];
  if (lv.length < 2 || lv.length > MAX_LEVELS) fail('values', `link.levels has ${lv.length} levels; 2 to ${MAX_LEVELS} expected`);
  if (lv[0] < scale.lo || lv[lv.length - 1] > scale.hi) fail('values', `link.levels run from ${lv[0]} to ${lv[lv.length - 1]}, outside the scale [${scale.lo}, ${scale.hi}]`);
  increasing('cutpoints', cutpoints, lv.length - 1);
  if (typeof spread !== 'number' || !(spread >= 1 && spread < MODEL_PARAMETER_LIMIT)) fail('values', `link.spread must be a finite number >= 1 (got ${describe(spread)})`);
}

/** Hybrid models carry feature embeddings (to score users and items known only by features); no other kind does. */
function checkFeatures(s: ModelState): void {
  const features: unknown = s.features;
  if (s.kind !== 'hybrid') {
    if (features === undefined) return;
    fail('header', `kind ${JSON.stringify(s.kind)} has features, but only hybrid models carry feature embeddings (drop them, or use kind "hybrid")`);
  }
  if (features === undefined) fail('header', 'kind "hybrid" needs features (its user and item feature embeddings) but has none');
  if (!isObject(features)) fail('header', `features must be an object {user, item} (got ${describe(features)})`);
  for (const f of FEATURE_SIDES) {
    const e: unknown = (features as Record<string, unknown>)[f.side];
    if (!isObject(e)) fail('header', `features.${f.side} must be an object {names, factors, biases} (got ${describe(e)})`);
    const { names, factors, biases } = e as Record<string, unknown>;
    checkIds(f.names, names, 'names');
    const n = names.length, k = s.factors;
    checkF32(f.factors, factors, n * k, `${f.count} x k = ${n} x ${k}`);
    checkF32(f.biases, biases, n, `one per ${f.side} feature`);
    checkFactorValues(f.factors, factors as Float32Array, k, `${f.side} feature`, names);
    checkFactorValues(f.biases, biases as Float32Array, 0, `${f.side} feature`, names);
    if (!s.biased && f.side === 'user') {
      // A user's bias is the sum of its features' biases: the same rule as for bu.
      const t = (biases as Float32Array).findIndex((v) => v !== 0);
      if (t >= 0) fail('values', `${f.biases}[${t}] is ${(biases as Float32Array)[t]} but the model is not biased (user feature biases must be 0 when biased is false)`);
    }
  }
}

function checkKind(kind: unknown, kinds: readonly string[]): void {
  if (typeof kind !== 'string') fail('header', `kind must be a string (got ${describe(kind)})`);
  if (!kinds.includes(kind)) {
    fail('header', `unknown model kind ${JSON.stringify(kind)} (this latentrec knows ${kinds.join(', ')}); a newer latentrec may read it`);
  }
}

function checkOptions(options: unknown): void {
  if (!isPlainObject(options)) fail('header', `options must be a JSON object (got ${describe(options)})`);
  jsonText(options, 'options', 0);
}

function checkFactors(k: unknown): void {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
    fail('header', `factors must be a whole number >= 0 (got ${describe(k)})`);
  }
  if (k > MAX_FACTORS) fail('header', `factors ${k} is beyond ${MAX_FACTORS}, the most latentrec supports`);
}

function checkScalar(name: string, x: unknown): void {
  if (typeof x !== 'number') fail('header', `${name} must be a number (got ${describe(x)})`);
  if (!Number.isFinite(x)) fail('values', `${name} is ${x}; it must be a finite number`);
  if (!(Math.abs(x) < MODEL_PARAMETER_LIMIT)) fail('values', `${name} is ${x}, beyond ±${MODEL_PARAMETER_LIMIT}`);
}

function checkScale(scale: unknown): asserts scale is RatingScale {
  if (!isObject(scale)) fail('header', `scale must be an object {lo, hi} (got ${describe(scale)})`);
  const { lo, hi } = scale as Record<string, unknown>;
  if (typeof lo !== 'number' || !Number.isFinite(lo)) fail('header', `scale.lo must be a finite number (got ${describe(lo)})`);
  if (typeof hi !== 'number' || !Number.isFinite(hi)) fail('header', `scale.hi must be a finite number (got ${describe(hi)})`);
  if (!(lo < hi)) fail('header', `scale.lo (${lo}) must be below scale.hi (${hi})`);
}

/** Distinct strings: user or item ids, or (noun 'names') feature names. */
function checkIds(name: string, ids: unknown, noun = 'ids'): asserts ids is string[] {
  if (!Array.isArray(ids)) fail('ids', `${name} must be an array of strings (got ${describe(ids)})`);
  const seen = new Map<string, number>();
  for (let t = 0; t < ids.length; t++) {
    const id: unknown = ids[t];
    if (typeof id !== 'string') fail('ids', `${name}[${t}] is ${describe(id)}, not a string`);
    const first = seen.get(id);
    if (first !== undefined) fail('ids', `${name}[${t}] ${JSON.stringify(id)} duplicates ${name}[${first}]; ${noun} must be distinct`);
    seen.set(id, t);
  }
}

function checkF32(name: string, a: unknown, expected: number, what: string): void {
  if (!(a instanceof Float32Array)) fail('section', `${name} must be a Float32Array (got ${describe(a)})`);
  if (a.length !== expected) fail('section', `${name} has ${a.length} values; expected ${expected} (${what})`);
}

/** Checks a factor matrix (k per row) or, with k = 0, a bias vector (one per row). */
function checkFactorValues(name: string, a: Float32Array, k: number, who: string, ids: readonly string[]): void {
  for (let t = 0; t < a.length; t++) {
    const v = a[t];
    if (Math.abs(v) < MODEL_PARAMETER_LIMIT) continue;
    const row = k === 0 ? t : Math.floor(t / k);
    const where = k === 0 ? `${who} ${JSON.stringify(ids[row])}` : `${who} ${JSON.stringify(ids[row])}, factor ${t - row * k}`;
    fail('values', Number.isFinite(v)
      ? `${name}[${t}] (${where}) is ${v}, beyond ±${MODEL_PARAMETER_LIMIT}: such parameters would overflow predictions`
      : `${name}[${t}] (${where}) is ${v}; factors and biases must be finite`);
  }
}

function checkSeen(seenStart: unknown, seenItems: unknown, users: number, items: number): void {
  if (!(seenStart instanceof Uint32Array)) fail('section', `seenStart must be a Uint32Array (got ${describe(seenStart)})`);
  if (!(seenItems instanceof Uint32Array)) fail('section', `seenItems must be a Uint32Array (got ${describe(seenItems)})`);
  if (seenStart.length !== users + 1) fail('section', `seenStart has ${seenStart.length} entries; expected users + 1 = ${users + 1}`);
  if (seenStart[0] !== 0) fail('seen', `seenStart[0] is ${seenStart[0]}; it must be 0`);
  for (let u = 0; u < users; u++) {
    if (seenStart[u + 1] < seenStart[u]) {
      fail('seen', `seenStart decreases at user ${u} (${seenStart[u]} then ${seenStart[u + 1]}); it must be non-decreasing`);
    }
  }
  if (seenStart[users] !== seenItems.length) {
    fail('seen', `seenStart ends at ${seenStart[users]} but there are ${seenItems.length} seen items; they must match`);
  }
  for (let t = 0; t < seenItems.length; t++) {
    if (seenItems[t] >= items) fail('seen', `seenItems[${t}] is item ${seenItems[t]} but there are only ${items} items`);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** The state as a model file. Throws ModelFileError (nothing written) if the state is inconsistent or of none of `kinds`. */
/**
 * The model file of `state` as one array (encodeStateChunks joined). Throws ModelFileError
 * before anything is made when the state is inconsistent.
 */
export function encodeState(state: ModelState, kinds: readonly string[]): Uint8Array {
  const encoded = encodeStateChunks(state, kinds);
  const out = new Uint8Array(encoded.byteLength);
  let at = 0;
  for (const chunk of encoded.chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Bytes per chunk of encodeStateChunks (a large section is handed out in slices of this). */
const ENCODE_CHUNK_BYTES = 1 << 24;

/**
 * The model file of `state` in chunks of at most 16 MiB, for writing a file of any size without
 * holding it whole: the state is checked and the layout planned now (throwing ModelFileError when
 * the state is inconsistent, before a byte is made); `chunks` then yields the header, each
 * section (on little-endian hosts as views of the state's own arrays, which must not change until
 * the chunks are consumed) and the checksum, in file order.
 */
export function encodeStateChunks(state: ModelState, kinds: readonly string[], chunkBytes = ENCODE_CHUNK_BYTES): { byteLength: number; chunks: Iterable<Uint8Array> } {
  try {
    validateState(state, kinds);
  } catch (err) {
    if (err instanceof Invalid) throw new ModelFileError(err.problem, `cannot save the model state: ${err.what}; ${ENCODE_HINT}`);
    throw err;
  }
  const k = state.factors;
  const users = state.userIds.length;
  const items = state.itemIds.length;
  const encoder = new TextEncoder();
  // JSON.stringify escapes lone surrogates, so every JS string survives UTF-8.
  const userIds = encoder.encode(JSON.stringify(state.userIds));
  const itemIds = encoder.encode(JSON.stringify(state.itemIds));
  const features = state.features;
  const featureNames = features ? FEATURE_SIDES.map((f) => encoder.encode(JSON.stringify(features[f.side].names))) : [];
  // Every section in file order, with its contents.
  const payloads: [SectionName, Float32Array | Uint32Array | Uint8Array][] = [
    ['P', state.P],
    ['Q', state.Q],
    ['bu', state.bu],
    ['bi', state.bi],
    ['seenStart', state.seenStart],
    ['seenItems', state.seenItems],
    ['userIds', userIds],
    ['itemIds', itemIds],
  ];
  if (features) {
    FEATURE_SIDES.forEach((f, t) => {
      payloads.push([f.names, featureNames[t]], [f.factors, features[f.side].factors], [f.biases, features[f.side].biases]);
    });
  }
  const days = state.days;
  if (days) payloads.push(['dayNumbers', days.days], ['dayFactors', days.factors], ['dayBiases', days.biases]);
  const bag = state.bag;
  if (bag) payloads.push(['bagFactors', bag.factors], ['bagBiases', bag.biases]);
  const itemItem = state.itemItem;
  if (itemItem) payloads.push(['itemItem', itemItem]);
  const sections: Section[] = [];
  let cursor = 0;
  for (const [name, payload] of payloads) {
    sections.push({ name, offset: cursor, length: payload.byteLength });
    cursor = align4(cursor + payload.byteLength);
  }
  // Only hybrid files have the feature counts, so every other file keeps its exact old bytes.
  const featureCounts = features ? `"userFeatures":${features.user.names.length},"itemFeatures":${features.item.names.length},` : '';
  // Likewise only ordinal Bayesian FM files have a link.
  const link = state.link;
  const dayCount = (days ? `"days":${days.days.length},` : '') + (bag ? '"userBag":true,' : '') + (itemItem ? '"itemItem":true,' : '');
  const linkText = link ? `"link":{"levels":[${link.levels.map(numberText).join(',')}],"cutpoints":[${link.cutpoints.map(numberText).join(',')}],"spread":${numberText(link.spread)}},` : '';
  const header =
    `{"kind":${JSON.stringify(state.kind)},"options":${jsonText(state.options, 'options', 0)},` +
    `"factors":${k},"biased":${state.biased},"mu":${numberText(state.mu)},"trainMean":${numberText(state.trainMean)},` +
    `"scale":{"lo":${numberText(state.scale.lo)},"hi":${numberText(state.scale.hi)}},` +
    `"users":${users},"items":${items},"seenCount":${state.seenItems.length},${featureCounts}${linkText}${dayCount}"sections":${JSON.stringify(sections)}}`;
  const headerBytes = encoder.encode(header);
  const dataStart = align4(PREFIX + headerBytes.length);
  const head = new Uint8Array(dataStart);
  for (let t = 0; t < 8; t++) head[t] = MODEL_FILE_MAGIC.charCodeAt(t);
  const headView = new DataView(head.buffer);
  headView.setUint32(8, MODEL_FILE_VERSION, true);
  headView.setUint32(12, headerBytes.length, true);
  head.set(headerBytes, PREFIX);

  function* chunks(): Generator<Uint8Array> {
    let crc = 0;
    const pieces = function* (bytes: Uint8Array): Generator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += chunkBytes) {
        const piece = bytes.subarray(at, Math.min(bytes.length, at + chunkBytes));
        crc = crc32(piece, crc);
        yield piece;
      }
    };
    yield* pieces(head);
    for (const [, payload] of payloads) {
      if (payload instanceof Uint8Array) yield* pieces(payload);
      else for (let at = 0; at < payload.length; at += chunkBytes >>> 2) yield* pieces(littleEndian(payload.subarray(at, at + (chunkBytes >>> 2))));
      const pad = align4(payload.byteLength) - payload.byteLength;
      if (pad > 0) yield* pieces(new Uint8Array(pad));
    }
    const tail = new Uint8Array(4);
    new DataView(tail.buffer).setUint32(0, crc, true);
    yield tail;
  }
  return { byteLength: dataStart + cursor + 4, chunks: { [Symbol.iterator]: chunks } };
}

/** Whether this host stores numbers little-endian (as the file does): then arrays are written as they lie. */
function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** The bytes of `a` in little-endian order: a view of it on a little-endian host, else a converted copy. */
function littleEndian(a: Float32Array | Uint32Array): Uint8Array {
  if (littleEndianHost()) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength), view = new DataView(out.buffer);
  if (a instanceof Float32Array) for (let t = 0; t < a.length; t++) view.setFloat32(4 * t, a[t], true);
  else for (let t = 0; t < a.length; t++) view.setUint32(4 * t, a[t], true);
  return out;
}

/** A JSON number that keeps -0. */
function numberText(x: number): string {
  return Object.is(x, -0) ? '-0' : JSON.stringify(x);
}

/**
 * Plain JSON data as text, refusing what JSON.stringify would silently change (NaN, Infinity,
 * undefined in arrays, functions, class instances, cycles) so that options round-trip exactly.
 */
function jsonText(value: unknown, path: string, depth: number): string {
  if (depth > MAX_JSON_DEPTH) fail('header', `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) fail('header', `${path} is ${value}; options must be finite JSON numbers`);
      return numberText(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        const parts: string[] = [];
        for (let t = 0; t < value.length; t++) parts.push(jsonText(value[t], `${path}[${t}]`, depth + 1));
        return `[${parts.join(',')}]`;
      }
      if (!isPlainObject(value)) fail('header', `${path} is ${describe(value)}; options must be plain JSON data`);
      const parts: string[] = [];
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${jsonText(v, `${path}.${key}`, depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return fail('header', `${path} is ${describe(value)}; options must be plain JSON data`);
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** A strict UTF-8 decoder (made per file read: a module-level one would run code on import). */
function utf8(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

/**
 * The state stored in a model file. Everything is checked; any problem (truncation, corruption,
 * another format version, inconsistent contents) throws ModelFileError. The arrays returned are
 * fresh copies, never views of `bytes`.
 */
export function decodeState(bytes: Uint8Array | ArrayBuffer, kinds: readonly string[], views = false): ModelState {
  const b = asBytes(bytes);
  try {
    return decode(b, kinds, views);
  } catch (err) {
    if (err instanceof Invalid) throw new ModelFileError(err.problem, `${err.what}; ${DECODE_HINT}`);
    throw err;
  }
}

function asBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const tag = Object.prototype.toString.call(input);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(input as ArrayBuffer);
  throw new ModelFileError('input', `decodeModel needs the file's bytes as a Uint8Array or ArrayBuffer (got ${describe(input)})`);
}

/**
 * `views`: the number sections may be views of `bytes` rather than copies (where the host is
 * little-endian and they are aligned): for a caller whose bytes are its own (a file just read),
 * so a large model is not held twice.
 */
function decode(bytes: Uint8Array, kinds: readonly string[], views: boolean): ModelState {
  const n = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLength = Math.min(n, 8);
  for (let t = 0; t < magicLength; t++) {
    if (bytes[t] !== MODEL_FILE_MAGIC.charCodeAt(t)) {
      throw new ModelFileError('magic', `not a latentrec model file: it starts with ${startOf(bytes)}, not "${MODEL_FILE_MAGIC}"`);
    }
  }
  if (n < PREFIX) throw truncated(n === 0 ? 'the file is empty' : `the file has only ${n} bytes`, MIN_LENGTH, n, 'at least ');
  const version = view.getUint32(8, true);
  if (version !== MODEL_FILE_VERSION) {
    throw new ModelFileError(
      'version',
      `written by format version ${version}; this latentrec reads version ${MODEL_FILE_VERSION}: ` +
        `re-save the model with a matching version of latentrec` +
        (version > MODEL_FILE_VERSION ? ' (or upgrade latentrec to read it)' : ''),
    );
  }
  const headerLength = view.getUint32(12, true);
  const dataStart = align4(PREFIX + headerLength);
  if (n < dataStart + 4) {
    throw truncated(`the header is declared as ${headerLength} bytes long`, dataStart + 4, n, 'at least ');
  }
  const crcAt = n - 4;
  const stored = view.getUint32(crcAt, true);
  const computed = crc32(bytes.subarray(0, crcAt));
  if (stored !== computed) {
    // Diagnose from the declared sections when the header still parses: truncated, extended or damaged.
    const expected = declaredLength(bytes, headerLength, dataStart);
    if (expected !== undefined && n < expected) throw truncated('the file is cut short', expected, n, '');
    if (expected !== undefined && n > expected) {
      throw new ModelFileError(
        'trailing',
        `the file has ${n - expected} unexpected bytes after its end (expected ${expected} bytes, got ${n}): ` +
          `something was appended to it; restore the original file or re-save the model`,
      );
    }
    throw new ModelFileError(
      'checksum',
      `the file is corrupted: its checksum is ${hex(stored)} but its contents give ${hex(computed)}; ` +
        `restore the file from a good copy or re-save the model`,
    );
  }

  const header = parseHeader(bytes.subarray(PREFIX, PREFIX + headerLength), kinds);
  const k = header.factors;
  const { users, items, seenCount } = header;
  // (Text sections have no fixed length: their counts are checked once parsed.)
  const expectedLengths: Partial<Record<SectionName, [number, string]>> = {
    P: [users * k * 4, `users x k = ${users} x ${k} float32`],
    Q: [items * k * 4, `items x k = ${items} x ${k} float32`],
    bu: [users * 4, `${users} users, float32`],
    bi: [items * 4, `${items} items, float32`],
    seenStart: [(users + 1) * 4, `users + 1 = ${users + 1} uint32`],
    seenItems: [seenCount * 4, `seenCount = ${seenCount} uint32`],
  };
  for (const f of FEATURE_SIDES) {
    const n = header.features?.[f.side] ?? 0;
    expectedLengths[f.factors] = [n * k * 4, `${f.count} x k = ${n} x ${k} float32`];
    expectedLengths[f.biases] = [n * 4, `${n} ${f.side} features, float32`];
  }
  const dayRows = header.days ?? 0;
  expectedLengths.dayNumbers = [dayRows * 4, `${dayRows} days, float32`];
  expectedLengths.dayFactors = [dayRows * k * 4, `days x k = ${dayRows} x ${k} float32`];
  expectedLengths.dayBiases = [dayRows * 4, `${dayRows} days, float32`];
  expectedLengths.bagFactors = [items * k * 4, `items x k = ${items} x ${k} float32`];
  expectedLengths.bagBiases = [items * 4, `${items} items, float32`];
  expectedLengths.itemItem = [items * items * 4, `items x items = ${items} x ${items} float32`];
  const dataLength = crcAt - dataStart;
  let end = 0;
  for (const s of header.sections) {
    if (s.offset % 4 !== 0) fail('section', `section ${s.name} starts at offset ${s.offset}, not a multiple of 4`);
    if (s.offset + s.length > dataLength) {
      fail('section', `section ${s.name} (offset ${s.offset}, ${s.length} bytes) runs past the data area (${dataLength} bytes)`);
    }
    const expected = expectedLengths[s.name];
    if (expected !== undefined && s.length !== expected[0]) {
      fail('section', `section ${s.name} has ${s.length} bytes; expected ${expected[0]} (${expected[1]})`);
    }
    end = Math.max(end, s.offset + s.length);
  }
  const ordered = [...header.sections].sort((a, b) => a.offset - b.offset || a.length - b.length);
  for (let t = 1; t < ordered.length; t++) {
    const a = ordered[t - 1], c = ordered[t];
    if (a.offset + a.length > c.offset) fail('section', `sections ${a.name} and ${c.name} overlap`);
  }
  if (align4(end) !== dataLength) {
    fail('section', `the sections end at ${align4(end)} but the data area is ${dataLength} bytes long`);
  }

  const sectionAt = (name: SectionName): Section => header.sections.find((s) => s.name === name)!;
  const little = littleEndianHost();
  const viewable = (at: number): boolean => views && little && (bytes.byteOffset + at) % 4 === 0;
  const f32 = (name: SectionName): Float32Array => {
    const s = sectionAt(name);
    const at = dataStart + s.offset;
    if (viewable(at)) return new Float32Array(bytes.buffer, bytes.byteOffset + at, s.length / 4);
    const a = new Float32Array(s.length / 4);
    for (let t = 0; t < a.length; t++) a[t] = view.getFloat32(at + 4 * t, true);
    return a;
  };
  const u32 = (name: SectionName): Uint32Array => {
    const s = sectionAt(name);
    const at = dataStart + s.offset;
    if (viewable(at)) return new Uint32Array(bytes.buffer, bytes.byteOffset + at, s.length / 4);
    const a = new Uint32Array(s.length / 4);
    for (let t = 0; t < a.length; t++) a[t] = view.getUint32(at + 4 * t, true);
    return a;
  };
  const ids = (name: 'userIds' | 'itemIds' | FeatureSide['names'], count: number, noun = 'ids'): string[] => {
    const s = sectionAt(name);
    const text = utf8Text(bytes.subarray(dataStart + s.offset, dataStart + s.offset + s.length), `section ${name}`, 'ids');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      fail('ids', `section ${name} is not valid JSON (${(err as Error).message})`);
    }
    checkIds(name, parsed, noun);
    if (parsed.length !== count) fail('ids', `${name} has ${parsed.length} ${noun}; the header says ${count}`);
    return parsed;
  };
  const embeddings = (f: FeatureSide, count: number): FeatureEmbeddings => ({
    names: ids(f.names, count, 'names'),
    factors: f32(f.factors),
    biases: f32(f.biases),
  });

  const state: ModelState = {
    kind: header.kind,
    options: header.options,
    factors: k,
    biased: header.biased,
    mu: header.mu,
    trainMean: header.trainMean,
    scale: header.scale,
    userIds: ids('userIds', users),
    itemIds: ids('itemIds', items),
    P: f32('P'),
    Q: f32('Q'),
    bu: f32('bu'),
    bi: f32('bi'),
    seenStart: u32('seenStart'),
    seenItems: u32('seenItems'),
  };
  if (header.features) {
    state.features = { user: embeddings(FEATURE_SIDES[0], header.features.user), item: embeddings(FEATURE_SIDES[1], header.features.item) };
  }
  if (header.link !== undefined) state.link = header.link as OrdinalLink;
  if (header.days !== undefined) state.days = { days: f32('dayNumbers'), factors: f32('dayFactors'), biases: f32('dayBiases') };
  if (header.userBag) state.bag = { factors: f32('bagFactors'), biases: f32('bagBiases') };
  if (header.itemItem) state.itemItem = f32('itemItem');
  validateState(state, kinds);
  return state;
}

interface Header {
  kind: ModelStateKind;
  options: Record<string, unknown>;
  factors: number;
  biased: boolean;
  mu: number;
  trainMean: number;
  scale: RatingScale;
  users: number;
  items: number;
  seenCount: number;
  /** The feature counts of a hybrid model (absent for every other kind). */
  features?: { user: number; item: number };
  /** The ordinal output's link, unchecked (validateState checks it with the rest of the state). */
  link?: unknown;
  /** The day group's day count (a Bayesian FM with days only). */
  days?: number;
  /** Whether the file has the user bag's sections (a Bayesian FM with the user bag only). */
  userBag?: boolean;
  /** Whether the file has EASE's item–item weights (kind "ease" only, and always there). */
  itemItem?: boolean;
  sections: Section[];
}

function parseHeader(raw: Uint8Array, kinds: readonly string[]): Header {
  const text = utf8Text(raw, 'the header', 'header');
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch (err) {
    fail('header', `the header is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(h)) fail('header', `the header must be a JSON object (got ${describe(h)})`);
  const get = (name: string): unknown => {
    if (!Object.hasOwn(h, name)) fail('header', `the header has no field "${name}"`);
    return h[name];
  };
  const kind = get('kind');
  checkKind(kind, kinds);
  const options = get('options');
  checkOptions(options);
  const factors = get('factors');
  checkFactors(factors);
  const biased = get('biased');
  if (typeof biased !== 'boolean') fail('header', `biased must be a boolean (got ${describe(biased)})`);
  const mu = get('mu');
  checkScalar('mu', mu);
  const trainMean = get('trainMean');
  checkScalar('trainMean', trainMean);
  const scale = get('scale');
  checkScale(scale);
  const count = (name: string): number => {
    const v = get(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail('header', `${name} must be a whole number >= 0 (got ${describe(v)})`);
    return v;
  };
  const users = count('users');
  const items = count('items');
  const seenCount = count('seenCount');
  const features = featureCounts(h, kind as ModelStateKind, count);
  const days = Object.hasOwn(h, 'days') ? count('days') : undefined;
  if (days !== undefined && kind !== 'bfm') fail('header', `the header has days but kind ${JSON.stringify(kind)} has no day group (only the Bayesian FM does)`);
  const userBag = Object.hasOwn(h, 'userBag') ? h.userBag : false;
  if (userBag !== true && userBag !== false) fail('header', `userBag must be true or false (got ${describe(userBag)})`);
  if (userBag && kind !== 'bfm') fail('header', `the header has userBag but kind ${JSON.stringify(kind)} keeps no user bag (only the Bayesian FM does)`);
  const itemItem = Object.hasOwn(h, 'itemItem') ? h.itemItem : false;
  if (itemItem !== true && itemItem !== false) fail('header', `itemItem must be true or false (got ${describe(itemItem)})`);
  if (itemItem && kind !== 'ease') fail('header', `the header has itemItem but kind ${JSON.stringify(kind)} keeps no item–item weights (only EASE does)`);
  if (!itemItem && kind === 'ease') fail('header', 'kind "ease" needs "itemItem":true in the header (its item–item weights) but it has none');
  const rawSections = get('sections');
  if (!Array.isArray(rawSections)) fail('header', `sections must be an array (got ${describe(rawSections)})`);
  const sections: Section[] = [];
  for (let t = 0; t < rawSections.length; t++) {
    const s: unknown = rawSections[t];
    if (!isPlainObject(s)) fail('header', `sections[${t}] must be an object {name, offset, length} (got ${describe(s)})`);
    const { name, offset, length } = s;
    if (typeof name !== 'string' || !ALL_SECTION_NAMES.includes(name)) {
      const shown = typeof name === 'string' ? JSON.stringify(name) : describe(name);
      fail('section', `sections[${t}] has an unknown name ${shown} (expected one of ${ALL_SECTION_NAMES.join(', ')})`);
    }
    if (sections.some((x) => x.name === name)) fail('section', `section ${name} appears twice`);
    if (!itemItem && (ITEM_ITEM_SECTION_NAMES as readonly string[]).includes(name)) {
      fail('section', `section ${name} is present but the header has no itemItem (only EASE has item–item weights)`);
    }
    if (!userBag && (BAG_SECTION_NAMES as readonly string[]).includes(name)) {
      fail('section', `section ${name} is present but the header has no userBag (only a Bayesian FM with the user bag has bag sections)`);
    }
    if (days === undefined && (DAY_SECTION_NAMES as readonly string[]).includes(name)) {
      fail('section', `section ${name} is present but the header has no days (only a Bayesian FM with the day group has day sections)`);
    }
    if (!features && (FEATURE_SECTION_NAMES as readonly string[]).includes(name)) {
      fail('section', `section ${name} is present but the header has no userFeatures and itemFeatures (only hybrid models have feature sections)`);
    }
    for (const [field, v] of [['offset', offset], ['length', length]] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        fail('header', `section ${name}: ${field} must be a whole number >= 0 (got ${describe(v)})`);
      }
    }
    sections.push({ name: name as SectionName, offset: offset as number, length: length as number });
  }
  const required = [...SECTION_NAMES, ...(features ? FEATURE_SECTION_NAMES : []), ...(days !== undefined ? DAY_SECTION_NAMES : []), ...(userBag ? BAG_SECTION_NAMES : []), ...(itemItem ? ITEM_ITEM_SECTION_NAMES : [])];
  for (const name of required) {
    if (!sections.some((s) => s.name === name)) fail('section', `section ${name} is missing`);
  }
  return {
    kind: kind as ModelStateKind,
    options: options as Record<string, unknown>,
    factors: factors as number,
    biased,
    mu: mu as number,
    trainMean: trainMean as number,
    scale: { lo: scale.lo, hi: scale.hi },
    users,
    items,
    seenCount,
    features,
    ...(Object.hasOwn(h, 'link') ? { link: h.link } : {}),
    ...(days !== undefined ? { days } : {}),
    ...(userBag ? { userBag } : {}),
    ...(itemItem ? { itemItem } : {}),
    sections,
  };
}

/** The header's userFeatures and itemFeatures: both for a hybrid model, neither for any other. */
function featureCounts(h: Record<string, unknown>, kind: ModelStateKind, count: (name: string) => number): Header['features'] {
  const hasUser = Object.hasOwn(h, 'userFeatures'), hasItem = Object.hasOwn(h, 'itemFeatures');
  if (hasUser !== hasItem) {
    const [has, lacks] = hasUser ? ['userFeatures', 'itemFeatures'] : ['itemFeatures', 'userFeatures'];
    fail('header', `the header has ${has} but no ${lacks}; a hybrid model's file has both`);
  }
  if (hasUser && kind !== 'hybrid') {
    fail('header', `the header has userFeatures and itemFeatures but kind ${JSON.stringify(kind)} has no feature embeddings (only hybrid models do)`);
  }
  if (!hasUser && kind === 'hybrid') fail('header', 'kind "hybrid" needs userFeatures and itemFeatures in the header (its feature counts) but it has neither');
  return hasUser ? { user: count('userFeatures'), item: count('itemFeatures') } : undefined;
}

/** The file length the header's sections imply, or undefined when the header does not say. */
function declaredLength(bytes: Uint8Array, headerLength: number, dataStart: number): number | undefined {
  let h: unknown;
  try {
    h = JSON.parse(utf8().decode(bytes.subarray(PREFIX, PREFIX + headerLength)));
  } catch {
    return undefined;
  }
  if (!isPlainObject(h) || !Array.isArray(h.sections)) return undefined;
  let end = 0;
  for (const s of h.sections as unknown[]) {
    if (!isPlainObject(s)) return undefined;
    const { offset, length } = s;
    if (typeof offset !== 'number' || typeof length !== 'number') return undefined;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) return undefined;
    end = Math.max(end, offset + length);
  }
  return dataStart + align4(end) + 4;
}

function utf8Text(raw: Uint8Array, what: string, problem: ModelFileProblem): string {
  try {
    return utf8().decode(raw);
  } catch {
    return fail(problem, `${what} is not valid UTF-8`);
  }
}

function truncated(what: string, expected: number, got: number, atLeast: string): ModelFileError {
  return new ModelFileError(
    'truncated',
    `the file is truncated: ${what}; expected ${atLeast}${expected} bytes, got ${got} ` +
      `(${expected - got} missing): the copy or download was cut short, copy the file again or re-save the model`,
  );
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function align4(x: number): number {
  return Math.ceil(x / 4) * 4;
}

function isObject(x: unknown): x is object {
  return typeof x === 'object' && x !== null;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (!isObject(x) || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function hex(x: number): string {
  return `0x${x.toString(16).padStart(8, '0')}`;
}

/** The first bytes, as text when printable, for the "not a model file" message. */
function startOf(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 8);
  const printable = head.every((c) => c >= 0x20 && c < 0x7f);
  if (printable) return JSON.stringify(String.fromCharCode(...head));
  return Array.from(head, (c) => c.toString(16).padStart(2, '0')).join(' ');
}
