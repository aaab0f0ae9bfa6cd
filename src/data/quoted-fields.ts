// Splitting one line of delimited text with RFC 4180 quoting, shared by the ratings parser and
// the feature-file parser. Lines spanning several physical lines are not supported (neither
// format needs them): an open quote is reported instead.

/** A malformed quoted field; `column` is 0-based. The parsers turn it into a ParseError. */
export class QuoteError extends Error {
  constructor(
    readonly column: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Splits `line` on `sep`. A field opening with '"' (after blanks: spaces, and tabs unless the
 * separator is a tab) runs to the next lone '"', may hold separators, has '""' for '"', and keeps
 * its text as written. A '"' inside an unquoted field stays literal (`5" tv`). Unquoted fields
 * are trimmed when `trimUnquoted` is set. Throws QuoteError on a malformed quoted field.
 */
export function splitQuoted(line: string, sep: string, trimUnquoted = false): string[] {
  const skipBlanks = (from: number): number => {
    let at = from;
    while (at < line.length && (line[at] === ' ' || (line[at] === '\t' && sep !== '\t'))) at++;
    return at;
  };
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const lead = skipBlanks(at);
    if (line[lead] !== '"') {
      const next = line.indexOf(sep, at);
      const field = line.slice(at, next < 0 ? line.length : next);
      out.push(trimUnquoted ? field.trim() : field);
      if (next < 0) return out;
      at = next + 1;
      continue;
    }
    let text = '';
    let from = lead + 1;
    for (;;) {
      const close = line.indexOf('"', from);
      if (close < 0) throw new QuoteError(out.length, `unterminated quoted field: no closing '"' on this line`);
      if (line[close + 1] === '"') {
        text += line.slice(from, close + 1);
        from = close + 2;
        continue;
      }
      text += line.slice(from, close);
      at = close + 1;
      break;
    }
    out.push(text);
    const after = skipBlanks(at);
    if (after >= line.length) return out;
    if (line[after] !== sep) {
      throw new QuoteError(out.length - 1, `unexpected ${JSON.stringify(line[after])} after the closing quote`);
    }
    at = after + 1;
  }
}
