// Bayesian factorization machine with relation blocks (Rendle 2013, "Scaling Factorization
// Machines to Relational Data"): every rating t points at one row of each block (its user's row
// of the user block, its item's row of the item block), and a block row is a sparse vector of
// features x (the user id, the bag of items the user rated, the user's attributes). A block's
// features are shared by all ratings of its rows, so these kernels cost O(ratings + block entries)
// per pass, never O(ratings x bag size).
//
// The model, per rating t with block rows r_b = rowOf_b[t]:
//   ŷ_t = w0 + Σ_b lin_b[r_b] + Σ_f ½ [(Σ_b q_bf[r_b])² − Σ_b Σ_j x_j² v_jf²]
//   lin_b[r] = Σ_j x_rj w_j,   q_bf[r] = Σ_j x_rj v_jf   (j over row r's entries of block b)
// Residuals e_t = y_t − ŷ_t. Everything here is f64 (the host's numbers, so the js twin is exact).
//
// Layouts (f64 unless said): W[F], V[F][k] (row-major), q[k][R] (factor-major: one factor's
// column is contiguous, which the per-factor passes read), lin[R], self[R] (Σ_f ½(q² − Σ x²v²)),
// the ratings of each row (ratingStart u32[R+1] into slots u32[n]: each rating's index), rows by
// CSR (rowStart u32[R+1], rowCols u32, rowVals) and features by CSC (colStart u32[F+1], colRows
// u32, colVals), group u32[F], priors muW/lambdaW[G],
// muV/lambdaV[G][k]. A block table (bfmPredict, bfmGatherQ) holds per block 5 u32:
// rowOf, q, lin, self, R.

// @ts-ignore: decorator
@inline const TABLE_BYTES: usize = 20;

// @ts-ignore: decorator
@inline function f64At(base: usize, i: usize): f64 {
  return load<f64>(base + (i << 3));
}
// @ts-ignore: decorator
@inline function f64Put(base: usize, i: usize, x: f64): void {
  store<f64>(base + (i << 3), x);
}
// @ts-ignore: decorator
@inline function u32At(base: usize, i: usize): usize {
  return <usize>load<u32>(base + (i << 2));
}

/** lin, q and self of every row of a block from its CSR entries. */
export function bfmRowSums(
  rowStart: usize, rowCols: usize, rowVals: usize, R: i32, W: usize, V: usize, k: i32,
  lin: usize, q: usize, self: usize
): void {
  const rows = <usize>R, kk = <usize>k;
  for (let r: usize = 0; r < rows; r++) {
    const first = u32At(rowStart, r), end = u32At(rowStart, r + 1);
    let l: f64 = 0;
    for (let t = first; t < end; t++) l += f64At(rowVals, t) * f64At(W, u32At(rowCols, t));
    f64Put(lin, r, l);
    let own: f64 = 0;
    for (let f: usize = 0; f < kk; f++) {
      let s: f64 = 0, ss: f64 = 0;
      for (let t = first; t < end; t++) {
        const v = f64At(rowVals, t) * f64At(V, u32At(rowCols, t) * kk + f);
        s += v;
        ss += v * v;
      }
      f64Put(q, f * rows + r, s);
      own += 0.5 * (s * s - ss);
    }
    f64Put(self, r, own);
  }
}

/** out[t] = ŷ_t for every rating, from the blocks' row sums (see the top of the file). */
export function bfmPredict(table: usize, blocks: i32, k: i32, n: i32, w0: f64, out: usize): void {
  const B = <usize>blocks, kk = <usize>k;
  for (let t: usize = 0; t < <usize>n; t++) {
    let s = w0;
    for (let b: usize = 0; b < B; b++) {
      const entry = table + b * TABLE_BYTES;
      const r = u32At(<usize>load<u32>(entry), t);
      s += f64At(<usize>load<u32>(entry, 8), r) + f64At(<usize>load<u32>(entry, 12), r);
    }
    for (let f: usize = 0; f < kk; f++) {
      let qs: f64 = 0, qq: f64 = 0;
      for (let b: usize = 0; b < B; b++) {
        const entry = table + b * TABLE_BYTES;
        const R = <usize>load<u32>(entry, 16);
        const x = f64At(<usize>load<u32>(entry, 4), f * R + u32At(<usize>load<u32>(entry), t));
        qs += x;
        qq += x * x;
      }
      s += 0.5 * (qs * qs - qq);
    }
    f64Put(out, t, s);
  }
}

