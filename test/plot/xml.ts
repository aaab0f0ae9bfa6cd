// A strict little XML parser for checking SVG output (Node has no DOMParser). It throws on anything not
// well-formed: unbalanced or crossed tags, unquoted or duplicate attributes, a raw '<' or a bare '&' in text or
// attribute values, more than one root, stray text outside the root.

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: ReadonlyArray<XmlElement | string>;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/y;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`not well-formed XML at offset ${pos}: ${what} (near ${JSON.stringify(source.slice(pos, pos + 40))})`);
  };

  const skipMisc = (): void => {
    for (;;) {
      while (pos < source.length && /\s/.test(source[pos]!)) pos++;
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else return;
    }
  };

  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (!m) return fail('expected a name');
    pos += m[0].length;
    return m[0];
  };

  /** Decodes character data up to `stop`, refusing '<' and bare '&'. */
  const decode = (raw: string, where: string): string => {
    let out = '';
    for (let i = 0; i < raw.length; ) {
      const c = raw[i]!;
      if (c === '<') fail(`raw '<' in ${where}`);
      if (c !== '&') {
        out += c;
        i++;
        continue;
      }
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(raw);
      if (!m) return fail(`bare '&' in ${where}`);
      out += m[1] ? NAMED[m[1]]! : String.fromCodePoint(parseInt(m[2] ?? m[3]!, m[2] ? 10 : 16));
      i += m[0].length;
    }
    return out;
  };

  const parseElement = (): XmlElement => {
    if (source[pos] !== '<') fail("expected '<'");
    pos++;
    const name = readName();
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = pos;
      while (/\s/.test(source[pos] ?? '')) pos++;
      if (source.startsWith('/>', pos)) {
        pos += 2;
        return { name, attrs, children: [] };
      }
      if (source[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) fail('expected whitespace before an attribute');
      const attr = readName();
      if (attr in attrs) fail(`duplicate attribute ${attr}`);
      if (source[pos] !== '=') fail(`attribute ${attr} has no '='`);
      pos++;
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") return fail(`attribute ${attr} is not quoted`);
      const end = source.indexOf(quote, pos + 1);
      if (end < 0) fail(`attribute ${attr} is not closed`);
      attrs[attr] = decode(source.slice(pos + 1, end), `attribute ${attr}`);
      pos = end + 1;
    }
    const children: Array<XmlElement | string> = [];
    for (;;) {
      if (pos >= source.length) fail(`<${name}> is never closed`);
      if (source.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        while (/\s/.test(source[pos] ?? '')) pos++;
        if (source[pos] !== '>') fail("expected '>'");
        pos++;
        return { name, attrs, children };
      }
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source[pos] === '<') {
        children.push(parseElement());
      } else {
        const end = source.indexOf('<', pos);
        const raw = source.slice(pos, end < 0 ? source.length : end);
        children.push(decode(raw, `text in <${name}>`));
        pos += raw.length;
      }
    }
  };

  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    pos = end + 2;
  }
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (pos !== source.length) fail('content after the root element');
  return root;
}

/** Every element named `name` in the subtree (document order), the root included. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    if (e.name === name) out.push(e);
    for (const c of e.children) if (typeof c !== 'string') visit(c);
  };
  visit(root);
  return out;
}

/** Elements whose class attribute lists `cls`. */
export function byClass(root: XmlElement, cls: string): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    if ((e.attrs.class ?? '').split(/\s+/).includes(cls)) out.push(e);
    for (const c of e.children) if (typeof c !== 'string') visit(c);
  };
  visit(root);
  return out;
}

/** The concatenated character data of an element, entities decoded. */
export function textOf(e: XmlElement): string {
  return e.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** The points of a polyline as numbers. */
export function polylinePoints(e: XmlElement): Array<[number, number]> {
  const raw = (e.attrs.points ?? '').trim();
  if (raw === '') return [];
  return raw.split(/\s+/).map((pair) => {
    const [x, y] = pair.split(',').map(Number);
    return [x!, y!];
  });
}
