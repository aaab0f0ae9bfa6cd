import { describe, expect, it } from 'vitest';
import { DataError, OptionError } from '../../src/errors.js';
import { labelBox, scatterChart, type ScatterPoint } from '../../src/plot/scatter.js';
import { byClass, findAll, parseXml, textOf, type XmlElement } from '../plot/xml.js';
import { mulberry32, normals } from './helpers.js';

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function frameOf(root: XmlElement): Rect {
  const f = byClass(root, 'frame')[0]!.attrs;
  return { x0: +f.x!, y0: +f.y!, x1: +f.x! + +f.width!, y1: +f.y! + +f.height! };
}

/** The data-to-pixel map implied by the first and last tick label of an axis. */
function axisMap(root: XmlElement, axis: 'x-axis' | 'y-axis'): (v: number) => number {
  const ticks = findAll(byClass(root, axis)[0]!, 'text').map((t) => ({ value: Number(textOf(t)), pixel: Number(axis === 'x-axis' ? t.attrs.x : t.attrs.y) }));
  const a = ticks[0]!, b = ticks[ticks.length - 1]!;
  return (v) => a.pixel + ((v - a.value) * (b.pixel - a.pixel)) / (b.value - a.value);
}

function labels(root: XmlElement): Array<{ text: string; box: Rect }> {
  return byClass(root, 'label').map((t) => ({
    text: textOf(t),
    box: labelBox(textOf(t), +t.attrs.x!, +t.attrs.y!, t.attrs['text-anchor'] as 'start' | 'middle' | 'end'),
  }));
}

const within = (r: Rect, outer: Rect): boolean => r.x0 >= outer.x0 && r.x1 <= outer.x1 && r.y0 >= outer.y0 && r.y1 <= outer.y1;
const overlap = (a: Rect, b: Rect): boolean => Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0) && Math.min(a.y1, b.y1) > Math.max(a.y0, b.y0);

/** A Gaussian cloud of `n` points, the first `labelled` of them named. */
function cloud(n: number, labelled: number, seed: number, name = (i: number) => `item ${i}`): ScatterPoint[] {
  const g = normals(seed);
  return Array.from({ length: n }, (_, i) => ({ x: 0.4 * g(), y: 0.25 * g(), ...(i < labelled ? { label: name(i) } : {}) }));
}

describe('scatterChart document', () => {
  const points: ScatterPoint[] = [...cloud(400, 12, 1), { x: NaN, y: 1 }, { x: 0, y: Infinity }, { x: -Infinity, y: 0, label: 'lost' }, { x: 0.1, y: NaN }];
  const svg = scatterChart({ title: 'PCA of item vectors', xLabel: 'PC1', yLabel: 'PC2', points });
  const root = parseXml(svg);

  it('is a well-formed standalone SVG with title, axis labels and ticks', () => {
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
    expect(root.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', width: '720', height: '560', viewBox: '0 0 720 560' });
    expect(textOf(byClass(root, 'title')[0]!)).toBe('PCA of item vectors');
    expect(textOf(byClass(root, 'x-label')[0]!)).toBe('PC1');
    expect(textOf(byClass(root, 'y-label')[0]!)).toBe('PC2');
    expect(findAll(byClass(root, 'x-axis')[0]!, 'text').length).toBeGreaterThanOrEqual(3);
    expect(findAll(byClass(root, 'y-axis')[0]!, 'text').length).toBeGreaterThanOrEqual(3);
  });

  it('one circle per finite point (non-finite ones skipped, labelled ones highlighted)', () => {
    const circles = findAll(root, 'circle');
    expect(circles).toHaveLength(400);
    expect(byClass(root, 'labelled')).toHaveLength(12);
    expect(byClass(root, 'labelled').map((c) => textOf(findAll(c, 'title')[0]!))).toEqual(Array.from({ length: 12 }, (_, i) => `item ${i}`));
    expect(labels(root).map((l) => l.text)).toEqual(Array.from({ length: 12 }, (_, i) => `item ${i}`));
  });

  it('dots sit at their data coordinates by the axis ticks, inside the plot area', () => {
    const sx = axisMap(root, 'x-axis'), sy = axisMap(root, 'y-axis');
    const frame = frameOf(root);
    const finite = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    const drawn = findAll(root, 'circle').map((c) => ({ x: +c.attrs.cx!, y: +c.attrs.cy!, r: +c.attrs.r! }));
    // Plain points first, then the labelled ones on top.
    const order = [...finite.filter((p) => p.label === undefined), ...finite.filter((p) => p.label !== undefined)];
    order.forEach((p, i) => {
      expect(Math.abs(drawn[i]!.x - sx(p.x))).toBeLessThan(0.02);
      expect(Math.abs(drawn[i]!.y - sy(p.y))).toBeLessThan(0.02);
    });
    for (const d of drawn) expect(within({ x0: d.x - d.r, y0: d.y - d.r, x1: d.x + d.r, y1: d.y + d.r }, frame)).toBe(true);
  });

  it('labels stay inside the plot, do not overlap each other and do not hide labelled dots', () => {
    const frame = frameOf(root);
    const ls = labels(root);
    for (const l of ls) expect(within(l.box, frame)).toBe(true);
    for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) expect(overlap(ls[i]!.box, ls[j]!.box)).toBe(false);
    for (const c of byClass(root, 'labelled')) {
      const x = +c.attrs.cx!, y = +c.attrs.cy!, r = +c.attrs.r!;
      for (const l of ls) expect(overlap(l.box, { x0: x - r, y0: y - r, x1: x + r, y1: y + r })).toBe(false);
    }
  });
});

