// Series styles: a colour-blind friendly palette (Okabe & Ito) and dash patterns that take over once colours repeat.

/** Okabe-Ito colours in drawing order; the yellow (#F0E442) is left out, it is unreadable on white. */
export const PALETTE: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** Dash patterns for solid-family series: first pass through the palette solid, then dotted, then dash-dot. */
const SOLID_DASHES: readonly string[] = ['', '2 3', '10 3 2 3'];
/** Dash patterns for series asked to be dashed, one per pass through the palette. */
const DASHED_DASHES: readonly string[] = ['7 4', '3 2', '12 3 3 3 3 3'];

/** How one series is drawn: colour, dash pattern and marker fill. */
export interface SeriesStyle {
  /** Stroke colour, "#RRGGBB". */
  readonly color: string;
  /** SVG stroke-dasharray, '' for a solid line. */
  readonly dash: string;
  /** Markers drawn as rings rather than dots (used for dashed series, so they differ even without the line). */
  readonly hollow: boolean;
}

/**
 * The style of the `index`-th colour slot. Slots beyond the palette cycle its colours and move to the next
 * dash pattern, so (colour, dash) pairs stay distinct for the first PALETTE.length * 3 slots of each family.
 */
export function seriesStyle(index: number, dashed = false): SeriesStyle {
  const i = Math.max(0, Math.floor(index));
  const pass = Math.floor(i / PALETTE.length);
  const dashes = dashed ? DASHED_DASHES : SOLID_DASHES;
  return { color: PALETTE[i % PALETTE.length]!, dash: dashes[pass % dashes.length]!, hollow: dashed };
}
