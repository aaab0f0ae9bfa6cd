// Every error latentrec throws on purpose, in one place. Each names what was wrong and what to do.

export class LatentrecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A malformed input line: names the source (file name or '<string>'), the 1-based line and the field. */
export class ParseError extends LatentrecError {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${source}:${line}: ${field}: ${reason}`);
  }
}

/** An option outside its allowed range. */
export class OptionError extends LatentrecError {
  constructor(
    readonly option: string,
    readonly allowed: string,
    readonly value: unknown,
  ) {
    super(`option ${option} must be ${allowed} (got ${formatValue(value)})`);
  }
}

/**
 * An option a model kind does not take (a typo, or another library's name for it): names the key,
 * what it probably meant, and every option the kind takes.
 */
export class UnknownOptionError extends OptionError {
  constructor(
    readonly owner: string,
    key: string,
    value: unknown,
    readonly known: readonly string[],
    readonly suggestion: string | undefined,
  ) {
    super(key, `an option of ${owner}`, value);
    this.message =
      `${owner} has no option ${JSON.stringify(key)}` +
      (suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`) +
      `; its options: ${known.join(', ')}`;
  }
}

/** Data that cannot be used as given (empty file, empty training set, ...). */
export class DataError extends LatentrecError {}

/** A fit whose loss became NaN or infinite. `epochs` keeps the curve computed before it. */
export class DivergenceError extends LatentrecError {
  constructor(
    readonly epoch: number,
    /** The learning curve up to the last good epoch. */
    readonly epochs: readonly unknown[],
    hint = 'lower the learning rate (lrAll / --lr) or raise the regularization',
    /** With fit's checkpoint option: the epoch the model was left at (undefined: the model is not fitted). */
    readonly keptEpoch?: number,
    /** Whether to suggest the checkpoint option (models that support it). */
    suggestCheckpoint = true,
  ) {
    super(
      `training diverged at epoch ${epoch}: the loss became NaN or infinite; ${hint}` +
        (keptEpoch !== undefined
          ? `; the model keeps epoch ${keptEpoch}, the best before (checkpoint)`
          : suggestCheckpoint
          ? ' (fit with checkpoint: true to keep the best epoch so far)'
          : ''),
    );
  }
}

/** Which check a model file (or a state being saved) failed. */
export type ModelFileProblem =
  /** The file could not be read or written (Node helpers only). */
  | 'io'
  /** decodeModel was given something that is not bytes. */
  | 'input'
  /** The file ends before its declared end. */
  | 'truncated'
  /** The file continues after its declared end. */
  | 'trailing'
  /** The file does not start with "LATENTRC". */
  | 'magic'
  /** The file has another format version. */
  | 'version'
  /** The stored CRC-32 does not match the bytes. */
  | 'checksum'
  /** The header is not valid UTF-8 JSON, or a field is missing, of the wrong type or out of range. */
  | 'header'
  /** A section is missing, duplicated, unknown, misaligned, out of bounds, overlapping or of the wrong length. */
  | 'section'
  /** A factor, bias, μ or mean is not finite, too large, or inconsistent with `biased`. */
  | 'values'
  /** The user or item ids (or feature names) are not a JSON array of distinct strings of the right count. */
  | 'ids'
  /** seenStart / seenItems do not form a valid CSR structure. */
  | 'seen';

/** A model file that cannot be read (or a state that cannot be saved); `reason` says why and what to do. */
export class ModelFileError extends LatentrecError {
  constructor(
    readonly problem: ModelFileProblem,
    readonly reason: string,
    /** The file, when the error comes from loading or saving one. */
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(path === undefined ? reason : `${path}: ${reason}`);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // Objects (null-prototype ones cannot even be converted) and functions are described, not printed.
  if ((typeof value === 'object' && value !== null) || typeof value === 'function' || typeof value === 'symbol') return describeValue(value);
  return String(value);
}

/** What a value is, for a message about a value of the wrong kind: "null", "the string \"x\"", "a Map", ... */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  switch (typeof x) {
    case 'string':
      return x.length > 40 ? `the string ${JSON.stringify(x.slice(0, 40))}...` : `the string ${JSON.stringify(x)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof x} ${String(x)}`;
    case 'undefined':
      return 'undefined';
    case 'object': {
      const name = (Object.getPrototypeOf(x) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
      if (typeof name !== 'string' || name === 'Object' || name === '') return 'an object';
      return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
    }
    default:
      return `a ${typeof x}`;
  }
}
