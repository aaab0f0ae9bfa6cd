// The pure-TypeScript twin of assembly/: the same loops in the same order of operations, with
// Math.fround after every f32 operation, so it agrees with the wasm kernels to float tolerance
// (often bit for bit). Dot products keep four lane partial sums, folded ((l0+l1)+l2)+l3.
import { dot } from './js-vector.js';
import { hybridBlocks, hybridEpoch } from './js-hybrid.js';
import { swapRatings } from './swap-ratings.js';
import { topK } from '../util/top-k.js';
import { BinDraws, xorshift32 } from './js-bin-draws.js';
import * as blocks from './js-bfm-blocks.js';
import * as ease from './js-ease.js';
import { alsExactRows } from './js-ials.js';
import { CG_ROWS_PER_CALL, orderRanges, SVDPP_USERS_PER_CALL, workRanges, type RowRange } from './row-ranges.js';
import type { BlockGrid, BlockSchedule } from './block-grid.js';
import type { BfmBlock, BfmGroupPrior, BfmPrior, BfmSide, BiasedRates, BprSampler, Engine, ExactRowSolve, F32, F64, FactorBlock, FeatureSide, Handle, HybridBlockPass, HybridPass, RatingsBlock, SparseRows, SvdppRates, U32, UserGroups } from './types.js';

const f = Math.fround;

class ArrayHandle<T extends Float32Array | Uint32Array | Float64Array> implements Handle<T> {
  constructor(private readonly data: T) {}
  get length(): number {
    return this.data.length;
  }
  array(): T {
    return this.data;
  }
}

function updatePair(
  P: Float32Array, pu: number, Q: Float32Array, qi: number, stride: number,
  e: number, lrP: number, regP: number, lrQ: number, regQ: number,
): void {
  for (let k = 0; k < stride; k++) {
    const p = P[pu + k];
    const q = Q[qi + k];
    P[pu + k] = f(p + f(lrP * f(f(e * q) - f(regP * p))));
    Q[qi + k] = f(q + f(lrQ * f(f(e * p) - f(regQ * q))));
  }
}

/** q . (p + z) with dot()'s lane order. */
function dotSum(Q: Float32Array, qi: number, P: Float32Array, pu: number, Z: Float32Array, stride: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < stride; k += 4) {
    s0 = f(s0 + f(Q[qi + k] * f(P[pu + k] + Z[k])));
    s1 = f(s1 + f(Q[qi + k + 1] * f(P[pu + k + 1] + Z[k + 1])));
    s2 = f(s2 + f(Q[qi + k + 2] * f(P[pu + k + 2] + Z[k + 2])));
    s3 = f(s3 + f(Q[qi + k + 3] * f(P[pu + k + 3] + Z[k + 3])));
  }
  return f(f(f(s0 + s1) + s2) + s3);
}

/** y <- y d + x over one row. */
function scaleAdd(Y: Float32Array, y: number, d: number, X: Float32Array, x: number, stride: number): void {
  for (let k = 0; k < stride; k++) Y[y + k] = f(f(Y[y + k] * d) + X[x + k]);
}

/** out = |I|^-1/2 sum_{j in I} Y_j over rows first..end of items (zeros when empty). */
function implicitMean(out: Float32Array, o: number, Y: Float32Array, items: Uint32Array, first: number, end: number, stride: number): void {
  out.fill(0, o, o + stride);
  for (let t = first; t < end; t++) scaleAdd(out, o, 1, Y, items[t] * stride, stride);
  if (end > first) {
    const inv = f(1 / f(Math.sqrt(end - first)));
    for (let k = 0; k < stride; k++) out[o + k] = f(out[o + k] * inv);
  }
}

/** o[at + i] = base + bi[i] + p_user . q_i for every item (assembly/score.ts scoreItems). */
function scoreRow(fb: FactorBlock, user: number, base: number, itemCount: number, o: Float32Array, at: number): void {
  const P = fb.P.array(), Q = fb.Q.array(), bi = fb.bi.array();
  const stride = fb.stride, b = f(base), pu = user * stride;
  for (let i = 0; i < itemCount; i++) o[at + i] = f(f(b + bi[i]) + dot(P, pu, Q, i * stride, stride));
}