/** qsum[t] = Σ_b q_bf[r_b] for factor f: each rating's whole q for that factor. */
export function bfmGatherQ(table: usize, blocks: i32, f: i32, n: i32, qsum: usize): void {
  const B = <usize>blocks;
  for (let t: usize = 0; t < <usize>n; t++) {
    let s: f64 = 0;
    for (let b: usize = 0; b < B; b++) {
      const entry = table + b * TABLE_BYTES;
      const R = <usize>load<u32>(entry, 16);
      s += f64At(<usize>load<u32>(entry, 4), <usize>f * R + u32At(<usize>load<u32>(entry), t));
    }
    f64Put(qsum, t, s);
  }
}

// Per-row caches of the draws, one cache line per row (f64 [R][8]): card, C, CS, E, EQ, D, Q, unused.
// @ts-ignore: decorator
@inline const ROW_BYTES: usize = 64;

/**
 * Every linear term w_j of one block from its conditional, one after the other: with E_r the sum
 * of row r's residuals, precision P = α Σ_r x² card_r + λ, mean (α (Σ_r x E_r + w Σ_r x² card_r)
 * + λ μ) / P, w' = mean + z_j / √P. Row r's ratings are slots[ratingStart[r] .. ratingStart[r+1]);
 * scratch: the row caches (E at 3, the row's change of lin at 5), then the residuals follow.
 */
export function bfmDrawLinear(
  ratingStart: usize, slots: usize, R: i32, colStart: usize, colRows: usize, colVals: usize, F: i32, group: usize,
  W: usize, e: usize, alpha: f64, muW: usize, lambdaW: usize, normals: usize, scratch: usize
): void {
  const rows = <usize>R;
  for (let r: usize = 0; r < rows; r++) {
    const first = u32At(ratingStart, r), end = u32At(ratingStart, r + 1);
    let sum: f64 = 0;
    for (let t = first; t < end; t++) sum += f64At(e, u32At(slots, t));
    const row = scratch + r * ROW_BYTES;
    store<f64>(row, <f64>(end - first));
    store<f64>(row, sum, 24);
    store<f64>(row, 0, 40);
  }
  for (let j: usize = 0; j < <usize>F; j++) {
    const first = u32At(colStart, j), end = u32At(colStart, j + 1);
    const w = f64At(W, j);
    let s2: f64 = 0, se: f64 = 0;
    for (let c = first; c < end; c++) {
      const row = scratch + u32At(colRows, c) * ROW_BYTES, x = f64At(colVals, c);
      s2 += x * x * load<f64>(row);
      se += x * load<f64>(row, 24);
    }
    const g = u32At(group, j);
    const lambda = f64At(lambdaW, g);
    const p = alpha * s2 + lambda;
    const mean = (alpha * (se + w * s2) + lambda * f64At(muW, g)) / p;
    const w2 = mean + f64At(normals, j) / Math.sqrt(p);
    const d = w2 - w;
    for (let c = first; c < end; c++) {
      const row = scratch + u32At(colRows, c) * ROW_BYTES, dx = d * f64At(colVals, c);
      store<f64>(row, load<f64>(row, 24) - dx * load<f64>(row), 24);
      store<f64>(row, load<f64>(row, 40) + dx, 40);
    }
    f64Put(W, j, w2);
  }
  for (let r: usize = 0; r < rows; r++) {
    const first = u32At(ratingStart, r), end = u32At(ratingStart, r + 1);
    const change = load<f64>(scratch + r * ROW_BYTES, 40);
    for (let t = first; t < end; t++) {
      const slot = u32At(slots, t);
      f64Put(e, slot, f64At(e, slot) - change);
    }
  }
}

