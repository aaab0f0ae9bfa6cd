// Every error latentrec throws on purpose, in one place. Each names what was wrong and what to do.

/**
 * The base class of every error latentrec throws on purpose: catch it to tell the library's own
 * errors (bad data, bad options, a diverged fit, an unreadable model file, misuse such as using a
 * model before `fit`) from bugs and runtime failures. Its `name` is the concrete class's name
 * (`'ParseError'`, `'DataError'`, ...), and its message says what was wrong and what to do.
 */
export class LatentrecError extends Error {
  /**
   * Makes an error with the given message; `name` is set to the subclass's name.
   *
   * @param message - What went wrong and, where it helps, what to do about it.
   */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A malformed input line: names the source (file name or '<string>'), the 1-based line and the field.
 * Thrown by the ratings, feature-file, MovieLens and Spark parsers; the message reads
 * `source:line: field: reason`.
 */
export class ParseError extends LatentrecError {
  /**
   * Makes the error; the message is `source:line: field: reason`.
   *
   * @param source - The file name, or the `source` option the parser was given.
   * @param line - The 1-based line number.
   * @param field - The field or column at fault.
   * @param reason - What is wrong with it.
   */
  constructor(
    /** The file name (loaders use the path as given), or the parser's `source` option (default `'<string>'`). */
    readonly source: string,
    /**
     * The 1-based line number of the offending line (physical lines, blank ones included). 0 when
     * the input as a whole is unusable rather than one line of it (importSparkAls given a non-string).
     */
    readonly line: number,
    /**
     * The field at fault, named for people: e.g. `'rating (column 3)'`, `'weight (column 3)'`,
     * `'features[2]'`, `'separator'`, or `'(input)'` / `'(json)'` for the whole line or input.
     */
    readonly field: string,
    /** What is wrong with the field, without the location (that is in `source`, `line` and `field`). */
    readonly reason: string,
  ) {
    super(`${source}:${line}: ${field}: ${reason}`);
  }
}

/**
 * An option outside its allowed range (or of the wrong type). The message reads
 * `option <option> must be <allowed> (got <value>)`.
 */
export class OptionError extends LatentrecError {
  /**
   * Makes the error; the message is `option <option> must be <allowed> (got <value>)`.
   *
   * @param option - The option's name.
   * @param allowed - The values it may take, in words.
   * @param value - The value that was given.
   */
  constructor(
    /**
     * The option's name as the throwing function knows it (e.g. `'testRatio'`, `'columns'`,
     * `'threads'`): a ParseOptions, model or function option key, so a caller can map it to its
     * own name for it (the CLI maps it to a flag).
     */
    readonly option: string,
    /** The values the option may take, in words (e.g. `'an integer >= 1'`, `"'full' or 'faq'"`). */
    readonly allowed: string,
    /** The value that was given (for some checks a short description of it, e.g. `'user: -1'`). */
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
  /**
   * Makes the error; the message names the key, the suggestion (if any) and every known option.
   *
   * @param owner - What was given the options (e.g. the model kind's class name).
   * @param key - The unknown option key; becomes {@link OptionError.option}.
   * @param value - The value given for it; becomes {@link OptionError.value}.
   * @param known - Every option `owner` takes.
   * @param suggestion - The known option `key` most likely meant, or undefined when none is close.
   */
  constructor(
    /** What was given the unknown option, e.g. a model class name such as `'SVD'`. */
    readonly owner: string,
    key: string,
    value: unknown,
    /** Every option `owner` takes, for the message. */
    readonly known: readonly string[],
    /** The known option the key most likely meant (a near spelling or another library's name for it), or undefined. */
    readonly suggestion: string | undefined,
  ) {
    super(key, `an option of ${owner}`, value);
    this.message =
      `${owner} has no option ${JSON.stringify(key)}` +
      (suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`) +
      `; its options: ${known.join(', ')}`;
  }
}

/**
 * Data that cannot be used as given (empty file, empty training set, ...): also a file that
 * cannot be read, inconsistent arrays handed to a constructor, or a split that would leave one
 * side empty. The message names the data and what to change.
 */
export class DataError extends LatentrecError {}

/** A fit whose loss became NaN or infinite. `epochs` keeps the curve computed before it. */
export class DivergenceError extends LatentrecError {
  /**
   * Makes the error; the message names the epoch, the hint and what became of the model.
   *
   * @param epoch - The epoch (1-based) at which the fit diverged.
   * @param epochs - The learning curve up to the last good epoch.
   * @param hint - What to change, appended to the message (default: lower the learning rate or raise the regularization).
   * @param keptEpoch - With the checkpoint option: the epoch the model was left at.
   * @param suggestCheckpoint - Whether the message suggests fitting with `checkpoint: true` (when no epoch was kept).
   */
  constructor(
    /** The epoch (1-based) at which the loss became NaN or infinite. */
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
  /**
   * Makes the error; the message is `reason`, preceded by `path: ` when a path is given.
   *
   * @param problem - Which check failed.
   * @param reason - Why, and what to do.
   * @param path - The file, when the error comes from loading or saving one; the message then starts with it.
   * @param options - `cause`: the underlying error (e.g. the file system's), kept as the standard `Error.cause`.
   */
  constructor(
    /** Which check failed, for programs that react to it (e.g. `'io'` vs a corrupt file). */
    readonly problem: ModelFileProblem,
    /** Why the file (or state) was refused and what to do, without the path. */
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
