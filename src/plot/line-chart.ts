// Public entry points: a general line chart and a learning-curve chart, each returned as a standalone SVG document.

import { DataError, OptionError } from '../errors.js';
import { seriesStyle } from './palette.js';
import { finiteSegments, renderChart, type StyledSeries } from './render.js';

/** One line of a {@link lineChart}. */
export interface Series {
  /** The legend's name for the line. */
  name: string;
  /** Drawn in the order given; a point with a non-finite x or y leaves a gap in the line. */
  points: ReadonlyArray<{
    /** Horizontal value. */
    x: number;
    /** Vertical value. */
    y: number;
  }>;
  /** Draw the line dashed, with hollow markers (e.g. a training curve next to a solid test curve). */
  dashed?: boolean;
}

/** What {@link lineChart} draws. */
export interface LineChartOptions {
  /** Shown above the plot when given. */
  title?: string;
  /** The x axis's label. */
  xLabel: string;
  /** The y axis's label. */
  yLabel: string;
  /**
   * Pixels, default 720. A finite number >= 320.
   *
   * @defaultValue 720
   */
  width?: number;
  /**
   * Pixels, default 440. A finite number >= 200.
   *
   * @defaultValue 440
   */
  height?: number;
  /** The lines, at least one with a finite point; colours are assigned in this order. */
  series: readonly Series[];
}

/** One training run of a {@link learningCurveChart}: e.g. `{ label: 'svd', epochs: fit.epochs }`. */
export interface LearningCurveRun {
  /** The run's name in the legend (default 'run N'). */
  label: string;
  /**
   * A fit's epochs: a rating model's train RMSE (and validation RMSE), or a ranking model's loss
   * ({ value, kind }, e.g. the misranked fraction), plotted under its own name.
   */
  epochs: ReadonlyArray<{
    /** The epoch number (x). */
    epoch: number;
    /** A rating model's training RMSE after the epoch. */
    trainRmse?: number;
    /** A ranking model's training loss, plotted when there is no trainRmse. */
    loss?: {
      /** The loss's value. */
      value: number;
      /** What the loss is, e.g. 'misranked', 'cg-residual' or 'objective'; names the y axis. */
      kind: string;
    };
    /** RMSE on the validation (or test) set after the epoch, when one was given. */
    validationRmse?: number;
  }>;
}

/** The y axis of a ranking model's learning curve, by its loss kind. */
const LOSS_LABELS: Readonly<Record<string, string>> = {
  rmse: 'RMSE',
  misranked: 'misranked fraction of sampled pairs',
  'cg-residual': 'CG residual (RMS per interaction)',
  objective: 'training objective per interaction',
};

const DEFAULT_WIDTH = 720;
const DEFAULT_HEIGHT = 440;
const MIN_WIDTH = 320;
const MIN_HEIGHT = 200;

/**
 * A line chart as a complete SVG document: white background, 1-2-5 ticks with gridlines, axis labels, optional title
 * and a legend on the right. Series take the Okabe-Ito colours in order (cycling with a new dash pattern past the
 * palette); `dashed` series are dashed with hollow markers. Axes fit the data (y with a little padding, not from 0).
 * Throws a DataError when there is no finite point to plot, an OptionError for a bad width or height.
 *
 * @param options - Labels, size and the series.
 * @returns The SVG document as a string (write it to a .svg file or put it in a page).
 * @throws {@link DataError} When there is no series or no finite point, or a series has no points array.
 * @throws {@link OptionError} When width is below 320 or height below 200 (or either is not finite).
 */
export function lineChart(options: LineChartOptions): string {
  const series = checkSeries('lineChart', options?.series);
  return render('lineChart', options, series.map((s, i) => ({ name: String(s.name), points: s.points, style: seriesStyle(i, s.dashed === true) })));
}