/**
 * Factor f of every feature of one block from its conditional (myFM's relation-block caches).
 * For rating t of row r, h_t = x (a_r + c_t) with a_r = Q_r − x v (the row's other features) and
 * c_t = qsum_t − q_r (the other blocks), so the sums over a row's ratings come from per-row caches
 * C = Σ c, CS = Σ c², E = Σ e, EQ = Σ e c:
 *   Σ h² = x² (card a² + 2 a C + CS),   Σ e h = x (a E + EQ),
 *   P = α Σ h² + λ_f,  mean = (α (Σ e h + v Σ h²) + λ_f μ_f) / P,  v' = mean + z_j / √P.
 * After each draw (d = v' − v) E −= d x (card a + C), EQ −= d x (a C + CS), the row's own
 * pairwise term moves by D += d x a and its q by Q += d x; at the end every residual takes
 * e_t −= (Q_r − q_r) c_t + D_r, qsum_t += Q_r − q_r, and q_r = Q_r.
 * scratch: the row caches (ROW_BYTES a row).
 */
export function bfmDrawFactor(
  ratingStart: usize, slots: usize, R: i32, colStart: usize, colRows: usize, colVals: usize, F: i32, group: usize,
  V: usize, k: i32, f: i32, q: usize, qsum: usize, e: usize, alpha: f64, muV: usize, lambdaV: usize, normals: usize, scratch: usize
): void {
  const rows = <usize>R, kk = <usize>k, ff = <usize>f, qf = q + ((ff * rows) << 3);
  for (let r: usize = 0; r < rows; r++) {
    const first = u32At(ratingStart, r), end = u32At(ratingStart, r + 1);
    const own = f64At(qf, r);
    let C: f64 = 0, CS: f64 = 0, E: f64 = 0, EQ: f64 = 0;
    for (let t = first; t < end; t++) {
      const slot = u32At(slots, t);
      const c = f64At(qsum, slot) - own, et = f64At(e, slot);
      C += c;
      CS += c * c;
      E += et;
      EQ += et * c;
    }
    const row = scratch + r * ROW_BYTES;
    store<f64>(row, <f64>(end - first));
    store<f64>(row, C, 8);
    store<f64>(row, CS, 16);
    store<f64>(row, E, 24);
    store<f64>(row, EQ, 32);
    store<f64>(row, 0, 40);
    store<f64>(row, own, 48);
  }
  for (let j: usize = 0; j < <usize>F; j++) {
    const first = u32At(colStart, j), end = u32At(colStart, j + 1);
    const v = f64At(V, j * kk + ff);
    let s2: f64 = 0, se: f64 = 0;
    for (let c = first; c < end; c++) {
      const row = scratch + u32At(colRows, c) * ROW_BYTES, x = f64At(colVals, c);
      const a = load<f64>(row, 48) - v * x;
      s2 += x * x * (load<f64>(row) * a * a + 2 * a * load<f64>(row, 8) + load<f64>(row, 16));
      se += x * (a * load<f64>(row, 24) + load<f64>(row, 32));
    }
    const g = u32At(group, j) * kk + ff;
    const lambda = f64At(lambdaV, g);
    const p = alpha * s2 + lambda;
    const mean = (alpha * (se + v * s2) + lambda * f64At(muV, g)) / p;
    const v2 = mean + f64At(normals, j) / Math.sqrt(p);
    const d = v2 - v;
    for (let c = first; c < end; c++) {
      const row = scratch + u32At(colRows, c) * ROW_BYTES, x = f64At(colVals, c);
      const a = load<f64>(row, 48) - v * x, dx = d * x, C = load<f64>(row, 8);
      store<f64>(row, load<f64>(row, 24) - dx * (load<f64>(row) * a + C), 24);
      store<f64>(row, load<f64>(row, 32) - dx * (a * C + load<f64>(row, 16)), 32);
      store<f64>(row, load<f64>(row, 40) + dx * a, 40);
      store<f64>(row, load<f64>(row, 48) + dx, 48);
    }
    f64Put(V, j * kk + ff, v2);
  }
  for (let r: usize = 0; r < rows; r++) {
    const first = u32At(ratingStart, r), end = u32At(ratingStart, r + 1);
    const row = scratch + r * ROW_BYTES;
    const own = f64At(qf, r), dq = load<f64>(row, 48) - own, D = load<f64>(row, 40);
    for (let t = first; t < end; t++) {
      const slot = u32At(slots, t);
      const qs = f64At(qsum, slot);
      f64Put(e, slot, f64At(e, slot) - (dq * (qs - own) + D));
      f64Put(qsum, slot, qs + dq);
    }
    f64Put(qf, r, load<f64>(row, 48));
  }
}