export class JsEngine implements Engine {
  readonly name = 'js' as const;
  readonly variant = 'js' as const;
  readonly threads = 1;
  /** `note`: why this engine runs instead of wasm (see EngineChoice 'auto'). */
  constructor(readonly note?: string) {}
  dispose(): void {}

  allocF32(length: number): F32 {
    return new ArrayHandle(new Float32Array(length));
  }
  allocU32(length: number): U32 {
    return new ArrayHandle(new Uint32Array(length));
  }
  allocF64(length: number): F64 {
    return new ArrayHandle(new Float64Array(length));
  }
  // Plain arrays are collected by the garbage collector.
  mark(): number {
    return 0;
  }
  release(): void {}

  sgdEpochBiased(r: RatingsBlock, fb: FactorBlock, x: BiasedRates, first = 0, count = r.count): number {
    const users = r.users.array(), items = r.items.array(), values = r.values.array();
    const P = fb.P.array(), Q = fb.Q.array(), bu = fb.bu.array(), bi = fb.bi.array();
    const stride = fb.stride;
    const mu = f(x.mu), lrBu = f(x.lrBu), lrBi = f(x.lrBi), lrPu = f(x.lrPu), lrQi = f(x.lrQi);
    const regBu = f(x.regBu), regBi = f(x.regBi), regPu = f(x.regPu), regQi = f(x.regQi);
    let sse = 0;
    for (let t = first; t < first + count; t++) {
      const u = users[t], i = items[t];
      const pu = u * stride, qi = i * stride;
      const bU = bu[u], bI = bi[i];
      const e = f(values[t] - f(f(f(mu + bU) + bI) + dot(P, pu, Q, qi, stride)));
      sse += e * e;
      bu[u] = f(bU + f(lrBu * f(e - f(regBu * bU))));
      bi[i] = f(bI + f(lrBi * f(e - f(regBi * bI))));
      updatePair(P, pu, Q, qi, stride, e, lrPu, regPu, lrQi, regQi);
    }
    return sse;
  }

  sgdEpochPlain(r: RatingsBlock, fb: FactorBlock, x: BiasedRates, first = 0, count = r.count): number {
    const users = r.users.array(), items = r.items.array(), values = r.values.array();
    const P = fb.P.array(), Q = fb.Q.array();
    const stride = fb.stride;
    const lrPu = f(x.lrPu), lrQi = f(x.lrQi), regPu = f(x.regPu), regQi = f(x.regQi);
    let sse = 0;
    for (let t = first; t < first + count; t++) {
      const pu = users[t] * stride, qi = items[t] * stride;
      const e = f(values[t] - dot(P, pu, Q, qi, stride));
      sse += e * e;
      updatePair(P, pu, Q, qi, stride, e, lrPu, regPu, lrQi, regQi);
    }
    return sse;
  }

  shuffleRatings(r: RatingsBlock, first: number, count: number, seed: number): void {
    const users = r.users.array(), items = r.items.array(), values = r.values.array();
    let x = seed >>> 0 !== 0 ? seed >>> 0 : 0x9e3779b9;
    for (let t = count - 1; t > 0; t--) {
      x = xorshift32(x);
      swapRatings(users, items, values, first + t, first + (x % (t + 1)));
    }
  }

  sgdBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, fb: FactorBlock, x: BiasedRates, biased: boolean): number {
    let sse = 0;
    for (let e = 0; e < plan.blocks.length; e++) {
      const b = plan.blocks[e], first = grid.start[b], count = grid.start[b + 1] - first;
      this.shuffleRatings(r, first, count, plan.seeds[e]);
      sse += biased ? this.sgdEpochBiased(r, fb, x, first, count) : this.sgdEpochPlain(r, fb, x, first, count);
    }
    return sse;
  }

  sgdEpochSvdpp(g: UserGroups, fb: FactorBlock, Yh: F32, zh: F32, acch: F32, x: SvdppRates): number {
    const order = g.order.array(), start = g.start.array(), items = g.items.array(), values = g.values.array();
    const P = fb.P.array(), Q = fb.Q.array(), bu = fb.bu.array(), bi = fb.bi.array(), Y = Yh.array();
    const z = zh.array(), acc = acch.array();
    const stride = fb.stride;
    const mu = f(x.mu), lrBu = f(x.lrBu), lrBi = f(x.lrBi), lrPu = f(x.lrPu), lrQi = f(x.lrQi), lrYj = f(x.lrYj);
    const regBu = f(x.regBu), regBi = f(x.regBi), regPu = f(x.regPu), regQi = f(x.regQi), regYj = f(x.regYj);
    const decay = f(1 - f(lrYj * regYj));
    let sse = 0, rangeSse = 0;
    // Each range's sum apart, added in range order, as the wasm engine's calls return them.
    const ends = new Set(orderRanges(order.subarray(0, g.count), start, SVDPP_USERS_PER_CALL).map(([, end]) => end));
    for (let k = 0; k < g.count; k++) {
      if (ends.has(k)) {
        sse += rangeSse;
        rangeSse = 0;
      }
      const u = order[k];
      const first = start[u], end = start[u + 1];
      if (end === first) continue;
      const invSqrt = f(1 / f(Math.sqrt(end - first)));
      implicitMean(z, 0, Y, items, first, end, stride);
      acc.fill(0, 0, stride);
      const pu = u * stride;
      let total = 1;
      for (let t = first; t < end; t++) {
        const i = items[t], qi = i * stride;
        const bU = bu[u], bI = bi[i];
        const e = f(values[t] - f(f(f(mu + bU) + bI) + dotSum(Q, qi, P, pu, z, stride)));
        rangeSse += e * e;
        bu[u] = f(bU + f(lrBu * f(e - f(regBu * bU))));
        bi[i] = f(bI + f(lrBi * f(e - f(regBi * bI))));
        const g1 = f(lrYj * e), gs = f(g1 * invSqrt);
        for (let c = 0; c < stride; c++) {
          const vp = P[pu + c], vq = Q[qi + c], vz = z[c], va = acc[c];
          P[pu + c] = f(vp + f(lrPu * f(f(e * vq) - f(regPu * vp))));
          Q[qi + c] = f(vq + f(lrQi * f(f(e * f(vp + vz)) - f(regQi * vq))));
          z[c] = f(f(vz * decay) + f(g1 * vq));
          acc[c] = f(f(va * decay) + f(gs * vq));
        }
        total = f(total * decay);
      }
      for (let t = first; t < end; t++) scaleAdd(Y, items[t] * stride, total, acc, 0, stride);
    }
    return sse + rangeSse;
  }

  sgdEpochBpr(usersH: U32, posH: U32, negH: U32, count: number, fb: FactorBlock, lrIn: number, regIn: number, regBiasIn: number): number {
    return this.bprPass(usersH.array(), posH.array(), negH.array(), 0, count, fb, lrIn, regIn, regBiasIn);
  }

  bprBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, negH: U32, sampler: BprSampler, fb: FactorBlock, lr: number, reg: number, regBias: number): number {
    const users = r.users.array(), items = r.items.array(), neg = negH.array();
    const binItems = sampler.binItems.array(), binStart = sampler.binStart.array(), itemBin = sampler.itemBin.array();
    const seenStart = sampler.seenStart.array(), seenItems = sampler.seenItems.array();
    let correct = 0;
    for (let e = 0; e < plan.blocks.length; e++) {
      const b = plan.blocks[e], first = grid.start[b], end = grid.start[b + 1], seed = plan.seeds[e];
      this.shuffleRatings(r, first, end - first, seed);
      const draws = new BinDraws(seed);
      for (let t = first; t < end; t++) {
        const bin = itemBin[items[t]], lo = binStart[bin];
        neg[t] = draws.negative(binItems, lo, binStart[bin + 1] - lo, sampler.verify, seenStart, seenItems, users[t]);
      }
      correct += this.bprPass(users, items, neg, first, end - first, fb, lr, reg, regBias);
    }
    return correct;
  }

  /** One BPR pass over triples first .. first+count (assembly/bpr.ts sgdEpochBpr). */
  private bprPass(users: Uint32Array, pos: Uint32Array, neg: Uint32Array, first: number, count: number, fb: FactorBlock, lrIn: number, regIn: number, regBiasIn: number): number {
    const P = fb.P.array(), Q = fb.Q.array(), bi = fb.bi.array(), stride = fb.stride;
    const lr = f(lrIn), reg = f(regIn), regBias = f(regBiasIn);
    let correct = 0;
    for (let t = first; t < first + count; t++) {
      const pu = users[t] * stride, i = pos[t], j = neg[t], qi = i * stride, qj = j * stride;
      const bI = bi[i], bJ = bi[j];
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < stride; k += 4) {
        s0 = f(s0 + f(P[pu + k] * f(Q[qi + k] - Q[qj + k])));
        s1 = f(s1 + f(P[pu + k + 1] * f(Q[qi + k + 1] - Q[qj + k + 1])));
        s2 = f(s2 + f(P[pu + k + 2] * f(Q[qi + k + 2] - Q[qj + k + 2])));
        s3 = f(s3 + f(P[pu + k + 3] * f(Q[qi + k + 3] - Q[qj + k + 3])));
      }
      const x = f(f(bI - bJ) + f(f(f(s0 + s1) + s2) + s3));
      if (x > 0) correct++;
      const g = f(1 / f(1 + f(Math.exp(x))));
      bi[i] = f(bI + f(lr * f(g - f(regBias * bI))));
      bi[j] = f(bJ + f(lr * f(-g - f(regBias * bJ))));
      for (let k = 0; k < stride; k++) {
        const vp = P[pu + k], vi = Q[qi + k], vj = Q[qj + k];
        P[pu + k] = f(vp + f(lr * f(f(g * f(vi - vj)) - f(reg * vp))));
        Q[qi + k] = f(vi + f(lr * f(f(g * vp) - f(reg * vi))));
        Q[qj + k] = f(vj + f(lr * f(-f(g * vp) - f(reg * vj))));
      }
    }
    return correct;
  }

  alsSolveRows(a: SparseRows, Xh: F32, Yh: F32, Gh: F32, stride: number, k: number, alphaIn: number, lambdaIn: number, steps: number, rh: F32, ph: F32, aph: F32): number {
    const start = a.start.array(), cols = a.cols.array(), vals = a.vals.array();
    const X = Xh.array(), Y = Yh.array(), G = Gh.array(), r = rh.array(), p = ph.array(), ap = aph.array();
    const alpha = f(alphaIn), lambda = f(lambdaIn);
    const axpy = (dst: Float32Array, d: number, s: number, src: Float32Array, o: number) => {
      for (let c = 0; c < stride; c++) dst[d + c] = f(dst[d + c] + f(s * src[o + c]));
    };
    const times = (out: Float32Array, v: Float32Array, vo: number) => {
      out.fill(0, 0, stride);
      for (let q = 0; q < k; q++) out[q] = dot(G, q * stride, v, vo, stride);
    };
    // The wasm engine solves a range of rows a call and adds the calls' sums: the same grouping.
    const ranges = workRanges(start, 0, a.rowCount, k / 2, CG_ROWS_PER_CALL);
    let residual = 0, chunk = 0, range = 0;
    for (let row = 0; row < a.rowCount; row++) {
      if (range < ranges.length && row === ranges[range][0]) {
        residual += chunk;
        chunk = 0;
        range++;
      }
      const x = row * stride;
      times(ap, X, x);
      axpy(ap, 0, lambda, X, x);
      r.fill(0, 0, stride);
      for (let t = start[row]; t < start[row + 1]; t++) {
        const y = cols[t] * stride, c = f(1 + f(alpha * vals[t]));
        axpy(r, 0, f(c - f(f(c - 1) * dot(Y, y, X, x, stride))), Y, y);
      }
      axpy(r, 0, -1, ap, 0);
      p.set(r.subarray(0, stride));
      let rsOld = dot(r, 0, r, 0, stride);
      for (let it = 0; it < steps; it++) {
        if (rsOld < 1e-20) break;
        times(ap, p, 0);
        axpy(ap, 0, lambda, p, 0);
        for (let t = start[row]; t < start[row + 1]; t++) {
          const y = cols[t] * stride, c = f(1 + f(alpha * vals[t]));
          axpy(ap, 0, f(f(c - 1) * dot(Y, y, p, 0, stride)), Y, y);
        }
        const step = f(rsOld / dot(p, 0, ap, 0, stride));
        axpy(X, x, step, p, 0);
        axpy(r, 0, -step, ap, 0);
        const rsNew = dot(r, 0, r, 0, stride);
        const beta = f(rsNew / rsOld);
        for (let c = 0; c < stride; c++) p[c] = f(f(p[c] * beta) + r[c]);
        rsOld = rsNew;
      }
      chunk += rsOld;
    }
    return residual + chunk;
  }

  hybridEpoch(pass: HybridPass, user: FeatureSide, item: FeatureSide, stride: number): number {
    return hybridEpoch(pass, user, item, stride);
  }

  hybridBlocks(r: RatingsBlock, grid: BlockGrid, plan: BlockSchedule, pass: HybridBlockPass, user: FeatureSide, item: FeatureSide, stride: number): number {
    return hybridBlocks(r, grid, plan, pass, user, item, stride, (first, count, seed) => this.shuffleRatings(r, first, count, seed));
  }

  /** assembly/bfm.ts, operation for operation (sums of f32 in the kernel's lane order; posterior arithmetic in f64). */
  bfmSampleRows(side: BfmSide, Voh: F32, stride: number, k: number, eh: F32, alphaIn: number, prior: BfmPrior, normalsH: F32, hh: F32, ebh: F32): void {
    const start = side.start.array(), cols = side.cols.array(), slots = side.slots.array();
    const W = side.W.array(), V = side.V.array(), Vo = Voh.array(), e = eh.array();
    const muV = prior.muV.array(), lambdaV = prior.lambdaV.array(), normals = normalsH.array(), h = hh.array(), eb = ebh.array();
    const alpha = alphaIn, muW = prior.muW, lambdaW = prior.lambdaW;
    for (let row = 0; row < side.rowCount; row++) {
      const first = start[row];
      const n = start[row + 1] - first;
      const n4 = Math.ceil(n / 4) * 4;
      const z = row * (k + 1);
      const v = row * stride;
      for (let t = 0; t < n4; t++) {
        if (t < n) {
          const o = cols[first + t] * stride;
          eb[t] = e[slots[first + t]];
          for (let c = 0; c < k; c++) h[c * n4 + t] = Vo[o + c];
        } else {
          eb[t] = 0;
          for (let c = 0; c < k; c++) h[c * n4 + t] = 0;
        }
      }
      const w = W[row];
      let sumE = 0;
      for (let t = 0; t < n; t++) sumE = f(sumE + eb[t]);
      const pw = alpha * n + lambdaW;
      const mw = (alpha * (sumE + n * w) + lambdaW * muW) / pw;
      const w2 = f(mw + normals[z] / Math.sqrt(pw));
      const dw = f(w - w2);
      for (let t = 0; t < n; t++) eb[t] = f(eb[t] + dw);
      W[row] = w2;
      for (let c = 0; c < k; c++) {
        const hf = c * n4;
        const vf = V[v + c];
        const s2 = dot(h, hf, h, hf, n4);
        const se = dot(eb, 0, h, hf, n4);
        const lambda = lambdaV[c];
        const p = alpha * s2 + lambda;
        const m = (alpha * (se + vf * s2) + lambda * muV[c]) / p;
        const v2 = f(m + normals[z + 1 + c] / Math.sqrt(p));
        const d = f(vf - v2);
        for (let t = 0; t < n4; t++) eb[t] = f(eb[t] + f(d * h[hf + t]));
        V[v + c] = v2;
      }
      for (let t = 0; t < n; t++) e[slots[first + t]] = eb[t];
    }
  }

  alsExactRows(s: ExactRowSolve, X: F32, Y: F32, gram: F32, stride: number, k: number, lambdas: F64, A: F64, h: F64, b: F64): number {
    return alsExactRows(s, X, Y, gram, stride, k, lambdas, A, h, b);
  }
  easeGram(start: U32, cols: U32, users: number, A: F64, m: number, ranges: readonly RowRange[]): void {
    for (const [first, end] of ranges) ease.easeGram(start, cols, users, A, m, first, end);
  }
  choleskyLower(A: F64, m: number, from: number, to: number, ranges: readonly RowRange[]): number {
    for (const [first, end] of ranges) {
      const failed = ease.choleskyLower(A, first, end, m, from, to);
      if (failed !== 0) return failed;
    }
    return 0;
  }
  invertLower(A: F64, m: number, from: number, to: number, ranges: readonly RowRange[], tmp: F64): void {
    for (const [first, end] of ranges) ease.invertLower(A, first, end, m, tmp, from, to);
  }
  invertLowerRows(A: F64, m: number, to: number, ranges: readonly RowRange[], tmp: F64): void {
    // Row by row: each element's terms in the kernel's order (increasing k).
    for (const [first, end] of ranges) ease.invertLower(A, first, end, m, tmp, 0, to);
  }
  lowerGramRows(A: F64, m: number, W: F64, a: number, b: number, ranges: readonly RowRange[]): void {
    for (const [first, end] of ranges) ease.lowerGramRows(A, first, end, m, W, a, b);
  }
  lowerGramPanel(A: F64, a: number, b: number, m: number, W: F64): void {
    ease.lowerGramPanel(A, a, b, m, W);
  }
  easeWeights(A: F64, n: number, m: number, B: F32, s: number, ranges: readonly RowRange[]): void {
    for (const [first, end] of ranges) ease.easeWeights(A, n, m, B, s, first, end);
  }
  sumRows(B: F32, s: number, rows: U32, count: number, out: F32): void {
    ease.sumRows(B, s, rows, count, out);
  }
  bfmRowSums(b: BfmBlock, k: number): void {
    blocks.bfmRowSums(b, k);
  }
  bfmPredict(bs: readonly BfmBlock[], k: number, n: number, w0: number, out: F64): void {
    blocks.bfmPredict(bs, k, n, w0, out);
  }
  bfmGatherQ(bs: readonly BfmBlock[], f: number, n: number, qsum: F64): void {
    blocks.bfmGatherQ(bs, f, n, qsum);
  }
  bfmDrawLinear(b: BfmBlock, e: F64, alpha: number, prior: BfmGroupPrior, normals: F64, scratch: F64): void {
    blocks.bfmDrawLinear(b, e, alpha, prior, normals, scratch);
  }
  bfmDrawFactor(b: BfmBlock, k: number, f: number, qsum: F64, e: F64, alpha: number, prior: BfmGroupPrior, normals: F64, scratch: F64): void {
    blocks.bfmDrawFactor(b, k, f, qsum, e, alpha, prior, normals, scratch);
  }

  gramian(Yh: F32, rows: number, stride: number, k: number, Gh: F32): void {
    const Y = Yh.array(), G = Gh.array();
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < k; q++) {
        const s = Y[r * stride + q];
        for (let c = 0; c < stride; c++) G[q * stride + c] = f(G[q * stride + c] + f(s * Y[r * stride + c]));
      }
    }
  }

  implicitUserFactors(userCount: number, start: U32, items: U32, P: F32, Y: F32, stride: number, out: F32): void {
    const s = start.array(), it = items.array(), p = P.array(), y = Y.array(), o = out.array();
    for (let u = 0; u < userCount; u++) {
      implicitMean(o, u * stride, y, it, s[u], s[u + 1], stride);
      scaleAdd(o, u * stride, 1, p, u * stride, stride);
    }
  }

  sparseTimesDense(a: SparseRows, Xh: F32, Yh: F32, stride: number): void {
    const start = a.start.array(), cols = a.cols.array(), vals = a.vals.array(), X = Xh.array(), Y = Yh.array();
    for (let r = 0; r < a.rowCount; r++) {
      const y = r * stride;
      Y.fill(0, y, y + stride);
      for (let t = start[r]; t < start[r + 1]; t++) {
        const v = vals[t], x = cols[t] * stride;
        for (let k = 0; k < stride; k++) Y[y + k] = f(Y[y + k] + f(v * X[x + k]));
      }
    }
  }

  sparseTransposeTimesDense(a: SparseRows, Yh: F32, Zh: F32, stride: number): void {
    const start = a.start.array(), cols = a.cols.array(), vals = a.vals.array(), Y = Yh.array(), Z = Zh.array();
    Z.fill(0);
    for (let r = 0; r < a.rowCount; r++) {
      const y = r * stride;
      for (let t = start[r]; t < start[r + 1]; t++) {
        const v = vals[t], z = cols[t] * stride;
        for (let k = 0; k < stride; k++) Z[z + k] = f(Z[z + k] + f(v * Y[y + k]));
      }
    }
  }

  predictPairs(users: U32, items: U32, count: number, fb: FactorBlock, mu: number, lo: number, hi: number, out: F32): void {
    const us = users.array(), is = items.array(), o = out.array();
    const P = fb.P.array(), Q = fb.Q.array(), bu = fb.bu.array(), bi = fb.bi.array();
    const stride = fb.stride;
    const m = f(mu), l = f(lo), h = f(hi);
    for (let t = 0; t < count; t++) {
      const u = us[t], i = is[t];
      const est = f(f(f(m + bu[u]) + bi[i]) + dot(P, u * stride, Q, i * stride, stride));
      o[t] = Math.min(h, Math.max(l, est));
    }
  }

  dotRows(Mh: F32, row: number, rowCount: number, stride: number, out: F32): void {
    const M = Mh.array(), o = out.array(), x = row * stride;
    for (let r = 0; r < rowCount; r++) o[r] = dot(M, x, M, r * stride, stride);
  }

  scoreItems(user: number, fb: FactorBlock, itemCount: number, base: number, out: F32): void {
    scoreRow(fb, user, base, itemCount, out.array(), 0);
  }

  rowCounts(rowH: F32, n: number, thresholdsH: F32, m: number, belowH: U32, equalH: U32): number {
    const row = rowH.array(), thresholds = thresholdsH.array(), below = belowH.array(), equal = equalH.array();
    let nan = 0;
    for (let i = 0; i < n; i++) if (row[i] !== row[i]) nan++;
    for (let j = 0; j < m; j++) {
      const t = thresholds[j];
      let lt = 0, eq = 0;
      for (let i = 0; i < n; i++) {
        lt += +(row[i] < t);
        eq += +(row[i] === t);
      }
      below[j] = lt;
      equal[j] = eq;
    }
    return nan;
  }

  rowTop(rowH: F32, n: number, maskH: U32, k: number, heapH: U32): number {
    const row = rowH.array().subarray(0, n), m = maskH.array(), mask = new Uint8Array(m.buffer, m.byteOffset, n);
    const top = topK(row, k, (i) => mask[i] === 0);
    heapH.array().set(top);
    return top.length;
  }

  scoreUsers(usersH: U32, count: number, fb: FactorBlock, basesH: F32, itemCount: number, out: F32): void {
    const users = usersH.array(), bases = basesH.array(), o = out.array();
    for (let t = 0; t < count; t++) scoreRow(fb, users[t], bases[t], itemCount, o, t * itemCount);
  }
}
