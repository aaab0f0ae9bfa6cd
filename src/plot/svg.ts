// A tiny SVG writer: escaping, number formatting and element serialization. Nothing here knows about charts.

/** Characters XML 1.0 forbids outright (C0 controls except tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
const FORBIDDEN_XML_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for use in SVG element content or a quoted attribute value: & < > " ' become entities and
 * characters XML cannot carry at all are replaced by U+FFFD, so no user label can inject markup or break the document.
 */
export function escapeXml(text: string): string {
  return String(text)
    .replace(FORBIDDEN_XML_CHARS, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A coordinate or length rounded to 2 decimals, without trailing zeros or "-0". Refuses non-finite numbers. */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`internal error: non-finite number ${n} in SVG output`);
  const rounded = Math.round(n * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

/** An attribute's value: text, a number (formatted by `num`), or undefined to leave it out. */
export type AttrValue = string | number | undefined;

/** Serializes attributes in the given order; undefined values are left out, numbers go through `num`. */
export function attrs(attributes: Readonly<Record<string, AttrValue>>): string {
  let out = '';
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return out;
}

/**
 * One element. `children` are already-serialized markup (use `text()` for character data);
 * with no children the element is self-closing.
 */
export function el(name: string, attributes: Readonly<Record<string, AttrValue>>, children: readonly string[] = []): string {
  if (children.length === 0) return `<${name}${attrs(attributes)}/>`;
  return `<${name}${attrs(attributes)}>${children.join('')}</${name}>`;
}

/** Character data, escaped. */
export function text(content: string): string {
  return escapeXml(content);
}

/** A complete standalone SVG document around already-serialized body markup. */
export function svgDocument(width: number, height: number, body: readonly string[], rootAttributes: Readonly<Record<string, AttrValue>> = {}): string {
  const open = `<svg${attrs({
    xmlns: 'http://www.w3.org/2000/svg',
    version: '1.1',
    width,
    height,
    viewBox: `0 0 ${num(width)} ${num(height)}`,
    ...rootAttributes,
  })}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}\n${body.join('\n')}\n</svg>\n`;
}
