import { describe, expect, it } from 'vitest';
import { lineChart, type LineChartOptions, type Series } from '../../src/plot/line-chart.js';
import { PALETTE } from '../../src/plot/palette.js';
import { byClass, findAll, parseXml, polylinePoints, textOf, type XmlElement } from './xml.js';

/** The ticks of an axis as read back from the SVG: tick label value and its pixel position. */
function readTicks(root: XmlElement, axis: 'x-axis' | 'y-axis'): Array<{ value: number; pixel: number }> {
  const [group] = byClass(root, axis);
  expect(group).toBeDefined();
  return findAll(group!, 'text').map((t) => ({
    value: Number(textOf(t)),
    pixel: Number(axis === 'x-axis' ? t.attrs.x : t.attrs.y),
  }));
}

/** The data-to-pixel map implied by the first and last tick of an axis. */
function axisMap(ticks: Array<{ value: number; pixel: number }>): (v: number) => number {
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  return (v) => a.pixel + ((v - a.value) * (b.pixel - a.pixel)) / (b.value - a.value);
}

function seriesGroups(root: XmlElement): XmlElement[] {
  return byClass(root, 'series');
}

const base: Omit<LineChartOptions, 'series'> = { title: 'Demo', xLabel: 'x', yLabel: 'y' };
const line = (name: string, pts: Array<[number, number]>, dashed?: boolean): Series => ({
  name,
  points: pts.map(([x, y]) => ({ x, y })),
  dashed,
});

