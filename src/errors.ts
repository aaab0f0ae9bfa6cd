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
