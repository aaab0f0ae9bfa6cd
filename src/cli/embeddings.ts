// `latentrec embeddings`: the lecture's appendix on embeddings in high-dimensional spaces, on a
// saved model's item (or user) vectors: norms, cosine of random pairs vs nearest neighbours, and
// a 2-D PCA projection drawn as SVG with the most popular items labelled.
import { loadModelFile } from '../io/model-file-node.js';
import { embeddingReport } from '../eval/embeddings.js';
import { OptionError } from '../errors.js';
import { scatterChart } from '../plot/scatter.js';
import { writeFileAtomic } from '../io/atomic-write-node.js';
import { checkOutputs } from './outputs.js';
import { jsonForTerminal } from './terminal.js';
import { loadTitles } from './titles.js';
import { writeOutputs } from './train.js';

export interface EmbeddingsFlags {
  model: string;
  svg?: string;
  users?: boolean;
  labels?: string;
  json?: boolean;
  /** A u.item-style file for the labels; titles never come from the model file. */
  titles?: string;
}

export async function embeddingsCommand(flags: EmbeddingsFlags): Promise<void> {
  const labelCount = flags.labels === undefined ? 30 : Number(flags.labels);
  if (!Number.isInteger(labelCount) || labelCount < 0) throw new OptionError('--labels', 'an integer >= 0', flags.labels);
  checkOutputs([{ flag: '--svg', path: flags.svg, kind: 'svg' }], [{ flag: '--model-file', path: flags.model }, { flag: '--titles', path: flags.titles }]);
  const titles = !flags.users && flags.titles !== undefined ? loadTitles('--titles', flags.titles) : undefined;
  const state = await loadModelFile(flags.model);
  if (state.factors < 2) throw new OptionError('--model-file', 'a model with at least 2 factors', `k=${state.factors}`);
  const which = flags.users ? 'users' : 'items';
  const ids = which === 'users' ? state.userIds : state.itemIds;
  const matrix = { rows: ids.length, k: state.factors, data: which === 'users' ? state.P : state.Q };
  const report = embeddingReport(matrix, ids);
  // Popularity: how many training ratings each item (or user) had.
  const popularity = new Uint32Array(ids.length);
  for (let u = 0; u < state.userIds.length; u++) {
    const n = state.seenStart[u + 1] - state.seenStart[u];
    if (which === 'users') popularity[u] = n;
    else for (let t = state.seenStart[u]; t < state.seenStart[u + 1]; t++) popularity[state.seenItems[t]]++;
  }
  const order = Array.from(ids.keys()).sort((a, b) => popularity[b] - popularity[a] || a - b);
  const labelled = new Map(order.slice(0, labelCount).map((r, rank) => [r, rank]));
  if (flags.svg !== undefined) {
    const points = report.pca.points.map((p, r) => ({ x: p.x, y: p.y, label: labelled.has(r) ? titles?.get(ids[r]) ?? ids[r] : undefined }));
    // Labels are placed in order: most popular first.
    points.sort((a, b) => (a.label === undefined ? 1 : 0) - (b.label === undefined ? 1 : 0));
    const [e1, e2] = report.pca.explained;
    const svg = scatterChart({
      title: `${which === 'items' ? 'Item' : 'User'} vectors, PCA (k=${state.factors})`,
      xLabel: `PC1 (${(100 * e1).toFixed(1)}% of variance)`,
      yLabel: `PC2 (${(100 * e2).toFixed(1)}% of variance)`,
      points,
    });
    // Text output goes to stdout; --json keeps stdout to its one object.
    const { failed } = await writeOutputs(flags.json, [{ flag: '--svg', path: flags.svg, what: 'projection', write: () => writeFileAtomic(flags.svg!, svg) }]);
    if (failed) process.exitCode = 1;
  }
  const summary = { which, rows: report.rows, k: report.k, norms: report.norms, cosine: report.cosine, explained: report.pca.explained };
  if (flags.json) {
    console.log(jsonForTerminal(summary));
    return;
  }
  const f = (x: number) => x.toFixed(3);
  console.log(`${report.rows} ${which}, k=${report.k}`);
  console.log(`norms: median ${f(report.norms.median)} (${f(report.norms.min)}..${f(report.norms.max)})`);
  console.log(`cosine of random pairs: median ${f(report.cosine.random.median)}, std ${f(report.cosine.random.std)} (about 1/sqrt(k) = ${f(1 / Math.sqrt(report.k))} for random directions)`);
  console.log(`cosine to the nearest neighbour: median ${f(report.cosine.nearestNeighbour.median)}`);
  console.log(`PCA: the first two components explain ${(100 * report.pca.explained[0]).toFixed(1)}% and ${(100 * report.pca.explained[1]).toFixed(1)}% of the variance`);

}
