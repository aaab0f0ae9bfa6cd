// The js twin of assembly/bfm-blocks.ts: the same loops in the same order. Everything there is
// f64, as JavaScript numbers are, so the two agree bit for bit.
import type { BfmBlock, BfmGroupPrior, F64 } from './types.js';

export function bfmRowSums(b: BfmBlock, k: number): void {
  const rowStart = b.rowStart.array(), rowCols = b.rowCols.array(), rowVals = b.rowVals.array();
  const W = b.W.array(), V = b.V.array(), lin = b.lin.array(), q = b.q.array(), self = b.self.array();
  const rows = b.rowCount;
  for (let r = 0; r < rows; r++) {
    const first = rowStart[r], end = rowStart[r + 1];
    let l = 0;
    for (let t = first; t < end; t++) l += rowVals[t] * W[rowCols[t]];
    lin[r] = l;
    let own = 0;
    for (let f = 0; f < k; f++) {
      let s = 0, ss = 0;
      for (let t = first; t < end; t++) {
        const v = rowVals[t] * V[rowCols[t] * k + f];
        s += v;
        ss += v * v;
      }
      q[f * rows + r] = s;
      own += 0.5 * (s * s - ss);
    }
    self[r] = own;
  }
}

export function bfmPredict(blocks: readonly BfmBlock[], k: number, n: number, w0: number, outH: F64): void {
  const views = blocks.map((b) => ({ rowOf: b.rowOf.array(), q: b.q.array(), lin: b.lin.array(), self: b.self.array(), R: b.rowCount }));
  const out = outH.array();
  for (let t = 0; t < n; t++) {
    let s = w0;
    for (const b of views) {
      const r = b.rowOf[t];
      s += b.lin[r] + b.self[r];
    }
    for (let f = 0; f < k; f++) {
      let qs = 0, qq = 0;
      for (const b of views) {
        const x = b.q[f * b.R + b.rowOf[t]];
        qs += x;
        qq += x * x;
      }
      s += 0.5 * (qs * qs - qq);
    }
    out[t] = s;
  }
}

export function bfmGatherQ(blocks: readonly BfmBlock[], f: number, n: number, qsumH: F64): void {
  const views = blocks.map((b) => ({ rowOf: b.rowOf.array(), q: b.q.array(), R: b.rowCount }));
  const qsum = qsumH.array();
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (const b of views) s += b.q[f * b.R + b.rowOf[t]];
    qsum[t] = s;
  }
}

/** The row caches: 8 numbers a row (card, C, CS, E, EQ, D, Q, unused), as the kernel's cache lines. */
const ROW = 8;

export function bfmDrawLinear(b: BfmBlock, eH: F64, alpha: number, prior: BfmGroupPrior, normalsH: F64, scratch: F64): void {
  const ratingStart = b.ratingStart.array(), slots = b.slots.array(), colStart = b.colStart.array(), colRows = b.colRows.array(), colVals = b.colVals.array();
  const group = b.group.array(), W = b.W.array(), e = eH.array(), muW = prior.muW.array(), lambdaW = prior.lambdaW.array(), normals = normalsH.array();
  const rows = b.rowCount, s = scratch.array();
  for (let r = 0; r < rows; r++) {
    const first = ratingStart[r], end = ratingStart[r + 1];
    let sum = 0;
    for (let t = first; t < end; t++) sum += e[slots[t]];
    s[r * ROW] = end - first;
    s[r * ROW + 3] = sum;
    s[r * ROW + 5] = 0;
  }
  for (let j = 0; j < b.featureCount; j++) {
    const first = colStart[j], end = colStart[j + 1];
    const w = W[j];
    let s2 = 0, se = 0;
    for (let c = first; c < end; c++) {
      const row = colRows[c] * ROW, x = colVals[c];
      s2 += x * x * s[row];
      se += x * s[row + 3];
    }
    const g = group[j];
    const lambda = lambdaW[g];
    const p = alpha * s2 + lambda;
    const mean = (alpha * (se + w * s2) + lambda * muW[g]) / p;
    const w2 = mean + normals[j] / Math.sqrt(p);
    const d = w2 - w;
    for (let c = first; c < end; c++) {
      const row = colRows[c] * ROW, dx = d * colVals[c];
      s[row + 3] = s[row + 3] - dx * s[row];
      s[row + 5] = s[row + 5] + dx;
    }
    W[j] = w2;
  }
  for (let r = 0; r < rows; r++) {
    const first = ratingStart[r], end = ratingStart[r + 1];
    const change = s[r * ROW + 5];
    for (let t = first; t < end; t++) {
      const slot = slots[t];
      e[slot] = e[slot] - change;
    }
  }
}

