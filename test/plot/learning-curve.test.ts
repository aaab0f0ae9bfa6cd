import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { learningCurveChart } from '../../src/plot/line-chart.js';
import { byClass, findAll, parseXml, polylinePoints, textOf, type XmlElement } from './xml.js';

/** A realistic curve: train RMSE falls from 1.05 towards 0.3; test falls to 0.95 at epoch 20, then rises (overfitting). */
function realisticEpochs(count = 60, offset = 0): Array<{ epoch: number; trainRmse: number; validationRmse: number }> {
  return Array.from({ length: count }, (_, i) => {
    const epoch = i + 1;
    const trainRmse = 0.3 + 0.75 * Math.exp(-(epoch - 1) / 12) + offset;
    const validationRmse = (epoch <= 20 ? 1.05 - (0.1 * (epoch - 1)) / 19 : 0.95 + 0.003 * (epoch - 20)) + offset;
    return { epoch, trainRmse, validationRmse };
  });
}

function seriesByName(root: XmlElement): Map<string, XmlElement> {
  return new Map(byClass(root, 'series').map((g) => [textOf(findAll(g, 'title')[0]!), g]));
}

function tickValues(root: XmlElement, axis: 'x-axis' | 'y-axis'): number[] {
  return findAll(byClass(root, axis)[0]!, 'text').map((t) => Number(textOf(t)));
}

describe('learningCurveChart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latentrec-plot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws "<label> test" solid and "<label> train" dashed in one colour per run', () => {
    const root = parseXml(
      learningCurveChart([
        { label: 'SVD', epochs: realisticEpochs(10) },
        { label: 'SVD++', epochs: realisticEpochs(10, 0.02) },
      ]),
    );
    const legend = byClass(root, 'legend-entry').map((e) => textOf(findAll(e, 'text')[0]!));
    expect(legend).toEqual(['SVD test', 'SVD train', 'SVD++ test', 'SVD++ train']);
    const series = seriesByName(root);
    const poly = (name: string): XmlElement => findAll(series.get(name)!, 'polyline')[0]!;
    expect(poly('SVD test').attrs.stroke).toBe(poly('SVD train').attrs.stroke);
    expect(poly('SVD++ test').attrs.stroke).toBe(poly('SVD++ train').attrs.stroke);
    expect(poly('SVD test').attrs.stroke).not.toBe(poly('SVD++ test').attrs.stroke);
    expect(poly('SVD test').attrs['stroke-dasharray']).toBeUndefined();
    expect(poly('SVD train').attrs['stroke-dasharray']).toMatch(/\d/);
    for (const name of legend) expect(polylinePoints(poly(name)).length).toBe(10);
  });

  it('labels the chart "Learning curve", epoch and RMSE, or uses the given title', () => {
    const runs = [{ label: 'a', epochs: realisticEpochs(5) }];
    const root = parseXml(learningCurveChart(runs));
    expect(textOf(byClass(root, 'title')[0]!)).toBe('Learning curve');
    expect(textOf(byClass(root, 'x-label')[0]!)).toBe('epoch');
    expect(textOf(byClass(root, 'y-label')[0]!)).toBe('RMSE');
    expect(textOf(byClass(parseXml(learningCurveChart(runs, { title: 'MovieLens 100k' })), 'title')[0]!)).toBe('MovieLens 100k');
  });

  it('names the solid line by validationLabel when the scored set is a holdout, not a test set', () => {
    const root = parseXml(learningCurveChart([{ label: 'SVD', epochs: realisticEpochs(5) }], { validationLabel: 'validation' }));
    expect(byClass(root, 'legend-entry').map((e) => textOf(findAll(e, 'text')[0]!))).toEqual(['SVD validation', 'SVD train']);
  });

  it('fits the y axis to the RMSE values instead of starting at 0, with whole-epoch x ticks', () => {
    const root = parseXml(learningCurveChart([{ label: 'a', epochs: realisticEpochs(60) }]));
    const y = tickValues(root, 'y-axis');
    expect(y[0]).toBeGreaterThan(0);
    expect(y[0]).toBeLessThanOrEqual(0.3);
    expect(y.at(-1)).toBeGreaterThanOrEqual(1.05);
    expect(y.at(-1)).toBeLessThan(1.5);
    const x = tickValues(root, 'x-axis');
    expect(x.every(Number.isInteger)).toBe(true);
    expect(x[0]).toBeLessThanOrEqual(1);
    expect(x.at(-1)).toBeGreaterThanOrEqual(60);
    const narrow = tickValues(parseXml(learningCurveChart([{ label: 'b', epochs: realisticEpochs(3) }])), 'x-axis');
    expect(narrow.every(Number.isInteger)).toBe(true);
  });

  it('omits the test line for a run without validation RMSE and joins the epochs that have one', () => {
    const epochs = realisticEpochs(10).map((e) => ({
      epoch: e.epoch,
      trainRmse: e.trainRmse,
      ...(e.epoch % 3 === 0 ? { validationRmse: e.validationRmse } : {}),
    }));
    const root = parseXml(
      learningCurveChart([
        { label: 'no-val', epochs: epochs.map(({ epoch, trainRmse }) => ({ epoch, trainRmse })) },
        { label: 'some-val', epochs },
      ]),
    );
    const series = seriesByName(root);
    expect([...series.keys()]).toEqual(['no-val train', 'some-val test', 'some-val train']);
    expect(polylinePoints(findAll(series.get('some-val test')!, 'polyline')[0]!).length).toBe(3);
  });

  it('shows a diverged epoch (NaN) as a gap', () => {
    const epochs = realisticEpochs(8).map((e) => (e.epoch === 5 ? { ...e, trainRmse: NaN, validationRmse: NaN } : e));
    const svg = learningCurveChart([{ label: 'x', epochs }]);
    expect(svg).not.toMatch(/NaN/);
    const series = seriesByName(parseXml(svg));
    for (const name of ['x test', 'x train']) {
      expect(findAll(series.get(name)!, 'polyline').map((p) => polylinePoints(p).length)).toEqual([4, 3]);
    }
  });

  it('escapes run labels', () => {
    const svg = learningCurveChart([{ label: '<b>&"x"', epochs: realisticEpochs(3) }]);
    expect(svg).not.toContain('<b>');
    expect([...seriesByName(parseXml(svg)).keys()]).toEqual(['<b>&"x" test', '<b>&"x" train']);
  });

  it('refuses no runs, or runs without epochs', () => {
    expect(() => learningCurveChart([])).toThrow(/no runs to plot/);
    expect(() => learningCurveChart([{ label: 'a', epochs: [] }])).toThrow(/nothing to plot/);
  });

  it('writes a realistic 60-epoch, 3-run chart to a reasonably small file', () => {
    const runs = [0, 0.02, 0.04].map((offset, i) => ({ label: `run ${i + 1}`, epochs: realisticEpochs(60, offset) }));
    const svg = learningCurveChart(runs, { title: 'SVD on MovieLens 100k' });
    const file = join(dir, 'learning-curve.svg');
    writeFileSync(file, svg, 'utf8');
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(2_000);
    expect(size).toBeLessThan(200 * 1024);
    const root = parseXml(readFileSync(file, 'utf8'));
    const series = byClass(root, 'series');
    expect(series.length).toBe(6);
    for (const g of series) {
      const polys = findAll(g, 'polyline');
      expect(polys.length).toBe(1);
      expect(polylinePoints(polys[0]!).length).toBe(60);
    }
    expect(learningCurveChart(runs, { title: 'SVD on MovieLens 100k' })).toBe(svg);
  });
});