describe('lineChart document', () => {
  const svg = lineChart({
    ...base,
    series: [
      line('a', [[0, 1], [1, 3], [2, 2], [3, 5]]),
      line('b', [[0, 2], [1.5, 2.5], [3, 0.5]], true),
    ],
  });
  const root = parseXml(svg);

  it('is a well-formed standalone SVG with the default size', () => {
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
    expect(root.name).toBe('svg');
    expect(root.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', width: '720', height: '440', viewBox: '0 0 720 440' });
  });

  it('has a white background, a title, both axis labels (y rotated) and a legend', () => {
    const bg = byClass(root, 'background')[0]!;
    expect(bg.attrs).toMatchObject({ width: '720', height: '440', fill: '#ffffff' });
    expect(textOf(byClass(root, 'title')[0]!)).toBe('Demo');
    expect(textOf(byClass(root, 'x-label')[0]!)).toBe('x');
    const yLabel = byClass(root, 'y-label')[0]!;
    expect(textOf(yLabel)).toBe('y');
    expect(yLabel.attrs.transform).toMatch(/^rotate\(-90 /);
    const entries = byClass(root, 'legend-entry');
    expect(entries.map((e) => textOf(findAll(e, 'text')[0]!))).toEqual(['a', 'b']);
  });

  it('honours width and height', () => {
    const r = parseXml(lineChart({ ...base, width: 500, height: 300, series: [line('a', [[0, 0], [1, 1]])] }));
    expect(r.attrs).toMatchObject({ width: '500', height: '300', viewBox: '0 0 500 300' });
  });

  it('draws one gridline per tick', () => {
    const gridLines = findAll(byClass(root, 'grid')[0]!, 'line');
    expect(gridLines.length).toBe(readTicks(root, 'x-axis').length + readTicks(root, 'y-axis').length);
  });

  it('writes every number with at most 2 decimals and never NaN', () => {
    expect(svg).not.toMatch(/NaN|Infinity/);
    const numeric = ['x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'width', 'height'];
    const all = findAll(root, 'line').concat(findAll(root, 'circle'), findAll(root, 'rect'), findAll(root, 'text'));
    for (const e of all) for (const a of numeric) if (e.attrs[a] !== undefined) expect(e.attrs[a]).toMatch(/^-?\d+(\.\d{1,2})?$/);
    for (const p of findAll(root, 'polyline')) expect(p.attrs.points).toMatch(/^(-?\d+(\.\d{1,2})?,-?\d+(\.\d{1,2})? ?)+$/);
  });

  it('is deterministic', () => {
    const again = lineChart({
      ...base,
      series: [line('a', [[0, 1], [1, 3], [2, 2], [3, 5]]), line('b', [[0, 2], [1.5, 2.5], [3, 0.5]], true)],
    });
    expect(again).toBe(svg);
  });
});

describe('lineChart axes and data mapping', () => {
  const data: Array<[number, number]> = [[1, 0.68], [7, 0.8], [13, 1.05], [20, 0.9]];
  const root = parseXml(lineChart({ ...base, series: [line('rmse', data)] }));
  const xTicks = readTicks(root, 'x-axis');
  const yTicks = readTicks(root, 'y-axis');

  it('uses evenly spaced 1-2-5 ticks that cover the data', () => {
    for (const ticks of [xTicks, yTicks]) {
      const step = ticks[1]!.value - ticks[0]!.value;
      const exponent = Math.floor(Math.log10(step) + 1e-9);
      expect([1, 2, 5]).toContain(Math.round(step / 10 ** exponent));
      for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.value - ticks[i - 1]!.value).toBeCloseTo(step, 9);
    }
    expect(xTicks[0]!.value).toBeLessThanOrEqual(1);
    expect(xTicks.at(-1)!.value).toBeGreaterThanOrEqual(20);
    expect(yTicks[0]!.value).toBeLessThanOrEqual(0.68);
    expect(yTicks.at(-1)!.value).toBeGreaterThanOrEqual(1.05);
    // fits the data rather than starting at 0
    expect(yTicks[0]!.value).toBeGreaterThan(0.4);
    expect(yTicks.at(-1)!.value).toBeLessThan(1.3);
  });

  it('places y ticks upward and x ticks rightward', () => {
    expect(yTicks.at(-1)!.pixel).toBeLessThan(yTicks[0]!.pixel);
    expect(xTicks.at(-1)!.pixel).toBeGreaterThan(xTicks[0]!.pixel);
  });

  it('puts the first and last ticks on the edges of the plot frame', () => {
    const frame = byClass(root, 'frame')[0]!;
    const [fx, fy, fw, fh] = ['x', 'y', 'width', 'height'].map((a) => Number(frame.attrs[a]));
    expect(xTicks[0]!.pixel).toBeCloseTo(fx!, 1);
    expect(xTicks.at(-1)!.pixel).toBeCloseTo(fx! + fw!, 1);
    expect(yTicks[0]!.pixel).toBeCloseTo(fy! + fh!, 1);
    expect(yTicks.at(-1)!.pixel).toBeCloseTo(fy!, 1);
  });

  it('maps every data point to the pixel the tick labels imply', () => {
    const sx = axisMap(xTicks);
    const sy = axisMap(yTicks);
    const [poly] = findAll(seriesGroups(root)[0]!, 'polyline');
    const pts = polylinePoints(poly!);
    expect(pts.length).toBe(data.length);
    pts.forEach(([px, py], i) => {
      expect(Math.abs(px - sx(data[i]![0]))).toBeLessThan(0.02);
      expect(Math.abs(py - sy(data[i]![1]))).toBeLessThan(0.02);
    });
    // markers sit on the same pixels
    const circles = findAll(seriesGroups(root)[0]!, 'circle');
    expect(circles.map((c) => [Number(c.attrs.cx), Number(c.attrs.cy)])).toEqual(pts);
  });

  it('keeps the legend clear of the plot and everything inside the canvas', () => {
    const frame = byClass(root, 'frame')[0]!;
    const legendBox = findAll(byClass(root, 'legend')[0]!, 'rect')[0]!;
    expect(Number(legendBox.attrs.x)).toBeGreaterThan(Number(frame.attrs.x) + Number(frame.attrs.width));
    expect(Number(legendBox.attrs.x) + Number(legendBox.attrs.width)).toBeLessThanOrEqual(720);
    for (const t of findAll(root, 'text')) {
      expect(Number(t.attrs.x)).toBeGreaterThanOrEqual(0);
      expect(Number(t.attrs.x)).toBeLessThanOrEqual(720);
      expect(Number(t.attrs.y)).toBeGreaterThan(0);
      expect(Number(t.attrs.y)).toBeLessThanOrEqual(440);
    }
  });
});

describe('lineChart series', () => {
  it('gives each series a polyline with one point per finite point, in its own style', () => {
    const series = [
      line('three', [[0, 1], [1, 2], [2, 3]]),
      line('five', [[0, 3], [1, 1], [2, 2], [3, 4], [4, 0]], true),
      line('one', [[2, 2]]),
    ];
    const root = parseXml(lineChart({ ...base, series }));
    const groups = seriesGroups(root);
    expect(groups.length).toBe(3);
    groups.forEach((g, i) => {
      const polys = findAll(g, 'polyline');
      expect(polys.length).toBe(1);
      expect(polylinePoints(polys[0]!).length).toBe(series[i]!.points.length);
      expect(findAll(g, 'circle').length).toBe(series[i]!.points.length);
      expect(textOf(findAll(g, 'title')[0]!)).toBe(series[i]!.name);
    });
    const [p0, p1] = groups.map((g) => findAll(g, 'polyline')[0]!);
    expect(p0!.attrs.stroke).toBe(PALETTE[0]);
    expect(p0!.attrs['stroke-dasharray']).toBeUndefined();
    expect(p1!.attrs.stroke).toBe(PALETTE[1]);
    expect(p1!.attrs['stroke-dasharray']).toMatch(/\d/);
    // the legend sample matches the line
    const samples = byClass(root, 'legend-entry').map((e) => findAll(e, 'line')[0]!);
    samples.forEach((s, i) => {
      const poly = findAll(groups[i]!, 'polyline')[0]!;
      expect(s.attrs.stroke).toBe(poly.attrs.stroke);
      expect(s.attrs['stroke-dasharray']).toBe(poly.attrs['stroke-dasharray']);
    });
  });

  it('leaves gaps at NaN and Infinity instead of writing them', () => {
    const root = parseXml(
      lineChart({
        ...base,
        series: [line('gappy', [[1, 1], [2, 2], [3, NaN], [4, 4], [5, 5], [Infinity, 6], [7, 7], [8, -Infinity]])],
      }),
    );
    const svg = lineChart({ ...base, series: [line('gappy', [[1, 1], [2, 2], [3, NaN], [4, 4], [NaN, 5]])] });
    expect(svg).not.toMatch(/NaN|Infinity/);
    const polys = findAll(seriesGroups(root)[0]!, 'polyline');
    expect(polys.map((p) => polylinePoints(p).length)).toEqual([2, 2, 1]);
    // the isolated point at x = 7 still gets a marker
    expect(findAll(seriesGroups(root)[0]!, 'circle').length).toBe(5);
    // the non-finite points do not stretch the axes
    const xTicks = readTicks(root, 'x-axis');
    expect(xTicks.at(-1)!.value).toBeLessThan(20);
  });

  it('skips markers on long series (except isolated points) but keeps them on short ones', () => {
    const long = Array.from({ length: 300 }, (_, i): [number, number] => [i, Math.sin(i / 10)]);
    const isolated = long.map(([x, y], i): [number, number] => [x, i === 298 ? NaN : y]);
    const root = parseXml(
      lineChart({ ...base, series: [line('long', long), line('short', [[0, 0], [299, 1]]), line('isolated end', isolated)] }),
    );
    const [g0, g1, g2] = seriesGroups(root);
    expect(polylinePoints(findAll(g0!, 'polyline')[0]!).length).toBe(300);
    expect(findAll(g0!, 'circle').length).toBe(0);
    expect(findAll(g1!, 'circle').length).toBe(2);
    expect(findAll(g2!, 'polyline').map((p) => polylinePoints(p).length)).toEqual([298, 1]);
    expect(findAll(g2!, 'circle').length).toBe(1); // the lone last point would be invisible without it
    // legend samples show a marker only for series drawn with markers
    const legendMarkers = byClass(root, 'legend-entry').map((e) => findAll(e, 'circle').length);
    expect(legendMarkers).toEqual([0, 1, 0]);
  });

  it('cycles the palette with a different dash past its end', () => {
    const many = Array.from({ length: PALETTE.length + 1 }, (_, i) => line(`s${i}`, [[0, i], [1, i + 1]]));
    const root = parseXml(lineChart({ ...base, series: many }));
    const polys = seriesGroups(root).map((g) => findAll(g, 'polyline')[0]!);
    expect(new Set(polys.slice(0, PALETTE.length).map((p) => p.attrs.stroke)).size).toBe(PALETTE.length);
    const last = polys[PALETTE.length]!;
    expect(last.attrs.stroke).toBe(polys[0]!.attrs.stroke);
    expect(last.attrs['stroke-dasharray']).not.toBe(polys[0]!.attrs['stroke-dasharray']);
  });
});

describe('lineChart escaping', () => {
  it('escapes user text in the title, axis labels and series names', () => {
    const evil = `<b>&"x"`;
    const svg = lineChart({ title: evil, xLabel: `${evil}'`, yLabel: evil, series: [line(evil, [[0, 0], [1, 1]])] });
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;&amp;&quot;x&quot;');
    expect(svg).toContain('&#39;');
    const root = parseXml(svg);
    expect(textOf(byClass(root, 'title')[0]!)).toBe(evil);
    expect(textOf(byClass(root, 'x-label')[0]!)).toBe(`${evil}'`);
    expect(textOf(byClass(root, 'y-label')[0]!)).toBe(evil);
    expect(textOf(findAll(byClass(root, 'legend-entry')[0]!, 'text')[0]!)).toBe(evil);
    expect(root.attrs['aria-label']).toBe(evil);
  });

  it('cannot be broken out of with a closing tag or a script', () => {
    const svg = lineChart({ ...base, series: [line('</text></g></svg><script>alert(1)</script>', [[0, 0], [1, 1]])] });
    expect(svg).not.toContain('<script>');
    expect(() => parseXml(svg)).not.toThrow();
  });

  it('shortens a very long series name in the legend but keeps it whole in the tooltip', () => {
    const name = 'x'.repeat(200);
    const root = parseXml(lineChart({ ...base, series: [line(name, [[0, 0], [1, 1]])] }));
    const shown = textOf(findAll(byClass(root, 'legend-entry')[0]!, 'text')[0]!);
    expect(shown.endsWith('\u2026')).toBe(true);
    expect(shown.length).toBeLessThan(60);
    expect(textOf(findAll(seriesGroups(root)[0]!, 'title')[0]!)).toBe(name);
  });
});

describe('lineChart errors', () => {
  it('refuses an empty series list', () => {
    expect(() => lineChart({ ...base, series: [] })).toThrow(/no series to plot/);
  });
  it('refuses series without any finite point', () => {
    expect(() => lineChart({ ...base, series: [line('a', []), line('b', [])] })).toThrow(/nothing to plot/);
    expect(() => lineChart({ ...base, series: [line('a', [[NaN, 1], [2, Infinity]])] })).toThrow(/nothing to plot/);
  });
  it('refuses an unusable width or height', () => {
    const series = [line('a', [[0, 0], [1, 1]])];
    expect(() => lineChart({ ...base, width: NaN, series })).toThrow(/width/);
    expect(() => lineChart({ ...base, height: 10, series })).toThrow(/height/);
  });
  it('draws a single point, widening the degenerate ranges around it', () => {
    const root = parseXml(lineChart({ ...base, series: [line('dot', [[3, 0.5]])] }));
    const xTicks = readTicks(root, 'x-axis');
    const yTicks = readTicks(root, 'y-axis');
    expect(xTicks[0]!.value).toBeLessThan(3);
    expect(xTicks.at(-1)!.value).toBeGreaterThan(3);
    expect(yTicks[0]!.value).toBeLessThan(0.5);
    expect(yTicks.at(-1)!.value).toBeGreaterThan(0.5);
    expect(findAll(seriesGroups(root)[0]!, 'circle').length).toBe(1);
  });
});