describe('scatterChart labels', () => {
  it('escapes every piece of text', () => {
    const nasty = `<b>Tom & Jerry's "Show"</b>`;
    const svg = scatterChart({ title: `A <title> & more`, xLabel: 'x <', yLabel: '& y', points: [{ x: 0, y: 0, label: nasty }, { x: 1, y: 1 }] });
    expect(svg).not.toContain('<b>');
    const root = parseXml(svg);
    expect(textOf(byClass(root, 'label')[0]!)).toBe(nasty);
    expect(textOf(findAll(byClass(root, 'labelled')[0]!, 'title')[0]!)).toBe(nasty);
    expect(textOf(byClass(root, 'title')[0]!)).toBe('A <title> & more');
    expect(textOf(byClass(root, 'x-label')[0]!)).toBe('x <');
    expect(textOf(byClass(root, 'y-label')[0]!)).toBe('& y');
  });

  it('labels at the edges of the data are kept inside the plot; long ones are shortened, the tooltip keeps them whole', () => {
    const long = 'A Very Long Movie Title That Goes On And On (1999)';
    const points: ScatterPoint[] = [
      ...cloud(50, 0, 4),
      { x: 3, y: 2, label: 'top right corner' },
      { x: -3, y: 2, label: 'top left corner' },
      { x: 3, y: -2, label: long },
      { x: -3, y: -2, label: 'bottom left corner' },
    ];
    for (const [width, height] of [[720, 560], [320, 200]] as const) {
      const root = parseXml(scatterChart({ xLabel: 'x', yLabel: 'y', points, width, height }));
      const frame = frameOf(root);
      const ls = labels(root);
      expect(ls).toHaveLength(4);
      for (const l of ls) expect(within(l.box, frame)).toBe(true);
      const shortened = ls.find((l) => l.text.startsWith('A Very'))!;
      expect(shortened.text.endsWith('\u2026')).toBe(true);
      expect(byClass(root, 'labelled').some((c) => textOf(findAll(c, 'title')[0]!) === long)).toBe(true);
    }
  });

  it('thirty labels in a crowded cloud: none overlaps another', () => {
    const rand = mulberry32(8);
    const name = (i: number): string => `Title number ${i} (${1950 + Math.floor(rand() * 50)})`;
    const root = parseXml(scatterChart({ xLabel: 'PC1', yLabel: 'PC2', points: cloud(1500, 30, 12, name) }));
    const ls = labels(root);
    expect(ls).toHaveLength(30);
    const frame = frameOf(root);
    for (const l of ls) expect(within(l.box, frame)).toBe(true);
    for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) expect(overlap(ls[i]!.box, ls[j]!.box)).toBe(false);
  });

  it('a single point, or all points equal, still draws', () => {
    const root = parseXml(scatterChart({ xLabel: 'x', yLabel: 'y', points: [{ x: 2, y: 2, label: 'only' }, { x: 2, y: 2 }] }));
    expect(findAll(root, 'circle')).toHaveLength(2);
    const c = findAll(root, 'circle')[0]!;
    expect(within({ x0: +c.attrs.cx!, y0: +c.attrs.cy!, x1: +c.attrs.cx!, y1: +c.attrs.cy! }, frameOf(root))).toBe(true);
  });

  it('refuses no finite point (DataError) and a too small size (OptionError)', () => {
    expect(() => scatterChart({ xLabel: 'x', yLabel: 'y', points: [] })).toThrow(DataError);
    expect(() => scatterChart({ xLabel: 'x', yLabel: 'y', points: [{ x: NaN, y: 0 }, { x: 1, y: Infinity }] })).toThrow(DataError);
    expect(() => scatterChart({ xLabel: 'x', yLabel: 'y', points: [{ x: 0, y: 0 }], width: 100 })).toThrow(OptionError);
    expect(() => scatterChart({ xLabel: 'x', yLabel: 'y', points: [{ x: 0, y: 0 }], height: NaN })).toThrow(OptionError);
  });
});
