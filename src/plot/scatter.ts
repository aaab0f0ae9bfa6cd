// A scatter plot as a standalone SVG document (e.g. a 2-D PCA projection of item vectors), in the line chart's style:
// white background, 1-2-5 ticks with gridlines, axis labels, optional title. Points with a `label` are highlighted
// and named; their labels are placed greedily so they stay inside the plot and avoid each other.

import { DataError, OptionError } from '../errors.js';
import { PALETTE } from './palette.js';
import { axes, axisLabels, chartDocument, chooseXTicks, clamp, fitText, frameRows, frameStart, grid, textWidth, yAxis } from './render.js';
import { extent, linearScale } from './scale.js';
import { el, text } from './svg.js';

/** One point of a {@link scatterChart}. */
export interface ScatterPoint {
  /** Horizontal value; the point is skipped when not finite. */
  x: number;
  /** Vertical value; the point is skipped when not finite. */
  y: number;
  /** Drawn highlighted and named next to the point. */
  label?: string;
}

/** What {@link scatterChart} draws. */
export interface ScatterChartOptions {
  /** Shown above the plot when given. */
  title?: string;
  /** The x axis's label. */
  xLabel: string;
  /** The y axis's label. */
  yLabel: string;
  /** Points with a non-finite x or y are skipped. Labels are placed in this order (first ones get the best spots). */
  points: ReadonlyArray<ScatterPoint>;
  /**
   * Pixels, default 720. A finite number >= 320.
   *
   * @defaultValue 720
   */
  width?: number;
  /**
   * Pixels, default 560. A finite number >= 200.
   *
   * @defaultValue 560
   */
  height?: number;
}

const DEFAULT_WIDTH = 720;
const DEFAULT_HEIGHT = 560;
const MIN_WIDTH = 320;
const MIN_HEIGHT = 200;

const LABEL_SIZE = 13;
const TICK_SIZE = 11;
const POINT_LABEL_SIZE = 11;
const OUTER = 12;
/** Fraction of each data span added on both sides, so no dot sits on the frame. */
const PADDING = 0.04;
const DOT_RADIUS = 2.2;
const LABELLED_RADIUS = 3.4;
/** Labels are kept this far inside the frame. */
const INSET = 2;
/** A label never takes more than this many pixels (or 40% of the plot width); longer ones get an ellipsis. */
const MAX_LABEL_WIDTH = 220;

const COLOR = {
  background: '#ffffff',
  grid: '#e6e6e6',
  axis: '#333333',
  text: '#222222',
  dot: PALETTE[0]!,
  labelled: PALETTE[1]!,
  leader: '#888888',
};

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface PlacedLabel {
  text: string;
  /** Text anchor point (x, vertical centre) and anchor. */
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  box: Box;
  /** Leader line from the dot to the label, when the label sits away from its dot. */
  leader?: [number, number, number, number];
}

/**
 * A scatter plot as a complete SVG document. Every point with finite x and y becomes one small dot (circle); points
 * with a `label` are drawn larger in a second colour, on top, with their label (and the full label as a tooltip).
 * Labels are placed in the order given, each at the candidate position around its dot (right, left, above, below,
 * diagonals, then further out with a leader line) that stays inside the plot and overlaps the labels already placed
 * and the other dots least. Axes fit the data with a little padding. All text is escaped.
 * Throws a DataError when no point is finite, an OptionError for a bad width or height.
 *
 * @param options - Labels, size and the points.
 * @returns The SVG document as a string.
 * @throws {@link DataError} When `points` is not an array or no point has finite x and y.
 * @throws {@link OptionError} When width is below 320 or height below 200 (or either is not finite).
 *
 * @example
 * ```ts
 * import { pca2d, scatterChart } from 'latentrec';
 *
 * const state = model.toState(); // a fitted model's item vectors: state.Q, items x k
 * const pca = pca2d({ rows: state.itemIds.length, k: state.factors, data: state.Q });
 * const svg = scatterChart({
 *   xLabel: 'PC 1', yLabel: 'PC 2',
 *   points: state.itemIds.map((id, r) => ({ x: pca.points[2 * r], y: pca.points[2 * r + 1], label: r < 10 ? id : undefined })),
 * });
 * ```
 */
