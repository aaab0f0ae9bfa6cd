// Lays out and draws a line chart whose series already carry their styles. Inputs are assumed validated.

import type { SeriesStyle } from './palette.js';
import { extent, linearScale, niceTicks, type Ticks } from './scale.js';
import { el, num, svgDocument, text } from './svg.js';

/** A data point. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A series with its style decided. */
export interface StyledSeries {
  readonly name: string;
  readonly points: ReadonlyArray<Point>;
  readonly style: SeriesStyle;
}

/** Everything renderChart draws, validated. */
export interface ChartSpec {
  readonly title?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width: number;
  readonly height: number;
  readonly series: readonly StyledSeries[];
  /** Whole-number x ticks only (epochs, counts). */
  readonly xInteger?: boolean;
}

/** Series with more finite points than this are drawn without markers (isolated points keep theirs). */
export const MARKER_LIMIT = 200;

const FONT_FAMILY = 'Helvetica, Arial, sans-serif';
const TITLE_SIZE = 16;
const LABEL_SIZE = 13;
const TICK_SIZE = 11;
const LEGEND_SIZE = 12;
const TICK_LENGTH = 5;
const OUTER = 12;
/** Fraction of the y data span added above and below, so lines do not run along the frame. */
const Y_PADDING = 0.04;
const LEGEND_ROW = 18;
const LEGEND_PAD = 8;
const LEGEND_SAMPLE = 30;
const LEGEND_GAP = 16;
/** The legend never takes more than this fraction of the width; longer names are shortened with an ellipsis. */
const LEGEND_MAX_FRACTION = 0.34;
const MARKER_RADIUS = 2.6;

const COLOR = { background: '#ffffff', grid: '#e6e6e6', axis: '#333333', text: '#222222', legendBorder: '#cccccc' };

/** Rough rendered width of a string: an average glyph is ~0.6 em in common sans-serif fonts (a bit more to be safe). */
export function textWidth(s: string, fontSize: number): number {
  return [...s].length * fontSize * 0.62;
}

/** `s` shortened with an ellipsis to fit `maxWidth` at `fontSize`. */
export function fitText(s: string, fontSize: number, maxWidth: number): string {
  const chars = [...s];
  if (textWidth(s, fontSize) <= maxWidth) return s;
  const keep = Math.max(1, Math.floor(maxWidth / (fontSize * 0.62)) - 1);
  return chars.slice(0, keep).join('') + '\u2026';
}

