// The parse worker of load-parallel-node.ts: plain JavaScript started from a string (as the
// kernels' thread pool is: no worker file to ship, resolve or bundle). It reads one range of a
// ratings file — whole lines — and parses every line exactly as RatingsParser's parseInPlace
// would, on bytes instead of decoded text (the fast path takes ASCII lines only, where bytes and
// characters agree). A line the fast path would not take (a '"', a non-ASCII byte, a lone '\r',
// too few fields, a rating that is not a plain decimal in the scale, ...) ends the job with
// `bail`: the caller then parses the whole file on one thread, where the general path gives the
// same result or the same error as always. Ids come back numbered by first appearance in the
// range: integer keys (canonical decimals of at most 9 digits, as Interner.span keys them) or
// strings.
//
// Survey: { kind: 'survey', part, path, start, end } answers { part, lf, cr }: its line breaks.
// Rows:   { kind: 'rows', users, items, ratings, times? }: the shared row arrays (no answer).
// Parse:  { kind: 'parse', part, path, start, end, slot, slots, s: FastPathSettings } writes the
//         part's rows (local ids) from row \`slot\` and answers { part, lines, rows, userInts,
//         userStrings, itemInts, itemStrings }, or { part, bail: reason }, or { part, changed: true }
//         when the file is shorter than planned or the part has more rows than \`slots\`.
// Remap:  { kind: 'remap', part, from, to, rows, userOf, itemOf } answers { part, remapped: true }.
// Count:  { kind: 'count', part, start, n, bands, itemCount } answers { part, found }: duplicate
//         rows among the first n of the users in the bands ([u0, u1) pairs; start: rows per user, as a CSR).

