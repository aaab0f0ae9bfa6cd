// Checks of what JavaScript callers hand the models' public methods (types are not enforced at
// run time): a wrong kind of value is refused here with a LatentrecError naming the argument,
// instead of surfacing as a TypeError or RangeError from deep inside.
import { Dataset, IdMap, type RawId } from '../../data/dataset.js';
import { DataError, describeValue, OptionError } from '../../errors.js';

/** An options argument: undefined or null (from JavaScript) mean the defaults; anything but an object is refused. */
export function optionsObject<T extends object>(name: string, given: T | null | undefined): T {
  if (given === undefined || given === null) return {} as T;
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new OptionError(name, 'an object of settings (or undefined for the defaults)', given);
  }
  return given;
}

/** A raw user or item id: a string, or a finite number (looked up as its string). */
export function rawId(where: string, name: string, id: unknown): RawId {
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return id;
  throw new DataError(`${where}: ${name} must be an id (a string or a finite number), got ${describeValue(id)}`);
}

/** Something to iterate over (an array, a Set, ...), never a single string (whose characters would be taken as ids). */
export function iterable<T>(what: () => Error, value: unknown): Iterable<T> {
  if (typeof value === 'object' && value !== null && typeof (value as Iterable<T>)[Symbol.iterator] === 'function') return value as Iterable<T>;
  throw what();
}

/** An optional list of raw ids in options (exclude, candidates, users). */
export function idList(option: string, value: unknown): Iterable<RawId> | undefined {
  if (value === undefined || value === null) return undefined;
  return iterable(() => new OptionError(option, 'an array or Set of ids', value), value);
}

/**
 * The dataset argument of fit, partialFit, predictMany, validation: a Dataset as the parsers and
 * Dataset.fromTriples build it. An object with a Dataset's fields (from another copy of the
 * library, e.g. its CommonJS build) is rebuilt as one, so its lengths and values are checked too.
 * Row ids beyond the id maps are refused: the kernels would index past the factors with them.
 */
export function dataset(where: string, name: string, value: unknown): Dataset {
  const refuse = (why: string) => new DataError(`${where}: ${name} must be a Dataset (the .dataset of parseRatings or loadRatingsFile, or Dataset.fromTriples); ${why}`);
  if (typeof value !== 'object' || value === null) throw refuse(`got ${describeValue(value)}`);
  if ((value as { dataset?: unknown }).dataset instanceof Dataset) throw refuse('got what the parser returns: pass its .dataset');
  let data: Dataset;
  if (value instanceof Dataset) {
    data = value;
  } else {
    const v = value as Partial<Record<keyof Dataset, unknown>>;
    const ids = (m: unknown) => Array.isArray((m as { raw?: unknown } | null | undefined)?.raw) && (m as IdMap).raw.every((id) => typeof id === 'string');
    if (!ids(v.users) || !ids(v.items) || !(v.userIndex instanceof Uint32Array) || !(v.itemIndex instanceof Uint32Array) || !(v.ratings instanceof Float32Array)) {
      throw refuse(`got ${describeValue(value)} without a Dataset's ids, index arrays and ratings`);
    }
    const scale = v.scale as { lo?: unknown; hi?: unknown } | undefined;
    if (typeof scale !== 'object' || scale === null) throw refuse(`its scale is ${describeValue(scale)}`);
    const times = v.times instanceof Float64Array ? v.times : undefined;
    data = new Dataset(IdMap.from((v.users as IdMap).raw), IdMap.from((v.items as IdMap).raw), v.userIndex, v.itemIndex, v.ratings, scale as Dataset['scale'], times);
  }
  const { lo, hi } = data.scale ?? {};
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new DataError(`${where}: the scale of ${name} must be {lo, hi} with finite lo <= hi (got ${describeValue(lo)} .. ${describeValue(hi)})`);
  }
  const users = data.users.size, items = data.items.size;
  for (let t = 0; t < data.size; t++) {
    if (data.userIndex[t] >= users || data.itemIndex[t] >= items) {
      throw new DataError(
        `${where}: row ${t} of ${name} refers to user ${data.userIndex[t]} and item ${data.itemIndex[t]}, but it has ${users} users and ${items} items`,
      );
    }
  }
  return data;
}
