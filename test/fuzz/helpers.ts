// Shared helpers of the parser fuzz tests (not a test file): outcome tallies printed at the end,
// the check that an error is one of the library's with the source, line and reason in its
// message, and chunk splitting.
import { expect } from 'vitest';
import { DataError, LatentrecError, OptionError, ParseError } from '../../src/errors.js';
import { mulberry32 } from '../prng.js';

export { mulberry32 };

/** LATENTREC_FUZZ_SCALE=20 runs twenty times as many cases (for a longer hunt), as in test/io. */
export const FUZZ_SCALE = Math.max(1, Number(process.env.LATENTREC_FUZZ_SCALE ?? 1) || 1);

export function runs(n: number): number {
  return Math.round(n * FUZZ_SCALE);
}

/** Generous for a loaded 2-core machine: cases take ~1 ms, the slowest ~20 ms. */
export const CASE_LIMIT_MS = 3000;

/** Outcome counts per parser and property, and the slowest case, for the summary lines. */
export class Tally {
  private readonly counts = new Map<string, Record<string, number>>();
  private slowest = 0;

  constructor(readonly parser: string) {}

  add(property: string, outcome: string): void {
    let t = this.counts.get(property);
    if (t === undefined) this.counts.set(property, (t = {}));
    t[outcome] = (t[outcome] ?? 0) + 1;
  }

  /** Runs one case, timing it: one that takes over CASE_LIMIT_MS is a hang (inputs are < 20 kB). */
  time<T>(fn: () => T): T {
    const t0 = performance.now();
    const result = fn();
    const ms = performance.now() - t0;
    this.slowest = Math.max(this.slowest, ms);
    if (ms > CASE_LIMIT_MS) throw new Error(`${this.parser}: a case took ${ms.toFixed(0)} ms (limit ${CASE_LIMIT_MS} ms): a hang`);
    return result;
  }

  cases(property?: string): number {
    let n = 0;
    for (const [p, t] of this.counts) if (property === undefined || p === property) for (const v of Object.values(t)) n += v;
    return n;
  }

  print(): void {
    for (const [property, t] of this.counts) {
      console.log(`${this.parser} fuzz ${property}: ${this.cases(property)} cases ->`, JSON.stringify(t));
    }
    console.log(
      `${this.parser} fuzz total: ${this.cases()} cases, none crashed or hung (slowest case ${this.slowest.toFixed(1)} ms)`,
    );
  }
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The error, rethrown when it is not one of the library's (a crash: TypeError, RangeError, ...). */
export function libraryError(error: unknown): LatentrecError {
  if (error instanceof LatentrecError) return error;
  throw error;
}

/**
 * Checks a parser's error names what it must and returns its class for the tally:
 * - ParseError (a line): the message is exactly `${source}:${line}: ${field}: ${reason}`, the
 *   line a whole number in 1..lines (or `minLine`..lines), field and reason non-empty;
 * - DataError (the whole file: empty, no rows, undetectable): the message starts with the source;
 * - OptionError only when `optionsMayFail`.
 * Anything else, including a plain LatentrecError, fails the property.
 */
export function checkError(
  error: unknown,
  source: string,
  lines: number,
  options: { optionsMayFail?: boolean; minLine?: number } = {},
): 'ParseError' | 'DataError' | 'OptionError' {
  const err = libraryError(error);
  const must = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`${what}: ${err.constructor.name}: ${err.message}`, { cause: err });
  };
  if (err instanceof ParseError) {
    must(err.source === source, `the error names ${JSON.stringify(source)}`);
    must(Number.isInteger(err.line) && err.line >= (options.minLine ?? 1) && err.line <= Math.max(lines, 1), `line in 1..${lines}`);
    must(err.field.length > 0 && err.reason.length > 5, 'a field and a reason');
    must(err.message === `${source}:${err.line}: ${err.field}: ${err.reason}` && LINE_ERROR_RE.test(err.message), 'source:line: field: reason');
    return 'ParseError';
  }
  if (err instanceof DataError) {
    must(err.message.startsWith(source) && err.message.length > source.length + 10, 'a file-level error names the source');
    return 'DataError';
  }
  if (err instanceof OptionError && options.optionsMayFail) {
    must(/^option \w+ must be .+ \(got .*\)$/s.test(err.message), 'option ... must be ... (got ...)');
    return 'OptionError';
  }
  throw new Error(`unexpected ${err.constructor.name}: ${err.message}`, { cause: err });
}