export function scatterChart(options: ScatterChartOptions): string {
  const raw = options?.points;
  if (!Array.isArray(raw)) throw new DataError('scatterChart: options.points must be an array of { x, y, label? }');
  const points = raw.filter((p) => p != null && Number.isFinite(p.x) && Number.isFinite(p.y));
  if (points.length === 0) {
    throw new DataError(
      `scatterChart: nothing to plot; none of the ${raw.length} points has finite x and y (NaN and Infinity are skipped)`,
    );
  }
  const W = options.width ?? DEFAULT_WIDTH;
  const H = options.height ?? DEFAULT_HEIGHT;
  if (typeof W !== 'number' || !Number.isFinite(W) || W < MIN_WIDTH) {
    throw new OptionError('width', `a finite number of pixels, at least ${MIN_WIDTH}`, W);
  }
  if (typeof H !== 'number' || !Number.isFinite(H) || H < MIN_HEIGHT) {
    throw new OptionError('height', `a finite number of pixels, at least ${MIN_HEIGHT}`, H);
  }
  const xLabel = String(options.xLabel ?? '');
  const yLabel = String(options.yLabel ?? '');

  const xExtent = extent(points.map((p) => p.x), PADDING)!;
  const yExtent = extent(points.map((p) => p.y), PADDING)!;

  const { title, plotTop, plotBottom } = frameRows(options.title === undefined ? undefined : String(options.title), W, H);
  const { yTicks, plotLeft } = yAxis(yExtent, plotBottom - plotTop);
  // Room on the right for half of the last x tick label.
  let plotRight = W - OUTER - 16;
  let xTicks = chooseXTicks(xExtent, plotRight - plotLeft);
  plotRight = W - OUTER - Math.max(4, textWidth(xTicks.labels[xTicks.labels.length - 1]!, TICK_SIZE) / 2);
  xTicks = chooseXTicks(xExtent, plotRight - plotLeft);
  const plotWidth = plotRight - plotLeft;

  const sx = linearScale([xTicks.min, xTicks.max], [plotLeft, plotRight]);
  const sy = linearScale([yTicks.min, yTicks.max], [plotBottom, plotTop]);
  const plot: Box = { x0: plotLeft, y0: plotTop, x1: plotRight, y1: plotBottom };

  const pixels = points.map((p) => ({ px: sx(p.x), py: sy(p.y), label: p.label == null ? undefined : String(p.label) }));
  const labelled = pixels.filter((p) => p.label !== undefined && p.label !== '');
  const plain = pixels.filter((p) => !(p.label !== undefined && p.label !== ''));
  const labels = placeLabels(labelled as Array<{ px: number; py: number; label: string }>, pixels, plot, Math.min(MAX_LABEL_WIDTH, plotWidth * 0.4));

  const edges = { plotLeft: plot.x0, plotRight: plot.x1, plotTop: plot.y0, plotBottom: plot.y1 };
  const body = frameStart(W, H, title, edges);
  body.push(grid(xTicks, yTicks, sx, sy, edges));
  body.push(
    el(
      'g',
      { class: 'points', fill: COLOR.dot, 'fill-opacity': 0.55 },
      plain.map((p) => el('circle', { class: 'point', cx: p.px, cy: p.py, r: DOT_RADIUS })),
    ),
  );
  body.push(axes(xTicks, yTicks, sx, sy, edges));
  if (labelled.length > 0) {
    body.push(
      el(
        'g',
        { class: 'leaders', stroke: COLOR.leader, 'stroke-width': 0.8 },
        labels.filter((l) => l.leader).map((l) => el('line', { x1: l.leader![0], y1: l.leader![1], x2: l.leader![2], y2: l.leader![3] })),
      ),
    );
    body.push(
      el(
        'g',
        { class: 'labelled-points', fill: COLOR.labelled, stroke: COLOR.background, 'stroke-width': 0.8 },
        labelled.map((p) => el('circle', { class: 'point labelled', cx: p.px, cy: p.py, r: LABELLED_RADIUS }, [el('title', {}, [text(p.label!)])])),
      ),
    );
    body.push(
      el(
        'g',
        {
          class: 'labels',
          'font-size': POINT_LABEL_SIZE,
          stroke: COLOR.background,
          'stroke-width': 3,
          'stroke-linejoin': 'round',
          'paint-order': 'stroke',
        },
        labels.map((l) => el('text', { class: 'label', x: l.x, y: l.y, dy: '0.35em', 'text-anchor': l.anchor }, [text(l.text)])),
      ),
    );
  }

  body.push(...axisLabels(fitText(xLabel, LABEL_SIZE, plotWidth), yLabel, edges, H));

  return chartDocument(W, H, body, title ?? `${yLabel} against ${xLabel}`);
}

