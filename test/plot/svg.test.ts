import { describe, expect, it } from 'vitest';
import { seriesStyle, PALETTE } from '../../src/plot/palette.js';
import { el, escapeXml, num, svgDocument, text } from '../../src/plot/svg.js';
import { parseXml, textOf } from './xml.js';

describe('escapeXml', () => {
  it('escapes the five markup characters', () => {
    expect(escapeXml(`<b>&"x"'`)).toBe('&lt;b&gt;&amp;&quot;x&quot;&#39;');
    expect(escapeXml('&amp;')).toBe('&amp;amp;'); // already-escaped text is escaped again, shown literally
  });

  it('replaces characters XML cannot carry', () => {
    expect(escapeXml('a\u0000b\u001Bc\tok\n')).toBe('a\uFFFDb\uFFFDc\tok\n');
    expect(escapeXml('lone \uD800 surrogate')).toBe('lone \uFFFD surrogate');
    expect(escapeXml('pair \uD83D\uDE00 kept')).toBe('pair \uD83D\uDE00 kept');
  });

  it('survives a round trip through a strict parser, in text and attributes', () => {
    const nasty = `</text><script>alert("x")</script> & 'q' \u0007`;
    const doc = svgDocument(10, 10, [el('text', { 'data-label': nasty }, [text(nasty)])]);
    const root = parseXml(doc);
    const t = root.children.find((c) => typeof c !== 'string' && c.name === 'text');
    expect(t).toBeDefined();
    if (t === undefined || typeof t === 'string') return;
    expect(textOf(t)).toBe(nasty.replace('\u0007', '\uFFFD'));
    expect(t.attrs['data-label']).toBe(nasty.replace('\u0007', '\uFFFD'));
    expect(doc).not.toContain('<script>');
  });
});

describe('num', () => {
  it('rounds to 2 decimals without trailing zeros or -0', () => {
    expect(num(3.14159)).toBe('3.14');
    expect(num(2)).toBe('2');
    expect(num(1.5)).toBe('1.5');
    expect(num(-0.001)).toBe('0');
    expect(num(-12.345678)).toBe('-12.35');
  });
  it('refuses NaN and infinities', () => {
    expect(() => num(NaN)).toThrow(/non-finite/);
    expect(() => num(Infinity)).toThrow(/non-finite/);
  });
});

describe('el and svgDocument', () => {
  it('writes self-closing and nested elements, leaving out undefined attributes', () => {
    expect(el('circle', { cx: 1.234, cy: 5, r: undefined })).toBe('<circle cx="1.23" cy="5"/>');
    expect(el('g', { class: 'a' }, ['<x/>'])).toBe('<g class="a"><x/></g>');
  });
  it('writes a standalone document with namespace, size and viewBox', () => {
    const root = parseXml(svgDocument(300, 200, []));
    expect(root.name).toBe('svg');
    expect(root.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', width: '300', height: '200', viewBox: '0 0 300 200' });
  });
});

describe('seriesStyle', () => {
  it('walks the palette, then repeats colours with another dash pattern', () => {
    expect(seriesStyle(0)).toEqual({ color: PALETTE[0], dash: '', hollow: false });
    expect(seriesStyle(1).color).toBe(PALETTE[1]);
    const wrapped = seriesStyle(PALETTE.length);
    expect(wrapped.color).toBe(PALETTE[0]);
    expect(wrapped.dash).not.toBe('');
    expect(seriesStyle(0, true).dash).not.toBe('');
    expect(seriesStyle(0, true).hollow).toBe(true);
    const pairs = new Set<string>();
    for (let i = 0; i < PALETTE.length * 3; i++) for (const d of [false, true]) pairs.add(JSON.stringify(seriesStyle(i, d)));
    expect(pairs.size).toBe(PALETTE.length * 3 * 2);
  });
});

describe('parseXml (the checker used by these tests)', () => {
  it.each([
    ['<a><b></a></b>', /closes/],
    ['<a>', /never closed/],
    ['<a x=1/>', /not quoted/],
    ['<a x="1" x="2"/>', /duplicate/],
    ['<a>fish & chips</a>', /bare '&'/],
    ['<a/><b/>', /after the root/],
    ['<a y="<"/>', /raw '<'/],
  ])('rejects %s', (source, message) => {
    expect(() => parseXml(source)).toThrow(message);
  });
  it('accepts a declaration, comments and entities', () => {
    const root = parseXml('<?xml version="1.0"?>\n<!-- c --><a t="&lt;&#65;&#x42;"><b/>x &amp; y</a>\n');
    expect(root.attrs.t).toBe('<AB');
    expect(textOf(root)).toBe('x & y');
  });
});
