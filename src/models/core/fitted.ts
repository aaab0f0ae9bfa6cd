// A fitted model's state in engine memory, and its conversion to and from plain ModelState
// (what model files hold).
import { IdMap, type Dataset, type RatingScale } from '../../data/dataset.js';
import { groupValues } from '../../data/group.js';
import { makeEngine, strideFor, type Engine, type EngineChoice, type F32, type FactorBlock, type WasmVariant } from '../../engine/index.js';
import type { DayTerms } from './days.js';
import type { UserBag } from './user-bag.js';
import { copyItemItem, padItemItem, unpadItemItem, type ItemItem } from './item-item.js';
import type { OrdinalLink } from './link.js';
import type { ModelState, ModelStateKind } from './state.js';

export interface Fitted {
  engine: Engine;
  /** P may have spare rows beyond users.size (room for folded-in users). */
  factors: FactorBlock;
  users: IdMap;
  items: IdMap;
  /** μ inside the model: the training mean for biased models (the Bayesian FM adds w0 and its mean offsets), 0 otherwise. */
  mu: number;
  /** Mean training rating: what an impossible unbiased prediction falls back to. */
  trainMean: number;
  scale: RatingScale;
  /** The output link (the Bayesian FM's ordinal output): estimates are expectedRating(link, score). */
  link?: OrdinalLink;
  /** The Bayesian FM's day group: each training day's deviation from the average day (core/days.ts). */
  days?: DayTerms;
  /** The Bayesian FM's user bag, for fold-in (core/user-bag.ts). */
  bag?: UserBag;
  /** EASE's item–item weights (core/item-item.ts): scores come from them and the user's items, not from factors. */
  itemItem?: ItemItem;
  /**
   * Items each user rated in training (CSR): seenItems[seenStart[u] .. seenStart[u+1]), 2 bytes
   * per rating when item ids fit (see itemIdArray).
   */
  seenStart: Uint32Array;
  seenItems: ItemIds;
  /** Items of users added after training (fold-in), by internal user id. */
  extraSeen: Map<number, Uint32Array>;
  /** Row norms of P and Q for cosine similarity, computed on first use. */
  norms?: { P?: Float32Array; Q?: Float32Array };
}

/** Item ids: 16-bit where every id fits, else 32-bit. */
export type ItemIds = Uint32Array | Uint16Array;

/**
 * An array for `length` item ids: 16-bit when the catalogue has at most 65,536 items (Netflix's
 * 17,770 do), so the seen index of 100M ratings is 200 MB instead of 400.
 */
function itemIdArray(length: number, itemCount: number): ItemIds {
  return itemCount <= 0x10000 ? new Uint16Array(length) : new Uint32Array(length);
}

/** The training items of each user (a CSR by user, each user's in row order), compact. */
export function seenIndex(train: Dataset): { start: Uint32Array; values: ItemIds } {
  return groupValues(train.userIndex, train.userCount, train.itemIndex, itemIdArray(train.size, train.itemCount));
}

/** The items a user rated (training or fold-in). */
export function seenOf(m: Fitted, u: number): ItemIds {
  const extra = m.extraSeen.get(u);
  if (extra) return extra;
  return u + 1 < m.seenStart.length ? m.seenItems.subarray(m.seenStart[u], m.seenStart[u + 1]) : new Uint32Array(0);
}

/** A fresh engine of the same kind and wasm build as `engine`: a model stays on the build it was fitted or loaded on. */
export function engineLike(engine: Engine): Engine {
  return makeEngine(engine.name, engine.variant === 'js' ? undefined : engine.variant);
}

/**
 * The parts of a fitted state that live in engine memory (the factor block and, for EASE, the
 * item–item weights) copied into `engine`, with room for `userCapacity` user rows.
 */
export function copyEngineParts(f: FactorBlock, itemItem: ItemItem | undefined, engine: Engine, userCapacity?: number): { engine: Engine; factors: FactorBlock; itemItem?: ItemItem } {
  const moved = copyFactors(f, engine, userCapacity);
  return itemItem ? { ...moved, itemItem: copyItemItem(itemItem, engine) } : moved;
}