/** The runs of consecutive finite points; a non-finite x or y ends a run (it becomes a gap in the line). */
export function finiteSegments(points: ReadonlyArray<Point>): Point[][] {
  const segments: Point[][] = [];
  let current: Point[] = [];
  for (const p of points) {
    if (p != null && Number.isFinite(p.x) && Number.isFinite(p.y)) {
      current.push(p);
    } else if (current.length > 0) {
      segments.push(current);
      current = [];
    }
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/** The line chart as a complete SVG document. */
export function renderChart(spec: ChartSpec): string {
  const { width: W, height: H } = spec;
  const segmentsBySeries = spec.series.map((s) => finiteSegments(s.points));
  const allPoints = segmentsBySeries.flat(2);
  const hasLineMarkers = segmentsBySeries.map((segments) => countPoints(segments) <= MARKER_LIMIT);
  const xExtent = extent(allPoints.map((p) => p.x))!;
  const yExtent = extent(allPoints.map((p) => p.y), Y_PADDING)!;

  const { title, plotTop, plotBottom, plotHeight } = frameRows(spec.title, W, H);
  const { yTicks, plotLeft } = yAxis(yExtent, plotHeight);

  // Legend to the right of the plot, in as many columns as its height needs.
  const n = spec.series.length;
  const rowsFit = Math.max(1, Math.floor((plotHeight - 2 * LEGEND_PAD) / LEGEND_ROW));
  const columns = Math.ceil(n / rowsFit);
  const rows = Math.min(n, rowsFit);
  const entryOverhead = LEGEND_SAMPLE + 6 + LEGEND_PAD;
  const maxNameWidth = Math.max(LEGEND_SIZE * 3, (W * LEGEND_MAX_FRACTION - LEGEND_PAD) / columns - entryOverhead);
  const names = spec.series.map((s) => fitText(s.name, LEGEND_SIZE, maxNameWidth));
  const nameWidth = Math.max(...names.map((name) => textWidth(name, LEGEND_SIZE)));
  const columnWidth = entryOverhead + nameWidth;
  const legendWidth = LEGEND_PAD + columns * columnWidth;
  const legendLeft = W - OUTER - legendWidth;
  const plotRight = legendLeft - LEGEND_GAP;
  const plotWidth = plotRight - plotLeft;

  const xTicks = chooseXTicks(xExtent, plotWidth, spec.xInteger === true);
  const sx = linearScale([xTicks.min, xTicks.max], [plotLeft, plotRight]);
  const sy = linearScale([yTicks.min, yTicks.max], [plotBottom, plotTop]);

  const box: PlotBox = { plotLeft, plotRight, plotTop, plotBottom };
  const body = frameStart(W, H, title, box);
  body.push(grid(xTicks, yTicks, sx, sy, box));
  spec.series.forEach((s, i) => body.push(drawSeries(s, i, segmentsBySeries[i]!, sx, sy)));
  body.push(axes(xTicks, yTicks, sx, sy, box));
  body.push(...axisLabels(spec.xLabel, spec.yLabel, box, H));

  const legendHeight = 2 * LEGEND_PAD + rows * LEGEND_ROW - (LEGEND_ROW - LEGEND_SIZE);
  const legendItems: string[] = [
    el('rect', { x: legendLeft, y: plotTop, width: legendWidth, height: legendHeight, fill: COLOR.background, stroke: COLOR.legendBorder }),
  ];
  spec.series.forEach((s, i) => {
    const x0 = legendLeft + LEGEND_PAD + Math.floor(i / rowsFit) * columnWidth;
    const y = plotTop + LEGEND_PAD + (i % rowsFit) * LEGEND_ROW + LEGEND_SIZE / 2;
    legendItems.push(
      el('g', { class: 'legend-entry', 'data-series': i }, [
        el('line', { x1: x0, y1: y, x2: x0 + LEGEND_SAMPLE, y2: y, ...strokeAttributes(s.style) }),
        ...(hasLineMarkers[i] ? [marker(x0 + LEGEND_SAMPLE / 2, y, s.style)] : []),
        el('text', { x: x0 + LEGEND_SAMPLE + 6, y, dy: '0.35em', 'font-size': LEGEND_SIZE }, [text(names[i]!)]),
      ]),
    );
  });
  body.push(el('g', { class: 'legend' }, legendItems));

  return chartDocument(W, H, body, title ?? `${spec.yLabel} by ${spec.xLabel}`);
}

// The frame both charts share (line charts here, scatter.ts): title band, plot, x tick labels
// and x label from top to bottom; y tick labels and the rotated y label on the left.

/** The vertical layout: the title (shortened to the width) and the plot's top and bottom. */
export function frameRows(rawTitle: string | undefined, W: number, H: number) {
  const title = rawTitle === undefined || rawTitle === '' ? undefined : fitText(rawTitle, TITLE_SIZE, W - 2 * OUTER);
  const plotTop = title === undefined ? OUTER + 8 : OUTER + TITLE_SIZE + 16;
  const plotBottom = H - (OUTER + LABEL_SIZE + 10 + TICK_SIZE + 6 + TICK_LENGTH);
  return { title, plotTop, plotBottom, plotHeight: plotBottom - plotTop };
}

/** The y ticks for the plot's height, and the plot's left edge once their labels fit. */
export function yAxis(yExtent: readonly [number, number], plotHeight: number): { yTicks: Ticks; plotLeft: number } {
  const yTicks = niceTicks(yExtent[0], yExtent[1], { maxIntervals: clamp(Math.floor(plotHeight / 40), 2, 10) });
  const yTickWidth = Math.max(...yTicks.labels.map((l) => textWidth(l, TICK_SIZE)));
  return { yTicks, plotLeft: OUTER + LABEL_SIZE + 10 + yTickWidth + 4 + TICK_LENGTH };
}

/** The background, and the title centred over the plot (over the page when that would clip it). */
export function frameStart(W: number, H: number, title: string | undefined, box: PlotBox): string[] {
  const body: string[] = [el('rect', { class: 'background', x: 0, y: 0, width: W, height: H, fill: COLOR.background })];
  if (title !== undefined) {
    const titleWidth = textWidth(title, TITLE_SIZE);
    const plotCenter = (box.plotLeft + box.plotRight) / 2;
    const cx = plotCenter - titleWidth / 2 < OUTER || plotCenter + titleWidth / 2 > W - OUTER ? W / 2 : plotCenter;
    body.push(
      el('text', { class: 'title', x: cx, y: OUTER + TITLE_SIZE, 'text-anchor': 'middle', 'font-size': TITLE_SIZE, 'font-weight': 'bold' }, [
        text(title),
      ]),
    );
  }
  return body;
}

/** The x label as given (callers shorten it if they need to) and the y label shortened to the plot's height. */
export function axisLabels(xText: string, yLabel: string, box: PlotBox, H: number): string[] {
  const yLabelX = OUTER + LABEL_SIZE - 2;
  const yLabelY = (box.plotTop + box.plotBottom) / 2;
  return [
    el('text', { class: 'x-label', x: (box.plotLeft + box.plotRight) / 2, y: H - OUTER, 'text-anchor': 'middle', 'font-size': LABEL_SIZE }, [
      text(xText),
    ]),
    el(
      'text',
      {
        class: 'y-label',
        x: yLabelX,
        y: yLabelY,
        transform: `rotate(-90 ${num(yLabelX)} ${num(yLabelY)})`,
        'text-anchor': 'middle',
        'font-size': LABEL_SIZE,
      },
      [text(fitText(yLabel, LABEL_SIZE, box.plotBottom - box.plotTop))],
    ),
  ];
}

/** The SVG document around a chart's body, with the chart's font, colour and accessible label. */
export function chartDocument(W: number, H: number, body: readonly string[], ariaLabel: string): string {
  return svgDocument(W, H, body, { 'font-family': FONT_FAMILY, fill: COLOR.text, role: 'img', 'aria-label': ariaLabel });
}

/** The plot area's edges in pixels (shared with scatter.ts). */
export interface PlotBox {
  readonly plotLeft: number;
  readonly plotRight: number;
  readonly plotTop: number;
  readonly plotBottom: number;
}

/** The densest x ticks (at most 10 intervals) whose labels do not crowd each other. */
export function chooseXTicks(xExtent: readonly [number, number], plotWidth: number, integer = false): Ticks {
  let maxIntervals = clamp(Math.floor(plotWidth / 60), 2, 10);
  for (;;) {
    const ticks = niceTicks(xExtent[0], xExtent[1], { maxIntervals, integer });
    const intervals = ticks.values.length - 1;
    const widest = Math.max(...ticks.labels.map((l) => textWidth(l, TICK_SIZE)));
    if (maxIntervals <= 2 || plotWidth / intervals >= widest + 12) return ticks;
    maxIntervals = Math.min(maxIntervals, intervals) - 1;
  }
}

/** The gridlines at every tick. */
export function grid(xTicks: Ticks, yTicks: Ticks, sx: (v: number) => number, sy: (v: number) => number, box: PlotBox): string {
  const lines: string[] = [];
  for (const v of xTicks.values) lines.push(el('line', { x1: sx(v), y1: box.plotTop, x2: sx(v), y2: box.plotBottom }));
  for (const v of yTicks.values) lines.push(el('line', { x1: box.plotLeft, y1: sy(v), x2: box.plotRight, y2: sy(v) }));
  return el('g', { class: 'grid', stroke: COLOR.grid, 'stroke-width': 1 }, lines);
}

/** The frame, the tick marks and the tick labels. */
export function axes(xTicks: Ticks, yTicks: Ticks, sx: (v: number) => number, sy: (v: number) => number, box: PlotBox): string {
  const { plotLeft, plotRight, plotTop, plotBottom } = box;
  const frame = el('rect', {
    class: 'frame',
    x: plotLeft,
    y: plotTop,
    width: plotRight - plotLeft,
    height: plotBottom - plotTop,
    fill: 'none',
    stroke: COLOR.axis,
  });
  const xParts: string[] = [];
  xTicks.values.forEach((v, i) => {
    const x = sx(v);
    xParts.push(el('line', { x1: x, y1: plotBottom, x2: x, y2: plotBottom + TICK_LENGTH, stroke: COLOR.axis }));
    xParts.push(
      el('text', { class: 'tick', x, y: plotBottom + TICK_LENGTH + 4 + TICK_SIZE, 'text-anchor': 'middle' }, [
        text(xTicks.labels[i]!),
      ]),
    );
  });
  const yParts: string[] = [];
  yTicks.values.forEach((v, i) => {
    const y = sy(v);
    yParts.push(el('line', { x1: plotLeft - TICK_LENGTH, y1: y, x2: plotLeft, y2: y, stroke: COLOR.axis }));
    yParts.push(
      el('text', { class: 'tick', x: plotLeft - TICK_LENGTH - 4, y, dy: '0.35em', 'text-anchor': 'end' }, [
        text(yTicks.labels[i]!),
      ]),
    );
  });
  return [
    frame,
    el('g', { class: 'x-axis', 'font-size': TICK_SIZE }, xParts),
    el('g', { class: 'y-axis', 'font-size': TICK_SIZE }, yParts),
  ].join('\n');
}

function strokeAttributes(style: SeriesStyle): Record<string, string | number | undefined> {
  return {
    fill: 'none',
    stroke: style.color,
    'stroke-width': 2,
    'stroke-linejoin': 'round',
    'stroke-dasharray': style.dash === '' ? undefined : style.dash,
  };
}

function marker(x: number, y: number, style: SeriesStyle): string {
  return style.hollow
    ? el('circle', { cx: x, cy: y, r: MARKER_RADIUS, fill: COLOR.background, stroke: style.color, 'stroke-width': 1.4 })
    : el('circle', { cx: x, cy: y, r: MARKER_RADIUS, fill: style.color });
}

function drawSeries(
  series: StyledSeries,
  index: number,
  segments: readonly Point[][],
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  const total = countPoints(segments);
  const parts: string[] = [el('title', {}, [text(series.name)])];
  for (const seg of segments) {
    const points = seg.map((p) => `${num(sx(p.x))},${num(sy(p.y))}`).join(' ');
    parts.push(el('polyline', { points, ...strokeAttributes(series.style) }));
  }
  const markers: string[] = [];
  for (const seg of segments) {
    if (total > MARKER_LIMIT && seg.length > 1) continue;
    for (const p of seg) markers.push(marker(sx(p.x), sy(p.y), series.style));
  }
  if (markers.length > 0) parts.push(el('g', { class: 'markers' }, markers));
  return el('g', { class: 'series', 'data-series': index }, parts);
}

function countPoints(segments: readonly Point[][]): number {
  return segments.reduce((sum, seg) => sum + seg.length, 0);
}

/** `v` limited to [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
