// `latentrec search`: grid search with cross-validation; the full table and the best settings.
import { OptionError } from '../errors.js';
import { gridSearch, type Grid, type GridRow } from '../eval/grid-search.js';
import { loadCvFolds, type FoldFlags } from './cv.js';
import { modelFactory, refuseAttributeFlags, requireRatingModel, type ModelFlags, type ModelKind } from './options.js';
import { createProgress } from './progress.js';
import { jsonForTerminal } from './terminal.js';

export interface SearchFlags extends ModelFlags, FoldFlags {
  grid: string;
  json?: boolean;
}

const SEARCHABLE = ['factors', 'epochs', 'lr', 'reg', 'init', 'initScale', 'order', 'model', 'seed'] as const;

export async function searchCommand(flags: SearchFlags): Promise<void> {
  refuseAttributeFlags('search', flags);
  const grid = parseGrid(flags.grid);
  const factoryFor = (settings: Record<string, number | string>) =>
    modelFactory({ ...flags, ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])) });
  requireRatingModel('search', factoryFor({}).kind);
  for (const kind of grid.model ?? []) requireRatingModel('search', String(kind) as ModelKind);
  const { folds } = await loadCvFolds(flags, factoryFor({}).make().settings.seed);
  const progress = createProgress(!flags.json);
  const total = Object.values(grid).reduce((n, values) => n * values.length, 1);
  progress.start(total, `search ${total} settings x ${folds.length} folds`);
  const result = (() => {
    try {
      return gridSearch((settings) => factoryFor(settings).makeRating(), grid, folds, {
        onRow: (row, index) => progress.update(index + 1, `last ${row.rmse.toFixed(4)}`),
      });
    } finally {
      progress.stop();
    }
  })();
  if (flags.json) {
    console.log(jsonForTerminal({ model: factoryFor({}).label, grid, folds: folds.length, rows: result.rows, best: result.best }));
    return;
  }
  const keys = Object.keys(grid);
  const sorted = [...result.rows].sort((a, b) => a.rmse - b.rmse);
  console.log(`${keys.map((k) => k.padStart(8)).join(' ')}     RMSE      MAE   fit s`);
  for (const row of sorted) console.log(formatRow(row, keys));
  console.log(`best (mean of ${folds.length} folds): ${keys.map((k) => `${k}=${result.best.settings[k]}`).join(' ')} ` +
    `RMSE ${result.best.rmse.toFixed(4)} MAE ${result.best.mae.toFixed(4)}`);
}

function formatRow(row: GridRow, keys: string[]): string {
  return `${keys.map((k) => String(row.settings[k]).padStart(8)).join(' ')}   ${row.rmse.toFixed(4)}   ${row.mae.toFixed(4)}  ${row.fitSeconds.toFixed(2)}`;
}

/** "factors=50,100;reg=0.02,0.05" (';' or spaces between entries). */
export function parseGrid(text: string): Grid {
  const grid: Record<string, (number | string)[]> = {};
  for (const entry of text.split(/[;\s]+/).filter(Boolean)) {
    const match = /^([a-zA-Z]+)=(.+)$/.exec(entry);
    const key = match?.[1];
    if (!match || !(SEARCHABLE as readonly string[]).includes(key!)) {
      throw new OptionError('--grid', `NAME=V1,V2;NAME=... with NAME one of ${SEARCHABLE.join(', ')}`, entry);
    }
    if (key! in grid) throw new OptionError('--grid', `each name once`, entry);
    grid[key!] = match[2].split(',').map((v) => v.trim()).filter(Boolean).map((v) => (Number.isNaN(Number(v)) ? v : Number(v)));
  }
  if (Object.keys(grid).length === 0) throw new OptionError('--grid', 'at least one NAME=V1,V2', text);
  return grid;
}