/** Copies the factor block into `engine`, with room for `userCapacity` user rows. */
export function copyFactors(f: FactorBlock, engine: Engine, userCapacity?: number, itemCapacity?: number): { engine: Engine; factors: FactorBlock } {
  const copy = (h: F32, length = h.length): F32 => {
    const c = engine.allocF32(length);
    c.array().set(h.array().subarray(0, Math.min(h.length, length)));
    return c;
  };
  const users = userCapacity ?? f.bu.length;
  const items = itemCapacity ?? f.bi.length;
  return {
    engine,
    factors: { P: copy(f.P, users * f.stride), Q: copy(f.Q, items * f.stride), bu: copy(f.bu, users), bi: copy(f.bi, items), stride: f.stride },
  };
}

export function toModelState(m: Fitted, kind: ModelStateKind, options: Record<string, unknown>, k: number, biased: boolean): ModelState {
  const users = m.users.size, items = m.items.size, stride = m.factors.stride;
  const unpad = (h: F32, rows: number): Float32Array => {
    const src = h.array(), out = new Float32Array(rows * k);
    for (let r = 0; r < rows; r++) out.set(src.subarray(r * stride, r * stride + k), r * k);
    return out;
  };
  const seenStart = new Uint32Array(users + 1);
  const lists: ItemIds[] = [];
  for (let u = 0; u < users; u++) {
    const seen = seenOf(m, u);
    lists.push(seen);
    seenStart[u + 1] = seenStart[u] + seen.length;
  }
  const seenItems = new Uint32Array(seenStart[users]);
  lists.forEach((seen, u) => seenItems.set(seen, seenStart[u]));
  return {
    kind, options, factors: k, biased, mu: m.mu, trainMean: m.trainMean, scale: { ...m.scale },
    userIds: [...m.users.raw], itemIds: [...m.items.raw],
    P: unpad(m.factors.P, users), Q: unpad(m.factors.Q, items),
    bu: m.factors.bu.array().slice(0, users), bi: m.factors.bi.array().slice(0, items),
    seenStart, seenItems,
    ...(m.link ? { link: copyLink(m.link) } : {}),
    ...(m.days ? { days: copyDays(m.days) } : {}),
    ...(m.bag ? { bag: { factors: m.bag.factors.slice(), biases: m.bag.biases.slice() } } : {}),
    ...(m.itemItem ? { itemItem: unpadItemItem(m.itemItem, items) } : {}),
  };
}

function copyDays(d: DayTerms): DayTerms {
  return { days: d.days.slice(), factors: d.factors.slice(), biases: d.biases.slice() };
}

function copyLink(l: OrdinalLink): OrdinalLink {
  return { levels: [...l.levels], cutpoints: [...l.cutpoints], spread: l.spread };
}

/** A fitted state in a fresh engine: `wasmVariant` forces the wasm build (default: the best supported). */
export function fromModelState(s: ModelState, engineName: EngineChoice = 'auto', wasmVariant?: WasmVariant): Fitted {
  const engine = makeEngine(engineName, wasmVariant);
  const k = s.factors, stride = strideFor(k);
  const users = s.userIds.length, items = s.itemIds.length;
  const pad = (src: Float32Array, rows: number): F32 => {
    const h = engine.allocF32(rows * stride), dst = h.array();
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * k, r * k + k), r * stride);
    return h;
  };
  const vector = (src: Float32Array): F32 => {
    const h = engine.allocF32(src.length);
    h.array().set(src);
    return h;
  };
  return {
    engine,
    factors: { P: pad(s.P, users), Q: pad(s.Q, items), bu: vector(s.bu), bi: vector(s.bi), stride },
    users: IdMap.from(s.userIds), items: IdMap.from(s.itemIds),
    mu: s.mu, trainMean: s.trainMean, scale: { ...s.scale },
    // Copies: the model must not change when the caller later reuses the state's arrays.
    seenStart: s.seenStart.slice(), seenItems: compactCopy(s.seenItems, items), extraSeen: new Map(),
    ...(s.link ? { link: copyLink(s.link) } : {}),
    ...(s.days ? { days: copyDays(s.days) } : {}),
    ...(s.bag ? { bag: { factors: s.bag.factors.slice(), biases: s.bag.biases.slice() } } : {}),
    ...(s.itemItem ? { itemItem: padItemItem(s.itemItem, items, engine) } : {}),
  };
}

/** A copy of `items`, compact where ids fit (itemIdArray). */
function compactCopy(items: Uint32Array, itemCount: number): ItemIds {
  const copy = itemIdArray(items.length, itemCount);
  copy.set(items);
  return copy;
}