/**
 * The box a label occupies when drawn at (x, y) with dy="0.35em" and the given anchor, by the same rough glyph
 * width as the line chart's legend. Exported for the tests.
 */
export function labelBox(label: string, x: number, y: number, anchor: 'start' | 'middle' | 'end', fontSize = POINT_LABEL_SIZE): Box {
  const w = textWidth(label, fontSize);
  const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return { x0, y0: y - 0.6 * fontSize, x1: x0 + w, y1: y + 0.6 * fontSize };
}

/**
 * Positions tried around a dot, best first: right, left, above and below (centred, then left- and right-aligned with
 * the dot), then the diagonals. [dx, dy, anchor]: the direction of the offset and the text anchor.
 */
const CANDIDATES: ReadonlyArray<readonly [number, number, 'start' | 'middle' | 'end']> = [
  [1, 0, 'start'],
  [-1, 0, 'end'],
  [0, -1, 'middle'],
  [0, 1, 'middle'],
  [0, -1, 'start'],
  [0, -1, 'end'],
  [0, 1, 'start'],
  [0, 1, 'end'],
  [1, -1, 'start'],
  [-1, -1, 'end'],
  [1, 1, 'start'],
  [-1, 1, 'end'],
];
/** Distances (pixels from the dot centre to the nearest box edge) tried, in order; beyond the first, a leader line. */
const DISTANCES: readonly number[] = [LABELLED_RADIUS + 3, 16, 30, 48, 70, 95];

/** Label widths tried, as fractions of the widest allowed; each step shorter costs like a label much further out. */
const SHORTENINGS: readonly number[] = [1, 0.6, 0.35];

function placeLabels(
  labelled: ReadonlyArray<{ px: number; py: number; label: string }>,
  all: ReadonlyArray<{ px: number; py: number }>,
  plot: Box,
  maxWidth: number,
): PlacedLabel[] {
  const inner: Box = { x0: plot.x0 + INSET, y0: plot.y0 + INSET, x1: plot.x1 - INSET, y1: plot.y1 - INSET };
  const placed: PlacedLabel[] = [];
  const h = 1.2 * POINT_LABEL_SIZE;
  const dots = new DotGrid(all);
  for (const p of labelled) {
    // The label as long as allowed, and shortened further, for crowded spots (at a price).
    const widest = Math.min(maxWidth, inner.x1 - inner.x0);
    const versions = [...new Set(SHORTENINGS.map((f) => fitText(p.label, POINT_LABEL_SIZE, widest * f)))];
    let best: PlacedLabel | undefined;
    let bestCost = Infinity;
    versions.forEach((shown, shortening) => DISTANCES.forEach((d, level) => {
      CANDIDATES.forEach(([dx, dy, anchor], rank) => {
        // Box edge at distance d from the dot along (dx, dy); diagonals shrink by 1/sqrt(2). Labels above or below
        // and aligned with the dot start (or end) a little left (right) of it.
        const g = dx !== 0 && dy !== 0 ? d * Math.SQRT1_2 : d;
        const x = dx !== 0 ? p.px + dx * g : anchor === 'start' ? p.px - 2 * LABELLED_RADIUS : anchor === 'end' ? p.px + 2 * LABELLED_RADIUS : p.px;
        const y = dy === 0 ? p.py : p.py + dy * (g + h / 2);
        const box = labelBox(shown, x, y, anchor);
        if (!inside(box, inner)) return;
        const leader = level > 0 ? leaderLine(p.px, p.py, box) : undefined;
        let cost = shortening * 300 + level * 40 + rank * 0.5;
        for (const q of placed) {
          cost += 1000 * overlapArea(box, q.box);
          // A leader line through a label, or two leaders crossing, makes the picture ambiguous.
          if (q.leader && segmentHitsBox(q.leader, box)) cost += 1000;
          if (leader && segmentHitsBox(leader, q.box)) cost += 1000;
          if (leader && q.leader && segmentsCross(leader, q.leader)) cost += 200;
        }
        for (const q of labelled) {
          if (q === p) continue;
          if (covers(box, q.px, q.py, LABELLED_RADIUS + 1)) cost += 400;
          if (leader && segmentHitsBox(leader, { x0: q.px - LABELLED_RADIUS, y0: q.py - LABELLED_RADIUS, x1: q.px + LABELLED_RADIUS, y1: q.py + LABELLED_RADIUS })) {
            cost += 200;
          }
        }
        // Covering plain dots matters least (a dense cloud is covered by any label): 1 each, at most 60.
        cost += dots.count(box, 60);
        if (cost < bestCost) {
          bestCost = cost;
          best = { text: shown, x, y, anchor, box, leader };
        }
      });
    }));
    if (best === undefined) {
      // Wider than every free spot (a tiny plot): pin it inside the plot next to the dot.
      const shown = versions[versions.length - 1]!;
      const w = textWidth(shown, POINT_LABEL_SIZE);
      const x = clamp(p.px + LABELLED_RADIUS + 3, inner.x0, Math.max(inner.x0, inner.x1 - w));
      const y = clamp(p.py, inner.y0 + h / 2, Math.max(inner.y0 + h / 2, inner.y1 - h / 2));
      best = { text: shown, x, y, anchor: 'start', box: labelBox(shown, x, y, 'start') };
    }
    placed.push(best);
  }
  return placed;
}

