// Text from data files and model files (ids, titles, feature names, the values quoted in error
// messages) is data: a model file from someone else may hold ids such as "\x1b]0;pwned\x07" that
// would retitle, clear or rewrite a terminal, or "\n  9.9990  forged" that would forge a line of
// output. Everything the CLI prints goes through one of these two functions.

/**
 * Characters a terminal may act on instead of showing: C0 controls (ESC, BEL, CR, backspace, ...),
 * DEL, C1 controls (U+0080-U+009F, e.g. the one-byte CSI U+009B), the Unicode line and paragraph
 * separators, and the bidirectional overrides and isolates that reorder what is shown ("Trojan
 * Source"). Newline is kept only where a message is built with it on purpose.
 */
const UNSAFE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
const UNSAFE_WITH_NEWLINE = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every character a terminal could act on shown as a visible `\uXXXX` escape, so a
 * printed line is exactly one line of inert text. `keepNewlines` keeps \n (messages the CLI itself
 * writes over several lines); ids and titles never keep them.
 */
export function forTerminal(text: string, { keepNewlines = false } = {}): string {
  return text.replace(keepNewlines ? UNSAFE : UNSAFE_WITH_NEWLINE, escapeChar);
}

/**
 * JSON for stdout: JSON.stringify already escapes C0 controls, but leaves DEL, the C1 controls
 * and the Unicode separators and bidi controls raw. Those are written as \uXXXX escapes, which
 * JSON.parse reads back as the very same strings: the output stays exact and inert.
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_WITH_NEWLINE, escapeChar);
}