/** `source:line: field: reason` (the source may itself hold colons, or be empty when given so). */
export const LINE_ERROR_RE = /^.*:\d+: .+: .+$/s;

/** Physical lines as the parsers count them: '\n', '\r\n' and a lone '\r' end a line. */
export function physicalLines(text: string): number {
  if (text === '') return 0;
  const parts = text.split(/\r\n|\r|\n/);
  return parts.length - (parts[parts.length - 1] === '' ? 1 : 0);
}

/** Pieces of something `length` long cut at the given fractions of it (sorted, duplicates give empty pieces). */
function cut<T>(length: number, at: readonly number[], piece: (from: number, to: number) => T): T[] {
  const cuts = at.map((f) => Math.min(length, Math.floor(f * (length + 1)))).sort((a, b) => a - b);
  const out: T[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(piece(prev, c));
    prev = c;
  }
  out.push(piece(prev, length));
  return out;
}

/** `text` cut at the given fractions of its length (sorted, duplicates give empty chunks). */
export function cutString(text: string, at: readonly number[]): string[] {
  return cut(text.length, at, (from, to) => text.slice(from, to));
}

export function cutBytes(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  return cut(bytes.length, at, (from, to) => bytes.subarray(from, to));
}

/** One document from rendered lines: an optional BOM, each line and its end (the last one's only with `finalEol`), and where each line starts. */
export function joinLines(pieces: ReadonlyArray<{ text: string; eol: string }>, bom: boolean, finalEol: boolean): { text: string; starts: number[] } {
  let text = bom ? '\ufeff' : '';
  const starts: number[] = [];
  pieces.forEach((p, t) => {
    starts.push(text.length);
    text += p.text;
    if (t < pieces.length - 1 || finalEol) text += p.eol;
  });
  return { text, starts };
}

/** A text edit: at a fraction of the text, `del` characters replaced by `token`. */
export interface TextEdit {
  at: number;
  del: number;
  token: string;
}

/** Edits that delete up to `maxDelete` characters and put in a `nasty` token or a short random string. */
export function editArb(fc: typeof import('fast-check').default, nasty: readonly string[], maxDelete: number) {
  return fc.record({ at: fraction(fc), del: fc.integer({ min: 0, max: maxDelete }), token: fc.oneof(fc.constantFrom(...nasty), fc.string({ unit: 'grapheme', maxLength: 3 })) });
}

/** `text` with the edits applied one after another. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let t = text;
  for (const { at, del, token } of edits) {
    const k = Math.floor(at * (t.length + 1));
    t = t.slice(0, k) + token + t.slice(k + del);
  }
  return t;
}

/** One chunk per byte: every multi-byte character and every \r\n split. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, t) => bytes.subarray(t, t + 1));
}

/** Two outcomes are the same: equal values (by `same`), or errors of one class with one message. */
export function expectSameOutcome<T>(a: Outcome<T>, b: Outcome<T>, same: (x: T, y: T) => void, what: string): void {
  if (a.ok && b.ok) {
    same(a.value, b.value);
    return;
  }
  if (!a.ok && !b.ok) {
    const ea = libraryError(a.error);
    const eb = libraryError(b.error);
    if (eb.constructor !== ea.constructor || eb.message !== ea.message) {
      expect(`${eb.constructor.name}: ${eb.message}`, what).toBe(`${ea.constructor.name}: ${ea.message}`);
    }
    return;
  }
  const e = a.ok ? (b as { error: unknown }).error : (a as { error: unknown }).error;
  libraryError(e);
  throw new Error(`${what}: one way succeeded, the other threw ${(e as Error).message}`);
}

/** Uniform fractions in [0, 1) for cut positions (fast-check's doubles pile onto the ends). */
export function fraction(fc: typeof import('fast-check').default) {
  return fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((x) => x / 1_000_000);
}

/** No lone surrogate (which UTF-8 cannot encode: TextEncoder writes U+FFFD for it). */
export function isWellFormed(s: string): boolean {
  return !/\p{Surrogate}/u.test(s);
}

/** JSON with -0 kept ("-0"), for comparing nested values fast (and diffing them on a mismatch). */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (Object.is(v, -0) ? '-0' : v));
}

/** The raw bits of a float32 array, so comparisons see -0 and NaN payloads. */
export function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}