/** Dots bucketed in square cells, to count those under a label box without scanning them all. */
class DotGrid {
  private static readonly CELL = 24;
  private readonly cells = new Map<number, Array<{ px: number; py: number }>>();

  constructor(dots: ReadonlyArray<{ px: number; py: number }>) {
    for (const d of dots) {
      const key = DotGrid.key(Math.floor(d.px / DotGrid.CELL), Math.floor(d.py / DotGrid.CELL));
      const cell = this.cells.get(key);
      if (cell) cell.push(d);
      else this.cells.set(key, [d]);
    }
  }

  /** Dots (of radius DOT_RADIUS) touching the box, counted up to `limit`. */
  count(box: Box, limit: number): number {
    let n = 0;
    const r = DOT_RADIUS;
    for (let cx = Math.floor((box.x0 - r) / DotGrid.CELL); cx <= Math.floor((box.x1 + r) / DotGrid.CELL); cx++) {
      for (let cy = Math.floor((box.y0 - r) / DotGrid.CELL); cy <= Math.floor((box.y1 + r) / DotGrid.CELL); cy++) {
        for (const d of this.cells.get(DotGrid.key(cx, cy)) ?? []) {
          if (covers(box, d.px, d.py, r) && ++n >= limit) return n;
        }
      }
    }
    return n;
  }

  /** Pixel coordinates stay far below 2^15 cells in any drawable chart. */
  private static key(cx: number, cy: number): number {
    return (cx + 32768) * 65536 + (cy + 32768);
  }
}

/** From just outside the dot to the nearest point of the box; undefined when they are close anyway. */
function leaderLine(px: number, py: number, box: Box): [number, number, number, number] | undefined {
  const qx = clamp(px, box.x0, box.x1);
  const qy = clamp(py, box.y0, box.y1);
  const dist = Math.hypot(qx - px, qy - py);
  if (dist < LABELLED_RADIUS + 6) return undefined;
  const start = LABELLED_RADIUS + 1;
  return [px + ((qx - px) * start) / dist, py + ((qy - py) * start) / dist, qx, qy];
}

/** Whether the segment meets the box (Liang-Barsky clipping). */
function segmentHitsBox(s: readonly [number, number, number, number], b: Box): boolean {
  const [x0, y0, x1, y1] = s;
  const dx = x1 - x0, dy = y1 - y0;
  let t0 = 0, t1 = 1;
  const edges: Array<[number, number]> = [
    [-dx, x0 - b.x0],
    [dx, b.x1 - x0],
    [-dy, y0 - b.y0],
    [dy, b.y1 - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/** Whether two segments properly cross. */
function segmentsCross(a: readonly [number, number, number, number], b: readonly [number, number, number, number]): boolean {
  const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number =>
    Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
  return (
    orient(a[0], a[1], a[2], a[3], b[0], b[1]) * orient(a[0], a[1], a[2], a[3], b[2], b[3]) < 0 &&
    orient(b[0], b[1], b[2], b[3], a[0], a[1]) * orient(b[0], b[1], b[2], b[3], a[2], a[3]) < 0
  );
}

function inside(b: Box, outer: Box): boolean {
  return b.x0 >= outer.x0 && b.x1 <= outer.x1 && b.y0 >= outer.y0 && b.y1 <= outer.y1;
}

function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

function covers(b: Box, x: number, y: number, r: number): boolean {
  return x + r > b.x0 && x - r < b.x1 && y + r > b.y0 && y - r < b.y1;
}