/** The parse worker's source, for `new Worker(source, { eval: true })`. */
export const parseWorkerSource = (): string => `'use strict';
const { parentPort } = require('node:worker_threads');
/** The shared row arrays, from the 'rows' message. */
let U, I, R, T;
const fs = require('node:fs');
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const PIECE = 1 << 22;
const INT_TABLE_LIMIT = 1 << 22;
const isSpace = (c) => c === 32 || (c >= 9 && c <= 13);

class Bail extends Error {}
class Changed extends Error {}

/** Local ids by first appearance: integer keys through a table (or a Map when large), strings through a Map. */
class LocalIds {
  constructor() {
    this.table = new Int32Array(0);
    this.bigInts = new Map();
    this.strings = new Map();
    this.ints = new Int32Array(1024);
    this.count = 0;
    this.stringKeys = [];
  }
  add(key) {
    if (this.count === this.ints.length) {
      const grown = new Int32Array(this.ints.length * 2);
      grown.set(this.ints);
      this.ints = grown;
    }
    this.ints[this.count] = key;
    return this.count++;
  }
  int(v) {
    if (v < this.table.length) {
      const known = this.table[v];
      if (known !== 0) return known - 1;
    } else if (v < INT_TABLE_LIMIT) {
      const grown = new Int32Array(Math.min(INT_TABLE_LIMIT, Math.max(v + 1, 1 << 16, this.table.length * 2)));
      grown.set(this.table);
      this.table = grown;
    } else {
      const known = this.bigInts.get(v);
      if (known !== undefined) return known;
      const id = this.add(v);
      this.bigInts.set(v, id);
      return id;
    }
    const id = this.add(v);
    this.table[v] = id + 1;
    return id;
  }
  string(text) {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    const id = this.add(-1);
    this.strings.set(text, id);
    this.stringKeys.push(text);
    return id;
  }
}

/** Local id of the key bytes[a, b): an integer key (canonical decimal, at most 9 digits) or a string. */
function idOf(bytes, a, b, ids) {
  const len = b - a;
  if (len <= 9 && (len === 1 || bytes[a] !== 48)) {
    let v = 0, p = a;
    for (; p < b; p++) {
      const d = bytes[p] - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (p === b) return ids.int(v);
  }
  return ids.string(Buffer.from(bytes.buffer, bytes.byteOffset + a, len).latin1Slice(0, len));
}

/** The state of one part's parse: settings, counts, the part's local ids. */
class PartState {
  constructor(job) {
    const s = job.s;
    this.split = s.split;
    this.delimiter = s.delimiter;
    this.needed = s.needed;
    this.user = s.user;
    this.item = s.item;
    this.rating = s.rating;
    this.time = s.time;
    this.bounded = s.scaleLo !== null;
    this.lo = s.scaleLo === null ? 0 : s.scaleLo;
    this.hi = s.scaleHi === null ? 0 : s.scaleHi;
    this.bounds = new Int32Array(2 * s.needed);
    this.users = new LocalIds();
    this.items = new LocalIds();
    // Rows go to the shared arrays from the part's first line; never past its last (else the file changed).
    this.slot = job.slot;
    this.slots = job.slots;
    this.rows = 0;
    this.lines = 0;
  }
}

/**
 * One line bytes[a, b) of fields separated by runs of whitespace, without its line break:
 * parseInPlace's checks, in its order (scanLines does the other delimiters).
 */
function parseSpacedLine(bytes, a, b, st) {
  st.lines++;
  const bounds = st.bounds, needed = st.needed;
  let field = 0;
  for (let p = a; ; ) {
    while (p < b && isSpace(bytes[p])) {
      if (bytes[p] === 13) throw new Bail('a carriage return inside a line');
      p++;
    }
    if (p >= b) break;
    const fs0 = p;
    for (; p < b; p++) {
      const c = bytes[p];
      if (isSpace(c)) break;
      if (c >= 128 || c === 34) throw new Bail('a line the fast path does not take');
    }
    if (field < needed) {
      bounds[2 * field] = fs0;
      bounds[2 * field + 1] = p;
    }
    field++;
  }
  if (field === 0) return; // blank
  finishLine(bytes, field, st);
}

/** A non-blank line whose first fields' bounds are set (\`field\` fields found): parseInPlace's checks from there on. */
function finishLine(bytes, field, st) {
  const bounds = st.bounds;
  if (field < st.needed) throw new Bail('a line with too few fields');
  let us = bounds[2 * st.user], ue = bounds[2 * st.user + 1];
  let is = bounds[2 * st.item], ie = bounds[2 * st.item + 1];
  let rs = bounds[2 * st.rating], re = bounds[2 * st.rating + 1];
  if (st.split !== 2) {
    while (us < ue && isSpace(bytes[us])) us++;
    while (ue > us && isSpace(bytes[ue - 1])) ue--;
    while (is < ie && isSpace(bytes[is])) is++;
    while (ie > is && isSpace(bytes[ie - 1])) ie--;
    while (rs < re && isSpace(bytes[rs])) rs++;
    while (re > rs && isSpace(bytes[re - 1])) re--;
  }
  if (us === ue || is === ie) throw new Bail('an empty id');
  let mantissa = 0, digits = 0, decimals = -1;
  for (let p = rs; p < re; p++) {
    const c = bytes[p];
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) {
      decimals = 0;
    } else {
      throw new Bail('a rating that is not a plain decimal');
    }
  }
  if (digits === 0 || digits > 15) throw new Bail('a rating that is not a plain decimal');
  const rating = decimals > 0 ? mantissa / POW10[decimals] : mantissa;
  if (st.bounded && (rating < st.lo || rating > st.hi)) throw new Bail('a rating outside the scale');
  let time = 0;
  const timed = st.time >= 0;
  if (timed) {
    let ts = bounds[2 * st.time], te = bounds[2 * st.time + 1];
    while (ts < te && isSpace(bytes[ts])) ts++;
    while (te > ts && isSpace(bytes[te - 1])) te--;
    if (te === ts || te - ts > 15) throw new Bail('a time that is not whole seconds');
    for (let p = ts; p < te; p++) {
      const dd = bytes[p] - 48;
      if (dd < 0 || dd > 9) throw new Bail('a time that is not whole seconds');
      time = time * 10 + dd;
    }
  }
  if (st.rows === st.slots) throw new Changed();
  const at = st.slot + st.rows++;
  U[at] = idOf(bytes, us, ue, st.users);
  I[at] = idOf(bytes, is, ie, st.items);
  R[at] = rating;
  if (timed) T[at] = time;
}

/**
 * Every complete line of bytes[p, have) at once, for one-character and '::' delimiters: the line
 * breaks and the fields are found in one pass (no search call per line). At the end of the part
 * (atEnd) a last line without a break is complete too. Returns where the first incomplete line
 * starts (have when none). Lines parseInPlace would not take bail; blank lines (whitespace only)
 * are skipped after the fact, as they are rare.
 */
function scanLines(bytes, p, have, st, atEnd) {
  const d = st.delimiter, double = st.split === 1, needed = st.needed, bounds = st.bounds;
  let lineStart = p, field = 0, fs0 = p;
  for (let q = p; q < have; q++) {
    const c = bytes[q];
    if (c === 10) {
      endLine(bytes, lineStart, q > lineStart && bytes[q - 1] === 13 ? q - 1 : q, field, fs0, st);
      lineStart = q + 1;
      fs0 = q + 1;
      field = 0;
    } else if (c === d) {
      if (double) {
        // The next byte decides: scan this line again with more (at the end, a lone ':' is text).
        if (q + 1 >= have && !atEnd) return lineStart;
        if (q + 1 >= have || bytes[q + 1] !== 58) continue;
      }
      if (field < needed) {
        bounds[2 * field] = fs0;
        bounds[2 * field + 1] = q;
      }
      field++;
      if (double) q++;
      fs0 = q + 1;
    } else if (c >= 128 || c === 34) {
      throw new Bail('a line the fast path does not take');
    } else if (c === 13 && (q + 1 >= have || bytes[q + 1] !== 10)) {
      if (q + 1 >= have && !atEnd) return lineStart;
      throw new Bail(q + 1 >= have ? 'a carriage return ending the file' : 'a carriage return inside a line');
    }
  }
  if (atEnd && lineStart < have) {
    endLine(bytes, lineStart, have, field, fs0, st);
    return have;
  }
  return lineStart;
}

/** The line bytes[lineStart, end) scanLines found, its last field starting at fs0 after \`field\` others. */
function endLine(bytes, lineStart, end, field, fs0, st) {
  if (field < st.needed) {
    st.bounds[2 * field] = fs0;
    st.bounds[2 * field + 1] = end;
  }
  st.lines++;
  if (!blank(bytes, lineStart, end)) finishLine(bytes, field + 1, st);
}

/** Whether bytes[a, b) is whitespace only (a line trim() makes empty). */
function blank(bytes, a, b) {
  for (let p = a; p < b; p++) if (!isSpace(bytes[p])) return false;
  return true;
}

function parsePart(job) {
  const st = new PartState(job);
  // Buffer for reading and its memchr indexOf; a plain Uint8Array view of it for byte reads.
  let buf = Buffer.allocUnsafe(PIECE);
  let bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  const fd = fs.openSync(job.path, 'r');
  try {
    let have = 0, offset = job.start;
    for (;;) {
      const want = Math.min(buf.length - have, job.end - offset);
      const got = want > 0 ? fs.readSync(fd, buf, have, want, offset) : 0;
      if (want > 0 && got === 0) throw new Changed();
      offset += got;
      have += got;
      const atEnd = offset >= job.end;
      let p = 0;
      if (st.split !== 2) p = scanLines(bytes, 0, have, st, atEnd);
      else {
        for (;;) {
          const q = buf.indexOf(10, p);
          if (q < 0 || q >= have) break;
          parseSpacedLine(bytes, p, q > p && bytes[q - 1] === 13 ? q - 1 : q, st);
          p = q + 1;
        }
        if (atEnd && p < have) {
          if (bytes[have - 1] === 13) throw new Bail('a carriage return ending the file');
          parseSpacedLine(bytes, p, have, st);
          p = have;
        }
      }
      if (atEnd) break;
      buf.copy(buf, 0, p, have);
      have -= p;
      if (have === buf.length) {
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, have);
        buf = grown;
        bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return {
    part: job.part, lines: st.lines, rows: st.rows,
    userInts: st.users.ints.slice(0, st.users.count), userStrings: st.users.stringKeys,
    itemInts: st.items.ints.slice(0, st.items.count), itemStrings: st.items.stringKeys,
  };
}

/** The part's rows at [from, from + rows): local ids mapped to the caller's, all moved down to \`to\` (<= from). */
function remap(job) {
  const { from, to, rows, userOf, itemOf } = job;
  for (let k = 0; k < rows; k++) {
    U[to + k] = userOf[U[from + k]];
    I[to + k] = itemOf[I[from + k]];
  }
  if (to !== from) {
    R.copyWithin(to, from, from + rows);
    if (T) T.copyWithin(to, from, from + rows);
  }
  return { part: job.part, remapped: true };
}

/** Duplicate (user, item) rows of the users in bands of \`band\` (duplicates.ts countBand, band by band). */
function count(job) {
  const { start, n, bands, itemCount } = job;
  const stamp = new Uint32Array(itemCount);
  let found = 0, items = new Uint32Array(0);
  const next = new Uint32Array(start.length - 1);
  for (const [u0, u1] of bands) {
    const base = start[u0], size = start[u1] - base;
    if (items.length < size) items = new Uint32Array(size);
    for (let u = u0; u < u1; u++) next[u] = start[u] - base;
    for (let t = 0; t < n; t++) {
      const u = U[t];
      if (u >= u0 && u < u1) items[next[u]++] = I[t];
    }
    for (let u = u0; u < u1; u++) {
      const mark = u + 1;
      for (let k = start[u] - base, end = start[u + 1] - base; k < end; k++) {
        const item = items[k];
        if (stamp[item] === mark) found++;
        else stamp[item] = mark;
      }
    }
  }
  return { part: job.part, found };
}

/** The '\n' and '\r' bytes of bytes [start, end) of the file. */
function survey(job) {
  const buf = Buffer.allocUnsafe(PIECE);
  const fd = fs.openSync(job.path, 'r');
  let lf = 0, cr = 0;
  try {
    for (let offset = job.start; offset < job.end; ) {
      const got = fs.readSync(fd, buf, 0, Math.min(buf.length, job.end - offset), offset);
      if (got === 0) throw new Changed();
      const piece = got === buf.length ? buf : buf.subarray(0, got);
      for (let at = piece.indexOf(10); at >= 0; at = piece.indexOf(10, at + 1)) lf++;
      for (let at = piece.indexOf(13); at >= 0; at = piece.indexOf(13, at + 1)) cr++;
      offset += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { part: job.part, lf, cr };
}

parentPort.on('message', (job) => {
  if (job.kind === 'rows') {
    ({ users: U, items: I, ratings: R, times: T } = job);
    return;
  }
  let result;
  try {
    result = job.kind === 'survey' ? survey(job) : job.kind === 'remap' ? remap(job) : job.kind === 'count' ? count(job) : parsePart(job);
  } catch (err) {
    if (err instanceof Changed) result = { part: job.part, changed: true };
    else result = { part: job.part, bail: err instanceof Bail ? err.message : 'the parse worker failed: ' + (err && err.message) };
  }
  parentPort.postMessage(result);
});
`;