/**
 * RMSE by epoch for one or more training runs. Each run gets one colour: a solid line "<label> test" through its
 * validationRmse values (only when the run has any) and a dashed line "<label> train" through its trainRmse values.
 * Runs of a ranking model (no trainRmse) plot their loss instead, and the y axis names it (e.g. "misranked fraction
 * of sampled pairs"). Default title "Learning curve"; x ticks are whole epochs.
 *
 * @param runs - The runs, at least one; e.g. `[{ label: 'svd', epochs: fit.epochs }]`.
 * @param options - The title, and `validationLabel`, which names the solid line (default "test"; "validation" for a holdout of the training data).
 * @returns The SVG document as a string.
 * @throws {@link DataError} When there is no run or no finite point to plot.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { SVD, learningCurveChart } from 'latentrec';
 *
 * const fit = new SVD({ epochs: 40 }).fit(train, { validation: test });
 * writeFileSync('curve.svg', learningCurveChart([{ label: 'svd', epochs: fit.epochs }]));
 * ```
 */
export function learningCurveChart(
  runs: ReadonlyArray<LearningCurveRun>,
  /** `validationLabel` names the solid line (default "test"; "validation" for a holdout of the training data). */
  options: {
    /**
     * Shown above the plot.
     *
     * @defaultValue 'Learning curve'
     */
    title?: string;
    /**
     * Names the solid line: "<label> <validationLabel>".
     *
     * @defaultValue 'test'
     */
    validationLabel?: string;
  } = {},
): string {
  const validationLabel = options.validationLabel ?? 'test';
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new DataError('learningCurveChart: no runs to plot; give at least one run with at least one epoch');
  }
  const series: StyledSeries[] = [];
  const train = (e: LearningCurveRun['epochs'][number]): number => e.trainRmse ?? e.loss?.value ?? NaN;
  const epochsOf = (run: LearningCurveRun): LearningCurveRun['epochs'] => (Array.isArray(run?.epochs) ? run.epochs : []);
  const kinds = new Set(runs.flatMap((run) => epochsOf(run).map((e) => (e.trainRmse !== undefined ? 'rmse' : e.loss?.kind ?? 'rmse'))));
  const yLabel = kinds.size === 1 ? LOSS_LABELS[[...kinds][0]] ?? [...kinds][0] : 'training loss';
  runs.forEach((run, r) => {
    const epochs: LearningCurveRun['epochs'] = Array.isArray(run?.epochs) ? run.epochs : [];
    const label = String(run?.label ?? `run ${r + 1}`);
    const test = epochs.filter((e) => e.validationRmse != null).map((e) => ({ x: e.epoch, y: e.validationRmse! }));
    if (test.length > 0) series.push({ name: `${label} ${validationLabel}`, points: test, style: seriesStyle(r, false) });
    series.push({ name: `${label} train`, points: epochs.map((e) => ({ x: e.epoch, y: train(e) })), style: seriesStyle(r, true) });
  });
  return render(
    'learningCurveChart',
    { title: options.title ?? 'Learning curve', xLabel: 'epoch', yLabel, series: [] },
    series,
    true,
  );
}

function checkSeries(caller: string, series: unknown): readonly Series[] {
  if (!Array.isArray(series) || series.length === 0) {
    throw new DataError(`${caller}: no series to plot; options.series must hold at least one series with a finite point`);
  }
  series.forEach((s: Series, i) => {
    if (s == null || !Array.isArray(s.points)) throw new DataError(`${caller}: series ${i} has no points array`);
  });
  return series;
}

function render(caller: string, options: LineChartOptions, series: StyledSeries[], xInteger = false): string {
  if (!series.some((s) => finiteSegments(s.points).length > 0)) {
    throw new DataError(
      `${caller}: nothing to plot; none of the ${series.length} series has a point with finite x and y (NaN and Infinity are skipped)`,
    );
  }
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  if (typeof width !== 'number' || !Number.isFinite(width) || width < MIN_WIDTH) {
    throw new OptionError('width', `a finite number of pixels, at least ${MIN_WIDTH}`, width);
  }
  if (typeof height !== 'number' || !Number.isFinite(height) || height < MIN_HEIGHT) {
    throw new OptionError('height', `a finite number of pixels, at least ${MIN_HEIGHT}`, height);
  }
  return renderChart({
    title: options.title === undefined ? undefined : String(options.title),
    xLabel: String(options.xLabel ?? ''),
    yLabel: String(options.yLabel ?? ''),
    width,
    height,
    series,
    xInteger,
  });
}
