// The live learning curve: the package's learningCurveChart draws the SVG; it is parsed as an SVG
// document (never assigned as HTML) and its root adopted into the page.
import { learningCurveChart } from 'latentrec';
import type { EpochPoint } from './worker-protocol.js';

const parser = new DOMParser();

export function drawCurve(container: HTMLElement, points: readonly EpochPoint[]): void {
  if (points.length === 0) {
    container.replaceChildren();
    return;
  }
  const svgText = learningCurveChart([{ label: 'SVD', epochs: points }], { title: 'RMSE per epoch', validationLabel: 'validation' });
  const doc = parser.parseFromString(svgText, 'image/svg+xml');
  if (doc.querySelector('parsererror') || doc.documentElement.localName !== 'svg') throw new Error('learningCurveChart returned SVG the browser cannot parse');
  container.replaceChildren(document.importNode(doc.documentElement, true));
}