export function bfmDrawFactor(b: BfmBlock, k: number, f: number, qsumH: F64, eH: F64, alpha: number, prior: BfmGroupPrior, normalsH: F64, scratch: F64): void {
  const ratingStart = b.ratingStart.array(), slots = b.slots.array(), colStart = b.colStart.array(), colRows = b.colRows.array(), colVals = b.colVals.array();
  const group = b.group.array(), V = b.V.array(), q = b.q.array(), qsum = qsumH.array(), e = eH.array();
  const muV = prior.muV.array(), lambdaV = prior.lambdaV.array(), normals = normalsH.array();
  const rows = b.rowCount, s = scratch.array(), qf = f * rows;
  for (let r = 0; r < rows; r++) {
    const first = ratingStart[r], end = ratingStart[r + 1];
    const own = q[qf + r];
    let C = 0, CS = 0, E = 0, EQ = 0;
    for (let t = first; t < end; t++) {
      const slot = slots[t];
      const c = qsum[slot] - own, et = e[slot];
      C += c;
      CS += c * c;
      E += et;
      EQ += et * c;
    }
    const row = r * ROW;
    s[row] = end - first;
    s[row + 1] = C;
    s[row + 2] = CS;
    s[row + 3] = E;
    s[row + 4] = EQ;
    s[row + 5] = 0;
    s[row + 6] = own;
  }
  for (let j = 0; j < b.featureCount; j++) {
    const first = colStart[j], end = colStart[j + 1];
    const v = V[j * k + f];
    let s2 = 0, se = 0;
    for (let c = first; c < end; c++) {
      const row = colRows[c] * ROW, x = colVals[c];
      const a = s[row + 6] - v * x;
      s2 += x * x * (s[row] * a * a + 2 * a * s[row + 1] + s[row + 2]);
      se += x * (a * s[row + 3] + s[row + 4]);
    }
    const g = group[j] * k + f;
    const lambda = lambdaV[g];
    const p = alpha * s2 + lambda;
    const mean = (alpha * (se + v * s2) + lambda * muV[g]) / p;
    const v2 = mean + normals[j] / Math.sqrt(p);
    const d = v2 - v;
    for (let c = first; c < end; c++) {
      const row = colRows[c] * ROW, x = colVals[c];
      const a = s[row + 6] - v * x, dx = d * x, C = s[row + 1];
      s[row + 3] = s[row + 3] - dx * (s[row] * a + C);
      s[row + 4] = s[row + 4] - dx * (a * C + s[row + 2]);
      s[row + 5] = s[row + 5] + dx * a;
      s[row + 6] = s[row + 6] + dx;
    }
    V[j * k + f] = v2;
  }
  for (let r = 0; r < rows; r++) {
    const first = ratingStart[r], end = ratingStart[r + 1];
    const row = r * ROW;
    const own = q[qf + r], dq = s[row + 6] - own, D = s[row + 5];
    for (let t = first; t < end; t++) {
      const slot = slots[t];
      const qs = qsum[slot];
      e[slot] = e[slot] - (dq * (qs - own) + D);
      qsum[slot] = qs + dq;
    }
    q[qf + r] = s[row + 6];
  }
}
